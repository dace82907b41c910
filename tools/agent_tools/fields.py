"""Field types shared by the tools' argument models: few fields, enums for closed sets, defaults for the rest.

A 0.5B model fills three flat fields far more reliably than a nested spec; each tool's argument model
sits beside its function (`customer.py`, `operator.py`), which maps it onto the engines' richer APIs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from tools.agent_tools.engines import resolve_place
from tools.events.catalog import CATEGORIES
from tools.events.regions import COUNTRIES, all_regions
from tools.registry import GRAMMAR_ENUM

Category = Literal[CATEGORIES]  # type: ignore[valid-type]


def _known_place(value: str) -> str:
    """Places are free text for the model (a 110-name enum would swamp a small model's prompt), checked
    here."""
    return resolve_place(value).label


_EVERYWHERE = {"all", "any", "everywhere", "overall", "total", "none", "all regions"}


def _everywhere_is_none(value: object) -> object:
    """"all"/"everywhere" means no place filter, which is what a model writing it intends."""
    return None if isinstance(value, str) and value.strip().lower() in _EVERYWHERE else value


def place_names() -> list[str]:
    """Every name `resolve_place` knows: countries, regions, then cities that are not also a region."""
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
Period = Literal["today", "this_week", "last_7_days", "last_30_days", "last_90_days", "this_month",
                 "all_time"]
Since = Literal["24h", "7d", "30d", "90d"]
Metric = Literal[
    "orders", "revenue", "units", "sessions", "unique_users", "conversion_rate", "average_order_value",
    "refunds"
]
OrderStatus = Literal["placed", "shipped", "delivered", "returned", "cancelled"]
