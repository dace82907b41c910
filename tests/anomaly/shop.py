"""A small deterministic shop with planted anomalies, fraud and a complaint wave, for the anomaly tests.

Six regions, ten weeks of purchases (about 4 an hour per region, local diurnal and weekly cycles), logins,
orders, users and reviews, plus noise that must not be flagged: families sharing a device, gifts shipped
within the country, plausible trips, night owls. The planted truth uses the schema's `GroundTruth` models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from tools.events.regions import get_region
from tools.events.schema import (
    PRODUCTS,
    REVIEWS,
    USERS,
    ComplaintWave,
    FraudCase,
    GroundTruth,
    VolumeAnomaly,
)
from tools.events.store import EventStore

END = datetime(2026, 11, 15, tzinfo=UTC)
WEEKS = 10
START = END - timedelta(weeks=WEEKS)
REGIONS = ("Ile-de-France", "Bavaria", "Madrid", "Lombardy", "Greater London", "Catalonia")
CATEGORIES = ("Shoes", "Headphones", "Cookware", "Books")
PRODUCT_IDS = [f"P{c:02d}{i}" for c in range(len(CATEGORIES)) for i in range(5)]  # 5 per category
WAVE_PRODUCT, WAVE_REGION = "P010", "Lombardy"  # a Headphones product

POSITIVE = {
    "delivery": [
        "Arrived a day early, well packed.",
        "Fast delivery and tracking worked perfectly.",
        "Shipping was quick, box in great shape.",
    ],
    "quality": [
        "Excellent build quality, feels solid.",
        "Great materials, works exactly as described.",
        "Really well made, I love it.",
    ],
    "price": [
        "Great value for the money.",
        "Cheaper than elsewhere and just as good.",
        "Fair price for this quality.",
    ],
    "service": [
        "Customer service answered within an hour, very helpful.",
        "Support was friendly and kind.",
        "The team solved my question quickly.",
    ],
}
NEGATIVE = {
    "delivery": [
        "Parcel arrived a week late and the box was crushed.",
        "Delivery never came on time, awful.",
        "Package lost for days, terrible shipping.",
    ],
    "quality": [
        "Broke after two days, cheap plastic.",
        "Stopped working after a week, defective.",
        "Poor quality, the left side crackles and died.",
    ],
    "price": [
        "Way too expensive for what it is.",
        "Overpriced, not worth the money.",
        "Found it for half the price elsewhere, rip off.",
    ],
    "service": [
        "Support never replied to my emails.",
        "Rude customer service, no help at all.",
        "Nobody answered my refund request.",
    ],
}
NEUTRAL = ["It is okay, nothing special.", "Does the job, average.", "Fine I guess, as expected."]


@dataclass
class PlantedShop:
    store: EventStore
    truth: GroundTruth


def _city_points(rng: np.random.Generator, region: str, n: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    cities = get_region(region).cities
    weights = np.array([c.weight for c in cities])
    pick = rng.choice(len(cities), size=n, p=weights / weights.sum())
    lat = np.array([cities[i].lat for i in pick]) + rng.normal(0, 0.03, n)
    lon = np.array([cities[i].lon for i in pick]) + rng.normal(0, 0.03, n)
    return lat, lon, [cities[i].name for i in pick]


def build_planted_shop(root) -> PlantedShop:
    """Write the shop into a new store at `root` and return it with its planted truth."""
    rng = np.random.default_rng(7)
    store = EventStore(root)

    # ---------------------------------------------------------------- users and their devices
    users = []
    n_per_region = 400
    for region in REGIONS:
        lat, lon, city = _city_points(rng, region, n_per_region)
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
    by_region = {r: [u for u in users if u["home_region"] == r] for r in REGIONS}

    # ---------------------------------------------------------------- hourly purchases per region
    hours = pd.date_range(START, END - timedelta(hours=1), freq="h")
    truth_volume = [
        VolumeAnomaly(
            kind="outage",
            region="Bavaria",
            start=END - timedelta(days=3, hours=14),
            end=END - timedelta(days=3, hours=6),
            factor=0.0,
        ),
        VolumeAnomaly(
            kind="surge",
            region="Madrid",
            start=END - timedelta(days=5, hours=20),
            end=END - timedelta(days=5, hours=15),
            factor=4.0,
        ),
    ]
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
    ordinary = pd.DataFrame(
        {
            "order_id": [f"O{next(_ORDER_IDS):07d}" for _ in range(len(ordinary))],
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
    orders = []
    # Plausible trips: a Paris user buys in Madrid 6 hours after buying at home (2,000 km in 6 h is a flight).
    for k in range(10):
        user = by_region["Ile-de-France"][50 + k]
        t0 = START + timedelta(days=10 + 4 * k, hours=8)
        orders.append(_order(rng, user, t0))
        orders.append(_order(rng, user, t0 + timedelta(hours=6), at=(40.417, -3.704, "Madrid", "Madrid")))
    # Gifts: shipped to another city of the same country.
    for k in range(40):
        user = users[int(rng.integers(len(users)))]
        when = START + timedelta(minutes=int(rng.integers(WEEKS * 7 * 24 * 60)))
        other = [
            r for r in REGIONS if get_region(r).country == user["home_country"] and r != user["home_region"]
        ]
        if other:
            lat, lon, city = _city_points(rng, other[0], 1)
            orders.append(_order(rng, user, when, ship=(lat[0], lon[0], city[0], other[0])))

    # ---------------------------------------------------------------- planted fraud
    fraud: list[FraudCase] = []
    # Impossible travel: three orders, Paris -> Madrid -> Paris, within 40 minutes.
    traveller = by_region["Ile-de-France"][200]
    t0 = END - timedelta(days=2, hours=9)
    stops = [
        (48.857, 2.352, "Paris", "Ile-de-France"),
        (40.417, -3.704, "Madrid", "Madrid"),
        (48.857, 2.352, "Paris", "Ile-de-France"),
    ]
    travel_orders = [
        _order(rng, traveller, t0 + timedelta(minutes=20 * i), at=stop) for i, stop in enumerate(stops)
    ]
    fraud.append(_case("impossible_travel", [traveller], travel_orders))
    # Card testing: a fresh account tries 12 tiny orders from one device in 25 minutes.
    tester = _new_user(users, "Catalonia", rng, END - timedelta(days=1, hours=3), "DCT0001")
    t0 = END - timedelta(days=1, hours=2)
    tests_orders = [
        _order(rng, tester, t0 + timedelta(minutes=2 * i), amount=float(rng.uniform(0.5, 2.5)))
        for i in range(12)
    ]
    fraud.append(_case("card_testing", [tester], tests_orders))
    # Device ring: seven new accounts on one device, each a high-value order within a day.
    ring_users = [
        _new_user(users, "Greater London", rng, END - timedelta(days=4, hours=12 - i), "DRING01")
        for i in range(7)
    ]
    ring_orders = [
        _order(rng, u, END - timedelta(days=4, hours=10 - i), amount=float(rng.uniform(400, 900)))
        for i, u in enumerate(ring_users)
    ]
    fraud.append(_case("device_ring", ring_users, ring_orders))
    # Shipping far from home: a London account ships an expensive order to Palermo at 04:00 London time.
    shipper = by_region["Greater London"][120]
    far = _order(
        rng,
        shipper,
        END - timedelta(days=6, hours=20) + timedelta(hours=4),
        amount=780.0,
        ship=(38.116, 13.361, "Palermo", "Sicily"),
    )
    fraud.append(_case("ship_far", [shipper], [far]))
    orders.extend(travel_orders + tests_orders + ring_orders + [far])

    # ---------------------------------------------------------------- events: a login before each purchase
    orders = pd.concat([ordinary, pd.DataFrame(orders)], ignore_index=True).sort_values(
        "placed_at", kind="stable"
    )
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
    events = pd.concat([logins, purchases], ignore_index=True)

    # ---------------------------------------------------------------- reviews, with a complaint wave
    wave = ComplaintWave(
        product_id=WAVE_PRODUCT,
        region=WAVE_REGION,
        start=(END - timedelta(days=12)).date(),
        end=(END - timedelta(days=2)).date(),
    )
    reviews = []
    for order in orders.to_dict("records"):
        if rng.random() > 0.3:
            continue
        when = order["placed_at"] + timedelta(days=int(rng.integers(2, 6)))
        if when >= END:
            continue
        in_wave = (
            order["product_id"] == WAVE_PRODUCT
            and order["region"] == WAVE_REGION
            and wave.start <= when.date() <= wave.end
        )
        reviews.append(_review(rng, order, when, force_negative=in_wave, n=len(reviews)))
    # The defective batch also draws extra complaints (people who bought it elsewhere in the region).
    day = pd.Timestamp(wave.start, tz="UTC")
    while day.date() <= wave.end:
        for _ in range(3):
            order = {
                "user_id": users[int(rng.integers(len(users)))]["user_id"],
                "product_id": WAVE_PRODUCT,
                "region": WAVE_REGION,
            }
            reviews.append(
                _review(
                    rng,
                    order,
                    day.to_pydatetime() + timedelta(hours=int(rng.integers(8, 22))),
                    force_negative=True,
                    n=len(reviews),
                    topic="quality",
                )
            )
        day += pd.Timedelta(days=1)

    # ---------------------------------------------------------------- write
    # One appended batch (no compaction): the store reads live batches like partitions, and it is faster.
    store.append_events(pa.Table.from_pandas(events, preserve_index=False))
    store.write_table("orders", pa.Table.from_pandas(_order_rows(orders), preserve_index=False))
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


def _new_user(
    users: list[dict], region: str, rng: np.random.Generator, signup: datetime, device: str
) -> dict:
    lat, lon, city = _city_points(rng, region, 1)
    user = {
        "user_id": f"U{len(users):05d}",
        "home_region": region,
        "home_city": city[0],
        "home_lat": lat[0],
        "home_lon": lon[0],
        "home_country": get_region(region).country,
        "signup_at": signup,
        "device_id": device,
    }
    users.append(user)
    return user


_ORDER_IDS = iter(range(10**9))


def _order(
    rng: np.random.Generator,
    user: dict,
    when: datetime,
    amount: float | None = None,
    at: tuple | None = None,
    ship: tuple | None = None,
) -> dict:
    """One order by `user` at `when`, from `at` (lat, lon, city, region; default home), shipped to `ship`."""
    product = int(rng.integers(len(PRODUCT_IDS)))
    lat, lon, city, region = at or (
        user["home_lat"],
        user["home_lon"],
        user["home_city"],
        user["home_region"],
    )
    s_lat, s_lon, s_city, s_region = ship or (
        user["home_lat"],
        user["home_lon"],
        user["home_city"],
        user["home_region"],
    )
    return {
        "order_id": f"O{next(_ORDER_IDS):07d}",
        "user_id": user["user_id"],
        "device_id": user["device_id"],
        "placed_at": pd.Timestamp(when),
        "product_id": PRODUCT_IDS[product],
        "category": CATEGORIES[product // 5],
        "amount": round(amount if amount is not None else float(rng.lognormal(3.8, 0.6)), 2),
        "lat": lat,
        "lon": lon,
        "city": city,
        "region": region,
        "country": get_region(region).country,
        "ship_lat": s_lat,
        "ship_lon": s_lon,
        "ship_city": s_city,
        "ship_region": s_region,
    }


def _order_rows(orders: pd.DataFrame) -> pd.DataFrame:
    country = {r: get_region(r).country for r in orders["ship_region"].unique()}
    items = (
        '[{"product_id": "'
        + orders["product_id"]
        + '", "quantity": 1, "price": '
        + orders["amount"].astype(str)
        + "}]"
    )
    return pd.DataFrame(
        {
            "order_id": orders["order_id"],
            "user_id": orders["user_id"],
            "device_id": orders["device_id"],
            "items": items,
            "amount": orders["amount"],
            "currency": "EUR",
            "status": "placed",
            "placed_at": orders["placed_at"],
            "updated_at": orders["placed_at"],
            "shipping_country": orders["ship_region"].map(country),
            "shipping_region": orders["ship_region"],
            "shipping_city": orders["ship_city"],
            "shipping_lat": orders["ship_lat"],
            "shipping_lon": orders["ship_lon"],
        }
    )


def _case(kind: str, users: list[dict], orders: list[dict]) -> FraudCase:
    return FraudCase(
        kind=kind,
        user_ids=sorted({u["user_id"] for u in users}),
        device_ids=sorted({o["device_id"] for o in orders}),
        order_ids=[o["order_id"] for o in orders],
        start=min(o["placed_at"] for o in orders),
        end=max(o["placed_at"] for o in orders),
    )


def _review(
    rng: np.random.Generator,
    order: dict,
    when: datetime,
    force_negative: bool,
    n: int,
    topic: str | None = None,
) -> dict:
    topic = topic or str(rng.choice(list(POSITIVE)))
    draw = rng.random()
    if force_negative or draw < 0.12:
        rating, text = int(rng.integers(1, 3)), str(rng.choice(NEGATIVE[topic]))
    elif draw < 0.2:
        rating, text = 3, str(rng.choice(NEUTRAL))
    else:
        rating, text = int(rng.integers(4, 6)), str(rng.choice(POSITIVE[topic]))
    return {
        "review_id": f"R{n:06d}",
        "user_id": order["user_id"],
        "product_id": order["product_id"],
        "rating": rating,
        "text": text,
        "review_time": when,
        "region": order["region"],
    }
