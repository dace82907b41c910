"""Fixtures of the event tests: the demo shop's data as frames, shared by the demo-shop tests."""

from __future__ import annotations

import pandas as pd
import pytest

from tools.events.regions import get_region


@pytest.fixture(scope="module")
def shop(demo_shop):
    """(store, truth, connection, purchase events, orders, users) of the session's demo shop."""
    store, truth = demo_shop
    con = store.connect()
    purchases = con.execute(
        "SELECT event_time, user_id, product_id, quantity, price, region, lat, lon, device_id, order_id "
        "FROM events WHERE event_type = 'purchase'"
    ).df()
    orders = con.execute("SELECT * FROM orders").df()
    users = con.execute("SELECT * FROM users").df()
    return store, truth, con, purchases, orders, users


def local_time(times: pd.Series, region: str) -> pd.Series:
    """UTC times as the region's local time."""
    return times.dt.tz_convert(get_region(region).tz)
