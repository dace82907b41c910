"""Which statsforecast models compete for a series, and how a series is classed as regular or intermittent.

Two model sets:
- "accurate" (default): AutoETS over the full model space, AutoTheta, MSTL (hourly: daily + weekly seasons;
  daily: weekly + yearly once two years of history exist), seasonal naive.
- "fast" (catalogue scale): additive-seasonal ETS (ANA), standard Theta, MSTL for hourly data, seasonal naive.
Intermittent series (average demand interval >= 1.32 periods, Syntetos-Boylan) are forecast by
CrostonOptimized, ADIDA, IMAPA and, where a season fits twice, a seasonal window average (each weekday's or
hour's mean over the last four cycles: a shop shut on Saturdays sells nothing on Saturdays), against the same
seasonal-naive baseline. Those have no native intervals, so theirs are conformal (from the errors of rolling
forecasts over up to ten past horizons).

Each series is judged by the error measure that fits it (`error_measure`): MASE (absolute errors) for
regular series, RMSSE (squared errors) for intermittent ones. Judging low-volume regular series (mean under
10 a day) by RMSSE too was tried and left out: on the demo shop it raised held-out MASE (0.771 -> 0.773)
and sMAPE (74.7% -> 74.9%).
MSTL forecasts its deseasonalised series with a damped-trend ETS: undamped, an hourly fit can keep a slope
from its initial state (slope smoothing ~0) and run it over the whole horizon (NYC taxi hours up to Nov 8
2014: the next week forecast 20% above what came, its last day 27%; damped: 7% and 5%). On the eight taxi
weeks before the benchmark's four, MASE against seasonal naive went 0.670 -> 0.504; those four unchanged.
AutoARIMA is left out: on 2 CPU cores it takes ~10 s per daily series, 50x AutoETS, for no gain in our
backtests.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from tools.forecast.errors import ForecastInputError
from tools.forecast.grain import Frequency

ModelSet = Literal["accurate", "fast"]
MODEL_SETS: tuple[str, ...] = ("accurate", "fast")
Kind = Literal["regular", "intermittent"]
BASELINE = "SeasonalNaive"
INTERMITTENT_ADI = 1.32
SEASONAL_WINDOW = 4  # cycles the seasonal window average takes the mean of

# How the summary names each model.
DISPLAY_NAMES: dict[str, str] = {
    "ETS": "ETS", "Theta": "Theta", "MSTL": "MSTL", "SeasonalNaive": "seasonal naive", "Croston": "Croston",
    "ADIDA": "ADIDA", "IMAPA": "IMAPA", "HistoricAverage": "historic average",
    "SeasWA": "seasonal window average",
}
NO_FORWARD = {"Croston", "ADIDA", "IMAPA", "SeasWA"}  # cannot be refit-free in a backtest (no `forward`)
# Conformal intervals take quantiles of the errors of this many rolling horizons (fewer if the history is
# short): with two, an 80% band is a quantile of two errors per step and covered ~60% in our backtests.
CONFORMAL_WINDOWS = 10


def check_model_set(model_set: str) -> ModelSet:
    if model_set not in MODEL_SETS:
        raise ForecastInputError(f"Unknown model set {model_set!r}. Use one of: {', '.join(MODEL_SETS)}.")
    return model_set  # type: ignore[return-value]


def classify(y: np.ndarray) -> Kind:
    """'intermittent' when demand falls in fewer than 1 in 1.32 periods on average, else 'regular'."""
    nonzero = np.count_nonzero(y)
    if nonzero == 0:
        return "intermittent"
    return "intermittent" if len(y) / nonzero >= INTERMITTENT_ADI else "regular"


def error_measure(kind: Kind) -> str:
    """'RMSSE' for intermittent series, 'MASE' for regular ones.

    Absolute errors are minimised by the median, squared errors by the mean: an item that sells one day in
    three has median zero, and stock is planned on the mean rate, so it is judged by RMSSE, as in M5.
    """
    return "RMSSE" if kind == "intermittent" else "MASE"


def usable_season(freq: Frequency, n_train: int, season: int | None = None) -> int:
    """`season` (default: the grain's primary one) if the training data hold two full cycles, else 1."""
    season = freq.season if season is None else season
    return season if n_train >= 2 * season else 1


def baseline_model(season: int) -> Any:
    from statsforecast.models import SeasonalNaive

    return SeasonalNaive(season_length=season, alias=BASELINE)


def candidate_models(kind: Kind, freq: Frequency, n_train: int, model_set: ModelSet) -> list[Any]:
    """The competing models (baseline last) for series of this kind, grain and training length."""
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        MSTL,
        AutoETS,
        AutoTheta,
        CrostonOptimized,
        SeasonalWindowAverage,
        Theta,
    )

    season = usable_season(freq, n_train)
    baseline = baseline_model(season)
    if kind == "intermittent":
        seasonal = ([SeasonalWindowAverage(season_length=season, window_size=SEASONAL_WINDOW, alias="SeasWA")]
                    if season > 1 and n_train >= SEASONAL_WINDOW * season else [])
        return [CrostonOptimized(alias="Croston"), ADIDA(alias="ADIDA"), IMAPA(alias="IMAPA"), *seasonal,
                baseline]
    fast = model_set == "fast"
    if season == 1:
        ets = AutoETS(season_length=1, model="ANN" if fast else "ZZN", alias="ETS")
    else:
        ets = AutoETS(season_length=season, model="ANA" if fast else "ZZZ", alias="ETS")
    theta = (Theta(season_length=season, alias="Theta") if fast
             else AutoTheta(season_length=season, alias="Theta"))
    models = [ets, theta]
    seasons = [s for s in freq.seasons if n_train >= 2 * s]
    if len(seasons) >= 2 and (freq.code == "H" or not fast):
        trend = AutoETS(model="ZZN", damped=True)  # see the module docstring
        models.append(MSTL(season_length=seasons, trend_forecaster=trend, alias="MSTL"))
    return models + [baseline]


def with_intervals(model: Any, horizon: int) -> Any:
    """The model, set up to give 80/95% intervals: conformal ones where it has no native intervals."""
    from statsforecast.utils import ConformalIntervals

    model = model.new()
    if model.alias in NO_FORWARD:
        model.prediction_intervals = ConformalIntervals(h=horizon, n_windows=CONFORMAL_WINDOWS)
    return model
