"""Operators' fraud / not-fraud labels and the semi-supervised model they train.

Labels live in one JSON file under the anomaly state dir, rewritten atomically (temp file + rename). Each
label keeps the feature vectors of the case's orders as they were when labelled, so it still teaches the
model after those orders have left the period being looked at.

The model is a logistic regression on the order features, the isolation score and the rule flags, trained
on the labelled orders plus pseudo-labels (orders the rules find near-certain, either way) at a low weight:
a handful of labels then moves the ranking of similar orders without being drowned or overfitted.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from tools.anomaly.errors import AnomalyInputError
from tools.anomaly.fraud.features import MODEL_FEATURES
from tools.anomaly.fraud.rules import FLAGS

LABEL_FEATURES: tuple[str, ...] = (*MODEL_FEATURES, "isolation_pct", *(f"flag_{name}" for name in FLAGS))
LABELLED_CASE_WEIGHT = 10.0  # total sample weight of one labelled case
PSEUDO_WEIGHT = 5.0  # total sample weight of each pseudo-label class
PSEUDO_POSITIVE_RISK = 0.8
PSEUDO_NEGATIVE_RISK = 0.2
MAX_PSEUDO_NEGATIVES = 2000
MODEL_SHARE_PER_LABEL = 0.2  # with n labelled cases the model gets n*0.2/(1+n*0.2) of the final risk
MAX_MODEL_SHARE = 0.8


class CaseLabel(BaseModel):
    """One operator decision about a case."""

    case_id: str
    fraud: bool
    user_ids: list[str]
    device_ids: list[str]
    order_ids: list[str]
    features: list[dict[str, float]] = Field(description="LABEL_FEATURES of each order when it was labelled.")
    labelled_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    note: str = ""


def _write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a temp file, flushed to disk, then renamed over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class LabelStore:
    """The labels file `fraud_labels.json` in `root` (the settings' anomaly dir)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.path = self.root / "fraud_labels.json"

    def all(self) -> list[CaseLabel]:
        """Every label, the latest decision per case."""
        if not self.path.exists():
            return []
        return [CaseLabel.model_validate(item) for item in json.loads(self.path.read_text(encoding="utf-8"))]

    def add(self, label: CaseLabel) -> None:
        """Record a decision, replacing an earlier one for the same case; atomic."""
        labels = [old for old in self.all() if old.case_id != label.case_id] + [label]
        _write_json(self.path, [item.model_dump(mode="json") for item in labels])


def known_cases(state_dir: Path) -> dict[str, dict[str, Any]]:
    """Cases reported by earlier runs (ids and order features), to be labelled from another process."""
    path = state_dir / "fraud_cases.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def remember_cases(state_dir: Path, cases: dict[str, dict[str, Any]]) -> None:
    """Add reported cases to the ones kept in `state_dir` (atomic)."""
    _write_json(state_dir / "fraud_cases.json", {**known_cases(state_dir), **cases})


def label_case(
    state_dir: Path | str | None,
    case_id: str,
    fraud: bool,
    note: str = "",
    known: dict[str, dict[str, Any]] | None = None,
) -> CaseLabel:
    """Store an operator's fraud / not-fraud decision on a case reported by an earlier `detect_fraud`."""
    cases = {**(known_cases(Path(state_dir)) if state_dir is not None else {}), **(known or {})}
    if case_id not in cases:
        hint = (
            f" Known cases: {', '.join(sorted(cases)[:20])}." if cases else " Run `chronotope fraud` first."
        )
        raise AnomalyInputError(f"Unknown fraud case {case_id!r}.{hint}")
    label = CaseLabel(fraud=fraud, note=note, **cases[case_id])
    if state_dir is not None:
        LabelStore(state_dir).add(label)
    return label


def label_matrix(frame: pd.DataFrame) -> np.ndarray:
    """The LABEL_FEATURES columns of a scored order frame as a float matrix."""
    return frame[list(LABEL_FEATURES)].to_numpy(dtype=float)


class LabelModel:
    """Logistic regression from order features to P(fraud), trained on labels plus pseudo-labels."""

    def __init__(self, labels: list[CaseLabel], scored: pd.DataFrame, seed: int = 0):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits

        rows, targets, weights = [], [], []
        for label in labels:
            if not label.features:
                continue
            for vector in label.features:
                rows.append([float(vector.get(name, 0.0)) for name in LABEL_FEATURES])
                targets.append(1 if label.fraud else 0)
                weights.append(LABELLED_CASE_WEIGHT / len(label.features))
        labelled_orders = {order for label in labels for order in label.order_ids}
        pool = scored[~scored["order_id"].isin(labelled_orders)]
        positives = pool[pool["rule_risk"] >= PSEUDO_POSITIVE_RISK]
        negatives = pool[pool["rule_risk"] < PSEUDO_NEGATIVE_RISK]
        if len(negatives) > MAX_PSEUDO_NEGATIVES:
            negatives = negatives.sample(MAX_PSEUDO_NEGATIVES, random_state=seed)
        for part, target in ((positives, 1), (negatives, 0)):
            if len(part):
                rows.extend(label_matrix(part).tolist())
                targets.extend([target] * len(part))
                weights.extend([PSEUDO_WEIGHT / len(part)] * len(part))
        self.n_cases = len(labels)
        self.fitted = len(set(targets)) == 2
        if self.fitted:
            self.pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
            with threadpool_limits(1):  # a small fit: extra OpenMP workers only contend with other processes
                self.pipeline.fit(
                    np.array(rows), np.array(targets), logisticregression__sample_weight=np.array(weights)
                )

    @property
    def share(self) -> float:
        """Weight of the model in the final risk, growing with the number of labelled cases."""
        if not self.fitted:
            return 0.0
        n = self.n_cases * MODEL_SHARE_PER_LABEL
        return min(MAX_MODEL_SHARE, n / (1.0 + n))

    def probability(self, X: np.ndarray) -> np.ndarray:
        """P(fraud) per row of LABEL_FEATURES."""
        return self.pipeline.predict_proba(X)[:, 1]

    def blend(self, rule_risk: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Final risk: the rules' risk moved towards the model's probability by `share`."""
        if self.share == 0.0:
            return rule_risk
        return (1.0 - self.share) * rule_risk + self.share * self.probability(X)
