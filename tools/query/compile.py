"""Compile a QuerySpec (with its resolved plan) to one ibis expression over the canonical events table.

Only whitelisted columns are touched and every user value enters as an ibis literal, so the SQL each
backend generates is built by ibis' compiler, never by string formatting. The expression is pure ibis:
DuckDB, Spark and any other ibis backend run it unchanged.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import ibis
import ibis.expr.types as ir

from tools.query.localtime import day_number, with_local_time
from tools.query.metrics import (
    METRIC_EVENT_TYPES,
    MONEY_METRICS,
    RATIO_METRICS,
    SESSION_METRICS,
    metric_value,
    reporting_amount,
    session_metric,
)
from tools.query.plan import QueryPlan
from tools.query.spec import (
    MAX_ROWS,
    WEEKDAYS,
    PeriodOverPeriod,
    QuerySpec,
    ShareOfTotal,
    Spike,
)

Z_95 = 1.959964  # two-sided 95% normal quantile, for the lift interval

# Filter field -> events column. The only columns a spec can reach besides event_time and event_type.
FILTER_COLUMNS: dict[str, str] = {
    "countries": "country", "regions": "region", "cities": "city", "categories": "category",
    "products": "product_id", "channels": "channel", "devices": "device_id",
}


def _utc_midnight(day_number: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day_number)


def _in_days(table: ir.Table, days: tuple[int, int]) -> ir.BooleanValue:
    return table.local_day.between(days[0], days[1])


def _coarse_utc_bounds(table: ir.Table, days: tuple[int, int]) -> ir.BooleanValue:
    """A UTC superset of a local date range (zones lie within +-14 h of UTC): lets Parquet skip row groups."""
    return (table.event_time >= _utc_midnight(days[0] - 1)) & (table.event_time < _utc_midnight(days[1] + 2))


def dimension(table: ir.Table, name: str, plan: QueryPlan) -> ir.Value:
    """The column a group-by dimension reads (on the local-time table)."""
    if name == "hour_of_day":
        return table.local_hour
    if name == "day_of_week":
        return table.local_weekday
    if name == "day":
        return table.local_day
    if name == "week":
        return table.local_day - table.local_weekday  # the day number of the week's Monday
    if name == "month":
        return month_key(table.local_day, plan)
    return table[{"product": "product_id"}.get(name, name)]


def month_key(day: ir.IntegerValue, plan: QueryPlan) -> ir.IntegerValue:
    """year * 12 + (month - 1) of a local day number, as a CASE over the month starts the data spans.

    Backends' date functions depend on session time zones and differ in name; comparing integers does not.
    """
    first = plan.data_first_day - timedelta(days=1)  # local dates run up to a day either side of UTC ones
    last = plan.data_last_day + timedelta(days=1)
    key = first.year * 12 + first.month - 1
    branches = []
    while key < last.year * 12 + last.month - 1:
        year, month0 = divmod(key + 1, 12)
        next_start = date(year, month0 + 1, 1)
        branches.append((day < day_number(next_start), ibis.literal(key)))
        key += 1
    return ibis.cases(*branches, else_=ibis.literal(key)) if branches else ibis.literal(key)


def filtered_events(events: ir.Table, spec: QuerySpec, plan: QueryPlan) -> ir.Table:
    """The events the spec counts, with local-time columns added."""
    table = events
    event_types = METRIC_EVENT_TYPES[spec.metric]
    conditions = [table.event_time <= plan.as_of]
    if event_types is not None:
        conditions.append(table.event_type.isin(event_types))
    ranges = [r for r in (plan.current_days, plan.previous_days) if r is not None]
    if ranges:
        coarse = [_coarse_utc_bounds(table, r) for r in ranges]
        conditions.append(coarse[0] if len(coarse) == 1 else coarse[0] | coarse[1])
    for field, column in FILTER_COLUMNS.items():
        values = getattr(spec.filters, field)
        if values:
            conditions.append(table[column].isin(values))
    table = table.filter(*conditions)
    if spec.metric in MONEY_METRICS:
        table = table.mutate(reporting_amount=reporting_amount(table, plan.money))
    if "local_day" not in table.columns:  # the query cache stores local time; Parquet and Spark compute it
        table = with_local_time(table, plan.data_first_day, plan.data_last_day, plan.zones)

    local = []
    if ranges:
        exact = [_in_days(table, r) for r in ranges]
        local.append(exact[0] if len(exact) == 1 else exact[0] | exact[1])
    if spec.filters.days_of_week:
        local.append(table.local_weekday.isin([WEEKDAYS.index(d) for d in spec.filters.days_of_week]))
    hours = spec.filters.local_hours()
    if len(hours) < 24:
        local.append(table.local_hour.isin(sorted(hours)))
    return table.filter(*local) if local else table


def aggregate_metric(table: ir.Table, metric: str, keys: dict[str, ir.Value], name: str) -> ir.Table:
    """`metric` per combination of `keys`, as column `name` (one row in all when there are no keys)."""
    if metric in SESSION_METRICS:
        return session_metric(table, metric, keys, name)
    value = {name: metric_value(metric, table)}
    return table.group_by(**keys).aggregate(**value) if keys else table.aggregate(**value)


def _groups(table: ir.Table, spec: QuerySpec, plan: QueryPlan) -> dict[str, ir.Value]:
    return {name: dimension(table, name, plan) for name in spec.group_by}


def _two_slices(
    table: ir.Table, spec: QuerySpec, plan: QueryPlan, names: tuple[str, str], in_first: ir.BooleanValue,
    in_second: ir.BooleanValue | None = None,
) -> ir.Table:
    """The metric per group over the rows in `in_first` and over those in `in_second` (default: all the
    others), side by side as columns `names`.

    Computed per (group, slice) and then pivoted: one distinct-count pass instead of one per slice. Slices
    that overlap (a month compared with the month shifted by a week) get their shared rows twice.
    """
    groups = _groups(table, spec, plan)
    if in_second is None:
        keyed = table.mutate(**groups, slice_=in_first)
    else:
        keyed = table.filter(in_first).mutate(**groups, slice_=True).union(
            table.filter(in_second).mutate(**groups, slice_=False), distinct=False
        )
    per_slice = aggregate_metric(keyed, spec.metric,
                                 {**{g: keyed[g] for g in groups}, "slice_": keyed.slice_}, "value_")
    empty = None if spec.metric in RATIO_METRICS else 0  # a slice without rows has 0 events but no ratio
    first = per_slice.value_.max(where=per_slice.slice_)
    second = per_slice.value_.max(where=~per_slice.slice_)
    pivot = {
        names[0]: first if empty is None else first.fill_null(empty),
        names[1]: second if empty is None else second.fill_null(empty),
    }
    return (per_slice.group_by(spec.group_by).aggregate(**pivot) if spec.group_by
            else per_slice.aggregate(**pivot))


def _spike(table: ir.Table, spec: QuerySpec, plan: QueryPlan) -> ir.Table:
    spike = spec.comparison
    assert isinstance(spike, Spike)
    in_window = (table.local_weekday.isin([WEEKDAYS.index(d) for d in spike.days_of_week])
                 & table.local_hour.between(spike.hour_from, spike.hour_to - 1))
    counts = _two_slices(table, spec, plan, ("window_count", "baseline_count"), in_window)
    h_in, h_out = plan.window_hours, plan.baseline_hours
    p = h_in / (h_in + h_out)  # the window's share of the hours: its expected share of events if no spike
    c_in, c_out = counts.window_count.cast("float64"), counts.baseline_count.cast("float64")
    n = c_in + c_out
    baseline_rate = c_out / h_out
    lift = (c_in / h_in) / baseline_rate.nullif(0)
    log_se = (1 / c_in.nullif(0) + 1 / c_out.nullif(0)).sqrt()  # log-normal interval of a Poisson rate ratio
    stats = counts.mutate(
        window_hours=ibis.literal(h_in),
        window_rate=c_in / h_in,
        baseline_hours=ibis.literal(h_out),
        baseline_rate=baseline_rate,
        lift=lift,
        lift_lo=lift * (-Z_95 * log_se).exp(),
        lift_hi=lift * (Z_95 * log_se).exp(),
        excess=c_in - baseline_rate * h_in,
        # conditional test: given n events, the window's count is Binomial(n, p) when the rates are equal
        z=(c_in - n * p) / (n * p * (1 - p)).sqrt().nullif(0),
        groups_total=counts.window_count.count(),  # a reduction in mutate is a window over all groups
    )
    supported = stats.filter(stats.window_count >= spike.min_support)
    return supported.mutate(groups_supported=supported.window_count.count())


def compile_query(events: ir.Table, spec: QuerySpec, plan: QueryPlan) -> ir.Table:
    """The ordered, limited result of `spec` as an ibis table (columns: spec.output_columns(), and for a spike
    groups_total and groups_supported: how many groups there were before and after the min_support cut)."""
    table = filtered_events(events, spec, plan)
    comparison = spec.comparison
    if isinstance(comparison, Spike):
        result = _spike(table, spec, plan)
    elif isinstance(comparison, PeriodOverPeriod):
        result = _two_slices(
            table, spec, plan, ("current", "previous"), _in_days(table, plan.current_days),
            _in_days(table, plan.previous_days),
        )
        result = result.mutate(
            change=result.current - result.previous,
            pct_change=(result.current - result.previous) / result.previous.nullif(0),
        )
    else:
        result = aggregate_metric(table, spec.metric, _groups(table, spec, plan), spec.metric)
        if isinstance(comparison, ShareOfTotal):
            result = result.mutate(share=result[spec.metric] / result[spec.metric].sum().nullif(0))

    keys = _sort_keys(result, spec)
    limit = spec.top_k if spec.top_k is not None else MAX_ROWS + 1  # one extra row tells us it was cut
    columns = [*spec.output_columns(),
               *(["groups_total", "groups_supported"] if isinstance(comparison, Spike) else [])]
    return result.order_by(keys).limit(limit).select(columns)


def _sort_keys(result: ir.Table, spec: QuerySpec) -> list[ir.Value]:
    """Order by the requested column, then by the groups so ties come out the same on every backend."""
    order_by = spec.order_by or spec.default_order_by()
    groups = [ibis.asc(result[g], nulls_first=False) for g in spec.group_by if g != order_by]
    if spec.reads_in_time_order():
        return groups
    column = result[order_by]
    primary = (ibis.desc(column, nulls_first=False) if spec.order == "desc"
               else ibis.asc(column, nulls_first=False))
    return [primary, *groups]
