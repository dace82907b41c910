"""`chronotope data sync postgresql://...`: bring a live database's new rows into the event store."""

from __future__ import annotations

from pathlib import Path

import typer

from chronotope.cli.app import STORE_OPTION, open_store
from chronotope.cli.data import data_app
from chronotope.cli.data_ingest import (
    CURRENCY_OPTION,
    DEFAULT_OPTION,
    KEY_OPTION,
    MAP_FILE_OPTION,
    MAP_OPTION,
    MAX_REJECTED_OPTION,
    PLACE_TZ_OPTION,
    PLACES_OPTION,
    SET_OPTION,
    TIME_FORMAT_OPTION,
    TZ_OPTION,
    ingest_errors,
    mapping_from_options,
    print_report,
)


@data_app.command()
def sync(
    url: str = typer.Argument(
        ..., help="postgresql://user@host:5432/database (the password from PGPASSWORD or ~/.pgpass is best)."
    ),
    table: str | None = typer.Option(None, "--table", help="Table to read (schema.table or table)."),
    query: str | None = typer.Option(None, "--query", help="Or one SELECT statement to read."),
    watermark: str | None = typer.Option(
        None, "--watermark",
        help="Column that grows with new rows (an update time or a serial id): each sync reads only rows at "
             "or past the last one's. Without it the whole source is read and stored rows are skipped.",
    ),
    map_: list[str] = MAP_OPTION,
    set_: list[str] = SET_OPTION,
    default: list[str] = DEFAULT_OPTION,
    map_file: Path | None = MAP_FILE_OPTION,
    time_format: str | None = TIME_FORMAT_OPTION,
    tz: str | None = TZ_OPTION,
    places: Path | None = PLACES_OPTION,
    place_tz: str | None = PLACE_TZ_OPTION,
    key: str | None = KEY_OPTION,
    currency: str | None = CURRENCY_OPTION,
    max_rejected: float | None = MAX_REJECTED_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Copy a PostgreSQL table's (or SELECT's) new rows into the store, with the same mapping, checks and
    quarantine as `data ingest`, in a read-only transaction. Run it from cron to keep the store current.

    Exit codes: 0 synced (or nothing new), 1 too many rows failed their checks (nothing stored), 2 the source,
    the mapping or the connection failed (nothing stored).
    """
    from rich.console import Console

    from tools.events.db_sync import DbSource, sync_postgres
    from tools.events.place_registration import read_places_file

    with ingest_errors():
        source = DbSource(url, table=table, query=query, watermark=watermark)
        mapping = mapping_from_options(map_, set_, default, map_file, time_format, tz, place_tz, key,
                                       currency)
        report = sync_postgres(
            open_store(store),
            source,
            mapping,
            places=read_places_file(places) if places else (),
            progress=True,
            **({} if max_rejected is None else {"max_rejected": max_rejected}),
        )
    Console().print(report.summary())
    if report.ingest is not None and not report.ingest.already_ingested:
        print_report(report.ingest)
