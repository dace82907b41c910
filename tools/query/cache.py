"""QueryCache: a query-optimised DuckDB copy of a store's events, kept in step with it file by file.

The store keeps events as zstd Parquet, one file per UTC day: right for durable, append-friendly storage,
slow to scan again and again (every query decodes strings and recomputes local time). The cache holds the
same rows in DuckDB's native columnar format with the local-time columns computed once, plus one derived
table, `session_hours`: one row per session, place and local hour (with whether it holds a purchase), which
answers the session metrics (sessions, unique users, conversion) without counting distinct ids over every
event. Results are identical to querying the Parquet files; only the speed differs.

Sync is incremental: each cached row remembers its source file; files that left the store's current
snapshot (compacted live batches, merged partitions) have their rows deleted, new files are inserted, and
the session rows of every touched session are rebuilt. It runs in one DuckDB transaction, so a query never
sees a half-synced cache. The cache is a file beside the store; one process holds it at a time (DuckDB's
lock), and a process that cannot open it queries the Parquet files instead.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir

from tools.events.schema import EVENTS
from tools.events.store import EventStore
from tools.events.zones import ZoneTable
from tools.query.localtime import with_local_time

log = logging.getLogger(__name__)

CACHE_VERSION = "4"  # bump when the cached tables change shape; an older cache is rebuilt
SESSION_KEYS = ("session_id", "user_id", "country", "region", "city", "channel", "device_id", "local_day",
                "local_hour", "local_weekday")
# Dimensions and filters that are constant within a session_hours row: only specs restricted to these (and
# to session metrics) may read it.
SESSION_DIMENSIONS = frozenset({"region", "city", "country", "channel", "hour_of_day", "day_of_week", "day",
                                "week", "month"})
SESSION_FILTERS = frozenset({"period", "date_from", "date_to", "days_of_week", "hour_from", "hour_to",
                             "countries", "regions", "cities", "channels", "devices"})
SESSION_HOURS_METRICS = frozenset({"sessions", "unique_users", "conversion_rate"})


class CacheUnavailable(RuntimeError):
    """The cache file is held by another process (or unreadable); query the Parquet files instead."""


@dataclass(frozen=True)
class SyncReport:
    """What one sync did."""

    files_added: int
    files_removed: int
    rows: int  # events in the cache after the sync
    seconds: float


def default_cache_path(store: EventStore) -> Path:
    """`<store parent>/query-cache/<store name>.duckdb`: beside the store, never inside its snapshots."""
    root = store.root.resolve()
    return root.parent / "query-cache" / f"{root.name}.duckdb"


def store_state(store: EventStore) -> tuple:
    """Changes whenever the store's events or its places' zones do: snapshots are immutable except for live
    batches added to them."""
    live = tuple(p.name for p in store.live_files())
    return str(store.root.resolve()), store.snapshot.name, live, zones_stamp(ZoneTable.of(store.profile()))


def zones_stamp(zones: ZoneTable) -> str:
    """A short fingerprint of where local time is read: cached local-time columns hold for one stamp."""
    return hashlib.sha256(repr(zones).encode()).hexdigest()[:16]


def _file_key(store: EventStore, path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path.relative_to(store.snapshot)), stat.st_size, stat.st_mtime_ns


class QueryCache:
    """The cached copy of one store's events. Thread-safe; `sync()` before querying (run_query does)."""

    def __init__(self, store: EventStore, path: Path | None = None):
        self.store = store
        self.path = Path(path) if path is not None else default_cache_path(store)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._files: dict[str, tuple[int, int, int]] | None = None  # relative path -> (file_id, size, mtime)
        self._synced: tuple | None = None  # store_state() at the last sync
        self._per_thread = threading.local()  # DuckDB connections are not shared between threads

    # ------------------------------------------------------------------ connection
    def _connect(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                con = duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                raise CacheUnavailable(
                    f"The query cache {self.path} is in use by another process: {exc}"
                ) from exc
            con.execute("SET TimeZone = 'UTC'")
            self._con = con
            self._prepare()
        return self._con

    def _prepare(self) -> None:
        con = self._con
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        version = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if version is not None and version[0] == CACHE_VERSION:
            return
        for table in ("events", "session_hours", "files"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        columns = ", ".join(f"{f.name} {_duckdb_type(f)}" for f in EVENTS)
        con.execute(
            f"CREATE TABLE events ({columns}, local_day INTEGER, local_hour INTEGER, local_weekday INTEGER, "
            f"file_id INTEGER)"
        )
        keys = ", ".join(f"{k} {'INTEGER' if k.startswith('local_') else 'VARCHAR'}" for k in SESSION_KEYS)
        con.execute(
            f"CREATE TABLE session_hours ({keys}, event_type VARCHAR, event_time TIMESTAMPTZ, "
            "single_ BOOLEAN)"
        )
        con.execute("CREATE TABLE files (file_id INTEGER, path VARCHAR, size BIGINT, mtime_ns BIGINT)")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", [CACHE_VERSION])


    def close(self) -> None:
        """Release the cache file."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
                self._per_thread = threading.local()
                self._files = None
                self._synced = None

    # ------------------------------------------------------------------ sync
    def sync(self, progress: bool = False) -> SyncReport:
        """Bring the cache in step with the store's current files. Cheap when nothing changed."""
        started = time.perf_counter()
        with self._lock:
            state = store_state(self.store)
            if state == self._synced:
                return SyncReport(0, 0, -1, time.perf_counter() - started)
            con = self._connect()
            zones = ZoneTable.of(self.store.profile())
            self._forget_other_zones(con, zones_stamp(zones))
            if self._files is None:
                self._files = {p: (i, s, m) for i, p, s, m in con.execute("SELECT * FROM files").fetchall()}
            for attempt in range(3):
                try:
                    current = {key[0]: key[1:]
                               for key in (_file_key(self.store, p) for p in self.store.event_files())}
                    break
                except FileNotFoundError:  # a commit swapped snapshots while we listed; list again
                    if attempt == 2:
                        raise
            removed = [p for p, (_, size, mtime) in self._files.items() if current.get(p) != (size, mtime)]
            added = [p for p, stamp in current.items() if p not in self._files or p in removed]
            if removed or added:
                self._apply(con, removed, added, current, zones, progress)
            rows = con.execute("SELECT count(*) FROM events").fetchone()[0] if (removed or added) else None
            self._synced = state
        return SyncReport(len(added), len(removed), rows if rows is not None else -1,
                          time.perf_counter() - started)

    def _forget_other_zones(self, con, stamp: str) -> None:
        """Empty the cache when its local times were computed with other zones (the profile changed)."""
        stored = con.execute("SELECT value FROM meta WHERE key = 'zones'").fetchone()
        if stored is not None and stored[0] == stamp:
            return
        for table in ("events", "session_hours", "files"):
            con.execute(f"DELETE FROM {table}")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('zones', ?)", [stamp])
        self._files = {}

    def _apply(
        self, con, removed: list[str], added: list[str], current: dict, zones: ZoneTable, progress: bool
    ) -> None:
        snapshot = self.store.snapshot
        next_id = max((i for i, _, _ in self._files.values()), default=-1) + 1
        new_ids = {path: next_id + n for n, path in enumerate(added)}
        removed_ids = [self._files[p][0] for p in removed]
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE touched (session_id VARCHAR)")
            if removed_ids:
                con.execute(
                    "INSERT INTO touched SELECT DISTINCT session_id FROM events WHERE file_id IN "
                    "(SELECT unnest(?::INTEGER[]))", [removed_ids]
                )
                con.execute("DELETE FROM events WHERE file_id IN (SELECT unnest(?::INTEGER[]))",
                            [removed_ids])
                con.execute("DELETE FROM files WHERE file_id IN (SELECT unnest(?::INTEGER[]))", [removed_ids])
            if added:
                self._insert_files(con, snapshot, added, new_ids, zones, progress)
                con.execute(
                    "INSERT INTO touched SELECT DISTINCT session_id FROM events WHERE file_id IN "
                    "(SELECT unnest(?::INTEGER[]))", [list(new_ids.values())]
                )
                con.executemany(
                    "INSERT INTO files VALUES (?, ?, ?, ?)",
                    [(new_ids[p], p, current[p][0], current[p][1]) for p in added],
                )
            self._rebuild_sessions(con, full=not self._files or len(removed) == len(self._files))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            self._files = None  # re-read from the cache next time
            raise
        for path in removed:
            self._files.pop(path, None)
        for path in added:
            self._files[path] = (new_ids[path], *current[path])

    def _insert_files(
        self, con, snapshot: Path, added: list[str], ids: dict[str, int], zones: ZoneTable, progress: bool
    ) -> None:
        """Insert the rows of `added` with their local-time columns, a few hundred files per statement.

        Rows go in sorted by event type, then time: nearly every metric reads one event type, and DuckDB's
        per-row-group min/max then skips all the others (and, within a type, the days outside the period).
        """
        from tqdm import tqdm

        chunks = [added[i : i + 200] for i in range(0, len(added), 200)]
        for chunk in tqdm(chunks, desc="query cache", unit="batch", disable=not progress or len(added) < 50):
            listing = [str(snapshot / p) for p in chunk]
            con.execute("CREATE OR REPLACE TEMP TABLE file_ids (path VARCHAR, file_id INTEGER)")
            con.executemany("INSERT INTO file_ids VALUES (?, ?)",
                            [(str(snapshot / p), ids[p]) for p in chunk])
            source = con.read_parquet(listing, filename=True)
            first, last = source.aggregate("min(event_time), max(event_time)").fetchall()[0]
            if first is None:
                continue
            source.create_view("new_rows", replace=True)
            table = ibis.duckdb.from_connection(con).table("new_rows")
            local = with_local_time(table, first.date(), last.date(), zones)
            select = ibis.to_sql(local.drop("local_seconds"))
            names = ", ".join([*EVENTS.names, "local_day", "local_hour", "local_weekday"])
            con.execute(
                f"INSERT INTO events SELECT {names}, f.file_id FROM ({select}) AS n "
                f"JOIN file_ids AS f ON n.filename = f.path ORDER BY event_type, event_time"
            )
            con.execute("DROP VIEW new_rows")

    def _rebuild_sessions(self, con, full: bool) -> None:
        """Roll events up to session_hours, for every session (full) or only the touched ones.

        `single_` marks a session with exactly one row: counting those needs no distinct, so a distinct
        count only runs over the few sessions that span hours or places (see metrics.distinct_sessions).
        """
        keys = ", ".join(SESSION_KEYS)
        # Sorted so the few multi-row sessions sit together and a scan for them skips the rest.
        rollup = (
            "SELECT *, session_id IS NOT NULL AND count(*) OVER (PARTITION BY session_id) = 1 AS single_ "
            "FROM ("
            f"SELECT {keys}, CASE WHEN bool_or(event_type = 'purchase') THEN 'purchase' ELSE 'other' END, "
            f"min(event_time) FROM events {{where}} GROUP BY {keys}) ORDER BY single_, local_day"
        )
        if full:
            con.execute("DELETE FROM session_hours")
            con.execute("INSERT INTO session_hours " + rollup.format(where=""))
            return
        touched = "session_id IN (SELECT session_id FROM touched) OR (session_id IS NULL AND " \
                  "EXISTS (SELECT 1 FROM touched WHERE session_id IS NULL))"
        con.execute(f"DELETE FROM session_hours WHERE {touched}")
        con.execute("INSERT INTO session_hours " + rollup.format(where=f"WHERE {touched}"))

    # ------------------------------------------------------------------ querying
    def tables(self) -> tuple[ir.Table, ir.Table, duckdb.DuckDBPyConnection]:
        """This thread's ibis `events` and `session_hours` tables on the cache, and the cursor they run on."""
        local = self._per_thread.__dict__
        if "tables" not in local:
            with self._lock:
                cursor = self._connect().cursor()
            backend = ibis.duckdb.from_connection(cursor)
            local["tables"] = (backend.table("events"), backend.table("session_hours"), cursor)
        return local["tables"]


def _duckdb_type(field) -> str:
    import pyarrow as pa

    if pa.types.is_timestamp(field.type):
        return "TIMESTAMPTZ"
    return {pa.string(): "VARCHAR", pa.float64(): "DOUBLE", pa.int32(): "INTEGER"}[field.type]


def uses_session_hours(spec) -> bool:
    """Whether `spec` can be answered from session_hours (same result as from events, far less to scan)."""
    filters = spec.filters.model_dump(exclude_defaults=True)
    return (
        spec.metric in SESSION_HOURS_METRICS
        and set(spec.group_by) <= SESSION_DIMENSIONS
        and set(filters) <= SESSION_FILTERS
        and spec.as_of is None  # a cut inside an hour would split a session_hours row
    )
