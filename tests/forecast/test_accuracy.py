"""Backtest error measures on a hand-made cross-validation frame with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from tools.forecast.accuracy import smape


def test_smape_is_m4s_with_zero_where_both_are_zero_and_negative_forecasts_clipped():
    cv = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": pd.date_range("2025-01-01", periods=4),
                       "cutoff": pd.Timestamp("2024-12-31"), "y": [0.0, 10.0, 4.0, 0.0],
                       "M": [-1.0, 5.0, 4.0, 2.0]})
    scores = smape(cv)
    assert scores.at["a", "M"] == pytest.approx((0.0 + 200 * 5 / 15) / 2)  # -1 forecasts 0: exact on a 0
    assert scores.at["b", "M"] == pytest.approx((0.0 + 200.0) / 2)  # any demand forecast on a 0 is 200%
