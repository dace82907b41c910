"""QuerySpec: the structured question an LLM fills and a person can read.

A spec names a metric, filters, a group-by, an order and top-k, and optionally one comparison (spike,
period over period, share of total). It never carries SQL or column expressions: every field is a closed
choice or a value that is checked here (regions, countries, cities, hours) or against the data when the
query runs (categories, products). Every way of building a spec raises `QuerySpecError` on bad input, with
the valid choices in the message.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tools.errors import EngineInputError
from tools.events.profile import PlaceLevel, ShopProfile, UnknownPlace
from tools.events.schema import CHANNELS


class QuerySpecError(EngineInputError):
    """A query spec that cannot run: the message says which field is wrong and lists the valid choices."""


Metric = Literal[
    "orders", "revenue", "units", "sessions", "unique_users", "conversion_rate", "average_order_value",
    "refunds", "refund_rate", "views", "carts", "searches", "events",
]
METRICS: tuple[str, ...] = get_args(Metric)
# Metrics whose per-group values add up to the total: the only ones with a meaningful share of total.
ADDITIVE_METRICS: tuple[str, ...] = ("orders", "revenue", "units", "refunds", "views", "carts", "searches",
                                     "events")
# Counts of independent occurrences: the only ones a Poisson rate comparison (spike) is valid for.
COUNT_METRICS: tuple[str, ...] = ("orders", "units", "refunds", "views", "carts", "searches", "events")

Dimension = Literal[
    "region", "city", "country", "category", "product", "channel", "hour_of_day", "day_of_week", "day",
    "week", "month",
]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)
# Dimensions with a natural order: a breakdown by them alone reads best in that order, not by value.
TIME_DIMENSIONS: tuple[str, ...] = ("hour_of_day", "day_of_week", "day", "week", "month")

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)

RelativePeriod = Literal[
    "today", "yesterday", "last_7_days", "last_30_days", "last_90_days", "last_365_days", "this_week",
    "last_week", "this_month", "last_month", "this_year", "last_year",
    # a month by name: the latest one that has begun ("march" in June 2026 is March 2026; in February, 2025)
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
]
RELATIVE_PERIODS: tuple[str, ...] = get_args(RelativePeriod)
MONTHS: tuple[str, ...] = RELATIVE_PERIODS[-12:]

Channel = Literal[CHANNELS]  # type: ignore[valid-type]  # a tuple subscript is the same as listing its items

MAX_ROWS = 10_000  # hard cap on rows any query returns
MAX_TOP_K = 1_000


def _weekday(value: Any) -> Any:
    """Accept "Fri", "FRIDAY", "friday" (and ints 0=Monday..6=Sunday) for a weekday."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return WEEKDAYS[value]
    if isinstance(value, str):
        key = value.strip().lower()
        for day in WEEKDAYS:
            if len(key) >= 2 and day.startswith(key):
                return day
    return value


def _as_list(value: Any) -> Any:
    """A single value where a list is expected becomes a one-item list (LLMs often do this)."""
    return [value] if isinstance(value, (str, int)) else value


def _weekdays(value: Any) -> Any:
    value = _as_list(value)
    return [_weekday(v) for v in value] if isinstance(value, list) else value


class _SpecModel(BaseModel):
    """Base of the spec models: unknown fields are refused and every validation error is a QuerySpecError."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise QuerySpecError(explain(exc)) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any):  # type: ignore[override]
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise QuerySpecError(explain(exc)) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes, **kwargs: Any):  # type: ignore[override]
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise QuerySpecError(explain(exc)) from None


def explain(exc: ValidationError) -> str:
    """One readable message for all problems in a validation error, e.g. "metric: Input should be ..."."""
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "spec"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field; remove it (see QuerySpec.model_json_schema() for the fields)"
        problems.append(f"{where}: {message}")
    return "Invalid query spec. " + "; ".join(problems)


class Filters(_SpecModel):
    """Which events count. Dates and hours are local to each event's region; ranges are inclusive of dates."""

    period: RelativePeriod | None = Field(
        None, description="Relative to `as_of` (default: the latest event in the store). "
                          "Excludes date_from/date_to."
    )
    date_from: date | None = Field(None, description="First local date included (YYYY-MM-DD).")
    date_to: date | None = Field(None, description="Last local date included (YYYY-MM-DD).")
    days_of_week: list[Weekday] = Field(default_factory=list, description="Local weekdays kept; empty = all.")
    hour_from: int | None = Field(None, ge=0, le=23, description="First local hour kept (0-23).")
    hour_to: int | None = Field(
        None, ge=1, le=24,
        description="Local hour the range ends before (1-24); below hour_from wraps midnight."
    )
    countries: list[str] = Field(default_factory=list, description="ISO codes or names, e.g. FR, Germany.")
    regions: list[str] = Field(default_factory=list,
                               description="Region names or ISO codes, e.g. Bavaria, DE-BY.")
    cities: list[str] = Field(default_factory=list, description="City names, e.g. Lyon.")
    categories: list[str] = Field(default_factory=list, description="Product categories, e.g. Shoes.")
    products: list[str] = Field(default_factory=list, description="Product ids.")
    channels: list[Channel] = Field(default_factory=list)
    devices: list[str] = Field(default_factory=list, description="Device ids.")

    @field_validator("countries", "regions", "cities", "categories", "products", "channels", "devices",
                     mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("days_of_week", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        return _weekdays(value)

    @model_validator(mode="after")
    def _ranges(self) -> Filters:
        if self.period is not None and (self.date_from is not None or self.date_to is not None):
            raise ValueError("give either `period` or `date_from`/`date_to`, not both")
        if self.date_from is not None and self.date_to is not None and self.date_to < self.date_from:
            raise ValueError(
                f"date_to ({self.date_to}) is before date_from ({self.date_from}); swap them or fix the range"
            )
        if self.hour_from is not None and self.hour_to is not None and self.hour_from == self.hour_to:
            raise ValueError(
                f"the local hour range {self.hour_from}-{self.hour_to} is empty; hour_to is exclusive "
                f"(e.g. hour_from=20, hour_to=24 for 20:00-24:00)"
            )
        return self

    def local_hours(self) -> frozenset[int]:
        """The local hours of day the filters keep (all 24 when no hour range is set)."""
        return _hour_set(self.hour_from or 0, 24 if self.hour_to is None else self.hour_to)


def _hour_set(hour_from: int, hour_to: int) -> frozenset[int]:
    if hour_from < hour_to:
        return frozenset(range(hour_from, hour_to))
    return frozenset(range(hour_from, 24)) | frozenset(range(hour_to))  # wraps midnight


class Spike(_SpecModel):
    """For each group: the metric's rate per hour inside a local-time window vs the group's own rate outside it."""  # noqa: E501 - pydantic's JSON-schema description

    kind: Literal["spike"] = "spike"
    days_of_week: list[Weekday] = Field(default_factory=lambda: ["friday"],
                                        description="Local weekdays of the window.")
    hour_from: int = Field(20, ge=0, le=23, description="First local hour of the window.")
    hour_to: int = Field(24, ge=1, le=24, description="Local hour the window ends before (exclusive, <= 24).")
    min_support: int = Field(10, ge=1, description="Groups with fewer window events than this are left out.")

    @field_validator("days_of_week", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        return _weekdays(value)

    @model_validator(mode="after")
    def _window(self) -> Spike:
        if not self.days_of_week:
            raise ValueError(f"the spike window has no days; give days_of_week from {', '.join(WEEKDAYS)}")
        if self.hour_to <= self.hour_from:
            raise ValueError(
                f"the spike window {self.hour_from}-{self.hour_to} is empty or crosses midnight; "
                "hour_to must be after hour_from and at most 24 (for a window past midnight, use the next "
                "day's hours separately)"
            )
        return self

    def label(self) -> str:
        """E.g. "Friday 20:00-24:00", or "Friday-night" for the 20-24 window."""
        days = "/".join(d.capitalize() for d in self.days_of_week)
        if (self.hour_from, self.hour_to) == (20, 24):
            return f"{days}-night"
        return f"{days} {self.hour_from:02d}:00-{self.hour_to:02d}:00"


class PeriodOverPeriod(_SpecModel):
    """The metric in the filtered period vs the same period shifted back (a week, 52 weeks, or its own length)."""  # noqa: E501 - pydantic's JSON-schema description

    kind: Literal["period_over_period"] = "period_over_period"
    shift: Literal["week", "year", "previous"] = Field(
        "week",
        description="week: 7 days earlier; year: 364 days earlier (same weekdays); previous: "
        "the equally long period just before. Without a date filter the current period is the last 7 days.",
    )


class ShareOfTotal(_SpecModel):
    """Each group's value as a fraction of the total over all groups (additive metrics only)."""

    kind: Literal["share_of_total"] = "share_of_total"


Comparison = Annotated[Spike | PeriodOverPeriod | ShareOfTotal, Field(discriminator="kind")]

SPIKE_COLUMNS = (
    "window_count", "window_hours", "window_rate", "baseline_count", "baseline_hours", "baseline_rate",
    "lift", "lift_lo", "lift_hi", "excess", "z",
)
PERIOD_COLUMNS = ("current", "previous", "change", "pct_change")


class QuerySpec(_SpecModel):
    """A geo-behaviour question over the shop's events, e.g. "which regions spike on Friday night?"."""

    metric: Metric = Field(description="What to measure.")
    filters: Filters = Field(default_factory=Filters)
    group_by: list[Dimension] = Field(default_factory=list, max_length=3, description="Breakdown, at most 3.")
    comparison: Comparison | None = None
    order_by: str | None = Field(
        None, description="An output column (the metric name, a group, or a comparison column such as lift)."
    )
    order: Literal["desc", "asc"] = "desc"
    top_k: int | None = Field(None, ge=1, le=MAX_TOP_K, description="Keep the first k rows after ordering.")
    as_of: datetime | None = Field(None,
                                   description="'Now' for relative periods; default: latest event time.")

    @field_validator("group_by", mode="before")
    @classmethod
    def _groups(cls, value: Any) -> Any:
        return _as_list(value)

    @model_validator(mode="after")
    def _consistent(self) -> QuerySpec:
        if len(set(self.group_by)) != len(self.group_by):
            raise ValueError(f"group_by repeats a dimension: {self.group_by}")
        comparison = self.comparison
        if isinstance(comparison, Spike) and self.metric not in COUNT_METRICS:
            raise ValueError(
                f"a spike compares hourly rates of counts; metric {self.metric!r} is not a count. "
                f"Use one of: {', '.join(COUNT_METRICS)}"
            )
        if isinstance(comparison, ShareOfTotal):
            if self.metric not in ADDITIVE_METRICS:
                raise ValueError(
                    f"share_of_total needs a metric whose group values add up; {self.metric!r} does not. "
                    f"Use one of: {', '.join(ADDITIVE_METRICS)}"
                )
            if not self.group_by:
                raise ValueError("share_of_total needs a group_by (the share of what?), e.g. ['region']")
        if self.order_by is not None and self.order_by not in self.output_columns():
            raise ValueError(
                f"cannot order by {self.order_by!r}; valid columns: {', '.join(self.output_columns())}"
            )
        return self

    def output_columns(self) -> list[str]:
        """The columns of the result frame, in order."""
        if isinstance(self.comparison, Spike):
            return [*self.group_by, *SPIKE_COLUMNS]
        if isinstance(self.comparison, PeriodOverPeriod):
            return [*self.group_by, *PERIOD_COLUMNS]
        if isinstance(self.comparison, ShareOfTotal):
            return [*self.group_by, self.metric, "share"]
        return [*self.group_by, self.metric]

    def brief(self) -> dict[str, Any]:
        """The spec as a JSON-ready dict without defaulted fields; the comparison is kept whole (with its
        kind)."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        if self.comparison is not None:
            data["comparison"] = self.comparison.model_dump(mode="json")
        return data

    def reads_in_time_order(self) -> bool:
        """A plain breakdown over time only (by hour, weekday, day...): its rows come in time order, not
        ranked by the metric."""
        return (self.order_by is None and self.comparison is None and bool(self.group_by)
                and set(self.group_by) <= set(TIME_DIMENSIONS))

    def default_order_by(self) -> str:
        """What rows are ranked by when `order_by` is not given."""
        if isinstance(self.comparison, Spike):
            return "lift"
        if isinstance(self.comparison, PeriodOverPeriod):
            return "change"
        if isinstance(self.comparison, ShareOfTotal):
            return "share"
        return self.metric


def parse_spec(data: dict[str, Any] | str) -> QuerySpec:
    """A QuerySpec from a dict or JSON text; raises QuerySpecError listing every problem."""
    if isinstance(data, str):
        return QuerySpec.model_validate_json(data)
    return QuerySpec.model_validate(data)


def resolve_places(spec: QuerySpec, profile: ShopProfile) -> QuerySpec:
    """The spec with its place filters in the profile's own names (countries as ISO codes).

    "bavaria", "DE-BY" -> "Bavaria"; "germany" -> "DE". A name the profile does not know fails with the
    profile's places listed.
    """
    filters = spec.filters
    if not (filters.countries or filters.regions or filters.cities):
        return spec

    def canonical(level: PlaceLevel, values: list[str]) -> list[str]:
        try:
            places = [profile.place(value, level) for value in values]
        except UnknownPlace as exc:
            raise QuerySpecError(str(exc)) from None
        names = [p.country if level == "country" else p.name for p in places]
        return list(dict.fromkeys(names))

    update = {
        "countries": canonical("country", filters.countries),
        "regions": canonical("region", filters.regions),
        "cities": canonical("city", filters.cities),
    }
    return spec.model_copy(update={"filters": filters.model_copy(update=update)})
