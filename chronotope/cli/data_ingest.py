"""`chronotope data ingest|ingests|undo|presets`: bring files into the event store, list and undo ingests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from chronotope.cli.app import STORE_OPTION, fail, open_store
from chronotope.cli.data import data_app

if TYPE_CHECKING:
    from tools.events.ingests import IngestReport
    from tools.events.mapping import ColumnMapping


# The mapping options `data ingest` and `data sync` share.
MAP_OPTION = typer.Option([], "--map", help="canonical=SOURCE column, e.g. --map event_time=InvoiceDate.")
SET_OPTION = typer.Option([], "--set", help="canonical=VALUE for every row, e.g. --set event_type=purchase.")
DEFAULT_OPTION = typer.Option([], "--default", help="canonical=VALUE where the source is empty.")
MAP_FILE_OPTION = typer.Option(None, "--map-file", help="Mapping TOML file (flags refine it).")
TIME_FORMAT_OPTION = typer.Option(None, "--time-format", help="strptime format or epoch_s/epoch_ms/epoch_us.")
# How a CSV file is written (tools.events.dialect.CsvDialect); `forecast --file` reads files the same way.
SEP_OPTION = typer.Option(None, "--sep", help="CSV field separator, e.g. ';' (default: detected).")
DECIMAL_OPTION = typer.Option(".", "--decimal", help="Decimal mark of numbers written as text: . or ,")
THOUSANDS_OPTION = typer.Option(None, "--thousands",
                                help="Thousands separator of numbers written as text, e.g. . in 1.234,50")
ENCODING_OPTION = typer.Option("utf-8", "--encoding", help="CSV encoding: utf-8, utf-16 or latin-1.")
TZ_OPTION = typer.Option(None, "--tz", help="IANA zone of timestamps without an offset (default UTC).")
PLACES_OPTION = typer.Option(
    None, "--places",
    help="CSV of places with their zones (name, level, parent, country, time_zone) for places the shop's "
         "profile lacks.",
)
PLACE_TZ_OPTION = typer.Option(
    None, "--place-tz", help="IANA zone of new places that neither --places nor their country decides."
)
KEY_OPTION = typer.Option(
    None, "--key",
    help="Comma-separated source columns that identify a row (default: every mapped column); rows an "
         "earlier ingest stored are skipped.",
)
CURRENCY_OPTION = typer.Option(
    None, "--currency", help="ISO 4217 code of the amounts where the source names no currency, e.g. USD."
)
MAX_REJECTED_OPTION = typer.Option(
    None, "--max-rejected",
    help="Share of rows (0 to 1) that may fail their checks; above it nothing is ingested [default: 0.05].",
)


def mapping_from_options(
    map_: list[str], set_: list[str], default: list[str], map_file: Path | None, time_format: str | None,
    tz: str | None, place_tz: str | None, key: str | None, currency: str | None,
) -> ColumnMapping:
    """The column mapping the shared options describe (flags refine a mapping file)."""
    from tools.events.mapping import ColumnMapping

    defaults = [*default, f"currency={currency}"] if currency else default
    keys = [c.strip() for c in key.split(",") if c.strip()] if key else []
    flags = ColumnMapping.from_flags(map_, set_, defaults, time_format=time_format, source_tz=tz,
                                     place_tz=place_tz, key=keys)
    return ColumnMapping.from_toml(map_file).overridden_by(flags) if map_file else flags


@contextmanager
def ingest_errors() -> Iterator[None]:
    """Exit 1 when too many rows failed their checks (nothing stored), 2 for any other ingest error."""
    from tools.events.mapping import IngestError
    from tools.events.quarantine import IngestRejected

    try:
        yield
    except IngestRejected as error:
        fail(error, code=1)
    except IngestError as error:
        fail(error)


def print_report(report: IngestReport) -> None:
    """An ingest's places added, warnings, counts and rejection reasons."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for line in report.places_added:
        console.print(f"  added {line}")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    table = Table("rows read", "accepted", "rejected", "already stored", "events written", "seconds",
                  title=f"ingest {report.ingest_id}")
    table.add_row(f"{report.rows_read:,}", f"{report.rows_accepted:,}", f"{report.rows_rejected:,}",
                  f"{report.rows_skipped:,}", f"{report.events_written:,}", f"{report.seconds:.2f}")
    console.print(table)
    if report.reasons:
        reasons = Table("reason", "rows", title="rejected rows")
        for reason, count in sorted(report.reasons.items(), key=lambda kv: -kv[1]):
            reasons.add_row(reason, f"{count:,}")
        console.print(reasons)
        console.print(f"Quarantined rows (original values + reason): {report.quarantine_path}")


@data_app.command()
def ingest(
    file: Path = typer.Argument(..., help="CSV, Parquet or JSONL file of events."),
    map_: list[str] = MAP_OPTION,
    set_: list[str] = SET_OPTION,
    default: list[str] = DEFAULT_OPTION,
    map_file: Path | None = MAP_FILE_OPTION,
    preset: str | None = typer.Option(None, help="Importer preset: online-retail or online-shoppers."),
    file_format: str | None = typer.Option(
        None, "--format", help="csv, parquet or jsonl (default: from suffix)."
    ),
    time_format: str | None = TIME_FORMAT_OPTION,
    tz: str | None = TZ_OPTION,
    places: Path | None = PLACES_OPTION,
    place_tz: str | None = PLACE_TZ_OPTION,
    sep: str | None = SEP_OPTION,
    decimal: str = DECIMAL_OPTION,
    thousands: str | None = THOUSANDS_OPTION,
    encoding: str = ENCODING_OPTION,
    no_header: bool = typer.Option(False, "--no-header", help="The CSV file has no header line."),
    columns: str | None = typer.Option(
        None, "--columns", help="Comma-separated names for the columns of a CSV file without a header."
    ),
    key: str | None = KEY_OPTION,
    currency: str | None = CURRENCY_OPTION,
    max_rejected: float | None = MAX_REJECTED_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Ingest a file: map columns, validate rows, quarantine bad ones, commit atomically (idempotent).

    New places (countries, regions, cities) join the shop's profile with their zones; the report lists them.
    Map `amount` instead of `price` when the export gives line totals: the unit price is derived.
    """
    from rich.console import Console

    from tools.events.dialect import CsvDialect
    from tools.events.importers import get_preset
    from tools.events.ingest import ingest_file
    from tools.events.place_registration import read_places_file

    with ingest_errors():
        names = tuple(name.strip() for name in columns.split(",")) if columns else ()
        dialect = CsvDialect(delimiter=sep, decimal=decimal, thousands=thousands, encoding=encoding,
                             header=not (no_header or names), column_names=names)
        mapping = mapping_from_options(map_, set_, default, map_file, time_format, tz, place_tz, key,
                                       currency)
        report = ingest_file(
            open_store(store),
            file,
            mapping,
            preset=get_preset(preset) if preset else None,
            file_format=file_format,
            places=read_places_file(places) if places else (),
            dialect=dialect,
            progress=True,
            **({} if max_rejected is None else {"max_rejected": max_rejected}),
        )
    Console().print(report.summary())
    if not report.already_ingested:
        print_report(report)


@data_app.command()
def presets() -> None:
    """List the importer presets for the real data sets, with their credits."""
    from rich.console import Console
    from rich.table import Table

    from tools.events.importers import PRESETS

    table = Table("preset", "what", "data set credit")
    for preset in PRESETS.values():
        table.add_row(preset.name, preset.description, preset.credit)
    Console().print(table)


@data_app.command()
def ingests(store: Path | None = STORE_OPTION) -> None:
    """The files ingested into the store, oldest first, with what each stored (undo one with `data undo`)."""
    from rich.console import Console
    from rich.table import Table

    from tools.events.ingests import list_ingests

    reports = list_ingests(open_store(store))
    if not reports:
        Console().print("No files ingested yet (see `chronotope data ingest --help`).")
        return
    table = Table("ingest", "when (UTC)", "file", "accepted", "rejected", "already stored", "events")
    for r in reports:
        table.add_row(r.ingest_id, r.ingested_at.replace("T", " ")[:16], r.source_name,
                      f"{r.rows_accepted:,}", f"{r.rows_rejected:,}", f"{r.rows_skipped:,}",
                      f"{r.events_written:,}")
    Console().print(table)


@data_app.command()
def undo(
    ingest_id: str = typer.Argument(..., help="The ingest to remove (its id, or a unique start of it)."),
    store: Path | None = STORE_OPTION,
) -> None:
    """Remove one ingest's events, row keys, record and quarantine file in one atomic step."""
    from rich.console import Console

    from tools.events.ingests import undo_ingest
    from tools.events.mapping import IngestError

    try:
        record, removed = undo_ingest(open_store(store), ingest_id)
    except IngestError as error:
        fail(error)
    Console().print(
        f"Removed ingest {record.ingest_id} ({record.source_name}): {removed:,} events. Places it added "
        "stay in the shop's profile; ingesting the file again stores its rows again."
    )
