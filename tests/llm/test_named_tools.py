"""Which tool a question's words name (agent/llm/named_tools.py): one task's words get that tool (they agree
with the synthetic training dialogues' labels, written by finetune/synth over random shops in five
languages), and on both shops a question that also names a ranking's choices, or two tasks, is left to the
model; the tool whose choices a question names most; a short follow-up's previous tool; a call overruled for
the tool that takes a choice the words name."""

from __future__ import annotations

import random

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agent.llm.named_tools import (
    follow_up_tool,
    most_named_tool,
    named_tool,
    names_only,
    overruling_tool,
    priced_tool,
)
from finetune.synth.dialogues import synthesize
from finetune.synth.profiles import random_facts, random_profile
from tools.agent_tools import build_registry
from tools.events.profile import Place, ShopProfile
from tools.events.simulate.profile import demo_profile


def operator_tools() -> list[dict]:
    return build_registry(None, profile=demo_profile()).schemas("operator")


USA = ShopProfile(currency="USD", places=(
    Place("country", "United States", "US", "America/New_York", code="US"),
    Place("region", "Oregon", "US", "America/Los_Angeles"),
    Place("city", "Portland", "US", "America/Los_Angeles", parent="Oregon")))


@pytest.mark.parametrize("profile, place", [(demo_profile(), "Bavaria"), (USA, "Oregon")])
def test_the_words_of_one_task_name_its_tool_on_either_shop(profile, place) -> None:
    tools = build_registry(None, profile=profile).schemas("operator")
    for question, tool in (
            ("forecast whole shop 14 days", "forecast_demand"),
            (f"Prognose für {place}, die nächsten 28 Tage", "forecast_demand"),
            ("sus orders this month? give me the top 5", "detect_fraud"),
            ("frodi? ultime 30 gg, top 10 pls", "detect_fraud"),
            ("Gibt es verdächtige Bestellungen seit gestern?", "detect_fraud"),
            ("Betrugsfälle in den letzten 10 Tagen?", "detect_fraud"),
            ("WHICH region dropped hardest vs last week??", "compare_periods"),
            ("quale regione ha perso più ordini rispetto alla settimana scorsa", "compare_periods"),
            ("Any complaint wave in the reviews lately?", "detect_anomalies"),
            (f"Gibt es in {place} gerade Auffälligkeiten beim Traffic?", "detect_anomalies"),
            (f"¿Hubo alguna caída del servicio en {place}?", "detect_anomalies"),
            ("which cities get unusually busy late on Sunday evenings?", "find_spikes"),
            (f"Faut-il réapprovisionner en {place} ?", "reorder_advice"),
            # "that city" points at a place: no ranking by city beside the forecast
            ("Mi fai una previsione della domanda per quella città per i prossimi 30 giorni?",
             "forecast_demand"),
            ("Can you forecast demand for that region over the next two weeks?", "forecast_demand"),
            # against the usual is a window's own baseline, not another period
            ("quale città cresce di più rispetto al solito il sabato sera?", "find_spikes")):
        assert named_tool(question, tools) == tool, question
    customer = build_registry(None, profile=profile).schemas("customer")
    for question, tool in (("Rückgabefrist?", "search_docs"), ("tempi di consegna italia", "search_docs"),
                           ("do you ship to Canada?", "search_docs"),
                           ("Liefert ihr nach Wien?", "search_docs"),
                           ("¿Cuánto cuestan los gastos de envío?", "search_docs"),
                           ("Where is my parcel?", "my_orders"), ("¿Dónde está mi pedido?", "my_orders"),
                           ("Je cherche une veste imperméable", "search_products"),
                           ("Was könnt ihr mir empfehlen?", "my_recommendations"),
                           ("Ist das ein Garantiefall?", "search_docs"),
                           # a procedure asked for beside "my parcel": the documents, not the status
                           ("Tracking says my parcel was delivered but I never got it, what should I do?",
                            "search_docs"),
                           ("Mi pedido llegó roto, ¿qué hago?", "search_docs"),
                           ("Wie lautet meine Bestellnummer?", "my_orders"),
                           ("quel est le numéro de commande ?", "my_orders"),
                           # returning something, in the verbs people use
                           ("kann ich das zurückschicken wenn es mir nicht gefällt?", "search_docs"),
                           ("est-ce que je peux le renvoyer ?", "search_docs"),
                           ("¿puedo devolverlo si no me queda bien?", "search_docs"),
                           ("posso restituirlo dopo due settimane?", "search_docs"),
                           ("can I still send it back?", "search_docs"),
                           ("Was kostet eigentlich der Expressversand?", "search_docs"),
                           ("any cool stuff that would go well w/ it?", "my_recommendations")):
        assert named_tool(question, customer) == tool, question
    for question in ("How do I cancel my order?",  # a policy about one's order: the model's to choose
                     "Any suggestions based on what I bought?",
                     "Show me the fraud report"):  # no tool of theirs does that
        assert named_tool(question, customer) is None, question


def test_a_ranking_named_beside_a_forecast_or_two_tasks_are_left_to_the_model() -> None:
    tools = build_registry(None, profile=demo_profile()).schemas("operator")
    for question in ("Forecast next week's demand for the region that spikes most on Friday night",
                     "Prognose für die Kategorie mit dem größten Rückgang bei verkauften Stück",
                     "Should I reorder boots? Forecast the next 28 days first",
                     "Wie hoch war der Umsatz in Hamburg diese Woche?",
                     "I suspect my forecast was wrong, any anomalies?",
                     "refunds by region last month"):  # a ranking of refunds, not the refund policy
        assert named_tool(question, tools) is None, question


def test_named_tools_are_the_labelled_first_tools_of_synthetic_dialogues() -> None:
    """As the agent reads them: a message that asks two things is split first (agent/multi_part.py), and the
    first part names the first tool."""
    from agent.multi_part import question_parts

    rng = random.Random("tool-words")
    fires = agree = 0
    for shop in range(10):
        profile = random_profile(rng)
        registry = build_registry(None, profile=profile)
        for dialogue in synthesize(registry, random_facts(rng, profile), 40, seed=rng.randrange(2**31)):
            tools = registry.schemas(dialogue.role)
            for asked, reply in zip(dialogue.messages, dialogue.messages[1:]):
                first = question_parts(asked["content"])[0]
                named = named_tool(first, tools) if asked["role"] == "user" else None
                if named:
                    fires += 1
                    agree += named == ((reply.get("tool_calls") or [{}])[0].get("function") or {}).get("name")
    assert fires >= 20  # the words name a fair share of the tasks
    assert agree / fires >= 0.9, (agree, fires)


def test_the_first_reply_to_such_a_question_must_call_that_tool(tiny_runtime, monkeypatch) -> None:

    from agent.llm.chat_model import LocalChatModel
    from agent.llm.reply_controls import ReplyControls

    tools = build_registry(None, profile=demo_profile()).schemas("operator")
    grammars = tiny_runtime.grammars
    choices = []
    original = grammars.for_reply

    def spy(bound, choice, head=None, per_turn=False):
        choices.append(choice)
        return original(bound, choice, head, per_turn)

    monkeypatch.setattr(grammars, "for_reply", spy)
    chat = LocalChatModel(runtime=tiny_runtime, max_new_tokens=48).bind_tools(tools)
    reply = chat.invoke([SystemMessage("s"), HumanMessage("sus orders this month? top 5")])
    assert [c["name"] for c in reply.tool_calls + reply.invalid_tool_calls] == ["detect_fraud"]
    chat.invoke([SystemMessage("s"), HumanMessage("top regions by revenue all time")])
    after = [SystemMessage("s"), HumanMessage("any fraud?"),
             AIMessage("", tool_calls=[{"name": "detect_fraud", "args": {}, "id": "c1"}]),
             ToolMessage("No suspicious orders.", tool_call_id="c1")]
    chat.invoke(after, controls=ReplyControls(calls_only=True))  # after results: the model's own choice
    assert [(c.mode, c.name) for c in choices] == [("forced", "detect_fraud"), ("auto", None), ("auto", None)]


@pytest.mark.parametrize("profile", [demo_profile(), USA])
def test_a_choice_the_called_tool_cannot_take_overrules_it_for_the_tool_that_can(profile) -> None:

    tools = build_registry(None, profile=profile).schemas("operator")
    assert overruling_tool("Umsatz im Mai nach Region", "compare_periods", tools) == "top_items"
    units = "Combien d'unités vendues cette semaine ?"
    assert overruling_tool(units, "forecast_demand", tools) == "top_items"
    assert overruling_tool("Which region dropped most compared to last week?", "top_items",
                           tools) == "compare_periods"
    assert overruling_tool("revenue by region this week", "top_items", tools) is None  # it takes them all
    assert overruling_tool("Prognose für die nächsten 28 Tage", "forecast_demand", tools) is None


def test_the_tool_a_question_names_most_is_the_one_whose_choices_it_names_most() -> None:

    tools = operator_tools()
    assert most_named_tool("Wie hoch war der Umsatz in Hamburg diese Woche?", tools) == "top_items"
    assert most_named_tool("which cities spike on Friday night?", tools) == "find_spikes"
    assert most_named_tool("Which region dropped most compared to last week?", tools) == "compare_periods"
    assert most_named_tool("chiffre d'affaires à Bordeaux", tools) is None  # ranked or compared: a tie
    assert most_named_tool("Che tempo farà domani a Napoli?", tools) is None  # names nothing they take


@pytest.mark.parametrize("profile", [demo_profile(), USA])
def test_a_price_cap_names_the_one_tool_that_takes_it_on_either_shop(profile) -> None:
    customer = build_registry(None, profile=profile).schemas("customer")
    for question in ("welche Kopfhörer habt ihr unter 40 Euro?", "avete zaini sotto i 60 euro?",
                     "anything warm for winter below $80?", "Je cherche un casque à moins de 50 euros"):
        assert priced_tool(question, customer) == "search_products", question
    assert priced_tool("Where is my parcel?", customer) is None  # no cap
    assert priced_tool("returns within 30 days?", customer) is None  # a number that is no cap
    assert priced_tool("revenue under 40 EUR by region", operator_tools()) is None  # no tool takes a cap


def test_a_follow_up_names_only_what_a_tool_takes_on_either_shop() -> None:

    usa = ShopProfile(currency="USD", places=(
        Place("country", "United States", "US", "America/New_York", code="US"),
        Place("region", "Oregon", "US", "America/Los_Angeles")))
    for profile, place in ((demo_profile(), "Bavaria"), (usa, "Oregon")):
        registry = build_registry(None, profile=profile)
        tools = registry.schemas("operator") + registry.schemas("customer")
        tool = {t["function"]["name"]: t for t in tools}
        assert names_only("Und wie viel hat sie gekostet?", tool["my_orders"], tools)
        assert names_only("È già stato spedito?", tool["my_orders"], tools)  # a status my_orders takes
        assert not names_only(f"Und der Umsatz in {place}?", tool["my_orders"], tools)
        assert not names_only(f"And in {place}?", tool["my_orders"], tools)
        assert names_only(f"And in {place}?", tool["top_items"], tools)
        assert not names_only("and last week?", tool["forecast_demand"], tools)


def test_an_elliptical_follow_up_takes_the_previous_turns_tool_on_either_shop() -> None:

    usa = ShopProfile(currency="USD", places=(
        Place("country", "United States", "US", "America/New_York", code="US"),
        Place("region", "Oregon", "US", "America/Los_Angeles"),
        Place("region", "New York", "US", "America/New_York")))
    for profile, first, second in ((demo_profile(), "Lyon", "Marseille"), (usa, "Oregon", "New York")):
        tools = build_registry(None, profile=profile).schemas("operator")

        def after(follow_up: str, place: str = first) -> list:
            call = {"name": "top_items", "args": {"place": place}, "id": "c1"}
            return [HumanMessage(f"Combien d'unités vendues à {place} cette semaine ?"),
                    AIMessage("", tool_calls=[call]), ToolMessage("Units: 9", tool_call_id="c1"),
                    AIMessage("9 units."), HumanMessage(follow_up)]

        assert follow_up_tool(after(f"Et à {second} ?"), tools, must_name=True) == "top_items"
        assert follow_up_tool(after("Et la semaine dernière ?"), tools, must_name=True) == "top_items"
        assert follow_up_tool(after("Merci !"), tools, must_name=True) is None  # names nothing it takes
        assert follow_up_tool(after("Merci !"), tools) == "top_items"  # without must_name: a declined retry
        assert follow_up_tool(after(f"Et la prévision pour {second} ?"), tools) is None  # another task
        # a question that names another tool's task ("forecast") is not sent to the previous tool
        assert follow_up_tool(after(f"forecast daily units for {second} for the next 2 weeks"), tools) is None
        assert follow_up_tool(after("Et quelles sont les commandes suspectes depuis hier, par catégorie et "
                                    f"par ville, à {second} ?"), tools) is None  # fraud, however it opens
        long_one = (f"Merci beaucoup ! Et combien de commandes à {second} la semaine dernière, s'il vous "
                    "plaît ?")
        assert follow_up_tool(after(long_one), tools, must_name=True) == "top_items"  # long, but it leans
        assert follow_up_tool(after(f"Et à {second} ?")[-1:], tools) is None  # no previous turn


@pytest.mark.parametrize("profile, place", [(demo_profile(), "Bavaria"), (USA, "Oregon")])
def test_a_follow_up_about_the_whole_shop_keeps_a_tool_that_takes_a_place_on_either_shop(profile,
                                                                                         place) -> None:
    """"Und für den ganzen Shop?" after a forecast for one place names the whole shop, a choice of every tool
    that takes a place: the forecast again (the model had looked for Friday-night spikes); a tool that takes
    no place (spikes) is left to the model."""
    tools = build_registry(None, profile=profile).schemas("operator")

    def after(tool: str, follow_up: str) -> list:
        call = {"name": tool, "args": {"place": place}, "id": "c1"}
        return [HumanMessage(f"Forecast demand for {place} for the next 14 days"),
                AIMessage("", tool_calls=[call]), ToolMessage("Expect 31 units", tool_call_id="c1"),
                AIMessage("31 units."), HumanMessage(follow_up)]

    for follow_up in ("und für den ganzen Shop?", "and everywhere?", "et au total, tous pays confondus ?",
                      "e per tutto il negozio?", "¿y en toda la tienda?", "and all countries together?"):
        for tool in ("forecast_demand", "detect_anomalies"):
            assert follow_up_tool(after(tool, follow_up), tools, must_name=True) == tool, (tool, follow_up)
        assert follow_up_tool(after("find_spikes", follow_up), tools, must_name=True) is None
    assert follow_up_tool(after("forecast_demand", "and any fraud overall?"), tools, must_name=True) is None


OUTDOORS = ShopProfile(currency="USD", places=USA.places, categories=("Headlamps", "Tents"))


@pytest.mark.parametrize("profile, category", [(demo_profile(), "Backpacks"), (OUTDOORS, "Tents")])
def test_a_customers_follow_up_in_words_only_operators_tools_take_keeps_the_previous_tool(profile,
                                                                                        category) -> None:
    """"Bestellung", "pedido" and "articoli" name a ranking's metric or grouping, which no customer tool
    takes: a declined follow-up about the order is asked again with my_orders; a category after a product
    search is that search again, however long the follow-up."""
    tools = build_registry(None, profile=profile).schemas("customer")

    def after(tool: str, follow_up: str) -> list:
        call = {"name": tool, "args": {}, "id": "c1"}
        return [HumanMessage("first question"), AIMessage("", tool_calls=[call]),
                ToolMessage("result", tool_call_id="c1"), AIMessage("answer"), HumanMessage(follow_up)]

    for follow_up in ("Und welche Artikel waren in der Bestellung?", "y cuanto costo ese pedido?",
                      "e quali articoli c'erano nell'ordine?", "et cette commande, elle arrive quand ?"):
        assert follow_up_tool(after("my_orders", follow_up), tools) == "my_orders", follow_up
        # it names nothing my_orders takes: not forced
        assert follow_up_tool(after("my_orders", follow_up), tools, must_name=True) is None
    assert follow_up_tool(after("my_orders", "Und wie lange habe ich für die Rückgabe Zeit?"), tools) is None
    assert follow_up_tool(after("my_orders", f"und {category}?"), tools) is None  # the search's category
    long_one = f"Danke dir! Und habt ihr bei den {category} auch etwas bis 60 Euro, am liebsten schwarz?"
    assert follow_up_tool(after("search_products", long_one), tools, must_name=True) == "search_products"
    assert follow_up_tool(after("search_products", "Was empfehlt ihr dazu?"), tools) is None  # recommending
    for cheaper in ("was günstigeres?", "vous avez moins cher ?", "anything cheaper?"):  # a price to cap
        assert follow_up_tool(after("search_products", cheaper), tools, must_name=True) == "search_products"
        assert follow_up_tool(after("my_orders", cheaper), tools, must_name=True) is None  # no price there


@pytest.mark.parametrize("profile", [demo_profile(), USA], ids=["demo", "usa"])
def test_a_customers_everyday_words_name_the_product_search_or_the_policies(profile) -> None:
    tools = build_registry(None, profile=profile).schemas("customer")
    for question, tool in (("Do you have any tents?", "search_products"),
                           ("Avete delle tende?", "search_products"),
                           ("Vous avez des gourdes ?", "search_products"),
                           ("¿Tienen alguna linterna?", "search_products"),
                           ("Meine Kopfhörer sind kaputt, was nun?", "search_docs"),
                           ("The boots I got do not fit, what now?", "search_docs"),
                           ("Paid by bank transfer: when do I get my money back?", "search_docs"),
                           ("la lampada si è rotta dopo un mese", "search_docs"),
                           ("Sie ist schon gerissen. Was kann ich da machen?", "search_docs"),
                           ("Ma gourde fuit, je fais quoi ?", "search_docs")):
        assert named_tool(question, tools) == tool, question
    # "habt ihr ... gemacht" asks how much the shop made: no bare "have you" names the product search
    assert named_tool("und wie viel Umsatz habt ihr in diesem Monat gemacht?", tools) is None
