"""Reference answers computed straight from a shop's stored events, orders and products with pandas.

Nothing here calls the agent's tools or the query engine: the definitions are written again from the
contracts (DESIGN.md, the metric docstrings), so a wrong tool result cannot make its own answer right.

- Local time: an event's city zone, else its region's, else its country's when that country keeps one clock.
- Periods are local calendar dates counted back from "today", the UTC date of the latest event.
- Money is in the shop's reporting currency: fixed rates, or the latest dated rate on or before the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from tools.events.profile import ShopProfile
from tools.events.store import EventStore

COLUMNS = ("event_time", "event_type", "user_id", "session_id", "product_id", "category", "quantity", "price",
           "currency", "country", "region", "city", "order_id")
RATIO_METRICS = ("conversion_rate", "average_order_value")
MONEY_METRICS = ("revenue", "average_order_value")
LEVEL_COLUMNS = {"region": "region", "city": "city", "country": "country", "category": "category",
                 "product": "product_id", "day_of_week": "weekday", "hour_of_day": "hour"}


@dataclass
class ShopData:
    """One shop's events with local time, its orders and products, and its profile."""

    events: pd.DataFrame
    orders: pd.DataFrame
    products: pd.DataFrame
    profile: ShopProfile
    today: date
    cache: dict[Any, Any] = field(default_factory=dict)  # checks keep derived sets here


_LOADED: dict[tuple[str, str, tuple[str, ...]], ShopData] = {}


def shop_data(store: EventStore, profile: ShopProfile | None = None) -> ShopData:
    """The store's data as frames (cached per store snapshot and live batches)."""
    profile = profile or store.profile()
    key = (str(store.root.resolve()), str(store.snapshot), tuple(p.name for p in store.live_files()))
    if key not in _LOADED:
        with store.connect() as con:
            events = con.execute(f"SELECT {', '.join(COLUMNS)} FROM events").fetchdf()
            orders = con.execute("SELECT * FROM orders").fetchdf()
            products = con.execute("SELECT * FROM products").fetchdf()
        latest = pd.to_datetime(events["event_time"], utc=True).max() if len(events) else None
        events = _with_local_time(events, profile)
        today = latest.date() if latest is not None else date.today()
        _LOADED.clear()  # one shop at a time: a 1M-event frame is a few hundred MB
        _LOADED[key] = ShopData(events, orders, products, profile, today)
    data = _LOADED[key]
    data.profile = profile
    return data


def _zone_table(profile: ShopProfile) -> tuple[dict, dict, dict]:
    cities = {(p.country, (p.parent or "").casefold(), p.name.casefold()): p.tz
              for p in profile.places if p.level == "city"}
    regions = {(p.country, p.name.casefold()): p.tz for p in profile.places if p.level == "region"}
    zones_by_country: dict[str, set[str]] = {}
    for p in profile.places:
        zones_by_country.setdefault(p.country, set()).add(p.tz)
    countries = {code: next(iter(zones)) for code, zones in zones_by_country.items() if len(zones) == 1}
    return cities, regions, countries


def zone_for(profile: ShopProfile, country: str | None, region: str | None, city: str | None) -> str:
    """The IANA zone of an event's place (UTC when the profile cannot tell)."""
    cities, regions, countries = _zone_table(profile)
    if city and (country, (region or "").casefold(), city.casefold()) in cities:
        return cities[(country, (region or "").casefold(), city.casefold())]
    if region and (country, region.casefold()) in regions:
        return regions[(country, region.casefold())]
    return countries.get(country or "", profile.tz or "UTC")


def _with_local_time(events: pd.DataFrame, profile: ShopProfile) -> pd.DataFrame:
    events = events.copy()
    utc = pd.to_datetime(events["event_time"], utc=True)
    places = events[["country", "region", "city"]].astype(object).where(events[["country", "region", "city"]]
                                                                       .notna(), None)
    keys = list(zip(places["country"], places["region"], places["city"]))
    zone_of_key = {k: zone_for(profile, *k) for k in set(keys)}
    zones = pd.Series([zone_of_key[k] for k in keys], index=events.index)
    local_date = pd.Series(pd.NaT, index=events.index, dtype="datetime64[ns]")
    hour = pd.Series(0, index=events.index, dtype="int64")
    for zone, index in zones.groupby(zones).groups.items():
        local = utc.loc[index].dt.tz_convert(zone)
        local_date.loc[index] = local.dt.tz_localize(None).dt.normalize().to_numpy()
        hour.loc[index] = local.dt.hour.to_numpy()
    events["local_day"] = (local_date.to_numpy().astype("datetime64[D]").astype("int64")).astype("int32")
    events["weekday"] = local_date.dt.dayofweek
    events["hour"] = hour
    events["utc_date"] = utc.dt.date
    events["quantity"] = events["quantity"].fillna(1)
    events["amount"] = events["price"] * events["quantity"] * _rates(events, profile)
    for column in ("event_type", "category", "currency", "country", "region", "city"):
        events[column] = events[column].astype("category")
    return events


def _rates(events: pd.DataFrame, profile: ShopProfile) -> pd.Series:
    currency = events["currency"].fillna(profile.currency).str.upper()
    rate = pd.Series(np.nan, index=events.index)
    rate[currency == profile.currency] = 1.0
    for code, value in profile.rates.items():
        rate[currency == code] = value
    for entry in sorted(profile.dated_rates, key=lambda r: r.since):
        rate[(currency == entry.currency) & (events["utc_date"] >= entry.since)] = entry.rate
    return rate


def day_number(day: date) -> int:
    """Days since 1970-01-01 (how local dates are kept in the events frame)."""
    return (day - date(1970, 1, 1)).days


def period_range(period: Any, today: date) -> tuple[date, date] | None:
    """Inclusive local date range of a period: "all", "today", "last_7_days", {"last_days": n},
    "this_week", "last_week", "this_month", "last_month", {"month": 3}, {"from": ..., "to": ...}."""
    if period in (None, "all", "all_time"):
        return None
    if isinstance(period, dict):
        if "last_days" in period:
            return today - timedelta(days=int(period["last_days"]) - 1), today
        if "month" in period:
            year = today.year if int(period["month"]) <= today.month else today.year - 1
            first = date(year, int(period["month"]), 1)
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            return first, min(last, today)
        return date.fromisoformat(period["from"]), date.fromisoformat(period.get("to", today.isoformat()))
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    previous_month_end = first_of_month - timedelta(days=1)
    named = {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "this_week": (monday, today),
        "last_week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "this_month": (first_of_month, today),
        "last_month": (previous_month_end.replace(day=1), previous_month_end),
    }
    if period in named:
        return named[period]
    if isinstance(period, str) and period.startswith("last_") and period.endswith("_days"):
        return period_range({"last_days": int(period.split("_")[1])}, today)
    raise ValueError(f"Unknown period {period!r}.")


def select(data: ShopData, period: Any = "all", place: str | None = None,
           category: str | None = None) -> pd.DataFrame:
    """The events of a period, in one place (any level) and one category."""
    frame = data.events
    span = period_range(period, data.today)
    if span is not None:
        first, last = (day_number(d) for d in span)
        frame = frame[(frame["local_day"] >= first) & (frame["local_day"] <= last)]
    if place is not None:
        found = data.profile.find(place)
        if not found:
            raise ValueError(f"{place!r} is not a place of {data.profile.name}.")
        spot = found[0]
        if spot.level == "country":
            frame = frame[frame["country"] == spot.country]
        else:
            frame = frame[(frame[spot.level] == spot.name) & (frame["country"] == spot.country)]
    if category is not None:
        frame = frame[frame["category"] == category]
    return frame


def metric_value(frame: pd.DataFrame, metric: str) -> float:
    """One metric over some events (orders/refunds: distinct order ids; revenue in the reporting currency)."""
    purchases = frame[frame["event_type"] == "purchase"]
    if metric == "orders":
        return float(purchases["order_id"].nunique())
    if metric == "revenue":
        return float(purchases["amount"].sum())
    if metric == "units":
        return float(purchases["quantity"].sum())
    if metric == "refunds":
        return float(frame.loc[frame["event_type"] == "refund", "order_id"].nunique())
    if metric == "average_order_value":
        orders = purchases["order_id"].nunique()
        return float(purchases["amount"].sum() / orders) if orders else float("nan")
    if metric == "sessions":
        return float(frame["session_id"].nunique())
    if metric == "unique_users":
        return float(frame["user_id"].nunique())
    if metric == "conversion_rate":
        sessions = frame["session_id"].nunique()
        return float(purchases["session_id"].nunique() / sessions) if sessions else float("nan")
    if metric in ("views", "carts", "searches"):
        return float((frame["event_type"] == {"views": "view", "carts": "cart", "searches": "search"}[metric])
                     .sum())
    raise ValueError(f"Unknown metric {metric!r}.")


def ranking(data: ShopData, metric: str, level: str, period: Any = "all", place: str | None = None,
            category: str | None = None) -> pd.Series:
    """The metric per group of `level`, largest first (groups named as the profile or catalogue names
    them)."""
    frame = select(data, period, place, category)
    column = LEVEL_COLUMNS[level]
    series = grouped_metric(frame[frame[column].notna()], metric, column)
    series = series.astype("float64").dropna().sort_values(ascending=False, kind="stable")
    return series.rename(index=lambda key: group_name(data, level, key))


def grouped_metric(frame: pd.DataFrame, metric: str, column: str) -> pd.Series:
    """`metric_value` per value of `column`; a group appears when it has an event the metric reads."""
    purchases = frame[frame["event_type"] == "purchase"].groupby(column, observed=True)
    if metric == "orders":
        return purchases["order_id"].nunique()
    if metric == "revenue":
        return purchases["amount"].sum()
    if metric == "units":
        return purchases["quantity"].sum()
    if metric == "refunds":
        return frame[frame["event_type"] == "refund"].groupby(column, observed=True)["order_id"].nunique()
    if metric == "average_order_value":
        return purchases["amount"].sum() / purchases["order_id"].nunique().replace(0, np.nan)
    everything = frame.groupby(column, observed=True)
    if metric == "sessions":
        return everything["session_id"].nunique()
    if metric == "unique_users":
        return everything["user_id"].nunique()
    if metric == "conversion_rate":
        sessions = everything["session_id"].nunique()
        bought = purchases["session_id"].nunique().reindex(sessions.index, fill_value=0)
        return bought / sessions.replace(0, np.nan)
    return pd.Series({key: metric_value(group, metric) for key, group in everything})


def group_name(data: ShopData, level: str, key: Any) -> str:
    """A group's display name: a country's name for its code, a product's name for its id."""
    if level == "country":
        return next((p.name for p in data.profile.places if p.level == "country" and p.country == key), key)
    if level == "product":
        names = data.products.set_index("product_id")["name"] if len(data.products) else pd.Series(dtype=str)
        return str(names.get(key, key))
    return str(key)


def spike_ranking(data: ShopData, metric: str, level: str, day: int, start_hour: int, end_hour: int,
                  min_support: int = 5, place: str | None = None) -> pd.Series:
    """Lift of each group's hourly rate inside a local weekly window over its rate outside it (groups in
    `place` only, when given)."""
    frame = select(data, "all", place)
    kinds = {"orders": "purchase", "units": "purchase", "views": "view"}
    frame = frame[frame["event_type"] == kinds[metric]]
    column = LEVEL_COLUMNS[level]
    frame = frame[frame[column].notna()]
    inside = (frame["weekday"] == day) & (frame["hour"] >= start_hour) & (frame["hour"] < end_hour)
    days = day_number(data.today) - int(frame["local_day"].min()) + 1 if len(frame) else 0
    window_hours = max(days / 7 * (end_hour - start_hour), 1e-9)
    other_hours = max(days * 24 - window_hours, 1e-9)
    weight = frame["quantity"] if metric == "units" else pd.Series(1.0, index=frame.index)
    per_group = pd.DataFrame({"key": frame[column], "w": weight, "inside": inside})
    sums = per_group.groupby(["key", "inside"], observed=True)["w"].sum().unstack(fill_value=0.0)
    sums = sums.reindex(columns=[False, True], fill_value=0.0)
    sums = sums[sums[True] >= min_support]
    lift = (sums[True] / window_hours) / (sums[False] / other_hours).replace(0, np.nan)
    lift = lift.dropna().sort_values(ascending=False, kind="stable")
    return lift.rename(index=lambda key: group_name(data, level, key))


def change_ranking(data: ShopData, metric: str, level: str, shift_days: int = 7) -> pd.Series:
    """Relative change of each group's metric, the last 7 days against the 7 days `shift_days` earlier."""
    now = ranking(data, metric, level, "last_7_days")
    end = data.today - timedelta(days=shift_days)
    before = ranking(data, metric, level, {"from": (end - timedelta(days=6)).isoformat(),
                                           "to": end.isoformat()})
    both = pd.concat([now.rename("now"), before.rename("before")], axis=1).fillna(0.0)
    both = both[both["before"] > 0]
    return ((both["now"] - both["before"]) / both["before"]).sort_values(ascending=False, kind="stable")


def daily_units(data: ShopData, place: str | None = None, category: str | None = None,
                days: int = 28) -> float:
    """Mean units sold per day over the last `days` local days, in a place and category."""
    return metric_value(select(data, {"last_days": days}, place, category), "units") / days


def customer_orders(data: ShopData, customer_id: str) -> pd.DataFrame:
    """The signed-in customer's orders, newest first."""
    orders = data.orders[data.orders["user_id"] == customer_id]
    return orders.sort_values("placed_at", ascending=False, kind="stable")
