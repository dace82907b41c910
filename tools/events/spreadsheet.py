"""CSV cells that are safe to open in a spreadsheet, and their original values back.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return runs as a formula when the file
is opened in Excel, LibreOffice or Google Sheets (CSV injection: `=cmd|' /C calc'!A0`). Every CSV the product
writes for people to open follows the OWASP rule: such a cell gets a leading single quote, which a
spreadsheet reads as "this is text" and does not show. A cell that already starts with a quote gets one too,
and plain numbers (`-3`, `+1.5`) are left alone, so reading back is exact: drop one leading quote from
every cell that has one (`restore_cell`, `read_spreadsheet_csv`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from tools.events.sql import sql_string

# The same two patterns in Python and in DuckDB (RE2): a cell needing the quote, and a plain number.
_RISKY = r"^[=+\-@\t\r']"
_NUMBER = r"^[-+]?[0-9]+([.,][0-9]+)?$"
_RISKY_RE, _NUMBER_RE = re.compile(_RISKY), re.compile(_NUMBER)


def neutralise_cell(value: str) -> str:
    """The cell as written to a CSV for people: a quote in front when a spreadsheet would run it."""
    return "'" + value if _RISKY_RE.match(value) and not _NUMBER_RE.match(value) else value


def restore_cell(value: str) -> str:
    """The original value of a neutralised cell."""
    return value.removeprefix("'")


def neutralised_sql(expression: str) -> str:
    """A DuckDB expression giving the VARCHAR `expression` neutralised as `neutralise_cell` does."""
    return (f"CASE WHEN regexp_matches({expression}, {sql_string(_RISKY)}) AND NOT "
            f"regexp_matches({expression}, {sql_string(_NUMBER)}) THEN '''' || {expression} "
            f"ELSE {expression} END")


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells are neutralised (numbers, dates and missing values untouched)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    return safe


def read_spreadsheet_csv(path: Path | str, nrows: int | None = None) -> pd.DataFrame:
    """A CSV written with neutralised cells, every cell as its original text ("" for an empty cell)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=nrows)
    return frame.map(restore_cell) if not frame.empty else frame
