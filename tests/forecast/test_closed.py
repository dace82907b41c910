"""Closed periods: a weekday a shop no longer sells on is forecast zero, its demand kept on the open days."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.forecast.closed import closed_positions, season_position
from tools.forecast.engine import forecast_series
from tools.forecast.runner import RunOptions

DAY = pd.Timedelta(days=1)


def _lumpy_shop(days: int = 300, seed: int = 0) -> pd.DataFrame:
    """Orders on ~75% of weekdays (lumpy sizes, classed intermittent), none on Saturdays or Sundays."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2025-01-06", periods=days, freq="D")
    y = (rng.random(days) < 0.75) * rng.gamma(2.0, 50.0, days)
    y[ds.dayofweek >= 5] = 0.0
    return pd.DataFrame({"unique_id": "shop", "ds": ds, "y": np.round(y)})


def test_a_weekday_without_sales_for_eight_weeks_is_closed_but_a_sparse_items_quiet_days_are_not():
    shop = _lumpy_shop()
    positions = season_position(shop["ds"], DAY, 7)
    closed = closed_positions(shop["y"].to_numpy(), positions, 7)
    saturday, sunday = (season_position(shop["ds"][shop["ds"].dt.dayofweek == d], DAY, 7)[0] for d in (5, 6))
    assert closed == {int(saturday), int(sunday)}
    assert closed_positions(shop["y"].to_numpy()[:50], positions[:50], 7) == set()  # under eight weeks
    rng = np.random.default_rng(1)
    sparse = (rng.random(300) < 0.2).astype(float)  # sells one day in five: some weekday may stay quiet
    sparse[(np.arange(300) % 7 == 3) & (np.arange(300) >= 230)] = 0.0  # ten quiet weeks: chance at that rate
    assert closed_positions(sparse, np.arange(300) % 7, 7) == set()
    sparse[np.arange(300) % 7 == 3] = 0.0  # never once in 43 weeks: 7 x 0.8^43 = 0.0005, not chance
    assert closed_positions(sparse, np.arange(300) % 7, 7) == {3}


def test_a_small_shop_that_sells_in_a_third_of_its_hours_is_closed_at_night():
    """Eight silent nights say nothing at that rate (24 x (2/3)^8 = 0.9); twelve weeks of them do."""
    rng = np.random.default_rng(2)
    hours = pd.date_range("2025-01-06", periods=24 * 7 * 12, freq="h")
    business = (hours.hour >= 9) & (hours.hour < 18)
    y = np.where(business & (rng.random(len(hours)) < 1 / 3), rng.integers(1, 5, len(hours)), 0).astype(float)
    positions = season_position(hours, pd.Timedelta(hours=1), 24)
    night = {int(p) for p in season_position(hours[~business], pd.Timedelta(hours=1), 24)}
    assert closed_positions(y, positions, 24) == night
    assert closed_positions(y[-24 * 8:], positions[-24 * 8:], 24) == set()
    result = forecast_series(pd.DataFrame({"unique_id": "shop", "ds": hours, "y": y}), 48, "H",
                             options=RunOptions(model_set="fast"))
    open_hours = (result.frame["ds"].dt.hour >= 9) & (result.frame["ds"].dt.hour < 18)
    assert (result.frame.loc[~open_hours, ["y_hat", "hi-95"]] == 0).all().all()
    assert (result.frame.loc[open_hours, "y_hat"] > 0).all()


def test_closed_days_are_forecast_zero_and_their_demand_moves_to_the_open_days():
    shop = _lumpy_shop()
    result = forecast_series(shop, 28, "D", options=RunOptions(model_set="fast"))
    report = result.reports["shop"]
    assert report.kind == "intermittent"
    frame = result.frame.assign(weekend=result.frame["ds"].dt.dayofweek >= 5)
    bands = ["y_hat", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert (frame.loc[frame["weekend"], bands] == 0).all().all()
    assert (frame.loc[~frame["weekend"], "y_hat"] > 0).all()
    # The weekly total stays the weekly demand (5 weekdays x 75% x 100 a day), now all of it on weekdays.
    assert abs(frame["y_hat"].sum() / 4 / (5 * 0.75 * 100) - 1) < 0.2
    # Calibrated on 8 backtest windows of 28 days without the weekends found closed at their cutoffs (a
    # closed day says nothing of a band's width).
    assert all(8 * 20 <= check.points < 8 * 28 for check in report.intervals)


def test_a_model_column_without_forecasts_stays_empty_on_closed_days():
    """A backtest frame holds NaN where a variant was not run for a series (no calendar lifts); zeroing its
    closed days would give it a perfect score on them alone, and the backtest would pick it."""
    from tools.forecast.closed import close_backtest
    from tools.forecast.grain import get_frequency

    shop = _lumpy_shop()
    cutoff = shop["ds"].iloc[-29]
    cv = shop[shop["ds"] > cutoff].assign(cutoff=cutoff, Croston=50.0, **{"Croston+cal": np.nan})
    closed = close_backtest(cv, shop[shop["ds"] <= cutoff], get_frequency("D"))
    weekend = closed["ds"].dt.dayofweek >= 5
    assert closed["closed"].equals(weekend)
    assert (closed.loc[weekend, "Croston"] == 0).all() and closed["Croston+cal"].isna().all()
    assert closed.loc[~weekend, "Croston"].sum() == np.float64(50.0 * len(closed))  # the total kept
