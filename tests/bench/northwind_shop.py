"""A small Northwind store with known answers, for the independent set's checks (built as tests/query does).

Four cities on their own clocks, revenue from USD, INR (fixed rate) and AUD (dated rate); Portland sells most,
Brooklyn's orders jump 5x on Friday 20-24 local time, Perth triples and Mumbai falls to a third in the last
7 days. Customer U000001 has three orders (the latest shipped), U000002 one, U000003 none.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa

from tests.query.synthetic import events_at
from tests.shops import NORTHWIND
from tools.events.schema import ORDERS, PRODUCTS
from tools.events.store import EventStore

START = datetime(2026, 4, 6, tzinfo=UTC)
DAYS = 35
LAST_DAY = (START + timedelta(days=DAYS - 1)).date()  # 2026-05-10, the store's "today"
# (country, region, city, currency, orders per hour, price range in that currency)
CITIES = [
    ("US", "Oregon", "Portland", "USD", 3.0, (20, 60)),
    ("US", "New York", "Brooklyn", "USD", 1.5, (20, 60)),
    ("IN", "Maharashtra", "Mumbai", "INR", 1.5, (2000, 5000)),
    ("AU", "Western Australia", "Perth", "AUD", 1.0, (40, 90)),
]
PRODUCTS_ROWS = [
    ("P0001", "Trailhead Rain Shell", "Jackets", 120.0, 30),
    ("P0002", "Summit Daypack 22L", "Packs", 80.0, 12),
    ("P0003", "Ridge Headlamp", "Lighting", 35.0, 50),
    ("P0004", "Canyon Trail Runner", "Footwear", 110.0, 8),
    ("P0005", "Harbor Fleece", "Jackets", 60.0, 20),
    ("P0006", "Basin Camp Mug", "Camp Kitchen", 15.0, 100),
]
CUSTOMER = "U000001"
OTHER_CUSTOMER = "U000002"
NO_ORDERS = "U000003"


def _rate(city: str, local: datetime) -> float:
    _, _, _, _, rate, _ = next(c for c in CITIES if c[2] == city)
    if city == "Brooklyn" and local.weekday() == 4 and local.hour >= 20:
        rate *= 5
    recent = local.date() > LAST_DAY - timedelta(days=7)
    if recent and city == "Perth":
        rate *= 3
    if recent and city == "Mumbai":
        rate /= 3
    return rate


def northwind_events(seed: int = 5) -> list[dict]:
    """Purchase and view events, one Poisson draw per local hour and city."""
    rng = np.random.default_rng(seed)
    rows, order = [], 0
    for country, region, city, currency, _, (low, high) in CITIES:
        zone = ZoneInfo(NORTHWIND.place(city, "city").tz)
        local_start = START.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        for hour in range(DAYS * 24):
            local = local_start + timedelta(hours=hour)
            if local.date() > LAST_DAY:
                break
            for _ in range(rng.poisson(_rate(city, local))):
                order += 1
                moment = (local + timedelta(minutes=int(rng.integers(0, 60)))).astimezone(UTC)
                product = PRODUCTS_ROWS[int(rng.integers(0, len(PRODUCTS_ROWS)))][0]
                user = f"U{int(rng.integers(10, 400)):06d}"
                session = f"S{order:07d}"
                common = {"event_time": moment, "user_id": user, "session_id": session, "product_id": product,
                          "country": country, "region": region, "city": city}
                rows.append({**common, "event_type": "view", "event_time": moment - timedelta(minutes=3)})
                rows.append({**common, "event_type": "purchase", "order_id": f"O{order:07d}",
                             "quantity": int(rng.integers(1, 3)), "currency": currency,
                             "price": round(float(rng.uniform(low, high)), 2)})
    return rows


def _orders() -> pa.Table:
    def at(day: str) -> datetime:
        return datetime.fromisoformat(day).replace(tzinfo=UTC)

    def items(product: str, quantity: int) -> str:
        _, name, _, price, _ = next(p for p in PRODUCTS_ROWS if p[0] == product)
        return json.dumps([{"product_id": product, "name": name, "quantity": quantity, "price": price}])

    rows = [
        ("O9000001", CUSTOMER, items("P0002", 1), 80.0, "USD", "cancelled", at("2026-04-10T10:00"), None),
        ("O9000002", CUSTOMER, items("P0003", 2), 70.0, "USD", "delivered", at("2026-04-20T09:30"),
         date(2026, 4, 24)),
        ("O9000003", CUSTOMER, items("P0001", 1), 1234.5, "USD", "shipped", at("2026-05-08T18:00"),
         date(2026, 5, 13)),
        ("O9000004", OTHER_CUSTOMER, items("P0002", 1), 80.0, "USD", "delivered", at("2026-05-01T12:00"),
         date(2026, 5, 5)),
    ]
    names = ["order_id", "user_id", "items", "amount", "currency", "status", "placed_at", "delivery_estimate"]
    records = [dict(zip(names, row)) | {"shipping_city": "Portland"} for row in rows]
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in ORDERS} for r in records], schema=ORDERS)


def _products() -> pa.Table:
    records = [{"product_id": p, "name": n, "category": c, "price": price, "currency": "USD", "stock": stock}
               for p, n, c, price, stock in PRODUCTS_ROWS]
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in PRODUCTS} for r in records], schema=PRODUCTS)


def build_northwind_store(root: Path) -> tuple[EventStore, pd.DataFrame]:
    """The store at `root` with the Northwind profile, its events, orders and products; and the events."""
    rows = northwind_events()
    store = EventStore(root)
    store.save_profile(NORTHWIND)
    with store.transaction() as tx:
        store.write_events_partitioned(tx, events_at(rows))
    store.write_table("orders", _orders())
    store.write_table("products", _products())
    return store, pd.DataFrame(rows)
