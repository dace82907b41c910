"""FraudDetector: the fitted fraud model with the live state of accounts and devices, for batch reports,
for scoring one new order as it arrives (`score_order`, well under 5 ms) and for learning from labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tools.anomaly.errors import AnomalyInputError
from tools.anomaly.fraud.cases import FraudModel, FraudReport, build_cases, fit_fraud_model, score_frame
from tools.anomaly.fraud.features import MODEL_FEATURES, FeatureWindows, order_features
from tools.anomaly.fraud.labels import (
    LABEL_FEATURES,
    CaseLabel,
    LabelModel,
    LabelStore,
    label_case,
    remember_cases,
)
from tools.anomaly.fraud.order_state import OrderInput, OrderState
from tools.anomaly.fraud.rules import FraudRules, order_reason, rule_flags, rule_risk
from tools.anomaly.period import Period, parse_since, resolve_period
from tools.events.store import EventStore

DEFAULT_HISTORY = "90d"


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


class FraudDetector:
    """Fraud model and state fitted on a store's recent history. Build with `FraudDetector.from_store`."""

    def __init__(
        self,
        store: EventStore,
        model: FraudModel,
        scored: pd.DataFrame,
        history: Period,
        state_dir: Path | None,
    ):
        self.store = store
        self.model = model
        self.scored = scored  # every order of the history period, scored
        self.history = history
        self.state_dir = state_dir
        self.state = OrderState.load(store, history.end, model.windows, model.small_amount)
        self._cases: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_store(
        cls,
        store: EventStore,
        as_of: pd.Timestamp | str | None = None,
        state_dir: Path | str | None = None,
        history: str = DEFAULT_HISTORY,
        rules: FraudRules | None = None,
        windows: FeatureWindows | None = None,
    ) -> FraudDetector:
        """Fit on the `history` before `as_of` (default: the latest order); labels come from `state_dir`."""
        labels = LabelStore(state_dir).all() if state_dir is not None else []
        with store.connect() as con:
            period = resolve_period(con, history, as_of, table="orders", column="placed_at")
            model, scored = fit_fraud_model(
                con, period, rules or FraudRules(), windows or FeatureWindows(), labels, store.profile()
            )
        return cls(store, model, scored, period, Path(state_dir) if state_dir is not None else None)

    def detect(self, since: str = "7d") -> FraudReport:
        """Suspicious cases among the orders of the `since` period before the detector's as_of."""
        period = Period(self.history.end - parse_since(since), self.history.end)
        if period.start >= self.history.start:
            scored = self.scored[self.scored["placed_at"] >= period.start]
        else:
            with self.store.connect() as con:
                features = order_features(
                    con, period, self.model.windows, self.model.small_amount, self.model.profile
                )
            scored = score_frame(features, self.model) if not features.empty else features
        if scored.empty:
            raise AnomalyInputError(f"No orders from {period.describe()}; use a longer since.")
        labels = {label.case_id: label for label in self.model.labels}
        cases, case_orders = build_cases(scored, self.model, labels)
        for row in cases.itertuples():
            orders = case_orders[case_orders["case_id"] == row.case_id]
            self._cases[row.case_id] = {
                "case_id": row.case_id,
                "user_ids": list(row.user_ids),
                "device_ids": list(row.device_ids),
                "order_ids": list(row.order_ids),
                "features": [
                    dict(zip(LABEL_FEATURES, vector.tolist()))
                    for vector in orders[list(LABEL_FEATURES)].to_numpy(dtype=float)
                ],
            }
        if self.state_dir is not None:
            remember_cases(self.state_dir, self._cases)
        return FraudReport(frame=cases, orders=case_orders, period=period, n_orders=len(scored))

    def label_case(self, case_id: str, fraud: bool, note: str = "") -> CaseLabel:
        """Record an operator's decision on a reported case and retrain the label model with it."""
        label = label_case(self.state_dir, case_id, fraud, note, known=self._cases)
        self.model.labels = [old for old in self.model.labels if old.case_id != case_id] + [label]
        self.model.label_model = LabelModel(self.model.labels, self.scored)
        self.scored = score_frame(self.scored, self.model)
        return label

    def score_order(self, order: OrderInput | dict[str, Any], remember: bool = True) -> OrderScore:
        """Risk of one new order against the current state; with `remember`, the order joins the state."""
        order = order if isinstance(order, OrderInput) else OrderInput.model_validate(order)
        m = self.model
        f = self.state.features(order)
        f["isolation"] = m.isolation.score_one([float(f[name]) for name in MODEL_FEATURES])
        f["isolation_pct"] = float(m.isolation.percentile(f["isolation"]))
        flags = rule_flags(f, m.rules, m.high_value_amount)
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
            self.state.remember(order)
        numbers = {
            k: float(v) for k, v in f.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        return OrderScore(order.order_id, round(risk, 4), raised, reasons, f["isolation_pct"], numbers)


def detect_fraud(
    store: EventStore,
    since: str = "7d",
    as_of: pd.Timestamp | str | None = None,
    state_dir: Path | str | None = None,
) -> FraudReport:
    """Suspicious cases among the orders placed in the `since` period before `as_of` (default: latest order).

    The model is fitted on the 90 days before `as_of` (or the whole period if longer); labels in
    `state_dir` (the settings' anomaly dir) shape the ranking, and the cases found are kept there so they
    can be labelled with `label_case`.
    """
    history = since if parse_since(since) > parse_since(DEFAULT_HISTORY) else DEFAULT_HISTORY
    return FraudDetector.from_store(store, as_of=as_of, state_dir=state_dir, history=history).detect(since)
