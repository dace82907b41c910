"""Shops other than the demo, for tests that must not pass on the demo's facts alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from tools.events.profile import DatedRate, Place, ShopProfile

# A US outfitter selling in the US, India and Australia: USD, several zones per country (and a half-hour one),
# a fixed INR rate and a dated AUD table.
NORTHWIND = ShopProfile(
    name="Northwind Outfitters",
    currency="USD",
    rates={"INR": 0.012},
    dated_rates=(DatedRate("AUD", date(2026, 1, 1), 0.64), DatedRate("AUD", date(2026, 5, 1), 0.70)),
    places=(
        Place("country", "United States", "US", "America/New_York", code="US"),
        Place("country", "India", "IN", "Asia/Kolkata", code="IN"),
        Place("country", "Australia", "AU", "Australia/Sydney", code="AU"),
        Place("region", "New York", "US", "America/New_York"),
        Place("region", "Oregon", "US", "America/Los_Angeles"),
        Place("region", "Maharashtra", "IN", "Asia/Kolkata"),
        Place("region", "Western Australia", "AU", "Australia/Perth"),
        Place("city", "Brooklyn", "US", "America/New_York", parent="New York"),
        Place("city", "Portland", "US", "America/Los_Angeles", parent="Oregon"),
        Place("city", "Mumbai", "IN", "Asia/Kolkata", parent="Maharashtra"),
        Place("city", "Perth", "AU", "Australia/Perth", parent="Western Australia"),
    ),
)

# Northwind's places in its events: (country, region, city, currency, purchases per hour on ordinary hours)
NORTHWIND_PLACES = [
    ("US", "New York", "Brooklyn", "USD", 3),
    ("US", "Oregon", "Portland", "USD", 3),
    ("IN", "Maharashtra", "Mumbai", "INR", 3),
    ("AU", "Western Australia", "Perth", "AUD", 3),
]
NORTHWIND_FRIDAY_BUSY = {"Brooklyn", "Mumbai"}  # 4x orders on Friday 20:00-24:00 local, nowhere else
NORTHWIND_START = datetime(2026, 4, 6, tzinfo=UTC)  # four weeks, across the change of the AUD rate on 1 May
NORTHWIND_WEEKS = 4


def northwind_events(seed: int = 11) -> pd.DataFrame:
    """Four weeks of Northwind purchases, one order each, with the Friday-night pattern in local time."""
    rng = np.random.default_rng(seed)
    rows = []
    order = 0
    for country, region, city, currency, rate in NORTHWIND_PLACES:
        zone = ZoneInfo(NORTHWIND.place(city, "city").tz)
        local_start = NORTHWIND_START.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        for hour in range(NORTHWIND_WEEKS * 7 * 24):
            local = local_start + timedelta(hours=hour)
            busy = city in NORTHWIND_FRIDAY_BUSY and local.weekday() == 4 and local.hour >= 20
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
