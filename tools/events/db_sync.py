"""Keep the store current from a live PostgreSQL database: `sync_postgres(store, DbSource(url, table=...))`.

A sync reads, in one read-only REPEATABLE READ transaction, the source's rows whose watermark column is at or
past the last sync's (the largest value it read; rows sharing that value are read again and skipped by their
row keys, so rows committed later with the same value are not lost), copies them with `COPY ... TO STDOUT`
into a CSV file in the store's sync folder, and ingests that file like any other (same mapping, checks,
quarantine and row keys). The watermark is recorded with the ingest, in the same commit as its events: a sync
cut off anywhere (a dropped connection, a killed process) leaves the store at its last good state and the next
sync starts where that state ends; undoing a sync's ingest makes the next sync read its rows again.

The source is a table (`schema.table`) or one SELECT statement; both run in a read-only transaction, so the
sync cannot change the shop's database. Passwords never reach a record or a message (`DbSource.label`).
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors, sql
from tqdm import tqdm

from tools.events.ingest import ingest_file
from tools.events.ingests import IngestReport, SyncMark, list_ingests
from tools.events.mapping import ColumnMapping, IngestError
from tools.events.profile import Place
from tools.events.quarantine import MAX_REJECTED
from tools.events.store import EventStore

SYNC_DIR = "sync"  # the store's folder for files being copied from a database (emptied after each sync)
CONNECT_TIMEOUT_S = 15
STALE_COPY_S = 6 * 3600  # a copy folder this old belongs to a sync that was killed: removed by the next one
_QUERY_START = re.compile(r"^\s*(select|with|table|values)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DbSource:
    """A database source: its URL, and a table (`schema.table` or `table`) or one SELECT `query`; the
    `watermark` column, if any, orders the rows so that each sync reads only what is new. A `password` given
    apart from the URL (a form's password field) is used to connect and shown nowhere."""

    url: str
    table: str | None = None
    query: str | None = None
    watermark: str | None = None
    password: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        scheme = urlsplit(self.url).scheme
        if scheme not in ("postgresql", "postgres"):
            raise IngestError(f"A sync source is a postgresql:// URL; got {scheme or 'no'} scheme in "
                              f"{redacted(self.url)!r}.")
        if (self.table is None) == (self.query is None):
            raise IngestError("Give the source as a table (--table orders) or a SELECT (--query '...'), "
                              "one of the two.")
        if self.query is not None and not _QUERY_START.match(self.query):
            raise IngestError("--query takes one SELECT statement (or WITH ... SELECT); the sync only reads.")
        if self.query is not None and ";" in self.query.strip().rstrip(";"):
            raise IngestError("--query takes one statement: remove the ';' inside it.")

    @property
    def label(self) -> str:
        """The source as records and messages show it: the URL without its password, what is read, and by
        which watermark. Syncs of the same label continue each other."""
        what = f"table {self.table}" if self.table else f"query {' '.join((self.query or '').split())}"
        order = f" by {self.watermark}" if self.watermark else ""
        return f"{redacted(self.url)} {what}{order}"


def redacted(url: str) -> str:
    """`url` without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def last_watermark(store: EventStore, source: DbSource) -> str | None:
    """Where the next sync of `source` starts: the watermark its latest recorded ingest reached."""
    marks = [r for r in list_ingests(store) if r.sync_source == source.label and r.watermark is not None]
    return marks[-1].watermark if marks else None


@dataclass
class SyncReport:
    """What a sync did: rows copied from the database, and the ingest of them (None: nothing new)."""

    source: DbSource
    rows_copied: int
    since: str | None
    ingest: IngestReport | None

    def summary(self) -> str:
        """One line an operator can quote."""
        start = f" since {self.source.watermark} {self.since}" if self.since else ""
        if self.ingest is None:
            return f"Nothing new in {self.source.label}{start}."
        mark = f" Watermark now {self.ingest.watermark}." if self.ingest.watermark else ""
        return f"Copied {self.rows_copied:,} rows{start}. {self.ingest.summary()}{mark}"


def sync_postgres(
    store: EventStore,
    source: DbSource,
    mapping: ColumnMapping | None = None,
    *,
    places: tuple[Place, ...] = (),
    max_rejected: float = MAX_REJECTED,
    progress: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> SyncReport:
    """Copy `source`'s new rows into `store` under `mapping` (see the module docstring); `on_rows` hears the
    rows copied so far. Raises IngestError naming the problem: unreachable server, missing table or column,
    a query that would write, or a connection lost mid-copy (then nothing is stored)."""
    since = last_watermark(store, source)
    _remove_stale_copies(store.root / SYNC_DIR)
    folder = store.root / SYNC_DIR / uuid.uuid4().hex
    folder.mkdir(parents=True)
    try:
        target = folder / "rows.csv"
        copied, reached = _copy_new_rows(source, since, target, progress, on_rows)
        if copied == 0:
            return SyncReport(source, 0, since, None)
        report = ingest_file(store, target, mapping, file_format="csv", places=places,
                             max_rejected=max_rejected, progress=progress,
                             sync=SyncMark(source.label, reached))
        return SyncReport(source, copied, since, report)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_stale_copies(folder: Path) -> None:
    """Remove the copies of syncs killed mid-way (those still running are younger)."""
    if folder.is_dir():
        for copy in folder.iterdir():
            if time.time() - copy.stat().st_mtime > STALE_COPY_S:
                shutil.rmtree(copy, ignore_errors=True)


def _copy_new_rows(
    source: DbSource, since: str | None, target: Path, progress: bool, on_rows: Callable[[int], None] | None
) -> tuple[int, str | None]:
    """Copy the rows at or past `since` to `target` as CSV with a header; their count and the largest
    watermark value among them (as text)."""
    try:
        secret = {"password": source.password} if source.password else {}
        conn = psycopg.connect(source.url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=False, **secret)
    except psycopg.Error as error:
        raise IngestError(f"Could not connect to {redacted(source.url)}: {_first_line(error)}. Check the "
                          "host, port, database, user and password (or PGPASSWORD / ~/.pgpass).") from error
    lines = 0
    try:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SET LOCAL TIME ZONE 'UTC'")
            cur.execute("SET LOCAL DateStyle = 'ISO, YMD'")
            rows, where, reached = _new_rows(cur, source, since)
            if rows == 0:
                return 0, since
            order = sql.SQL("")
            if source.watermark:
                order = sql.SQL(" ORDER BY {}").format(sql.Identifier(source.watermark))
            statement = sql.SQL("COPY (SELECT * FROM {} AS source{}{}) TO STDOUT WITH (FORMAT csv, HEADER)")
            with (tqdm(total=rows, unit="rows", desc="copying", disable=not progress) as bar,
                  target.open("wb") as out,
                  cur.copy(statement.format(_relation(source), where, order)) as copy):
                for chunk in copy:
                    out.write(chunk)
                    lines += bytes(chunk).count(b"\n")
                    bar.update(min(lines - 1, rows) - bar.n)  # lines, less the header (about: fields may
                    if on_rows is not None:                    # hold line breaks)
                        on_rows(lines - 1)
        return rows, reached
    except psycopg.OperationalError as error:
        raise IngestError(
            f"The connection to {redacted(source.url)} was lost after about {max(lines - 1, 0):,} rows "
            f"({_first_line(error)}): nothing was stored, the store is as the last sync left it. Run the "
            "sync again."
        ) from error
    except psycopg.Error as error:
        raise IngestError(f"{source.label}: {_first_line(error)}. {_hint(error)}") from error
    finally:
        conn.close()


def _new_rows(
    cur: psycopg.Cursor, source: DbSource, since: str | None
) -> tuple[int, sql.Composable, str | None]:
    """How many rows the sync copies, the WHERE clause that picks them (at or past `since`, up to the largest
    watermark value now, so rows committed during the copy wait for the next sync), and that value."""
    if not source.watermark:
        cur.execute(sql.SQL("SELECT count(*) FROM {} AS source").format(_relation(source)))
        return int(cur.fetchone()[0]), sql.SQL(""), None
    column = sql.Identifier(source.watermark)
    start = sql.SQL("")
    if since is not None:
        start = sql.SQL(" WHERE {} >= {}").format(column, sql.Literal(since))
    cur.execute(sql.SQL("SELECT count(*), max({})::text FROM {} AS source{}").format(
        column, _relation(source), start))
    rows, reached = cur.fetchone()
    if rows == 0:
        return 0, start, since
    joiner = " AND " if since is not None else " WHERE "
    picked = sql.SQL("{}{}{} <= {}").format(start, sql.SQL(joiner), column, sql.Literal(reached))
    return int(rows), picked, reached


def _relation(source: DbSource) -> sql.Composable:
    """The source as a FROM item: the quoted table, or the parenthesised query."""
    if source.table is not None:
        return sql.Identifier(*source.table.split("."))
    return sql.SQL("({})").format(sql.SQL((source.query or "").strip().rstrip(";")))


def _hint(error: Exception) -> str:
    """The likely fix for a database error."""
    if isinstance(error, errors.UndefinedTable):
        return "Check the table's name (schema.table) and that the user may read it."
    if isinstance(error, errors.UndefinedColumn):
        return "Check the watermark column (--watermark) and the query's column names."
    if isinstance(error, errors.ReadOnlySqlTransaction):
        return "A sync only reads: --query must be a SELECT that changes nothing."
    if isinstance(error, errors.InsufficientPrivilege):
        return "Grant the sync's user SELECT on the table."
    return "Check the query against the database (psql)."


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
