"""The query engine on a shop that is not the demo: US, Indian and Australian places with their own zones
(a half-hour one among them), revenue in USD from three currencies with fixed and dated rates."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.query.synthetic import events_at
from tests.shops import NORTHWIND as PROFILE
from tests.shops import NORTHWIND_FRIDAY_BUSY as FRIDAY_BUSY
from tests.shops import northwind_events
from tools.events.store import EventStore
from tools.query import run_query


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> tuple[EventStore, pd.DataFrame]:
    frame = northwind_events()
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
