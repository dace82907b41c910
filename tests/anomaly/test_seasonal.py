"""The seasonal baseline and window scan on small synthetic series (no store)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tools.anomaly.seasonal import SeasonalConfig, flagged_spans, robust_expected, score_series, tail_score


def _weekly_counts(weeks: int, rate_scale: float = 4.0, seed: int = 0, tz: str = "UTC") -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2026-01-05", periods=weeks * 168, freq="h", tz="UTC")
    local_hour = index.tz_convert(tz).hour
    rate = rate_scale * (0.3 + np.exp(-0.5 * ((local_hour - 19) / 3.0) ** 2))
    return pd.Series(rng.poisson(rate).astype(float), index=index)


def test_outage_in_a_poisson_series_is_one_span_with_exact_hours():
    series = _weekly_counts(10)
    series.iloc[-30:-22] = 0.0  # an eight-hour outage in the last week
    scores = score_series(series, SeasonalConfig()).frame
    spans = flagged_spans(scores, max_gap=1)
    planted = range(len(series) - 30, len(series) - 22)
    overlapping = [
        (first, last, sign) for first, last, sign in spans if first <= planted[-1] and last >= planted[0]
    ]
    assert overlapping == [(planted[0], planted[-1], -1)]


def test_a_quiet_series_raises_few_alarms():
    series = _weekly_counts(12, seed=3)
    spans = flagged_spans(score_series(series, SeasonalConfig()).frame, max_gap=1)
    weeks_scored = 12 - SeasonalConfig().min_seasons
    assert len(spans) <= weeks_scored  # well under one per week in a pure Poisson series


def test_baseline_follows_local_wall_clock_across_daylight_saving():
    # Europe/Berlin leaves summer time on 2026-10-25: the evening peak moves one UTC hour later.
    rng = np.random.default_rng(1)
    index = pd.date_range("2026-08-31", "2026-11-08 23:00", freq="h", tz="UTC")
    local_hour = index.tz_convert("Europe/Berlin").hour
    series = pd.Series(rng.poisson(np.where(local_hour == 19, 60.0, 2.0)).astype(float), index=index)
    scores = score_series(series, SeasonalConfig(), tz="Europe/Berlin").frame
    after = scores[scores["ts"] >= pd.Timestamp("2026-10-26", tz="UTC")]
    peak_hours = after.loc[after["expected"] > 30, "ts"].dt.tz_convert("Europe/Berlin").dt.hour
    assert set(peak_hours) == {19}
    assert (after["flag"] == 0).mean() > 0.98


def test_past_anomalies_are_left_out_of_the_expected_value():
    lags = np.array([[50.0], [52.0], [48.0], [0.0], [51.0], [49.0]])  # week 4 was an outage
    expected, used = robust_expected(lags, theta=1.0, phi=0.0, min_count=3)
    assert used[0] == 5
    assert expected[0] == pytest.approx((250 + 0.5) / 5)


def test_tail_score_sign_and_size():
    z = tail_score(np.array([0.0, 20.0, 10.0]), np.array([10.0, 10.0, 10.0]), np.array([10.0, 10.0, 10.0]))
    assert z[0] < -3 and z[1] > 2.5 and abs(z[2]) < 1
