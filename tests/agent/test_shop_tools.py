"""The shop tools' flat arguments: places resolved against the shop's profile, and 'everywhere'."""

from __future__ import annotations

import pytest

from agent.customer_answers import customer_answer
from tests.shops import NORTHWIND
from tools.agent_tools import build_registry
from tools.agent_tools.engines import ShopEngines, resolve_place
from tools.agent_tools.operator import FindSpikesArgs, ForecastDemandArgs, TopItemsArgs
from tools.events.profile import UnknownPlace
from tools.events.simulate.profile import demo_profile
from tools.registry import Session


def test_places_resolve_to_city_region_or_country_of_the_shop() -> None:
    demo = demo_profile()
    assert (resolve_place(demo, "lyon").level, resolve_place(demo, "lyon").name) == ("city", "Lyon")
    assert (resolve_place(demo, "Bavaria").level, resolve_place(demo, "DE-BY").name) == ("region", "Bavaria")
    assert (resolve_place(demo, "Germany").level, resolve_place(demo, "de").country) == ("country", "DE")
    assert resolve_place(demo, "Berlin").level == "region"  # the region named after its city wins
    assert resolve_place(NORTHWIND, "mumbai").parent == "Maharashtra"
    with pytest.raises(UnknownPlace, match="'Bavaria' is not one of this shop's places: its countries are "
                                           "United States, .*; its regions New York, "):
        resolve_place(NORTHWIND, "Bavaria")


def test_everywhere_means_no_place() -> None:
    assert ForecastDemandArgs(place="all").place is None
    assert TopItemsArgs(place="everywhere").place is None


def test_the_tools_offer_each_shops_own_places_and_categories() -> None:
    shop = build_registry(None, profile=NORTHWIND)
    (top,) = [s for s in shop.schemas("operator") if s["function"]["name"] == "top_items"]
    place = top["function"]["parameters"]["properties"]["place"]["anyOf"][0]
    assert place["x-grammar-enum"] == ["United States", "India", "Australia", "New York", "Oregon",
                                       "Maharashtra", "Western Australia", "Brooklyn", "Mumbai", "Perth",
                                       "Portland"]
    demo = build_registry(None, profile=demo_profile())
    (search,) = [s for s in demo.schemas("customer") if s["function"]["name"] == "search_products"]
    category = search["function"]["parameters"]["properties"]["category"]["anyOf"][0]
    assert category["enum"][:2] == ["Shoes", "Boots"]
    with pytest.raises(ValueError, match="pass the shop's profile to build_registry"):
        build_registry(None).schemas("operator")


def test_every_spike_metric_the_tool_offers_is_one_the_engine_can_test() -> None:
    from typing import get_args

    from tools.query.spec import COUNT_METRICS

    offered = get_args(FindSpikesArgs.model_fields["metric"].annotation)
    assert offered and set(offered) <= set(COUNT_METRICS)


def test_a_shop_without_categories_shows_a_category_string_and_its_grammar_takes_none() -> None:
    """An empty enum is a schema no value fits (the grammar compiler rejects it); a free string let the model
    write places and "all" as categories, and every such call failed."""
    from agent.llm.tool_schema import grammar_schema, prompt_tools

    shop = build_registry(None, profile=NORTHWIND)  # Northwind's profile names no categories
    (search,) = [s for s in shop.schemas("customer") if s["function"]["name"] == "search_products"]
    shown = prompt_tools([search])[0]["function"]["parameters"]["properties"]["category"]
    assert shown["anyOf"][0] == {"type": "string"}
    assert grammar_schema(search["function"]["parameters"])["properties"]["category"]["anyOf"] == [
        {"type": "null"}]


def test_a_customers_orders_lead_with_those_on_their_way(each_shop, embedder, tmp_path) -> None:
    """The open orders (placed or shipped) come first, with their delivery estimates; a list of closed
    orders says none of them is on its way."""
    store, _ = each_shop
    tools = build_registry(ShopEngines(
        store=store, embedder=embedder, anomaly_dir=tmp_path / "anomaly",
        open_knowledge_base=lambda: pytest.fail("not used"),
        open_recommender=lambda: pytest.fail("not used")))
    users = store.connect().execute(
        "SELECT user_id, bool_or(status IN ('placed', 'shipped')) AS open FROM "
        "(SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY placed_at DESC) AS n FROM orders) "
        "WHERE n <= 10 GROUP BY 1 ORDER BY count(*) DESC, 1").fetchdf()
    for user, is_open in ((users[users.open].user_id.iloc[0], True),
                          (users[~users.open].user_id.iloc[0], False)):
        out = tools.call("my_orders", {}, Session("customer", user))
        head, rest = out.summary.split(". ", 1)
        listed = [r for r in out.frame.itertuples() if r.status in ("placed", "shipped")]
        assert bool(listed) == is_open
        if is_open:
            assert head.startswith("On their way: ") and all(r.order_id in head for r in listed)
            assert all(r.order_id not in head for r in out.frame.itertuples() if r not in listed)
        else:
            assert head == "No orders on their way"
        assert rest.startswith(f"{len(out.frame)} order(s), newest first: {out.frame.order_id.iloc[0]} ")
        german = customer_answer(out, "de")  # the same orders, said in German
        assert german.startswith("Auf dem Weg zu Ihnen: " if is_open else "Keine Bestellungen auf dem Weg.")
        assert all(order_id in german for order_id in out.frame.order_id)
        amount = out.frame.amount.iloc[0]
        assert f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") in german
    filtered = tools.call("my_orders", {"status": "delivered"}, Session("customer", users.user_id.iloc[0]))
    assert not filtered.summary.startswith("On their way")  # a filtered list is what was asked for
