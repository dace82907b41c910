"""Compile a column mapping into one DuckDB SELECT that types, normalises and checks every row of a source.

The query yields the canonical columns (TRY_CAST, so that rejected rows still flow), the first failing check
as `_reason` (null for a good row), each original value as `_src_<i>` for the quarantine file, and `_row`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from tools.events.dialect import CsvDialect
from tools.events.mapping import EPOCH_FORMATS, LINE_TOTAL, ColumnMapping, Preset
from tools.events.place_registration import ResolvedPlace
from tools.events.schema import CHANNELS, EVENT_TYPES, EVENTS
from tools.events.sql import sql_ident, sql_string

EARLIEST, LATEST = "1990-01-01", "2100-01-01"  # outside: a unit mix-up (ms read as s) or a typo
REASON = "_reason"
ROW = "_row"
KEY = "_key"  # a row's key: a hash of the values of its key columns (see ColumnMapping.key_columns)
PRESENT = "_present"  # whether a row's key is among the store's (an earlier ingest stored the row)
UNPLACED = "place not resolved yet"  # a row whose place the sample did not see: the ingest resolves it and
# reads the file again (never a final reason)
_SQL_TYPES = {
    "event_time": "TIMESTAMPTZ",
    "quantity": "INTEGER",
    "price": "DOUBLE",
    "lat": "DOUBLE",
    "lon": "DOUBLE",
}


@dataclass(frozen=True)
class RawSource:
    """The source as raw canonical values (`r_<column>`), originals (`_src_<i>`), carried columns, `_row`."""

    sql: str
    types: dict[str, str]  # source column -> DuckDB type
    dialect: CsvDialect  # how numbers are written (decimal mark, thousands separator)
    line_totals: bool  # `r_price` holds the line total (mapped as `amount`): the unit price is derived


def raw_source(
    con: duckdb.DuckDBPyConnection,
    source_sql: str,
    source_columns: list[str],
    mapping: ColumnMapping,
    preset: Preset | None,
    dialect: CsvDialect,
) -> RawSource:
    """The raw relation every check reads, and the places pass before it."""
    con.execute(
        f"SET TimeZone = {sql_string(mapping.source_tz)}"
    )  # ISO strings without an offset are local times
    derive = f", {preset.derive}" if preset and preset.derive else ""
    carry = list(preset.carry) if preset else []
    prepared = f"(SELECT *{derive} FROM {source_sql} AS src)"
    types = _types(con, prepared)
    line_totals = LINE_TOTAL in mapping.columns or LINE_TOTAL in mapping.constants
    names = [LINE_TOTAL if name == "price" and line_totals else name for name in EVENTS.names]
    raw = [f"{_raw_value(name, mapping, types)} AS {sql_ident('r_' + canonical)}"
           for name, canonical in zip(names, EVENTS.names)] + [ROW]
    originals = [f"{sql_ident(c)} AS {sql_ident(f'_src_{i}')}" for i, c in enumerate(source_columns)]
    carried = [sql_ident(c) for c in carry]
    key = [f"hash({', '.join(sql_ident(c) for c in mapping.key_columns())}) AS {KEY}"]
    return RawSource(f"(SELECT {', '.join(raw + originals + carried + key)} FROM {prepared})", types, dialect,
                     line_totals)


def places_query(raw: RawSource, first_rows: int | None = None) -> str:
    """Every distinct (country, region, city) the source names, as written: in its first rows, or all."""
    text = ", ".join(f"CAST(r_{level} AS VARCHAR)" for level in ("country", "region", "city"))
    source = f"(SELECT * FROM {raw.sql} LIMIT {int(first_rows)})" if first_rows else raw.sql
    return f"SELECT DISTINCT {text} FROM {source}"


def register_places(con: duckdb.DuckDBPyConnection, places: list[ResolvedPlace]) -> None:
    """The resolution of each raw place as the table `_places` the validation query joins."""
    columns = {
        "raw_country": [p.raw[0] for p in places], "raw_region": [p.raw[1] for p in places],
        "raw_city": [p.raw[2] for p in places], "country": [p.country for p in places],
        "region": [p.region for p in places], "city": [p.city for p in places],
        "reason": [p.reason for p in places],
    }
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    table = table.append_column("matched", pa.array([True] * len(places), pa.bool_()))
    con.register("_places", table)


def validation_query(
    raw: RawSource, source_columns: list[str], mapping: ColumnMapping, preset: Preset | None
) -> str:
    """One SELECT: canonical typed columns, the first failing check as `_reason`, the original values,
    `_row`, `_key` and `_present`. Needs `register_places` and the view `_stored_keys` on the connection."""
    carried = [sql_ident(c) for c in (preset.carry if preset else [])]
    typed = _typed_columns(mapping, raw)
    checks = _checks()
    # TRY_CAST: rejected rows still flow through here (their values may be out of range for the type).
    output = [
        f"TRY_CAST({typed_name} AS {_SQL_TYPES.get(name, 'VARCHAR')}) AS {sql_ident(name)}"
        for name, typed_name in _outputs()
    ]
    output += [f"_src_{i}" for i in range(len(source_columns))]
    return f"""
        SELECT {", ".join(output + carried + [ROW, REASON, KEY])},
               {KEY} IN (SELECT key FROM _stored_keys) AS {PRESENT}
        FROM (
            SELECT *, CASE {" ".join(f"WHEN {cond} THEN {reason}" for cond, reason in checks)} END AS {REASON}
            FROM (
                SELECT r.*, {", ".join(f"{expr} AS {alias}" for alias, expr in typed)},
                       pl.country AS k_country, pl.region AS k_region, pl.city AS k_city,
                       pl.reason AS k_place_reason, pl.matched AS k_matched
                FROM {raw.sql} AS r
                LEFT JOIN _places AS pl ON pl.raw_country IS NOT DISTINCT FROM CAST(r.r_country AS VARCHAR)
                    AND pl.raw_region IS NOT DISTINCT FROM CAST(r.r_region AS VARCHAR)
                    AND pl.raw_city IS NOT DISTINCT FROM CAST(r.r_city AS VARCHAR)
            )
        )"""


def _types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    rel = con.sql(f"SELECT * FROM {relation} LIMIT 0")
    return {name: str(kind) for name, kind in zip(rel.columns, rel.types)}


def _raw_value(name: str, mapping: ColumnMapping, types: dict[str, str]) -> str:
    """The source value of a canonical column before casting: trimmed text (blank = null) or a typed
    column."""
    if name in mapping.constants:
        value = sql_string(mapping.constants[name])
    elif name in mapping.columns:
        column = mapping.columns[name]
        value = _text_value(sql_ident(column)) if types[column] == "VARCHAR" else sql_ident(column)
    else:
        value = "NULL"
    if name in mapping.defaults:
        default = sql_string(mapping.defaults[name])
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
    tz = sql_string(mapping.source_tz)
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
        parsed = f"try_strptime(CAST(r_event_time AS VARCHAR), {sql_string(fmt)})"
        return parsed if "%z" in fmt or "%Z" in fmt else f"timezone({tz}, {parsed})"
    return "TRY_CAST(r_event_time AS TIMESTAMPTZ)"


def _typed_columns(mapping: ColumnMapping, raw: RawSource) -> list[tuple[str, str]]:
    def text(name: str) -> str:
        return f"CAST(r_{name} AS VARCHAR)"

    def number(name: str) -> str:
        source = LINE_TOTAL if name == "price" and raw.line_totals else name
        typed = raw.types.get(mapping.columns.get(source, ""), "VARCHAR") != "VARCHAR"
        written = text(name) if typed else raw.dialect.number(text(name))  # the dialect reads text only
        return f"TRY_CAST({written} AS DOUBLE)"

    price = number("price")
    if raw.line_totals:  # a line total: the unit price is the total over the quantity (1 when missing)
        price = f"{price} / NULLIF(COALESCE({number('quantity')}, 1), 0)"
    types = raw.types

    return [
        ("t_event_time", _timestamp(mapping, types)),
        ("t_event_type", f"lower({text('event_type')})"),
        ("t_quantity_raw", number("quantity")),
        ("t_price", price),
        ("t_currency", f"upper({text('currency')})"),
        ("t_lat", number("lat")),
        ("t_lon", number("lon")),
        ("t_channel", f"lower({text('channel')})"),
    ]


def _checks() -> list[tuple[str, str]]:
    """(condition, reason as SQL) in order; a row's reason is the first that holds."""
    event_types = ", ".join(sql_string(t) for t in EVENT_TYPES)
    channels = ", ".join(sql_string(c) for c in CHANNELS)
    checks = [
        ("k_matched IS NULL", UNPLACED),
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
        ("k_place_reason IS NOT NULL", "k_place_reason"),  # the place resolution's own words
        ("r_lat IS NOT NULL AND t_lat IS NULL", "unparseable lat"),
        ("t_lat NOT BETWEEN -90 AND 90", "lat out of range"),
        ("r_lon IS NOT NULL AND t_lon IS NULL", "unparseable lon"),
        ("t_lon NOT BETWEEN -180 AND 180", "lon out of range"),
        (f"t_channel IS NOT NULL AND t_channel NOT IN ({channels})", "unknown channel"),
    ]
    return [(cond, reason if reason == "k_place_reason" else sql_string(reason)) for cond, reason in checks]


def _outputs() -> list[tuple[str, str]]:
    """(canonical column, expression over the checked row)."""
    special = {
        "event_time": "t_event_time",
        "event_type": "t_event_type",
        "quantity": "CASE WHEN t_event_type = 'refund' THEN abs(t_quantity_raw) ELSE t_quantity_raw END",
        "price": "t_price",
        "currency": "t_currency",
        "country": "k_country",
        "region": "k_region",
        "city": "k_city",
        "lat": "t_lat",
        "lon": "t_lon",
        "channel": "t_channel",
    }
    return [(name, special.get(name, f"CAST(r_{name} AS VARCHAR)")) for name in EVENTS.names]
