"""The period a question covers: "since 7d" counts back from the store's latest record (or a given as_of)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from tools.anomaly.errors import AnomalyInputError

_SINCE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_since(since: str) -> pd.Timedelta:
    """'24h', '7d', '4w' -> a positive Timedelta."""
    match = _SINCE.match(since) if isinstance(since, str) else None
    if match is None or int(match.group(1)) == 0:
        raise AnomalyInputError(
            f"since must be a positive number followed by h, d or w (e.g. '24h', '7d', '4w'); got {since!r}."
        )
    return pd.Timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


@dataclass(frozen=True)
class Period:
    """The half-open UTC interval [start, end) a report covers."""

    start: pd.Timestamp
    end: pd.Timestamp

    def describe(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"


def _utc(value: pd.Timestamp | str) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def latest_time(
    con: duckdb.DuckDBPyConnection, table: str = "events", column: str = "event_time"
) -> pd.Timestamp:
    """The latest timestamp in a store table; raises if the table is empty."""
    value = con.execute(f"SELECT max({column}) FROM {table}").fetchone()[0]
    if value is None:
        raise AnomalyInputError(
            f"The store has no {table} yet; ingest data or build the demo shop (`chronotope demo`) first."
        )
    return _utc(value)


def resolve_period(
    con: duckdb.DuckDBPyConnection,
    since: str,
    as_of: pd.Timestamp | str | None = None,
    table: str = "events",
    column: str = "event_time",
) -> Period:
    """The period `since` before `as_of` (default: just after the latest time in `table`)."""
    length = parse_since(since)
    # Just past the latest record, so that record is inside the half-open period.
    end = _utc(as_of) if as_of is not None else latest_time(con, table, column) + pd.Timedelta(microseconds=1)
    return Period(start=end - length, end=end)
