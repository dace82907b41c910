"""QueryResult: the frame, a one-line summary an LLM can quote, and the chart the UI draws."""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from tools.events.profile import ShopProfile
from tools.query.plan import QueryPlan
from tools.query.spec import ADDITIVE_METRICS, Filters, PeriodOverPeriod, QuerySpec, ShareOfTotal, Spike
from tools.query.words import dimension_name, format_value, metric_name, percent, weekday_name, words
from tools.results import FULL_ROWS, ChartKind, ChartSpec

SUMMARY_ROWS = 3  # groups named in a summary line

_GEO = ("region", "city", "country")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _scope(filters: Filters, language: str) -> str:
    """Which events a summary counts besides its period (" (in Bavaria; category Shoes)"), so an answer never
    reads as the whole shop's when the call filtered it."""
    said, parts = words(language), []
    if places := [*filters.cities, *filters.regions, *filters.countries]:
        parts.append(said["in"].format(places=", ".join(places)))
    for name, values in (("category", filters.categories), ("product", filters.products)):
        if values:
            parts.append(said[name if len(values) == 1 else f"{name}s"].format(names=", ".join(values)))
    for name, values in (("channel", filters.channels), ("device", filters.devices)):
        if values:
            parts.append(f"{name}{'s' if len(values) > 1 else ''} {', '.join(values)}")
    if filters.days_of_week:
        days = ", ".join(weekday_name(day, language) for day in filters.days_of_week)
        parts.append(said["on"].format(days=days))
    if filters.hour_from is not None or filters.hour_to is not None:
        parts.append(said["hours"].format(start=filters.hour_from or 0, end=filters.hour_to or 24))
    return f" ({'; '.join(parts)})" if parts else ""


def _group_label(row: pd.Series, group_by: list[str], language: str = "en") -> str:
    parts = []
    for name in group_by:
        value = row[name]
        if value is None or (not isinstance(value, str) and pd.isna(value)):  # an export with countries only
            parts.append(words(language)["none_recorded"].format(dim=dimension_name(name, language)))
        elif name == "hour_of_day":
            parts.append(f"{int(value):02d}:00")
        elif name == "week":
            parts.append(words(language)["week_of"].format(week=value))
        elif name == "month":
            parts.append(value.strftime("%Y-%m"))
        elif name == "product" and isinstance(row.get("product_name"), str) and row["product_name"]:
            parts.append(f"{row['product_name']} ({value})")
        elif name == "day_of_week":
            parts.append(weekday_name(str(value), language))
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

    def metric_label(self, language: str = "en") -> str:
        """What the metric is called, money in the shop's reporting currency ("revenue (USD)")."""
        return metric_name(self.spec.metric, self.plan.money.currency, language)

    def _period_label(self, language: str) -> str:
        """The period counted ("2024-05-01 to 2024-05-30", "all data to 2024-05-30") in `language`."""
        said, plan = words(language), self.plan
        if plan.current is None:
            return said["all_data"].format(end=plan.as_of.date())
        start, end = plan.current
        return str(start) if start == end else said["span"].format(start=start, end=end)

    # ------------------------------------------------------------------ summary
    def summary(self, language: str = "en") -> str:
        """One line an LLM can quote, naming the top groups with their numbers, and the currencies its sums
        leave out; in another of the five languages for the answer an operator reads (spikes and shares
        of the total stay in English)."""
        if isinstance(self.spec.comparison, (Spike, ShareOfTotal)):
            language = "en"
        if not self.unrated:
            return self._summary(language)
        codes = ", ".join(self.unrated)
        return self._summary(language) + words(language)["unrated"].format(
            codes=codes, currency=self.plan.money.currency)

    def _summary(self, language: str) -> str:
        spec, frame, said = self.spec, self.frame, words(language)
        metric = self.metric_label(language)
        by = (said["by"].format(dims=", ".join(dimension_name(g, language) for g in spec.group_by))
              if spec.group_by else "")
        by += _scope(spec.filters, language)
        period = self._period_label(language)
        if isinstance(spec.comparison, Spike):
            return self._spike_summary(spec.comparison, metric, period)
        if frame.empty:
            return said["no_events"].format(what=f"{metric}{by}", period=period)
        # "top 5 products": as many rows as asked for, up to FULL_ROWS; else SUMMARY_ROWS
        head = frame.head(spec.top_k if spec.top_k and spec.top_k <= FULL_ROWS else SUMMARY_ROWS)
        end = "bottom" if spec.order == "asc" else "top"
        count = f"{len(frame)}{'+' if self.truncated else ''}"
        more = f" ({said[end].format(shown=len(head), count=count)})" if len(frame) > len(head) else ""
        if isinstance(spec.comparison, PeriodOverPeriod):
            prev = self.plan.previous
            versus = said["versus"].format(period=period, start=prev[0], end=prev[1]) if prev else period
            if not spec.group_by:
                return f"{_cap(metric)}, {versus}: {self._change(frame.iloc[0], language)}."
            items = [f"{_group_label(r, spec.group_by, language)} {self._change(r, language)}"
                     for _, r in head.iterrows()]
            return f"{_cap(metric)}{by}, {versus}: {'; '.join(items)}{more}."
        if isinstance(spec.comparison, ShareOfTotal):
            items = [
                (f"{_group_label(r, spec.group_by)} {r['share']:.1%} "
                 f"({format_value(spec.metric, r[spec.metric])})")
                for _, r in head.iterrows()
            ]
            return f"Share of {metric}{by}, {period}: {'; '.join(items)}{more}."
        if not spec.group_by:
            value = format_value(spec.metric, frame.iloc[0][spec.metric], language)
            return f"{_cap(metric)}, {period}: {value}."
        if spec.reads_in_time_order():
            return f"{_cap(metric)}{by}, {period}: {self._highs_and_low(language)}{self._total(language)}."
        items = [f"{_group_label(r, spec.group_by, language)} "
                 f"{format_value(spec.metric, r[spec.metric], language)}" for _, r in head.iterrows()]
        lowest = said["lowest_first"] if spec.order == "asc" else ""
        return f"{_cap(metric)}{by}, {period}{lowest}: {'; '.join(items)}{more}{self._total(language)}."

    def _highs_and_low(self, language: str) -> str:
        """A breakdown in time order, told by its highest groups and its lowest (what "busiest" asks)."""
        spec, frame, said = self.spec, self.frame, words(language)

        def item(row: pd.Series) -> str:
            label = f"{_group_label(row, spec.group_by, language)}{self._part_of(row, language)}"
            return f"{label} {format_value(spec.metric, row[spec.metric], language)}"

        ranked = frame.sort_values(spec.metric, ascending=False, kind="stable")
        highest = "; ".join(item(row) for _, row in ranked.head(SUMMARY_ROWS).iterrows())
        highs = said["highest"].format(items=highest)
        if len(frame) <= SUMMARY_ROWS:
            return highs
        lowest = said["lowest"].format(item=item(ranked.iloc[-1]))
        return f"{highs}{said['of'].format(count=len(frame))}{lowest}"

    def _part_of(self, row: pd.Series, language: str) -> str:
        """" (to 2026-12-06)" for a week or month the period (or the data) cuts short, " (from ...)" for one
        it starts inside: "lowest 2026-12" read as the worst month when it had six days."""
        grain = self.spec.group_by[0] if len(self.spec.group_by) == 1 else None
        if grain not in ("week", "month") or row[grain] is None or pd.isna(row[grain]):
            return ""
        start = pd.Timestamp(row[grain])
        end = start + (pd.Timedelta(days=6) if grain == "week" else pd.offsets.MonthEnd(0))
        first, last = self.plan.current or (self.plan.data_first_day, self.plan.data_last_day)
        if start.date() < first:
            return words(language)["from_day"].format(day=first)
        return words(language)["to_day"].format(day=last) if end.date() > last else ""

    def _total(self, language: str) -> str:
        """"; total X" over the groups of a whole breakdown of an additive metric (none when `top_k` or the
        row cap may have cut rows off: their values would be missing from the sum)."""
        spec, frame = self.spec, self.frame
        cut = self.truncated or (spec.top_k is not None and len(frame) >= spec.top_k)
        if cut or len(frame) < 2 or spec.metric not in ADDITIVE_METRICS:
            return ""
        total = format_value(spec.metric, frame[spec.metric].sum(), language)
        return words(language)["total"].format(value=total)

    def _change(self, row: pd.Series, language: str) -> str:
        metric = self.spec.metric
        pct = row["pct_change"]
        new = pct is None or pd.isna(pct)
        change = words(language)["new"] if new else percent(pct, language, signed=True)
        previous = format_value(metric, row["previous"], language)
        return f"{change} ({previous} -> {format_value(metric, row['current'], language)})"

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
