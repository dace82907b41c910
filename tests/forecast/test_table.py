"""Forecasting any series: a CSV's columns into regular periods, `chronotope forecast --file`, its errors,
and the partial last period (from a file and from the store) said in the output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from chronotope.cli import app
from tools.forecast import forecast_series, series_from_table
from tools.forecast.errors import ForecastInputError
from tools.forecast.grain import get_frequency
from tools.forecast.scope import resolve_scope
from tools.forecast.series import load_series


@pytest.fixture
def weekly_csv(tmp_path):
    """Three years of weekly sales dated on Sundays."""
    rng = np.random.default_rng(0)
    weeks = pd.date_range("2023-01-01", periods=156, freq="W-SUN")
    t = np.arange(156)
    path = tmp_path / "weekly.csv"
    sales = rng.poisson(100 * (1 + 0.3 * np.sin(2 * np.pi * t / 52)))
    pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "sales": sales}).to_csv(path, index=False)
    return path


@pytest.fixture
def daily_csv(tmp_path):
    """Daily units of two shops over 120 days (one shop closed on 2025-02-10: no row)."""
    rng = np.random.default_rng(1)
    rows = [(day.strftime("%Y-%m-%d"), shop, int(rng.poisson(level * (1.3 if day.weekday() >= 5 else 1.0))))
            for shop, level in (("north", 20), ("south", 6))
            for day in pd.date_range("2025-01-01", periods=120)
            if not (shop == "south" and day == pd.Timestamp("2025-02-10"))]
    path = tmp_path / "daily.csv"
    pd.DataFrame(rows, columns=["date", "shop", "units"]).to_csv(path, index=False)
    return path


def _run(*args):
    return CliRunner().invoke(app, ["forecast", *map(str, args)])


def _said(result) -> str:
    """The command's output on one line (rich wraps long messages)."""
    return " ".join(result.output.split())


def test_weekly_csv_forecasts_the_next_weeks_on_the_files_own_weekday_as_json(weekly_csv):
    result = _run("--file", weekly_csv, "--time", "week", "--value", "sales", "--freq", "W", "--horizon", 12,
                  "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert set(answer) == {"summary", "freq", "horizon", "notes", "series"}
    assert answer["freq"] == "W" and answer["horizon"] == 12
    (series,) = answer["series"]
    dates = [row["ds"] for row in series["forecast"]]
    assert dates == list(pd.date_range("2025-12-28", periods=12, freq="W-SUN").strftime("%Y-%m-%d"))
    assert set(series["forecast"][0]) == {"ds", "y_hat", "lo-80", "hi-80", "lo-95", "hi-95"}
    assert [band["level"] for band in series["intervals"]] == [80, 95]
    assert 0.0 <= series["intervals"][0]["backtest_coverage"] <= 1.0
    # A generic series is named by its value column, without "units" or "demand".
    assert answer["summary"].startswith("Expect ")
    assert " for sales over the next 12 weeks" in answer["summary"]
    assert "units" not in answer["summary"] and "demand" not in answer["summary"]


def test_daily_csv_with_ids_forecasts_each_series_and_counts_missing_days_as_zero(daily_csv):
    result = _run("--file", daily_csv, "--time", "date", "--value", "units", "--id", "shop", "--horizon", 14,
                  "--json", "--model-set", "fast")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert [s["unique_id"] for s in answer["series"]] == ["north", "south"]
    for series in answer["series"]:
        assert [row["ds"] for row in series["forecast"]] == list(
            pd.date_range("2025-05-01", periods=14).strftime("%Y-%m-%d"))
    assert answer["notes"] == ["1 day without rows counted as 0."]
    table = _run("--file", daily_csv, "--time", "date", "--value", "units", "--id", "shop", "--horizon", 7,
                 "--model-set", "fast")
    assert table.exit_code == 0 and "80% interval: covered" in table.output and "2025-05-07" in table.output


def test_a_partial_last_week_is_left_out_and_named():
    days = pd.date_range("2025-01-06", "2025-06-04")  # ends on a Wednesday
    table = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "qty": 1.0})
    series = series_from_table(table, "day", "qty", "W")
    assert series.history["ds"].max() == pd.Timestamp("2025-05-26")
    assert (series.history["y"] == 7.0).all()
    assert series.notes == [("The last week (2025-06-02 00:00) is only partly in the data (rows up to "
                             "2025-06-04 00:00), so it was left out: the forecast starts with it.")]


def test_bad_file_column_or_frequency_exits_2_naming_the_fix(tmp_path, weekly_csv):
    result = _run("--file", weekly_csv, "--time", "week", "--value", "revenue", "--freq", "W")
    assert result.exit_code == 2
    assert ("There is no column 'revenue'; the columns are week, sales. Pass one of them with --value"
            in _said(result))
    result = _run("--file", weekly_csv, "--time", "week", "--value", "sales", "--freq", "M")
    assert result.exit_code == 2 and "Use 'H' (hourly), 'D' (daily) or 'W' (weekly)" in _said(result)
    result = _run("--file", weekly_csv, "--time", "week", "--value", "sales", "--freq", "D")
    assert result.exit_code == 2 and "pass --freq W" in _said(result)
    result = _run("--file", weekly_csv, "--time", "sales", "--value", "sales", "--freq", "W")
    assert result.exit_code == 2
    assert "not a date or time: pass the column with the dates to --time" in _said(result)
    result = _run("--file", tmp_path / "nope.csv", "--time", "a", "--value", "b")
    assert result.exit_code == 2 and "No file at" in _said(result)
    result = _run("--file", weekly_csv)
    assert result.exit_code == 2 and "--file needs --time COLUMN and --value COLUMN" in _said(result)
    with pytest.raises(ForecastInputError, match="holds 'n/a', which is not a number"):
        series_from_table(pd.DataFrame({"t": ["2025-01-01", "2025-01-02"], "v": ["1", "n/a"]}), "t", "v")


def test_store_series_name_the_partial_last_period(tiny_store):
    con, profile = tiny_store.connect(), tiny_store.profile()
    scope = resolve_scope(con, profile, product="P1", region="Bavaria")
    series = load_series(con, scope, get_frequency("D"), profile)
    # The data end at 23:55 UTC on Jan 7, 00:55 on Jan 8 in Bavaria: Jan 8 is partial there.
    assert series.notes == [("The day starting 2026-01-08 is only partly in the store (events up to "
                             "2026-01-08 00:55 in Europe/Berlin, 2026-01-07 23:55 UTC), so the history ends "
                             "before it and the forecast starts with it.")]


def test_the_python_entry_point_refuses_a_frame_with_a_missing_period_and_names_the_fix():
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-04"]),
                          "y": [1.0, 2.0, 3.0]})
    fix = "Series 'a' is not one row per day: at 2025-01-04 .* Pass one row per day .*series_from_table"
    with pytest.raises(ForecastInputError, match=fix):
        forecast_series(frame, 1)
