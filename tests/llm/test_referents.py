"""A follow-up that points at a row of the answer before's ranking ("forecast demand there", "the second
one", "cette catégorie", "bought together with it") takes that row, on either shop; words that point name no
grouping; an id nobody said is no call's id."""

from __future__ import annotations

import pandas as pd
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from agent.llm.leaning import without_pointers
from agent.llm.mentions import conversation_mentions
from agent.llm.named_tools import named_tool, tasks_named
from agent.llm.referents import RANKED, last_ranking, ranking, referent
from agent.llm.tool_schema import grammar_schema
from agent.llm.turn_values import narrowed_tools, outright_choices
from tests.agent.scripted_model import call
from tests.agent.test_graph import make_agent
from tests.shops import NORTHWIND
from tools.agent_tools import build_registry
from tools.events.simulate.profile import demo_profile
from tools.registry import CATEGORIES_SET, PLACES_SET, PRODUCTS_SET, Session, ToolOutput, ToolStep

PROFILES = pytest.mark.parametrize("profile", [demo_profile(), NORTHWIND], ids=["demo", "northwind"])


def answered(level: str, names: list[str]) -> AIMessage:
    """The answer of a turn whose tools ranked `names` at `level`, as the agent keeps it."""
    return AIMessage(f"By {level}: " + "; ".join(f"{name} {9 - i}" for i, name in enumerate(names)),
                     response_metadata={RANKED: {"level": level, "names": names}})


def options(profile, messages: list[BaseMessage], tool: str, prop: str,
            categories: list[str] = ()) -> list[str]:
    """The values `tool`'s grammar lets the reply to the last message give `prop`, and "required" (the
    shop's `categories` where its profile lists none: Northwind's come from its store)."""
    registry = build_registry(None, profile=profile)
    registry.closed_sets[CATEGORIES_SET] = list(profile.categories or categories)
    tools = narrowed_tools(registry.schemas("operator"), conversation_mentions(messages))
    (parameters,) = [t["function"]["parameters"] for t in tools if t["function"]["name"] == tool]
    node = grammar_schema(parameters)["properties"][prop]
    names = [name for option in node.get("anyOf", [node]) for name in option.get("enum", [])]
    return names + ["required"] * (prop in parameters.get("required", []))


@PROFILES
def test_a_place_pointed_at_after_a_ranking_of_places_is_its_first_row(profile) -> None:
    regions = [p.name for p in profile.places if p.level == "region"][:3]
    asked = [HumanMessage("Which region had the most orders last week?"), answered("region", regions)]
    for pointing in ("Could you forecast demand there for two weeks?",
                     "Wie sieht die Prognose dort aus?", "Prévision pour cette région ?",
                     "¿Y la previsión para esa región?", "previsione per quella regione?"):
        assert options(profile, [*asked, HumanMessage(pointing)], "forecast_demand", "place") == [
            regions[0], "required"], pointing
    for second in ("forecast the second one for 2 weeks", "Prognose für die zweite Region",
                   "et pour la deuxième ?", "¿y el segundo?", "previsione per la seconda"):
        assert options(profile, [*asked, HumanMessage(second)], "forecast_demand", "place") == [
            regions[1], "required"], second
    # a question that names a place takes that place; one that points at no row takes none
    assert options(profile, [*asked, HumanMessage(f"forecast {regions[2]} there")], "forecast_demand",
                   "place") == [regions[2], "required"]
    assert options(profile, [*asked, HumanMessage("Is there any fraud this week?")], "forecast_demand",
                   "place") == []


@PROFILES
def test_a_country_ranked_by_its_code_is_the_country_pointed_at(profile) -> None:
    countries = [p for p in profile.places if p.level == "country"]
    codes = [c.country for c in countries]
    asked = [HumanMessage("Which country had the most sessions?"), answered("country", codes)]
    assert options(profile, [*asked, HumanMessage("which region in that country leads?")], "top_items",
                   "place") == [countries[0].name, "required"]


@PROFILES
def test_a_pointer_of_another_level_falls_back_to_the_places_of_the_turn_before(profile) -> None:
    region = next(p for p in profile.places if p.level == "region")
    cities = [p.name for p in profile.places if p.level == "city"][:2]
    asked = [HumanMessage(f"Top cities in {region.name}?"), answered("city", cities)]
    pointing = [*asked, HumanMessage("any anomalies in that region?")]
    place = options(profile, pointing, "detect_anomalies", "place")
    assert place[-1] == "required" and region.name in place and set(place[:-1]) <= {region.name, *cities}


@PROFILES
def test_a_category_pointed_at_is_the_ranked_one_and_names_no_ranking_by_category(profile) -> None:
    categories = list(profile.categories)[:3] or ["Jackets", "Tents", "Stoves"]
    asked = [HumanMessage("Top categories by units this month?"), answered("category", categories)]
    for pointing in ("Forecast that category for the next 4 weeks", "Fais une prévision pour cette catégorie",
                     "Prognose für diese Kategorie?", "previsione per quella categoria"):
        messages = [*asked, HumanMessage(pointing)]
        assert options(profile, messages, "forecast_demand", "category", categories) == [
            categories[0], "required"]
        assert not any("category" in values for values in outright_choices(pointing)), pointing


def test_a_product_pointed_at_is_the_ranked_one_when_the_shop_lists_products() -> None:
    profile, names = demo_profile(), ["Trail Lamp (P1)", "Field Stove (P2)"]
    registry = build_registry(None, profile=profile)
    registry.closed_sets[PRODUCTS_SET] = ["Trail Lamp", "Field Stove", "Camp Mug"]
    messages = [HumanMessage("top products this month?"), answered("product", names),
                HumanMessage("what do people buy together with it?")]
    tools = narrowed_tools(registry.schemas("operator"), conversation_mentions(messages))
    (parameters,) = [t["function"]["parameters"] for t in tools if t["function"]["name"] == "recommend"]
    product = grammar_schema(parameters)["properties"]["product"]
    assert [v for o in product.get("anyOf", [product]) for v in o.get("enum", [])] == ["Trail Lamp"]
    assert "product" in parameters["required"]
    # no customer id was said or shown: the call names none (the model had written its example, U000123)
    user = grammar_schema(parameters)["properties"]["user_id"]
    assert user == {"type": "null"} or user.get("anyOf") == [{"type": "null"}]


@pytest.mark.parametrize(("text", "level", "expected"), [
    ("forecast demand there", "region", (PLACES_SET, "A")),
    ("und der zweite?", "city", (PLACES_SET, "B")),
    ("Fais une prévision pour la première ville du classement", "city", (PLACES_SET, "A")),
    ("reorder advice for it, we have 20 left", "product", (PRODUCTS_SET, "A")),
    ("what sells together with it?", "product", (PRODUCTS_SET, "A")),
    ("Me quedan 8 unidades de ese producto", "product", (PRODUCTS_SET, "A")),
    ("Prognose dafür?", "category", (CATEGORIES_SET, "A")),
    ("il secondo: che fatturato?", "region", (PLACES_SET, "B")),
    ("und die zweite, bitte", "city", (PLACES_SET, "B")),
    ("what about the first week of May?", "region", None),
    ("la prima volta che abbiamo venduto", "product", None),
    ("Quel pays a le plus de commandes ?", "country", None),
    ("Is there any fraud?", "region", None),
    ("any anomalies in that region?", "city", None),
    ("forecast demand there", "product", None),
])
def test_which_row_a_message_points_at(text, level, expected) -> None:
    assert referent(text, [answered(level, ["A", "B", "C"])]) == expected
    assert referent(text, [AIMessage("no ranking")]) is None


def test_a_rankings_rows_are_read_from_the_tools_frame() -> None:
    regions = ToolOutput("top_items", "s",
                         frame=pd.DataFrame({"region": ["Lyon", "Bavaria"], "orders": [3, 2]}))
    products = ToolOutput("top_items", "s", frame=pd.DataFrame(
        {"product": ["P1", "P2"], "units": [3, 2], "product_name": ["Trail Lamp", "Field Stove"]}))
    together = ToolOutput("recommend", "s",
                          frame=pd.DataFrame({"product_id": ["P9"], "product_name": ["Mug"]}))
    hours = ToolOutput("top_items", "s", frame=pd.DataFrame({"hour_of_day": [20], "orders": [5]}))
    assert ranking(regions) == {"level": "region", "names": ["Lyon", "Bavaria"]}
    assert ranking(products) == {"level": "product", "names": ["Trail Lamp (P1)", "Field Stove (P2)"]}
    assert ranking(together) == {"level": "product", "names": ["Mug (P9)"]}
    assert ranking(hours) is None and ranking(ToolOutput("forecast_demand", "s")) is None
    steps = [ToolStep("top_items", {}, "done", 1.0, output=regions), ToolStep("x", {}, "error", 1.0)]
    assert last_ranking(steps) == {**ranking(regions), "scope": None}
    held = [ToolStep("top_items", {"place": "Bavaria", "group_by": "city"}, "done", 1.0, output=regions)]
    assert last_ranking(held)["scope"] == "Bavaria"


def test_there_after_a_ranking_inside_a_place_is_that_place() -> None:
    """"How many units did New York sell last week?" answered by its cities: "forecast demand there" is New
    York's, not its first city's; "that city" is the first city."""
    inside = AIMessage("Units by city (in New York): Manhattan 9; Brooklyn 5.", response_metadata={
        RANKED: {"level": "city", "names": ["Manhattan", "Brooklyn"], "scope": "New York"}})
    assert referent("forecast demand there for 2 weeks", [inside]) == (PLACES_SET, "New York")
    assert referent("forecast demand for that city", [inside]) == (PLACES_SET, "Manhattan")
    assert referent("what sells together with it?", [inside]) is None


def test_the_agent_keeps_the_ranking_with_the_answer_for_the_next_turn() -> None:
    agent, model = make_agent([call("find_spikes", day="Friday"), AIMessage("Auvergne-Rhone-Alpes: 2.4x."),
                               AIMessage("Sure.")])
    session = Session("operator")
    agent.ask("which regions spike on Friday night?", session, thread_id="t")
    agent.ask("thanks", session, thread_id="t")
    kept = [m for m in model.prompts[-1] if isinstance(m, AIMessage)]
    ranked = {"level": "region", "names": ["Lyon", "Bavaria"], "scope": None}
    assert kept[-1].response_metadata[RANKED] == ranked


def test_all_countries_beside_the_whole_shop_names_no_grouping_alone_it_does() -> None:
    whole = "im ganzen Laden und alle Länder: welcher Wochentag bringt am meisten Umsatz?"
    assert [set(v) for v in outright_choices(whole) if v & {"country", "day_of_week"}] == [{"day_of_week"}]
    assert "Lander" not in without_pointers(whole) and "Wochentag" in without_pointers(whole)
    assert any("region" in values for values in outright_choices("revenue for all regions last week"))
    from agent.llm.leaning import names_whole_shop

    for whole in ("and by weekday, all cities combined?", "Et par heure, toutes villes confondues ?",
                  "y por día, todas las ciudades juntas"):
        assert names_whole_shop(whole), whole
    assert not names_whole_shop("revenue for all cities?")  # a breakdown by city
    # the whole shop, and no ranking by country
    for whole in ("and across all countries together?", "und alle Länder zusammen?",
                  "e tutti i paesi insieme?", "¿y todos los países juntos?", "ok and across every country?"):
        assert names_whole_shop(whole), whole
        assert not [v for v in outright_choices(whole) if "country" in v], whole
    assert names_whole_shop("and for all countries?")  # English plural too ("all countrys" was the pattern)


@PROFILES
def test_what_sells_together_is_recommend_for_an_operator_my_recommendations_for_a_customer(profile) -> None:
    registry = build_registry(None, profile=profile)
    operator, customer = registry.schemas("operator"), registry.schemas("customer")
    assert named_tool("what is usually bought together with the trail lamp?", operator) == "recommend"
    assert named_tool("Was wird oft zusammen gekauft?", operator) == "recommend"
    assert named_tool("what goes well with it?", customer) == "my_recommendations"
    assert tasks_named("any recommendations?", customer) == {"my_recommendations"}
    assert named_tool("We have 12 left and the supplier needs 5 days", operator) == "reorder_advice"
    # a count of units is a quantity, not the ranking's metric
    assert named_tool("Wir haben noch 30 Stück, der Lieferant braucht 6 Tage", operator) == "reorder_advice"
    assert named_tool("Prognose für die Kategorie mit dem größten Rückgang", operator) is None
