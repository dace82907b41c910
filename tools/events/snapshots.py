"""Snapshots of a store's files, replaced all at once by crash-safe transactions.

Layout under the store's `root`:
    current -> snapshots/<n>          the committed state, swapped by one atomic rename
    snapshots/<n>/events/..., snapshots/<n>/tables/...   the files of one state (see `tools.events.store`)
    journal/<txid>.json               redo log of a commit in flight
    staging/<txid>/...                files written before their commit
    trash/...                         superseded snapshots, deleted in the background
    (anything else, e.g. manifest.json, ingests/, quarantine/, sits beside them and is moved by commits too)

Every multi-file change is a transaction: new files are written to staging, a journal naming the moves and
deletions is written atomically, then a new snapshot is built (hard links to every unchanged file plus the
new ones) and `current` is swapped to it in one rename. A crash before the journal leaves the last good state
(staging is swept); a crash after it is rolled forward on the next open.
One process-wide and cross-process lock (flock on `root/.lock`) serialises commits.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


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
SNAPSHOT_SCOPES: tuple[str, ...] = ("events", "tables", "keys")


class StoreError(RuntimeError):
    """The store on disk is unusable or a write cannot be applied (e.g. an unknown table)."""


class StoreConflict(StoreError):
    """A commit's preconditions no longer hold (another writer got there first); nothing was changed."""


def new_id() -> str:
    """A random 16-hex-digit name for a transaction, a file or a trashed tree."""
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


def write_parquet_atomically(path: Path, table: pa.Table, tmp: Path | None = None) -> None:
    """Write `table` to `path` so that a crash leaves either no file or the whole one (and at most `tmp`)."""
    tmp = tmp or path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, **parquet_options(table.schema))
    _fsync_file(tmp)
    os.replace(tmp, path)


def _in_snapshot(relative: str) -> bool:
    return relative.split("/", 1)[0] in SNAPSHOT_SCOPES


@dataclass
class Transaction:
    """Files staged for one atomic commit. Use through `EventStore.transaction()`.

    Paths are logical and relative: `events/...` and `tables/...` land in the new snapshot, anything else
    (e.g. `manifest.json`, `ingests/<id>.json`) directly under the store root.
    """

    root: Path
    txid: str
    moves: list[tuple[str, str]] = field(default_factory=list)  # (staged path relative to root, final path)
    deletions: list[str] = field(default_factory=list)
    create_only: list[str] = field(default_factory=list)  # final paths that must not exist at commit

    @property
    def staging(self) -> Path:
        return self.root / "staging" / self.txid

    def path_for(self, relative_final: str) -> Path:
        """A staging path to write a file that becomes `relative_final` on commit (registered now)."""
        staged = self.staging / relative_final
        staged.parent.mkdir(parents=True, exist_ok=True)
        self.moves.append((str(staged.relative_to(self.root)), relative_final))
        return staged

    def write_parquet(self, relative_final: str, table: pa.Table) -> None:
        """Stage `table` to become `root/relative_final` on commit."""
        pq.write_table(table, self.path_for(relative_final), **parquet_options(table.schema))

    def write_text(self, relative_final: str, text: str, create_only: bool = False) -> None:
        """Stage a text file to become `relative_final` on commit; `create_only` fails the commit if it
        exists."""
        staged = self.path_for(relative_final)
        staged.write_text(text, encoding="utf-8")
        _fsync_file(staged)  # on disk before the journal that commits it: a crash rolls it forward whole
        if create_only:
            self.create_only.append(relative_final)

    def adopt(self, relative_dir: str) -> list[str]:
        """Register every file written (e.g. by DuckDB COPY) under `staging/relative_dir`; returns final
        paths."""
        base = self.staging / relative_dir
        finals = []
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            final = str(path.relative_to(self.staging))
            self.moves.append((str(path.relative_to(self.root)), final))
            finals.append(final)
        return finals

    def delete(self, relative: str) -> None:
        """Remove `relative` on commit; the commit fails with StoreConflict if it is already gone."""
        self.deletions.append(relative)


class Snapshots:
    """The snapshots, journal, staging and trash under `root`, and the write lock that serialises commits."""

    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.RLock()
        self._depth = 0
        self._sweep_lock = threading.Lock()
        self._sweeper: threading.Thread | None = None
        for sub in ("snapshots", "journal", "staging", "trash"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        self._close_lock_file = weakref.finalize(self, os.close, self._lock_fd)  # stores opened and dropped

    def close(self) -> None:
        """Release the lock file; writing afterwards raises StoreError."""
        if self._lock_fd >= 0:
            self._close_lock_file()
            self._lock_fd = -1

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the store's write lock: re-entrant within this object, exclusive across threads and
        processes."""
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
    def current(self) -> Path:
        """The directory of the current snapshot (resolved now; it changes with every multi-file commit)."""
        return self.root / "snapshots" / os.readlink(self.root / "current").split("/")[-1]

    def ensure_current(self) -> None:
        """Create an empty first snapshot if the store has none yet."""
        if not (self.root / "current").is_symlink():
            first = self.root / "snapshots" / "000000"
            first.mkdir(parents=True, exist_ok=True)
            self._swap_current(first.name)

    def _swap_current(self, snapshot_name: str) -> None:
        tmp = self.root / f"current.{new_id()}.tmp"
        os.symlink(f"snapshots/{snapshot_name}", tmp)
        os.replace(tmp, self.root / "current")

    def _next_snapshot_name(self) -> str:
        numbers = [int(p.name) for p in (self.root / "snapshots").iterdir() if p.name.isdigit()]
        return f"{max(numbers, default=-1) + 1:06d}"

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Stage files, then commit them all or nothing. An exception inside discards everything staged."""
        tx = Transaction(self.root, new_id())
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
        with self.exclusive():
            base = self.current
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
        if target_name is not None and self.current.name != target_name:
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
        keep = self.current.name
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
        os.replace(path, self.root / "trash" / f"{path.name}-{new_id()}")
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
        """Block until superseded snapshots and staging trees are deleted."""
        sweeper = self._sweeper
        if sweeper is not None:
            sweeper.join()

    def recover(self) -> None:
        """Roll committed journals forward; sweep staging and half-written files of commits that never
        happened."""
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
            self._drop_old_snapshots()


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
