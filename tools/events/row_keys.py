"""The keys of the rows each ingest stored, so that re-ingesting an export that grew adds only its new rows.

A row's key is DuckDB's 64-bit `hash` of the values of its key columns (`ColumnMapping.key_columns`: the
mapped source columns, or `--key`). `keys/<ingest-id>.parquet`, in the store's snapshot beside the events,
holds the keys of the rows that ingest stored; a later ingest skips rows whose key is among them, whatever
the file is called and whatever constants it sets. Undoing an ingest removes its keys with its events.

Rows identical in every key column are one row to a later ingest: within one file they are all kept, but a
later file's identical row counts as already stored. Give `--key` a column that tells such rows apart (an
order line or event id) where that matters.

DuckDB does not promise that `hash` stays the same across versions, so each keys file records the hash of
a fixed probe; keys made by another hash are refused with a clear error instead of silently never matching.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tools.events.mapping import IngestError
from tools.events.snapshots import parquet_options

KEYS_DIR = "keys"
KEYS = pa.schema([pa.field("key", pa.uint64(), nullable=False)])
_PROBE_TEXT = "chronotope row key"
_PROBE_META = b"chronotope.hash_probe"


def hash_probe(con: duckdb.DuckDBPyConnection) -> str:
    """This DuckDB's hash of a fixed text: equal probes mean equal keys for equal values."""
    return str(con.execute("SELECT hash(?)", [_PROBE_TEXT]).fetchall()[0][0])


def register_stored_keys(con: duckdb.DuckDBPyConnection, snapshot: Path) -> None:
    """Load the keys of every ingest in `snapshot` as the table `_stored_keys` (read now, into memory, so
    that a commit during the ingest cannot pull the files away)."""
    probe = hash_probe(con)
    tables = [KEYS.empty_table()]
    for path in sorted((snapshot / KEYS_DIR).glob("*.parquet")):
        metadata = pq.read_schema(path).metadata or {}
        if metadata.get(_PROBE_META, b"").decode() != probe:
            raise IngestError(
                f"The row keys in {path.name} were made by a DuckDB whose hash differs from this one's "
                f"(DuckDB {duckdb.__version__}), so re-ingested rows would not be recognised. Install the "
                "DuckDB version constraints.txt pins and ingest again."
            )
        tables.append(pq.read_table(path, schema=KEYS))
    con.register("_stored_keys", pa.concat_tables(tables))


class KeyWriter:
    """Streams the keys of the rows an ingest stores to `path` (in its transaction's staging area), so
    that memory stays flat however large the file. Use as a context manager."""

    def __init__(self, path: Path, probe: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        schema = KEYS.with_metadata({_PROBE_META: probe.encode()})
        self._writer = pq.ParquetWriter(path, schema, **parquet_options(KEYS))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._writer.close()

    def add(self, keys: pa.Array | pa.ChunkedArray) -> None:
        """Append a batch of keys."""
        self._writer.write_table(pa.table({"key": keys.cast(pa.uint64())}, schema=self._writer.schema))
