"""Any series from a table (a CSV export, a spreadsheet's frame): its time and value columns summed into
regular periods, ready for `forecast_series`.

A period's value is the sum of its rows, so a period without rows is 0 (nothing sold, nothing counted);
each series runs from its first row to the last complete period of the whole table. Weekly periods keep the
data's own weekday when every row falls on one (a file of week-ending Sundays stays on Sundays), else weeks
start on Monday. The last period is complete when the data reach its end: rows are taken to cover one
spacing of the data each (the typical gap between timestamps), so daily rows up to a Wednesday leave that
week partial. A partial last period would read as a false dip; it is left out, and a note says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from tools.forecast.errors import ForecastInputError
from tools.forecast.grain import Frequency, get_frequency

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@dataclass
class TableSeries:
    """Regular long history (unique_id, ds, y) built from a table, its grain, and what was done to it."""

    history: pd.DataFrame
    freq: Frequency
    notes: list[str] = field(default_factory=list)


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV file as text columns; a clear ForecastInputError when it is missing, empty or not a CSV."""
    path = Path(path)
    if not path.is_file():
        raise ForecastInputError(f"No file at {path}; pass the path of a CSV file with --file.")
    try:
        table = pd.read_csv(path, dtype=str, sep=None, engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as error:
        raise ForecastInputError(f"{path} could not be read as a CSV file ({error}); save it as "
                                 "comma-separated UTF-8 text with a header line.") from None
    if table.empty:
        raise ForecastInputError(f"{path} has a header but no rows; there is nothing to forecast.")
    return table


def _column(table: pd.DataFrame, name: str, flag: str) -> pd.Series:
    if name not in table.columns:
        columns = ", ".join(map(str, table.columns))
        raise ForecastInputError(f"There is no column {name!r}; the columns are {columns}. Pass one of them "
                                 f"with {flag}.")
    return table[name]


def _times(raw: pd.Series, name: str) -> pd.Series:
    times = pd.to_datetime(raw, errors="coerce", format="mixed")
    bad = times.isna() & raw.notna()
    if bad.any() or times.isna().all():
        example = raw[bad].iloc[0] if bad.any() else None
        raise ForecastInputError(f"Column {name!r} holds {example!r}, which is not a date or time; pass the "
                                 "column with the dates to --time (ISO dates like 2025-03-31 read best).")
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_localize(None)  # keep the wall clock the file was written in
    return times


def _values(raw: pd.Series, name: str) -> pd.Series:
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        raise ForecastInputError(f"Column {name!r} holds {raw[bad].iloc[0]!r}, which is not a number; pass "
                                 "the column of quantities or amounts to --value (decimal point, no "
                                 "thousands separators).")
    return values.fillna(0.0)


def check_regular(frame: pd.DataFrame, freq: Frequency) -> None:
    """Refuse a long frame (sorted unique_id, ds) whose series skip or repeat a period of `freq`."""
    gaps = frame.groupby("unique_id", sort=False)["ds"].diff()
    bad = gaps.notna() & (gaps != freq.step)
    if bad.any():
        row = frame.loc[bad.idxmax()]
        raise ForecastInputError(
            f"Series {row['unique_id']!r} is not one row per {freq.word}: at {row['ds']} it comes "
            f"{gaps[bad.idxmax()]} after the row before. Pass one row per {freq.word} (zeros where nothing "
            "happened), or build the frame with tools.forecast.series_from_table, which sums and fills it."
        )


def _period_starts(times: pd.Series, freq: Frequency, anchor: int) -> pd.Series:
    if freq.code == "H":
        return times.dt.floor("h")
    days = times.dt.normalize()
    if freq.code == "D":
        return days
    return days - pd.to_timedelta((days.dt.weekday - anchor) % 7, unit="D")


def series_from_table(table: pd.DataFrame, time: str, value: str, freq: str = "D",
                      series_id: str | None = None) -> TableSeries:
    """Sum `value` per period of `freq` (per `series_id` if given) from a table; errors name the fix."""
    grain = get_frequency(freq)
    times = _times(_column(table, time, "--time"), time)
    values = _values(_column(table, value, "--value"), value)
    ids = _column(table, series_id, "--id").fillna("(none)").astype(str) if series_id else value
    rows = pd.DataFrame({"unique_id": ids, "t": times, "y": values}).dropna(subset=["t"])
    stamps = pd.Series(rows["t"].drop_duplicates().sort_values().to_numpy())
    spacing = stamps.diff().median() if len(stamps) > 1 else grain.step
    if spacing > grain.step * 1.5:
        coarser = next((code for code in ("W", "D") if spacing >= get_frequency(code).step * 0.9), "D")
        raise ForecastInputError(f"The rows are {spacing} apart, more than one {grain.word}: pass "
                                 f"--freq {coarser} (the data's own grain) or finer data.")
    anchor = 0
    weekdays = rows["t"].dt.weekday.unique()
    if grain.code == "W" and len(weekdays) == 1:
        anchor = int(weekdays[0])
        grain = replace(grain, pandas_freq=f"W-{WEEKDAYS[anchor]}")
    rows["ds"] = _period_starts(rows["t"], grain, anchor)
    sums = rows.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    notes = []
    last = sums["ds"].max()
    if rows["t"].max() + spacing < last + grain.step:
        notes.append(f"The last {grain.word} ({last:%Y-%m-%d %H:%M}) is only partly in the data (rows up to "
                     f"{rows['t'].max():%Y-%m-%d %H:%M}), so it was left out: the forecast starts with it.")
        sums = sums[sums["ds"] < last]
        last = last - grain.step
        if sums.empty:
            raise ForecastInputError(f"The data do not cover one complete {grain.word}; pass a finer --freq.")
    frames = []
    for uid, part in sums.groupby("unique_id", sort=True):
        grid = pd.date_range(part["ds"].min(), last, freq=grain.step)
        frames.append(part.set_index("ds")["y"].reindex(grid, fill_value=0.0).rename_axis("ds").reset_index()
                      .assign(unique_id=str(uid)))
    history = pd.concat(frames, ignore_index=True)[["unique_id", "ds", "y"]]
    filled = len(history) - len(sums)
    if filled:
        notes.append(f"{grain.plural(filled)} without rows counted as 0.")
    return TableSeries(history, grain, notes)
