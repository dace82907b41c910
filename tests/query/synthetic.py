"""Small seeded event sets for the query tests: a few weeks across a DST change, in several time zones."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from tools.events.schema import EVENTS
from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore

# (region, country, city, currency): Berlin and Paris time, London time, Canary time (an hour behind Madrid),
# Madrid time; a region outside the profile (read in its country's zone) and an event with neither (UTC).
PLACES = [
    ("Bavaria", "DE", "Munich", "EUR"),
    ("Ile-de-France", "FR", "Paris", "EUR"),
    ("Greater London", "GB", "London", "GBP"),
    ("Canary Islands", "ES", "Las Palmas", "EUR"),
    ("Madrid", "ES", "Madrid", "EUR"),
    ("Atlantis", "FR", None, None),
    (None, None, None, "EUR"),
]
PLACE_WEIGHTS = [0.22, 0.18, 0.2, 0.15, 0.15, 0.06, 0.04]
EVENT_TYPES = ["view", "search", "cart", "purchase", "refund", "login"]
EVENT_WEIGHTS = [0.4, 0.1, 0.15, 0.25, 0.05, 0.05]
CATEGORIES = ["Shoes", "Boots", "Books", None]
# 2026-03-29 01:00 UTC: the EU and UK move their clocks forward an hour.
START = datetime(2026, 3, 9, tzinfo=UTC)
DAYS = 35


def synthetic_events(n: int = 3_000, seed: int = 0) -> pa.Table:
    """`n` events over 35 days from 2026-03-09 (UTC), with multi-line orders, nulls and mixed currencies."""
    rng = np.random.default_rng(seed)
    place = rng.choice(len(PLACES), n, p=PLACE_WEIGHTS)
    start_us = int(START.timestamp() * 1_000_000)
    times = start_us + rng.integers(0, DAYS * 86_400 * 1_000_000, n)
    event_type = rng.choice(EVENT_TYPES, n, p=EVENT_WEIGHTS)
    session = rng.integers(0, n // 4, n)
    # Orders: purchase lines share an order id in pairs now and then, so orders != purchase events.
    order = np.where(np.isin(event_type, ["purchase", "refund"]), rng.integers(0, int(n * 0.2), n), -1)
    quantity = rng.integers(1, 4, n).astype("float64")
    quantity[rng.random(n) < 0.05] = np.nan
    columns = {
        "event_time": pa.array(times, pa.timestamp("us", tz="UTC")),
        "event_type": event_type.tolist(),
        "user_id": [f"u{u}" for u in rng.integers(0, 200, n)],
        "session_id": [f"s{s}" for s in session],
        "product_id": [f"p{p}" for p in rng.integers(0, 12, n)],
        "category": [CATEGORIES[i] for i in rng.integers(0, len(CATEGORIES), n)],
        "quantity": pa.array([None if np.isnan(q) else int(q) for q in quantity], pa.int32()),
        "price": np.round(rng.uniform(3, 120, n), 2),
        "currency": [PLACES[i][3] for i in place],
        "country": [PLACES[i][1] for i in place],
        "region": [PLACES[i][0] for i in place],
        "city": [PLACES[i][2] for i in place],
        "device_id": [f"d{d}" for d in rng.integers(0, 30, n)],
        "channel": rng.choice(["web", "app", "email"], n).tolist(),
        "order_id": [f"o{o}" if o >= 0 else None for o in order],
    }
    return pa.table(columns).cast(pa.schema([EVENTS.field(name) for name in columns]))


def events_at(rows: list[dict]) -> pa.Table:
    """Events from a few hand-written rows (missing columns are null)."""
    names = [f.name for f in EVENTS]
    return pa.Table.from_pylist([{k: row.get(k) for k in names} for row in rows], schema=EVENTS)


def store_with(root, table: pa.Table, partitioned: bool = True) -> EventStore:
    """A store at `root` holding `table` (date partitions, or one live batch), with the demo shop's profile:
    its places are the ones these events use."""
    store = EventStore(root)
    store.save_profile(demo_profile())
    if partitioned:
        with store.transaction() as tx:
            store.write_events_partitioned(tx, table)
    else:
        store.append_events(table)
    return store
