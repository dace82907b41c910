"""Fraud rules: named flags over order features, their weights, a combined risk, and reasons in words.

Rules are written over columns (numpy arrays or scalars), so the batch detector applies them to a frame and
the real-time path to one order's features without building a frame. The risk is a noisy-or of the weights
of the flags an order raised, raised further by how isolated the order is among all orders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tools.anomaly.fraud.geo import nearest_city
from tools.events.profile import ShopProfile


@dataclass(frozen=True)
class FraudRules:
    """Thresholds of the rules (defaults are set for a consumer shop; see the docs of each field)."""

    travel_kmh: float = 900.0  # faster than an airliner, door to door
    travel_km: float = 500.0  # and at least this far (short hops are GPS or city-centroid noise)
    card_test_orders: int = 5  # small orders from one device within the velocity window
    device_velocity_orders: int = 8  # any orders from one device within the velocity window
    user_velocity_orders: int = 10  # orders from one user within 24 hours
    ring_accounts: int = 4  # accounts seen on one device
    ship_far_km: float = 800.0  # shipping address this far from the account's home
    new_account_days: float = 7.0
    high_value_quantile: float = 0.98  # "high value" is above this quantile of order values
    unusual_hour_sessions: int = 15  # a user needs this many past sessions before an hour can be unusual
    isolation_quantile: float = 0.97  # orders more isolated than this share of orders add risk
    isolation_weight: float = 0.3


# How much each flag alone says "fraud" (noisy-or weights): strong patterns near 1, weak hints low.
RULE_WEIGHTS: dict[str, float] = {
    "impossible_travel": 0.9,
    "card_testing": 0.9,
    "device_ring": 0.85,
    "ship_far": 0.75,
    "velocity": 0.6,
    "new_account_high_value": 0.35,
    "unusual_hour": 0.15,
}
FLAGS: tuple[str, ...] = tuple(RULE_WEIGHTS)


def rule_flags(f: Mapping[str, Any], rules: FraudRules, high_value_amount: float) -> dict[str, np.ndarray]:
    """Flag name -> boolean array (or 0-d array for one order)."""

    def col(name: str) -> np.ndarray:
        return np.asarray(f[name], dtype=float)

    return {
        "impossible_travel": (col("travel_kmh") >= rules.travel_kmh) & (col("travel_km") >= rules.travel_km),
        "card_testing": col("device_small_orders_1h") >= rules.card_test_orders,
        "device_ring": col("device_accounts") >= rules.ring_accounts,
        "ship_far": col("ship_km") >= rules.ship_far_km,
        "velocity": (col("device_orders_1h") >= rules.device_velocity_orders)
        | (col("user_orders_24h") >= rules.user_velocity_orders),
        "new_account_high_value": (col("account_age_days") < rules.new_account_days)
        & (col("reporting_amount") >= high_value_amount),
        "unusual_hour": (col("user_sessions") >= rules.unusual_hour_sessions) & (col("hour_sessions") == 0),
    }


def rule_risk(
    flags: Mapping[str, np.ndarray], isolation_pct: np.ndarray | float, rules: FraudRules
) -> np.ndarray:
    """Noisy-or of the raised flags' weights and of the isolation excess, in [0, 1]."""
    keep = np.ones_like(np.asarray(isolation_pct, dtype=float))
    for name, raised in flags.items():
        keep = keep * np.where(raised, 1.0 - RULE_WEIGHTS[name], 1.0)
    excess = np.clip(
        (np.asarray(isolation_pct, dtype=float) - rules.isolation_quantile)
        / (1.0 - rules.isolation_quantile),
        0.0,
        1.0,
    )
    return 1.0 - keep * (1.0 - rules.isolation_weight * excess)


def _duration(hours: float) -> str:
    minutes = hours * 60
    return f"{minutes:.0f} minutes" if minutes < 120 else f"{hours:.1f} hours"


def _age(days: float) -> str:
    return f"{days * 24:.0f} hours" if days < 2 else f"{days:.0f} days"


@dataclass(frozen=True)
class ReasonContext:
    """What reasons quote: the fitted amount thresholds, and the shop's currency and places."""

    small_amount: float
    high_value_amount: float
    high_value_q: float
    profile: ShopProfile


def order_reason(flag: str, row: Mapping[str, Any], limits: ReasonContext) -> str:
    """One sentence explaining why `row` raised `flag`, with the numbers an operator can check."""
    currency = limits.profile.currency
    if flag == "impossible_travel":
        origin = nearest_city(limits.profile, row.get("travel_from_lat"), row.get("travel_from_lon"))
        here = nearest_city(limits.profile, row.get("lat"), row.get("lon"))
        n = int(row.get("travel_orders") or 1)
        what = f"{n} orders" if n > 1 else "an order and earlier activity"
        return (
            f"{what} {row['travel_km']:,.0f} km apart within {_duration(row['travel_hours'])} "
            f"({origin} -> {here}, {row['travel_kmh']:,.0f} km/h)"
        )
    if flag == "card_testing":
        minutes = max(1.0, (row["placed_at"] - row["device_window_start"]).total_seconds() / 60)
        return (
            f"{row['device_small_orders_1h']:.0f} orders under {currency} "
            f"{limits.small_amount:.2f} from device {row['device_id']} within {minutes:.0f} minutes"
        )
    if flag == "device_ring":
        return (
            f"device {row['device_id']} used by {row['device_accounts']:.0f} accounts "
            f"({row.get('device_new_accounts', 0):.0f} created in the last 30 days)"
        )
    if flag == "ship_far":
        where = limits.profile
        home = row.get("home_city") or nearest_city(where, row.get("home_lat"), row.get("home_lon"))
        there = (row.get("shipping_city")
                 or nearest_city(where, row.get("shipping_lat"), row.get("shipping_lon")))
        return f"shipped {row['ship_km']:,.0f} km from the account's home ({home} -> {there})"
    if flag == "velocity":
        if row["device_orders_1h"] >= row["user_orders_24h"] / 24:
            return f"{row['device_orders_1h']:.0f} orders from device {row['device_id']} within an hour"
        return f"{row['user_orders_24h']:.0f} orders from account {row['user_id']} within 24 hours"
    if flag == "new_account_high_value":
        return (
            f"account {_age(row['account_age_days'])} old placed an order of {currency} "
            f"{row['reporting_amount']:,.0f} (above {currency} {limits.high_value_amount:,.0f}, "
            f"the top {100 * (1 - limits.high_value_q):.0f}% of orders)"
        )
    if flag == "unusual_hour":
        return (
            f"ordered at {int(row['local_hour']):02d}:00 local time, when this user was never active in "
            f"{row['user_sessions']:.0f} past sessions"
        )
    if flag == "isolation":
        share = 100 * row["isolation_pct"]
        return f"an unusual mix of order features (more isolated than {share:.1f}% of orders)"
    raise ValueError(f"Unknown flag {flag!r}; flags: {', '.join(FLAGS)}, isolation.")


def flag_strength(flag: str, row: pd.Series) -> float:
    """How strongly an order shows a flag, to pick the order whose reason speaks for a whole case."""
    column = {
        "impossible_travel": "travel_kmh",
        "card_testing": "device_small_orders_1h",
        "device_ring": "device_accounts",
        "ship_far": "ship_km",
        "velocity": "device_orders_1h",
        "new_account_high_value": "reporting_amount",
        "unusual_hour": "hour_rarity",
        "isolation": "isolation_pct",
    }[flag]
    return float(row[column])
