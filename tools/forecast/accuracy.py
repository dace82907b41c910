"""Backtest error measures: MASE for regular series, RMSSE for intermittent ones (see `engine`), and sMAPE."""

from __future__ import annotations

import numpy as np
import pandas as pd


def scaled_errors(cv: pd.DataFrame, frame: pd.DataFrame, season: int, squared: bool = False) -> pd.DataFrame:
    """MASE (or, `squared`, RMSSE) of every model column of a cross-validation frame, per series.

    The scale is the in-sample seasonal-naive error of each series before its first cutoff (its mean
    |y| where that is zero, e.g. a series of identical values).
    """
    power = 2 if squared else 1
    first_cut = cv.groupby("unique_id")["cutoff"].min()
    train = frame[frame["ds"] <= frame["unique_id"].map(first_cut)]
    grouped = train.groupby("unique_id")["y"]
    scale = ((train["y"] - grouped.shift(season)).abs() ** power).groupby(train["unique_id"]).mean()
    fallback = grouped.apply(lambda y: (y.abs() ** power).mean())
    scale = scale.where(scale > 0, fallback).where(lambda s: s > 0, 1.0)
    models = [c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y")]
    errors = cv[models].sub(cv["y"], axis=0).abs() ** power
    errors["unique_id"] = cv["unique_id"]
    score = errors.groupby("unique_id")[models].mean().div(scale, axis=0)
    return np.sqrt(score) if squared else score


def smape(cv: pd.DataFrame) -> pd.DataFrame:
    """sMAPE in percent (M4's: 200 |y - f| / (|y| + |f|), 0 where both are 0) of every model column of a
    cross-validation frame, per series; forecasts are clipped at zero, as the answers are."""
    models = [c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y")]
    forecast, actual = cv[models].clip(lower=0.0), cv["y"].abs()
    denominator = forecast.add(actual, axis=0)
    points = (200 * forecast.sub(cv["y"], axis=0).abs() / denominator.where(denominator > 0)).fillna(0.0)
    return points.assign(unique_id=cv["unique_id"]).groupby("unique_id")[models].mean()
