"""Ingest CSV, Parquet and JSONL files into the event store: map, coerce, validate, quarantine, commit atomically.

DuckDB does all the row work, vectorised and in parallel: it reads the file (CSV and JSONL as text, so that
nothing is lost to type sniffing), applies the mapping, casts with TRY_CAST and computes a rejection reason
per row, then streams the rows as Arrow batches to `DatePartitionWriter`, which writes zstd Parquet partitioned
by UTC date on a thread of its own, straight into the transaction's staging area.
Rejected rows, with their original values and the reason, go to `quarantine/<ingest-id>.csv`. The commit also
records the ingest in `ingests/<ingest-id>.json`, where `ingest-id` hashes the file's content and the mapping:
the same file under the same mapping is never ingested twice. Anything failing before the commit leaves the
store exactly as it was.

Conventions: refund events carry the positive quantity returned (a source's negative refund quantity is
flipped); a region given without a country fills the country in.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tools.events.mapping import EPOCH_FORMATS, ColumnMapping, IngestError, Preset
from tools.events.partitions import DATE_COLUMN, DatePartitionWriter
from tools.events.regions import COUNTRIES, all_regions
from tools.events.schema import CHANNELS, EVENT_TYPES, EVENTS
from tools.events.store import EventStore, Transaction

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
BATCH_ROWS = 1 << 20  # rows per Arrow batch streamed from DuckDB to the partition writer
DUCKDB_MEMORY = "2GB"  # DuckDB spills beyond this; keeps the whole ingest well under 4 GiB
EARLIEST, LATEST = "1990-01-01", "2100-01-01"  # outside: a unit mix-up (ms read as s) or a typo
REASON = "_reason"
ROW = "_row"
_SQL_TYPES = {
    "event_time": "TIMESTAMPTZ",
    "quantity": "INTEGER",
    "price": "DOUBLE",
    "lat": "DOUBLE",
    "lon": "DOUBLE",
}


@dataclass
class IngestReport:
    """What one ingest did. rows_read == rows_accepted + rows_rejected; events_written may exceed rows_accepted
    when a preset expands a row into several events."""

    ingest_id: str
    path: str
    file_format: str
    preset: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    events_written: int
    reasons: dict[str, int] = field(default_factory=dict)
    quarantine_path: str | None = None
    seconds: float = 0.0
    ingested_at: str = ""
    already_ingested: bool = False

    def summary(self) -> str:
        """One line an operator (or the agent) can quote."""
        if self.already_ingested:
            return f"{self.path} was already ingested at {self.ingested_at} (ingest {self.ingest_id}); nothing added."
        top = ", ".join(
            f"{reason}: {n}" for reason, n in sorted(self.reasons.items(), key=lambda kv: -kv[1])[:3]
        )
        return (
            f"Read {self.rows_read:,} rows from {Path(self.path).name}: {self.rows_accepted:,} accepted "
            f"({self.events_written:,} events), {self.rows_rejected:,} rejected"
            + (f" ({top})" if top else "")
            + "."
        )


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


def ingest_file(
    store: EventStore,
    path: Path | str,
    mapping: ColumnMapping | None = None,
    *,
    preset: Preset | None = None,
    file_format: str | None = None,
    progress: bool = False,
) -> IngestReport:
    """Ingest one file into `store` under `mapping` (refining `preset`'s, if given); idempotent and atomic.

    Raises IngestError for an unreadable file, a bad mapping or a missing column; bad rows are not errors but
    go to the quarantine file named in the report.
    """
    started = time.perf_counter()
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"File {path} not found (or not a file).")
    fmt = file_format_of(path, file_format)
    mapping = mapping or ColumnMapping()
    if preset is not None:
        mapping = preset.mapping.overridden_by(mapping)
    rules = f"{preset.name}:{preset.version}" if preset else "-"
    ingest_id = hashlib.sha256(f"{_content_hash(path)}:{mapping.fingerprint()}:{rules}".encode()).hexdigest()[
        :16
    ]
    previous = load_ingest(store, ingest_id)
    if previous is not None:
        previous.already_ingested = True
        return previous

    with store.transaction() as tx:
        con = _connect(tx)
        try:
            source_sql, source_columns = _source_relation(con, path, fmt)
            mapping = mapping.resolved(_columns_after_derive(con, source_sql, source_columns, preset), path)
            con.execute(
                f"CREATE TEMP VIEW checked AS {_validation_query(con, source_sql, source_columns, mapping, preset)}"
            )
            con.execute(f"CREATE TEMP VIEW accepted AS SELECT * FROM checked WHERE {REASON} IS NULL")
            counts = _write(tx, con, source_columns, preset, ingest_id, progress)
        except duckdb.Error as error:
            raise IngestError(
                f"Could not read {path} as {fmt}: {error}. Check the file's format and encoding."
            ) from error
        finally:
            con.close()
        report = IngestReport(
            ingest_id=ingest_id,
            path=str(path.resolve()),
            file_format=fmt,
            preset=preset.name if preset else None,
            **counts,
            seconds=round(time.perf_counter() - started, 3),
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        tx.write_text(f"ingests/{ingest_id}.json", json.dumps(asdict(report), indent=2), create_only=True)
    return report


def load_ingest(store: EventStore, ingest_id: str) -> IngestReport | None:
    """The recorded report of an earlier ingest, or None."""
    log = store.root / "ingests" / f"{ingest_id}.json"
    if not log.exists():
        return None
    return IngestReport(**json.loads(log.read_text(encoding="utf-8")))


def list_ingests(store: EventStore) -> list[IngestReport]:
    """Every recorded ingest, oldest first."""
    reports = [
        IngestReport(**json.loads(p.read_text(encoding="utf-8")))
        for p in (store.root / "ingests").glob("*.json")
    ]
    return sorted(reports, key=lambda r: r.ingested_at)


# ---------------------------------------------------------------------------------------------- reading
def _content_hash(path: Path) -> str:
    """128-bit xxh3 of the file's bytes: identifies content (not a defence against forgery) at memory speed,
    where sha256 would add seconds to every gigabyte ingested."""
    import xxhash

    digest = xxhash.xxh3_128()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 23):
            digest.update(chunk)
    return digest.hexdigest()


def _connect(tx: Transaction) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    spill = tx.staging / "duckdb-spill"
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute(f"SET temp_directory = {_literal(str(spill))}")
    con.execute(
        "SET preserve_insertion_order = false"
    )  # lets DuckDB run the scan in parallel without reordering; the partition writer groups rows by date
    con.execute("SET enable_progress_bar = false")  # our own bar counts rows
    return con


def _source_relation(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> tuple[str, list[str]]:
    """SQL for the file as a relation plus its column names. CSV and JSONL are read as text (values kept
    exactly), Parquet with its types; `_row` numbers the data rows from 1 (quarantine rows point back with it)."""
    target = _literal(str(path))
    if fmt == "csv":
        reader = f"read_csv({target}, all_varchar = true, header = true)"
    elif fmt == "parquet":
        reader = f"read_parquet({target})"
    else:
        names = con.sql(f"SELECT * FROM read_json({target}, format = 'newline_delimited')").columns
        typed = ", ".join(f"{_literal(n)}: 'VARCHAR'" for n in names)
        reader = f"read_json({target}, format = 'newline_delimited', columns = {{{typed}}})"
    columns = con.sql(f"SELECT * FROM {reader}").columns
    if ROW in columns:
        raise IngestError(
            f"{path} has a column named {ROW!r}, which ingest reserves for row numbers; rename it."
        )
    aliases = ", ".join(_ident(c) for c in columns + [ROW])
    return f"(SELECT * FROM {reader} WITH ORDINALITY AS file({aliases}))", columns


def _columns_after_derive(
    con: duckdb.DuckDBPyConnection, source_sql: str, source_columns: list[str], preset: Preset | None
) -> list[str]:
    if preset is None or preset.derive is None:
        return source_columns
    return con.sql(f"SELECT * EXCLUDE ({ROW}), {preset.derive} FROM {source_sql} AS src").columns


# ---------------------------------------------------------------------------------------------- validation
def _validation_query(
    con: duckdb.DuckDBPyConnection,
    source_sql: str,
    source_columns: list[str],
    mapping: ColumnMapping,
    preset: Preset | None,
) -> str:
    """One SELECT: canonical typed columns, the first failing check as `_reason`, the original values, `_row`."""
    con.execute(
        f"SET TimeZone = {_literal(mapping.source_tz)}"
    )  # ISO strings without an offset are local times
    _register_lookups(con, mapping)
    derive = f", {preset.derive}" if preset and preset.derive else ""
    carry = list(preset.carry) if preset else []
    prepared = f"(SELECT *{derive} FROM {source_sql} AS src)"
    types = _types(con, prepared)

    raw = [f"{_raw_value(name, mapping, types)} AS {_ident('r_' + name)}" for name in EVENTS.names] + [ROW]
    originals = [f"{_ident(c)} AS {_ident(f'_src_{i}')}" for i, c in enumerate(source_columns)]
    carried = [_ident(c) for c in carry]
    typed = _typed_columns(mapping, types)
    checks = _checks()
    # TRY_CAST: rejected rows still flow through here (their values may be out of range for the type).
    output = [
        f"TRY_CAST({typed_name} AS {_SQL_TYPES.get(name, 'VARCHAR')}) AS {_ident(name)}"
        for name, typed_name in _outputs()
    ]
    output += [f"_src_{i}" for i in range(len(source_columns))]
    return f"""
        SELECT {", ".join(output + carried + [ROW, REASON])}
        FROM (
            SELECT *, CASE {" ".join(f"WHEN {cond} THEN {_literal(reason)}" for cond, reason in checks)} END AS {REASON}
            FROM (
                SELECT r.*, {", ".join(f"{expr} AS {alias}" for alias, expr in typed)},
                       ck.code AS k_country, rk.name AS k_region, rk.country AS k_region_country
                FROM (SELECT {", ".join(raw + originals + carried)} FROM {prepared}) AS r
                LEFT JOIN _country_keys AS ck ON ck.key = lower(r.r_country)
                LEFT JOIN _region_keys AS rk ON rk.key = lower(r.r_region)
            )
        )"""


def _types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    rel = con.sql(f"SELECT * FROM {relation} LIMIT 0")
    return {name: str(kind) for name, kind in zip(rel.columns, rel.types)}


def _raw_value(name: str, mapping: ColumnMapping, types: dict[str, str]) -> str:
    """The source value of a canonical column before casting: trimmed text (blank = null) or a typed column."""
    if name in mapping.constants:
        value = _literal(mapping.constants[name])
    elif name in mapping.columns:
        column = mapping.columns[name]
        value = _text_value(_ident(column)) if types[column] == "VARCHAR" else _ident(column)
    else:
        value = "NULL"
    if name in mapping.defaults:
        default = _literal(mapping.defaults[name])
        source_type = types.get(mapping.columns.get(name, ""), "VARCHAR")
        value = f"COALESCE({value}, CAST({default} AS {source_type}))" if value != "NULL" else default
    return value


def _text_value(column: str) -> str:
    """Trimmed text, blank as null. Most values have nothing to trim; testing first skips copying them."""
    return (
        f"CASE WHEN starts_with({column}, ' ') OR ends_with({column}, ' ') "
        f"THEN NULLIF(trim({column}), '') ELSE NULLIF({column}, '') END"
    )


def _timestamp(mapping: ColumnMapping, types: dict[str, str]) -> str:
    source_type = types.get(mapping.columns.get("event_time", ""), "VARCHAR")
    tz = _literal(mapping.source_tz)
    fmt = mapping.time_format
    if source_type == "TIMESTAMP WITH TIME ZONE":
        return "r_event_time"
    if source_type in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"):
        return f"timezone({tz}, CAST(r_event_time AS TIMESTAMP))"
    if fmt in EPOCH_FORMATS:
        scale = {"epoch_s": 1_000_000, "epoch_ms": 1_000, "epoch_us": 1}[fmt]
        micros = f"TRY_CAST(TRY_CAST(r_event_time AS DOUBLE) * {scale} AS BIGINT)"
        return f"timezone('UTC', make_timestamp({micros}))"
    if fmt is not None:
        parsed = f"try_strptime(CAST(r_event_time AS VARCHAR), {_literal(fmt)})"
        return parsed if "%z" in fmt or "%Z" in fmt else f"timezone({tz}, {parsed})"
    return "TRY_CAST(r_event_time AS TIMESTAMPTZ)"


def _typed_columns(mapping: ColumnMapping, types: dict[str, str]) -> list[tuple[str, str]]:
    def text(name: str) -> str:
        return f"CAST(r_{name} AS VARCHAR)"

    return [
        ("t_event_time", _timestamp(mapping, types)),
        ("t_event_type", f"lower({text('event_type')})"),
        ("t_quantity_raw", "TRY_CAST(r_quantity AS DOUBLE)"),
        ("t_price", "TRY_CAST(r_price AS DOUBLE)"),
        ("t_currency", f"upper({text('currency')})"),
        ("t_lat", "TRY_CAST(r_lat AS DOUBLE)"),
        ("t_lon", "TRY_CAST(r_lon AS DOUBLE)"),
        ("t_channel", f"lower({text('channel')})"),
    ]


def _checks() -> list[tuple[str, str]]:
    """(condition, reason) in order; a row's reason is the first that holds."""
    event_types = ", ".join(_literal(t) for t in EVENT_TYPES)
    channels = ", ".join(_literal(c) for c in CHANNELS)
    return [
        ("r_event_time IS NULL", "missing event_time"),
        ("t_event_time IS NULL", "unparseable event_time"),
        (
            f"t_event_time < TIMESTAMPTZ '{EARLIEST}' OR t_event_time >= TIMESTAMPTZ '{LATEST}'",
            "event_time out of range",
        ),
        ("r_event_type IS NULL", "missing event_type"),
        (f"t_event_type NOT IN ({event_types})", "unknown event_type"),
        ("r_user_id IS NULL", "missing user_id"),
        (
            "r_quantity IS NOT NULL AND (t_quantity_raw IS NULL OR NOT isfinite(t_quantity_raw))",
            "unparseable quantity",
        ),
        ("t_quantity_raw <> trunc(t_quantity_raw)", "quantity not a whole number"),
        ("abs(t_quantity_raw) > 2147483647", "quantity out of range"),
        ("t_quantity_raw < 0 AND t_event_type <> 'refund'", "negative quantity"),
        ("r_price IS NOT NULL AND (t_price IS NULL OR NOT isfinite(t_price))", "unparseable price"),
        ("t_price < 0", "negative price"),
        ("t_currency IS NOT NULL AND NOT regexp_full_match(t_currency, '[A-Z]{3}')", "bad currency"),
        ("r_country IS NOT NULL AND k_country IS NULL", "unknown country"),
        ("r_region IS NOT NULL AND k_region IS NULL", "unknown region"),
        (
            "k_country IS NOT NULL AND k_region_country IS NOT NULL AND k_country <> k_region_country",
            "region not in country",
        ),
        ("r_lat IS NOT NULL AND t_lat IS NULL", "unparseable lat"),
        ("t_lat NOT BETWEEN -90 AND 90", "lat out of range"),
        ("r_lon IS NOT NULL AND t_lon IS NULL", "unparseable lon"),
        ("t_lon NOT BETWEEN -180 AND 180", "lon out of range"),
        (f"t_channel IS NOT NULL AND t_channel NOT IN ({channels})", "unknown channel"),
    ]


def _outputs() -> list[tuple[str, str]]:
    """(canonical column, expression over the checked row)."""
    special = {
        "event_time": "t_event_time",
        "event_type": "t_event_type",
        "quantity": "CASE WHEN t_event_type = 'refund' THEN abs(t_quantity_raw) ELSE t_quantity_raw END",
        "price": "t_price",
        "currency": "t_currency",
        "country": "COALESCE(k_country, k_region_country)",
        "region": "k_region",
        "lat": "t_lat",
        "lon": "t_lon",
        "channel": "t_channel",
    }
    return [(name, special.get(name, f"CAST(r_{name} AS VARCHAR)")) for name in EVENTS.names]


def _register_lookups(con: duckdb.DuckDBPyConnection, mapping: ColumnMapping) -> None:
    """Country and region spellings (code, name, lower case) -> canonical code / name, as tiny join tables."""
    countries = {}
    for country in COUNTRIES:
        for key in (country.code, country.name):
            countries[key.lower()] = country.code
    regions: dict[str, tuple[str, str | None]] = {}
    for region in all_regions():
        for key in (region.code, region.name):
            regions[key.lower()] = (region.name, region.country)
    for label in mapping.extra_regions:
        regions[label.lower()] = (label, None)
    con.register("_country_keys", pa.table({"key": list(countries), "code": list(countries.values())}))
    con.register(
        "_region_keys",
        pa.table(
            {
                "key": list(regions),
                "name": [v[0] for v in regions.values()],
                "country": [v[1] for v in regions.values()],
            }
        ),
    )


# ---------------------------------------------------------------------------------------------- writing
def _write(
    tx: Transaction,
    con: duckdb.DuckDBPyConnection,
    source_columns: list[str],
    preset: Preset | None,
    ingest_id: str,
    progress: bool,
) -> dict[str, Any]:
    """Write accepted rows as date partitions and rejected rows (original values + reason) as the quarantine CSV.

    One scan streams every checked row to the partition writer, rejected ones with a null date, which only
    serves to count them: one pass for the common case. Only if rows were rejected does a second pass read the
    file again for their original values.
    """
    columns = ", ".join(_ident(n) for n in EVENTS.names)
    day = "CAST(timezone('UTC', event_time) AS DATE)"
    if preset is not None and preset.expand:
        accepted_rows = con.sql(f"SELECT count(*) FROM checked WHERE {REASON} IS NULL").fetchall()[0][0]
        rows = (
            f"SELECT {columns}, {day} AS {DATE_COLUMN} FROM ({preset.expand}) "
            f"UNION ALL SELECT {columns}, NULL FROM checked WHERE {REASON} IS NOT NULL"
        )
    else:
        accepted_rows = None
        rows = f"SELECT {columns}, CASE WHEN {REASON} IS NULL THEN {day} END AS {DATE_COLUMN} FROM checked"
    rejected = 0
    with _progress_bar(con, progress), DatePartitionWriter(tx.staging / "events", ingest_id) as writer:
        for batch in _stream(con, rows):
            dropped = batch.column(DATE_COLUMN).null_count
            if dropped:
                rejected += dropped
                batch = batch.filter(pc.is_valid(batch.column(DATE_COLUMN)))
            writer.add(batch)
    tx.adopt("events")
    events_written = writer.rows_written
    if accepted_rows is None:
        accepted_rows = events_written

    reasons: dict[str, int] = {}
    quarantine_path = None
    if rejected:
        relative = f"quarantine/{ingest_id}.csv"
        target = tx.path_for(relative)
        originals = ", ".join(
            f"CAST(_src_{i} AS VARCHAR) AS {_ident(c)}" for i, c in enumerate(source_columns)
        )
        con.execute(
            f"COPY (SELECT {ROW}, {originals}, {REASON} FROM checked WHERE {REASON} IS NOT NULL ORDER BY {ROW}) "
            f"TO {_literal(str(target))} (HEADER)"
        )
        counted = con.sql(
            f"SELECT {REASON}, count(*) FROM read_csv({_literal(str(target))}, all_varchar = true, header = true) GROUP BY 1"
        ).fetchall()
        reasons = {reason: n for reason, n in sorted(counted)}
        if sum(reasons.values()) != rejected:
            raise IngestError(
                "The file changed while it was being ingested (two reads disagree); ingest it again."
            )
        quarantine_path = str(tx.store.root / relative)
    return {
        "rows_read": accepted_rows + rejected,
        "rows_accepted": accepted_rows,
        "rows_rejected": rejected,
        "events_written": events_written,
        "reasons": reasons,
        "quarantine_path": quarantine_path,
    }


def _stream(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[pa.RecordBatch]:
    """The query's rows as Arrow batches. A failure inside DuckDB (e.g. a malformed CSV line) reaches Arrow's
    reader as a bare OSError; it is raised again as the duckdb.Error it is, so ingest reports it like any other."""
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


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
