"""Per-order fraud features from the store, computed in DuckDB with past-only windows.

Every feature looks only at what was known when the order was placed, so the batch detector and the
real-time `FraudDetector.score_order` compute the same numbers. Amounts are compared in the shop's reporting
currency (the profile's rates; a currency without a rate counts at par, as this only ranks orders).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from tools.anomaly.period import Period
from tools.events.geo import haversine_km
from tools.events.money import Money
from tools.events.profile import ShopProfile

HOURS_PER_DAY = 24
HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)

# Columns the isolation forest and the label model see, in this order.
MODEL_FEATURES: tuple[str, ...] = (
    "log_amount",
    "log_account_age_days",
    "log_travel_kmh",
    "device_orders_1h",
    "device_small_orders_1h",
    "user_orders_24h",
    "device_accounts",
    "log_ship_km",
    "hour_rarity",
)


@dataclass(frozen=True)
class FeatureWindows:
    """Look-back windows of the features."""

    travel: pd.Timedelta = 12 * HOUR  # earlier activity an order is compared with
    travel_min_km: float = 100.0  # closer than this is "the same place" (GPS and city-centroid noise)
    velocity: pd.Timedelta = HOUR
    user_velocity: pd.Timedelta = DAY
    history: pd.Timedelta = 90 * DAY  # devices' accounts and users' usual hours
    small_order_quantile: float = 0.05  # orders at or below this quantile of values count as "small"


def in_reporting_currency(amount: pd.Series, currency: pd.Series, money: Money) -> pd.Series:
    """Order values in the reporting currency (a currency without a rate counts at par)."""
    rates = {code: rate for code, rate in money.rates} | {money.currency: 1.0}
    return amount.astype(float) * currency.map(rates).fillna(1.0).astype(float)


def small_order_limit(
    con: duckdb.DuckDBPyConnection, period: Period, windows: FeatureWindows, money: Money
) -> float:
    """The value (reporting currency) at or below which an order counts as small, from the orders before the
    period's end."""
    frame = con.execute(
        "SELECT amount, currency FROM orders WHERE placed_at >= ? AND placed_at < ? AND amount IS NOT NULL",
        [(period.start - windows.history).to_pydatetime(), period.end.to_pydatetime()],
    ).df()
    if frame.empty:
        return 5.0
    return float(np.quantile(in_reporting_currency(frame["amount"], frame["currency"], money),
                             windows.small_order_quantile))


def _haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    return (
        f"2 * 6371.0 * asin(sqrt(least(1.0, pow(sin(radians({lat2} - {lat1}) / 2), 2) + "
        f"cos(radians({lat1})) * cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2))))"
    )


def _register_timezones(con: duckdb.DuckDBPyConnection, profile: ShopProfile) -> None:
    regions = profile.at_level("region")
    zones = pd.DataFrame({"region": [r.name for r in regions], "tz": [r.tz for r in regions]})
    con.register("_region_tz", zones)


def order_features(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    windows: FeatureWindows,
    small_limit: float,
    profile: ShopProfile,
) -> pd.DataFrame:
    """One row per order placed in `period`: ids, places, raw features and the model features."""
    _register_timezones(con, profile)
    money = Money.of(profile)
    start, end = period.start.to_pydatetime(), period.end.to_pydatetime()
    context = (period.start - max(windows.user_velocity, windows.travel)).to_pydatetime()
    history = (period.start - windows.history).to_pydatetime()
    vel_s = int(windows.velocity.total_seconds())
    uvel_s = int(windows.user_velocity.total_seconds())
    travel_s = int(windows.travel.total_seconds())
    # Orders with the buyer's location (their purchase event), home and signup, plus the context before the
    # period that the velocity windows need.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _orders AS
        SELECT o.order_id, o.user_id, o.device_id, o.placed_at, o.amount, o.currency, o.status,
               o.shipping_lat, o.shipping_lon, o.shipping_city, o.shipping_country,
               p.lat, p.lon, p.city, p.region,
               u.home_lat, u.home_lon, u.home_city, u.home_region, u.home_country, u.signup_at,
               o.amount * coalesce({money.sql("o.currency", "o.placed_at")}, 1.0)
                   AS reporting_amount
        FROM orders o
        LEFT JOIN (
            SELECT order_id, any_value(lat) AS lat, any_value(lon) AS lon, any_value(city) AS city,
                   any_value(region) AS region
            FROM events
            WHERE event_type = 'purchase' AND order_id IS NOT NULL AND event_time >= ? AND event_time < ?
            GROUP BY order_id
        ) p USING (order_id)
        LEFT JOIN users u USING (user_id)
        WHERE o.placed_at >= ? AND o.placed_at < ?
        """,
        [context, end, context, end],
    )
    base = con.execute(
        f"""
        SELECT *,
          count(*) OVER dev AS device_orders_1h,
          sum(CASE WHEN reporting_amount <= ? THEN 1 ELSE 0 END) OVER dev AS device_small_orders_1h,
          min(placed_at) OVER dev AS device_window_start,
          count(*) OVER usr AS user_orders_24h
        FROM _orders
        WINDOW dev AS (PARTITION BY coalesce(device_id, 'user:' || user_id) ORDER BY placed_at
                       RANGE BETWEEN INTERVAL ({vel_s}) SECOND PRECEDING AND CURRENT ROW),
               usr AS (PARTITION BY user_id ORDER BY placed_at
                       RANGE BETWEEN INTERVAL ({uvel_s}) SECOND PRECEDING AND CURRENT ROW)
        QUALIFY placed_at >= ?
        """,
        [small_limit, start],
    ).df()
    if base.empty:
        return base

    # Fastest implied trip from any of the user's located activity in the look-back to the order's place.
    travel = con.execute(
        f"""
        WITH located AS (
            SELECT user_id, event_time, lat, lon, city FROM events
            WHERE lat IS NOT NULL AND event_time >= ? AND event_time < ?
              AND user_id IN (SELECT DISTINCT user_id FROM _orders WHERE placed_at >= ?)
        ), pairs AS (
            SELECT o.order_id, e.event_time AS from_time, e.lat AS from_lat, e.lon AS from_lon,
                   {_haversine_sql("e.lat", "e.lon", "o.lat", "o.lon")} AS km,
                   greatest(epoch(o.placed_at) - epoch(e.event_time), 60) / 3600.0 AS hours
            FROM _orders o JOIN located e
              ON e.user_id = o.user_id AND e.event_time < o.placed_at
             AND e.event_time >= o.placed_at - INTERVAL ({travel_s}) SECOND
            WHERE o.placed_at >= ? AND o.lat IS NOT NULL
        )
        SELECT order_id, max(km / hours) AS travel_kmh, arg_max(km, km / hours) AS travel_km,
               arg_max(hours, km / hours) AS travel_hours, arg_max(from_time, km / hours) AS travel_from_time,
               arg_max(from_lat, km / hours) AS travel_from_lat,
               arg_max(from_lon, km / hours) AS travel_from_lon
        FROM pairs WHERE km >= ? GROUP BY order_id
        """,
        [(period.start - windows.travel).to_pydatetime(), end, start, start, windows.travel_min_km],
    ).df()

    # Accounts seen on the order's device up to the order (from every event and order in the look-back).
    accounts = con.execute(
        """
        WITH seen AS (
            SELECT device_id, user_id, min(t) AS first_seen FROM (
                SELECT device_id, user_id, event_time AS t FROM events
                WHERE device_id IS NOT NULL AND event_time >= ? AND event_time < ?
                UNION ALL
                SELECT device_id, user_id, placed_at FROM _orders WHERE device_id IS NOT NULL
            ) GROUP BY device_id, user_id
        )
        SELECT o.order_id, count(DISTINCT s.user_id) AS device_accounts,
               count(DISTINCT s.user_id) FILTER (WHERE epoch(o.placed_at) - epoch(u.signup_at) < 30 * 86400)
                   AS device_new_accounts
        FROM _orders o JOIN seen s ON s.device_id = o.device_id AND s.first_seen <= o.placed_at
        LEFT JOIN users u ON u.user_id = s.user_id
        WHERE o.placed_at >= ?
        GROUP BY o.order_id
        """,
        [history, end, start],
    ).df()

    # Users' usual local hours: sessions in the look-back before the period, by the home region's clock.
    hours = con.execute(
        """
        WITH sessions AS (
            SELECT user_id, min(event_time) AS t, any_value(region) AS region FROM events
            WHERE event_time >= ? AND event_time < ?
              AND user_id IN (SELECT DISTINCT user_id FROM _orders WHERE placed_at >= ?)
            GROUP BY user_id, coalesce(session_id, CAST(event_time AS VARCHAR))
        )
        SELECT s.user_id, hour(timezone(coalesce(z.tz, 'UTC'), s.t)) AS hour, count(*) AS n
        FROM sessions s LEFT JOIN users u USING (user_id)
        LEFT JOIN _region_tz z ON z.region = coalesce(u.home_region, s.region)
        GROUP BY 1, 2
        """,
        [history, start, start],
    ).df()
    order_hours = con.execute(
        """
        SELECT o.order_id, hour(timezone(coalesce(z.tz, 'UTC'), o.placed_at)) AS local_hour
        FROM _orders o LEFT JOIN _region_tz z ON z.region = coalesce(o.home_region, o.region)
        WHERE o.placed_at >= ?
        """,
        [start],
    ).df()

    frame = base.merge(travel, on="order_id", how="left").merge(accounts, on="order_id", how="left")
    frame = frame.merge(order_hours, on="order_id", how="left")
    frame = _add_hour_rarity(frame, hours)
    return finish_features(frame)


def _add_hour_rarity(frame: pd.DataFrame, hours: pd.DataFrame) -> pd.DataFrame:
    """user_sessions and hour_sessions (the user's past sessions within an hour of the order's local hour)."""
    users = pd.Index(frame["user_id"].unique())
    matrix = np.zeros((len(users), HOURS_PER_DAY))
    if not hours.empty:
        rows = users.get_indexer(hours["user_id"])
        keep = rows >= 0
        np.add.at(
            matrix, (rows[keep], hours["hour"].to_numpy()[keep].astype(int)), hours["n"].to_numpy()[keep]
        )
    row = users.get_indexer(frame["user_id"])
    hour = frame["local_hour"].fillna(12).astype(int).to_numpy()
    near = sum(matrix[row, (hour + shift) % HOURS_PER_DAY] for shift in (-1, 0, 1))
    frame["user_sessions"] = matrix.sum(axis=1)[row]
    frame["hour_sessions"] = near
    return frame


def hour_rarity(hour_sessions: np.ndarray | float, user_sessions: np.ndarray | float) -> np.ndarray | float:
    """-log of the smoothed share of a user's sessions near this hour (0 for a user with no history)."""
    share = (np.asarray(hour_sessions, dtype=float) + 0.5) / (np.asarray(user_sessions, dtype=float) + 4.0)
    prior = 3.0 / HOURS_PER_DAY  # three hours out of twenty-four, what an unknown user is assumed to do
    return np.maximum(0.0, np.log(prior / np.minimum(share, 1.0)))


def finish_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill gaps and derive the model features from the raw ones (shared with the real-time path)."""
    frame["travel_kmh"] = frame["travel_kmh"].fillna(0.0) if "travel_kmh" in frame else 0.0
    frame["device_accounts"] = frame["device_accounts"].fillna(1).clip(lower=1)
    frame["device_new_accounts"] = frame.get("device_new_accounts", pd.Series(0, index=frame.index)).fillna(0)
    age = (frame["placed_at"] - frame["signup_at"]).dt.total_seconds() / 86400
    frame["account_age_days"] = age.fillna(365.0).clip(lower=0.0)
    frame["ship_km"] = pd.Series(
        haversine_km(frame["home_lat"], frame["home_lon"], frame["shipping_lat"], frame["shipping_lon"]),
        index=frame.index,
    ).fillna(0.0)
    frame["reporting_amount"] = frame["reporting_amount"].fillna(0.0)
    frame["log_amount"] = np.log1p(frame["reporting_amount"])
    frame["log_account_age_days"] = np.log1p(frame["account_age_days"])
    frame["log_travel_kmh"] = np.log1p(frame["travel_kmh"])
    frame["log_ship_km"] = np.log1p(frame["ship_km"])
    frame["hour_rarity"] = hour_rarity(frame["hour_sessions"], frame["user_sessions"])
    for column in ("device_orders_1h", "device_small_orders_1h", "user_orders_24h"):
        frame[column] = frame[column].fillna(0).astype(float)
    return frame.reset_index(drop=True)
