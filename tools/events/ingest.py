"""Ingest CSV, Parquet and JSONL files into the event store: map, coerce, validate, quarantine, commit
atomically.

DuckDB does all the row work, vectorised and in parallel: it reads the file (CSV and JSONL as text, so that
nothing is lost to type sniffing), applies the mapping, casts with TRY_CAST and computes a rejection reason
per row (the query comes from `tools.events.validation`), then streams the rows as Arrow batches to
`DatePartitionWriter`, which writes zstd Parquet partitioned by UTC date on a thread of its own, straight into
the transaction's staging area. Rejected rows, with their original values and the reason, go to
`quarantine/<ingest-id>.csv`. The commit also records the ingest in `ingests/<ingest-id>.json`, where
`ingest-id` hashes the file's content and the mapping: the same file under the same mapping is never ingested
twice. Anything failing before the commit leaves the store exactly as it was.

Places: before the rows are checked, every distinct (country, region, city) of the file is resolved against
the shop's profile; new places join it with their zones, committed with the events, and the report lists
them (`tools.events.place_registration`). Rows whose place has no knowable zone are quarantined with the
flags that fix it.

Conventions: refund events carry the positive quantity returned (a source's negative refund quantity is
flipped); a region the profile knows, given without a country, fills the country in.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tools.events.dialect import CsvDialect
from tools.events.ingests import IngestReport, SyncMark, load_ingest
from tools.events.mapping import ColumnMapping, IngestError, Preset
from tools.events.partitions import DATE_COLUMN, DatePartitionWriter
from tools.events.place_registration import PlaceSources, added_lines, resolve_places
from tools.events.profile import PROFILE_FILE, Place, ShopProfile
from tools.events.quarantine import MAX_REJECTED, refuse_if_too_many, write_quarantine
from tools.events.reading import content_hash, file_format_of, malformed_lines, source_relation
from tools.events.row_keys import KEYS_DIR, KeyWriter, hash_probe, register_stored_keys
from tools.events.schema import EVENTS
from tools.events.snapshots import Transaction
from tools.events.sql import sql_ident, sql_string
from tools.events.store import EventStore
from tools.events.validation import (
    KEY,
    PRESENT,
    REASON,
    ROW,
    UNPLACED,
    places_query,
    raw_source,
    register_places,
    validation_query,
)

BATCH_ROWS = 1 << 20  # rows per Arrow batch streamed from DuckDB to the partition writer
PLACE_SAMPLE_ROWS = 200_000  # rows whose places are resolved before the first round
DUCKDB_MEMORY = "2GB"  # DuckDB spills beyond this; keeps the whole ingest well under 4 GiB


def ingest_file(
    store: EventStore,
    path: Path | str,
    mapping: ColumnMapping | None = None,
    *,
    preset: Preset | None = None,
    file_format: str | None = None,
    places: tuple[Place, ...] = (),
    dialect: CsvDialect | None = None,
    max_rejected: float = MAX_REJECTED,
    progress: bool = False,
    sync: SyncMark | None = None,
) -> IngestReport:
    """Ingest one file into `store` under `mapping` (refining `preset`'s, if given); idempotent and atomic.

    `places` (a places file's, see `read_places_file`) tell the zones of places the profile lacks; `dialect`
    how the file writes fields and numbers; `sync` the database source a synced file came from (its label
    stands for the file in the record, and its watermark is where the next sync starts).

    Raises IngestError for an unreadable file, a bad mapping or a missing column; bad rows are not errors but
    go to the quarantine file named in the report, unless more than `max_rejected` of them fail: then
    IngestRejected, and nothing is ingested.
    """
    started = time.perf_counter()
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"File {path} not found (or not a file).")
    if not 0.0 <= max_rejected <= 1.0:
        raise IngestError(f"max_rejected is a share of the rows, from 0 to 1; got {max_rejected!r}.")
    fmt = file_format_of(path, file_format)
    dialect = dialect or CsvDialect()
    mapping = mapping or ColumnMapping()
    if preset is not None:
        mapping = preset.mapping.overridden_by(mapping)
    rules = f"{preset.name}:{preset.version}" if preset else "-"
    reading = f":{dialect.fingerprint()}" if dialect.fingerprint() else ""  # plain files keep their ids
    origin = f":{sync.source}" if sync else ""
    identity = f"{content_hash(path)}:{mapping.fingerprint()}:{rules}{reading}{origin}"
    ingest_id = hashlib.sha256(identity.encode()).hexdigest()[:16]
    previous = load_ingest(store, ingest_id)
    if previous is not None:
        previous.already_ingested = True
        return previous

    with store.transaction() as tx:
        con = _connect(tx)
        try:
            source_sql, source_columns = source_relation(con, path, fmt, dialect)
            register_stored_keys(con, store.snapshot)
            mapping = mapping.resolved(_columns_after_derive(con, source_sql, source_columns, preset), path)
            raw = raw_source(con, source_sql, source_columns, mapping, preset, dialect)
            sources = PlaceSources(places, mapping.place_tz)
            # Places from the file's first rows first: most exports name every place early, and reading
            # the whole file twice would cost a tenth of the ingest. A row the sample missed sends the
            # ingest round again with every place (see _write).
            sample = con.execute(places_query(raw, first_rows=PLACE_SAMPLE_ROWS)).fetchall()
            resolution = resolve_places(store.profile(), sample, sources)
            register_places(con, resolution.places)
            con.execute(
                f"CREATE TEMP VIEW checked AS {validation_query(raw, source_columns, mapping, preset)}"
            )
            con.execute(
                f"CREATE TEMP VIEW accepted AS SELECT * FROM checked WHERE {REASON} IS NULL AND NOT {PRESENT}"
            )
            write = _Write(fmt, source_columns, preset, ingest_id)
            counts = write(tx, con, progress)
            if counts is None:  # rows with places the sample had not seen: resolve them all, then again
                every = con.execute(places_query(raw)).fetchall()
                resolution = resolve_places(store.profile(), every, sources)
                register_places(con, resolution.places)
                counts = write(tx, con, progress)
                if counts is None:
                    raise RuntimeError("A place stayed unresolved after resolving every place of the file.")
            staged = tx.staging / "quarantine" / f"{ingest_id}.csv" if counts["rows_rejected"] else None
            refuse_if_too_many(counts, counts["reasons"], max_rejected, staged,
                               store.root / "quarantine" / "refused" / f"{ingest_id}.csv")
        except duckdb.Error as error:
            raise IngestError(
                f"Could not read {path} as {fmt}: {error}. Check the file's format and encoding."
            ) from error
        finally:
            con.close()
        notes: _Notes = counts.pop("notes")
        # read again: another ingest may have added places since this one began
        profile = store.profile().with_places(resolution.added)
        first = _first_currency(store, notes.currencies)
        if first:
            profile = replace(profile, currency=first)
        report = IngestReport(
            ingest_id=ingest_id,
            path=sync.source if sync else str(path.resolve()),
            file_format=fmt,
            preset=preset.name if preset else None,
            **counts,
            warnings=notes.warnings(profile),
            currency_set=first,
            seconds=round(time.perf_counter() - started, 3),
            ingested_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
            places_added=added_lines(resolution.added),
            sync_source=sync.source if sync else None,
            watermark=sync.watermark if sync else None,
        )
        if resolution.added or first:
            tx.write_text(PROFILE_FILE, profile.to_json())
        tx.write_text(f"ingests/{ingest_id}.json", json.dumps(asdict(report), indent=2), create_only=True)
    return report


# ---------------------------------------------------------------------------------------------- reading
def _connect(tx: Transaction) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    spill = tx.staging / "duckdb-spill"
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute(f"SET temp_directory = {sql_string(str(spill))}")
    con.execute(
        "SET preserve_insertion_order = false"
    )  # lets DuckDB run the scan in parallel without reordering; the partition writer groups rows by date
    con.execute("SET enable_progress_bar = false")  # our own bar counts rows
    return con


def _columns_after_derive(
    con: duckdb.DuckDBPyConnection, source_sql: str, source_columns: list[str], preset: Preset | None
) -> list[str]:
    if preset is None or preset.derive is None:
        return source_columns
    return con.sql(f"SELECT * EXCLUDE ({ROW}), {preset.derive} FROM {source_sql} AS src").columns


# ---------------------------------------------------------------------------------------------- writing
@dataclass
class _Write:
    """One round of writing: accepted rows as date partitions, rejected rows (original values + reason) and
    malformed lines as the quarantine CSV, and what the operator should know about the accepted rows."""

    fmt: str
    source_columns: list[str]
    preset: Preset | None
    ingest_id: str

    def __call__(
        self, tx: Transaction, con: duckdb.DuckDBPyConnection, progress: bool
    ) -> dict[str, Any] | None:
        """The counts for the report; None (nothing kept) when a row's place was not resolved yet.

        One scan streams every checked row to the partition writer, rejected ones with a null date, which
        only serves to count them: one pass for the common case. Only if rows were rejected does a second
        pass read the file again for their original values.
        """
        columns = ", ".join(sql_ident(n) for n in EVENTS.names)
        day = "CAST(timezone('UTC', event_time) AS DATE)"
        unplaced = f"{REASON} IS NOT DISTINCT FROM {sql_string(UNPLACED)}"
        skip = f"{REASON} IS NULL AND {PRESENT}"
        keys = KeyWriter(tx.staging / KEYS_DIR / f"{self.ingest_id}.parquet", hash_probe(con))
        expanding = self.preset is not None and self.preset.expand is not None
        if expanding:  # the preset expands the accepted rows not yet stored into events
            with keys:
                for batch in _stream(con, f"SELECT {KEY} FROM accepted"):
                    keys.add(batch.column(KEY))
            accepted_rows, skipped = con.sql(
                f"SELECT count(*) FILTER ({REASON} IS NULL AND NOT {PRESENT}), count(*) FILTER ({skip}) "
                "FROM checked"
            ).fetchall()[0]
            rows = (
                f"SELECT {columns}, {day} AS {DATE_COLUMN}, false AS _unplaced, false AS _skip, "
                f"NULL AS {KEY} FROM ({self.preset.expand}) "
                f"UNION ALL SELECT {columns}, NULL, {unplaced}, {skip}, NULL FROM checked "
                f"WHERE {REASON} IS NOT NULL OR {PRESENT}"
            )
        else:
            accepted_rows, skipped = None, 0
            rows = (f"SELECT {columns}, CASE WHEN {REASON} IS NULL AND NOT {PRESENT} THEN {day} END "
                    f"AS {DATE_COLUMN}, {unplaced} AS _unplaced, {skip} AS _skip, {KEY} FROM checked")
        rejected, notes = 0, _Notes()
        shutil.rmtree(tx.staging / "events", ignore_errors=True)  # left by a round that met an unplaced row
        writer = DatePartitionWriter(tx.staging / "events", self.ingest_id)
        with _progress_bar(con, progress), writer, keys:
            for batch in _stream(con, rows):
                if pc.any(batch.column("_unplaced")).as_py():
                    return None
                dropped = batch.column(DATE_COLUMN).null_count
                if dropped:
                    present = pc.sum(batch.column("_skip")).as_py() or 0
                    skipped += 0 if expanding else present  # (counted above when expanding)
                    rejected += dropped - present
                    batch = batch.filter(pc.is_valid(batch.column(DATE_COLUMN)))
                if not expanding:
                    keys.add(batch.column(KEY))
                batch = batch.drop_columns(["_unplaced", "_skip", KEY])
                notes.add(batch)
                writer.add(batch)
        tx.adopt("events")
        events_written = writer.rows_written
        if accepted_rows is None:
            accepted_rows = events_written
        if events_written:
            tx.adopt(KEYS_DIR)

        malformed = malformed_lines(con, self.fmt)  # complete now: the scan has read the whole file
        reasons: dict[str, int] = {}
        quarantine_path = None
        if rejected or malformed:
            relative = f"quarantine/{self.ingest_id}.csv"
            reasons = write_quarantine(con, tx.path_for(relative), self.source_columns, malformed)
            rejected += len(malformed)
            if sum(reasons.values()) != rejected:
                raise IngestError(
                    "The file changed while it was being ingested (two reads disagree); ingest it again."
                )
            quarantine_path = str(tx.root / relative)
        return {
            "rows_read": accepted_rows + rejected + skipped,
            "rows_accepted": accepted_rows,
            "rows_skipped": skipped,
            "rows_rejected": rejected,
            "events_written": events_written,
            "reasons": reasons,
            "quarantine_path": quarantine_path,
            "notes": notes,
        }


def _first_currency(store: EventStore, currencies: set[str]) -> str | None:
    """The one currency of a new shop's first file, which becomes its reporting currency: the store has no
    profile and no events yet (the empty profile's EUR was nobody's choice), and the file names one."""
    if len(currencies) != 1 or (store.root / PROFILE_FILE).exists() or store.has_events():
        return None
    return next(iter(currencies))


@dataclass
class _Notes:
    """What the accepted events hold that answers will miss or may misread: purchases without an order,
    amounts in a currency without a rate, amounts that name no currency."""

    purchases_without_order: int = 0
    currencies: set[str] = field(default_factory=set)
    amounts_without_currency: int = 0

    def add(self, batch: pa.RecordBatch) -> None:
        purchase = pc.equal(batch.column("event_type"), "purchase")
        orderless = pc.and_(purchase, pc.is_null(batch.column("order_id")))
        self.purchases_without_order += pc.sum(orderless).as_py() or 0
        self.currencies.update(c for c in pc.unique(batch.column("currency")).to_pylist() if c)
        unnamed = pc.and_(pc.is_valid(batch.column("price")), pc.is_null(batch.column("currency")))
        self.amounts_without_currency += pc.sum(unnamed).as_py() or 0

    def warnings(self, profile: ShopProfile) -> list[str]:
        notes = []
        if self.purchases_without_order:
            notes.append(
                f"{self.purchases_without_order:,} purchase events have no order_id: they count in sales, "
                "but fraud checks and customers' order questions cannot see them. Map the export's order "
                "number to order_id (--map order_id=COLUMN)."
            )
        unrated = profile.unrated(self.currencies)
        if unrated:
            notes.append(
                f"Amounts in {', '.join(unrated)} have no rate into {profile.currency} in the shop's "
                f"profile: sums in {profile.currency} leave them out until the profile gives a rate "
                f"(`chronotope data rates --set {unrated[0]}=RATE`, {profile.currency} per {unrated[0]})."
            )
        if self.amounts_without_currency:
            notes.append(
                f"{self.amounts_without_currency:,} amounts name no currency: they are read as "
                f"{profile.currency}, the shop's reporting currency. If they are not, undo this ingest and "
                "name theirs (--currency CODE, or --map currency=COLUMN)."
            )
        return notes


def _stream(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[pa.RecordBatch]:
    """The query's rows as Arrow batches. A failure inside DuckDB (e.g. a malformed CSV line) reaches Arrow's
    reader as a bare OSError; it is raised again as the duckdb.Error it is, so ingest reports it like any
    other."""
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except OSError as error:
            raise duckdb.Error(str(error)) from error
        yield batch


@contextmanager
def _progress_bar(con: duckdb.DuckDBPyConnection, enabled: bool) -> Iterator[None]:
    """While the block runs, show DuckDB's own progress estimate of the running query as a bar."""
    if not enabled:
        yield
        return
    from tqdm import tqdm

    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")  # measured, not printed: the tqdm bar shows it
    done = threading.Event()
    bar = tqdm(total=100, desc="ingest", unit="%", bar_format="{l_bar}{bar}| {elapsed}<{remaining}")

    def poll() -> None:
        while not done.wait(0.25):
            value = con.query_progress()
            if value >= 0:
                bar.update(max(0.0, round(value, 1) - bar.n))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        yield
    finally:
        done.set()
        poller.join()
        bar.update(100 - bar.n)
        bar.close()
