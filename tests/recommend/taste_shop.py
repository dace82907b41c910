"""A small seeded shop whose customers have personal taste, for recommender tests and the benchmark.

Small enough to build in a second, and hand-built so that every planted fact is exact: each customer has
a favourite category (most of what they look at and buy), regions have a favourite product, one pair is
bought together, one product is out of stock and one is brand new (no events at all), and a few signed-up
customers never shopped. Everything planted is in `TasteTruth`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from tools.events.regions import get_region
from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore

REGIONS = ("Bavaria", "Ile-de-France", "Madrid")
CITY = {"Bavaria": "Munich", "Ile-de-France": "Paris", "Madrid": "Madrid"}
# (category, product names): descriptions repeat the kind of product, so text similarity has something to
# find.
CATALOGUE = {
    "Boots": ["Trailblazer Hiking Boot", "Alpine Leather Boot", "Summit Trekking Boot", "Ridge Winter Boot",
              "Canyon Walking Boot", "Glacier Snow Boot", "Forest Trail Boot", "Peak Mountain Boot"],
    "Coffee & Tea": ["Espresso Roast Beans", "Breakfast Black Tea", "Single Origin Coffee",
                     "Green Tea Leaves", "Decaf Coffee Beans", "Chai Spice Tea", "Cold Brew Coffee",
                     "Earl Grey Tea"],
    "Headphones": ["Studio Over-Ear Headphones", "Sport Wireless Earbuds", "Noise Cancelling Headphones",
                   "Bass Boost Headphones", "Travel Earbuds", "Gaming Headset", "Kids Headphones",
                   "DJ Headphones"],
    "Cookware": ["Cast Iron Skillet", "Nonstick Frying Pan", "Stainless Saucepan", "Dutch Oven Pot",
                 "Wok Pan", "Stock Pot", "Grill Pan", "Sauté Pan"],
}
DESCRIPTION = {
    "Boots": "A sturdy waterproof boot for hiking trails and mountain walks, with a grippy rubber sole.",
    "Coffee & Tea": "A fragrant hot drink for slow mornings, freshly packed to keep its aroma.",
    "Headphones": "Headphones with clear sound and a comfortable fit for music and calls.",
    "Cookware": "A pan for everyday cooking on gas, electric and induction hobs.",
}
NEW_PRODUCT = ("Everest Waterproof Hiking Boot", "Boots")  # launched after the data ends: no events at all


@dataclass(frozen=True)
class TasteTruth:
    """What the taste shop planted."""

    start: datetime
    end: datetime
    favourite_category: dict[str, str]  # user id -> category
    regional_favourite: dict[str, str]  # region name -> product id
    pair: tuple[str, str]  # a is often bought with b
    out_of_stock: str
    new_product: str
    cold_users: tuple[str, ...]  # signed up, never shopped
    categories: dict[str, str]  # product id -> category


def build_taste_shop(
    store: EventStore, n_users: int = 400, days: int = 60, per_category: int = 8, seed: int = 3
) -> TasteTruth:
    """Write products, users and `days` of events ending 2026-11-15 into `store`.

    `per_category` products per category; past the eight named ones, names get a model number. Its places
    are the demo shop's, so it carries the demo's profile.
    """
    store.save_profile(demo_profile())
    rng = np.random.default_rng(seed)
    end = datetime(2026, 11, 16, tzinfo=UTC)
    start = end - timedelta(days=days)
    names, categories = [], []
    for category, products in CATALOGUE.items():
        names += [products[k % 8] + (f" {k // 8 + 1}" if k >= 8 else "") for k in range(per_category)]
        categories += [category] * per_category
    ids = [f"T{i:03d}" for i in range(len(names))]
    category_names = list(CATALOGUE)
    product_category = np.array([category_names.index(c) for c in categories])
    new_id = f"T{len(names):03d}"
    pair = (ids[0], ids[per_category + 1])  # a boot and a tea: not one taste, so only the pair explains it
    regional = {region: ids[per_category * k + 5] for k, region in enumerate(REGIONS)}  # one favourite each
    out_of_stock = ids[2]

    users = [f"C{i:04d}" for i in range(n_users + 5)]
    cold_users = tuple(users[n_users:])
    home = rng.integers(0, len(REGIONS), len(users))
    taste = rng.integers(0, len(category_names), len(users))
    popularity = rng.lognormal(0, 0.5, len(names))

    rows: dict[str, list] = {k: [] for k in ("event_time", "event_type", "user_id", "session_id",
                                             "product_id", "category", "quantity", "price", "region",
                                             "order_id")}
    prices = np.round(rng.uniform(10, 120, len(names)), 2)

    def add(
        time: datetime, kind: str, user: int, session: str, product: int, order: str | None = None
    ) -> None:
        rows["event_time"].append(time)
        rows["event_type"].append(kind)
        rows["user_id"].append(users[user])
        rows["session_id"].append(session)
        rows["product_id"].append(ids[product])
        rows["category"].append(categories[product])
        rows["quantity"].append(1 if kind in ("cart", "purchase") else None)
        rows["price"].append(float(prices[product]))
        rows["region"].append(REGIONS[home[user]])
        rows["order_id"].append(order)

    n_sessions = n_users * 8
    for s in range(n_sessions):
        user = int(rng.integers(0, n_users))
        region = REGIONS[home[user]]
        weights = popularity * np.where(product_category == taste[user], 12.0, 1.0)
        weights[ids.index(regional[region])] = 1.5 * weights.max()  # everyone there likes it best
        weights[ids.index(out_of_stock)] *= 3.0  # popular, yet out of stock now: must never be recommended
        weights /= weights.sum()
        when = start + timedelta(seconds=float(rng.uniform(0, days * 86400)))
        session = f"S{s:06d}"
        viewed = list(rng.choice(len(names), size=int(rng.integers(1, 5)), p=weights, replace=False))
        if ids.index(pair[0]) in viewed and rng.random() < 0.9:
            viewed.append(ids.index(pair[1]))
        for k, product in enumerate(viewed):
            add(when + timedelta(seconds=30 * k), "view", user, session, int(product))
        if rng.random() < 0.5:
            with_pair = viewed[0] == ids.index(pair[0]) and rng.random() < 0.8
            bought = viewed[:1] + ([ids.index(pair[1])] if with_pair else [])
            order = f"O{s:06d}"
            t = when + timedelta(seconds=30 * len(viewed))
            for product in bought:
                add(t, "cart", user, session, int(product))
                add(t + timedelta(seconds=5), "purchase", user, session, int(product), order)
    table = pa.table(rows)
    with store.transaction() as tx:
        store.write_events_partitioned(tx, table)

    store.write_table("products", pa.table({
        "product_id": ids + [new_id],
        "name": names + [NEW_PRODUCT[0]],
        "category": categories + [NEW_PRODUCT[1]],
        "description": [f"The {n}. {DESCRIPTION[c]}" for n, c in zip(names, categories)]
        + [f"The {NEW_PRODUCT[0]}. {DESCRIPTION[NEW_PRODUCT[1]]}"],
        "price": list(prices) + [149.0],
        "currency": ["EUR"] * (len(ids) + 1),
        "stock": [0 if i == out_of_stock else 50 for i in ids] + [20],
    }))
    store.write_table("users", pa.table({
        "user_id": users,
        "home_country": [get_region(REGIONS[h]).country for h in home],
        "home_region": [REGIONS[h] for h in home],
        "home_city": [CITY[REGIONS[h]] for h in home],
    }))
    return TasteTruth(
        start=start, end=end,
        favourite_category={u: category_names[t] for u, t in zip(users, taste)},
        regional_favourite=regional, pair=pair, out_of_stock=out_of_stock, new_product=new_id,
        cold_users=cold_users, categories=dict(zip(ids + [new_id], categories + [NEW_PRODUCT[1]])),
    )
