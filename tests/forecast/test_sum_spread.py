"""Bands of sums (a horizon's total, a lead time's demand) widened for errors that persist from period to
period, as the backtest's sums of errors show."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tools.forecast import reorder_from_forecast
from tools.forecast.calibration import calibrate, spread_at
from tools.forecast.engine import forecast_series
from tools.forecast.runner import RunOptions


def _spread(per_window: list[np.ndarray], level: int = 80) -> tuple[float, ...]:
    """The calibrated `level`% band's sum spread of one flat series (forecast 100, model band +-1) whose
    backtest windows erred by these arrays (oldest first), on a history that stays at 100."""
    horizon = len(per_window[0])
    days = pd.date_range("2025-01-01", periods=(len(per_window) + 1) * horizon, freq="D")
    history = pd.DataFrame({"unique_id": "s", "ds": days[:-horizon], "y": 100.0})
    forecast = pd.DataFrame({"unique_id": "s", "ds": days[-horizon:], "y_hat": 100.0, "lo-80": 99.0,
                             "hi-80": 101.0, "lo-95": 98.0, "hi-95": 102.0})
    errors = pd.concat([pd.DataFrame({"unique_id": "s", "cutoff": days[k * horizon], "error": e,
                                      "step": np.arange(horizon), "y_hat": 100.0})
                        for k, e in enumerate(per_window)], ignore_index=True)
    _, checks = calibrate(forecast, errors, history, span=horizon)
    return next(check.sum_spread for check in checks["s"] if check.level == level)


def test_errors_that_persist_widen_a_sum_by_up_to_sqrt_n_more_than_independent_ones():
    rng = np.random.default_rng(0)
    alike = _spread([np.full(14, rng.normal(0, 3)) + rng.normal(0, 0.1, 14) for _ in range(8)])
    assert alike[13] / alike[0] == pytest.approx(np.sqrt(14), rel=0.1)
    independent = _spread([rng.normal(0, 3, 14) for _ in range(200)])
    assert independent[13] / independent[0] == pytest.approx(1.0, abs=0.2)
    assert _spread([rng.normal(0, 3, 14)]) == ()  # one window says nothing of sums
    assert spread_at(alike, 14) == alike[13] and spread_at((), 14) == 1.0 and spread_at(alike, 15) == 1.0


def test_heavy_tails_widen_a_sum_beyond_what_the_bands_sigmas_say():
    """Independent errors either way: normal ones sum to about the sd the calibrated 80% bands imply, while
    Student-t ones (3 degrees of freedom) have rare large errors the 80% band's sigma leaves out, which a
    month's total adds up (means over 20 series: one series' spread rests on ~12 effective windows)."""
    normal, heavy = [], []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        normal.append(_spread([rng.normal(0, 1, 28) for _ in range(40)])[27])
        heavy.append(_spread([rng.standard_t(3, 28) for _ in range(40)])[27])
    assert 0.95 < np.mean(normal) < 1.25
    assert np.mean(heavy) > 1.12 * np.mean(normal)


def test_a_sum_from_few_windows_gets_students_t_not_the_normal_quantile():
    """The same kind of errors: the sd of a sum measured on two windows is uncertain, so its band is wider
    than the one measured on forty (means over 20 series)."""
    few, many = [], []
    for seed in range(20):
        windows = [np.random.default_rng(seed).normal(0, 1, 14) for _ in range(40)]
        few.append(_spread(windows[-2:])[13])
        many.append(_spread(windows)[13])
    assert np.mean(few) > 1.15 * np.mean(many)


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
    for report in result.reports.values():  # independent days, as before
        report.intervals = [replace(check, sum_spread=()) for check in report.intervals]
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
    assert "x2.65 as the backtest's 7-day sums of errors strayed further than the days' bands say" in (
        wide.reasoning[0])
    narrow = reorder_from_forecast(daily, stock_on_hand=30, lead_time_days=7, review_period_days=7,
                                   sum_spread=(0.8,) * 14)
    assert narrow.lead_time_sigma == pytest.approx(plain.lead_time_sigma * 0.8)
    assert "x0.80 as the backtest's 7-day sums of errors strayed less far" in narrow.reasoning[0]
