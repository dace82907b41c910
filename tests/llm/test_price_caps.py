""""Anything cheaper?" after a product search is a search capped below the cheapest product it listed, on
either shop and in the five languages (agent/llm/price_caps.py, turn_values' max_price)."""

from __future__ import annotations

import pandas as pd
import pytest

from agent.llm.leaning import leans_on_earlier
from agent.llm.mentions import Mentions
from agent.llm.price_caps import cheaper_caps
from agent.llm.turn_values import narrowed_tools
from tools.agent_tools import build_registry
from tools.events.profile import ShopProfile
from tools.events.simulate.profile import demo_profile
from tools.knowledge.products import ProductSearchResult

CHEAPER = ("anything cheaper?", "Habt ihr auch was Günstigeres?", "vous avez moins cher ?",
           "¿tienen algo más barato?", "c'è qualcosa di più economico?")


def listing(currency: str) -> str:
    """What a product search told the model, as the tool writes it."""
    frame = pd.DataFrame({"rank": [1, 2, 3], "product_id": ["P0042", "P0007", "P0101"],
                          "name": ["Trail Pack 30", "City Pack", "Day Pack"], "category": ["Packs"] * 3,
                          "price": [158.99, 28.99, 27.99], "currency": [currency] * 3, "stock": [3, 0, 12],
                          "score": [0.9, 0.8, 0.7]})
    return ProductSearchResult("pack", {}, frame).summary()


@pytest.mark.parametrize("profile", [demo_profile(), ShopProfile(currency="USD", categories=("Packs",))],
                         ids=["demo", "usd"])
def test_anything_cheaper_caps_the_search_below_the_cheapest_product_listed(profile) -> None:
    tools = build_registry(None, profile=profile).schemas("customer")
    earlier = f"Do you have packs?\n{listing(profile.currency)}"
    for question in CHEAPER:
        assert leans_on_earlier(question), question
        assert cheaper_caps(question, earlier) == (27.98,), question
        narrowed = narrowed_tools(tools, Mentions(question, earlier, question, "Do you have packs?"))
        (search,) = [t["function"]["parameters"] for t in narrowed
                     if t["function"]["name"] == "search_products"]
        assert search["properties"]["max_price"]["enum"] == [27.98] and "max_price" in search["required"]
    assert cheaper_caps("cheaper than 20?", earlier) == ()  # an amount of its own: price_caps reads it
    assert cheaper_caps("anything in blue?", earlier) == ()  # nothing about the price
    assert cheaper_caps("anything cheaper?", "Do you have packs?") == ()  # nothing listed before


def test_a_cheaper_cap_reads_the_prices_of_the_answer_before_in_any_language() -> None:
    """The prompt keeps an earlier turn's question and answer only: the customer's answer lists the prices
    as their language writes them (agent/customer_answers.py)."""
    from agent.customer_answers import products_answer
    from tools.registry import ToolOutput

    cards = [{"product_id": "P1", "name": "Trail Pack", "price": 1234.5, "currency": "EUR", "in_stock": True},
             {"product_id": "P2", "name": "City Pack", "price": 28.99, "currency": "EUR", "in_stock": False}]
    for language in ("en", "de", "fr", "es", "it"):
        found = ToolOutput("search_products", "", cards=cards, facts={"query": "pack"})
        answer = products_answer(found, language)
        assert cheaper_caps("anything cheaper?", answer) == (28.98,), answer


def test_a_search_for_nothing_but_a_cheaper_price_searches_what_the_follow_up_leans_on() -> None:
    """agent/product_query.py"""
    from langchain_core.messages import AIMessage, HumanMessage

    from agent.product_query import product_query

    asked = [HumanMessage("Habt ihr Kopfhörer?"), AIMessage("5 Produkte ..."),
             HumanMessage("was günstigeres?")]
    assert product_query("was günstigeres?", "günstigeres", asked) == "was günstigeres? Habt ihr Kopfhörer?"
    assert product_query("Kopfhörer unter 40 Euro?", "40 Euro", asked[-1:]) == "Kopfhörer unter 40 Euro?"
    assert product_query("was günstigeres?", "Kopfhörer", asked) is None  # the model's query names it


def test_recommendations_asked_for_in_a_follow_up_are_for_the_product_listed_first() -> None:
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    from agent.product_query import product_args

    searched = [HumanMessage("Habt ihr Kopfhörer?"),
                AIMessage("", tool_calls=[{"name": "search_products", "args": {}, "id": "c1"}]),
                ToolMessage(listing("EUR"), tool_call_id="c1", name="search_products"),
                AIMessage("Ich habe 3 Produkte gefunden: ...")]
    follow = [*searched, HumanMessage("was passt dazu?")]
    assert product_args("my_recommendations", {}, "was passt dazu?", follow) == {"product": "P0042"}
    assert product_args("my_recommendations", {"product": "P0101"}, "was passt dazu?", follow) == {
        "product": "P0101"}  # the model named one
    standalone = [*searched, HumanMessage("Was empfehlt ihr mir?")]  # no follow-up: for the customer
    assert product_args("my_recommendations", {}, "Was empfehlt ihr mir?", standalone) == {}


@pytest.mark.parametrize(("text", "caps"), [
    ("Je veux une tente, 80 € max", (80.0,)), ("Wanderschuhe, 100 Euro höchstens", (100.0,)),
    ("unas zapatillas, no más de 60 euros", (60.0,)), ("a lamp, 40 bucks or less", (40.0,)),
    ("a table for 6 people max", ()),
])
def test_a_bound_after_the_amount_caps_the_price(text, caps) -> None:
    from agent.llm.price_caps import price_caps

    assert price_caps(text) == caps
