"""The query engine on a shop that is not the demo: US, Indian and Australian places with their own zones
(a half-hour one among them), revenue in USD from three currencies with fixed and dated rates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from tests.query.synthetic import events_at
from tests.shops import NORTHWIND as PROFILE
from tools.events.store import EventStore
from tools.query import run_query

# (country, region, city, currency, events per hour on ordinary hours)
PLACES = [
    ("US", "New York", "Brooklyn", "USD", 3),
    ("US", "Oregon", "Portland", "USD", 3),
    ("IN", "Maharashtra", "Mumbai", "INR", 3),
    ("AU", "Western Australia", "Perth", "AUD", 3),
]
FRIDAY_BUSY = {"Brooklyn", "Mumbai"}  # 4x orders on Friday 20:00-24:00 local, nowhere else
START = datetime(2026, 4, 6, tzinfo=UTC)  # four weeks, across the change of the AUD rate on 1 May
WEEKS = 4


def _events() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = []
    order = 0
    for country, region, city, currency, rate in PLACES:
        zone = ZoneInfo(PROFILE.place(city, "city").tz)
        local_start = START.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        for hour in range(WEEKS * 7 * 24):
            local = local_start + timedelta(hours=hour)
            busy = city in FRIDAY_BUSY and local.weekday() == 4 and local.hour >= 20
            for _ in range(rng.poisson(rate * (4 if busy else 1))):
                order += 1
                moment = (local + timedelta(minutes=int(rng.integers(0, 60)))).astimezone(UTC)
                rows.append({
                    "event_time": moment, "event_type": "purchase", "user_id": f"u{rng.integers(0, 300)}",
                    "order_id": f"o{order}", "product_id": "p1", "quantity": int(rng.integers(1, 3)),
                    "price": round(float(rng.uniform(5, 90)), 2), "currency": currency, "country": country,
                    "region": region, "city": city,
                })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> tuple[EventStore, pd.DataFrame]:
    frame = _events()
    store = EventStore(tmp_path_factory.mktemp("northwind") / "store")
    store.save_profile(PROFILE)
    with store.transaction() as tx:
        store.write_events_partitioned(tx, events_at(frame.to_dict("records")))
    return store, frame


def test_friday_night_is_read_on_each_places_own_clock(shop) -> None:
    store, _ = shop
    result = run_query(store, {"metric": "orders", "group_by": ["city"],
                               "comparison": {"kind": "spike", "days_of_week": ["friday"], "hour_from": 20,
                                              "hour_to": 24, "min_support": 5}})
    top = list(result.frame["city"].head(2))
    assert sorted(top) == sorted(FRIDAY_BUSY), result.frame
    assert result.frame.set_index("city").loc[list(FRIDAY_BUSY), "lift"].min() > 2.5
    assert result.frame.set_index("city").loc[["Portland", "Perth"], "lift"].max() < 1.6


def test_revenue_is_in_the_shops_currency_and_matches_pandas_to_the_cent(shop) -> None:
    store, frame = shop
    result = run_query(store, {"metric": "revenue", "group_by": ["country"]})

    def usd(row: pd.Series) -> float:
        day = row["event_time"].date()
        rate = {"USD": 1.0, "INR": 0.012, "AUD": 0.70 if day >= date(2026, 5, 1) else 0.64}[row["currency"]]
        return row["price"] * row["quantity"] * rate

    expected = frame.assign(usd=frame.apply(usd, axis=1)).groupby("country")["usd"].sum().round(2)
    got = result.frame.set_index("country")["revenue"].round(2)
    assert got.to_dict() == expected.to_dict()
    assert "Revenue (USD) by country" in result.summary()


def test_each_level_of_place_filters_and_groups(shop) -> None:
    store, frame = shop
    by_region = run_query(store, {"metric": "orders", "group_by": ["region"],
                                  "filters": {"countries": ["India", "australia"]}}).frame
    assert set(by_region["region"]) == {"Maharashtra", "Western Australia"}
    one_city = run_query(store, {"metric": "orders", "filters": {"cities": ["mumbai"]}}).frame
    assert int(one_city["orders"].iloc[0]) == int((frame["city"] == "Mumbai").sum())
