"""Closed periods: seasonal positions (a weekday, an hour of the day) in which a series has stopped selling.

A shop shut on Saturdays sells nothing on Saturdays, but a model without a season (Croston, ADIDA, IMAPA:
one rate for every day) forecasts each Saturday a seventh of the week's demand, and a seasonal one a small
positive amount; the day is then wrong by 100% of itself (sMAPE 200% on UCI retail's Saturdays). A position
counts as closed when it had no demand in each of its last `CLOSED_CYCLES` cycles while the other positions
sold often enough that its run of zeros (every cycle since it last sold) at any of the season's positions
would be chance less than `CHANCE` of the time: a sparse item that sells one day in five is not "closed" on
a weekday it happened not to sell for eight weeks, but a small shop that sells in a third of its business
hours is closed at 3 am once no night in twelve weeks sold (24 x (2/3)^84 is nothing; eight nights alone,
24 x (2/3)^8 = 0.9, would say nothing). Closed positions are forecast 0 with a zero band, and the
forecast's total over the horizon moves onto the open positions in proportion, so the cycle's demand is
kept: a flat rate is spread over the open days, and a seasonal model that already put ~0 there is barely
changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.forecast.grain import Frequency

CLOSED_CYCLES = 8  # cycles a position must have sold nothing in
CHANCE = 0.01  # the most likely chance that some position has that many zeros in a row at the open rate


def season_position(ds: pd.Series | pd.DatetimeIndex, step: pd.Timedelta, season: int) -> np.ndarray:
    """Each timestamp's position in the season: whole steps since the epoch, modulo `season`."""
    periods = pd.DatetimeIndex(ds).asi8 // pd.Timedelta(step).value
    return np.mod(periods, season)


def closed_positions(y: np.ndarray, positions: np.ndarray, season: int) -> set[int]:
    """Positions without demand in each of the last CLOSED_CYCLES cycles of `y` (ordered in time) whose run
    of zeros, at the rate the other positions sell, is unlikely by chance; empty when the history is shorter
    or the series never sells."""
    span = CLOSED_CYCLES * season
    if season < 2 or len(y) < span:
        return set()
    y, positions = np.asarray(y, dtype=float), np.asarray(positions)
    recent, where = y[-span:], positions[-span:]
    silent = {int(p) for p in np.unique(where) if not np.any(recent[where == p] != 0)}
    open_rows = ~np.isin(where, list(silent))
    if not silent or not open_rows.any():
        return set()
    selling = float(np.mean(recent[open_rows] != 0))
    # `season` positions could each go quiet by chance: a run must be unlikely for every one of them.
    return {p for p in silent if season * (1 - selling) ** _silent_cycles(y, positions, p) < CHANCE}


def _silent_cycles(y: np.ndarray, positions: np.ndarray, position: int) -> int:
    """Cycles since `position` last had demand (all of its cycles if it never had)."""
    at = y[positions == position]
    sold = np.flatnonzero(at != 0)
    return len(at) - (int(sold[-1]) + 1 if sold.size else 0)


def close_positions(forecast: pd.DataFrame, history: pd.DataFrame, step: pd.Timedelta, season: int,
                    models: list[list[str]], origin: str | None = None) -> pd.Series:
    """Zero the closed positions of `forecast` (in place) and move each model's forecast total (per series
    and, where `origin` names a column such as a backtest's cutoff, per origin) onto the open positions;
    returns the mask of the rows zeroed.

    `models` lists each model's columns, its point forecast first, then its bounds (scaled alike).
    `history` (unique_id, ds, y; sorted by ds) up to each origin, or all of it, says which positions are
    closed.
    """
    mask = pd.Series(False, index=forecast.index)
    if season < 2:
        return mask
    keys = ["unique_id"] + ([origin] if origin else [])
    series = {uid: (rows["ds"].to_numpy(), rows["y"].to_numpy())
              for uid, rows in history.groupby("unique_id")}
    for key, rows in forecast.groupby(keys, sort=False):
        uid = key[0] if isinstance(key, tuple) else key
        ds, y = series[uid]
        end = len(ds) if not origin else int(np.searchsorted(ds, np.datetime64(key[1]), side="right"))
        shut = closed_positions(y[:end], season_position(ds[:end], step, season), season)
        if not shut:
            continue
        closed = np.isin(season_position(rows["ds"], step, season), list(shut))
        for columns in models:
            point = rows[columns[0]].clip(lower=0.0)
            kept, total = float(point[~closed].sum()), float(point.sum())
            spread = total / kept if kept > 0 else 1.0
            forecast.loc[rows.index[~closed], columns] = rows.loc[~closed, columns].to_numpy() * spread
            # times 0, not = 0: a column without forecasts here (NaN: no calendar variant) must stay empty
            forecast.loc[rows.index[closed], columns] = rows.loc[closed, columns].to_numpy() * 0.0
        mask.loc[rows.index[closed]] = True
    return mask


def close_backtest(cv: pd.DataFrame, history: pd.DataFrame, freq: Frequency) -> pd.DataFrame:
    """A cross-validation frame with each cutoff's closed positions zeroed in every model's column and
    flagged in a `closed` column."""
    names = [c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y")]
    cv = cv.copy()
    cv["closed"] = close_positions(cv, history, freq.step, freq.season, [[n] for n in names], "cutoff")
    return cv
