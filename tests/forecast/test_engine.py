"""The engine on seeded synthetic series: backtest choice, interval coverage, fallbacks, calendar, dask,
errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.forecast.conftest import weekly_poisson
from tools.forecast.calendar import CalendarLifts, estimate_lifts
from tools.forecast.engine import forecast_series
from tools.forecast.errors import ForecastInputError, HorizonTooLong, SeriesTooShort
from tools.forecast.grain import get_frequency
from tools.forecast.runner import RunOptions

FAST = RunOptions(model_set="fast")
BANDS = ["y_hat", "lo-80", "hi-80", "lo-95", "hi-95"]


def _holdout(frame: pd.DataFrame, days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = frame["ds"].max() - pd.Timedelta(days=days)
    return frame[frame["ds"] <= cut], frame[frame["ds"] > cut]


def test_80_percent_intervals_cover_70_to_90_percent_of_held_out_points():
    train, test = _holdout(weekly_poisson(15, 300, seed=1), 28)
    result = forecast_series(train, 28, "D", options=FAST)
    joined = test.merge(result.frame, on=["unique_id", "ds"])
    assert len(joined) == 15 * 28
    inside80 = ((joined["y"] >= joined["lo-80"]) & (joined["y"] <= joined["hi-80"])).mean()
    inside95 = ((joined["y"] >= joined["lo-95"]) & (joined["y"] <= joined["hi-95"])).mean()
    assert 0.70 <= inside80 <= 0.90
    assert inside95 > inside80


def test_backtest_picks_models_that_beat_seasonal_naive_on_noisy_weekly_demand():
    result = forecast_series(weekly_poisson(6, 300, seed=2), 14, "D", options=FAST)
    for report in result.reports.values():
        assert report.kind == "regular" and report.metric == "MASE"
        assert report.model in {"ETS", "Theta", "SeasonalNaive"}
        assert report.ratio is not None
    # Poisson noise makes a copy of last week ~sqrt(2) times as wrong as a smoothed level.
    assert np.mean([r.ratio for r in result.reports.values()]) < 0.85
    assert (result.frame[BANDS] >= 0).all().all()
    assert result.frame.groupby("unique_id").size().eq(14).all()


def test_intermittent_series_get_a_rate_forecast_not_zeros():
    rng = np.random.default_rng(3)
    y = (rng.random(300) < 0.25) * rng.integers(1, 4, 300)
    frame = pd.DataFrame({"unique_id": "slow", "ds": pd.date_range("2025-01-01", periods=300),
                          "y": y.astype(float)})
    result = forecast_series(frame, 28, "D", options=FAST)
    report = result.reports["slow"]
    assert report.kind == "intermittent" and report.metric == "RMSSE"
    assert report.model in {"Croston", "ADIDA", "IMAPA"}
    assert result.frame["y_hat"].mean() == pytest.approx(y[-100:].mean(), rel=0.5)
    assert (result.frame["hi-80"] > result.frame["y_hat"]).all()
    # sMAPE is 200% on any day one of forecast and actual is 0: the summary quotes RMSSE only (JSON: both)
    assert "(RMSSE" in result.summary() and "sMAPE" not in result.summary()
    assert result.as_dict()["series"][0]["backtest"]["smape"] == report.smape


def test_short_histories_fall_back_with_a_note():
    long = weekly_poisson(1, 200, seed=4)
    short = weekly_poisson(1, 40, seed=5).assign(unique_id="short")
    thin = weekly_poisson(1, 5, seed=6).assign(unique_id="thin")
    result = forecast_series(pd.concat([long, short, thin]), 28, "D", options=FAST, top="s00")
    assert result.reports["short"].model == "SeasonalNaive" and result.reports["short"].kind == "fallback"
    assert "too short to backtest (40 days" in result.reports["short"].notes[0]
    assert result.reports["thin"].model == "HistoricAverage"
    assert result.series("thin")["y_hat"].iloc[0] == pytest.approx(thin["y"].mean())


def test_summary_quotes_total_interval_and_backtest_verdict():
    result = forecast_series(weekly_poisson(1, 300, seed=7), 28, "D", options=FAST,
                             label="Trail Boots in Bavaria", unit="units")
    mean, lo, hi = result.total()
    assert lo < mean < hi
    text = result.summary()
    assert text.startswith(f"Expect {mean:,.0f} units (80%: {lo:,.0f}-{hi:,.0f}) for Trail Boots in Bavaria "
                           "over the next 28 days starting")
    assert "in backtest (MASE" in text
    report = result.reports["s00"]  # both error measures of the backtest, the model's and seasonal naive's
    assert f"sMAPE {report.smape:.0f}% vs seasonal naive's {report.baseline_smape:.0f}%" in text
    backtest = result.as_dict()["series"][0]["backtest"]
    assert (backtest["smape"], backtest["seasonal_naive_smape"]) == (report.smape, report.baseline_smape)


def test_chart_spec_has_history_and_forecast_with_bands():
    result = forecast_series(weekly_poisson(1, 200, seed=8), 14, "D", options=FAST)
    chart = result.chart()
    assert chart.kind == "forecast" and chart.x == "ds" and chart.extra["lo"] == "lo-80"
    kinds = [row["kind"] for row in chart.data]
    assert kinds.count("forecast") == 14 and kinds.count("history") == 42
    assert isinstance(chart.data[0]["ds"], str) and chart.model_dump_json()


def test_holiday_and_promotion_lifts_are_recovered_and_applied_to_future_promotions():
    rng = np.random.default_rng(9)
    days = 400
    ds = pd.date_range("2025-01-01", periods=days)
    holiday = np.zeros(days)
    holiday[rng.choice(days, 14, replace=False)] = 1.0
    promo = np.zeros(days + 28)
    promo[200:214] = promo[320:330] = promo[days + 7:days + 14] = 1.0
    rate = 30 * (1 + 0.2 * np.sin(2 * np.pi * np.arange(days) / 7)) * np.where(holiday > 0, 0.5, 1.0)
    rate = rate * np.where(promo[:days] > 0, 3.0, 1.0)
    y = rng.poisson(rate).astype(float)
    lifts = estimate_lifts(y, holiday, promo[:days], get_frequency("D"))
    assert lifts.holiday == pytest.approx(0.5, abs=0.12)
    assert lifts.promotion == pytest.approx(3.0, rel=0.15)
    assert not CalendarLifts().meaningful

    frame = pd.DataFrame({"unique_id": "p", "ds": ds, "y": y})
    future = pd.date_range(ds[-1] + pd.Timedelta(days=1), periods=28)
    calendar = pd.DataFrame({"unique_id": "p", "ds": ds.append(future),
                             "holiday": np.r_[holiday, np.zeros(28)], "promo": promo})
    result = forecast_series(frame, 28, "D", calendar, options=FAST)
    assert result.reports["p"].model.endswith("+cal")
    assert "promotions x" in result.reports["p"].calendar
    # Its bands are calibrated on eight backtest horizons of the adjusted model, not the selection's two.
    assert [check.points for check in result.reports["p"].intervals] == [8 * 28, 8 * 28]
    ahead = result.series("p")["y_hat"].to_numpy()
    assert ahead[7:14].mean() / np.r_[ahead[:7], ahead[14:]].mean() == pytest.approx(3.0, rel=0.2)


def test_dask_executor_gives_the_same_forecast_as_local_and_refuses_threaded_workers():
    distributed = pytest.importorskip("distributed")
    frame = weekly_poisson(4, 150, seed=10)
    local = forecast_series(frame, 7, "D", options=FAST)
    on_dask = RunOptions(model_set="fast", executor="dask")
    with pytest.raises(ForecastInputError, match="needs a running dask cluster"):
        forecast_series(frame, 7, "D", options=on_dask)
    with (distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None),
          pytest.raises(ForecastInputError, match="one thread per worker .* this cluster has 2")):
        forecast_series(frame, 7, "D", options=on_dask)
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None):
        remote = forecast_series(frame, 7, "D", options=on_dask)
    assert {k: r.model for k, r in local.reports.items()} == {k: r.model for k, r in remote.reports.items()}
    # statsforecast's fugue path returns float32, so forecasts agree to float32 precision.
    pd.testing.assert_frame_equal(local.frame, remote.frame, check_exact=False, rtol=1e-5)


def test_bad_arguments_raise_clear_errors():
    frame = weekly_poisson(1, 60, seed=11)
    with pytest.raises(ForecastInputError, match="horizon must be a whole number of days >= 1, got 0"):
        forecast_series(frame, 0)
    with pytest.raises(ForecastInputError, match="horizon must be a whole number"):
        forecast_series(frame, 2.5)
    with pytest.raises(ForecastInputError, match="Unknown frequency 'M'. Use 'H' \\(hourly\\), 'D'"):
        forecast_series(frame, 7, "M")
    with pytest.raises(ForecastInputError, match="Unknown model set 'best'. Use one of: accurate, fast"):
        forecast_series(frame, 7, options=RunOptions(model_set="best"))
    with pytest.raises(ForecastInputError, match="Unknown executor 'ray'. Use one of: local, dask"):
        forecast_series(frame, 7, options=RunOptions(executor="ray"))
    with pytest.raises(ForecastInputError, match="lacks columns \\['y'\\]"):
        forecast_series(frame.drop(columns="y"), 7)
    with pytest.raises(ForecastInputError, match="missing y values; fill gaps with zeros"):
        forecast_series(frame.assign(y=np.nan), 7)
    with pytest.raises(HorizonTooLong,
                       match="90 days horizon is longer than the 60 days of history .*at most 60 days"):
        forecast_series(frame, 90)
    with pytest.raises(SeriesTooShort, match="Only 10 days of sales history; at least 14 days"):
        forecast_series(frame.head(10), 7)


@pytest.mark.parametrize(("freq", "horizon", "length", "expected"), [
    ("H", 168, 24 * 7 * 20, 4),   # four one-week windows span the four weeks
    ("H", 24, 24 * 7 * 20, 8),    # 28 one-day windows wanted: capped at the calibration's eight
    ("H", 168, 24 * 7 * 4, 2),    # four weeks of history hold two windows after the two-week training minimum
    ("H", 168, 24 * 7 * 5, 3),    # five: three
    ("D", 28, 400, 2),            # two 28-day windows already span eight weeks
    ("D", 7, 400, 4),             # one-week windows: four
    ("W", 12, 156, 2),            # twelve weeks per window: two are more than four weeks
])
def test_model_choice_backtests_at_least_four_weeks_where_the_history_allows(freq, horizon, length, expected):
    from tools.forecast.engine import selection_windows

    lengths = pd.Series({"a": length, "longer": length * 2})
    assert selection_windows(lengths, get_frequency(freq), horizon, 2) == expected


def test_series_too_short_for_two_windows_do_not_limit_the_others():
    from tools.forecast.engine import selection_windows

    lengths = pd.Series({"long": 24 * 7 * 20, "new": 24 * 10})  # ten days: not backtested at all
    assert selection_windows(lengths, get_frequency("H"), 168, 2) == 4


def test_an_hourly_series_of_four_weeks_is_still_backtested_with_two_windows():
    rng = np.random.default_rng(4)
    hours = pd.date_range("2025-01-06", periods=24 * 7 * 4, freq="h")
    shape = 1 + 0.6 * np.sin(2 * np.pi * hours.hour / 24) + 0.2 * (hours.dayofweek < 5)
    frame = pd.DataFrame({"unique_id": "s", "ds": hours, "y": rng.poisson(30 * shape).astype(float)})
    report = forecast_series(frame, 168, "H", options=FAST).reports["s"]
    assert report.kind == "regular" and report.model != "HistoricAverage"
    assert report.notes == []  # no "too short to backtest" fallback
