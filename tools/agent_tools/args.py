"""Flat argument models of the LLM-facing tools: few fields, enums for closed sets, defaults for the rest.

A 0.5B model fills three flat fields far more reliably than a nested spec; the wrappers in
`customer.py` and `operator.py` map these onto the engines' richer APIs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from tools.events.catalog import CATEGORIES
from tools.registry import GRAMMAR_ENUM, ToolArgs

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
def _known_place(value: str) -> str:
    """Places are free text for the model (a 110-name enum would swamp a small model's prompt), checked here."""
    from tools.agent_tools.backends import resolve_place

    return resolve_place(value).label


_EVERYWHERE = {"all", "any", "everywhere", "overall", "total", "none", "all regions"}


def _everywhere_is_none(value: object) -> object:
    """"all"/"everywhere" means no place filter, which is what a model writing it intends."""
    return None if isinstance(value, str) and value.strip().lower() in _EVERYWHERE else value


def place_names() -> list[str]:
    """Every name `resolve_place` knows: countries, regions, then cities that are not also a region."""
    from tools.events.regions import COUNTRIES, all_regions

    regions = [region.name for region in all_regions()]
    cities = [city.name for region in all_regions() for city in region.cities if city.name not in regions]
    return [country.name for country in COUNTRIES] + regions + sorted(set(cities))


# A region, city or country name; the validator turns an unknown name into an error listing valid ones. The
# closed set is enforced by the decoding grammar (GRAMMAR_ENUM) without being listed in the model's prompt.
Place = Annotated[
    str,
    Field(min_length=2, max_length=60, json_schema_extra={GRAMMAR_ENUM: place_names()}),
    AfterValidator(_known_place),
]
AnyPlace = Annotated[Place | None, BeforeValidator(_everywhere_is_none)]
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
Period = Literal["today", "this_week", "last_7_days", "last_30_days", "last_90_days", "this_month", "all_time"]
Since = Literal["24h", "7d", "30d", "90d"]
Metric = Literal["orders", "revenue", "units", "sessions", "unique_users", "conversion_rate", "average_order_value", "refunds"]
OrderStatus = Literal["placed", "shipped", "delivered", "returned", "cancelled"]


# ----------------------------------------------------------------------------------------------- customer
class SearchDocsArgs(ToolArgs):
    query: str = Field(min_length=2, max_length=300, description="What to look up in the shop's policies and guides.")


class SearchProductsArgs(ToolArgs):
    query: str = Field(min_length=2, max_length=200, description="What the customer is looking for.")
    category: Category | None = Field(None, description="Only this category.")
    max_price: float | None = Field(None, gt=0, description="Highest price.")
    in_stock_only: bool = Field(True, description="Hide products that are out of stock.")


class MyOrdersArgs(ToolArgs):
    status: OrderStatus | None = Field(None, description="Only orders with this status.")
    order_id: str | None = Field(None, pattern=r"^O\d+$", description="One order, e.g. O0001234.")


class MyRecommendationsArgs(ToolArgs):
    product: str | None = Field(None, max_length=120, description="Recommend what goes with this product (name or id).")
    n: int = Field(5, ge=1, le=10, description="How many products.")


# ----------------------------------------------------------------------------------------------- operator
class FindSpikesArgs(ToolArgs):
    day: Weekday = Field("Friday", description="Day of the week (local time).")
    start_hour: int = Field(20, ge=0, le=23, description="Window start, local hour.")
    end_hour: int = Field(24, ge=1, le=24, description="Window end, local hour (24 = midnight).")
    metric: Literal["orders", "units", "views"] = Field(
        "orders", description="What to count (a spike compares counts per hour)."
    )
    group_by: Literal["region", "city", "country", "category"] = Field("region", description="Compare these groups.")


class ComparePeriodsArgs(ToolArgs):
    metric: Metric = Field("revenue", description="What to compare.")
    comparison: Literal["week_over_week", "year_over_year"] = Field("week_over_week", description="Which periods.")
    group_by: Literal["region", "country", "category", "product"] = Field("region", description="Per group.")


class TopItemsArgs(ToolArgs):
    metric: Metric = Field("revenue", description="What to rank by.")
    group_by: Literal["product", "category", "region", "city", "country", "hour_of_day", "day_of_week"] = Field(
        "product", description="What to rank."
    )
    place: AnyPlace = Field(None, description="Only this region, city or country.")
    category: Category | None = Field(None, description="Only this category.")
    period: Period = Field("last_30_days", description="Time window.")
    top_k: int = Field(10, ge=1, le=50, description="How many rows.")


class ForecastDemandArgs(ToolArgs):
    category: Category | None = Field(None, description="Forecast this category.")
    product: str | None = Field(None, max_length=120, description="Forecast this product (name or id).")
    place: AnyPlace = Field(None, description="Region, city or country; none = whole shop.")
    horizon_days: int = Field(28, ge=1, le=120, description="Days ahead.")


class ReorderAdviceArgs(ToolArgs):
    product: str = Field(max_length=120, description="Product name or id.")
    stock_on_hand: int = Field(ge=0, description="Units in stock now.")
    place: AnyPlace = Field(None, description="Region or country served from this stock; none = all.")
    lead_time_days: int = Field(7, ge=1, le=120, description="Days until a new delivery arrives.")
    service_level: float = Field(0.95, gt=0.5, lt=1.0, description="Chance of not running out.")


class DetectAnomaliesArgs(ToolArgs):
    since: Since = Field("7d", description="How far back to look.")
    place: AnyPlace = Field(None, description="Only this region or country.")
    kind: Literal["all", "volume", "complaints"] = Field("all", description="Volume spikes/outages, complaint waves, or both.")


class DetectFraudArgs(ToolArgs):
    since: Since = Field("7d", description="How far back to look.")
    top_k: int = Field(10, ge=1, le=50, description="How many cases.")


class RecommendArgs(ToolArgs):
    user_id: str | None = Field(None, pattern=r"^U\d+$", description="Recommend for this customer, e.g. U000123.")
    product: str | None = Field(None, max_length=120, description="Or: what sells together with this product.")
    place: AnyPlace = Field(None, description="Region or city context.")
    n: int = Field(5, ge=1, le=20, description="How many products.")
