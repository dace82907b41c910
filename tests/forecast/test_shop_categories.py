"""A shop's categories are its own: a shop whose export names "Turystyka" or "Grocery" forecasts them, and a
category it does not sell is refused with its own list, not the demo's. Two ingested shops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tools.events.ingest import ingest_file
from tools.events.mapping import ColumnMapping
from tools.events.store import EventStore
from tools.forecast.errors import UnknownCategory
from tools.forecast.grain import get_frequency
from tools.forecast.scope import resolve_scope
from tools.forecast.series import load_series

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
