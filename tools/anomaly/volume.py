"""Regional volume anomalies: hourly event counts per region against a robust seasonal baseline.

Each region's hourly series (zero-filled, built in DuckDB) is scored with `tools.anomaly.seasonal`, aligned
on the region's local wall clock; consecutive flagged hours become one alert with its start, end, observed
and expected counts and a severity (the largest robust z of its scan windows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tools.anomaly.errors import AnomalyInputError
from tools.anomaly.period import Period, resolve_period
from tools.anomaly.seasonal import SeasonalConfig, flagged_spans, score_series
from tools.events.profile import ShopProfile
from tools.events.schema import EVENT_TYPES
from tools.events.store import EventStore
from tools.results import FULL_ROWS, NAMED_ROWS, ChartSpec

HOUR = pd.Timedelta(hours=1)
OUTAGE_RATIO = 0.25  # a drop to at most this share of the expected volume is called an outage

ALERT_COLUMNS = [
    "alert_id",
    "region",
    "category",
    "kind",
    "start",
    "end",
    "hours",
    "observed",
    "expected",
    "ratio",
    "severity",
]


@dataclass
class AnomalyReport:
    """Volume alerts (one row per merged anomaly, most severe first) and the scored hourly series."""

    frame: pd.DataFrame
    period: Period
    measure: str
    category: str | None
    series: dict[str, pd.DataFrame] = field(repr=False)  # region -> ts, observed, expected, lo, hi, flag
    country: str | None = None  # the country whose regions were scanned (None: one region, or all)

    def summary(self) -> str:
        what = (
            ("session" if self.measure == "sessions" else f"{self.measure} session")
            + " volume"
            + (f" in {self.category}" if self.category else "")
        )
        if self.frame.empty:  # the one region asked about by name ("anomalies in Perth?")
            where = next(iter(self.series)) if len(self.series) == 1 else f"{len(self.series)} region(s)"
            where += f" of {self.country}" if self.country else ""
            return f"No {what} anomalies in {where} from {self.period.describe()}."
        rows = list(self.frame.itertuples())
        full = [
            f"{row.kind} in {row.region} {row.start:%Y-%m-%d %H:%M}-{row.end:%H:%M} UTC "
            f"({row.observed:,.0f} vs {row.expected:,.0f} expected, severity {row.severity:.1f})"
            for row in rows[:FULL_ROWS]
        ]
        named = [f"{row.kind} in {row.region} {row.start:%Y-%m-%d}" for row in rows[FULL_ROWS:NAMED_ROWS]]
        return (
            f"{len(rows)} {what} anomalies from {self.period.describe()}: "
            + "; ".join(full)
            + (f"; also {', '.join(named)}" if named else "")
            + (f"; {len(rows) - NAMED_ROWS} more in the table" if len(rows) > NAMED_ROWS else "")
            + "."
        )

    def chart(self) -> ChartSpec | None:
        """The most severe alert's region (or the only region): observed, expected band and flagged spans."""
        if not self.series:
            return None
        region = self.frame["region"].iloc[0] if not self.frame.empty else next(iter(self.series))
        data = self.series[region][["ts", "observed", "expected", "lo", "hi"]]
        alerts = self.frame[self.frame["region"] == region]
        spans = [
            {"start": row.start.isoformat(), "end": row.end.isoformat(), "label": row.kind}
            for row in alerts.itertuples()
        ]
        return ChartSpec.from_frame(
            "series",
            f"Hourly {self.measure}, {region}",
            data,
            x="ts",
            y="observed",
            extra={"expected": "expected", "lo": "lo", "hi": "hi", "spans": spans},
        )


MEASURES: tuple[str, ...] = ("sessions", *EVENT_TYPES)


def _hourly_counts(
    store: EventStore,
    start: pd.Timestamp,
    end: pd.Timestamp,
    measure: str,
    region: str | None,
    category: str | None,
    country: str | None = None,
) -> pd.DataFrame:
    """ts, region, n: sessions (with an event of type `measure`, unless "sessions") per hour, from DuckDB.

    Sessions, not events, are counted: events come in clumps of a session's views and clicks, so their
    hourly counts are far noisier than the number of visits and would hide an outage or fake a surge. A
    session counts once, in the hour (and region) of its first matching event; events without a session
    count one each.
    """
    where = ["event_time >= ?", "event_time < ?", "region IS NOT NULL"]
    params: list[object] = [start.to_pydatetime(), end.to_pydatetime()]
    event_type = measure if measure in EVENT_TYPES else None
    for column, value in (("event_type", event_type), ("region", region), ("category", category),
                          ("country", country)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    matching = f"SELECT event_time, region, session_id FROM events WHERE {' AND '.join(where)}"
    sql = f"""
        SELECT date_trunc('hour', t) AS ts, region, count(*) AS n FROM (
            SELECT min(event_time) AS t, arg_min(region, event_time) AS region FROM ({matching})
            WHERE session_id IS NOT NULL GROUP BY session_id
            UNION ALL
            SELECT event_time, region FROM ({matching}) WHERE session_id IS NULL
        ) GROUP BY 1, 2
    """
    params = params * 2
    with store.connect() as con:
        return con.execute(sql, params).df()


def _check_category(store: EventStore, category: str) -> str:
    with store.connect() as con:
        known = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT category FROM events WHERE category IS NOT NULL"
            ).fetchall()
        ]
    lookup = {name.lower(): name for name in known}
    if category.lower() not in lookup:
        raise AnomalyInputError(
            f"Unknown category {category!r}. Categories in the store: {', '.join(sorted(known))}."
        )
    return lookup[category.lower()]


def detect_volume_anomalies(
    store: EventStore,
    since: str = "7d",
    region: str | None = None,
    category: str | None = None,
    measure: str = "sessions",
    as_of: pd.Timestamp | str | None = None,
    config: SeasonalConfig | None = None,
    country: str | None = None,
) -> AnomalyReport:
    """Surges and drops (outages) of hourly volume per region in the `since` period before `as_of`: of one
    `region`, of every region of one `country` (its ISO code), or of every region.

    `since` ('24h', '7d', '4w') counts back from `as_of`, by default the store's latest event. `measure` is
    what is counted: "sessions" (default: visits) or sessions with an event of one type ("purchase" counts
    buying sessions, "login", ...). `category` narrows to sessions touching one product category. The hour
    still in progress at the end of the period is not scored. Each region's weekly rhythm is read on its own
    clock (zones from the shop profile). Raises `UnknownPlace` or `AnomalyInputError` for bad input.
    """
    config = config or SeasonalConfig()
    if measure not in MEASURES:
        raise AnomalyInputError(f"Unknown measure {measure!r}. Valid: {', '.join(MEASURES)}.")
    profile = store.profile()
    region_name = profile.place(region, "region").name if region is not None else None
    category_name = _check_category(store, category) if category is not None else None
    with store.connect() as con:
        period = resolve_period(con, since, as_of)
    last_hour = (period.end - HOUR).floor("h")  # the last complete hour
    first_hour = period.start.floor("h")
    history_start = first_hour - config.n_seasons * config.season
    country_name = _country_name(profile, country) if country is not None else None
    counts = _hourly_counts(store, history_start, last_hour + HOUR, measure, region_name, category_name,
                            country)
    what = " ".join(filter(None, [measure, region_name, country_name, category_name]))
    if counts.empty:
        raise AnomalyInputError(
            f"No {what} between {history_start:%Y-%m-%d} and {period.end:%Y-%m-%d}; nothing to score."
        )
    counts["ts"] = pd.to_datetime(counts["ts"], utc=True)
    if counts["ts"].min() > first_hour - config.min_seasons * config.season:
        raise AnomalyInputError(
            f"Too little history for {what}: the seasonal baseline needs {config.min_seasons} weeks of data "
            f"before {first_hour:%Y-%m-%d}, the first is at {counts['ts'].min():%Y-%m-%d}. "
            "Use a later period."
        )
    # The series starts with the data: hours before the first event are unknown, not zero.
    hours = pd.date_range(max(history_start, counts["ts"].min().floor("h")), last_hour, freq="h")
    grid = counts.pivot_table(index="ts", columns="region", values="n", aggfunc="sum").reindex(
        hours, fill_value=0
    )
    grid = grid.fillna(0)

    alerts: list[dict[str, object]] = []
    series: dict[str, pd.DataFrame] = {}
    for name in grid.columns:
        scores = score_series(grid[name], config, tz=_region_zone(profile, name)).frame
        for first, last, sign in flagged_spans(scores, config.max_gap):
            start, end = scores["ts"].iloc[first], scores["ts"].iloc[last] + HOUR
            if end <= period.start:
                continue
            span = scores.iloc[first : last + 1]
            observed, expected = float(span["observed"].sum()), float(span["expected"].sum())
            ratio = observed / expected if expected > 0 else float("inf")
            kind = "surge" if sign > 0 else ("outage" if ratio <= OUTAGE_RATIO else "drop")
            alerts.append(
                {
                    "region": name,
                    "category": category_name,
                    "kind": kind,
                    "start": start,
                    "end": end,
                    "hours": int((end - start) / HOUR),
                    "observed": observed,
                    "expected": round(expected, 1),
                    "ratio": round(ratio, 3),
                    "severity": round(float(np.abs(span["z"]).max()), 2),
                }
            )
        in_period = scores[scores["ts"] >= first_hour]
        series[name] = in_period[["ts", "observed", "expected", "lo", "hi", "flag"]].reset_index(drop=True)

    frame = pd.DataFrame(alerts, columns=[c for c in ALERT_COLUMNS if c != "alert_id"])
    frame = frame.sort_values("severity", ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "alert_id", [f"VA-{i + 1}" for i in range(len(frame))])
    return AnomalyReport(frame=frame, period=period, measure=measure, category=category_name, series=series,
                         country=country_name)


def _country_name(profile: ShopProfile, code: str) -> str:
    """The name of the profile's country with ISO code `code` (the code itself for one it does not list)."""
    return next((p.name for p in profile.at_level("country") if p.country == code), code)


def _region_zone(profile: ShopProfile, name: str) -> str | None:
    """The zone of a region of the profile (None, scored in UTC, for a name the profile does not hold)."""
    zones = {place.tz for place in profile.find(name, "region")}
    return zones.pop() if len(zones) == 1 else None
