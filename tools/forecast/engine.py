"""Forecast many series: a rolling-origin backtest picks each series' model, then it forecasts with intervals.

For every series with enough history the candidate models (`models`) are cross-validated over the last
`n_windows` horizons (statsforecast `cross_validation`, step = horizon), more where those span under four
weeks and the history allows (`SELECTION_SPAN`): two one-week windows of hourly data are too few to choose
on (NYC taxi hours, cutoff Jan 10 2015: Theta won two weeks that held New Year and forecast the next week 56%
high; on four weeks MSTL won, and held-out MASE over the benchmark's four weeks went 0.86x -> 0.62x seasonal
naive). Each candidate's MASE is its mean
absolute error over those windows divided by the in-sample seasonal-naive error before the first window;
the lowest MASE wins and is reported with the seasonal-naive MASE on the same windows. Intermittent series
are scored by RMSSE instead (squared errors, scaled alike; `models.error_measure`), as in the M5
competition: absolute errors are minimised by the median (zero for an item that sells on one day in three,
useless for stocking it), squared errors by the mean rate. Where a calendar is given and holidays or
promotions measurably move a series, every candidate is also backtested on the
calendar-adjusted history (`calendar`), and the adjustment is kept only if it wins. The winner is then refit
on the whole history and forecast with 80% and 95% intervals, which are rescaled to cover their level of
the winner's backtest errors (`calibration`; `RunOptions(intervals="model")` keeps the model's own);
forecasts and bounds are clipped at zero (demand cannot be negative). Seasonal positions where a series has
stopped selling (a shop shut on Saturdays) are forecast zero, in the backtest too (`closed`).

Series too short to backtest fall back to seasonal naive (or, below the grain's minimum history, the
historic average), with a note saying so. Regular-series backtests fit once at the first cutoff and roll
the fitted model forward (`refit=False`): the same information, no look-ahead, half the fits. Processes
and dask: `runner`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from tools.forecast.accuracy import scaled_errors, smape
from tools.forecast.calendar import CalendarLifts, estimate_lifts, multiplier
from tools.forecast.calibration import LEVELS as CALIBRATED_LEVELS
from tools.forecast.calibration import calibrate
from tools.forecast.closed import close_backtest, close_positions
from tools.forecast.errors import ForecastInputError, HorizonTooLong, SeriesTooShort
from tools.forecast.grain import Frequency, get_frequency
from tools.forecast.models import (
    BASELINE,
    ModelSet,
    baseline_model,
    candidate_models,
    check_model_set,
    classify,
    error_measure,
    usable_season,
    with_intervals,
)
from tools.forecast.result import FRAME_COLUMNS, ForecastResult, SeriesReport
from tools.forecast.runner import EXECUTORS, INTERVALS, RunOptions, run_statsforecast
from tools.forecast.table import check_regular

LEVELS = list(CALIBRATED_LEVELS)
BOUNDS = ["y_hat", "lo-80", "hi-80", "lo-95", "hi-95"]
CAL = "+cal"  # suffix of a model fit on calendar-adjusted history
CALIBRATION_WINDOWS = 8  # backtest horizons the bands are calibrated on, where the history allows
SELECTION_SPAN = timedelta(weeks=4)  # the least time the model choice's backtest covers, history allowing


@dataclass
class _Group:
    """Series that share a candidate list (same kind and usable seasons) and error measure."""

    kind: str
    metric: str  # "MASE" or "RMSSE" (models.error_measure)
    season: int
    models: list[Any]
    ids: list[str]


def _adjusted(frame: pd.DataFrame, calendar: pd.DataFrame, lifts: dict[str, CalendarLifts]) -> pd.DataFrame:
    """frame (unique_id, ds, y) plus `m`, the calendar multiplier of each period, for series with lifts."""
    rows = frame[frame["unique_id"].isin(lifts)].merge(calendar, on=["unique_id", "ds"], how="left")
    rows[["holiday", "promo"]] = rows[["holiday", "promo"]].fillna(0.0)
    rows["m"] = 1.0
    for uid, lift in lifts.items():
        mask = rows["unique_id"] == uid
        rows.loc[mask, "m"] = multiplier(lift, rows.loc[mask, "holiday"], rows.loc[mask, "promo"])
    return rows.drop(columns=["holiday", "promo"])


def _lifts(frame: pd.DataFrame, calendar: pd.DataFrame, freq: Frequency) -> dict[str, CalendarLifts]:
    """Meaningful lifts per series, estimated on each series' whole history.

    The backtest uses these too: two scalars per series seen with the test windows' data, a small look-ahead
    accepted so that a promotion in the last weeks (the one that matters most) can be measured at all.
    """
    data = frame.merge(calendar, on=["unique_id", "ds"], how="left").fillna({"holiday": 0.0, "promo": 0.0})
    found = {}
    for uid, rows in data.groupby("unique_id", sort=False):
        lifts = estimate_lifts(rows["y"].to_numpy(), rows["holiday"].to_numpy(), rows["promo"].to_numpy(),
                               freq)
        if lifts.meaningful:
            found[str(uid)] = lifts
    return found


def _calendar_cv(frame: pd.DataFrame, calendar: pd.DataFrame, lifts: dict[str, CalendarLifts], group: _Group,
                 freq: Frequency, opts: RunOptions, models: list[Any], **kwargs: Any) -> pd.DataFrame:
    """Cross-validation of `models` on the calendar-adjusted history of the series with `lifts`, their
    forecasts multiplied back: unique_id, ds, cutoff and one `<alias>+cal` column per model."""
    adjusted = _adjusted(frame, calendar, lifts)
    cv = run_statsforecast("cross_validation",
                           adjusted.assign(y=adjusted["y"] / adjusted["m"])[["unique_id", "ds", "y"]],
                           models, freq, group.season, opts, **kwargs)
    cv = cv.merge(adjusted[["unique_id", "ds", "m"]], on=["unique_id", "ds"])
    names = [m.alias for m in models]
    cv[names] = cv[names].mul(cv["m"], axis=0)
    return cv.rename(columns={n: n + CAL for n in names}).drop(columns=["y", "m"])


def _backtest(group: _Group, frame: pd.DataFrame, calendar: pd.DataFrame | None, horizon: int,
              freq: Frequency, opts: RunOptions
              ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, CalendarLifts]]:
    """Error table (series x model[+cal]; the group's MASE or RMSSE) of one group, its cross-validation
    frame and the lifts tested."""
    kwargs = {"h": horizon, "n_windows": opts.n_windows, "step_size": horizon,
              "refit": group.kind == "intermittent"}
    cv = run_statsforecast("cross_validation", frame, group.models, freq, group.season, opts, **kwargs)
    lifts: dict[str, CalendarLifts] = {}
    if calendar is not None:
        lifts = _lifts(frame, calendar, freq)
    if lifts:
        cv_adj = _calendar_cv(frame, calendar, lifts, group, freq, opts, group.models, **kwargs)
        cv = cv.merge(cv_adj, on=["unique_id", "ds", "cutoff"], how="left")
    cv = close_backtest(cv, frame, freq)
    squared = group.metric == "RMSSE"
    return scaled_errors(cv.drop(columns="closed"), frame, group.season, squared=squared), cv, lifts



def _calibration_errors(frame: pd.DataFrame, ids: list[str], pick: str, cv: pd.DataFrame, group: _Group,
                        horizon: int, freq: Frequency, opts: RunOptions, calendar: pd.DataFrame | None,
                        lifts: dict[str, CalendarLifts]) -> pd.DataFrame:
    """Backtest errors and forecasts (unique_id, cutoff, step, error, y_hat) of the chosen model over up to
    CALIBRATION_WINDOWS horizons: the selection's and older ones where the history holds two cycles of each
    season before them (a quantile of two windows' errors is noisy); a calendar-adjusted pick is backtested
    on the adjusted history, as in the selection. Closed periods are left out."""
    rows = frame[frame["unique_id"].isin(ids)]
    n_min = int(rows.groupby("unique_id").size().min())
    n_train = n_min - opts.n_windows * horizon
    needed = max([freq.min_train] + [2 * s for s in freq.seasons if n_train >= 2 * s])
    windows = min(CALIBRATION_WINDOWS, (n_min - needed) // horizon)
    if windows <= opts.n_windows:
        cv = cv[cv["unique_id"].isin(ids)]
    else:
        model = next(m for m in group.models if m.alias == pick.removesuffix(CAL))
        kwargs = {"h": horizon, "n_windows": windows, "step_size": horizon,
                  "refit": group.kind == "intermittent"}
        if pick.endswith(CAL):
            cv = _calendar_cv(rows, calendar, {uid: lifts[uid] for uid in ids}, group, freq, opts, [model],
                              **kwargs).merge(rows, on=["unique_id", "ds"])
        else:
            cv = run_statsforecast("cross_validation", rows, [model], freq, group.season, opts, **kwargs)
        cv = close_backtest(cv, rows, freq)
    cv = cv[~cv["closed"]]  # a closed period's zero says nothing of a band's width
    step = ((cv["ds"] - cv["cutoff"]) / freq.step).round().astype(int) - 1
    return cv[["unique_id", "cutoff"]].assign(step=step, error=cv["y"] - cv[pick], y_hat=cv[pick])


def _final(frame: pd.DataFrame, model: Any, horizon: int, freq: Frequency, season: int, opts: RunOptions,
           calendar: pd.DataFrame | None = None,
           lifts: dict[str, CalendarLifts] | None = None) -> pd.DataFrame:
    """Fit one model on the series in `frame` and forecast with intervals.

    With `lifts`, the model is fit on calendar-adjusted history and its forecast and bounds are multiplied
    back by each future period's calendar multiplier.
    """
    name = model.alias
    models = [with_intervals(model, horizon)]
    if not lifts:
        out = run_statsforecast("forecast", frame, models, freq, season, opts, h=horizon, level=LEVELS)
    else:
        history = _adjusted(frame, calendar, lifts)
        history["y"] = history["y"] / history["m"]
        out = run_statsforecast("forecast", history[["unique_id", "ds", "y"]], models, freq, season, opts,
                                h=horizon, level=LEVELS)
        future = _adjusted(out[["unique_id", "ds"]].assign(y=0.0), calendar, lifts)
        out = out.merge(future[["unique_id", "ds", "m"]], on=["unique_id", "ds"], how="left")
        value_cols = [c for c in out.columns if c.startswith(name)]
        out[value_cols] = out[value_cols].mul(out["m"].fillna(1.0), axis=0)
    renamed = {name: "y_hat",
               **{f"{name}-{side}-{lv}": f"{side}-{lv}" for side in ("lo", "hi") for lv in LEVELS}}
    out = out.rename(columns=renamed)
    out["model"] = model.alias + (CAL if lifts else "")
    out["closed"] = close_positions(out, frame, freq.step, freq.season, [BOUNDS])
    return out[FRAME_COLUMNS + ["closed"]]


def selection_windows(lengths: pd.Series, freq: Frequency, horizon: int, n_windows: int) -> int:
    """Backtest windows for the model choice: `n_windows`, or as many more (up to CALIBRATION_WINDOWS) as it
    takes to cover SELECTION_SPAN, as far as the shortest series that `n_windows` would backtest allows."""
    wanted = min(CALIBRATION_WINDOWS, math.ceil(SELECTION_SPAN / (horizon * freq.step)))
    backtested = lengths[lengths >= freq.min_train + n_windows * horizon]
    if wanted <= n_windows or backtested.empty:
        return n_windows
    return max(n_windows, min(wanted, (int(backtested.min()) - freq.min_train) // horizon))


def _prepare(history: pd.DataFrame, freq: Frequency, horizon: int, opts: RunOptions
             ) -> tuple[pd.DataFrame, RunOptions]:
    """The history checked, typed and sorted, cut to what the fits use; and the options with the model
    choice's backtest windows (`selection_windows`)."""
    missing = {"unique_id", "ds", "y"} - set(history.columns)
    if missing:
        raise ForecastInputError(f"The history frame lacks columns {sorted(missing)}; it needs unique_id, "
                                 "ds, y.")
    frame = history[["unique_id", "ds", "y"]].copy()
    frame["unique_id"] = frame["unique_id"].astype(str)
    frame["ds"] = pd.to_datetime(frame["ds"])
    frame["y"] = frame["y"].astype(float)
    if frame["y"].isna().any():
        raise ForecastInputError("The history has missing y values; fill gaps with zeros (no sales) first.")
    frame = frame.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    check_regular(frame, freq)
    lengths = frame.groupby("unique_id").size()
    opts = replace(opts, n_windows=selection_windows(lengths, freq, horizon, opts.n_windows))
    max_train = opts.max_train if opts.max_train is not None else freq.max_train
    if max_train is not None:
        frame = frame.groupby("unique_id", group_keys=False).tail(max_train + opts.n_windows * horizon)
    return frame.reset_index(drop=True), opts


def _plan(frame: pd.DataFrame, freq: Frequency, test_size: int, model_set: ModelSet
          ) -> tuple[list[_Group], dict[int, list[str]], list[str]]:
    """Sort series into backtest groups, too-short-to-backtest ones (by usable season) and too-thin ones."""
    groups: dict[tuple, _Group] = {}
    short: dict[int, list[str]] = {}
    thin: list[str] = []
    for uid, y in frame.groupby("unique_id", sort=False)["y"]:
        n = len(y)
        if n < max(freq.min_history, 2):
            thin.append(str(uid))
        elif n < freq.min_train + test_size:
            short.setdefault(usable_season(freq, n), []).append(str(uid))
        else:
            y_train = y.to_numpy()[: n - test_size]
            kind = classify(y_train)
            season = usable_season(freq, len(y_train))
            models = candidate_models(kind, freq, len(y_train), model_set)
            metric = error_measure(kind)
            key = (kind, metric, season, tuple(m.alias for m in models))
            groups.setdefault(key, _Group(kind, metric, season, models, [])).ids.append(str(uid))
    return list(groups.values()), short, thin


def _check_top(top: str, lengths: pd.Series, freq: Frequency, horizon: int) -> None:
    if top not in lengths.index:
        raise ForecastInputError(f"Series {top!r} is not in the history.")
    n = int(lengths[top])
    if n < freq.min_history:
        raise SeriesTooShort(
            f"Only {freq.plural(n)} of sales history; at least {freq.plural(freq.min_history)} are needed to "
            "forecast. Pick a wider scope (category, country) or wait for more data."
        )
    if horizon > n:
        raise HorizonTooLong(
            f"A {freq.plural(horizon)} horizon is longer than the {freq.plural(n)} of history it would rest "
            f"on; ask for at most {freq.plural(n)}.", longest=n
        )


def forecast_series(
    history: pd.DataFrame,
    horizon: int,
    freq: str | Frequency = "D",
    calendar: pd.DataFrame | None = None,
    options: RunOptions | None = None,
    top: str | None = None,
    **result_fields: Any,
) -> ForecastResult:
    """Backtest, choose and forecast every series of a long frame (unique_id, ds, y; zero-filled, regular).

    `calendar` (unique_id, ds, holiday, promo) covering history and horizon enables the holiday/promotion
    adjustment. `top` names the series the summary speaks about; it must be long enough for the horizon
    (else SeriesTooShort / HorizonTooLong). `result_fields` go to ForecastResult (label, unit, currency).
    """
    freq = get_frequency(freq) if isinstance(freq, str) else freq
    options = options if options is not None else RunOptions()
    if not isinstance(horizon, (int, np.integer)) or isinstance(horizon, bool) or horizon < 1:
        raise ForecastInputError(f"horizon must be a whole number of {freq.word}s >= 1, got {horizon!r}.")
    horizon = int(horizon)
    check_model_set(options.model_set)
    if options.executor not in EXECUTORS:
        raise ForecastInputError(f"Unknown executor {options.executor!r}. Use one of: {', '.join(EXECUTORS)}")
    if options.intervals not in INTERVALS:
        raise ForecastInputError(f"Unknown intervals {options.intervals!r}. Use one of: "
                                 f"{', '.join(INTERVALS)}.")
    frame, options = _prepare(history, freq, horizon, options)
    if frame.empty:
        raise ForecastInputError("The history frame is empty; there is nothing to forecast.")
    lengths = frame.groupby("unique_id").size()
    top = top if top is not None else str(lengths.index[0])
    _check_top(top, lengths, freq, horizon)

    reports: dict[str, SeriesReport] = {}
    outputs: list[pd.DataFrame] = []
    backtests: list[pd.DataFrame] = []  # the chosen models' backtest errors, for calibration
    test_size = options.n_windows * horizon
    groups, short, thin = _plan(frame, freq, test_size, options.model_set)
    for group in groups:
        rows = frame[frame["unique_id"].isin(group.ids)]
        scores, cv, lifts = _backtest(group, rows, calendar, horizon, freq, options)
        best, smapes = scores.idxmin(axis=1), smape(cv.drop(columns="closed"))
        chosen: dict[str, list[str]] = {}
        for uid in group.ids:
            pick = str(best[uid])
            chosen.setdefault(pick, []).append(uid)
        if options.intervals == "calibrated":
            backtests += [_calibration_errors(rows, ids, pick, cv, group, horizon, freq, options, calendar,
                                              lifts)
                          for pick, ids in chosen.items()]
        for uid in group.ids:
            pick, metric = str(best[uid]), group.metric
            reports[uid] = SeriesReport(uid, pick, group.kind, int(lengths[uid]), float(scores.at[uid, pick]),
                                        float(scores.at[uid, BASELINE]), metric, float(smapes.at[uid, pick]),
                                        float(smapes.at[uid, BASELINE]))
            if uid in lifts:
                base = scores.loc[uid, [c for c in scores.columns if not c.endswith(CAL)]].min()
                cal = scores.loc[uid, [c for c in scores.columns if c.endswith(CAL)]].min()
                verdict = "used" if pick.endswith(CAL) else "not used"
                reports[uid].calendar = (f"Calendar effects found ({lifts[uid].describe()}); "
                                         f"adjusting for them gave backtest {metric} {cal:.2f} vs {base:.2f} "
                                         f"without, so they were {verdict}.")
        by_alias = {m.alias: m for m in group.models}
        for pick, ids in chosen.items():
            alias = pick.removesuffix(CAL)
            adjust = {uid: lifts[uid] for uid in ids} if pick.endswith(CAL) else None
            outputs.append(_final(frame[frame["unique_id"].isin(ids)], by_alias[alias], horizon, freq,
                                  group.season, options, calendar, adjust))

    for season, ids in short.items():
        outputs.append(_final(frame[frame["unique_id"].isin(ids)], baseline_model(season), horizon, freq,
                              season, options))
        for uid in ids:
            note = (f"History too short to backtest ({freq.plural(lengths[uid])}; a backtest needs "
                    f"{freq.plural(freq.min_train + test_size)}), so seasonal naive was used: "
                    "treat it as rough.")
            reports[uid] = SeriesReport(uid, BASELINE, "fallback", int(lengths[uid]), notes=[note])
    if thin:
        from statsforecast.models import HistoricAverage

        outputs.append(_final(frame[frame["unique_id"].isin(thin)], HistoricAverage(alias="HistoricAverage"),
                              horizon, freq, 1, options))
        for uid in thin:
            reports[uid] = SeriesReport(uid, "HistoricAverage", "fallback", int(lengths[uid]), notes=[
                f"Only {freq.plural(lengths[uid])} of history: forecast is the historic average."])

    result = pd.concat(outputs, ignore_index=True)
    if options.intervals == "calibrated" and backtests:
        result, checks = calibrate(result, pd.concat(backtests, ignore_index=True), frame, horizon)
        for uid, series_checks in checks.items():
            reports[uid].intervals = series_checks
    result.loc[result.pop("closed").to_numpy(dtype=bool), BOUNDS] = 0.0  # calibration widened them
    # Single-observation series have no residuals for an interval: their band collapses onto the forecast.
    for column in BOUNDS[1:]:
        result[column] = result[column].fillna(result["y_hat"])
    result[BOUNDS] = result[BOUNDS].clip(lower=0.0)
    result = result.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    return ForecastResult(result, frame, reports, freq, horizon, top, **result_fields)
