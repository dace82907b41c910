"""Anomaly, fraud and complaint-wave detection over the shop's events, orders and reviews.

Public API (every result has `.frame`, `.summary()` and `.chart()`):
- `detect_volume_anomalies(store, since="7d", region=None, category=None, measure="sessions")`
  -> AnomalyReport
- `detect_fraud(store, since="7d", state_dir=None) -> FraudReport`; `label_case(state_dir, case_id, fraud)`
- `FraudDetector.from_store(store, state_dir=None)`: `.detect(since)`, `.score_order(order) -> OrderScore`,
  `.label_case(case_id, fraud)`
- `detect_complaint_waves(store, embed, since="30d", state_dir=None) -> ComplaintReport`

"since" ('24h', '7d', '4w') counts back from `as_of`, which defaults to the latest record in the store
(events for volume, orders for fraud, reviews for complaints). `state_dir` is the settings' anomaly dir.
"""

from tools.anomaly.complaints import ComplaintReport, WaveConfig, detect_complaint_waves
from tools.anomaly.errors import AnomalyInputError
from tools.anomaly.fraud import (
    CaseLabel,
    FraudDetector,
    FraudReport,
    FraudRules,
    OrderInput,
    OrderScore,
    detect_fraud,
    label_case,
)
from tools.anomaly.seasonal import SeasonalConfig
from tools.anomaly.volume import MEASURES, AnomalyReport, detect_volume_anomalies

__all__ = [
    "MEASURES",
    "AnomalyInputError",
    "AnomalyReport",
    "CaseLabel",
    "ComplaintReport",
    "FraudDetector",
    "FraudReport",
    "FraudRules",
    "OrderInput",
    "OrderScore",
    "SeasonalConfig",
    "WaveConfig",
    "detect_complaint_waves",
    "detect_fraud",
    "detect_volume_anomalies",
    "label_case",
]
