"""A small deterministic shop with planted anomalies, fraud and a complaint wave, for the anomaly tests.

Six regions, ten weeks of purchases (about 4 an hour per region, local diurnal and weekly cycles), logins,
orders, users and reviews, plus noise that must not be flagged: families sharing a device, gifts shipped
within the country, plausible trips, night owls. The planted truth uses the schema's `GroundTruth` models
(what is planted: `tests.anomaly.planted`; the setting and its records: `tests.anomaly.records`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from tests.anomaly.planted import (
    complaint_wave,
    fraud_cases,
    harmless_lookalikes,
    reviews_with_wave,
    volume_anomalies,
)
from tests.anomaly.records import (
    CATEGORIES,
    END,
    PRODUCT_IDS,
    REGIONS,
    START,
    city_points,
    next_order_id,
    order_rows,
)
from tools.events.regions import get_region
from tools.events.schema import PRODUCTS, REVIEWS, USERS, GroundTruth, VolumeAnomaly
from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore


@dataclass
class PlantedShop:
    store: EventStore
    truth: GroundTruth


def build_planted_shop(root) -> PlantedShop:
    """Write the shop into a new store at `root` and return it with its planted truth."""
    rng = np.random.default_rng(7)
    store = EventStore(root)
    store.save_profile(demo_profile())  # its regions and cities are the demo shop's
    users = _users(rng)
    by_region = {r: [u for u in users if u["home_region"] == r] for r in REGIONS}
    truth_volume = volume_anomalies()
    ordinary = _ordinary_orders(rng, by_region, truth_volume)
    orders = harmless_lookalikes(rng, users, by_region)
    fraud, fraud_orders = fraud_cases(rng, users, by_region)
    orders = pd.concat([ordinary, pd.DataFrame(orders + fraud_orders)], ignore_index=True).sort_values(
        "placed_at", kind="stable"
    )
    events = _events(orders)
    wave = complaint_wave()
    reviews = reviews_with_wave(rng, orders, users, wave)

    # One appended batch (no compaction): the store reads live batches like partitions, and it is faster.
    store.append_events(pa.Table.from_pandas(events, preserve_index=False))
    store.write_table("orders", pa.Table.from_pandas(order_rows(orders), preserve_index=False))
    store.write_table("users", pa.Table.from_pylist(users, schema=USERS))
    store.write_table("reviews", pa.Table.from_pylist(reviews, schema=REVIEWS))
    products = [
        {
            "product_id": p,
            "name": f"{CATEGORIES[int(p[1:3])]} {p[-1]}",
            "category": CATEGORIES[int(p[1:3])],
            "price": 50.0,
            "currency": "EUR",
        }
        for p in PRODUCT_IDS
    ]
    store.write_table("products", pa.Table.from_pylist(products, schema=PRODUCTS))
    truth = GroundTruth(
        seed=7,
        n_events=len(events),
        start=START.date(),
        end=END.date(),
        friday_spikes=[],
        trend_breaks=[],
        promotions=[],
        launches=[],
        fraud=fraud,
        volume_anomalies=truth_volume,
        bought_together=[],
        regional_favourites=[],
        complaint_waves=[wave],
    )
    return PlantedShop(store=store, truth=truth)


def _users(rng: np.random.Generator) -> list[dict]:
    """400 users at home in each region, each with a device of their own, except families sharing one."""
    users = []
    n_per_region = 400
    for region in REGIONS:
        lat, lon, city = city_points(rng, region, n_per_region)
        for i in range(n_per_region):
            uid = f"U{len(users):05d}"
            users.append(
                {
                    "user_id": uid,
                    "home_region": region,
                    "home_city": city[i],
                    "home_lat": lat[i],
                    "home_lon": lon[i],
                    "home_country": get_region(region).country,
                    "signup_at": START - timedelta(days=int(rng.integers(30, 700))),
                }
            )
    for user in users:
        user["device_id"] = "D" + user["user_id"][1:]
    # Families: pairs of users that share one device (legitimate).
    for a in range(0, 300, 2):
        users[a + 1]["device_id"] = users[a]["device_id"]
    return users


def _ordinary_orders(
    rng: np.random.Generator, by_region: dict[str, list[dict]], truth_volume: list[VolumeAnomaly]
) -> pd.DataFrame:
    """Hourly purchases per region with local diurnal and weekly cycles, scaled inside the volume
    anomalies."""
    hours = pd.date_range(START, END - timedelta(hours=1), freq="h")
    # Ordinary orders, vectorised: Poisson counts per region-hour, random shoppers of that region at home.
    frames = []
    for region in REGIONS:
        local = hours.tz_convert(get_region(region).tz)
        diurnal = (
            0.25
            + np.exp(-0.5 * ((local.hour - 20) / 3.5) ** 2)
            + 0.6 * np.exp(-0.5 * ((local.hour - 12) / 2.5) ** 2)
        )
        weekly = np.where(local.dayofweek >= 5, 1.25, 1.0)
        rate = 3.0 * diurnal * weekly
        for anomaly in truth_volume:
            if anomaly.region == region:
                inside = (hours >= anomaly.start) & (hours < anomaly.end)
                rate = np.where(inside, rate * anomaly.factor, rate)
        counts = rng.poisson(rate)
        pool = pd.DataFrame(by_region[region])
        picked = pool.iloc[rng.integers(len(pool), size=counts.sum())].reset_index(drop=True)
        picked["placed_at"] = np.repeat(hours, counts) + pd.to_timedelta(
            rng.integers(3600, size=len(picked)), unit="s"
        )
        frames.append(picked)
    ordinary = pd.concat(frames, ignore_index=True)
    product = rng.integers(len(PRODUCT_IDS), size=len(ordinary))
    return pd.DataFrame(
        {
            "order_id": [next_order_id() for _ in range(len(ordinary))],
            "user_id": ordinary["user_id"],
            "device_id": ordinary["device_id"],
            "placed_at": ordinary["placed_at"],
            "product_id": np.array(PRODUCT_IDS)[product],
            "category": np.array(CATEGORIES)[product // 5],
            "amount": np.round(rng.lognormal(3.8, 0.6, len(ordinary)), 2),
            "lat": ordinary["home_lat"],
            "lon": ordinary["home_lon"],
            "city": ordinary["home_city"],
            "region": ordinary["home_region"],
            "country": ordinary["home_country"],
            "ship_lat": ordinary["home_lat"],
            "ship_lon": ordinary["home_lon"],
            "ship_city": ordinary["home_city"],
            "ship_region": ordinary["home_region"],
        }
    )


def _events(orders: pd.DataFrame) -> pd.DataFrame:
    """A login three minutes before each purchase, both where the order was placed."""
    located = orders[["user_id", "device_id", "lat", "lon", "city", "region", "country"]].assign(
        session_id="S" + orders["order_id"]
    )
    logins = located.assign(event_time=orders["placed_at"] - pd.Timedelta(minutes=3), event_type="login")
    purchases = located.assign(
        event_time=orders["placed_at"],
        event_type="purchase",
        order_id=orders["order_id"],
        product_id=orders["product_id"],
        category=orders["category"],
        quantity=1,
        price=orders["amount"],
        currency="EUR",
    )
    return pd.concat([logins, purchases], ignore_index=True)
