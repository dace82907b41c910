"""QueryResult: the frame, a one-line summary an LLM can quote, and the chart the UI draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from tools.events.profile import ShopProfile
from tools.query.plan import QueryPlan
from tools.query.spec import ADDITIVE_METRICS, Filters, PeriodOverPeriod, QuerySpec, ShareOfTotal, Spike
from tools.results import FULL_ROWS, ChartKind, ChartSpec

SUMMARY_ROWS = 3  # groups named in a summary line

_LABELS = {
    "orders": "orders", "revenue": "revenue ({currency})", "units": "units",
    "sessions": "sessions", "unique_users": "unique users", "conversion_rate": "conversion rate",
    "average_order_value": "average order value ({currency})", "refunds": "refunds",
    "refund_rate": "refund rate", "views": "views", "carts": "carts", "searches": "searches",
    "events": "events",
}
_RATES = ("conversion_rate", "refund_rate")
_MONEY = ("revenue", "average_order_value")
_GEO = ("region", "city", "country")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def format_value(metric: str, value: Any) -> str:
    """A metric value as people write it: 1,830 / 12,345.67 / 3.4%."""
    if value is None or pd.isna(value):
        return "n/a"
    if metric in _RATES:
        return f"{value:.1%}"
    if metric in _MONEY:
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _scope(filters: Filters) -> str:
    """Which events a summary counts besides its period (" in Bavaria; category Shoes"), so an answer never
    reads as the whole shop's when the call filtered it."""
    parts = []
    if places := [*filters.cities, *filters.regions, *filters.countries]:
        parts.append(f"in {', '.join(places)}")
    for name, values in (("category", filters.categories), ("product", filters.products),
                         ("channel", filters.channels), ("device", filters.devices)):
        if values:
            parts.append(f"{name}{'s' if len(values) > 1 else ''} {', '.join(values)}")
    if filters.days_of_week:
        parts.append(f"on {', '.join(filters.days_of_week)}")
    if filters.hour_from is not None or filters.hour_to is not None:
        parts.append(f"{filters.hour_from or 0:02d}:00-{filters.hour_to or 24:02d}:00 local time")
    return f" ({'; '.join(parts)})" if parts else ""


def _group_label(row: pd.Series, group_by: list[str]) -> str:
    parts = []
    for name in group_by:
        value = row[name]
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            parts.append(f"(no {name.replace('_', ' ')} recorded)")  # an export with countries only
        elif name == "hour_of_day":
            parts.append(f"{int(value):02d}:00")
        elif name == "week":
            parts.append(f"week of {value}")
        elif name == "month":
            parts.append(value.strftime("%Y-%m"))
        elif name == "product" and isinstance(row.get("product_name"), str) and row["product_name"]:
            parts.append(f"{row['product_name']} ({value})")
        else:
            parts.append(str(value))
    return " / ".join(parts)


@dataclass
class QueryResult:
    """What `run_query` returns (meets tools.results.EngineResult)."""

    spec: QuerySpec
    frame: pd.DataFrame
    plan: QueryPlan
    backend: str
    elapsed_ms: float
    truncated: bool = False  # more rows matched than the row cap
    spike_groups: tuple[int, int] | None = None  # spike: (groups with min_support, all groups)
    expr: ir.Table | None = field(default=None, repr=False)  # the compiled query (non-DuckDB backends)
    query_sql: str | None = field(default=None, repr=False)  # the SQL that ran (DuckDB backends)
    profile: ShopProfile = field(default_factory=ShopProfile, repr=False)  # places (map points), currency
    unrated: tuple[str, ...] = ()  # currencies of the store's money without a rate: left out of money sums

    def sql(self) -> str:
        """The SQL ibis generated for the backend that ran the query, for display and audit."""
        if self.query_sql is not None:
            return self.query_sql
        return "" if self.expr is None else str(ibis.to_sql(self.expr))

    def metric_label(self) -> str:
        """What the metric is called, money in the shop's reporting currency ("revenue (USD)")."""
        return _LABELS[self.spec.metric].format(currency=self.plan.money.currency)

    # ------------------------------------------------------------------ summary
    def summary(self) -> str:
        """One line an LLM can quote, naming the top groups with their numbers, and the currencies its sums
        leave out."""
        if not self.unrated:
            return self._summary()
        codes = ", ".join(self.unrated)
        return (f"{self._summary()} Amounts in {codes} are left out: the shop's profile has no rate from "
                f"{codes} into {self.plan.money.currency}.")

    def _summary(self) -> str:
        spec, frame = self.spec, self.frame
        metric = self.metric_label()
        by = f" by {', '.join(g.replace('_', ' ') for g in spec.group_by)}" if spec.group_by else ""
        by += _scope(spec.filters)
        period = self.plan.period_label()
        if isinstance(spec.comparison, Spike):
            return self._spike_summary(spec.comparison, metric, period)
        if frame.empty:
            return f"No events match: {metric}{by}, {period}."
        # "top 5 products": as many rows as asked for, up to FULL_ROWS; else SUMMARY_ROWS
        head = frame.head(spec.top_k if spec.top_k and spec.top_k <= FULL_ROWS else SUMMARY_ROWS)
        end = "bottom" if spec.order == "asc" else "top"
        more = (f" ({end} {len(head)} of {len(frame)}{'+' if self.truncated else ''})"
                if len(frame) > len(head) else "")
        if isinstance(spec.comparison, PeriodOverPeriod):
            prev = self.plan.previous
            versus = f"{period} vs {prev[0]} to {prev[1]}" if prev else period
            if not spec.group_by:
                row = frame.iloc[0]
                return f"{_cap(metric)}, {versus}: {self._change(row)}."
            items = [f"{_group_label(r, spec.group_by)} {self._change(r)}" for _, r in head.iterrows()]
            return f"{_cap(metric)}{by}, {versus}: {'; '.join(items)}{more}."
        if isinstance(spec.comparison, ShareOfTotal):
            items = [
                (f"{_group_label(r, spec.group_by)} {r['share']:.1%} "
                 f"({format_value(spec.metric, r[spec.metric])})")
                for _, r in head.iterrows()
            ]
            return f"Share of {metric}{by}, {period}: {'; '.join(items)}{more}."
        if not spec.group_by:
            return f"{_cap(metric)}, {period}: {format_value(spec.metric, frame.iloc[0][spec.metric])}."
        if spec.reads_in_time_order():
            return f"{_cap(metric)}{by}, {period}: {self._highs_and_low()}{self._total()}."
        items = [f"{_group_label(r, spec.group_by)} {format_value(spec.metric, r[spec.metric])}"
                 for _, r in head.iterrows()]
        lowest = ", lowest first" if spec.order == "asc" else ""
        return f"{_cap(metric)}{by}, {period}{lowest}: {'; '.join(items)}{more}{self._total()}."

    def _highs_and_low(self) -> str:
        """A breakdown in time order, told by its highest groups and its lowest (what "busiest" asks)."""
        spec, frame = self.spec, self.frame

        def item(row: pd.Series) -> str:
            label = f"{_group_label(row, spec.group_by)}{self._part_of(row)}"
            return f"{label} {format_value(spec.metric, row[spec.metric])}"

        ranked = frame.sort_values(spec.metric, ascending=False, kind="stable")
        highs = "; ".join(item(r) for _, r in ranked.head(SUMMARY_ROWS).iterrows())
        if len(frame) <= SUMMARY_ROWS:
            return f"highest {highs}"
        return f"highest {highs} (of {len(frame)}); lowest {item(ranked.iloc[-1])}"

    def _part_of(self, row: pd.Series) -> str:
        """" (to 2026-12-06)" for a week or month the period (or the data) cuts short, " (from ...)" for one
        it starts inside: "lowest 2026-12" read as the worst month when it had six days."""
        grain = self.spec.group_by[0] if len(self.spec.group_by) == 1 else None
        if grain not in ("week", "month") or row[grain] is None or pd.isna(row[grain]):
            return ""
        start = pd.Timestamp(row[grain])
        end = start + (pd.Timedelta(days=6) if grain == "week" else pd.offsets.MonthEnd(0))
        first, last = self.plan.current or (self.plan.data_first_day, self.plan.data_last_day)
        if start.date() < first:
            return f" (from {first})"
        return f" (to {last})" if end.date() > last else ""

    def _total(self) -> str:
        """"; total X" over the groups of a whole breakdown of an additive metric (none when `top_k` or the
        row cap may have cut rows off: their values would be missing from the sum)."""
        spec, frame = self.spec, self.frame
        cut = self.truncated or (spec.top_k is not None and len(frame) >= spec.top_k)
        if cut or len(frame) < 2 or spec.metric not in ADDITIVE_METRICS:
            return ""
        return f"; total {format_value(spec.metric, frame[spec.metric].sum())}"

    def _change(self, row: pd.Series) -> str:
        metric = self.spec.metric
        pct = row["pct_change"]
        change = "new" if pct is None or pd.isna(pct) else f"{pct:+.1%}"
        return f"{change} ({format_value(metric, row['previous'])} -> {format_value(metric, row['current'])})"

    def _spike_summary(self, spike: Spike, metric: str, period: str) -> str:
        spec, frame = self.spec, self.frame
        what = f"{spike.label()} {metric}"
        unit = spec.group_by[0].replace("_", " ") if spec.group_by else "group"
        if frame.empty:
            return (
                f"No {unit} has at least {spike.min_support:,} {metric} in the {spike.label()} window "
                f"({period}); lower min_support or widen the period."
            )
        rows = [r for _, r in frame.head(SUMMARY_ROWS).iterrows()]
        first = rows[0]
        name = _group_label(first, spec.group_by) if spec.group_by else "All events"
        line = (
            f"{name}: {what} {first['lift']:.1f}x its baseline "
            f"(z={first['z']:.1f}, {first['window_count']:,.0f} {metric})"
        )
        if len(rows) > 1:
            others = ", ".join(
                f"{_group_label(r, spec.group_by)} {r['lift']:.1f}x (z={r['z']:.1f}, "
                f"{r['window_count']:,.0f})"
                for r in rows[1:]
            )
            line += f"; then {others}"
        supported, total = self.spike_groups or (len(frame), len(frame))
        return (f"{line} [{period}; {supported} of {total} {_plural(unit)} have >= {spike.min_support} "
                f"window {metric}].")

    # ------------------------------------------------------------------ chart
    def value_column(self) -> str:
        """The column a chart plots."""
        comparison = self.spec.comparison
        if isinstance(comparison, Spike):
            return "lift"
        if isinstance(comparison, PeriodOverPeriod):
            return "change"
        if isinstance(comparison, ShareOfTotal):
            return "share"
        return self.spec.metric

    def chart(self, kind: ChartKind | None = None) -> ChartSpec | None:
        """Bars per group, an hour x weekday heatmap, a series over time, or (kind="map") map points.

        Without `kind` the chart follows the group-by; None when there is nothing to draw.
        """
        spec, frame, value = self.spec, self.frame, self.value_column()
        if frame.empty or not spec.group_by:
            return None
        what = _cap(self.metric_label())
        if isinstance(spec.comparison, Spike):
            what = f"{spec.comparison.label()} {self.metric_label()}: lift over baseline"
        elif isinstance(spec.comparison, PeriodOverPeriod):
            what = f"{what}: change vs {spec.comparison.shift} before"
        elif isinstance(spec.comparison, ShareOfTotal):
            what = f"Share of {self.metric_label()}"
        title = (f"{what} by {', '.join(g.replace('_', ' ') for g in spec.group_by)} "
                 f"({self.plan.period_label()})")
        groups = set(spec.group_by)
        if kind == "map":
            return self._map(title, value)
        if kind in (None, "heatmap") and {"hour_of_day", "day_of_week"} <= groups:
            return ChartSpec.from_frame("heatmap", title, frame, x="hour_of_day", y="day_of_week",
                                        value=value)
        if kind in (None, "series") and spec.group_by[0] in ("day", "week", "month"):
            color = spec.group_by[1] if len(spec.group_by) > 1 else None
            return ChartSpec.from_frame("series", title, frame, x=spec.group_by[0], y=value, color=color)
        if kind in (None, "bar"):
            color = spec.group_by[1] if len(spec.group_by) > 1 else None
            return ChartSpec.from_frame("bar", title, frame, x=spec.group_by[0], y=value, color=color)
        if kind == "table":
            return ChartSpec.from_frame("table", title, frame)
        return None

    def _map(self, title: str, value: str) -> ChartSpec | None:
        geo = [g for g in self.spec.group_by if g in _GEO]
        if not geo:
            return None
        where = self.profile.points()[geo[0]]
        points = self.frame.assign(label=self.frame[geo[0]])
        points["lat"] = points[geo[0]].map(lambda k: where.get(k, (None, None))[0])
        points["lon"] = points[geo[0]].map(lambda k: where.get(k, (None, None))[1])
        points = points.dropna(subset=["lat", "lon"])
        return ChartSpec.from_frame("map", title, points, value=value,
                                    extra={"lat": "lat", "lon": "lon", "label": "label"})


def _plural(noun: str) -> str:
    """"city" -> "cities", "region" -> "regions"."""
    return f"{noun[:-1]}ies" if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou") else f"{noun}s"
