"""Fraud detection over the shop's orders: per-order features (`features`), named rules (`rules`), an
isolation forest (`isolation`), operators' labels and the model they train (`labels`), cases and their report
(`cases`), and the detector that ties them together for batch reports and real-time scoring (`detector`,
`order_state`).
"""

from tools.anomaly.fraud.cases import FraudReport
from tools.anomaly.fraud.detector import FraudDetector, OrderScore, detect_fraud
from tools.anomaly.fraud.labels import CaseLabel, label_case
from tools.anomaly.fraud.order_state import OrderInput
from tools.anomaly.fraud.rules import FraudRules

__all__ = [
    "CaseLabel",
    "FraudDetector",
    "FraudReport",
    "FraudRules",
    "OrderInput",
    "OrderScore",
    "detect_fraud",
    "label_case",
]
