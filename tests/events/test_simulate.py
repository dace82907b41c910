"""The demo shop: deterministic, schema-true and believable (size, catalogue, sessions, seasons, orders,
reviews).

Measured with DuckDB/pandas on `DemoConfig.small()` (`demo_shop`) and on the second shop (`second_shop`, via
the `shop` fixture; tests taking `demo` check what only the demo has); what the shop
plants is checked in test_simulate_planted.py.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.events.conftest import local_time
from tools.events.schema import ORDER_STATUSES, TABLES
from tools.events.simulate import (
    DemoConfig,
    GroundTruthMissing,
    SettingsError,
    build_demo_shop,
    build_shop,
    load_ground_truth,
)
from tools.events.simulate.calendar import local_clock
from tools.events.simulate.profile import demo_settings
from tools.events.simulate.settings import Area
from tools.events.store import EventStore

TINY = {"n_events": 30_000, "days": 120, "n_products": 240, "end": date(2026, 6, 30)}


def _store_digest(store: EventStore) -> str:
    """A hash of every event and table row (file names and layout aside)."""
    con = store.connect()
    digest = hashlib.sha256()
    for name in ("events", "orders", "products", "reviews", "users"):
        frame = con.execute(f"SELECT * FROM {name}").df()
        frame = frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)
        digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).values.tobytes())
    return digest.hexdigest()


# ------------------------------------------------------------------ determinism, schema, size


def test_same_config_builds_identical_data_and_a_rebuild_replaces_it(tmp_path):
    first, second = EventStore(tmp_path / "a"), EventStore(tmp_path / "b")
    truth = build_demo_shop(first, DemoConfig(**TINY), progress=False)
    again = build_demo_shop(second, DemoConfig(**TINY), progress=False)
    assert truth == again
    assert _store_digest(first) == _store_digest(second)
    # Rebuilding with another seed replaces the whole shop in one transaction.
    other = build_demo_shop(second, DemoConfig(seed=8, **TINY), progress=False)
    assert _store_digest(first) != _store_digest(second)
    assert second.connect().execute("SELECT count(*) FROM events").fetchone()[0] == other.n_events
    assert load_ground_truth(second).seed == 8
    assert len(second.table_files("orders")) == 1
    assert not any((second.root / "staging").iterdir())


def test_a_shop_sells_its_profiles_categories_and_no_others(tmp_path):
    settings = demo_settings()
    sold = ("Shoes", "Boots", "Coffee & Tea", "Headphones", "Garden", "Cycling", "Kitchen Appliances",
            "Smartwatches", "Phone Accessories", "Backpacks")
    small = replace(settings, profile=replace(settings.profile, categories=sold))
    build_shop(EventStore(tmp_path / "small"), small, DemoConfig(**TINY), progress=False)
    con = EventStore(tmp_path / "small").connect()
    assert {r[0] for r in con.execute("SELECT DISTINCT category FROM products").fetchall()} == set(sold)
    assert {r[0] for r in con.execute("SELECT DISTINCT category FROM events WHERE category IS NOT NULL")
            .fetchall()} == set(sold)
    wrong = replace(settings, profile=replace(settings.profile, categories=("Shoes", "Spaceships")))
    with pytest.raises(SettingsError, match="no products for the categories Spaceships"):
        build_shop(EventStore(tmp_path / "wrong"), wrong, DemoConfig(**TINY), progress=False)


def test_missing_manifest_is_a_clear_error(tmp_path):
    with pytest.raises(GroundTruthMissing, match="chronotope data demo"):
        load_ground_truth(EventStore(tmp_path / "empty"))


def test_config_rejects_sizes_too_small_for_the_planted_patterns():
    with pytest.raises(ValueError, match="days must be >= 120"):
        DemoConfig(days=30)
    with pytest.raises(ValueError, match="n_products must be >= 240"):
        DemoConfig(n_products=50)


def test_small_config_is_a_year_to_a_fixed_date():
    config = DemoConfig.small()
    assert (config.end, config.days, config.n_events) == (date(2026, 11, 15), 365, 1_000_000)
    assert config.users == 25_000


def test_every_file_has_the_canonical_schema(shop):
    store = shop[0]
    for path in store.event_files()[:20]:
        assert pq.read_schema(path).remove_metadata() == TABLES["events"]
    for name in ("orders", "products", "reviews", "users"):
        files = store.table_files(name)
        assert len(files) == 1
        assert pq.read_schema(files[0]).remove_metadata() == TABLES[name]


def test_size_catalogue_and_geography_are_a_mid_size_european_shop(demo):
    _, truth, con, purchases, _, users = demo
    assert 900_000 <= truth.n_events <= 1_100_000
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == truth.n_events
    assert len(purchases) >= 20_000
    products = con.execute("SELECT * FROM products").df()
    assert len(products) >= 500 and products["product_id"].is_unique and products["name"].is_unique
    assert products["category"].nunique() >= 20
    assert (products["description"].str.len() > 60).all()
    assert 0 < (products["stock"] == 0).sum() < 0.1 * len(products)
    regions = con.execute("SELECT count(DISTINCT region), count(DISTINCT country) FROM events").fetchone()
    assert regions[0] >= 30 and regions[1] >= 3
    assert users["email"].str.endswith("@example.com").all()
    currencies = con.execute("SELECT country, any_value(currency) FROM events WHERE price IS NOT NULL "
                             "GROUP BY 1").fetchall()
    assert dict(currencies)["GB"] == "GBP" and dict(currencies)["DE"] == "EUR"


def test_sessions_flow_from_view_to_purchase_with_realistic_conversion(shop):
    con = shop[2]
    funnel = con.execute("""
        SELECT count(*) AS sessions, avg(bought) AS conversion, avg(carted) AS carted
        FROM (SELECT session_id, max((event_type = 'purchase')::INT) AS bought,
                     max((event_type = 'cart')::INT) AS carted
              FROM events WHERE session_id IS NOT NULL GROUP BY session_id)
    """).df().iloc[0]
    assert 0.03 <= funnel["conversion"] <= 0.10
    assert funnel["carted"] > funnel["conversion"]
    # a purchase never comes before the view of the same product in its session
    bad = con.execute("""
        SELECT count(*) FROM events p
        WHERE p.event_type = 'purchase' AND p.session_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM events v WHERE v.session_id = p.session_id AND v.event_type = 'view'
              AND v.product_id = p.product_id AND v.event_time <= p.event_time)
    """).fetchone()[0]
    assert bad == 0
    # a user shops from at most two devices of their own (fraud aside)
    devices = con.execute("SELECT user_id, count(DISTINCT device_id) AS n FROM events GROUP BY 1").df()
    assert (devices["n"] <= 2).mean() > 0.999


# ------------------------------------------------------------------ time: seasonality


def test_local_clock_counts_each_regions_own_days_to_the_second():
    zones = ("America/Los_Angeles", "UTC", "Asia/Kolkata", "Australia/Adelaide")  # -8, 0, +5:30, +10:30
    regions = tuple(Area(zone, "XX", zone, 0.0, 0.0, None, ()) for zone in zones)
    start = date(2026, 3, 1)
    clock = local_clock(regions, start, 3)
    start_s = int(pd.Timestamp(start, tz="UTC").timestamp())
    seconds = start_s + np.arange(0, 3 * 86_400, 7 * 60)
    for i, zone in enumerate(zones):
        local = pd.to_datetime(seconds, unit="s", utc=True).tz_convert(zone).tz_localize(None).normalize()
        expected = (local - pd.Timestamp(start)).days.to_numpy()
        assert (clock.local_day(np.full(len(seconds), i), seconds) == expected).all(), zone
        hours = start_s + np.arange(3 * 24) * 3600
        assert (clock.day_index[i] == clock.local_day(np.full(len(hours), i), hours)).all(), zone
        starts = clock.midnight(np.full(3, i), np.arange(3))
        assert (pd.to_datetime(starts, unit="s", utc=True).tz_convert(zone)
                == pd.date_range(start, periods=3, tz=zone)).all(), zone
    # Los Angeles is still on the day before until 08:00 UTC; Adelaide is a day ahead from 13:30 UTC.
    assert (clock.day_index[0, :8] == -1).all() and clock.day_index[0, 8] == 0
    assert clock.day_index[3, 13] == 0 and clock.day_index[3, 14] == 1


def test_weekly_and_daily_seasonality_in_local_time(shop):
    store, con = shop[0], shop[2]
    # the three busiest regions
    sessions = con.execute("""
        SELECT min(event_time) AS t, any_value(region) AS region FROM events
        WHERE session_id IS NOT NULL AND region IN (
            SELECT region FROM events GROUP BY 1 ORDER BY count(*) DESC LIMIT 3) GROUP BY session_id
    """).df()
    assert sessions["region"].nunique() == 3
    for region, group in sessions.groupby("region"):
        local = local_time(group["t"], region, store.profile())
        by_hour = local.dt.hour.value_counts()
        assert by_hour.loc[3] * 5 < by_hour.loc[12]  # nights are quiet, in local time
        by_day = local.dt.dayofweek.value_counts()
        assert by_day.loc[6] > 1.08 * by_day.loc[[0, 1, 2, 3]].mean()  # Sundays are busier than weekdays


def test_christmas_day_is_quiet_and_the_run_up_is_busy(demo):
    con = demo[2]  # only the demo's year has a Christmas
    daily = con.execute("SELECT strftime(event_time, '%m-%d') AS d, count(*) AS n FROM events "
                        "WHERE event_time >= '2025-12-01' AND event_time < '2025-12-31' GROUP BY 1").df()
    daily = daily.set_index("d")["n"]
    early_december = daily.loc[[f"12-{d:02d}" for d in range(1, 8)]].mean()
    run_up = daily.loc[[f"12-{d:02d}" for d in range(15, 22)]].mean()
    assert daily.loc["12-25"] < 0.6 * run_up
    assert run_up > early_december
    assert date(2025, 12, 25) in demo[1].holidays


# ------------------------------------------------------------------ orders and reviews


def test_orders_match_purchase_events(shop):
    _, _, con, purchases, orders, _ = shop
    assert orders["order_id"].is_unique
    assert set(orders["order_id"]) == set(purchases["order_id"])
    assert set(orders["status"]) <= set(ORDER_STATUSES) and orders["status"].nunique() == len(ORDER_STATUSES)
    value = (purchases["quantity"] * purchases["price"]).groupby(purchases["order_id"]).sum()
    merged = orders.set_index("order_id").join(value.rename("value"))
    assert np.allclose(merged["amount"], merged["value"], atol=0.02)
    buyer = purchases.groupby("order_id")["user_id"].first()
    assert (orders.set_index("order_id")["user_id"] == buyer.loc[orders["order_id"]].values).all()
    items = json.loads(orders["items"].iloc[0])
    assert {"product_id", "name", "quantity", "price"} <= set(items[0])
    assert (orders["updated_at"] >= orders["placed_at"]).all()
    assert (orders["delivery_estimate"] > orders["placed_at"].dt.date).all()
    refunds = con.execute("SELECT DISTINCT order_id FROM events WHERE event_type = 'refund'").df()["order_id"]
    assert set(refunds) <= set(orders.loc[orders["status"] == "returned", "order_id"])


def test_the_canary_islands_wait_longer_for_their_parcels(demo):
    orders = demo[4]
    canary = orders[orders["shipping_region"] == "Canary Islands"]
    mainland = orders[orders["shipping_region"] == "Madrid"]
    lead = lambda o: (pd.to_datetime(o["delivery_estimate"])
                      - o["placed_at"].dt.tz_localize(None)).dt.days.mean()
    assert lead(canary) > lead(mainland) + 3


def test_reviews_sentiment_follows_rating(shop):
    con = shop[2]
    reviews = con.execute("SELECT * FROM reviews").df()
    assert len(reviews) >= 1000 and set(reviews["rating"]) == {1, 2, 3, 4, 5}
    assert 3.6 <= reviews["rating"].mean() <= 4.4
    positive = reviews[reviews["rating"] >= 4]["text"].str.contains(
        "happy|great|excellent|love|fast|lovely|value|five|perfect|impress|beautiful|painless|"
        "friendly|solid|worth", case=False).mean()
    negative = reviews[reviews["rating"] <= 2]["text"].str.contains(
        "disappoint|poor|not|never|nightmare|overpriced|late|broke|leak|stopped|faulty|bad|mess|expensive|avoid",
        case=False).mean()
    assert positive > 0.8 and negative > 0.8
    topics = ["deliver", "quality|made|build|sturdy", "price|value|cheap|expensive|offer", "service|support"]
    assert all(reviews["text"].str.contains(t, case=False).mean() > 0.05 for t in topics)
