"""Read a source file as one DuckDB relation: its format, its content hash, and the lines it could not read.

CSV and JSONL are read as text, so that nothing is lost to type sniffing; Parquet keeps its types. A CSV
line DuckDB cannot split into the header's columns (too many or too few fields, bad encoding, an open
quote) is not fatal: the reader keeps it aside (`store_rejects`) and `malformed_lines` hands it to the
quarantine with its line number, its text and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from tools.events.dialect import CsvDialect
from tools.events.mapping import IngestError
from tools.events.sql import sql_ident, sql_string

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
ROW = "_row"  # the record's number among the file's readable records, from 1


@dataclass(frozen=True)
class MalformedLine:
    """A CSV line the reader could not split into the header's columns."""

    line: int  # the file's line number, from 1 (the header included)
    text: str
    problem: str  # e.g. "too many columns (expected 5, found 6)"


def file_format_of(path: Path, file_format: str | None = None) -> str:
    """'csv', 'parquet' or 'jsonl': as given, or from the file's suffix."""
    valid = sorted(set(FORMATS.values()))
    if file_format is not None:
        if file_format not in valid:
            raise IngestError(f"Unknown format {file_format!r}. Valid formats: {', '.join(valid)}.")
        return file_format
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise IngestError(
            f"Cannot tell the format of {path} from its suffix; pass it. Valid formats: {', '.join(valid)}."
        )
    return found


def content_hash(path: Path) -> str:
    """128-bit xxh3 of the file's bytes: identifies content (not a defence against forgery) at memory speed,
    where sha256 would add seconds to every gigabyte ingested."""
    import xxhash

    digest = xxhash.xxh3_128()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 23):
            digest.update(chunk)
    return digest.hexdigest()


def source_relation(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, dialect: CsvDialect
) -> tuple[str, list[str]]:
    """SQL for the file as a relation plus its column names; `_row` numbers the readable records from 1
    (quarantine rows point back with it). Raises IngestError for an empty file or one with no rows."""
    if path.stat().st_size == 0:
        raise IngestError(f"{path} is empty: there is nothing to ingest.")
    if fmt != "csv" and dialect.csv_only():
        raise IngestError(
            f"{path} is read as {fmt}: separator, encoding and header options are for CSV files only."
        )
    target = sql_string(str(path))
    if fmt == "csv":
        reader = f"read_csv({target}, {dialect.read_options()})"
    elif fmt == "parquet":
        reader = f"read_parquet({target})"
    else:
        names = con.sql(f"SELECT * FROM read_json({target}, format = 'newline_delimited')").columns
        typed = ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in names)
        reader = f"read_json({target}, format = 'newline_delimited', columns = {{{typed}}})"
    columns = con.sql(f"SELECT * FROM {reader}").columns
    if ROW in columns:
        raise IngestError(
            f"{path} has a column named {ROW!r}, which ingest reserves for row numbers; rename it."
        )
    if not con.sql(f"SELECT 1 FROM {reader} LIMIT 1").fetchall() and not malformed_lines(con, fmt):
        raise IngestError(
            f"{path} has a header ({', '.join(columns)}) but no rows: there is nothing to ingest."
        )
    aliases = ", ".join(sql_ident(c) for c in columns + [ROW])
    return f"(SELECT * FROM {reader} WITH ORDINALITY AS file({aliases}))", columns


def malformed_lines(con: duckdb.DuckDBPyConnection, fmt: str) -> list[MalformedLine]:
    """The lines the CSV reader kept aside on this connection so far, in file order (none for other
    formats)."""
    if fmt != "csv":
        return []
    rows = con.sql(
        "SELECT DISTINCT ON (line) line, csv_line, error_type, error_message FROM reject_errors "
        "ORDER BY line, scan_id, column_idx"
    ).fetchall()
    return [MalformedLine(int(n), text or "", _problem(kind, message)) for n, text, kind, message in rows]


def _problem(kind: str, message: str) -> str:
    """DuckDB's error type and message as a short reason ("too many columns (expected 3, found 4)")."""
    words = kind.lower()
    if message.startswith("Expected Number of Columns"):
        expected, found = (part.split(":")[-1].strip() for part in message.split(" Found"))
        return f"{words} (expected {expected}, found {found})"
    if kind == "INVALID ENCODING":
        return f"{words} (not the file's encoding: try --encoding latin-1)"
    return words


def preview(
    path: Path, dialect: CsvDialect, rows: int = 5, file_format: str | None = None
) -> tuple[list[str], list[list[str | None]]]:
    """The file's column names and its first `rows` records as text, read exactly as an ingest reads it."""
    fmt = file_format_of(path, file_format)
    con = duckdb.connect()
    try:
        relation, columns = source_relation(con, path, fmt, dialect)
        text = ", ".join(f"CAST({sql_ident(c)} AS VARCHAR)" for c in columns)
        head = con.sql(f"SELECT {text} FROM {relation} LIMIT {int(rows)}").fetchall()
    except duckdb.Error as error:
        raise IngestError(
            f"Could not read {path.name} as {fmt}: {error}. Check the file's format."
        ) from error
    finally:
        con.close()
    return columns, [list(row) for row in head]
