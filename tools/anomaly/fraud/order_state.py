"""What the real-time path knows about accounts and devices, and the features of one new order from it.

The features have the same definitions as the batch ones (`tools.anomaly.fraud.features`): recent located
activity per account (travel), recent orders per device and per account (velocity, card testing), accounts
seen per device, the account's usual local hours, its home and signup. Loaded once from the store; each
scored order can then be remembered, so a burst is seen as it happens.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from pydantic import BaseModel, Field

from tools.anomaly.fraud.features import HOURS_PER_DAY, FeatureWindows, hour_rarity
from tools.events.geo import distance_km
from tools.events.money import Money
from tools.events.profile import ShopProfile
from tools.events.store import EventStore

NEW_ACCOUNT_WINDOW_S = 30 * 86400  # "created in the last 30 days" in the device-ring reason
UNKNOWN_AGE_DAYS = 365.0  # an account without a signup time is taken as an old one


class OrderInput(BaseModel):
    """A new order as it arrives: who, from where, to where, how much."""

    order_id: str
    user_id: str
    placed_at: datetime
    amount: float = Field(ge=0)
    currency: str | None = None  # None: the shop's reporting currency
    device_id: str | None = None
    lat: float | None = Field(None, description="Where the buyer is (from the session), if known.")
    lon: float | None = None
    shipping_lat: float | None = None
    shipping_lon: float | None = None
    shipping_city: str | None = None


@dataclass
class _Account:
    home_lat: float | None
    home_lon: float | None
    home_city: str | None
    tz: ZoneInfo
    signup: float | None  # epoch seconds
    hours: list[float]  # past sessions per local hour
    located: deque = field(default_factory=deque)  # (epoch, lat, lon) within the travel window
    orders: deque = field(default_factory=deque)  # epoch of orders within the account velocity window


@dataclass
class _Device:
    users: set[str] = field(default_factory=set)
    orders: deque = field(default_factory=deque)  # (epoch, small) within the velocity window


def _epoch(value: Any) -> float:
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.timestamp()


def _known(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)




def _trim(items: deque, oldest: float, key: int | None) -> None:
    """Drop entries older than `oldest` from the left of a time-ordered deque."""
    while items and (items[0] if key is None else items[0][key]) < oldest:
        items.popleft()


class OrderState:
    """Accounts and devices as of a moment, updated order by order. Build with `OrderState.load`."""

    def __init__(self, windows: FeatureWindows, small_amount: float, profile: ShopProfile):
        self.windows = windows
        self.small_amount = small_amount
        self.profile = profile
        self._rates = {code: rate for code, rate in Money.of(profile).rates} | {profile.currency: 1.0}
        self.accounts: dict[str, _Account] = {}
        self.devices: dict[str, _Device] = {}

    def _zone(self, region: str | None) -> ZoneInfo:
        """A home region's clock (UTC for one the profile does not hold: its clock is unknown)."""
        zones = {place.tz for place in self.profile.find(region, "region")} if region else set()
        return ZoneInfo(zones.pop()) if len(zones) == 1 else ZoneInfo("UTC")

    def _device(self, device_id: str) -> _Device:
        if device_id not in self.devices:
            self.devices[device_id] = _Device()
        return self.devices[device_id]

    @classmethod
    def load(
        cls, store: EventStore, end: pd.Timestamp, windows: FeatureWindows, small_amount: float
    ) -> OrderState:
        """The state just before `end`, from the store's users, events and orders (and its profile)."""
        profile = store.profile()
        state = cls(windows, small_amount, profile)
        span = [(end - windows.history).to_pydatetime(), end.to_pydatetime()]
        regions = profile.at_level("region")
        zones = [[r.name for r in regions], [r.tz for r in regions]]
        with store.connect() as con:
            users = con.execute(
                "SELECT user_id, home_lat, home_lon, home_city, home_region, signup_at FROM users"
            ).df()
            hours = con.execute(
                """
                SELECT user_id, hour(timezone(coalesce(z.tz, 'UTC'), t)) AS hour, count(*) AS n FROM (
                    SELECT user_id, min(event_time) AS t FROM events WHERE event_time >= ? AND event_time < ?
                    GROUP BY user_id, coalesce(session_id, CAST(event_time AS VARCHAR))
                ) s LEFT JOIN users u USING (user_id)
                LEFT JOIN (SELECT unnest(?::VARCHAR[]) AS region, unnest(?::VARCHAR[]) AS tz) z
                    ON z.region = u.home_region
                GROUP BY 1, 2
                """,
                [*span, *zones],
            ).df()
            located = con.execute(
                "SELECT user_id, epoch(event_time) AS t, lat, lon FROM events "
                "WHERE lat IS NOT NULL AND event_time >= ? AND event_time < ? ORDER BY event_time",
                [(end - windows.travel).to_pydatetime(), end.to_pydatetime()],
            ).df()
            recent = con.execute(
                "SELECT user_id, device_id, epoch(placed_at) AS t, amount, currency FROM orders "
                "WHERE placed_at >= ? AND placed_at < ? ORDER BY placed_at",
                [(end - max(windows.user_velocity, windows.velocity)).to_pydatetime(), end.to_pydatetime()],
            ).df()
            pairs = con.execute(
                "SELECT DISTINCT device_id, user_id FROM events WHERE device_id IS NOT NULL "
                "AND event_time >= ? AND event_time < ? UNION SELECT DISTINCT device_id, user_id FROM orders "
                "WHERE device_id IS NOT NULL AND placed_at >= ? AND placed_at < ?",
                span * 2,
            ).df()
        histogram: dict[str, list[float]] = {}
        for user_id, hour, n in hours.itertuples(index=False):
            histogram.setdefault(user_id, [0.0] * HOURS_PER_DAY)[int(hour)] += float(n)
        for row in users.itertuples(index=False):
            state.accounts[row.user_id] = _Account(
                _known(row.home_lat),
                _known(row.home_lon),
                row.home_city,
                state._zone(row.home_region),
                None if pd.isna(row.signup_at) else _epoch(row.signup_at),
                histogram.get(row.user_id, [0.0] * HOURS_PER_DAY),
            )
        for user_id, t, lat, lon in located.itertuples(index=False):
            if user_id in state.accounts:
                state.accounts[user_id].located.append((float(t), float(lat), float(lon)))
        end_s = end.timestamp()
        for user_id, device_id, t, amount, currency in recent.itertuples(index=False):
            if user_id in state.accounts and float(t) >= end_s - windows.user_velocity.total_seconds():
                state.accounts[user_id].orders.append(float(t))
            if device_id is not None and float(t) >= end_s - windows.velocity.total_seconds():
                small = float(amount or 0) * state._rates.get(currency, 1.0) <= small_amount
                state._device(device_id).orders.append((float(t), small))
        for device_id, user_id in pairs.itertuples(index=False):
            state._device(device_id).users.add(user_id)
        return state

    def _account(self, order: OrderInput, now: float) -> _Account:
        # An account the store has not seen is as new as it gets, its home unknown.
        return self.accounts.get(order.user_id) or _Account(
            None, None, None, ZoneInfo("UTC"), now, [0.0] * HOURS_PER_DAY
        )

    def features(self, order: OrderInput) -> dict[str, Any]:
        """The order's raw and model features (the batch columns), from the state as it is now."""
        w = self.windows
        now = _epoch(order.placed_at)
        account = self._account(order, now)
        reporting_amount = order.amount * self._rates.get(order.currency, 1.0)
        f: dict[str, Any] = {
            "order_id": order.order_id,
            "user_id": order.user_id,
            "device_id": order.device_id,
            "placed_at": pd.Timestamp(now, unit="s", tz="UTC"),
            "reporting_amount": reporting_amount,
            "lat": order.lat,
            "lon": order.lon,
            "home_city": account.home_city,
            "home_lat": account.home_lat,
            "home_lon": account.home_lon,
            "shipping_city": order.shipping_city,
            "shipping_lat": order.shipping_lat,
            "shipping_lon": order.shipping_lon,
        }
        f.update(self._travel(account, order, now))
        _trim(account.orders, now - w.user_velocity.total_seconds(), key=None)
        f["user_orders_24h"] = len(account.orders) + 1
        device = self.devices.get(order.device_id) if order.device_id else None
        recent = []
        if device is not None:
            _trim(device.orders, now - w.velocity.total_seconds(), key=0)
            recent = list(device.orders)
        f["device_orders_1h"] = len(recent) + 1
        f["device_small_orders_1h"] = sum(1 for _, small in recent if small) + int(
            reporting_amount <= self.small_amount
        )
        f["device_window_start"] = pd.Timestamp(recent[0][0] if recent else now, unit="s", tz="UTC")
        users = (device.users if device is not None else set()) | {order.user_id}
        f["device_accounts"] = len(users)
        signups = [self.accounts[u].signup if u in self.accounts else now for u in users]
        f["device_new_accounts"] = sum(1 for s in signups if s is not None and now - s < NEW_ACCOUNT_WINDOW_S)
        age = (now - account.signup) / 86400 if account.signup is not None else UNKNOWN_AGE_DAYS
        f["account_age_days"] = max(0.0, age)
        places = (account.home_lat, account.home_lon, order.shipping_lat, order.shipping_lon)
        f["ship_km"] = distance_km(*places) if None not in places else 0.0
        local_hour = datetime.fromtimestamp(now, account.tz).hour
        f["local_hour"] = local_hour
        f["user_sessions"] = sum(account.hours)
        f["hour_sessions"] = sum(account.hours[(local_hour + s) % HOURS_PER_DAY] for s in (-1, 0, 1))
        f["log_amount"] = math.log1p(reporting_amount)
        f["log_account_age_days"] = math.log1p(f["account_age_days"])
        f["log_travel_kmh"] = math.log1p(f["travel_kmh"])
        f["log_ship_km"] = math.log1p(f["ship_km"])
        f["hour_rarity"] = float(hour_rarity(f["hour_sessions"], f["user_sessions"]))
        return f

    def _travel(self, account: _Account, order: OrderInput, now: float) -> dict[str, Any]:
        """Fastest implied trip from the account's recent located activity to where the order is placed."""
        w = self.windows
        best: dict[str, Any] = {
            "travel_kmh": 0.0,
            "travel_km": 0.0,
            "travel_hours": 0.0,
            "travel_from_lat": None,
            "travel_from_lon": None,
            "travel_orders": 1,
        }
        _trim(account.located, now - w.travel.total_seconds(), key=0)
        if order.lat is None or order.lon is None:
            return best
        since = None
        for t, lat, lon in account.located:
            if t >= now:
                continue
            km = distance_km(lat, lon, order.lat, order.lon)
            if km < w.travel_min_km:
                continue
            hours = max(now - t, 60.0) / 3600
            if km / hours > best["travel_kmh"]:
                best.update(
                    travel_kmh=km / hours,
                    travel_km=km,
                    travel_hours=hours,
                    travel_from_lat=lat,
                    travel_from_lon=lon,
                )
                since = t
        if since is not None:
            best["travel_orders"] = 1 + sum(1 for t in account.orders if t >= since)
        return best

    def remember(self, order: OrderInput) -> None:
        """Add a scored order to the state (its account, device and place)."""
        now = _epoch(order.placed_at)
        account = self.accounts.setdefault(order.user_id, self._account(order, now))
        account.orders.append(now)
        if order.lat is not None and order.lon is not None:
            account.located.append((now, order.lat, order.lon))
        if order.device_id:
            device = self._device(order.device_id)
            device.orders.append(
                (now, order.amount * self._rates.get(order.currency, 1.0) <= self.small_amount)
            )
            device.users.add(order.user_id)
