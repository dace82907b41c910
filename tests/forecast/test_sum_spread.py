"""Bands of sums (a horizon's total, a lead time's demand) widened for errors that persist from period to
period, as the backtest's sums of errors show."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tools.forecast import reorder_from_forecast
from tools.forecast.calibration import spread_at, sum_spread
from tools.forecast.engine import forecast_series
from tools.forecast.runner import RunOptions


def _errors(per_window: list[np.ndarray]) -> pd.DataFrame:
    start = pd.Timestamp("2025-01-01")
    return pd.concat([pd.DataFrame({"unique_id": "s", "cutoff": start + pd.Timedelta(days=w),
                                    "step": np.arange(len(e)), "error": e, "y_hat": 10.0})
                      for w, e in enumerate(per_window)], ignore_index=True)


def test_errors_that_persist_widen_a_sum_up_to_sqrt_n_and_independent_ones_barely():
    rng = np.random.default_rng(0)
    alike = _errors([np.full(14, rng.normal(0, 3)) + rng.normal(0, 0.1, 14) for _ in range(8)])
    spread = sum_spread(alike, 14)["s"]
    assert spread[0] == 1.0 and spread[13] == pytest.approx(np.sqrt(14), rel=0.05)
    independent = _errors([rng.normal(0, 3, 14) for _ in range(200)])
    assert sum_spread(independent, 14)["s"][13] == pytest.approx(1.0, abs=0.15)
    assert sum_spread(_errors([rng.normal(0, 3, 14)]), 14) == {}  # one window says nothing of persistence
    assert spread_at(spread, 14) == spread[13] and spread_at((), 14) == 1.0 and spread_at(spread, 15) == 1.0


def _wandering(n_series: int, days: int, seed: int) -> pd.DataFrame:
    """Daily demand around a level that wanders (AR(1), phi 0.97): a model's errors persist for weeks."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        level = np.zeros(days)
        for t in range(1, days):
            level[t] = 0.97 * level[t - 1] + rng.normal(0, 4)
        frames.append(pd.DataFrame({"unique_id": f"s{i:02d}", "ds": pd.date_range("2025-01-01", periods=days),
                                    "y": np.clip(100 + level + rng.normal(0, 3, days), 0, None)}))
    return pd.concat(frames, ignore_index=True)


def test_a_horizons_total_band_covers_its_level_of_held_out_totals_where_independent_days_would_not():
    frame = _wandering(40, 330, seed=3)
    cut = frame["ds"].max() - pd.Timedelta(days=14)
    result = forecast_series(frame[frame["ds"] <= cut], 14, "D", options=RunOptions(model_set="fast"))
    actual = frame[frame["ds"] > cut].groupby("unique_id")["y"].sum()
    covered = np.mean([lo <= actual[uid] <= hi for uid in actual.index for _, lo, hi in [result.total(uid)]])
    for report in result.reports.values():
        report.sum_spread = ()  # independent days, as before
    alone = np.mean([lo <= actual[uid] <= hi for uid in actual.index for _, lo, hi in [result.total(uid)]])
    assert alone < 0.65 < covered


def test_reorder_safety_stock_grows_with_the_spread_of_lead_time_sums():
    daily = pd.DataFrame({"ds": pd.date_range("2026-11-16", periods=14), "y_hat": 10.0,
                          "hi-95": 10.0 + 1.959963984540054 * 5})
    plain = reorder_from_forecast(daily, stock_on_hand=30, lead_time_days=7, review_period_days=7)
    spread = tuple(float(k) for k in np.sqrt(np.arange(1, 15)))  # errors all alike: sd grows as n, not sqrt n
    wide = reorder_from_forecast(daily, stock_on_hand=30, lead_time_days=7, review_period_days=7,
                                 sum_spread=spread)
    assert wide.lead_time_sigma == pytest.approx(plain.lead_time_sigma * np.sqrt(7))
    assert wide.safety_stock > plain.safety_stock and wide.order_up_to > plain.order_up_to
    assert "x2.65 for errors that persisted from day to day" in wide.reasoning[0]
