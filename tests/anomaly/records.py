"""The anomaly test shop's setting (ten weeks, six regions, twenty products) and the records it is made of:
users at home in a region, and their orders as the store's rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from tools.events.regions import get_region

END = datetime(2026, 11, 15, tzinfo=UTC)
WEEKS = 10
START = END - timedelta(weeks=WEEKS)
REGIONS = ("Ile-de-France", "Bavaria", "Madrid", "Lombardy", "Greater London", "Catalonia")
CATEGORIES = ("Shoes", "Headphones", "Cookware", "Books")
PRODUCT_IDS = [f"P{c:02d}{i}" for c in range(len(CATEGORIES)) for i in range(5)]  # 5 per category


def city_points(rng: np.random.Generator, region: str, n: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """`n` points near the region's cities (weighted by the registry), with their city names."""
    cities = get_region(region).cities
    weights = np.array([c.weight for c in cities])
    pick = rng.choice(len(cities), size=n, p=weights / weights.sum())
    lat = np.array([cities[i].lat for i in pick]) + rng.normal(0, 0.03, n)
    lon = np.array([cities[i].lon for i in pick]) + rng.normal(0, 0.03, n)
    return lat, lon, [cities[i].name for i in pick]


def new_user(
    users: list[dict], region: str, rng: np.random.Generator, signup: datetime, device: str
) -> dict:
    """A user at home in `region`, appended to `users`."""
    lat, lon, city = city_points(rng, region, 1)
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


def next_order_id() -> str:
    """A new order id, numbered across the whole test session (O0000000, O0000001, ...)."""
    return f"O{next(_ORDER_IDS):07d}"


def order(
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
        "order_id": next_order_id(),
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


def order_rows(orders: pd.DataFrame) -> pd.DataFrame:
    """The store's `orders` table for these orders (one item each, placed)."""
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
