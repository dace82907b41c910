"""Any series from a table (a CSV export, a spreadsheet's frame): its time and value columns summed into
regular periods, ready for `forecast_series`.

A period's value is the sum of its rows, so a period without rows is 0 (nothing sold, nothing counted);
each series runs from its first row to the last complete period of the whole table. Weekly periods keep the
data's own weekday when every row falls on one (a file of week-ending Sundays stays on Sundays), else weeks
start on Monday. The last period is complete when the data reach its end: rows are taken to cover one
spacing of the data each (the typical gap between timestamps), so daily rows up to a Wednesday leave that
week partial. A partial last period would read as a false dip; it is left out, and a note says so.

A file is read as `data ingest` reads one (`CsvDialect`: separator, decimal mark, thousands separator,
encoding; `--time-format`). Without a time format, dates like 03.02.2025 or 03/02/2025 are read day first
or month first as the column shows (a first number above 12 means day first, a second one month first;
dotted dates are day first); a column of such dates that never says which is refused, not guessed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from tools.events.dialect import CsvDialect
from tools.events.mapping import EPOCH_FORMATS
from tools.forecast.errors import ForecastInputError
from tools.forecast.grain import Frequency, get_frequency

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})\b")  # 03.02.2025, 3/2/25
_EPOCH_UNITS = {"epoch_s": "s", "epoch_ms": "ms", "epoch_us": "us"}
# How a number the reader refused is written, and the flags that read it.
_NUMBER_STYLES = ((r"-?\d{1,3}(\.\d{3})+(,\d+)?", "--decimal , --thousands ."),
                  (r"-?\d{1,3}(,\d{3})+(\.\d+)?", "--thousands ,"),
                  (r"-?\d{1,3}( \d{3})+(,\d+)?", "--decimal , --thousands ' '"),
                  (r"-?\d*,\d+", "--decimal ,"))
PLAIN = CsvDialect()  # comma-separated UTF-8 with a header, numbers with a decimal point


@dataclass
class TableSeries:
    """Regular long history (unique_id, ds, y) built from a table, its grain, and what was done to it."""

    history: pd.DataFrame
    freq: Frequency
    notes: list[str] = field(default_factory=list)


def read_table(path: str | Path, dialect: CsvDialect = PLAIN) -> pd.DataFrame:
    """A CSV file as text columns, read with `dialect`; a clear ForecastInputError when it is missing, empty
    or not readable as asked."""
    path = Path(path)
    if not path.is_file():
        raise ForecastInputError(f"No file at {path}; pass the path of a CSV file with --file.")
    header = 0 if dialect.header else None
    names = list(dialect.column_names) or None
    try:
        table = pd.read_csv(path, dtype=str, sep=dialect.delimiter, engine="python",
                            encoding=dialect.encoding, header=header, names=names, skipinitialspace=True)
    except UnicodeDecodeError:
        raise ForecastInputError(f"{path} is not {dialect.encoding} text; pass its encoding, e.g. "
                                 "--encoding latin-1.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as error:
        raise ForecastInputError(f"{path} could not be read as a CSV file ({error}); pass its separator "
                                 "(e.g. --sep ';') or save it as comma-separated text with a header line."
                                 ) from None
    if table.empty:
        raise ForecastInputError(f"{path} has a header but no rows; there is nothing to forecast.")
    if not dialect.header:
        table.columns = names or [f"column{i}" for i in range(table.shape[1])]
    return table


def _column(table: pd.DataFrame, name: str, flag: str) -> pd.Series:
    if name not in table.columns:
        columns = ", ".join(map(str, table.columns))
        raise ForecastInputError(f"There is no column {name!r}; the columns are {columns}. Pass one of them "
                                 f"with {flag}.")
    return table[name]


def _day_first(raw: pd.Series, name: str) -> bool | None:
    """Whether numeric dates (03.02.2025, 3/2/25) in `raw` put the day first; None when they are not such
    dates. Refuses a column that never says which."""
    parts = raw.dropna().astype(str).str.extract(_NUMERIC_DATE)
    parts = parts.dropna()
    if parts.empty or len(parts) < raw.notna().sum():
        return None
    first, second = parts[0].astype(int), parts[2].astype(int)
    if (first > 12).any() and (second > 12).any():
        raise ForecastInputError(f"Column {name!r} mixes day-first and month-first dates; pass the format "
                                 "with --time-format, e.g. '%d.%m.%Y'.")
    if (first > 12).any() or (parts[1] == ".").all():
        return True
    if (second > 12).any():
        return False
    example = raw.dropna().iloc[0]
    raise ForecastInputError(f"Column {name!r} holds dates like {example!r} that could be day first or month "
                             "first; pass the format with --time-format, e.g. '%d/%m/%Y' or '%m/%d/%Y'.")


def _times(raw: pd.Series, name: str, time_format: str | None = None) -> pd.Series:
    if time_format in EPOCH_FORMATS:
        times = pd.to_datetime(pd.to_numeric(raw, errors="coerce"), unit=_EPOCH_UNITS[time_format],
                               errors="coerce")
    elif time_format is not None:
        times = pd.to_datetime(raw, format=time_format, errors="coerce")
    else:
        day_first = _day_first(raw, name)
        times = pd.to_datetime(raw, errors="coerce", format="mixed", dayfirst=bool(day_first))
    bad = times.isna() & raw.notna()
    if bad.any() or times.isna().all():
        example = raw[bad].iloc[0] if bad.any() else None
        fix = (f"it does not match --time-format {time_format!r}" if time_format is not None
               else "pass the column with the dates to --time, and their format with --time-format if they "
                    "are not ISO dates like 2025-03-31")
        raise ForecastInputError(f"Column {name!r} holds {example!r}, which is not a date or time: {fix}.")
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_localize(None)  # keep the wall clock the file was written in
    return times


def _values(raw: pd.Series, name: str, dialect: CsvDialect = PLAIN) -> pd.Series:
    text = raw.astype("string").str.strip()
    if dialect.thousands:
        text = text.str.replace(dialect.thousands, "", regex=False)
    if dialect.decimal != ".":
        text = text.str.replace(dialect.decimal, ".", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() & raw.notna() & (text.fillna("") != "")
    if bad.any():
        example = str(raw[bad].iloc[0])
        flags = next((flags for pattern, flags in _NUMBER_STYLES if re.fullmatch(pattern, example.strip())),
                     None)
        hint = (f'add "{flags}" to read it' if flags
                else "pass the column of quantities or amounts to --value, with --decimal and --thousands "
                     "if its numbers are written like 1.234,50")
        raise ForecastInputError(f"Column {name!r} holds {example!r}, which is not a number: {hint}.")
    return values.fillna(0.0).astype(float)


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


def _refuse_coarser(spacing: pd.Timedelta, grain: Frequency) -> None:
    """Rows further apart than `grain`: name the grain that sums them, or say that none does."""
    days = spacing / pd.Timedelta(days=1)
    apart = f"{days:g} day{'' if days == 1 else 's'}" if days >= 1 else str(spacing)
    fits = [code for code in ("D", "W") if grain.step < get_frequency(code).step
            and spacing <= get_frequency(code).step * 1.5]
    if fits:
        raise ForecastInputError(f"The rows are {apart} apart, more than one {grain.word}: pass "
                                 f"--freq {fits[0]} (the data's own grain) or finer data.")
    raise ForecastInputError(f"The rows are {apart} apart, more than a week: the forecaster works on hourly, "
                             "daily or weekly periods, and cannot split monthly or coarser totals into them. "
                             "Pass the daily or weekly rows they were summed from.")


def series_from_table(table: pd.DataFrame, time: str, value: str, freq: str = "D",
                      series_id: str | None = None, dialect: CsvDialect = PLAIN,
                      time_format: str | None = None) -> TableSeries:
    """Sum `value` per period of `freq` (per `series_id` if given) from a table of text columns, its
    numbers written as `dialect` says and its times as `time_format` (None: ISO or numeric dates, see the
    module); errors name the fix."""
    grain = get_frequency(freq)
    times = _times(_column(table, time, "--time"), time, time_format)
    values = _values(_column(table, value, "--value"), value, dialect)
    ids = _column(table, series_id, "--id").fillna("(none)").astype(str) if series_id else value
    rows = pd.DataFrame({"unique_id": ids, "t": times, "y": values}).dropna(subset=["t"])
    stamps = pd.Series(rows["t"].drop_duplicates().sort_values().to_numpy())
    spacing = stamps.diff().median() if len(stamps) > 1 else grain.step
    if spacing > grain.step * 1.5:
        _refuse_coarser(spacing, grain)
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
