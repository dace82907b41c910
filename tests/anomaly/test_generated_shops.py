"""The detectors on the generated shops (the demo shop, then the second shop): what each plants is found in
its own places, currency and clocks, and little else is."""

from __future__ import annotations

import pandas as pd
import pytest

from tools.anomaly import FraudDetector, detect_complaint_waves, detect_volume_anomalies
from tools.events.schema import FraudCase


def _found(case: FraudCase, reported: pd.DataFrame) -> bool:
    return any(set(case.user_ids) & set(users) or set(case.device_ids) & set(devices)
               for users, devices in zip(reported["user_ids"], reported["device_ids"]))


def test_planted_fraud_cases_are_found_and_few_others_are_reported(each_shop):
    store, truth = each_shop
    report = FraudDetector.from_store(store).detect("60d")
    cases = report.frame
    recall = sum(_found(case, cases) for case in truth.fraud) / len(truth.fraud)
    planted = [({*c.user_ids}, {*c.device_ids}) for c in truth.fraud]
    right = sum(any(set(users) & u or set(devices) & d for u, d in planted)
                for users, devices in zip(cases["user_ids"], cases["device_ids"]))
    assert recall >= 0.9, report.summary()
    assert right / len(cases) >= 0.8, report.summary()
    assert {c.kind for c in truth.fraud} == {"impossible_travel", "card_testing", "device_ring", "ship_far"}


def test_planted_outage_and_surge_are_found_in_their_regions(each_shop):
    store, truth = each_shop
    alerts = detect_volume_anomalies(store, since="70d").frame
    for planted in truth.volume_anomalies:
        hit = ((alerts["region"] == planted.region) & (alerts["start"] < pd.Timestamp(planted.end))
               & (alerts["end"] > pd.Timestamp(planted.start))
               & ((alerts["kind"] == "surge") == (planted.kind == "surge")))
        assert hit.any(), (planted, alerts.head(10))


@pytest.mark.slow
def test_planted_complaint_wave_is_found(each_shop, embedder, tmp_path):
    store, truth = each_shop
    alerts = detect_complaint_waves(store, embedder, since="60d", state_dir=tmp_path).frame
    (wave,) = truth.complaint_waves
    hit = ((alerts["product_id"] == wave.product_id) & (alerts["region"] == wave.region)
           & (alerts["start"].dt.date <= wave.end) & (alerts["end"].dt.date >= wave.start))
    assert hit.any(), alerts
    assert len(alerts) <= 3


def test_a_region_asked_about_without_anomalies_is_named_in_the_summary(each_shop):
    store, _ = each_shop
    everywhere = detect_volume_anomalies(store, since="7d")
    quiet = next(region for region in everywhere.series if region not in set(everywhere.frame["region"]))
    report = detect_volume_anomalies(store, since="7d", region=quiet)
    assert report.frame.empty
    assert report.summary().startswith(f"No session volume anomalies in {quiet} from "), report.summary()
