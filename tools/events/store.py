"""EventStore: DuckDB embedded over zstd Parquet, partitioned by UTC date, under the data dir.

Layout under `root`:
    events/event_date=YYYY-MM-DD/part-<id>.parquet   compacted events (hive partitions)
    live/batch-<id>.parquet                          small appended batches, visible at once
    tables/<name>/part-<id>.parquet                  orders, products, reviews, users
    journal/<txid>.json                              redo log of a commit in flight
    staging/<txid>/...                               files written before their commit

Every change is a transaction: new files are written to staging, then a journal listing the moves and
deletions is written atomically, then applied. A crash before the journal leaves the last good state
(staging is swept); a crash after it is rolled forward on the next open. Readers never see half a commit.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tools.events.schema import EVENTS, TABLES

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 6}


class StoreError(RuntimeError):
    """The store on disk is unusable (e.g. a table that was never written)."""


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


@dataclass
class Transaction:
    """Files staged for one atomic commit. Use through `EventStore.transaction()`."""

    store: "EventStore"
    txid: str
    moves: list[tuple[str, str]] = field(default_factory=list)  # (staged path, final path), relative to root
    deletions: list[str] = field(default_factory=list)  # relative to root

    @property
    def staging(self) -> Path:
        return self.store.root / "staging" / self.txid

    def write_parquet(self, relative_final: str, table: pa.Table) -> None:
        """Stage `table` to become `root/relative_final` on commit."""
        staged = self.staging / relative_final
        staged.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, staged, **PARQUET_OPTIONS)
        self.moves.append((str(staged.relative_to(self.store.root)), relative_final))

    def write_text(self, relative_final: str, text: str) -> None:
        """Stage a text file (e.g. a manifest) to become `root/relative_final` on commit."""
        staged = self.staging / relative_final
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_text(text, encoding="utf-8")
        self.moves.append((str(staged.relative_to(self.store.root)), relative_final))

    def delete(self, relative: str) -> None:
        """Remove `root/relative` on commit."""
        self.deletions.append(relative)


class EventStore:
    """The shop's data: events (partitioned Parquet + live batches) and the orders/products/reviews/users tables."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._lock = threading.RLock()
        for sub in ("events", "live", "tables", "journal", "staging"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._recover()

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Stage files, then commit them all or nothing. An exception inside discards everything staged."""
        with self._lock:
            tx = Transaction(self, _new_id())
            try:
                yield tx
            except BaseException:
                shutil.rmtree(tx.staging, ignore_errors=True)
                raise
            self._commit(tx)

    def _commit(self, tx: Transaction) -> None:
        journal = self.root / "journal" / f"{tx.txid}.json"
        _atomic_write_text(journal, json.dumps({"moves": tx.moves, "deletions": tx.deletions}))
        self._apply(journal)

    def _apply(self, journal: Path) -> None:
        plan = json.loads(journal.read_text(encoding="utf-8"))
        for staged, final in plan["moves"]:
            source, target = self.root / staged, self.root / final
            if source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
        for relative in plan["deletions"]:
            (self.root / relative).unlink(missing_ok=True)
        journal.unlink()
        shutil.rmtree(self.root / "staging" / journal.stem, ignore_errors=True)

    def _recover(self) -> None:
        """Roll committed journals forward; sweep staging of transactions that never committed."""
        for journal in sorted((self.root / "journal").glob("*.json")):
            self._apply(journal)
        for leftover in (self.root / "journal").glob("*.tmp"):
            leftover.unlink()
        for staged in (self.root / "staging").iterdir():
            shutil.rmtree(staged, ignore_errors=True)

    # ------------------------------------------------------------------ writes
    def append_events(self, batch: pa.Table) -> int:
        """Append a (small) batch of canonical events; visible to queries at once. Returns rows written."""
        batch = conform(batch, EVENTS)
        if batch.num_rows == 0:
            return 0
        with self.transaction() as tx:
            tx.write_parquet(f"live/batch-{_new_id()}.parquet", batch)
        return batch.num_rows

    def write_events_partitioned(self, tx: Transaction, batch: pa.Table) -> None:
        """Stage canonical events into date partitions (one file per UTC date in the batch)."""
        batch = conform(batch, EVENTS)
        if batch.num_rows == 0:
            return
        dates = pa.compute.cast(batch["event_time"], pa.timestamp("us", tz="UTC")).cast(pa.date32())
        batch = batch.append_column("_date", dates).sort_by([("_date", "ascending"), ("event_time", "ascending")])
        part = _new_id()
        for day, start, length in _runs(batch["_date"]):
            piece = batch.slice(start, length).drop_columns(["_date"])
            tx.write_parquet(f"events/event_date={day.isoformat()}/part-{part}.parquet", piece)

    def compact(self) -> int:
        """Move live batches into the date partitions in one transaction. Returns rows moved."""
        with self._lock:
            files = sorted((self.root / "live").glob("batch-*.parquet"))
            if not files:
                return 0
            table = pa.concat_tables([pq.read_table(f) for f in files])
            with self.transaction() as tx:
                self.write_events_partitioned(tx, table)
                for f in files:
                    tx.delete(str(f.relative_to(self.root)))
            return table.num_rows

    def write_table(self, name: str, table: pa.Table, mode: str = "replace") -> None:
        """Write one of the non-event tables (orders, products, reviews, users); 'replace' or 'append'."""
        if name not in TABLES or name == "events":
            raise ValueError(f"Unknown table {name!r}. Tables: {', '.join(t for t in TABLES if t != 'events')}.")
        if mode not in ("replace", "append"):
            raise ValueError(f"mode must be 'replace' or 'append', got {mode!r}.")
        table = conform(table, TABLES[name])
        with self.transaction() as tx:
            if mode == "replace":
                for old in (self.root / "tables" / name).glob("part-*.parquet"):
                    tx.delete(str(old.relative_to(self.root)))
            tx.write_parquet(f"tables/{name}/part-{_new_id()}.parquet", table)

    # ------------------------------------------------------------------ reads
    def event_files(self) -> list[Path]:
        """Every Parquet file holding events (partitions, then live batches)."""
        return sorted((self.root / "events").glob("event_date=*/part-*.parquet")) + sorted(
            (self.root / "live").glob("batch-*.parquet")
        )

    def table_files(self, name: str) -> list[Path]:
        """The Parquet files of a non-event table."""
        return sorted((self.root / "tables" / name).glob("part-*.parquet"))

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A fresh in-memory DuckDB connection with views `events`, `orders`, `products`, `reviews`, `users`.

        The views glob the files at query time, so batches appended later are visible to this connection.
        """
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        events_glob = str(self.root / "events" / "event_date=*" / "part-*.parquet")
        live_glob = str(self.root / "live" / "batch-*.parquet")
        columns = ", ".join(EVENTS.names)
        # An empty typed table is unioned in so that views bind even before any data exists.
        con.execute(f"CREATE TABLE _empty_events AS SELECT * FROM {_empty_select(EVENTS)}")
        parts = ["SELECT * FROM _empty_events"]
        if any((self.root / "events").glob("event_date=*/part-*.parquet")):
            parts.append(f"SELECT {columns} FROM read_parquet('{events_glob}', hive_partitioning = false)")
        if any((self.root / "live").glob("batch-*.parquet")):
            parts.append(f"SELECT {columns} FROM read_parquet('{live_glob}')")
        con.execute(f"CREATE VIEW events AS {' UNION ALL '.join(parts)}")
        for name, schema in TABLES.items():
            if name == "events":
                continue
            glob = str(self.root / "tables" / name / "part-*.parquet")
            if self.table_files(name):
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob}')")
            else:
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM {_empty_select(schema)}")
        return con

    def has_events(self) -> bool:
        """True once any event has been written."""
        return bool(self.event_files())


def _empty_select(schema: pa.Schema) -> str:
    types = {
        pa.string(): "VARCHAR",
        pa.float64(): "DOUBLE",
        pa.int32(): "INTEGER",
        pa.int8(): "TINYINT",
        pa.date32(): "DATE",
    }
    cols = []
    for f in schema:
        sql_type = "TIMESTAMPTZ" if pa.types.is_timestamp(f.type) else types[f.type]
        cols.append(f"CAST(NULL AS {sql_type}) AS {f.name}")
    return f"(SELECT {', '.join(cols)} WHERE FALSE)"


def _runs(column: pa.ChunkedArray) -> Iterator[tuple[object, int, int]]:
    """(value, start, length) for each run of equal values in a sorted column."""
    values = column.to_pylist()
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            yield values[start], start, i - start
            start = i


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Reorder and cast `table` to `schema`; columns it lacks are filled with nulls."""
    arrays = []
    for f in schema:
        if f.name in table.column_names:
            arrays.append(table[f.name].cast(f.type))
        else:
            arrays.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)
