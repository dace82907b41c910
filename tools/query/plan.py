"""Resolving a spec against the data it will run on: 'now', local date ranges and spike exposure hours.

Relative periods ("last_30_days", "this_week") count back from `as_of`, which defaults to the latest event in
the store: demos and tests give the same answer every day, and for a live shop the latest event is about
now. Dates are local calendar dates (each event's place); `as_of`'s date is its UTC date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from tools.events.money import Money
from tools.events.profile import ShopProfile
from tools.events.zones import ZoneTable
from tools.query.localtime import day_number
from tools.query.spec import MONTHS, WEEKDAYS, Filters, PeriodOverPeriod, QuerySpec, QuerySpecError, Spike

SHIFT_DAYS = {"week": 7, "year": 364}  # 364 = 52 weeks, so both periods hold the same weekdays


@dataclass(frozen=True)
class DataSpan:
    """First and last event time in the store (None when it is empty), and the currencies its purchases and
    refunds name."""

    first: datetime | None
    last: datetime | None
    currencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryPlan:
    """Everything a spec needs from the data before it compiles: the resolved time frame and exposure."""

    as_of: datetime
    data_first_day: date  # UTC dates of the first and last event; local-time offsets are exact between them
    data_last_day: date
    current: tuple[date, date] | None  # inclusive local date range, None = no date filter
    previous: tuple[date, date] | None  # period over period only
    zones: ZoneTable  # where each event's local time is read (the shop profile's places)
    money: Money  # the reporting currency and the rates into it
    window_hours: float = 0.0  # spike only: nominal local hours inside / outside the window
    baseline_hours: float = 0.0

    @property
    def current_days(self) -> tuple[int, int] | None:
        return None if self.current is None else (day_number(self.current[0]), day_number(self.current[1]))

    @property
    def previous_days(self) -> tuple[int, int] | None:
        return None if self.previous is None else (day_number(self.previous[0]), day_number(self.previous[1]))

    def period_label(self) -> str:
        """E.g. "2024-05-01 to 2024-05-30", or "all data to 2024-05-30"."""
        if self.current is None:
            return f"all data to {self.as_of.date()}"
        start, end = self.current
        return str(start) if start == end else f"{start} to {end}"


def resolve_period(period: str, today: date) -> tuple[date, date]:
    """The inclusive local date range of a relative period, counted back from `today`."""
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    ranges = {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "last_7_days": (today - timedelta(days=6), today),
        "last_30_days": (today - timedelta(days=29), today),
        "last_90_days": (today - timedelta(days=89), today),
        "last_365_days": (today - timedelta(days=364), today),
        "this_week": (monday, today),
        "last_week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "this_month": (first_of_month, today),
        "last_month": (last_month_end.replace(day=1), last_month_end),
        "this_year": (today.replace(month=1, day=1), today),
        "last_year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    if period in MONTHS:  # the latest such month that has begun, up to today
        month = MONTHS.index(period) + 1
        first = date(today.year if month <= today.month else today.year - 1, month, 1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, min(following - timedelta(days=1), today)
    return ranges[period]


def _date_range(filters: Filters, today: date, first_day: date) -> tuple[date, date] | None:
    if filters.period is not None:
        return resolve_period(filters.period, today)
    if filters.date_from is None and filters.date_to is None:
        return None
    return (filters.date_from or first_day, filters.date_to or today)


def plan_query(spec: QuerySpec, span: DataSpan, profile: ShopProfile | None = None) -> QueryPlan:
    """Resolve `spec`'s time frame against the data span and the shop's profile (zones, money); raises
    QuerySpecError for an empty spike window."""
    profile = profile or ShopProfile()
    now = datetime.now(UTC)
    as_of = spec.as_of or span.last or now
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)  # a naive as_of is read as UTC, like event times
    today = as_of.astimezone(UTC).date()
    first_day = (span.first or as_of).astimezone(UTC).date()
    current = _date_range(spec.filters, today, first_day)
    previous = None
    if isinstance(spec.comparison, PeriodOverPeriod):
        current = current or resolve_period("last_7_days", today)
        length = (current[1] - current[0]).days + 1
        shift = timedelta(days=SHIFT_DAYS.get(spec.comparison.shift, length))
        previous = (current[0] - shift, current[1] - shift)
    last_day = (span.last or as_of).astimezone(UTC).date()
    plan = QueryPlan(as_of=as_of, data_first_day=first_day, data_last_day=last_day, current=current,
                     previous=previous, zones=ZoneTable.of(profile), money=Money.of(profile))
    if isinstance(spec.comparison, Spike):
        window, baseline = spike_exposure(spec.filters, spec.comparison, plan)
        if window == 0:
            raise QuerySpecError(
                f"The spike window {spec.comparison.label()} has no hours inside the filtered period "
                f"({plan.period_label()}, days {spec.filters.days_of_week or 'all'}, hours "
                f"{spec.filters.hour_from or 0}-{spec.filters.hour_to or 24}); "
                "widen the filters or move the window."
            )
        if baseline == 0:
            raise QuerySpecError(
                f"The spike window {spec.comparison.label()} covers every filtered hour, "
                "so there is no baseline to compare with; widen the filters (days_of_week, "
                "hour_from/hour_to) beyond the window."
            )
        plan = replace(plan, window_hours=float(window), baseline_hours=float(baseline))
    return plan


def spike_exposure(filters: Filters, spike: Spike, plan: QueryPlan) -> tuple[int, int]:
    """Local hours inside and outside the spike window over the filtered period, up to `as_of`.

    Hours are nominal (24 a day): a DST change day's extra or missing hour is ignored (< 0.02% of a year).
    """
    as_of_day = plan.as_of.astimezone(UTC).date()
    start, end = plan.current or (plan.data_first_day, as_of_day)
    start, end = max(start, plan.data_first_day), min(end, as_of_day)
    kept_days = set(filters.days_of_week) or set(WEEKDAYS)
    kept_hours = filters.local_hours()
    window_days = set(spike.days_of_week)
    window_hours = set(range(spike.hour_from, spike.hour_to))
    inside = outside = 0
    day = start
    while day <= end:
        weekday = WEEKDAYS[day.weekday()]
        if weekday in kept_days:
            hours = kept_hours if day != as_of_day else {h for h in kept_hours if h <= plan.as_of.hour}
            in_window = len(hours & window_hours) if weekday in window_days else 0
            inside += in_window
            outside += len(hours) - in_window
        day += timedelta(days=1)
    return inside, outside
