"""Local time: each event is read on its own region's wall clock, across zones and across a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.query.synthetic import events_at, store_with
from tools.query import QuerySpec, Spike, run_query
from tools.query.localtime import offset_intervals

# Friday 2026-03-27 is before the EU/UK clock change (Sunday 2026-03-29 01:00 UTC), Friday 2026-04-03 after.
# Berlin: UTC+1 then UTC+2. London: UTC+0 then UTC+1. Canary Islands: UTC+0 then UTC+1 (an hour behind
# Madrid).
INSTANTS = {
    "a": datetime(2026, 3, 27, 19, 30, tzinfo=UTC),  # Berlin 20:30 Fri | London/Canary 19:30 Fri
    "b": datetime(2026, 3, 27, 23, 30, tzinfo=UTC),  # Berlin 00:30 Sat | London/Canary 23:30 Fri
    "c": datetime(2026, 4, 3, 18, 30, tzinfo=UTC),  # Berlin 20:30 Fri | London/Canary 19:30 Fri
    "d": datetime(2026, 4, 3, 19, 30, tzinfo=UTC),  # Berlin 21:30 Fri | London/Canary 20:30 Fri
    "e": datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # Berlin 01:59 Sun | London/Canary 00:59 Sun
    # Berlin 03:00 Sun | London/Canary 02:00 Sun (clocks jumped)
    "f": datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
}
PLACES = {"Bavaria": "DE", "Greater London": "GB", "Canary Islands": "ES"}


@pytest.fixture(scope="module")
def clock_store(tmp_path_factory):
    rows = []
    for name, instant in INSTANTS.items():
        for region, country in PLACES.items():
            rows.append({
                "event_time": instant, "event_type": "purchase", "user_id": "u", "session_id": f"s-{name}",
                "order_id": f"{name}-{region}", "region": region, "country": country, "price": 10.0,
                "quantity": 1, "currency": "EUR",
            })
    # A region outside the registry is read in its country's zone; no region and no country reads as UTC.
    rows.append({"event_time": INSTANTS["a"], "event_type": "purchase", "user_id": "u", "order_id": "x1",
                 "region": "Atlantis", "country": "DE"})
    rows.append({"event_time": INSTANTS["a"], "event_type": "purchase", "user_id": "u", "order_id": "x2"})
    return store_with(tmp_path_factory.mktemp("clock") / "store", events_at(rows))


def _hours(store, region: str) -> list[tuple[str, int]]:
    spec = QuerySpec(metric="orders", group_by=["day", "hour_of_day", "day_of_week"],
                     filters={"regions": [region]})
    frame = run_query(store, spec).frame
    return sorted((f"{d} {w}", h)
                  for d, w, h in zip(frame["day"], frame["day_of_week"], frame["hour_of_day"]))


def test_berlin_events_are_read_at_utc_plus_one_before_and_plus_two_after_the_clock_change(clock_store):
    assert _hours(clock_store, "Bavaria") == [
        ("2026-03-27 Friday", 20),
        ("2026-03-28 Saturday", 0),  # 23:30 UTC on Friday is already Saturday in Berlin
        ("2026-03-29 Sunday", 1),
        ("2026-03-29 Sunday", 3),  # one UTC minute later the wall clock skips 02:00-03:00
        ("2026-04-03 Friday", 20),
        ("2026-04-03 Friday", 21),
    ]


@pytest.mark.parametrize("region", ["Greater London", "Canary Islands"])
def test_london_and_canary_events_are_read_an_hour_behind_the_continent(clock_store, region):
    assert _hours(clock_store, region) == [
        ("2026-03-27 Friday", 19),
        ("2026-03-27 Friday", 23),
        ("2026-03-29 Sunday", 0),
        ("2026-03-29 Sunday", 2),
        ("2026-04-03 Friday", 19),
        ("2026-04-03 Friday", 20),
    ]


def test_friday_night_window_counts_each_region_on_its_own_clock(clock_store):
    spec = QuerySpec(
        metric="orders", group_by=["region"],
        comparison=Spike(days_of_week=["friday"], hour_from=20, hour_to=24, min_support=1),
        order_by="region", order="asc",
    )
    frame = run_query(clock_store, spec).frame.set_index("region")
    # Berlin: a (20:30) c (20:30) d (21:30); London and Canary: b (23:30) d (20:30).
    assert frame.loc["Bavaria", "window_count"] == 3
    assert frame.loc["Greater London", "window_count"] == 2
    assert frame.loc["Canary Islands", "window_count"] == 2
    # Atlantis (unknown region, country DE) is read on Berlin time: "a" is 20:30 there.
    assert frame.loc["Atlantis", "window_count"] == 1


def test_event_without_region_or_country_is_read_in_utc(clock_store):
    spec = QuerySpec(metric="orders", group_by=["region", "hour_of_day"],
                     filters={"hour_from": 19, "hour_to": 20})
    frame = run_query(clock_store, spec).frame
    unknown = frame[frame["region"].isna()]
    assert unknown["hour_of_day"].tolist() == [19]
    assert unknown["orders"].tolist() == [1]


def test_offset_intervals_find_the_exact_second_of_the_clock_change():
    berlin = offset_intervals("Europe/Berlin", date(2026, 3, 1), date(2026, 4, 30))
    change = int(datetime(2026, 3, 29, 1, 0, tzinfo=UTC).timestamp())
    assert berlin[0][1] == 60
    assert berlin[1] == (change, 120)
    assert len(berlin) == 2
    canary = offset_intervals("Atlantic/Canary", date(2026, 10, 1), date(2026, 11, 30))
    autumn = int(datetime(2026, 10, 25, 1, 0, tzinfo=UTC).timestamp())
    assert [offset for _, offset in canary] == [60, 0]
    assert canary[1][0] == autumn
