"""A shop made from one export (no products table, no profile list): its categories and product ids are its
own. "Turystyka" or "Grocery" are forecast, a category it does not sell is refused with its own list, not
the demo's; its product ids (named only in its events) get reorder advice through the agent's tool, and an
unknown one is refused with one of its own ids as the example. Two ingested shops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tools.agent_tools import ShopEngines, build_registry
from tools.errors import EngineInputError
from tools.events.ingest import ingest_file
from tools.events.mapping import ColumnMapping
from tools.events.store import EventStore
from tools.forecast.errors import UnknownCategory
from tools.forecast.grain import get_frequency
from tools.forecast.scope import resolve_scope
from tools.forecast.series import load_series
from tools.registry import Session

SHOPS = {  # country, city, currency, categories with a unit count per day
    "pl": ("PL", "Kraków", "PLN", {"Turystyka": 3, "Kuchnia": 1}),
    "in": ("IN", "Pune", "INR", {"Grocery": 5, "Mobiles": 2}),
}


@pytest.fixture(params=sorted(SHOPS))
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[EventStore, dict[str, int]]:
    """A store made from one export whose events carry the category (no products table, no profile list)."""
    country, city, currency, categories = SHOPS[request.param]
    start = datetime(2024, 3, 1, 9, tzinfo=UTC)
    lines = ["when,who,order,sku,cat,qty,price,city,country"]
    for day in range(30):
        for n, (category, units) in enumerate(categories.items()):
            at = (start + timedelta(days=day, minutes=n)).isoformat()
            lines.append(f"{at},u{day},o{day}-{n},S{n},{category},{units},10,{city},{country}")
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = EventStore(tmp_path / "store")
    ingest_file(store, path, ColumnMapping.from_flags(
        ["event_time=when", "user_id=who", "order_id=order", "product_id=sku", "category=cat", "quantity=qty",
         "price=price", "city=city", "country=country"], ["event_type=purchase"], [f"currency={currency}"]))
    return store, categories


def test_a_category_the_export_names_is_forecast_in_any_case(shop) -> None:
    store, categories = shop
    con, profile = store.connect(), store.profile()
    for category, units in categories.items():
        scope = resolve_scope(con, profile, category=category.upper())
        assert scope.category == category
        history = load_series(con, scope, get_frequency("D"), profile).history
        assert set(history["y"].iloc[1:-1]) == {float(units)}  # every whole day, that category's units


def test_a_category_the_shop_does_not_sell_is_refused_with_its_own(shop) -> None:
    store, categories = shop
    with pytest.raises(UnknownCategory) as refused:
        resolve_scope(store.connect(), store.profile(), category="Shoes")  # the demo's, not this shop's
    own = ", ".join(sorted(categories))
    assert str(refused.value) == f"Unknown category 'Shoes'. Valid categories: {own}."


def test_a_product_the_events_name_gets_reorder_advice_and_an_unknown_one_the_shop_s_own_example(
    shop, embedder, tmp_path: Path
) -> None:
    store, _ = shop
    engines = ShopEngines(store=store, embedder=embedder, anomaly_dir=tmp_path / "anomaly",
                          open_knowledge_base=lambda: pytest.fail("not used"),
                          open_recommender=lambda: pytest.fail("not used"))
    registry = build_registry(engines)
    operator = Session("operator", None)
    out = registry.call("reorder_advice", {"product": "s0", "stock_on_hand": 12, "lead_time_days": 7},
                        operator)
    assert "S0" in out.summary and "reorder" in out.summary.lower()
    with pytest.raises(EngineInputError, match="No product matches 'P0042'. Use a product id such as 'S0'"):
        registry.call("reorder_advice", {"product": "P0042", "stock_on_hand": 12}, operator)


def test_a_product_id_only_the_events_name_is_held_by_the_forecasts_grammar(shop) -> None:
    """"Prognose für S1 die nächsten 3 Wochen" on a shop without a products table: the id is the product."""
    from agent.llm.mentions import Mentions
    from agent.llm.turn_values import narrowed_tools
    from tools.agent_tools import TOOLS
    from tools.agent_tools.engines import shop_products
    from tools.agent_tools.fields import shop_aliases, shop_sets
    from tools.events.categories import shop_categories
    from tools.registry import ToolRegistry

    store, _ = shop
    with store.connect() as con:
        categories = shop_categories(con, store.profile())
    products = shop_products(store)
    assert products == (("S0", "S0"), ("S1", "S1"))
    registry = ToolRegistry(list(TOOLS), closed_sets=shop_sets(store.profile(), categories, products),
                            set_aliases=shop_aliases(store.profile(), categories, products))
    question = "Prognose für S1 die nächsten 3 Wochen"
    (tool,) = [t for t in narrowed_tools(registry.schemas("operator"), Mentions(question, "", question, ""))
               if t["function"]["name"] == "forecast_demand"]
    parameters = tool["function"]["parameters"]
    allowed = [name for option in parameters["properties"]["product"].get("anyOf", [])
               for name in option.get("x-grammar-enum", [])]
    assert allowed == ["S1"] and "product" in parameters["required"]
