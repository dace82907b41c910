"""Fixtures of the event tests: a generated shop's data as frames, on the demo shop and the second shop."""

from __future__ import annotations

import pandas as pd
import pytest

from tools.events.profile import ShopProfile
from tools.events.schema import GroundTruth
from tools.events.store import EventStore


def _frames(store: EventStore, truth: GroundTruth) -> tuple:
    con = store.connect()
    purchases = con.execute(
        "SELECT event_time, user_id, product_id, quantity, price, currency, region, lat, lon, device_id, "
        "order_id FROM events WHERE event_type = 'purchase'"
    ).df()
    orders = con.execute("SELECT * FROM orders").df()
    users = con.execute("SELECT * FROM users").df()
    return store, truth, con, purchases, orders, users


@pytest.fixture(scope="module")
def shop(each_shop):
    """(store, truth, connection, purchase events, orders, users) of the demo shop, then the second shop."""
    return _frames(*each_shop)


@pytest.fixture(scope="module")
def demo(demo_shop):
    """The same frames of the demo shop alone, for tests of what only the demo has."""
    return _frames(*demo_shop)


def local_time(times: pd.Series, region: str, profile: ShopProfile) -> pd.Series:
    """UTC times as the region's local time."""
    return times.dt.tz_convert(profile.place(region, "region").tz)


def local_dates(frame: pd.DataFrame, profile: ShopProfile, column: str = "event_time") -> pd.Series:
    """Each row's `column` (UTC) as a date on its region's local calendar."""
    dates = pd.Series(index=frame.index, dtype=object)
    for region, group in frame.groupby("region"):
        dates[group.index] = local_time(group[column], region, profile).dt.date
    return dates
