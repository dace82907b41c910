"""Demand series from the event store, built in DuckDB: one row per series and period, gaps filled with zeros.

Periods are on the local wall clock of each event's place (a "day" in Bavaria is a Bavarian day; zones from
the shop profile), so a series spanning several zones adds up each place's own local days. Hourly periods are
local wall-clock hours too, so the daily rhythm stays put across daylight-saving changes: the repeated autumn
hour holds both hours' sales and the skipped spring hour is a zero. Only complete periods are kept: the first
and last periods the store's data only partly cover (the UTC-to-local shift at either end, or a live store's
day in progress) would read as a false dip; the last one is named in the output (`SeriesSet.notes`), since
the forecast then starts with it. Each series starts at its first sale (a product launched in June
has no history before June, rather than months of zeros), and every period after it is present: days without
sales are zeros, filled by a generated time grid, not by a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from tools.events.money import Money
from tools.events.profile import ShopProfile
from tools.events.zones import ZoneTable
from tools.forecast.errors import ForecastInputError, NoSalesHistory
from tools.forecast.grain import Frequency
from tools.forecast.scope import Scope

# a day whose units sold at >= 10% below the product's regular price is a promotion day
PROMO_MIN_DISCOUNT = 0.10


@dataclass
class SeriesSet:
    """Long history frame plus what the hierarchy and the calendar need to know about each series."""

    history: pd.DataFrame  # unique_id, ds (local, naive), y
    freq: Frequency
    # hierarchy level -> series ids, top level first ({"total": ["Total"]} if flat)
    levels: dict[str, list[str]]
    # series id -> {(country, region): share of its volume}; region None where events name none
    place_weights: dict[str, dict[tuple[str, str | None], float]]
    first_period: pd.Timestamp  # first complete period the store covers
    last_period: pd.Timestamp  # last complete period
    currency: str | None = None  # the reporting currency for revenue; None for units
    parents: dict[str, str] = field(default_factory=dict)  # series id -> parent series id
    notes: list[str] = field(default_factory=list)  # what the output should say (a partial last period)


def _local_sql(unit: str, profile: ShopProfile) -> str:
    """SQL for an event's local period start, in its place's zone (see `ZoneTable`; UTC when unknown)."""
    zone = ZoneTable.of(profile).sql("e.country", "e.region", "e.city")
    return f"date_trunc('{unit}', timezone(coalesce({zone}, 'UTC'), e.event_time))"


def _value_sql(metric: str, profile: ShopProfile) -> str:
    if metric == "units":
        return "coalesce(e.quantity, 1)"
    # Revenue in the reporting currency, at the profile's rates (as the query engine converts it).
    return f"coalesce(e.quantity, 1) * e.price * {Money.of(profile).sql('e.currency', 'e.event_time')}"


def _filters(scope: Scope) -> tuple[list[str], list[object]]:
    clauses, params = ["e.event_type = 'purchase'"], []
    for column, value in (("product_id", scope.product_id), ("category", scope.category),
                          ("region", scope.region.name if scope.region else None),
                          ("city", scope.city.name if scope.city else None),
                          ("country", scope.country.country if scope.country else None)):
        if value is not None:
            clauses.append(f"e.{column} = ?")
            params.append(value)
    if scope.product_ids:
        clauses.append(f"e.product_id IN ({', '.join('?' * len(scope.product_ids))})")
        params.extend(scope.product_ids)
    return clauses, params


def _floor(moment: datetime, freq: Frequency) -> datetime:
    if freq.code == "H":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = datetime(moment.year, moment.month, moment.day)
    return day - timedelta(days=day.weekday()) if freq.code == "W" else day


def complete_window(
    first: datetime, last: datetime, zones: set[str], freq: Frequency
) -> tuple[datetime, datetime]:
    """First and last local periods (naive starts) that the data [first, last] (UTC) cover in every zone."""
    starts, ends = [], []
    for tz in zones:
        zone = ZoneInfo(tz)
        begin = (first - freq.tolerance).astimezone(zone).replace(tzinfo=None)
        floor = _floor(begin, freq)
        starts.append(floor if floor == begin else floor + freq.step)
        finish = (last + freq.tolerance).astimezone(zone).replace(tzinfo=None)
        ends.append(_floor(finish, freq) - freq.step)
    return max(starts), min(ends)


def partial_period_note(last: datetime, end: datetime, zones: set[str], freq: Frequency) -> str | None:
    """A sentence naming the period after `end` when the data [.., last] (UTC) reach into it, else None."""
    following = end + freq.step
    local = {tz: last.astimezone(ZoneInfo(tz)).replace(tzinfo=None) for tz in sorted(zones)}
    reached = {tz: when for tz, when in local.items() if when >= following}
    if not reached:
        return None
    zone = max(reached, key=reached.__getitem__)  # the period is local: say the last event in local time too
    shown = "%Y-%m-%d %H:%M" if freq.code == "H" else "%Y-%m-%d"
    return (f"The {freq.word} starting {following:{shown}} is only partly in the store (events up to "
            f"{reached[zone]:%Y-%m-%d %H:%M} in {zone}, {last.astimezone(UTC):%Y-%m-%d %H:%M} UTC), so the "
            "history ends before it and the forecast starts with it.")


def data_span(con: duckdb.DuckDBPyConnection) -> tuple[datetime, datetime]:
    """First and last event time in the store (UTC); raises NoSalesHistory for an empty store."""
    first, last = con.execute("SELECT min(event_time), max(event_time) FROM events").fetchone()
    if first is None:
        raise NoSalesHistory("The event store has no events yet; load or generate data before forecasting.")
    return first, last


def load_series(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    freq: Frequency,
    profile: ShopProfile,
    hierarchy: bool = False,
) -> SeriesSet:
    """The scope's demand series (or, with `hierarchy`, the scope and every country and region under it)."""
    single = scope.city or scope.region
    if hierarchy and single is not None:
        raise ForecastInputError(
            f"A hierarchy needs a country or all regions; {single.name} is a single {single.level}. "
            f"Drop the {single.level}, or pass its country instead."
        )
    first, last = data_span(con)
    start, end = complete_window(first, last, scope.zones or {"UTC"}, freq)
    if end < start:
        raise NoSalesHistory(f"The store holds less than one complete {freq.word} of events; "
                             "nothing to forecast.")
    clauses, params = _filters(scope)
    sold = f"""
        SELECT coalesce(e.region, 'Unknown') AS region, coalesce(e.country, '??') AS country,
               e.region AS named_region,
               {_local_sql(freq.sql_unit, profile)} AS ds, sum({_value_sql(scope.metric, profile)}) AS y
        FROM events e
        WHERE {' AND '.join(clauses)}
        GROUP BY ALL
    """
    if hierarchy:
        sets = ("(country, ds), (country, region, ds)" if scope.country
                else "(ds), (country, ds), (country, region, ds)")
        node = ("CASE WHEN grouping(country) = 1 THEN 'Total' WHEN grouping(region) = 1 THEN country "
                "ELSE country || '/' || region END")
        nodes = (f"SELECT {node} AS unique_id, ds, sum(y) AS y FROM sold WHERE ds BETWEEN ? AND ? "
                 f"GROUP BY GROUPING SETS ({sets})")
        node_params: list[object] = [start, end]
    else:
        nodes = "SELECT ? AS unique_id, ds, sum(y) AS y FROM sold WHERE ds BETWEEN ? AND ? GROUP BY ds"
        node_params = [scope.top_id, start, end]
    step = f"INTERVAL {int(freq.step.total_seconds())} SECOND"
    query = f"""
        WITH sold AS ({sold}),
        nodes AS ({nodes}),
        firsts AS (SELECT unique_id, min(ds) AS first_ds FROM nodes WHERE y <> 0 GROUP BY unique_id),
        grid AS (SELECT unique_id, unnest(generate_series(first_ds, ?::TIMESTAMP, {step})) AS ds FROM firsts)
        SELECT g.unique_id, g.ds, coalesce(n.y, 0)::DOUBLE AS y
        FROM grid g LEFT JOIN nodes n ON n.unique_id = g.unique_id AND n.ds = g.ds
        ORDER BY g.unique_id, g.ds
    """
    history = con.execute(query, params + node_params + [end]).df()
    if history.empty:
        raise NoSalesHistory(
            f"No sales of {scope.what} in {scope.where} between {start:%Y-%m-%d} and {end:%Y-%m-%d}; "
            "nothing to forecast. Check the product and place, or pick a wider scope."
        )
    history["ds"] = pd.to_datetime(history["ds"]).astype("datetime64[ns]")
    volumes = con.execute(
        f"SELECT country, region, named_region, sum(y) FROM ({sold}) WHERE ds BETWEEN ? AND ? GROUP BY ALL",
        params + [start, end]
    ).fetchall()
    levels, parents, weights = _structure(scope, volumes, set(history["unique_id"]), hierarchy)
    partial = partial_period_note(last, end, scope.zones or {"UTC"}, freq)
    return SeriesSet(history, freq, levels, weights, pd.Timestamp(start), pd.Timestamp(end),
                     profile.currency if scope.metric == "revenue" else None, parents,
                     [partial] if partial else [])


def _structure(scope: Scope, volumes: list[tuple], present: set[str], hierarchy: bool):
    """Hierarchy levels, parent links and per-series place weights from (country, region, named region,
    volume) rows; a place weight is keyed by (country, region or None), for the holiday calendar."""
    total = sum(v for *_, v in volumes) or 1.0
    if not hierarchy:
        weights = {scope.top_id: _shares(volumes, total)}
        return {"total": [scope.top_id]}, {}, weights
    countries = sorted({c for c, _, _, _ in volumes if c in present})
    leaves = sorted({f"{c}/{r}" for c, r, _, _ in volumes if f"{c}/{r}" in present})
    weights: dict[str, dict[tuple[str, str | None], float]] = {}
    parents: dict[str, str] = {}
    for country in countries:
        in_country = [row for row in volumes if row[0] == country]
        weights[country] = _shares(in_country, sum(v for *_, v in in_country) or 1.0)
        if scope.country is None:
            parents[country] = "Total"
    for leaf in leaves:
        country, region = leaf.split("/", 1)
        in_leaf = [row for row in volumes if row[0] == country and row[1] == region]
        weights[leaf] = _shares(in_leaf, sum(v for *_, v in in_leaf) or 1.0)
        parents[leaf] = country
    if scope.country is not None:
        return {"country": countries, "region": leaves}, parents, weights
    weights["Total"] = _shares(volumes, total)
    return {"total": ["Total"], "country": countries, "region": leaves}, parents, weights


def _shares(volumes: list[tuple], total: float) -> dict[tuple[str, str | None], float]:
    shares: dict[tuple[str, str | None], float] = {}
    for country, _, named_region, volume in volumes:
        key = (country, named_region)
        shares[key] = shares.get(key, 0.0) + volume / total
    return shares


def promotion_days(con: duckdb.DuckDBPyConnection, product_id: str, profile: ShopProfile) -> set[date]:
    """Local dates on which the product sold at a promotional price (>= 10% under its regular price).

    The regular price is the product's most common selling price in each currency, so GBP and EUR sales
    are each compared with their own list price. Promotions run shop-wide, so every place's sales count.
    """
    rows = con.execute(
        f"""
        WITH sales AS (
            SELECT coalesce(e.quantity, 1) AS q, e.price,
                   coalesce(e.currency, '{profile.currency}') AS currency,
                   {_local_sql('day', profile)} AS day
            FROM events e
            WHERE e.event_type = 'purchase' AND e.product_id = ? AND e.price > 0
        ),
        regular AS (SELECT currency, mode(price) AS price FROM sales GROUP BY currency)
        SELECT s.day, sum(s.q * (1 - s.price / r.price)) / sum(s.q) AS discount
        FROM sales s JOIN regular r USING (currency)
        GROUP BY s.day HAVING discount >= ?
        """,
        [product_id, PROMO_MIN_DISCOUNT],
    ).fetchall()
    return {day.date() for day, _ in rows}
