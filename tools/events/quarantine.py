"""The quarantine: rejected rows with their original values and reasons, and the refusal of a file whose
rejected share says the mapping, not the data, is wrong.

`quarantine/<ingest-id>.csv` holds, per rejected row, `_row` (the record's number among the file's readable
records), the original values, `_reason`, and for a line the CSV reader could not split, `_line` (the
file's line number) and `_text` (the line as written). When more than `max_rejected` of the rows fail, the
ingest keeps nothing and leaves the quarantine at `quarantine/refused/<ingest-id>.csv` to look at.

People open these files in spreadsheets, so the original values, the column names and `_text` are written
neutralised against CSV injection (`tools/events/spreadsheet.py`): a cell starting with = + - @ tab, CR or '
carries one extra leading '. `read_quarantine` gives back the values exactly as the export had them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from tools.events.mapping import IngestError
from tools.events.reading import ROW, MalformedLine
from tools.events.spreadsheet import neutralise_cell, neutralised_sql, read_spreadsheet_csv, restore_cell
from tools.events.sql import sql_ident, sql_string

MAX_REJECTED = 0.05  # the share of rejected rows above which an ingest is refused
MALFORMED = "malformed line"
# The likely fix for the reasons a wrong option causes on every row.
_HINTS = {
    "unparseable event_time": "set the time format (--time-format, e.g. '%d.%m.%Y %H:%M') or the zone (--tz)",
    "event_time out of range": "epoch times need --time-format epoch_s, epoch_ms or epoch_us",
    "unparseable price": "prices written like 12,50 or 1.234,50 need --decimal , (and --thousands .)",
    "unparseable quantity": "numbers written like 1.234 need --thousands . (or --decimal ,)",
    "quantity not a whole number": "check that the quantity column is mapped, and the decimal mark",
    "unknown event_type": "map the export's own words with a preset, or --set event_type=purchase",
    "missing user_id": "map the customer column to user_id (--map user_id=COLUMN)",
    MALFORMED: "check the separator (--sep ';') and the encoding (--encoding latin-1)",
}


class IngestRejected(IngestError):
    """Too many rows failed their checks: nothing was ingested; the quarantine shows why."""


def write_quarantine(
    con: duckdb.DuckDBPyConnection, target: Path, source_columns: list[str], malformed: list[MalformedLine]
) -> dict[str, int]:
    """Copy the rejected rows of the `checked` view, then the malformed lines, to the CSV `target`; returns
    the count per reason (read back from the file, so that it counts what was written)."""
    con.register("_malformed", pa.table({
        "line": pa.array([m.line for m in malformed], pa.int64()),
        "text": pa.array([m.text for m in malformed], pa.string()),
        "reason": pa.array([f"{MALFORMED}: {m.problem}" for m in malformed], pa.string()),
    }))
    headers = [sql_ident(neutralise_cell(c)) for c in source_columns]
    originals = ", ".join(
        f"{neutralised_sql(f'CAST(_src_{i} AS VARCHAR)')} AS {h}" for i, h in enumerate(headers)
    )
    blanks = ", ".join(f"NULL AS {h}" for h in headers)
    con.execute(f"""
        COPY (
            SELECT * FROM (SELECT {ROW}, {originals}, _reason, NULL::BIGINT AS _line, NULL AS _text
                           FROM checked WHERE _reason IS NOT NULL ORDER BY {ROW})
            UNION ALL
            SELECT * FROM (SELECT NULL::BIGINT AS {ROW}, {blanks}, reason AS _reason, line AS _line,
                                  {neutralised_sql("text")} AS _text FROM _malformed ORDER BY line)
        ) TO {sql_string(str(target))} (HEADER)""")
    counted = con.sql(
        f"SELECT _reason, count(*) FROM read_csv({sql_string(str(target))}, all_varchar = true, "
        "header = true) GROUP BY 1"
    ).fetchall()
    return {reason: n for reason, n in sorted(counted)}


def read_quarantine(path: Path, nrows: int | None = None) -> pd.DataFrame:
    """A quarantine file with every cell (and column name) as the export had it, as text."""
    frame = read_spreadsheet_csv(path, nrows=nrows)
    return frame.rename(columns=restore_cell)


def refuse_if_too_many(
    counts: dict[str, int], reasons: dict[str, int], max_rejected: float, staged: Path | None, keep: Path
) -> None:
    """Raise IngestRejected when more than `max_rejected` of the rows were rejected, after keeping the
    staged quarantine file at `keep` (the transaction that wrote it is about to be discarded)."""
    read, rejected = counts["rows_read"], counts["rows_rejected"]
    if not read or rejected / read <= max_rejected or staged is None:
        return
    keep.parent.mkdir(parents=True, exist_ok=True)
    tmp = keep.with_name(f".{keep.name}.tmp")
    shutil.copyfile(staged, tmp)
    os.replace(tmp, keep)
    top = sorted(reasons.items(), key=lambda kv: -kv[1])[:3]
    lines = [f"  {reason}: {n:,}" + (f"  ({hint})" if (hint := _hint(reason)) else "") for reason, n in top]
    raise IngestRejected(
        f"{rejected:,} of {read:,} rows ({rejected / read:.1%}) failed their checks, more than the "
        f"{max_rejected:.0%} allowed, so nothing was ingested. Most common:\n" + "\n".join(lines) + "\n"
        f"The rejected rows and their reasons are in {keep}. Fix the options, or accept the rejections with "
        f"a higher limit (--max-rejected {min(1.0, round(rejected / read + 0.005, 2))})."
    )


def _hint(reason: str) -> str | None:
    return _HINTS.get(reason.split(":", 1)[0] if reason.startswith(MALFORMED) else reason)
