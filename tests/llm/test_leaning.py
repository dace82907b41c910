"""A follow-up takes the places and categories of the turn it leans on, however long it is; a complete
question asks about the whole shop ("which category sold most units this month?" after Mazowieckie had been
answered for Mazowieckie), and so does a follow-up that says so ("and overall?")."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.llm.leaning import leans_on_earlier, names_whole_shop
from agent.llm.mentions import conversation_mentions
from agent.llm.tool_schema import grammar_schema
from agent.llm.turn_values import narrowed_tools
from tests.shops import NORTHWIND
from tools.agent_tools import build_registry
from tools.events.simulate.profile import demo_profile

FOLLOW_UPS = ["and last week?", "ok and the last 7 days?", "What about Lyon?", "Thanks! And for Spain?",
              "Und nach Umsatz?", "dort auch?", "Merci, et pour la semaine dernière ?", "¿Y solo el mejor?",
              "¿Y en la misma región el mes pasado?", "E invece il fatturato?", "last week?", "nur Schuhe?",
              "forecast demand for shoes there next month", "any anomalies there?", "Und in dieser Stadt?",
              "Prévision pour ce pays ?", "¿Alguna anomalía en esa ciudad?", "Previsione per quel paese?",
              # a part of what the turn before counted
              "Welche Stadt hatte davon die meisten?", "Which city had most of those orders?",
              "Quelle ville en a eu le plus parmi eux ?", "¿Cuál de ellos vendió más?",
              "Quale città ha fatto di più tra questi?",
              # polite or detailed follow-ups leave the place out as short ones do
              "Thanks, that's helpful. And what did the average order value look like over the last 90 days?",
              "Super, danke dir! Und wie viele Bestellungen kamen in den letzten zwei Wochen ungefähr rein?",
              "D'accord, merci bien. Et pourriez-vous me donner le chiffre d'affaires de la semaine passée ?",
              "Perfecto, muchas gracias. ¿Cuántas unidades se vendieron allí durante el último mes?",
              "Ottimo, grazie. Quante unità abbiamo venduto in quella regione negli ultimi sette giorni?",
              # a price compared with the answer before
              "vous avez moins cher ?", "Habt ihr auch was Günstigeres?",
              "¿tienen algo más barato?", "c'è qualcosa di più economico?", "anything cheaper in stock?"]
STANDALONE = ["which category sold most units this month?",
              "what are the top 5 regions by revenue this year?", "Is there any fraud this week?",
              "Welche Stadt hatte die meisten Bestellungen?",
              "Quel est le pays avec le plus de commandes ?", "¿Qué categoría vendió más este mes?",
              "Qual è la regione con il fatturato più alto quest'anno?",
              "Could you tell me which of our categories sold the most units over the last thirty days?",
              "Quel pays a le plus gros chiffre d'affaires depuis le début ?",  # "quel": which, not "that"
              "Quelle ville a eu le plus de commandes ?", "¿Qué país vende más?"]
WHOLE_SHOP = ["and overall?", "And now the whole picture for every region we sell in, whatever it says",
              "Und insgesamt, im ganzen Shop?", "Merci ! Et au total, sur toutes les régions ?",
              "¿Y en total?", "E nel complesso, in tutte le regioni?", "and for the shop as a whole?",
              "Und für den gesamten Shop?", "Et pour la boutique entière ?", "¿Y la tienda completa?",
              "E per il negozio intero?"]


@pytest.mark.parametrize("text", FOLLOW_UPS)
def test_a_short_message_that_continues_points_back_or_is_a_fragment_leans_on_the_turn_before(text) -> None:
    assert leans_on_earlier(text)


@pytest.mark.parametrize("text", STANDALONE)
def test_a_complete_question_or_a_long_one_stands_on_its_own(text) -> None:
    assert not leans_on_earlier(text)


@pytest.mark.parametrize("text", WHOLE_SHOP)
def test_a_follow_up_that_names_the_whole_shop_leans_but_takes_no_place(text) -> None:
    assert leans_on_earlier(text) and names_whole_shop(text)


@pytest.mark.parametrize("text", ["and every city there?", "Und insgesamt dort?", "forecast each category"])
def test_a_place_pointed_at_or_a_breakdown_is_no_whole_shop_question(text) -> None:
    assert not names_whole_shop(text)


def turn(question: str, place: str | None) -> list[BaseMessage]:
    """One answered turn of top_items, for `place` or the whole shop."""
    args = {"metric": "units", "group_by": "category", **({"place": place} if place else {})}
    scope = f" (in {place})" if place else ""
    call = {"name": "top_items", "args": args, "id": "c"}
    return [HumanMessage(question), AIMessage("", tool_calls=[call]),
            ToolMessage(f"Units by category{scope}: Books 12.", tool_call_id="c"), AIMessage("Books: 12.")]


def place_options(profile, messages: list[BaseMessage], tool: str = "top_items") -> list[str]:
    """The places `tool`'s grammar lets the reply to the last message name, and "required" when it must."""
    tools = narrowed_tools(build_registry(None, profile=profile).schemas("operator"),
                           conversation_mentions(messages))
    (parameters,) = [t["function"]["parameters"] for t in tools if t["function"]["name"] == tool]
    place = grammar_schema(parameters)["properties"]["place"]
    names = [name for option in place.get("anyOf", [place]) for name in option.get("enum", [])]
    return names + ["required"] * ("place" in parameters.get("required", []))


@pytest.mark.parametrize("profile", [demo_profile(), NORTHWIND], ids=["demo", "northwind"])
def test_only_a_follow_up_takes_the_place_of_the_turn_it_leans_on(profile) -> None:
    place, other = [p.name for p in profile.places if p.level == "region"][:2]
    asked = turn(f"How many units did {place} sell last week?", place)
    assert place_options(profile, [*asked, HumanMessage("and this month?")]) == [place, "required"]
    assert place_options(profile, [*asked, HumanMessage("which category sold most units this month?")]) == []
    assert place_options(profile, [*asked, HumanMessage(f"And in {other}?")]) == [other, "required"]
    # three turns: a follow-up leans on the turn right before it, which carried the place in its call
    carried = [*asked, *turn("and last week?", place)]
    assert place_options(profile, [*carried, HumanMessage("and by revenue?")]) == [place, "required"]
    whole = [*asked, *turn("which category sold most units this month?", None)]
    assert place_options(profile, [*whole, HumanMessage("and last week?")]) == []
    # a follow-up about the whole shop takes no place, and a follow-up after it none either
    long = "Thanks a lot for that. And how did revenue look across the whole shop over the same days?"
    for overall in ("and overall?", "Und insgesamt?", long):
        assert place_options(profile, [*asked, HumanMessage(overall)]) == [], overall
    overall = [*asked, *turn("and overall?", None)]
    assert place_options(profile, [*overall, HumanMessage("and last week?")]) == []


@pytest.mark.parametrize("profile", [demo_profile(), NORTHWIND], ids=["demo", "northwind"])
def test_a_follow_up_that_points_at_a_place_must_take_one_of_the_turn_befores(profile) -> None:
    place = next(p.name for p in profile.places if p.level == "region")
    asked = turn(f"How many units did {place} sell last week?", place)
    for pointing in ("forecast demand there for the next 2 weeks", "Prognose für dort?",
                     "e in quella regione il mese prossimo?",
                     "Thanks so much for checking. Could you forecast demand there for the next two weeks?"):
        options = place_options(profile, [*asked, HumanMessage(pointing)], "forecast_demand")
        assert options == [place, "required"], pointing
    assert place_options(profile, [*asked, HumanMessage("and the forecast?")], "forecast_demand") == [
        place, "required"]


@pytest.mark.parametrize("profile", [demo_profile(), NORTHWIND], ids=["demo", "northwind"])
def test_the_places_of_the_answer_before_count_the_prompt_keeps_only_questions_and_answers(profile) -> None:
    """"Which region had the most orders?" then "Can you forecast demand there?": the places were in the
    answer only (an earlier turn's calls and results are not in the prompt), and the forecast was the whole
    shop's."""
    first, second = [p.name for p in profile.places if p.level == "region"][:2]
    asked = [HumanMessage("Which region had the most orders over the last 7 days?"),
             AIMessage(f"Orders by region: {first} 29; {second} 17 (top 2 of 10); overall 289.")]
    pointing = [*asked, HumanMessage("Can you forecast demand there for the next 14 days?")]
    assert place_options(profile, pointing, "forecast_demand") == [first, second, "required"]
    # an "and ...?" after a ranking asks about the ranking again, not about one of its rows
    assert place_options(profile, [*asked, HumanMessage("and by revenue?")]) == []
    chained = [HumanMessage(f"units in {first} last week?"), AIMessage(f"Units (in {first}): 25."),
               HumanMessage("and this week?"), AIMessage(f"Units (in {first}), this week: 9."),
               HumanMessage("and by revenue?")]
    assert place_options(profile, chained) == [first, "required"]


def test_the_questions_a_follow_up_leans_on_go_back_along_its_chain() -> None:
    from agent.llm.leaning import leaned_questions

    first, second = HumanMessage("units in Hesse last week?"), HumanMessage("and this week?")
    answered = [first, AIMessage("Units (in Hesse): 9."), second, AIMessage("Units (in Hesse): 4.")]
    assert leaned_questions([*answered, HumanMessage("and by revenue?")]) == [first.text, second.text]
    assert leaned_questions([*answered, HumanMessage("which category sold most units this month?")]) == []
    assert leaned_questions([*answered, HumanMessage("and overall?")]) == []
    assert leaned_questions([HumanMessage("and last week?")]) == []  # nothing before it
