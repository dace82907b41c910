"""Fixtures of the forecaster tests: a tiny hand-made store and seeded synthetic series."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def tiny_store(tmp_path) -> EventStore:
    """Seven UTC days of events: a few purchases in Bavaria and London, views marking the data's span.

    January, so Berlin is UTC+1 and London UTC+0. The 23:30 UTC purchase on the 2nd is on the 3rd in Bavaria.
    """
    rows = [
        # (time, type, product, qty, price, currency, country, region)
        ("2026-01-01T00:10", "view", None, None, None, None, "DE", "Bavaria"),
        ("2026-01-02T10:00", "purchase", "P1", 2, 10.0, "EUR", "DE", "Bavaria"),
        ("2026-01-02T23:30", "purchase", "P1", 1, 10.0, "EUR", "DE", "Bavaria"),
        ("2026-01-03T12:00", "purchase", "P1", 1, 8.6, "GBP", "GB", "Greater London"),
        ("2026-01-05T12:00", "purchase", "P1", 3, 10.0, "EUR", "DE", "Bavaria"),
        ("2026-01-05T13:00", "purchase", "P2", 1, 20.0, "EUR", "DE", "Bavaria"),
        ("2026-01-07T23:55", "view", None, None, None, None, "GB", "Greater London"),
    ]
    columns = list(zip(*rows))
    store = EventStore(tmp_path / "store")
    store.save_profile(demo_profile())  # Bavaria and Greater London with their zones, EUR with a GBP rate
    store.append_events(pa.table({
        "event_time": pa.array([_utc(t) for t in columns[0]], pa.timestamp("us", tz="UTC")),
        "event_type": list(columns[1]), "user_id": ["U1"] * len(rows), "product_id": list(columns[2]),
        "quantity": pa.array(columns[3], pa.int32()), "price": pa.array(columns[4], pa.float64()),
        "currency": list(columns[5]), "country": list(columns[6]), "region": list(columns[7]),
        "category": ["Books" if p else None for p in columns[2]],
    }))
    store.write_table("products", pa.table({
        "product_id": ["P1", "P2"], "name": ["Garden Atlas", "Garden Almanac"],
        "category": ["Books", "Books"], "price": [10.0, 20.0], "currency": ["EUR", "EUR"],
    }))
    return store


def weekly_poisson(n_series: int, days: int, seed: int, start: str = "2025-01-01") -> pd.DataFrame:
    """Seeded Poisson demand with a weekly rhythm and mild trends: unique_id, ds, y."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    frames = []
    for i in range(n_series):
        level = rng.uniform(5, 60)
        week = 1 + 0.3 * np.sin(2 * np.pi * t / 7 + rng.uniform(0, 2 * np.pi))
        trend = np.exp(rng.normal(0, 0.0008) * t)
        frames.append(pd.DataFrame({"unique_id": f"s{i:02d}",
                                    "ds": pd.date_range(start, periods=days, freq="D"),
                                    "y": rng.poisson(level * week * trend).astype(float)}))
    return pd.concat(frames, ignore_index=True)
