"""The competing models: what they forecast on real data where a default would go wrong."""

from __future__ import annotations

import pandas as pd

from tools.forecast.grain import get_frequency
from tools.forecast.models import candidate_models


def test_mstl_does_not_run_a_slope_over_a_week_of_an_hourly_series_that_stopped_growing(shared_data):
    raw = pd.read_csv(shared_data / "nab" / "nyc_taxi.csv", parse_dates=["timestamp"])
    hourly = raw.groupby(raw["timestamp"].dt.floor("h"))["value"].sum()
    history = hourly[:"2014-11-08 23:00"].to_numpy()[-2352:]  # what the engine fits hourly series on
    models = candidate_models("regular", get_frequency("H"), len(history), "accurate")
    mstl = next(m for m in models if m.alias == "MSTL")
    forecast = mstl.fit(history).predict(168)["mean"]
    week = hourly["2014-11-09":"2014-11-15 23:00"].to_numpy()
    assert abs(week.mean() / history[-168:].mean() - 1) < 0.03  # the next week is an ordinary one
    assert abs(forecast.mean() / history[-168:].mean() - 1) < 0.08  # undamped: +19%
    assert abs(forecast[-24:].mean() / week[-24:].mean() - 1) < 0.1  # the week's last day too
