"""How a source file's columns become canonical event columns: `ColumnMapping` (TOML or CLI flags) and
`Preset`.

A mapping names, per canonical column, the source column to read (`columns`), a value for every row
(`constants`) or a value where the source is empty (`defaults`), plus how to read timestamps. Canonical
columns that the mapping leaves out are read from a source column of the same name when there is one.

TOML form (every table optional):

    time_format = "%m/%d/%Y %H:%M"     # strptime format, or "epoch_s" / "epoch_ms" / "epoch_us";
                                       # default ISO 8601
    source_tz = "Europe/London"        # zone of timestamps that carry no offset; default UTC
    place_tz = "Europe/London"         # zone of new places whose zone nothing else tells (see
                                       # tools.events.place_registration); default none
    key = ["OrderLine"]                # source columns that identify a row (default: every mapped one)
    [columns]
    event_time = "InvoiceDate"
    user_id = "CustomerID"
    [constants]
    event_type = "purchase"
    [defaults]
    currency = "EUR"
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tools.errors import EngineInputError
from tools.events.countries import country_code
from tools.events.schema import CHANNELS, EVENT_REQUIRED, EVENT_TYPES, EVENTS

CANONICAL: tuple[str, ...] = tuple(EVENTS.names)
LINE_TOTAL = "amount"  # a line's total (price x quantity): mapped instead of price, the unit price is derived
MAPPABLE: tuple[str, ...] = (*CANONICAL, LINE_TOTAL)
EPOCH_FORMATS: tuple[str, ...] = ("epoch_s", "epoch_ms", "epoch_us")
_TOML_KEYS = ("columns", "constants", "defaults", "time_format", "source_tz", "place_tz", "key")


class IngestError(EngineInputError):
    """A file cannot be ingested as asked (unreadable, missing column, bad mapping); the message says the
    fix."""


def _check_canonical(names: object, what: str) -> None:
    for name in names:  # type: ignore[attr-defined]
        if name not in MAPPABLE:
            raise IngestError(
                f"Unknown canonical column {name!r} in {what}. Canonical columns: {', '.join(CANONICAL)}, "
                f"and {LINE_TOTAL} (a line total, instead of price)."
            )


def _check_constant(name: str, value: str) -> None:
    """Reject a constant that would fail every row, before reading anything."""
    if name == "event_type" and value.strip().lower() not in EVENT_TYPES:
        raise IngestError(f"event_type={value!r} is not an event type. Valid: {', '.join(EVENT_TYPES)}.")
    if name == "channel" and value.strip().lower() not in CHANNELS:
        raise IngestError(f"channel={value!r} is not a channel. Valid: {', '.join(CHANNELS)}.")
    if name == "country" and country_code(value) is None:
        raise IngestError(
            f"Unknown country {value!r}: give an ISO 3166 code or English name (e.g. DE, Germany)."
        )


def read_mapping_file(path: Path, valid_keys: tuple[str, ...] | list[str],
                      error: type[Exception]) -> dict:
    """A TOML mapping file's tables; a missing file, bad TOML or an unknown key raises `error` naming the file
    (and the valid keys)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise error(f"Mapping file {path} not found.") from missing
    except tomllib.TOMLDecodeError as bad:
        raise error(f"Mapping file {path} is not valid TOML: {bad}.") from bad
    unknown = sorted(set(data) - set(valid_keys))
    if unknown:
        raise error(f"Unknown key(s) {', '.join(unknown)} in {path}. Valid keys: {', '.join(valid_keys)}.")
    return data


@dataclass(frozen=True)
class ColumnMapping:
    """Source columns, constants and defaults for the canonical event columns, and how to read times."""

    columns: dict[str, str] = field(default_factory=dict)  # canonical -> source column
    constants: dict[str, str] = field(default_factory=dict)  # canonical -> value for every row
    defaults: dict[str, str] = field(
        default_factory=dict
    )  # canonical -> value where the source is null/blank
    time_format: str | None = None  # strptime format or one of EPOCH_FORMATS; None reads ISO 8601
    source_tz: str = "UTC"  # IANA zone for timestamps without an offset
    place_tz: str | None = None  # IANA zone of new places whose zone nothing else tells
    key: tuple[str, ...] = ()  # source columns identifying a row; empty: every mapped source column

    def __post_init__(self) -> None:
        _check_canonical(self.columns, "the column mapping (--map)")
        _check_canonical(self.constants, "the constants (--set)")
        _check_canonical(self.defaults, "the defaults (--default)")
        given = set(self.columns) | set(self.constants)
        if {"price", LINE_TOTAL} <= given:
            raise IngestError(
                f"Map either price (the unit price) or {LINE_TOTAL} (the line total), not both."
            )
        both = sorted(set(self.columns) & set(self.constants))
        if both:
            raise IngestError(
                f"{', '.join(both)} is both mapped to a column and set to a constant; keep one."
            )
        for name, value in self.constants.items():
            _check_constant(name, value)
        for name, value in self.defaults.items():
            _check_constant(name, value)
        if (
            self.time_format is not None
            and self.time_format not in EPOCH_FORMATS
            and "%" not in self.time_format
        ):
            raise IngestError(
                f"time_format {self.time_format!r} is neither a strptime format (e.g. '%Y-%m-%d %H:%M') nor "
                f"one of {', '.join(EPOCH_FORMATS)}."
            )
        for name, zone in (("source_tz", self.source_tz), ("place_tz", self.place_tz)):
            try:
                if zone is not None:
                    ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise IngestError(
                    f"{name} {zone!r} is not an IANA time zone (e.g. 'Europe/Paris')."
                ) from error

    @classmethod
    def from_toml(cls, path: Path | str) -> ColumnMapping:
        """Load a mapping file (see the module docstring for its form)."""
        path = Path(path)
        data = read_mapping_file(path, _TOML_KEYS, IngestError)
        return cls(
            columns={k: str(v) for k, v in data.get("columns", {}).items()},
            constants={k: str(v) for k, v in data.get("constants", {}).items()},
            defaults={k: str(v) for k, v in data.get("defaults", {}).items()},
            time_format=data.get("time_format"),
            source_tz=data.get("source_tz", "UTC"),
            place_tz=data.get("place_tz"),
            key=tuple(str(c) for c in data.get("key", ())),
        )

    @classmethod
    def from_flags(
        cls,
        maps: list[str] | tuple[str, ...] = (),
        sets: list[str] | tuple[str, ...] = (),
        defaults: list[str] | tuple[str, ...] = (),
        time_format: str | None = None,
        source_tz: str | None = None,
        place_tz: str | None = None,
        key: list[str] | tuple[str, ...] = (),
    ) -> ColumnMapping:
        """Build from CLI flags: `--map event_time=InvoiceDate`, `--set event_type=purchase`,
        `--default currency=EUR`, `--key OrderLine`."""
        return cls(
            columns=_pairs(maps, "--map"),
            constants=_pairs(sets, "--set"),
            defaults=_pairs(defaults, "--default"),
            time_format=time_format,
            source_tz=source_tz or "UTC",
            place_tz=place_tz,
            key=tuple(key),
        )

    def overridden_by(self, other: ColumnMapping) -> ColumnMapping:
        """This mapping with `other`'s entries winning (e.g. a preset refined by CLI flags)."""
        columns = {k: v for k, v in self.columns.items() if k not in other.constants} | other.columns
        constants = {k: v for k, v in self.constants.items() if k not in other.columns} | other.constants
        return replace(
            self,
            columns=columns,
            constants=constants,
            defaults=self.defaults | other.defaults,
            time_format=other.time_format or self.time_format,
            source_tz=other.source_tz if other.source_tz != "UTC" else self.source_tz,
            place_tz=other.place_tz or self.place_tz,
            key=other.key or self.key,
        )

    def resolved(self, source_columns: list[str], path: Path) -> ColumnMapping:
        """Add identity mappings for canonical columns the file has, then check every mapped column exists."""
        columns = dict(self.columns)
        for name in CANONICAL:
            if name not in columns and name not in self.constants and name in source_columns:
                columns[name] = name
        available = ", ".join(source_columns)
        for canonical, source in columns.items():
            if source not in source_columns:
                raise IngestError(
                    f"Column {source!r} (mapped to {canonical}) is not in {path}. Available columns: "
                    f"{available}."
                )
        for column in self.key:
            if column not in source_columns:
                raise IngestError(
                    f"Key column {column!r} (--key) is not in {path}. Available columns: {available}."
                )
        for name in EVENT_REQUIRED:
            if name not in columns and name not in self.constants and name not in self.defaults:
                raise IngestError(
                    f"Required column {name} is missing from {path}: map it (--map {name}=COLUMN) or set it "
                    f"(--set {name}=VALUE). Available columns: {available}."
                )
        return replace(self, columns=columns)

    def key_columns(self) -> tuple[str, ...]:
        """The source columns whose values identify a row: `key`, or every mapped one (in canonical order,
        so that an export with its columns reordered keeps its keys)."""
        if self.key:
            return self.key
        return tuple(dict.fromkeys(self.columns[name] for name in MAPPABLE if name in self.columns))

    def fingerprint(self) -> str:
        """A stable hash of the mapping (part of an ingest's identity)."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


def _pairs(items: list[str] | tuple[str, ...], flag: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise IngestError(
                f"{flag} {item!r} must look like canonical=value, e.g. {flag} event_type=purchase."
            )
        pairs[key.strip()] = value.strip()
    return pairs


@dataclass(frozen=True)
class Preset:
    """A named mapping for a known data set, with SQL it needs beyond renaming (written here, never by a
    model).

    `derive`: extra select-list expressions over the source rows (relation `src`), e.g. a derived event type;
    columns named `_...` are carried past validation. `expand`: a query over the validated rows (relation
    `accepted`: canonical columns plus the carried ones) returning canonical events, for sources whose one row
    is several events. `version` changes when the SQL does, so a file re-ingested under new rules is new.
    """

    name: str
    description: str
    mapping: ColumnMapping
    credit: str
    derive: str | None = None
    carry: tuple[str, ...] = ()
    expand: str | None = None
    version: int = 1
