"""Batch fraud detection: score every order of a period, group suspicious ones into cases, explain them.

An order's risk combines rule flags (impossible travel, card testing, device rings, shipping far from home,
velocity, a new account with a high value, an unusual hour) with its isolation-forest score; once operators
have labelled cases, a label model trained on those labels moves it further. Suspicious orders that share
a user or a device form one case; a case is named after its main device or account (`FC-D0001234`), so
the same pattern keeps its name from one run to the next and a label sticks to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tools.anomaly.fraud.features import MODEL_FEATURES, FeatureWindows, order_features, small_order_limit
from tools.anomaly.fraud.geo import nearest_city
from tools.anomaly.fraud.isolation import IsolationScorer
from tools.anomaly.fraud.labels import CaseLabel, LabelModel, label_matrix
from tools.anomaly.fraud.rules import (
    FLAGS,
    FraudRules,
    ReasonContext,
    flag_strength,
    order_reason,
    rule_flags,
    rule_risk,
)
from tools.anomaly.period import Period
from tools.events.money import Money
from tools.events.profile import ShopProfile
from tools.results import FULL_ROWS, NAMED_ROWS, ChartSpec

CASE_ORDER_RISK = 0.3  # an order at least this risky joins (or starts) a case
REPORT_RISK = 0.5  # a case at least this risky is reported
DEVICE_FLAGS = ("card_testing", "device_ring", "velocity")  # patterns that belong to a device, not a person
CLEARED_FACTOR = 0.1  # a case labelled "not fraud" keeps this share of its risk

CASE_COLUMNS = [
    "case_id",
    "risk",
    "status",
    "kinds",
    "reasons",
    "n_orders",
    "reporting_amount",
    "first_order",
    "last_order",
    "user_ids",
    "device_ids",
    "order_ids",
    "lat",
    "lon",
]


@dataclass
class FraudModel:
    """What scoring needs besides the order's features: thresholds, the fitted forest, labels."""

    rules: FraudRules
    windows: FeatureWindows
    isolation: IsolationScorer
    small_amount: float
    high_value_amount: float
    profile: ShopProfile  # the shop's currency (amounts in reasons) and places (nearest city)
    labels: list[CaseLabel] = field(default_factory=list)
    label_model: LabelModel | None = None

    @property
    def limits(self) -> ReasonContext:
        return ReasonContext(self.small_amount, self.high_value_amount, self.rules.high_value_quantile,
                             self.profile)


def fit_fraud_model(
    con,
    period: Period,
    rules: FraudRules,
    windows: FeatureWindows,
    labels: list[CaseLabel],
    profile: ShopProfile,
) -> tuple[FraudModel, pd.DataFrame]:
    """Fit the forest and the label model on the orders of `period`; returns the model and scored orders."""
    small = small_order_limit(con, period, windows, Money.of(profile))
    features = order_features(con, period, windows, small, profile)
    if features.empty:
        from tools.anomaly.errors import AnomalyInputError

        raise AnomalyInputError(
            f"No orders from {period.describe()}; pick a longer period or load orders first."
        )
    isolation = IsolationScorer(features[list(MODEL_FEATURES)].to_numpy(dtype=float))
    high_value = float(np.quantile(features["reporting_amount"], rules.high_value_quantile))
    model = FraudModel(rules, windows, isolation, small, high_value, profile, labels)
    scored = score_frame(features, model)
    if labels:
        model.label_model = LabelModel(labels, scored)
        scored = score_frame(features, model)
    return model, scored


def score_frame(features: pd.DataFrame, model: FraudModel) -> pd.DataFrame:
    """Add isolation, flags, the rules' risk and the final risk to a frame of order features."""
    scored = features.copy()
    scored["isolation"] = model.isolation.score(scored[list(MODEL_FEATURES)].to_numpy(dtype=float))
    scored["isolation_pct"] = model.isolation.percentile(scored["isolation"].to_numpy())
    flags = rule_flags(scored, model.rules, model.high_value_amount)
    for name, raised in flags.items():
        scored[f"flag_{name}"] = raised.astype(float)
    scored["rule_risk"] = rule_risk(flags, scored["isolation_pct"].to_numpy(), model.rules)
    scored["risk"] = scored["rule_risk"]
    if model.label_model is not None:
        scored["risk"] = model.label_model.blend(scored["rule_risk"].to_numpy(), label_matrix(scored))
    return scored


def _travel_orders(scored: pd.DataFrame) -> pd.Series:
    """For orders flagged for travel: how many of the user's orders fall between the far activity and it."""
    counts = pd.Series(1, index=scored.index, dtype=int)
    travelled = scored[scored["flag_impossible_travel"] > 0]
    for index, row in travelled.iterrows():
        same_user = scored[(scored["user_id"] == row["user_id"])]
        inside = same_user["placed_at"].between(row["travel_from_time"], row["placed_at"])
        counts[index] = max(1, int(inside.sum()))
    return counts


def link_orders(orders: pd.DataFrame) -> np.ndarray:
    """Group number per order: orders sharing an account or a device (directly or via others) share one."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    users = pd.Index(orders["user_id"].astype(str).unique())
    devices = pd.Index(orders["device_id"].fillna("").astype(str).unique())
    u = users.get_indexer(orders["user_id"].astype(str))
    d = len(users) + devices.get_indexer(orders["device_id"].fillna("").astype(str))
    has_device = orders["device_id"].notna().to_numpy()
    n = len(users) + len(devices)
    graph = coo_matrix((np.ones(has_device.sum()), (u[has_device], d[has_device])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    return component[u]


def _case_id(case: pd.DataFrame, kinds: list[str]) -> str:
    """The main device for device patterns, else the main account."""
    if any(kind in DEVICE_FLAGS for kind in kinds) and case["device_id"].notna().any():
        return f"FC-{case['device_id'].value_counts().index[0]}"
    return f"FC-{case['user_id'].value_counts().index[0]}"


def _travel_reason(orders: pd.DataFrame, strongest: pd.Series, profile: ShopProfile) -> str:
    """The whole trip of one account: how many orders, how far, how fast, through which places."""
    chain = orders[orders["user_id"] == strongest["user_id"]].sort_values("placed_at")
    minutes = (chain["placed_at"].iloc[-1] - chain["placed_at"].iloc[0]).total_seconds() / 60
    places: list[str] = []
    for lat, lon in zip(chain["lat"], chain["lon"]):
        place = nearest_city(profile, lat, lon)
        if not places or places[-1] != place:
            places.append(place)
    return (
        f"{len(chain)} orders {strongest['travel_km']:,.0f} km apart within {minutes:.0f} minutes "
        f"({' -> '.join(places)}, {strongest['travel_kmh']:,.0f} km/h)"
    )


def case_reasons(case: pd.DataFrame, orders: pd.DataFrame, model: FraudModel) -> tuple[list[str], list[str]]:
    """(flag kinds, one reason per kind from the order that shows it most), strongest kinds first.

    `case` holds the suspicious orders, `orders` every order of the case (the trip's first leg included).
    """
    kinds = [name for name in FLAGS if (case[f"flag_{name}"] > 0).any()]
    reasons = []
    for kind in kinds:
        shown = case[case[f"flag_{kind}"] > 0]
        strongest = shown.loc[max(shown.index, key=lambda i: flag_strength(kind, shown.loc[i]))]
        if kind == "impossible_travel":
            reasons.append(_travel_reason(orders, strongest, model.profile))
        else:
            reasons.append(order_reason(kind, strongest, model.limits))
    excess = case["isolation_pct"] >= model.rules.isolation_quantile
    if excess.any():
        kinds.append("isolation")
        reasons.append(order_reason("isolation", case.loc[case["isolation_pct"].idxmax()], model.limits))
    return kinds, reasons


def build_cases(
    scored: pd.DataFrame, model: FraudModel, labels: dict[str, CaseLabel]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cases, their orders with a case_id). Cases are ranked by risk; labelled ones carry their status."""
    scored = scored.copy()
    scored["travel_orders"] = _travel_orders(scored)
    suspicious = scored[scored["risk"] >= CASE_ORDER_RISK].copy()
    if suspicious.empty:
        return pd.DataFrame(columns=CASE_COLUMNS), suspicious.assign(case_id=pd.Series(dtype=str))
    suspicious["component"] = link_orders(suspicious)
    rows, members = [], []
    for _, case in suspicious.groupby("component"):
        flagged = [name for name in FLAGS if (case[f"flag_{name}"] > 0).any()]
        case_id = _case_id(case, flagged)
        orders = case
        if any(kind in DEVICE_FLAGS for kind in flagged):
            # Every order of a testing or ring device is in the case, also those before the pattern showed.
            same_device = scored[
                scored["device_id"].isin(case["device_id"].dropna()) & ~scored.index.isin(case.index)
            ]
            orders = pd.concat([case, same_device])
        for _, row in case[case["flag_impossible_travel"] > 0].iterrows():
            # The order placed from the far-away place before the jump is half of the story.
            origin = scored[
                (scored["user_id"] == row["user_id"])
                & scored["placed_at"].between(row["travel_from_time"], row["placed_at"])
                & ~scored.index.isin(orders.index)
            ]
            orders = pd.concat([orders, origin])
        kinds, reasons = case_reasons(case, orders, model)
        risk = float(case["risk"].max())
        label = labels.get(case_id)
        status = "open"
        if label is not None:
            status = "confirmed fraud" if label.fraud else "cleared"
            risk = max(risk, 0.99) if label.fraud else risk * CLEARED_FACTOR
        top = case.loc[case["risk"].idxmax()]
        rows.append(
            {
                "case_id": case_id,
                "risk": round(risk, 4),
                "status": status,
                "kinds": kinds,
                "reasons": reasons,
                "n_orders": len(orders),
                "reporting_amount": round(float(orders["reporting_amount"].sum()), 2),
                "first_order": orders["placed_at"].min(),
                "last_order": orders["placed_at"].max(),
                "user_ids": sorted(orders["user_id"].astype(str).unique()),
                "device_ids": sorted(orders["device_id"].dropna().astype(str).unique()),
                "order_ids": orders.sort_values("placed_at")["order_id"].astype(str).tolist(),
                "lat": top["lat"],
                "lon": top["lon"],
            }
        )
        members.append(orders.assign(case_id=case_id))
    cases = pd.DataFrame(rows, columns=CASE_COLUMNS)
    cases = cases[(cases["risk"] >= REPORT_RISK) | (cases["status"] != "open")]
    cases = cases.sort_values(["risk", "n_orders"], ascending=False, kind="stable").reset_index(drop=True)
    case_orders = pd.concat(members, ignore_index=True) if members else scored.iloc[:0].assign(case_id="")
    return cases, case_orders[case_orders["case_id"].isin(cases["case_id"])].reset_index(drop=True)


@dataclass
class FraudReport:
    """Suspicious cases of a period (most risky first) and the orders behind them."""

    frame: pd.DataFrame  # CASE_COLUMNS
    orders: pd.DataFrame = field(repr=False)  # the cases' orders with features, flags, risk and case_id
    period: Period
    n_orders: int  # orders scored in the period

    def summary(self) -> str:
        open_cases = self.frame[self.frame["status"] == "open"]
        orders = f"{self.n_orders:,} order{'' if self.n_orders == 1 else 's'}"
        if open_cases.empty:
            return f"No suspicious cases among {orders} from {self.period.describe()}."
        rows = list(open_cases.itertuples())
        full = [
            f"{row.case_id} (risk {row.risk:.2f}, {', '.join(k.replace('_', ' ') for k in row.kinds)}): "
            f"{row.reasons[0]}"
            for row in rows[:FULL_ROWS]
        ]
        named = [f"{row.case_id} (risk {row.risk:.2f})" for row in rows[FULL_ROWS:NAMED_ROWS]]
        return (
            f"{len(rows)} suspicious case(s) among {orders} from {self.period.describe()}: "
            + "; ".join(full)
            + (f"; also {', '.join(named)}" if named else "")
            + (f"; {len(rows) - NAMED_ROWS} more in the table" if len(rows) > NAMED_ROWS else "")
            + "."
        )

    def chart(self) -> ChartSpec | None:
        """Map of the cases' orders at the place they were placed from, sized by risk."""
        located = self.orders.dropna(subset=["lat", "lon"])
        if located.empty:
            return None
        data = pd.DataFrame(
            {
                "lat": located["lat"],
                "lon": located["lon"],
                "value": located["risk"].round(3),
                "label": located["case_id"] + " " + located["order_id"].astype(str),
            }
        )
        return ChartSpec.from_frame(
            "map",
            "Orders of suspicious cases",
            data,
            value="value",
            extra={"lat": "lat", "lon": "lon", "label": "label"},
        )
