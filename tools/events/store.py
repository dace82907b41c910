"""EventStore: DuckDB embedded over zstd Parquet, partitioned by UTC date, under the data dir.

Layout under `root`:
    current -> snapshots/<n>                           the committed state, swapped by one atomic rename
    snapshots/<n>/events/event_date=YYYY-MM-DD/part-<id>.parquet   compacted events (hive partitions)
    snapshots/<n>/events/live/batch-<id>.parquet       small appended batches, visible at once
    snapshots/<n>/tables/<name>/part-<id>.parquet      orders, products, reviews, users
    snapshots/<n>/**/_empty.parquet                    zero-row files that keep the views bound when empty
    journal/<txid>.json                                redo log of a commit in flight
    staging/<txid>/...                                 files written before their commit
    trash/...                                          superseded snapshots, deleted in the background
    (anything else, e.g. manifest.json, ingests/, quarantine/, sits beside them and is moved by commits too)

Every multi-file change is a transaction: new files are written to staging, a journal naming the moves and
deletions is written atomically, then a new snapshot is built (hard links to every unchanged file plus the
new ones) and `current` is swapped to it in one rename. A crash before the journal leaves the last good state
(staging is swept); a crash after it is rolled forward on the next open. Because readers resolve every path
through `current`, each scan of a view sees either the old or the new snapshot, never a mix: a file that a
commit removed (a compacted live batch) can at worst fail a scan that was already running, never count twice.
Live appends are a single new file renamed into the current snapshot, so they skip the snapshot copy.
One process-wide and cross-process lock (flock on `root/.lock`) serialises commits.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Self

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tools.cancellation import on_cancel
from tools.events.schema import EVENTS, TABLES

log = logging.getLogger(__name__)


def parquet_options(schema: pa.Schema) -> dict[str, object]:
    """pyarrow writer options: zstd over dictionary pages, and delta encoding for timestamps.

    Rows are time-ordered within a file, so a timestamp is a small delta from its predecessor: delta-packed
    it costs about 2 bytes instead of 6 in a dictionary page. A demo-shop event then takes about 21 bytes.
    """
    times = [f.name for f in schema if pa.types.is_timestamp(f.type)]
    return {
        "compression": "zstd",
        "compression_level": 6,
        "use_dictionary": [f.name for f in schema if f.name not in times],
        "column_encoding": {name: "DELTA_BINARY_PACKED" for name in times},
    }


# Parts of a path that live inside a snapshot; anything else is a root-level file (manifest, logs).
SNAPSHOT_SCOPES: tuple[str, ...] = ("events", "tables")
EMPTY_FILE = "_empty.parquet"
LIVE_DIR = "events/live"


class StoreError(RuntimeError):
    """The store on disk is unusable or a write cannot be applied (e.g. an unknown table)."""


class StoreConflict(StoreError):
    """A commit's preconditions no longer hold (another writer got there first); nothing was changed."""


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _in_snapshot(relative: str) -> bool:
    return relative.split("/", 1)[0] in SNAPSHOT_SCOPES


@dataclass
class Transaction:
    """Files staged for one atomic commit. Use through `EventStore.transaction()`.

    Paths are logical and relative: `events/...` and `tables/...` land in the new snapshot, anything else
    (e.g. `manifest.json`, `ingests/<id>.json`) directly under the store root.
    """

    store: EventStore
    txid: str
    moves: list[tuple[str, str]] = field(default_factory=list)  # (staged path relative to root, final path)
    deletions: list[str] = field(default_factory=list)
    create_only: list[str] = field(default_factory=list)  # final paths that must not exist at commit

    @property
    def staging(self) -> Path:
        return self.store.root / "staging" / self.txid

    def path_for(self, relative_final: str) -> Path:
        """A staging path to write a file that becomes `relative_final` on commit (registered now)."""
        staged = self.staging / relative_final
        staged.parent.mkdir(parents=True, exist_ok=True)
        self.moves.append((str(staged.relative_to(self.store.root)), relative_final))
        return staged

    def write_parquet(self, relative_final: str, table: pa.Table) -> None:
        """Stage `table` to become `root/relative_final` on commit."""
        pq.write_table(table, self.path_for(relative_final), **parquet_options(table.schema))

    def write_text(self, relative_final: str, text: str, create_only: bool = False) -> None:
        """Stage a text file to become `relative_final` on commit; `create_only` fails the commit if it exists."""
        self.path_for(relative_final).write_text(text, encoding="utf-8")
        if create_only:
            self.create_only.append(relative_final)

    def adopt(self, relative_dir: str) -> list[str]:
        """Register every file written (e.g. by DuckDB COPY) under `staging/relative_dir`; returns final paths."""
        base = self.staging / relative_dir
        finals = []
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            final = str(path.relative_to(self.staging))
            self.moves.append((str(path.relative_to(self.store.root)), final))
            finals.append(final)
        return finals

    def delete(self, relative: str) -> None:
        """Remove `relative` on commit; the commit fails with StoreConflict if it is already gone."""
        self.deletions.append(relative)


class EventStore:
    """The shop's data: events (partitioned Parquet + live batches) and the orders/products/reviews/users tables.

    `auto_compact_batches=N` starts a background thread that compacts once N live batches have piled up.
    """

    def __init__(self, root: Path | str, auto_compact_batches: int | None = None):
        self.root = Path(root)
        self._lock = threading.RLock()
        self._depth = 0
        self._sweep_lock = threading.Lock()
        self._sweeper: threading.Thread | None = None
        for sub in ("snapshots", "journal", "staging", "trash"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        self._close_lock_file = weakref.finalize(self, os.close, self._lock_fd)  # stores opened and dropped
        with self._exclusive():
            self._recover()
            self._ensure_snapshot()
        self._auto_compact_batches = auto_compact_batches
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
        if self._lock_fd >= 0:
            self._close_lock_file()
            self._lock_fd = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ locking and snapshots
    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the store's write lock: re-entrant within this object, exclusive across threads and processes."""
        with self._lock:
            if self._lock_fd < 0:
                raise StoreError(f"The store at {self.root} was closed; open a new EventStore to write.")
            self._depth += 1
            try:
                if self._depth == 1:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
                yield
            finally:
                if self._depth == 1:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                self._depth -= 1

    @property
    def snapshot(self) -> Path:
        """The directory of the current snapshot (resolved now; it changes with every multi-file commit)."""
        return self.root / "snapshots" / os.readlink(self.root / "current").split("/")[-1]

    def _ensure_snapshot(self) -> None:
        if (self.root / "events").is_dir() and not (self.root / "current").exists():
            raise StoreError(
                f"{self.root} holds an event store in an older layout (events/ without snapshots). "
                "Move it away or delete it and rebuild (e.g. `chronotope data demo`)."
            )
        if not (self.root / "current").is_symlink():
            first = self.root / "snapshots" / "000000"
            first.mkdir(parents=True, exist_ok=True)
            self._swap_current(first.name)
        snap = self.snapshot
        (snap / LIVE_DIR).mkdir(parents=True, exist_ok=True)
        for name, schema in TABLES.items():
            folder = snap / ("events" if name == "events" else f"tables/{name}")
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / EMPTY_FILE).exists():
                _write_file_atomically(folder / EMPTY_FILE, schema.empty_table())

    def _swap_current(self, snapshot_name: str) -> None:
        tmp = self.root / f"current.{_new_id()}.tmp"
        os.symlink(f"snapshots/{snapshot_name}", tmp)
        os.replace(tmp, self.root / "current")

    def _next_snapshot_name(self) -> str:
        numbers = [int(p.name) for p in (self.root / "snapshots").iterdir() if p.name.isdigit()]
        return f"{max(numbers, default=-1) + 1:06d}"

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Stage files, then commit them all or nothing. An exception inside discards everything staged."""
        tx = Transaction(self, _new_id())
        tx.staging.mkdir(parents=True, exist_ok=True)
        try:
            yield tx
            self._commit(tx)
        except BaseException:
            # Once its journal exists a commit is decided: leave it for recovery to roll forward.
            if not (self.root / "journal" / f"{tx.txid}.json").exists():
                self._discard(tx.staging)
            raise

    def _commit(self, tx: Transaction) -> None:
        with self._exclusive():
            base = self.snapshot
            for relative in tx.create_only:
                if self._final_path(base, relative).exists():
                    raise StoreConflict(
                        f"{relative} already exists in {self.root}; another writer committed it first."
                    )
            for relative in tx.deletions:
                if not self._final_path(base, relative).exists():
                    raise StoreConflict(
                        f"{relative} is already gone from {self.root}; another writer removed it."
                    )
            scoped = any(_in_snapshot(final) for _, final in tx.moves) or any(map(_in_snapshot, tx.deletions))
            plan = {
                "base": base.name,
                "target": self._next_snapshot_name() if scoped else None,
                "moves": tx.moves,
                "deletions": tx.deletions,
            }
            journal = self.root / "journal" / f"{tx.txid}.json"
            _atomic_write_text(journal, json.dumps(plan))
            self._apply(journal)

    def _final_path(self, snapshot: Path, relative: str) -> Path:
        return (snapshot if _in_snapshot(relative) else self.root) / relative

    def _apply(self, journal: Path) -> None:
        """Roll one journal forward. Every step is idempotent, so recovery may repeat a half-done apply."""
        plan = json.loads(journal.read_text(encoding="utf-8"))
        target_name = plan["target"]
        if target_name is not None and self.snapshot.name != target_name:
            base, target = self.root / "snapshots" / plan["base"], self.root / "snapshots" / target_name
            removed = {r for r in plan["deletions"] if _in_snapshot(r)}
            _link_tree(base, target, skip=removed)
            for staged, final in plan["moves"]:
                if _in_snapshot(final):
                    _move(self.root / staged, target / final)
            self._swap_current(target_name)
        for staged, final in plan["moves"]:
            if not _in_snapshot(final):
                _move(self.root / staged, self.root / final)
        for relative in plan["deletions"]:
            if not _in_snapshot(relative):
                (self.root / relative).unlink(missing_ok=True)
        journal.unlink()
        self._discard(self.root / "staging" / journal.stem)
        self._drop_old_snapshots()

    def _drop_old_snapshots(self) -> None:
        # Readers reach files only through `current`, so superseded snapshots can go at once; files a running
        # query has open stay readable (hard links), only not-yet-opened removed paths fail that query.
        keep = self.snapshot.name
        for snap in (self.root / "snapshots").iterdir():
            if snap.name != keep:
                self._discard(snap)

    def _discard(self, path: Path) -> None:
        """Move a tree out of the way at once (one rename) and delete it in the background.

        Deleting a snapshot means one unlink per file and directory; on disks mounted with online discard that
        is milliseconds each, too slow to sit inside a commit.
        """
        if not path.exists():
            return
        os.replace(path, self.root / "trash" / f"{path.name}-{_new_id()}")
        self._start_sweeper()

    def _start_sweeper(self) -> None:
        with self._sweep_lock:
            if self._sweeper is None or not self._sweeper.is_alive():
                self._sweeper = threading.Thread(target=self._sweep_trash, daemon=True, name="store-trash")
                self._sweeper.start()

    def _sweep_trash(self) -> None:
        while True:
            with self._sweep_lock:
                entries = list((self.root / "trash").iterdir())
                if not entries:
                    self._sweeper = None
                    return
            for entry in entries:
                shutil.rmtree(entry, ignore_errors=True)

    def wait_for_trash(self) -> None:
        """Block until superseded snapshots and staging trees are deleted (tests, benchmarks measuring disk)."""
        sweeper = self._sweeper
        if sweeper is not None:
            sweeper.join()

    def _recover(self) -> None:
        """Roll committed journals forward; sweep staging and half-written files of commits that never happened."""
        for leftover in self.root.glob("current.*.tmp"):
            leftover.unlink()
        for journal in sorted((self.root / "journal").glob("*.json")):
            self._apply(journal)
        for leftover in (self.root / "journal").glob("*.tmp"):
            leftover.unlink()
        for staged in (self.root / "staging").iterdir():
            self._discard(staged)
        if any((self.root / "trash").iterdir()):
            self._start_sweeper()  # for what an earlier process left behind
        if (self.root / "current").is_symlink():
            for leftover in (self.snapshot / LIVE_DIR).glob(".*.tmp"):
                leftover.unlink()
            self._drop_old_snapshots()

    # ------------------------------------------------------------------ writes
    def append_events(self, batch: pa.Table) -> int:
        """Append a (small) batch of canonical events; visible to queries at once. Returns rows written.

        One file renamed into the current snapshot: no journal needed, a crash leaves at most a swept temp file.
        """
        batch = conform(batch, EVENTS)
        if batch.num_rows == 0:
            return 0
        with self._exclusive():
            live = self.snapshot / LIVE_DIR
            name = f"batch-{_new_id()}.parquet"
            _write_file_atomically(live / name, batch, tmp=live / f".{name}.tmp")
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
        part = _new_id()
        for day, piece in _split_by_date(batch):
            tx.write_parquet(f"events/event_date={day.isoformat()}/part-{part}.parquet", piece)

    def compact(self, merge_partitions: bool = False) -> int:
        """Fold live batches into the date partitions in one transaction. Returns rows moved.

        Each date that receives rows is rewritten as a single sorted file (its old parts merged in), so
        streaming does not pile up small files. `merge_partitions=True` also merges every other date that
        has more than one part (e.g. after several ingests).
        """
        with self._exclusive():
            snap = self.snapshot
            live_files = sorted((snap / LIVE_DIR).glob("batch-*.parquet"))
            live = _read_events(live_files)
            by_date = dict(_split_by_date(live)) if live.num_rows else {}
            dates = set(by_date)
            if merge_partitions:
                dates |= {d for d, parts in self._partition_files(snap).items() if len(parts) > 1}
            if not live_files and not dates:
                return 0
            parts_by_date = self._partition_files(snap)
            with self.transaction() as tx:
                for group in _groups_by_size(sorted(dates), parts_by_date, MERGE_GROUP_BYTES):
                    old = [p for day in group for p in parts_by_date.get(day, [])]
                    existing = dict(_split_by_date(_read_events(old)))
                    for day in group:
                        pieces = [t for t in (existing.get(day), by_date.get(day)) if t is not None]
                        merged = pa.concat_tables(pieces).sort_by(SORT_KEYS)
                        tx.write_parquet(
                            f"events/event_date={day.isoformat()}/part-{_new_id()}.parquet", merged
                        )
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
            tx.write_parquet(f"tables/{name}/part-{_new_id()}.parquet", table)

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
            f"read_parquet({_sql_str(current / 'events' / '**' / '*.parquet')}, hive_partitioning = false)"
        )
        for name, schema in TABLES.items():
            if name != "events":
                glob = current / "tables" / name / "*.parquet"
                con.execute(
                    f"CREATE VIEW {name} AS SELECT {', '.join(schema.names)} FROM read_parquet({_sql_str(glob)})"
                )
        return con

    def has_events(self) -> bool:
        """True once any event has been written."""
        return bool(self.event_files())

    def latest_event_time(self) -> datetime | None:
        """The UTC time of the latest event, or None while the store is empty."""
        with self.connect() as con:
            return con.execute("SELECT max(event_time) FROM events").fetchone()[0]


# Rows inside a partition file are ordered by time; zstd and dictionary pages then see similar neighbours.
SORT_KEYS: list[tuple[str, str]] = [("event_time", "ascending"), ("user_id", "ascending")]
# Compaction reads partitions in groups of about this many bytes of Parquet (a few hundred MB in memory).
MERGE_GROUP_BYTES = 32 << 20


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _read_events(files: list[Path]) -> pa.Table:
    """The rows of many (small) event files at once; DuckDB reads them in parallel, far faster than one by one."""
    if not files:
        return EVENTS.empty_table()
    with duckdb.connect() as con:
        listing = "[" + ", ".join(_sql_str(f) for f in files) + "]"
        table = con.sql(f"SELECT {', '.join(EVENTS.names)} FROM read_parquet({listing})").to_arrow_table()
    return conform(table, EVENTS)


def _groups_by_size(days: list[date], parts: dict[date, list[Path]], budget: int) -> Iterator[list[date]]:
    """Consecutive runs of `days` whose partition files add up to about `budget` bytes (read together)."""
    group: list[date] = []
    size = 0
    for day in days:
        day_size = sum(p.stat().st_size for p in parts.get(day, []))
        if group and size + day_size > budget:
            yield group
            group, size = [], 0
        group.append(day)
        size += day_size
    if group:
        yield group


def _count(folder: Path, pattern: str) -> int:
    return sum(1 for _ in folder.glob(pattern))


def _write_file_atomically(path: Path, table: pa.Table, tmp: Path | None = None) -> None:
    tmp = tmp or path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, **parquet_options(table.schema))
    _fsync_file(tmp)
    os.replace(tmp, path)


def _move(source: Path, target: Path) -> None:
    if source.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


def _link_tree(base: Path, target: Path, skip: set[str]) -> None:
    """Hard-link every file of `base` into `target` (same relative paths) except those in `skip`."""
    for folder, _dirs, files in os.walk(base):
        rel_folder = Path(folder).relative_to(base)
        (target / rel_folder).mkdir(parents=True, exist_ok=True)
        for name in files:
            relative = str(rel_folder / name) if str(rel_folder) != "." else name
            if relative in skip or name.endswith(".tmp"):
                continue
            destination = target / relative
            if not destination.exists():
                os.link(Path(folder) / name, destination)


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
