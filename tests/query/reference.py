"""A plain pandas implementation of QuerySpec, written independently of the engine, to check it against.

Local time comes from pandas' own tz_convert (zoneinfo), not from the engine's offset tables; metrics are
computed group by group with ordinary pandas calls. Slow, obvious and exact.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from tools.events.regions import region_timezones
from tools.query.plan import resolve_period
from tools.query.spec import PeriodOverPeriod, QuerySpec, ShareOfTotal, Spike

COUNTRY_ZONE = {"FR": "Europe/Paris", "DE": "Europe/Berlin", "ES": "Europe/Madrid", "IT": "Europe/Rome",
                "GB": "Europe/London"}
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EUR = {"EUR": 1.0, "GBP": 1 / 0.86}
RATIOS = {"conversion_rate", "average_order_value", "refund_rate"}
# A group exists when it has events of the types its metric reads (no rows of zero orders from page views).
READS = {"orders": {"purchase"}, "revenue": {"purchase"}, "units": {"purchase"},
         "average_order_value": {"purchase"}, "refunds": {"refund"}, "refund_rate": {"purchase", "refund"},
         "views": {"view"}, "carts": {"cart"}, "searches": {"search"}}


def with_local_time(events: pd.DataFrame) -> pd.DataFrame:
    """Events plus local wall-clock columns, each converted in its region's zone (country's, else UTC)."""
    ev = events.copy()
    zone = ev["region"].map(region_timezones())
    zone = zone.fillna(ev["country"].map(COUNTRY_ZONE)).fillna("UTC")
    local = pd.Series(pd.NaT, index=ev.index, dtype="datetime64[us]")
    for tz, index in ev.groupby(zone).groups.items():
        local.loc[index] = (
            ev.loc[index, "event_time"].dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[us]")
        )
    ev["local"] = local
    ev["local_date"] = local.dt.date
    ev["local_hour"] = local.dt.hour
    ev["local_weekday"] = local.dt.weekday
    return ev


def _value(metric: str, g: pd.DataFrame) -> float:
    purchases = g[g["event_type"] == "purchase"]
    refunds = g[g["event_type"] == "refund"]
    revenue = float((purchases["price"] * purchases["quantity"].fillna(1)
                     * purchases["currency"].fillna("EUR").map(EUR)).sum())
    orders = purchases["order_id"].nunique()
    sessions = g["session_id"].nunique()
    values = {
        "orders": orders,
        "revenue": revenue,
        "units": float(purchases["quantity"].fillna(1).sum()),
        "sessions": sessions,
        "unique_users": g["user_id"].nunique(),
        "conversion_rate": purchases["session_id"].nunique() / sessions if sessions else np.nan,
        "average_order_value": revenue / orders if orders else np.nan,
        "refunds": refunds["order_id"].nunique(),
        "refund_rate": refunds["order_id"].nunique() / orders if orders else np.nan,
        "views": int((g["event_type"] == "view").sum()),
        "carts": int((g["event_type"] == "cart").sum()),
        "searches": int((g["event_type"] == "search").sum()),
        "events": len(g),
    }
    return values[metric]


def _keys(ev: pd.DataFrame, group_by: list[str]) -> pd.DataFrame:
    keys = pd.DataFrame(index=ev.index)
    for name in group_by:
        if name == "product":
            keys[name] = ev["product_id"]
        elif name == "hour_of_day":
            keys[name] = ev["local_hour"]
        elif name == "day_of_week":
            keys[name] = ev["local_weekday"].map(lambda d: DAY_NAMES[d])
        elif name == "day":
            keys[name] = ev["local_date"]
        elif name == "week":
            keys[name] = [d - timedelta(days=d.weekday()) for d in ev["local_date"]]
        elif name == "month":
            keys[name] = [d.replace(day=1) for d in ev["local_date"]]
        else:
            keys[name] = ev[name]
    return keys


def _per_group(ev: pd.DataFrame, spec: QuerySpec, column: str) -> pd.DataFrame:
    if not spec.group_by:
        return pd.DataFrame({column: [_value(spec.metric, ev)]})
    keys = _keys(ev, spec.group_by)
    rows = []
    for key, g in ev.groupby([keys[k] for k in spec.group_by], dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(spec.group_by, key)), column: _value(spec.metric, g)})
    return pd.DataFrame(rows, columns=[*spec.group_by, column])


def _exposure(spec: QuerySpec, start: date, end: date, as_of: pd.Timestamp) -> tuple[int, int]:
    spike = spec.comparison
    f = spec.filters
    hour_from, hour_to = f.hour_from or 0, 24 if f.hour_to is None else f.hour_to
    hours = (set(range(hour_from, hour_to)) if hour_from < hour_to
             else set(range(hour_from, 24)) | set(range(hour_to)))
    days = {d.capitalize() for d in f.days_of_week} or set(DAY_NAMES)
    inside = outside = 0
    for day in pd.date_range(start, end).date:
        if DAY_NAMES[day.weekday()] not in days:
            continue
        kept = {h for h in hours if day != as_of.date() or h <= as_of.hour}
        window = ({h for h in kept if spike.hour_from <= h < spike.hour_to}
                  if day.strftime("%A").lower() in spike.days_of_week else set())
        inside += len(window)
        outside += len(kept) - len(window)
    return inside, outside


def reference_query(events: pd.DataFrame, spec: QuerySpec) -> pd.DataFrame:
    """The result frame of `spec` (rows in no particular order; top_k and order are not applied)."""
    as_of = pd.Timestamp(spec.as_of) if spec.as_of is not None else events["event_time"].max()
    if as_of.tzinfo is None:
        as_of = as_of.tz_localize("UTC")
    first = events["event_time"].min().date()
    today = as_of.tz_convert("UTC").date()
    ev = events[events["event_time"] <= as_of]
    if spec.metric in READS:
        ev = ev[ev["event_type"].isin(READS[spec.metric])]
    ev = with_local_time(ev)
    f = spec.filters
    if f.period:
        period = resolve_period(f.period, today)
    elif f.date_from or f.date_to:
        period = (f.date_from or first, f.date_to or today)
    else:
        period = None
    if isinstance(spec.comparison, PeriodOverPeriod):
        period = period or (today - timedelta(days=6), today)
        shift = {"week": 7, "year": 364}.get(spec.comparison.shift, (period[1] - period[0]).days + 1)
        previous = (period[0] - timedelta(days=shift), period[1] - timedelta(days=shift))
    columns = {"countries": "country", "regions": "region", "cities": "city", "categories": "category",
               "products": "product_id", "channels": "channel", "devices": "device_id"}
    for field, column in columns.items():
        if getattr(f, field):
            ev = ev[ev[column].isin(getattr(f, field))]
    if f.days_of_week:
        ev = ev[ev["local_weekday"].map(lambda d: DAY_NAMES[d].lower()).isin(f.days_of_week)]
    if f.hour_from is not None or f.hour_to is not None:
        lo, hi = f.hour_from or 0, 24 if f.hour_to is None else f.hour_to
        ev = (ev[(ev["local_hour"] >= lo) & (ev["local_hour"] < hi)] if lo < hi
              else ev[(ev["local_hour"] >= lo) | (ev["local_hour"] < hi)])

    def in_range(frame: pd.DataFrame, rng: tuple[date, date]) -> pd.Series:
        return (frame["local_date"] >= rng[0]) & (frame["local_date"] <= rng[1])

    comparison = spec.comparison
    if isinstance(comparison, PeriodOverPeriod):
        cur = _per_group(ev[in_range(ev, period)], spec, "current")
        prev = _per_group(ev[in_range(ev, previous)], spec, "previous")
        out = (cur.merge(prev, on=spec.group_by, how="outer") if spec.group_by
               else pd.concat([cur, prev], axis=1))
        if spec.metric not in RATIOS:
            out[["current", "previous"]] = out[["current", "previous"]].fillna(0)
        out["change"] = out["current"] - out["previous"]
        out["pct_change"] = out["change"] / out["previous"].replace(0, np.nan)
        return out
    if period is not None:
        ev = ev[in_range(ev, period)]
    if isinstance(comparison, Spike):
        window = ev["local_weekday"].map(lambda d: DAY_NAMES[d].lower()).isin(comparison.days_of_week) & (
            ev["local_hour"] >= comparison.hour_from) & (ev["local_hour"] < comparison.hour_to)
        inside = _per_group(ev[window], spec, "window_count")
        outside = _per_group(ev[~window], spec, "baseline_count")
        out = (inside.merge(outside, on=spec.group_by, how="outer") if spec.group_by
               else pd.concat([inside, outside], axis=1))
        out = out.fillna({"window_count": 0, "baseline_count": 0})
        start = max(period[0], first) if period else first
        end = min(period[1], today) if period else today
        h_in, h_out = _exposure(spec, start, end, as_of)
        c_in, c_out = out["window_count"].astype(float), out["baseline_count"].astype(float)
        p = h_in / (h_in + h_out)
        out["window_hours"], out["baseline_hours"] = float(h_in), float(h_out)
        out["window_rate"] = c_in / h_in
        out["baseline_rate"] = c_out / h_out
        out["lift"] = out["window_rate"] / out["baseline_rate"].replace(0, np.nan)
        se = np.sqrt(1 / c_in.replace(0, np.nan) + 1 / c_out.replace(0, np.nan))
        out["lift_lo"] = out["lift"] * np.exp(-1.959964 * se)
        out["lift_hi"] = out["lift"] * np.exp(1.959964 * se)
        out["excess"] = c_in - out["baseline_rate"] * h_in
        n = c_in + c_out
        out["z"] = (c_in - n * p) / np.sqrt(n * p * (1 - p)).replace(0, np.nan)
        return out[out["window_count"] >= comparison.min_support]
    out = _per_group(ev, spec, spec.metric)
    if isinstance(comparison, ShareOfTotal):
        total = out[spec.metric].sum()
        out["share"] = out[spec.metric] / total if total else np.nan
    return out
