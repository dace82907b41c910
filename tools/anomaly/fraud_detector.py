"""FraudDetector: the fitted fraud model plus per-user and per-device state, for batch reports and for
scoring one new order in real time (`score_order`, well under 5 ms), and for learning from labels.

Real-time features are computed from in-memory state with the same definitions as the batch features
(`tools.anomaly.fraud_features`): recent located activity per user (travel), recent orders per device and
per user (velocity, card testing), accounts per device, the user's usual local hours, home and signup.
"""

from __future__ import annotations

import json
import math
import os
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from tools.anomaly.errors import AnomalyInputError
from tools.anomaly.fraud import FraudModel, FraudReport, build_cases, fit_fraud_model, score_frame
from tools.anomaly.fraud_features import (
    EUR_PER_UNIT, HOURS_PER_DAY, MODEL_FEATURES, FeatureWindows, hour_rarity, order_features,
)
from tools.anomaly.fraud_rules import FraudRules, order_reason, rule_flags, rule_risk
from tools.anomaly.geo import distance_km
from tools.anomaly.labels import LABEL_FEATURES, CaseLabel, LabelModel, LabelStore
from tools.anomaly.period import Period, parse_since, resolve_period
from tools.events.regions import get_region
from tools.events.store import EventStore

DEFAULT_HISTORY = "90d"
NEW_ACCOUNT_WINDOW_S = 30 * 86400  # "created in the last 30 days" in the device-ring reason


class OrderInput(BaseModel):
    """A new order as it arrives: who, from where, to where, how much."""

    order_id: str
    user_id: str
    placed_at: datetime
    amount: float = Field(ge=0)
    currency: str = "EUR"
    device_id: str | None = None
    lat: float | None = Field(None, description="Where the buyer is (from the session), if known.")
    lon: float | None = None
    shipping_lat: float | None = None
    shipping_lon: float | None = None
    shipping_city: str | None = None


@dataclass
class OrderScore:
    """Risk of one order in [0, 1], the flags it raised and why."""

    order_id: str
    risk: float
    flags: list[str]
    reasons: list[str]
    isolation_pct: float
    features: dict[str, float] = field(repr=False)

    def summary(self) -> str:
        if not self.reasons:
            return f"Order {self.order_id}: risk {self.risk:.2f}, nothing unusual."
        return f"Order {self.order_id}: risk {self.risk:.2f} - " + "; ".join(self.reasons) + "."


@dataclass
class _User:
    home_lat: float | None
    home_lon: float | None
    home_city: str | None
    tz: ZoneInfo
    signup: float | None  # epoch seconds
    hours: list[float]  # past sessions per local hour
    located: deque = field(default_factory=deque)  # (epoch, lat, lon) within the travel window
    orders: deque = field(default_factory=deque)  # epoch of orders within the user velocity window


@dataclass
class _Device:
    users: set[str] = field(default_factory=set)
    orders: deque = field(default_factory=deque)  # (epoch, small) within the velocity window


def _epoch(value: Any) -> float:
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.timestamp()


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and not pd.isna(value) else None


def _zone(region: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(get_region(region).tz) if region else ZoneInfo("UTC")
    except ValueError:
        return ZoneInfo("UTC")


class FraudDetector:
    """Fraud model and state fitted on a store's recent history. Build with `FraudDetector.from_store`."""

    def __init__(self, store: EventStore, model: FraudModel, scored: pd.DataFrame, history: Period,
                 state_dir: Path | None):
        self.store = store
        self.model = model
        self.scored = scored  # every order of the history period, scored
        self.history = history
        self.state_dir = Path(state_dir) if state_dir is not None else None
        self._users: dict[str, _User] = {}
        self._devices: dict[str, _Device] = {}
        self._cases: dict[str, dict[str, Any]] = {}
        self._load_state()

    # ------------------------------------------------------------------ building
    @classmethod
    def from_store(
        cls,
        store: EventStore,
        as_of: pd.Timestamp | str | None = None,
        state_dir: Path | str | None = None,
        history: str = DEFAULT_HISTORY,
        rules: FraudRules | None = None,
        windows: FeatureWindows | None = None,
    ) -> "FraudDetector":
        """Fit on the `history` before `as_of` (default: the latest order). Labels are read from `state_dir`."""
        labels = LabelStore(state_dir).all() if state_dir is not None else []
        with store.connect() as con:
            period = resolve_period(con, history, as_of, table="orders", column="placed_at")
            model, scored = fit_fraud_model(con, period, rules or FraudRules(), windows or FeatureWindows(), labels)
        return cls(store, model, scored, period, Path(state_dir) if state_dir is not None else None)

    def _load_state(self) -> None:
        w = self.model.windows
        end = self.history.end
        with self.store.connect() as con:
            users = con.execute(
                "SELECT user_id, home_lat, home_lon, home_city, home_region, signup_at FROM users"
            ).df()
            hours = con.execute(
                """
                SELECT user_id, hour(timezone(coalesce(z.tz, 'UTC'), t)) AS hour, count(*) AS n FROM (
                    SELECT user_id, min(event_time) AS t FROM events WHERE event_time >= ? AND event_time < ?
                    GROUP BY user_id, coalesce(session_id, CAST(event_time AS VARCHAR))
                ) s LEFT JOIN users u USING (user_id)
                LEFT JOIN (SELECT unnest(?) AS region, unnest(?) AS tz) z ON z.region = u.home_region
                GROUP BY 1, 2
                """,
                [(end - w.history).to_pydatetime(), end.to_pydatetime(), *_zones_lists()],
            ).df()
            located = con.execute(
                "SELECT user_id, epoch(event_time) AS t, lat, lon FROM events "
                "WHERE lat IS NOT NULL AND event_time >= ? AND event_time < ? ORDER BY event_time",
                [(end - w.travel).to_pydatetime(), end.to_pydatetime()],
            ).df()
            recent_orders = con.execute(
                "SELECT user_id, device_id, epoch(placed_at) AS t, amount, currency FROM orders "
                "WHERE placed_at >= ? AND placed_at < ? ORDER BY placed_at",
                [(end - max(w.user_velocity, w.velocity)).to_pydatetime(), end.to_pydatetime()],
            ).df()
            pairs = con.execute(
                "SELECT DISTINCT device_id, user_id FROM events WHERE device_id IS NOT NULL "
                "AND event_time >= ? AND event_time < ? UNION SELECT DISTINCT device_id, user_id FROM orders "
                "WHERE device_id IS NOT NULL AND placed_at >= ? AND placed_at < ?",
                [(end - w.history).to_pydatetime(), end.to_pydatetime()] * 2,
            ).df()
        histogram: dict[str, list[float]] = {}
        for user_id, hour, n in hours.itertuples(index=False):
            histogram.setdefault(user_id, [0.0] * HOURS_PER_DAY)[int(hour)] += float(n)
        for row in users.itertuples(index=False):
            self._users[row.user_id] = _User(
                _finite(row.home_lat), _finite(row.home_lon), row.home_city, _zone(row.home_region),
                _epoch(row.signup_at) if not pd.isna(row.signup_at) else None,
                histogram.get(row.user_id, [0.0] * HOURS_PER_DAY),
            )
        for user_id, t, lat, lon in located.itertuples(index=False):
            if user_id in self._users:
                self._users[user_id].located.append((float(t), float(lat), float(lon)))
        for user_id, device_id, t, amount, currency in recent_orders.itertuples(index=False):
            if user_id in self._users and float(t) >= end.timestamp() - w.user_velocity.total_seconds():
                self._users[user_id].orders.append(float(t))
            if device_id is not None and float(t) >= end.timestamp() - w.velocity.total_seconds():
                small = float(amount or 0) * EUR_PER_UNIT.get(currency, 1.0) <= self.model.small_eur
                self._device(device_id).orders.append((float(t), small))
        for device_id, user_id in pairs.itertuples(index=False):
            self._device(device_id).users.add(user_id)

    def _device(self, device_id: str) -> _Device:
        if device_id not in self._devices:
            self._devices[device_id] = _Device()
        return self._devices[device_id]

    # ------------------------------------------------------------------ batch
    def detect(self, since: str = "7d") -> FraudReport:
        """Suspicious cases among the orders of the `since` period before the detector's as_of."""
        length = parse_since(since)
        period = Period(self.history.end - length, self.history.end)
        if period.start >= self.history.start:
            scored = self.scored[self.scored["placed_at"] >= period.start]
        else:
            with self.store.connect() as con:
                features = order_features(con, period, self.model.windows, self.model.small_eur)
            scored = score_frame(features, self.model) if not features.empty else features
        if scored.empty:
            raise AnomalyInputError(f"No orders from {period.describe()}; use a longer since.")
        labels = {label.case_id: label for label in self.model.labels}
        cases, case_orders = build_cases(scored, self.model, labels)
        self._remember_cases(cases, case_orders)
        return FraudReport(frame=cases, orders=case_orders, period=period, n_orders=len(scored))

    def _remember_cases(self, cases: pd.DataFrame, case_orders: pd.DataFrame) -> None:
        """Keep each case's ids and order features so it can be labelled later (also from another process)."""
        for row in cases.itertuples():
            orders = case_orders[case_orders["case_id"] == row.case_id]
            self._cases[row.case_id] = {
                "case_id": row.case_id, "user_ids": list(row.user_ids), "device_ids": list(row.device_ids),
                "order_ids": list(row.order_ids),
                "features": [{k: float(v) for k, v in zip(LABEL_FEATURES, vector)}
                             for vector in orders[list(LABEL_FEATURES)].to_numpy(dtype=float)],
            }
        if self.state_dir is not None:
            known = _read_cases(self.state_dir)
            known.update(self._cases)
            _write_json(self.state_dir / "fraud_cases.json", known)

    # ------------------------------------------------------------------ labels
    def label_case(self, case_id: str, fraud: bool, note: str = "") -> CaseLabel:
        """Record an operator's decision on a reported case and retrain the label model with it."""
        label = label_case(self.state_dir, case_id, fraud, note, known=self._cases)
        self.model.labels = [old for old in self.model.labels if old.case_id != case_id] + [label]
        self.model.label_model = LabelModel(self.model.labels, self.scored)
        self.scored = score_frame(self.scored, self.model)
        return label

    # ------------------------------------------------------------------ real time
    def score_order(self, order: OrderInput | dict[str, Any], remember: bool = True) -> OrderScore:
        """Risk of one new order against the current state; with `remember`, the order then joins the state."""
        order = order if isinstance(order, OrderInput) else OrderInput.model_validate(order)
        m, w = self.model, self.model.windows
        now = _epoch(order.placed_at)
        user = self._users.get(order.user_id)
        if user is None:  # an account the store has not seen: as new as it gets, home unknown
            user = _User(None, None, None, ZoneInfo("UTC"), now, [0.0] * HOURS_PER_DAY)
        amount_eur = order.amount * EUR_PER_UNIT.get(order.currency, 1.0)
        small = amount_eur <= m.small_eur

        f: dict[str, Any] = {"order_id": order.order_id, "user_id": order.user_id, "device_id": order.device_id,
                             "placed_at": pd.Timestamp(now, unit="s", tz="UTC"), "amount_eur": amount_eur,
                             "lat": order.lat, "lon": order.lon, "home_city": user.home_city,
                             "home_lat": user.home_lat, "home_lon": user.home_lon,
                             "shipping_city": order.shipping_city, "shipping_lat": order.shipping_lat,
                             "shipping_lon": order.shipping_lon}
        f.update(self._travel(user, order, now))
        _trim(user.orders, now - w.user_velocity.total_seconds(), key=None)
        f["user_orders_24h"] = len(user.orders) + 1
        device = self._devices.get(order.device_id) if order.device_id else None
        recent = []
        if device is not None:
            _trim(device.orders, now - w.velocity.total_seconds(), key=0)
            recent = list(device.orders)
        f["device_orders_1h"] = len(recent) + 1
        f["device_small_orders_1h"] = sum(1 for _, s in recent if s) + int(small)
        f["device_window_start"] = pd.Timestamp(recent[0][0] if recent else now, unit="s", tz="UTC")
        accounts = (device.users if device is not None else set()) | {order.user_id}
        f["device_accounts"] = len(accounts)
        f["device_new_accounts"] = sum(
            1 for u in accounts
            if (s := (self._users[u].signup if u in self._users else now)) is not None and now - s < NEW_ACCOUNT_WINDOW_S
        )
        f["account_age_days"] = max(0.0, (now - user.signup) / 86400) if user.signup is not None else 365.0
        f["ship_km"] = (
            distance_km(user.home_lat, user.home_lon, order.shipping_lat, order.shipping_lon)
            if None not in (user.home_lat, user.home_lon, order.shipping_lat, order.shipping_lon) else 0.0
        )
        local_hour = datetime.fromtimestamp(now, user.tz).hour
        f["local_hour"] = local_hour
        f["user_sessions"] = sum(user.hours)
        f["hour_sessions"] = sum(user.hours[(local_hour + s) % HOURS_PER_DAY] for s in (-1, 0, 1))
        f["log_amount"] = math.log1p(amount_eur)
        f["log_account_age_days"] = math.log1p(f["account_age_days"])
        f["log_travel_kmh"] = math.log1p(f["travel_kmh"])
        f["log_ship_km"] = math.log1p(f["ship_km"])
        f["hour_rarity"] = float(hour_rarity(f["hour_sessions"], f["user_sessions"]))

        row = [float(f[name]) for name in MODEL_FEATURES]
        f["isolation"] = m.isolation.score_one(row)
        f["isolation_pct"] = float(m.isolation.percentile(f["isolation"]))
        flags = rule_flags(f, m.rules, m.high_value_eur)
        for name, raised in flags.items():
            f[f"flag_{name}"] = float(raised)
        risk = float(rule_risk(flags, f["isolation_pct"], m.rules))
        if m.label_model is not None and m.label_model.share > 0:
            vector = np.array([[float(f[name]) for name in LABEL_FEATURES]])
            risk = float(m.label_model.blend(np.array([risk]), vector)[0])
        raised = [name for name, value in flags.items() if bool(value)]
        reasons = [order_reason(name, f, m.limits) for name in raised]
        if f["isolation_pct"] >= m.rules.isolation_quantile:
            reasons.append(order_reason("isolation", f, m.limits))

        if remember:
            self._remember_order(order, user, now, small)
        numbers = {k: float(v) for k, v in f.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        return OrderScore(order.order_id, round(risk, 4), raised, reasons, f["isolation_pct"], numbers)

    def _travel(self, user: _User, order: OrderInput, now: float) -> dict[str, Any]:
        w = self.model.windows
        best = {"travel_kmh": 0.0, "travel_km": 0.0, "travel_hours": 0.0, "travel_from_lat": None,
                "travel_from_lon": None, "travel_orders": 1}
        _trim(user.located, now - w.travel.total_seconds(), key=0)
        if order.lat is None or order.lon is None:
            return best
        since = None
        for t, lat, lon in user.located:
            if t >= now:
                continue
            km = distance_km(lat, lon, order.lat, order.lon)
            if km < w.travel_min_km:
                continue
            hours = max(now - t, 60.0) / 3600
            if km / hours > best["travel_kmh"]:
                best.update(travel_kmh=km / hours, travel_km=km, travel_hours=hours, travel_from_lat=lat,
                            travel_from_lon=lon)
                since = t
        if since is not None:
            best["travel_orders"] = 1 + sum(1 for t in user.orders if t >= since)
        return best

    def _remember_order(self, order: OrderInput, user: _User, now: float, small: bool) -> None:
        if order.user_id not in self._users:
            self._users[order.user_id] = user
        user.orders.append(now)
        if order.lat is not None and order.lon is not None:
            user.located.append((now, order.lat, order.lon))
        if order.device_id:
            device = self._device(order.device_id)
            device.orders.append((now, small))
            device.users.add(order.user_id)


def _trim(items: deque, oldest: float, key: int | None) -> None:
    """Drop entries older than `oldest` from the left of a time-ordered deque."""
    while items and (items[0] if key is None else items[0][key]) < oldest:
        items.popleft()


def _zones_lists() -> list[list[str]]:
    from tools.events.regions import all_regions

    return [[r.name for r in all_regions()], [r.tz for r in all_regions()]]


def _read_cases(state_dir: Path) -> dict[str, dict[str, Any]]:
    path = state_dir / "fraud_cases.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def label_case(
    state_dir: Path | str | None, case_id: str, fraud: bool, note: str = "",
    known: dict[str, dict[str, Any]] | None = None,
) -> CaseLabel:
    """Store an operator's fraud / not-fraud decision on a case reported by an earlier `detect_fraud`."""
    cases = dict(_read_cases(Path(state_dir))) if state_dir is not None else {}
    cases.update(known or {})
    if case_id not in cases:
        hint = f" Known cases: {', '.join(sorted(cases)[:20])}." if cases else " Run `chronotope fraud` first."
        raise AnomalyInputError(f"Unknown fraud case {case_id!r}.{hint}")
    label = CaseLabel(fraud=fraud, note=note, **cases[case_id])
    if state_dir is not None:
        LabelStore(state_dir).add(label)
    return label


def detect_fraud(
    store: EventStore, since: str = "7d", as_of: pd.Timestamp | str | None = None,
    state_dir: Path | str | None = None,
) -> FraudReport:
    """Suspicious cases among the orders placed in the `since` period before `as_of` (default: latest order).

    The model is fitted on the 90 days before `as_of` (or the whole period if longer); labels in
    `state_dir` (the settings' anomaly dir) shape the ranking, and the cases found are kept there so they
    can be labelled with `label_case`.
    """
    history = since if parse_since(since) > parse_since(DEFAULT_HISTORY) else DEFAULT_HISTORY
    return FraudDetector.from_store(store, as_of=as_of, state_dir=state_dir, history=history).detect(since)
