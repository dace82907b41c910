"""Engine behaviour: ordering and top-k, relative periods, row cap, timeout, safety, freshness, summaries,
charts."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta

import ibis
import pandas as pd
import pytest

from tests.query.synthetic import START, events_at, store_with, synthetic_events
from tools.query import QueryTimeout, resolve_period, run_query
from tools.query.backends import query_cache


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return store_with(tmp_path_factory.mktemp("engine") / "store", synthetic_events(n=1_500, seed=5))


def test_top_k_keeps_the_largest_groups_in_order(store):
    full = run_query(store, {"metric": "orders", "group_by": ["region"]}).frame
    top = run_query(store, {"metric": "orders", "group_by": ["region"], "top_k": 2}).frame
    assert top["orders"].tolist() == sorted(full["orders"], reverse=True)[:2]
    bottom = run_query(store, {"metric": "orders", "group_by": ["region"], "top_k": 1, "order": "asc"}).frame
    assert bottom["orders"].tolist() == [full["orders"].min()]


def test_a_breakdown_over_time_comes_out_in_time_order(store):
    frame = run_query(store, {"metric": "events", "group_by": ["day"]}).frame
    assert frame["day"].tolist() == sorted(frame["day"])
    assert frame["day"].iloc[0] >= START.date()


def test_relative_periods_count_back_from_the_latest_event(store):
    result = run_query(store, {"metric": "events", "group_by": ["day"], "filters": {"period": "last_7_days"}})
    last = result.plan.as_of.date()
    assert result.plan.current == (last - timedelta(days=6), last)
    assert result.frame["day"].min() >= last - timedelta(days=6)


def test_as_of_moves_now_back_and_hides_later_events(store):
    as_of = datetime(2026, 3, 20, 12, tzinfo=UTC)
    result = run_query(store, {"metric": "events", "group_by": ["day"], "as_of": as_of.isoformat(),
                               "filters": {"period": "this_week"}})
    assert result.plan.current == (date(2026, 3, 16), date(2026, 3, 20))
    assert result.frame["day"].max() <= date(2026, 3, 20)


def test_resolve_period_calendar_ranges():
    wednesday = date(2026, 4, 15)
    assert resolve_period("this_week", wednesday) == (date(2026, 4, 13), wednesday)
    assert resolve_period("last_week", wednesday) == (date(2026, 4, 6), date(2026, 4, 12))
    assert resolve_period("last_month", wednesday) == (date(2026, 3, 1), date(2026, 3, 31))
    assert resolve_period("last_30_days", wednesday) == (date(2026, 3, 17), wednesday)
    assert resolve_period("march", wednesday) == (date(2026, 3, 1), date(2026, 3, 31))
    assert resolve_period("april", wednesday) == (date(2026, 4, 1), wednesday)  # so far
    assert resolve_period("december", wednesday) == (date(2025, 12, 1), date(2025, 12, 31))  # the latest
    assert resolve_period("february", date(2028, 3, 1)) == (date(2028, 2, 1), date(2028, 2, 29))


def test_rows_beyond_the_cap_are_cut_and_flagged(store, monkeypatch):
    monkeypatch.setattr("tools.query.compile.MAX_ROWS", 5)
    monkeypatch.setattr("tools.query.run.MAX_ROWS", 5)
    result = run_query(store, {"metric": "events", "group_by": ["day", "region"]})
    assert len(result.frame) == 5
    assert result.truncated
    assert "+)" in result.summary()


def test_a_query_past_its_time_limit_is_cancelled(store, monkeypatch):
    def endless(events, spec, plan):  # a four-way self join: far more rows than the limit allows
        joined = events.select(a=events.price)
        for name in "bcd":
            joined = joined.cross_join(events.select(**{name: events.price}))
        return joined.aggregate(n=joined.count())

    monkeypatch.setattr("tools.query.run.compile_query", endless)
    # keep the endless SQL out of the shared cache
    monkeypatch.setattr("tools.query.run._compiled", OrderedDict())
    with pytest.raises(QueryTimeout, match="ran past 0.5 s"):
        run_query(store, {"metric": "events"}, timeout_s=0.5)
    monkeypatch.undo()
    assert run_query(store, {"metric": "orders"}).frame["orders"].iloc[0] > 0  # the connection still works


def test_filter_values_cannot_inject_sql(store):
    hostile = "p1'); DROP TABLE events; --"
    result = run_query(store, {"metric": "orders", "filters": {"products": [hostile], "devices": [hostile]}})
    assert result.frame["orders"].tolist() == [0]
    assert "DROP TABLE events; --'" in result.sql()  # it is inside a quoted literal
    assert run_query(store, {"metric": "orders"}).frame["orders"].iloc[0] > 0


def test_appended_and_compacted_events_are_seen_by_the_cache(tmp_path):
    shop = store_with(tmp_path / "store", synthetic_events(n=300, seed=2))
    before = run_query(shop, {"metric": "events"}).frame["events"].iloc[0]
    extra = events_at([{"event_time": START + timedelta(days=3), "event_type": "view", "user_id": "u1",
                        "region": "Bavaria", "country": "DE"}] * 7)
    shop.append_events(extra)
    assert run_query(shop, {"metric": "events"}).frame["events"].iloc[0] == before + 7
    shop.compact()
    assert run_query(shop, {"metric": "events"}).frame["events"].iloc[0] == before + 7
    assert run_query(shop, {"metric": "events"}, cache=False).frame["events"].iloc[0] == before + 7
    assert query_cache(shop).sync().files_added == 0  # nothing left to do


def test_any_ibis_backend_with_an_events_table_gives_the_same_answer(store):
    spec = {"metric": "revenue", "group_by": ["country"], "filters": {"period": "last_30_days"}}
    own = ibis.duckdb.from_connection(store.connect())
    elsewhere = run_query(None, spec, backend=own, profile=store.profile()).frame
    pd.testing.assert_frame_equal(elsewhere, run_query(store, spec).frame)


def test_spike_summary_names_the_group_its_lift_z_and_count(store):
    result = run_query(store, {"metric": "orders", "group_by": ["region"],
                               "filters": {"countries": ["DE", "GB", "ES"]},
                               "comparison": {"kind": "spike", "min_support": 1}})
    top = result.frame.iloc[0]
    summary = result.summary()
    assert summary.startswith(f"{top['region']}: Friday-night orders {top['lift']:.1f}x its baseline "
                              f"(z={top['z']:.1f}, {top['window_count']:,} orders)")
    assert result.frame["lift"].is_monotonic_decreasing
    assert " regions have >= 1 window orders" in summary
    by_city = run_query(store, {"metric": "orders", "group_by": ["city"],
                                "comparison": {"kind": "spike", "min_support": 1}}).summary()
    assert " cities have >= 1 window orders" in by_city  # not "citys"


def test_period_over_period_summary_shows_both_periods(store):
    result = run_query(store, {"metric": "orders", "group_by": ["country"],
                               "comparison": {"kind": "period_over_period", "shift": "week"}})
    (cur_start, cur_end), (prev_start, prev_end) = result.plan.current, result.plan.previous
    assert cur_start - prev_start == timedelta(days=7)
    assert f"{cur_start} to {cur_end} vs {prev_start} to {prev_end}" in result.summary()
    row = result.frame.iloc[0]
    assert row["change"] == row["current"] - row["previous"]


def test_share_of_total_adds_up_to_one(store):
    frame = run_query(store, {"metric": "revenue", "group_by": ["category"],
                              "comparison": {"kind": "share_of_total"}}).frame
    assert frame["share"].sum() == pytest.approx(1.0)


def test_charts_follow_the_group_by(store):
    heat = run_query(store, {"metric": "orders", "group_by": ["day_of_week", "hour_of_day"]}).chart()
    assert heat.kind == "heatmap" and heat.x == "hour_of_day" and heat.y == "day_of_week"
    assert {row["day_of_week"] for row in heat.data} <= {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                         "Friday", "Saturday", "Sunday"}
    by_region = run_query(store, {"metric": "orders", "group_by": ["region"]})
    assert by_region.chart().kind == "bar"
    points = by_region.chart("map")
    bavaria = next(p for p in points.data if p["label"] == "Bavaria")
    assert (bavaria["lat"], bavaria["lon"]) == (48.95, 11.40)
    assert all(p["label"] != "Atlantis" for p in points.data)  # no coordinates, no point
    assert run_query(store, {"metric": "orders", "group_by": ["week"]}).chart().kind == "series"
    assert run_query(store, {"metric": "orders"}).chart() is None


def test_products_are_named_from_the_catalogue_and_by_id_without_one(tmp_path):
    """A ranking by product names each product from the catalogue; a store with events only (an ingested
    export without a products table, or names missing) still names the ids."""
    import pyarrow as pa

    bare = store_with(tmp_path / "bare", synthetic_events(n=600, seed=2))
    ranked = run_query(bare, {"metric": "units", "group_by": ["product"], "top_k": 2})
    assert "product_name" not in ranked.frame.columns
    assert ranked.frame["product"].iloc[0] in ranked.summary()
    named = store_with(tmp_path / "named", synthetic_events(n=600, seed=2))
    named.write_table("products", pa.table({"product_id": ["p1", "p2"], "name": ["Trail Mug", None]}))
    frame = run_query(named, {"metric": "units", "group_by": ["product"]}).frame
    summary = run_query(named, {"metric": "units", "group_by": ["product"], "top_k": 5}).summary()
    assert frame.set_index("product").loc["p1", "product_name"] == "Trail Mug"
    shown = frame.head(5)
    assert ("Trail Mug (p1)" in summary) == ("p1" in set(shown["product"]))
    assert all(p in summary for p in shown["product"]) and "(p2)" not in summary
