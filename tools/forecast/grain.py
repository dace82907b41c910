"""Time grains the forecaster works at: hourly, daily, weekly, with their seasons and history needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tools.forecast.errors import ForecastInputError


@dataclass(frozen=True)
class Frequency:
    """One time grain and what it implies for models and backtests."""

    code: str  # "H", "D", "W"
    word: str  # "hour", "day", "week"
    pandas_freq: str  # offset alias statsforecast and pandas use
    sql_unit: str  # DuckDB date_trunc unit
    step: timedelta
    season: int  # primary seasonal period in steps: the seasonal-naive baseline and the MASE scale use it
    seasons: tuple[int, ...]  # all seasonal periods worth modelling (MSTL)
    min_history: int  # fewer complete periods than this: too short to fit anything
    min_train: int  # training periods a backtest window needs before its cutoff
    # fit on at most this many recent periods (hourly MSTL on a year is slow, not better)
    max_train: int | None
    tolerance: timedelta  # a period counts as complete when the data reach its end within this

    def plural(self, n: float) -> str:
        return f"{n:,.0f} {self.word}{'' if n == 1 else 's'}"


FREQUENCIES: dict[str, Frequency] = {
    "H": Frequency("H", "hour", "h", "hour", timedelta(hours=1), 24, (24, 168), 48, 336, 24 * 7 * 12,
                   timedelta(minutes=5)),
    "D": Frequency("D", "day", "D", "day", timedelta(days=1), 7, (7, 365), 14, 28, None, timedelta(hours=1)),
    "W": Frequency("W", "week", "W-MON", "week", timedelta(weeks=1), 52, (52,), 8, 12, None,
                   timedelta(hours=1)),
}
_ALIASES = {"h": "H", "hour": "H", "hourly": "H", "d": "D", "day": "D", "daily": "D",
            "w": "W", "week": "W", "weekly": "W"}


def get_frequency(freq: str) -> Frequency:
    """The grain for "H"/"D"/"W" (or "hourly", "daily", "weekly"; any case)."""
    code = _ALIASES.get(str(freq).strip().lower())
    if code is None:
        raise ForecastInputError(
            f"Unknown frequency {freq!r}. Use 'H' (hourly), 'D' (daily) or 'W' (weekly)."
        )
    return FREQUENCIES[code]
