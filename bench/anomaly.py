"""Anomaly benchmark: planted volume anomalies, fraud and complaint waves in the demo shop; the real NAB
NYC taxi series; real-time order scoring latency. Each part against a plain baseline in the same run.

    nice .venv/bin/python bench/anomaly.py                 # builds DemoConfig.small() in a temp dir
    nice .venv/bin/python bench/anomaly.py --store DIR     # an existing demo store (manifest.json inside)

1. Volume (`detect_volume_anomalies`, hourly sessions per region, all of the data after the first 3 weeks):
   each planted outage and surge found (an alert of the same kind overlapping it in its region); false
   alarms per region per month. Alerts over a planted fraud burst (dozens of card-testing orders in an hour
   are a real surge of sessions) are counted apart, as "explained". Baseline: a plain rolling z-score
   (previous 168 hours' mean and sd, |z| >= 3) on the same series.
2. Fraud (`detect_fraud`, last 60 days, where the demo plants its cases): case recall and precision (a
   reported case matches a planted one when they share an account or a device). Baseline: the isolation
   forest alone (orders above its 99.5th percentile, grouped the same way).
3. Real time: `FraudDetector.score_order` p50/p99 over 500 of the last week's orders, against scikit-learn's
   `IsolationForest.score_samples` on one row (the unsupervised part alone).
4. Complaint waves (`detect_complaint_waves`, last 60 days): each planted wave found (same product and
   region, overlapping dates); false alarms per region per month; the sentiment model's held-out accuracy
   against always predicting the commonest class.
5. NAB NYC taxi (real data; Numenta Anomaly Benchmark, MIT licence, ../shared/data/nab): half-hourly
   counts, 5 labelled windows. Our seasonal scan at the default threshold and a strict one, against a plain
   rolling z-score (previous day, |z| >= 3); NAB's first 15% is a probation period, not scored. A window is
   detected when an alert overlaps it; an alert overlapping no window is a false alarm.

Prints `name: value unit` lines with the issue's targets; the last line is a ratio against a baseline.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np
import pandas as pd

from tools.anomaly import FraudDetector, detect_complaint_waves, detect_volume_anomalies
from tools.anomaly.fraud.cases import link_orders
from tools.anomaly.seasonal import SeasonalConfig, flagged_spans, score_series
from tools.events.schema import GroundTruth
from tools.events.store import EventStore

NAB = ROOT.parent / "shared" / "data" / "nab"
DAYS_PER_MONTH = 30.44


def say(name: str, value: float | str, unit: str = "", target: str = "", met: bool | None = None) -> None:
    """One `name: value unit` line, with the target and whether it was met when there is one."""
    text = (
        f"{value:,.3f}" if isinstance(value, float) else (f"{value:,}" if isinstance(value, int) else value)
    )
    suffix = f"  [target {target}: {'met' if met else 'NOT met'}]" if target else ""
    print(f"{name}: {text} {unit}".rstrip() + suffix, flush=True)


def _spans(flags: np.ndarray, max_gap: int) -> list[tuple[int, int, int]]:
    return flagged_spans(pd.DataFrame({"flag": flags}), max_gap)


def rolling_z_flags(values: np.ndarray, window: int, threshold: float = 3.0) -> np.ndarray:
    """The plain baseline: z against the previous `window` steps' mean and sd; +1/-1 beyond the threshold."""
    series = pd.Series(values, dtype=float)
    mean = series.shift(1).rolling(window, min_periods=window).mean()
    sd = series.shift(1).rolling(window, min_periods=window).std()
    z = ((series - mean) / sd.where(sd > 0)).fillna(0.0).to_numpy()
    return np.where(np.abs(z) >= threshold, np.sign(z), 0).astype(int)


# ---------------------------------------------------------------------------------------------- volume
def bench_volume(store: EventStore, truth: GroundTruth) -> tuple[float, float]:
    days = (truth.end - truth.start).days - 7 * SeasonalConfig().min_seasons - 1  # after the first 3 weeks
    started = time.perf_counter()
    report = detect_volume_anomalies(store, since=f"{days}d")
    say("volume_detect_seconds", time.perf_counter() - started, "s")
    alerts = report.frame
    matched = pd.Series(False, index=alerts.index)
    found = 0
    for planted in truth.volume_anomalies:
        hit = (
            (alerts["region"] == planted.region)
            & (alerts["start"] < pd.Timestamp(planted.end))
            & (alerts["end"] > pd.Timestamp(planted.start))
            & ((alerts["kind"] == "surge") == (planted.kind == "surge"))
        )
        matched |= hit
        found += bool(hit.any())
        best = alerts[hit].head(1)
        detail = "missed"
        if len(best):
            first = best.iloc[0]
            detail = f"{first['start']:%Y-%m-%d %H:%M}-{first['end']:%H:%M}, severity {first['severity']:.2f}"
        say(
            f"volume_{planted.kind}_{planted.region.replace(' ', '_')}",
            "found" if len(best) else "missed",
            detail,
        )
    explained = pd.Series(False, index=alerts.index)
    for case in truth.fraud:
        if case.kind == "card_testing":
            explained |= (
                (alerts["kind"] == "surge")
                & (alerts["start"] <= pd.Timestamp(case.end))
                & (alerts["end"] >= pd.Timestamp(case.start).floor("h"))
            )
    false_alarms = int((~matched & ~explained).sum())
    region_months = len(report.series) * days / DAYS_PER_MONTH
    rate = false_alarms / region_months
    say(
        "volume_planted_found",
        f"{found}/{len(truth.volume_anomalies)}",
        "",
        "all",
        found == len(truth.volume_anomalies),
    )
    say("volume_alerts_explained_by_planted_fraud_bursts", int((~matched & explained).sum()))
    say("volume_false_alarms", false_alarms, f"over {region_months:,.0f} region-months")
    say("volume_false_alarms_per_region_month", rate, "", "<= 1", rate <= 1)

    base_found, base_false = 0, 0
    planted_by_region: dict[str, list] = {}
    for planted in truth.volume_anomalies:
        planted_by_region.setdefault(planted.region, []).append(planted)
    for region, series in report.series.items():
        flags = rolling_z_flags(series["observed"].to_numpy(), 168)
        for first, last, sign in _spans(flags, 1):
            start, end = series["ts"].iloc[first], series["ts"].iloc[last] + pd.Timedelta(hours=1)
            hits = [
                p
                for p in planted_by_region.get(region, [])
                if start < pd.Timestamp(p.end)
                and end > pd.Timestamp(p.start)
                and (sign > 0) == (p.kind == "surge")
            ]
            base_false += not hits
        for planted in planted_by_region.get(region, []):
            inside = (series["ts"] >= pd.Timestamp(planted.start)) & (
                series["ts"] < pd.Timestamp(planted.end)
            )
            base_found += bool((flags[inside.to_numpy()] == (1 if planted.kind == "surge" else -1)).any())
    base_rate = base_false / region_months
    say("volume_baseline_rolling_z_found", f"{base_found}/{len(truth.volume_anomalies)}")
    say("volume_baseline_rolling_z_false_alarms_per_region_month", base_rate)
    return rate, base_rate


# ---------------------------------------------------------------------------------------------- fraud
def _match(cases: pd.DataFrame, truth: GroundTruth) -> tuple[float, float]:
    hit_truth: set[int] = set()
    good = 0
    for row in cases.itertuples():
        hits = [
            i
            for i, c in enumerate(truth.fraud)
            if set(c.user_ids) & set(row.user_ids) or set(c.device_ids) & set(row.device_ids)
        ]
        hit_truth.update(hits)
        good += bool(hits)
    return len(hit_truth) / max(len(truth.fraud), 1), good / max(len(cases), 1)


def bench_fraud(store: EventStore, truth: GroundTruth) -> tuple[float, float, FraudDetector]:
    started = time.perf_counter()
    detector = FraudDetector.from_store(store)
    report = detector.detect("60d")
    say("fraud_fit_and_detect_seconds", time.perf_counter() - started, "s")
    recall, precision = _match(report.frame, truth)
    say("fraud_planted_cases", len(truth.fraud))
    say("fraud_reported_cases", len(report.frame))
    say("fraud_case_recall", recall, "", ">= 0.9", recall >= 0.9)
    say("fraud_case_precision", precision, "", ">= 0.8", precision >= 0.8)
    for kind in ("impossible_travel", "card_testing", "device_ring", "ship_far"):
        sub = GroundTruth.model_validate(
            {**truth.model_dump(), "fraud": [c for c in truth.fraud if c.kind == kind]}
        )
        say(f"fraud_recall_{kind}", _match(report.frame, sub)[0])

    period = detector.scored[detector.scored["placed_at"] >= report.period.start]
    isolated = period[period["isolation_pct"] >= 0.995].copy()
    if len(isolated):
        isolated["component"] = link_orders(isolated)
        base_cases = isolated.groupby("component").agg(
            user_ids=("user_id", lambda s: sorted(set(s))),
            device_ids=("device_id", lambda s: sorted(set(s.dropna()))),
        )
    else:
        base_cases = pd.DataFrame(columns=["user_ids", "device_ids"])
    base_recall, base_precision = _match(base_cases, truth)
    say("fraud_baseline_isolation_only_recall", base_recall)
    say("fraud_baseline_isolation_only_precision", base_precision)
    return recall * precision, base_recall * base_precision, detector


def bench_realtime(store: EventStore, detector: FraudDetector) -> float:
    end = detector.history.end
    with store.connect() as con:
        orders = con.execute(
            """
            SELECT o.order_id, o.user_id, o.device_id, o.placed_at, o.amount, o.currency, o.shipping_lat,
                   o.shipping_lon, o.shipping_city, any_value(e.lat) AS lat, any_value(e.lon) AS lon
            FROM orders o LEFT JOIN events e ON e.order_id = o.order_id AND e.event_type = 'purchase'
            WHERE o.placed_at >= ? GROUP BY ALL ORDER BY o.placed_at LIMIT 500
            """,
            [(end - pd.Timedelta(days=7)).to_pydatetime()],
        ).df()
    records = [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in orders.to_dict("records")]
    ours, base = [], []
    forest = detector.model.isolation.forest
    from tools.anomaly.fraud.features import MODEL_FEATURES

    for record in records:
        started = time.perf_counter()
        scored = detector.score_order(record, remember=False)
        ours.append(time.perf_counter() - started)
        row = np.array([[scored.features[name] for name in MODEL_FEATURES]], dtype=np.float32)
        started = time.perf_counter()
        forest.score_samples(row)
        base.append(time.perf_counter() - started)
    p50, p99 = statistics.median(ours) * 1000, float(np.percentile(ours, 99)) * 1000
    base_p50 = statistics.median(base) * 1000
    say("score_order_orders", len(records))
    say("score_order_p50", p50, "ms", "<= 5 ms", p50 <= 5)
    say("score_order_p99", p99, "ms")
    say("baseline_sklearn_score_samples_one_row_p50", base_p50, "ms")
    return base_p50 / p50


# ---------------------------------------------------------------------------------------------- complaints
def bench_complaints(store: EventStore, truth: GroundTruth, state_dir: Path) -> float:
    started = time.perf_counter()
    from agent.config import Settings
    from chronotope.wiring import text_embedder

    report = detect_complaint_waves(store, text_embedder(Settings()), since="60d", state_dir=state_dir)
    say("complaints_detect_seconds", time.perf_counter() - started, "s")
    alerts = report.frame
    matched = pd.Series(False, index=alerts.index)
    found = 0
    for wave in truth.complaint_waves:
        hit = (
            (alerts["product_id"] == wave.product_id)
            & (alerts["region"] == wave.region)
            & (alerts["start"].dt.date <= wave.end)
            & (alerts["end"].dt.date >= wave.start)
        )
        matched |= hit
        found += bool(hit.any())
        if hit.any():
            best = alerts[hit].iloc[0]
            say(
                f"complaint_wave_{wave.product_id}_{wave.region.replace(' ', '_')}",
                "found",
                f"{best['start']:%Y-%m-%d} to {best['end']:%Y-%m-%d}, "
                f"{best['negatives']}/{best['reviews']} negative, topic {best['topic']}",
            )
    false_alarms = int((~matched).sum())
    regions = report.reviews["region"].nunique()
    rate = false_alarms / (regions * 60 / DAYS_PER_MONTH)
    say(
        "complaint_waves_found",
        f"{found}/{len(truth.complaint_waves)}",
        "",
        "all",
        found == len(truth.complaint_waves),
    )
    say("complaint_false_alarms", false_alarms)
    say("complaint_false_alarms_per_region_month", rate, "", "<= 1", rate <= 1)
    rated = report.reviews.dropna(subset=["rating"])
    majority = float(
        (
            np.where(rated["rating"] <= 2, "negative", np.where(rated["rating"] == 3, "neutral", "positive"))
            == "positive"
        ).mean()
    )
    say("sentiment_holdout_accuracy", report.holdout_accuracy)
    say("baseline_majority_class_accuracy", majority)
    return report.holdout_accuracy / majority


# ---------------------------------------------------------------------------------------------- NAB
def _nab_count(
    spans_ts: list[tuple[pd.Timestamp, pd.Timestamp]], windows: list[tuple[pd.Timestamp, pd.Timestamp]]
):
    detected, false_alarms = set(), 0
    for start, end in spans_ts:
        hits = [i for i, (a, b) in enumerate(windows) if start <= b and end >= a]
        detected.update(hits)
        false_alarms += not hits
    return len(detected), false_alarms


def bench_nab() -> float:
    frame = pd.read_csv(NAB / "nyc_taxi.csv", parse_dates=["timestamp"])
    series = pd.Series(frame["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(frame["timestamp"]))
    windows = [
        (pd.Timestamp(a), pd.Timestamp(b))
        for a, b in json.loads((NAB / "combined_windows.json").read_text())["realKnownCause/nyc_taxi.csv"]
    ]
    probation = series.index[int(0.15 * len(series))]
    step = pd.Timedelta(minutes=30)
    say("nab_credit", "Numenta Anomaly Benchmark, realKnownCause/nyc_taxi.csv (MIT licence)")
    say("nab_windows", len(windows))
    results = {}
    for name, threshold in (("default", SeasonalConfig().threshold), ("strict", 5.0)):
        config = SeasonalConfig(
            windows=(1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48), threshold=threshold, max_gap=2
        )
        scores = score_series(series, config).frame
        spans = [
            (scores["ts"].iloc[a], scores["ts"].iloc[b] + step)
            for a, b, _ in flagged_spans(scores, config.max_gap)
        ]
        spans = [(a, b) for a, b in spans if a >= probation]
        detected, false_alarms = _nab_count(spans, windows)
        results[name] = (detected, false_alarms)
        say(f"nab_seasonal_{name}_threshold", threshold)
        say(f"nab_seasonal_{name}_windows_detected", f"{detected}/{len(windows)}")
        say(f"nab_seasonal_{name}_false_alarms", false_alarms)
    flags = rolling_z_flags(series.to_numpy(), 48)
    spans = [(series.index[a], series.index[b] + step) for a, b, _ in _spans(flags, 2)]
    detected, false_alarms = _nab_count([(a, b) for a, b in spans if a >= probation], windows)
    say("nab_baseline_rolling_z_windows_detected", f"{detected}/{len(windows)}")
    say("nab_baseline_rolling_z_false_alarms", false_alarms)
    return results["strict"][0] / max(detected, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--store", type=Path, help="An existing demo store (default: build DemoConfig.small())."
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-anomaly-") as tmp:
        if args.store is not None:
            store = EventStore(args.store)
            truth = GroundTruth.model_validate_json((args.store / "manifest.json").read_text())
        else:
            from tools.events.simulate import DemoConfig, build_demo_shop

            started = time.perf_counter()
            store = EventStore(Path(tmp) / "store")
            truth = build_demo_shop(store, DemoConfig.small(), progress=False)
            say("demo_build_seconds", time.perf_counter() - started, "s")
        nab_ratio = bench_nab()
        volume_rate, volume_base_rate = bench_volume(store, truth)
        fraud_score, fraud_base, detector = bench_fraud(store, truth)
        speedup = bench_realtime(store, detector)
        sentiment_ratio = bench_complaints(store, truth, Path(tmp) / "anomaly")
    say("ratio_volume_false_alarm_rate_baseline_over_ours", volume_base_rate / max(volume_rate, 1e-9), "x")
    say("ratio_fraud_recall_x_precision_ours_over_isolation_only", fraud_score / max(fraud_base, 1e-9), "x")
    say("ratio_sentiment_accuracy_over_majority_class", sentiment_ratio, "x")
    say("ratio_score_order_speedup_over_sklearn_one_row", speedup, "x")
    say("ratio_nab_windows_detected_strict_over_rolling_z", nab_ratio, "x")


if __name__ == "__main__":
    main()
