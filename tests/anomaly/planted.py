"""What the anomaly test shop plants (an outage and a surge, four fraud cases, a complaint wave) and the
look-alike noise that must not be flagged: plausible trips, gifts shipped within the country."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from tests.anomaly.records import END, REGIONS, START, WEEKS, city_points, new_user, order
from tools.events.regions import get_region
from tools.events.schema import ComplaintWave, FraudCase, VolumeAnomaly

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


def volume_anomalies() -> list[VolumeAnomaly]:
    """An outage in Bavaria and a surge in Madrid, both within the last week."""
    return [
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


def harmless_lookalikes(
    rng: np.random.Generator, users: list[dict], by_region: dict[str, list[dict]]
) -> list[dict]:
    """Orders that resemble fraud but are not: trips a flight makes possible, gifts shipped within the
    country."""
    orders = []
    # Plausible trips: a Paris user buys in Madrid 6 hours after buying at home (2,000 km in 6 h is a flight).
    for k in range(10):
        user = by_region["Ile-de-France"][50 + k]
        t0 = START + timedelta(days=10 + 4 * k, hours=8)
        orders.append(order(rng, user, t0))
        orders.append(order(rng, user, t0 + timedelta(hours=6), at=(40.417, -3.704, "Madrid", "Madrid")))
    # Gifts: shipped to another city of the same country.
    for k in range(40):
        user = users[int(rng.integers(len(users)))]
        when = START + timedelta(minutes=int(rng.integers(WEEKS * 7 * 24 * 60)))
        other = [
            r for r in REGIONS if get_region(r).country == user["home_country"] and r != user["home_region"]
        ]
        if other:
            lat, lon, city = city_points(rng, other[0], 1)
            orders.append(order(rng, user, when, ship=(lat[0], lon[0], city[0], other[0])))
    return orders


def fraud_cases(
    rng: np.random.Generator, users: list[dict], by_region: dict[str, list[dict]]
) -> tuple[list[FraudCase], list[dict]]:
    """The four planted fraud cases and their orders; the fresh accounts they need are added to `users`."""
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
        order(rng, traveller, t0 + timedelta(minutes=20 * i), at=stop) for i, stop in enumerate(stops)
    ]
    fraud.append(_case("impossible_travel", [traveller], travel_orders))
    # Card testing: a fresh account tries 12 tiny orders from one device in 25 minutes.
    tester = new_user(users, "Catalonia", rng, END - timedelta(days=1, hours=3), "DCT0001")
    t0 = END - timedelta(days=1, hours=2)
    tests_orders = [
        order(rng, tester, t0 + timedelta(minutes=2 * i), amount=float(rng.uniform(0.5, 2.5)))
        for i in range(12)
    ]
    fraud.append(_case("card_testing", [tester], tests_orders))
    # Device ring: seven new accounts on one device, each a high-value order within a day.
    ring_users = [
        new_user(users, "Greater London", rng, END - timedelta(days=4, hours=12 - i), "DRING01")
        for i in range(7)
    ]
    ring_orders = [
        order(rng, u, END - timedelta(days=4, hours=10 - i), amount=float(rng.uniform(400, 900)))
        for i, u in enumerate(ring_users)
    ]
    fraud.append(_case("device_ring", ring_users, ring_orders))
    # Shipping far from home: a London account ships an expensive order to Palermo at 04:00 London time.
    shipper = by_region["Greater London"][120]
    far = order(
        rng,
        shipper,
        END - timedelta(days=6, hours=20) + timedelta(hours=4),
        amount=780.0,
        ship=(38.116, 13.361, "Palermo", "Sicily"),
    )
    fraud.append(_case("ship_far", [shipper], [far]))
    return fraud, travel_orders + tests_orders + ring_orders + [far]


def complaint_wave() -> ComplaintWave:
    """Ten days of a defective batch of one product in one region, ending two days before the data does."""
    return ComplaintWave(
        product_id=WAVE_PRODUCT,
        region=WAVE_REGION,
        start=(END - timedelta(days=12)).date(),
        end=(END - timedelta(days=2)).date(),
    )


def reviews_with_wave(
    rng: np.random.Generator, orders: pd.DataFrame, users: list[dict], wave: ComplaintWave
) -> list[dict]:
    """Reviews of about 30% of the orders, negative for the wave's product and region while the wave lasts."""
    reviews = []
    for placed in orders.to_dict("records"):
        if rng.random() > 0.3:
            continue
        when = placed["placed_at"] + timedelta(days=int(rng.integers(2, 6)))
        if when >= END:
            continue
        in_wave = (
            placed["product_id"] == wave.product_id
            and placed["region"] == wave.region
            and wave.start <= when.date() <= wave.end
        )
        reviews.append(_review(rng, placed, when, force_negative=in_wave, n=len(reviews)))
    # The defective batch also draws extra complaints (people who bought it elsewhere in the region).
    day = pd.Timestamp(wave.start, tz="UTC")
    while day.date() <= wave.end:
        for _ in range(3):
            placed = {
                "user_id": users[int(rng.integers(len(users)))]["user_id"],
                "product_id": wave.product_id,
                "region": wave.region,
            }
            reviews.append(
                _review(
                    rng,
                    placed,
                    day.to_pydatetime() + timedelta(hours=int(rng.integers(8, 22))),
                    force_negative=True,
                    n=len(reviews),
                    topic="quality",
                )
            )
        day += pd.Timedelta(days=1)
    return reviews


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
    placed: dict,
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
        "user_id": placed["user_id"],
        "product_id": placed["product_id"],
        "rating": rating,
        "text": text,
        "review_time": when,
        "region": placed["region"],
    }
