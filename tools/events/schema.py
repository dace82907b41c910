"""Canonical tables of the event store and the demo shop's ground-truth manifest.

Importers map other shapes onto these columns; engines read only these. Times are UTC; local time comes
from the region's IANA zone (see `tools.events.regions`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, Field

EVENT_TYPES: tuple[str, ...] = ("view", "search", "cart", "purchase", "refund", "login")
ORDER_STATUSES: tuple[str, ...] = ("placed", "shipped", "delivered", "returned", "cancelled")
CHANNELS: tuple[str, ...] = ("web", "app", "email", "social", "ads", "import")

EVENTS = pa.schema(
    [
        pa.field("event_time", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("event_type", pa.string(), nullable=False),
        pa.field("user_id", pa.string(), nullable=False),
        pa.field("session_id", pa.string()),
        pa.field("product_id", pa.string()),
        pa.field("category", pa.string()),
        pa.field("quantity", pa.int32()),
        pa.field("price", pa.float64()),  # unit price in `currency`
        pa.field("currency", pa.string()),
        pa.field("country", pa.string()),  # ISO 3166-1 alpha-2
        pa.field("region", pa.string()),  # region name from the registry
        pa.field("city", pa.string()),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("device_id", pa.string()),
        pa.field("channel", pa.string()),
        pa.field("order_id", pa.string()),  # set on purchase and refund events
    ]
)
EVENT_REQUIRED: tuple[str, ...] = ("event_time", "event_type", "user_id")

ORDERS = pa.schema(
    [
        pa.field("order_id", pa.string(), nullable=False),
        pa.field("user_id", pa.string(), nullable=False),
        pa.field("items", pa.string()),  # JSON list of {product_id, name, quantity, price}
        pa.field("amount", pa.float64()),
        pa.field("currency", pa.string()),
        pa.field("status", pa.string()),
        pa.field("placed_at", pa.timestamp("us", tz="UTC")),
        pa.field("updated_at", pa.timestamp("us", tz="UTC")),
        pa.field("shipping_country", pa.string()),
        pa.field("shipping_region", pa.string()),
        pa.field("shipping_city", pa.string()),
        pa.field("shipping_address", pa.string()),
        pa.field("shipping_lat", pa.float64()),
        pa.field("shipping_lon", pa.float64()),
        pa.field("delivery_estimate", pa.date32()),
        pa.field("device_id", pa.string()),
    ]
)

PRODUCTS = pa.schema(
    [
        pa.field("product_id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("category", pa.string()),
        pa.field("description", pa.string()),
        pa.field("price", pa.float64()),
        pa.field("currency", pa.string()),
        pa.field("stock", pa.int32()),
        pa.field("launched_at", pa.timestamp("us", tz="UTC")),
    ]
)

REVIEWS = pa.schema(
    [
        pa.field("review_id", pa.string(), nullable=False),
        pa.field("user_id", pa.string()),
        pa.field("product_id", pa.string()),
        pa.field("rating", pa.int8()),
        pa.field("text", pa.string()),
        pa.field("review_time", pa.timestamp("us", tz="UTC")),
        pa.field("region", pa.string()),
    ]
)

USERS = pa.schema(
    [
        pa.field("user_id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("email", pa.string()),
        pa.field("home_country", pa.string()),
        pa.field("home_region", pa.string()),
        pa.field("home_city", pa.string()),
        pa.field("home_lat", pa.float64()),
        pa.field("home_lon", pa.float64()),
        pa.field("signup_at", pa.timestamp("us", tz="UTC")),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "events": EVENTS,
    "orders": ORDERS,
    "products": PRODUCTS,
    "reviews": REVIEWS,
    "users": USERS,
}


# ----------------------------------------------------------------------------------------------------------
# Ground truth planted by the demo shop generator (written next to the data as manifest.json).
# ----------------------------------------------------------------------------------------------------------


class FridaySpike(BaseModel):
    """A region whose Friday 20:00-24:00 local purchases run at `lift` x its own baseline rate."""

    region: str
    lift: float


class TrendBreak(BaseModel):
    """From `at` on (its local days), demand for `product_id` in `region` is multiplied by `factor`."""

    product_id: str
    region: str
    at: date
    factor: float


class Promotion(BaseModel):
    """Demand for `product_id` is multiplied by `lift` between `start` and `end` (inclusive), everywhere: on
    each place's local days, as the engines count them."""

    product_id: str
    start: date
    end: date
    lift: float
    discount: float = Field(description="Fractional price cut during the promotion, e.g. 0.2.")


class Launch(BaseModel):
    """A product with no events before `at` in any place's local time."""

    product_id: str
    at: date


FraudKind = Literal["impossible_travel", "card_testing", "device_ring", "ship_far"]


class FraudCase(BaseModel):
    """One planted fraud pattern and every id it touches."""

    kind: FraudKind
    user_ids: list[str]
    device_ids: list[str]
    order_ids: list[str]
    start: datetime
    end: datetime


class VolumeAnomaly(BaseModel):
    """Purchases in `region` between `start` and `end` (UTC) run at `factor` x normal (0.02 = outage)."""

    kind: Literal["outage", "surge"]
    region: str
    start: datetime
    end: datetime
    factor: float


class BoughtTogether(BaseModel):
    product_a: str
    product_b: str


class RegionalFavourite(BaseModel):
    region: str
    product_id: str


class ComplaintWave(BaseModel):
    """Negative reviews of `product_id` from `region` rise between `start` and `end` (a defective batch)."""

    product_id: str
    region: str
    start: date
    end: date


class CustomerTaste(BaseModel):
    """An ordinary shopper's favourite categories: most of what they look at and buy is in these."""

    user_id: str
    categories: list[str]


class GroundTruth(BaseModel):
    """Everything the demo shop planted, for tests and benchmarks to check engines against."""

    seed: int
    n_events: int
    start: date
    end: date
    friday_spikes: list[FridaySpike]
    trend_breaks: list[TrendBreak]
    promotions: list[Promotion]
    launches: list[Launch]
    fraud: list[FraudCase]
    volume_anomalies: list[VolumeAnomaly]
    bought_together: list[BoughtTogether]
    regional_favourites: list[RegionalFavourite]
    complaint_waves: list[ComplaintWave]
    holidays: list[date] = Field(default_factory=list)
    customer_tastes: list[CustomerTaste] = Field(default_factory=list)  # a sample of ordinary shoppers
