"""EventStore: DuckDB embedded over zstd Parquet, partitioned by UTC date, under the data dir.

Layout under `root`:
    current -> snapshots/<n>                           the committed state (see `tools.events.snapshots`)
    snapshots/<n>/events/event_date=YYYY-MM-DD/part-<origin>-<id>.parquet   events (hive partitions); the
                                                       origin is the ingest that brought them, or `local`
                                                       (generated, appended live); compaction keeps it
    snapshots/<n>/keys/<ingest-id>.parquet             the keys of the rows each ingest stored
    snapshots/<n>/events/live/batch-<id>.parquet       small appended batches, visible at once
    snapshots/<n>/tables/<name>/part-<id>.parquet      orders, products, reviews, users
    snapshots/<n>/**/_empty.parquet                    zero-row files that keep the views bound when empty
    journal/, staging/, trash/                         commits in flight and what they leave behind
    (anything else, e.g. manifest.json, ingests/, quarantine/, sits beside them and is moved by commits too)

Every multi-file change is a transaction that builds a new snapshot and swaps `current` to it, crash-safe
(see `tools.events.snapshots`). Because readers resolve every path through `current`, each scan of a view sees
either the old or the new snapshot, never a mix: a file that a commit removed (a compacted live batch) can at
worst fail a scan that was already running, never count twice.
Live appends are a single new file renamed into the current snapshot, so they skip the snapshot copy.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Self

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tools.cancellation import on_cancel
from tools.events.origins import LOCAL, compaction_work, groups_by_size, origin_of
from tools.events.profile import PROFILE_FILE, ShopProfile
from tools.events.profile_edits import ProfileEdit
from tools.events.schema import EVENTS, TABLES
from tools.events.snapshots import Snapshots, StoreError, Transaction, new_id, write_parquet_atomically
from tools.events.sql import sql_string

log = logging.getLogger(__name__)
EMPTY_PROFILE = ShopProfile()

EMPTY_FILE = "_empty.parquet"
LIVE_DIR = "events/live"


class EventStore:
    """The shop's data: events (partitioned Parquet + live batches) and the orders/products/reviews/users
    tables.

    `auto_compact_batches=N` starts a background thread that compacts once N live batches have piled up.
    """

    def __init__(self, root: Path | str, auto_compact_batches: int | None = None):
        self.root = Path(root)
        self._snapshots = Snapshots(self.root)
        with self._snapshots.exclusive():
            self._snapshots.recover()
            self._ensure_layout()
        self._auto_compact_batches = auto_compact_batches
        self._profile: tuple[tuple[int, int, int], ShopProfile] | None = None  # (file stamp, profile)
        self._profile_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._compactor: threading.Thread | None = None
        if auto_compact_batches is not None:
            if auto_compact_batches < 1:
                raise ValueError(f"auto_compact_batches must be >= 1 or None, got {auto_compact_batches}.")
            self._compactor = threading.Thread(
                target=self._compact_in_background, daemon=True, name="compactor"
            )
            self._compactor.start()

    def close(self) -> None:
        """Stop the background compactor (if any) and release the lock file."""
        if self._compactor is not None:
            self._stop.set()
            self._wake.set()
            self._compactor.join()
            self._compactor = None
        self._snapshots.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ snapshots
    @property
    def snapshot(self) -> Path:
        """The directory of the current snapshot (resolved now; it changes with every multi-file commit)."""
        return self._snapshots.current

    def _ensure_layout(self) -> None:
        if (self.root / "events").is_dir() and not (self.root / "current").exists():
            raise StoreError(
                f"{self.root} holds an event store in an older layout (events/ without snapshots). "
                "Move it away or delete it and rebuild (e.g. `chronotope data demo`)."
            )
        self._snapshots.ensure_current()
        snap = self.snapshot
        (snap / LIVE_DIR).mkdir(parents=True, exist_ok=True)
        for leftover in (snap / LIVE_DIR).glob(".*.tmp"):
            leftover.unlink()  # an append that crashed before its rename
        for name, schema in TABLES.items():
            folder = snap / ("events" if name == "events" else f"tables/{name}")
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / EMPTY_FILE).exists():
                write_parquet_atomically(folder / EMPTY_FILE, schema.empty_table())

    def transaction(self) -> AbstractContextManager[Transaction]:
        """Stage files, then commit them all or nothing. An exception inside discards everything staged."""
        return self._snapshots.transaction()

    def wait_for_trash(self) -> None:
        """Block until superseded snapshots and staging trees are deleted (tests, benchmarks measuring
        disk)."""
        self._snapshots.wait_for_trash()

    # ------------------------------------------------------------------ writes
    def append_events(self, batch: pa.Table) -> int:
        """Append a (small) batch of canonical events; visible to queries at once. Returns rows written.

        One file renamed into the current snapshot: no journal needed, a crash leaves at most a swept temp
        file.
        """
        batch = conform(batch, EVENTS)
        if batch.num_rows == 0:
            return 0
        with self._snapshots.exclusive():
            live = self.snapshot / LIVE_DIR
            name = f"batch-{new_id()}.parquet"
            write_parquet_atomically(live / name, batch, tmp=live / f".{name}.tmp")
            pending = (
                self._auto_compact_batches is not None
                and _count(live, "batch-*.parquet") >= self._auto_compact_batches
            )
        if pending:
            self._wake.set()
        return batch.num_rows

    def write_events_partitioned(self, tx: Transaction, batch: pa.Table) -> None:
        """Stage canonical events into date partitions (one file per UTC date in the batch)."""
        batch = conform(batch, EVENTS)
        if batch.num_rows == 0:
            return
        part = new_id()
        for day, piece in _split_by_date(batch):
            tx.write_parquet(f"events/event_date={day.isoformat()}/part-{LOCAL}-{part}.parquet", piece)

    def compact(self, merge_partitions: bool = False) -> int:
        """Fold live batches into the date partitions in one transaction. Returns rows moved.

        Each date that receives rows has its local parts rewritten as a single sorted file (the live rows
        merged in), so streaming does not pile up small files. `merge_partitions=True` also merges the parts
        of each origin on every other date. Parts of different origins are never merged: an ingest's events
        stay in files of their own, which is what lets `undo_ingest` remove them.
        """
        with self._snapshots.exclusive():
            snap = self.snapshot
            live_files = sorted((snap / LIVE_DIR).glob("batch-*.parquet"))
            live = _read_events(live_files)
            by_date = dict(_split_by_date(live)) if live.num_rows else {}
            work = compaction_work(self._partition_files(snap), set(by_date), merge_partitions)
            if not live_files and not work:
                return 0
            sizes = {day: [p for files in origins.values() for p in files] for day, origins in work.items()}
            with self.transaction() as tx:
                for group in groups_by_size(sorted(work), sizes, MERGE_GROUP_BYTES):
                    for origin in sorted({o for day in group for o in work[day]}):
                        old = [p for day in group for p in work[day].get(origin, [])]
                        existing = dict(_split_by_date(_read_events(old)))
                        for day in group:
                            pieces = [existing.get(day), by_date.get(day) if origin == LOCAL else None]
                            pieces = [t for t in pieces if t is not None]
                            if pieces:
                                merged = pa.concat_tables(pieces).sort_by(SORT_KEYS)
                                name = f"events/event_date={day.isoformat()}/part-{origin}-{new_id()}.parquet"
                                tx.write_parquet(name, merged)
                        for p in old:
                            tx.delete(str(p.relative_to(snap)))
                for f in live_files:
                    tx.delete(str(f.relative_to(snap)))
            return live.num_rows

    def _partition_files(self, snap: Path) -> dict[date, list[Path]]:
        found: dict[date, list[Path]] = {}
        for path in sorted((snap / "events").glob("event_date=*/part-*.parquet")):
            found.setdefault(date.fromisoformat(path.parent.name.split("=", 1)[1]), []).append(path)
        return found

    def _compact_in_background(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.compact()
            except Exception:
                log.exception("background compaction failed; will retry on the next trigger")

    def write_table(self, name: str, table: pa.Table, mode: str = "replace") -> None:
        """Write one of the non-event tables (orders, products, reviews, users); 'replace' or 'append'."""
        if name not in TABLES or name == "events":
            raise ValueError(
                f"Unknown table {name!r}. Tables: {', '.join(t for t in TABLES if t != 'events')}."
            )
        if mode not in ("replace", "append"):
            raise ValueError(f"mode must be 'replace' or 'append', got {mode!r}.")
        table = conform(table, TABLES[name])
        with self.transaction() as tx:
            if mode == "replace":
                for old in self.table_files(name):
                    tx.delete(str(old.relative_to(self.snapshot)))
            tx.write_parquet(f"tables/{name}/part-{new_id()}.parquet", table)

    def delete_origin(self, origin: str, also: tuple[str, ...] = ()) -> int:
        """Remove, in one transaction, every event an ingest brought (its files, see `origin_of`), its row
        keys, and the root-level files `also` (e.g. its record) that exist. Returns the events removed."""
        if origin == LOCAL:
            raise StoreError("Generated and live-appended events are not an ingest; they cannot be undone.")
        with self._snapshots.exclusive():  # no compaction may rewrite the origin's files meanwhile
            snap = self.snapshot
            files = [p for p in sorted((snap / "events").glob("event_date=*/part-*.parquet"))
                     if origin_of(p) == origin]
            removed = sum(pq.ParquetFile(p).metadata.num_rows for p in files)
            with self.transaction() as tx:
                for path in files:
                    tx.delete(str(path.relative_to(snap)))
                if (snap / "keys" / f"{origin}.parquet").exists():
                    tx.delete(f"keys/{origin}.parquet")
                for relative in also:
                    if (self.root / relative).exists():
                        tx.delete(relative)
        return removed

    # ------------------------------------------------------------------ reads
    def event_files(self) -> list[Path]:
        """Every Parquet file holding events in the current snapshot (partitions, then live batches)."""
        snap = self.snapshot
        return sorted((snap / "events").glob("event_date=*/part-*.parquet")) + self.live_files()

    def live_files(self) -> list[Path]:
        """The live batches not yet compacted."""
        return sorted((self.snapshot / LIVE_DIR).glob("batch-*.parquet"))

    def table_files(self, name: str) -> list[Path]:
        """The Parquet files of a non-event table."""
        return sorted((self.snapshot / "tables" / name).glob("part-*.parquet"))

    def disk_bytes(self) -> dict[str, int]:
        """Bytes on disk of the current snapshot by table ('events' includes live batches)."""
        sizes = {name: 0 for name in TABLES}
        for path in self.event_files():
            sizes["events"] += path.stat().st_size
        for name in TABLES:
            if name != "events":
                sizes[name] = sum(p.stat().st_size for p in self.table_files(name))
        return sizes

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A fresh in-memory DuckDB connection with views `events`, `orders`, `products`, `reviews`, `users`.

        The views glob the files through `current` at query time, so batches appended and snapshots committed
        after connecting (even to an empty store) are visible to this connection.
        """
        con = duckdb.connect()
        on_cancel(con.interrupt)  # a tool call past its time limit stops its queries (tools.cancellation)
        con.execute("SET TimeZone = 'UTC'")
        current = self.root.resolve() / "current"
        columns = ", ".join(EVENTS.names)
        con.execute(
            f"CREATE VIEW events AS SELECT {columns} FROM "
            f"read_parquet({sql_string(str(current / 'events' / '**' / '*.parquet'))}, "
            "hive_partitioning = false)"
        )
        for name, schema in TABLES.items():
            if name != "events":
                glob = current / "tables" / name / "*.parquet"
                con.execute(
                    f"CREATE VIEW {name} AS SELECT {', '.join(schema.names)} "
                    f"FROM read_parquet({sql_string(str(glob))})"
                )
        return con

    def has_events(self) -> bool:
        """True once any event has been written."""
        return bool(self.event_files())

    def latest_event_time(self) -> datetime | None:
        """The UTC time of the latest event, or None while the store is empty."""
        with self.connect() as con:
            return con.execute("SELECT max(event_time) FROM events").fetchone()[0]

    # ------------------------------------------------------------------ the shop profile
    def profile(self) -> ShopProfile:
        """The shop's profile, stored beside the data (an empty one, EUR and no places, until one is saved).

        Read again when another process replaced it (the file's stamp changed), else served from memory.
        """
        path = self.root / PROFILE_FILE
        try:
            stat = path.stat()
        except FileNotFoundError:
            return EMPTY_PROFILE
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._profile_lock:
            if self._profile is None or self._profile[0] != stamp:
                self._profile = (stamp, ShopProfile.from_json(path.read_text(encoding="utf-8")))
            return self._profile[1]

    def save_profile(self, profile: ShopProfile) -> None:
        """Replace the shop's profile in one commit (readers see the old or the new one, never half)."""
        with self.transaction() as tx:
            tx.write_text(PROFILE_FILE, profile.to_json())

    def edit_profile(self, change: Callable[[ShopProfile], ProfileEdit]) -> ProfileEdit:
        """Apply one edit to the profile and save the result, under the store's write lock (no other writer's
        change is lost); when `change` raises, the profile stays as it was."""
        with self._snapshots.exclusive():
            edit = change(self.profile())
            self.save_profile(edit.profile)
            return edit


# Rows inside a partition file are ordered by time; zstd and dictionary pages then see similar neighbours.
SORT_KEYS: list[tuple[str, str]] = [("event_time", "ascending"), ("user_id", "ascending")]
# Compaction reads partitions in groups of about this many bytes of Parquet (a few hundred MB in memory).
MERGE_GROUP_BYTES = 32 << 20


def _read_events(files: list[Path]) -> pa.Table:
    """The rows of many (small) event files at once; DuckDB reads them in parallel, far faster than one by
    one."""
    if not files:
        return EVENTS.empty_table()
    with duckdb.connect() as con:
        listing = "[" + ", ".join(sql_string(str(f)) for f in files) + "]"
        table = con.sql(f"SELECT {', '.join(EVENTS.names)} FROM read_parquet({listing})").to_arrow_table()
    return conform(table, EVENTS)


def _count(folder: Path, pattern: str) -> int:
    return sum(1 for _ in folder.glob(pattern))


def _split_by_date(batch: pa.Table) -> Iterator[tuple[date, pa.Table]]:
    """(UTC date, rows of that date sorted by SORT_KEYS) for each date in `batch`."""
    dates = pc.cast(batch["event_time"], pa.timestamp("us", tz="UTC")).cast(pa.date32())
    batch = batch.append_column("_date", dates).sort_by([("_date", "ascending"), *SORT_KEYS])
    runs = pc.run_end_encode(batch["_date"].combine_chunks())
    start = 0
    for day, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist()):
        yield day, batch.slice(start, end - start).drop_columns(["_date"])
        start = end


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Reorder and cast `table` to `schema`; columns it lacks are filled with nulls."""
    arrays = []
    for f in schema:
        if f.name in table.column_names:
            arrays.append(table[f.name].cast(f.type))
        else:
            arrays.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)
