"""`chronotope data ...`: build the demo shop, ingest files, show what the store holds, compact it."""

from __future__ import annotations

from pathlib import Path

import typer

from chronotope.cli.app import app

data_app = typer.Typer(
    help="The event store: demo shop, file ingestion, summary, compaction.", no_args_is_help=True
)
app.add_typer(data_app, name="data")

StoreOption = typer.Option(None, "--store", help="Event store directory (default: from settings).")


def _open_store(store: Path | None):
    from agent.config import get_settings
    from tools.events.store import EventStore

    return EventStore(store if store is not None else get_settings().store_path)


def _fail(error: Exception, code: int = 2) -> None:
    """Print the error and exit: 2 for a usage error, 1 for data the command refused."""
    from rich.console import Console
    from rich.text import Text

    Console(stderr=True).print(Text(str(error), style="red"))
    raise typer.Exit(code)


@data_app.command()
def demo(
    events: int = typer.Option(1_000_000, "--events", help="Number of events to generate (>= 10,000)."),
    seed: int = typer.Option(7, help="Random seed; the same seed gives the same shop."),
    days: int = typer.Option(365, help="Days of history (>= 120), ending today."),
    store: Path | None = StoreOption,
) -> None:
    """Generate the seeded demo shop into the store (replacing earlier demo data); print what was planted."""
    from rich.console import Console

    from tools.events.simulate import DemoConfig, build_demo_shop

    try:
        config = DemoConfig(n_events=events, seed=seed, days=days)
    except ValueError as error:
        _fail(error)
    event_store = _open_store(store)
    truth = build_demo_shop(event_store, config, progress=True)
    console = Console()
    console.print(
        f"Demo shop: {truth.n_events:,} events from {truth.start} to {truth.end} in {event_store.root} "
        f"(seed {truth.seed})."
    )
    console.print(
        f"Planted: {len(truth.friday_spikes)} Friday-night spikes, {len(truth.trend_breaks)} trend breaks, "
        f"{len(truth.promotions)} promotions, {len(truth.launches)} launches, "
        f"{len(truth.fraud)} fraud cases, "
        f"{len(truth.volume_anomalies)} volume anomalies, {len(truth.complaint_waves)} complaint waves."
    )


@data_app.command()
def ingest(
    file: Path = typer.Argument(..., help="CSV, Parquet or JSONL file of events."),
    map_: list[str] = typer.Option(
        [], "--map", help="canonical=SOURCE column, e.g. --map event_time=InvoiceDate."
    ),
    set_: list[str] = typer.Option(
        [], "--set", help="canonical=VALUE for every row, e.g. --set event_type=purchase."
    ),
    default: list[str] = typer.Option([], "--default", help="canonical=VALUE where the source is empty."),
    map_file: Path | None = typer.Option(None, "--map-file", help="Mapping TOML file (flags refine it)."),
    preset: str | None = typer.Option(None, help="Importer preset: online-retail or online-shoppers."),
    file_format: str | None = typer.Option(
        None, "--format", help="csv, parquet or jsonl (default: from suffix)."
    ),
    time_format: str | None = typer.Option(None, help="strptime format or epoch_s/epoch_ms/epoch_us."),
    tz: str | None = typer.Option(None, help="IANA zone of timestamps without an offset (default UTC)."),
    places: Path | None = typer.Option(
        None, "--places",
        help="CSV of places with their zones (name, level, parent, country, time_zone) for places the shop's "
             "profile lacks.",
    ),
    place_tz: str | None = typer.Option(
        None, "--place-tz", help="IANA zone of new places that neither --places nor their country decides."
    ),
    sep: str | None = typer.Option(None, "--sep", help="CSV field separator, e.g. ';' (default: detected)."),
    decimal: str = typer.Option(".", "--decimal", help="Decimal mark of numbers written as text: . or ,"),
    thousands: str | None = typer.Option(
        None, "--thousands", help="Thousands separator of numbers written as text, e.g. . in 1.234,50"
    ),
    encoding: str = typer.Option("utf-8", "--encoding", help="CSV encoding: utf-8, utf-16 or latin-1."),
    no_header: bool = typer.Option(False, "--no-header", help="The CSV file has no header line."),
    columns: str | None = typer.Option(
        None, "--columns", help="Comma-separated names for the columns of a CSV file without a header."
    ),
    max_rejected: float | None = typer.Option(
        None, "--max-rejected",
        help="Share of rows (0 to 1) that may fail their checks; above it nothing is ingested "
             "[default: 0.05].",
    ),
    store: Path | None = StoreOption,
) -> None:
    """Ingest a file: map columns, validate rows, quarantine bad ones, commit atomically (idempotent).

    New places (countries, regions, cities) join the shop's profile with their zones; the report lists them.
    Map `amount` instead of `price` when the export gives line totals: the unit price is derived.
    """
    from rich.console import Console
    from rich.table import Table

    from tools.events.dialect import CsvDialect
    from tools.events.importers import get_preset
    from tools.events.ingest import ingest_file
    from tools.events.mapping import ColumnMapping, IngestError
    from tools.events.place_registration import read_places_file
    from tools.events.quarantine import IngestRejected

    try:
        names = tuple(name.strip() for name in columns.split(",")) if columns else ()
        dialect = CsvDialect(delimiter=sep, decimal=decimal, thousands=thousands, encoding=encoding,
                             header=not (no_header or names), column_names=names)
        flags = ColumnMapping.from_flags(map_, set_, default, time_format=time_format, source_tz=tz,
                                         place_tz=place_tz)
        mapping = ColumnMapping.from_toml(map_file).overridden_by(flags) if map_file else flags
        report = ingest_file(
            _open_store(store),
            file,
            mapping,
            preset=get_preset(preset) if preset else None,
            file_format=file_format,
            places=read_places_file(places) if places else (),
            dialect=dialect,
            progress=True,
            **({} if max_rejected is None else {"max_rejected": max_rejected}),
        )
    except IngestRejected as error:
        _fail(error, code=1)
    except IngestError as error:
        _fail(error)
    console = Console()
    console.print(report.summary())
    if report.already_ingested:
        return
    for line in report.places_added:
        console.print(f"  added {line}")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    table = Table(
        "rows read", "accepted", "rejected", "events written", "seconds", title=f"ingest {report.ingest_id}"
    )
    table.add_row(
        f"{report.rows_read:,}",
        f"{report.rows_accepted:,}",
        f"{report.rows_rejected:,}",
        f"{report.events_written:,}",
        f"{report.seconds:.2f}",
    )
    console.print(table)
    if report.reasons:
        reasons = Table("reason", "rows", title="rejected rows")
        for reason, count in sorted(report.reasons.items(), key=lambda kv: -kv[1]):
            reasons.add_row(reason, f"{count:,}")
        console.print(reasons)
        console.print(f"Quarantined rows (original values + reason): {report.quarantine_path}")


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
def info(
    top: int = typer.Option(10, help="How many places to list per level (country, region, city)."),
    store: Path | None = StoreOption,
) -> None:
    """What the store holds: events by type and by place at each level, date range, table sizes, ingests."""
    from rich.console import Console
    from rich.table import Table

    from tools.events.ingests import list_ingests

    event_store = _open_store(store)
    console = Console()
    with event_store.connect() as con:
        total, first, last = con.execute(
            "SELECT count(*), min(event_time), max(event_time) FROM events"
        ).fetchone()
        if not total:
            console.print(f"The store at {event_store.root} holds no events yet: try `chronotope data demo`.")
        else:
            span = f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC"
            console.print(f"{total:,} events from {span} in {event_store.root}.")
            by_type = Table("event type", "events", title="by type")
            for kind, n in con.execute(
                "SELECT event_type, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall():
                by_type.add_row(kind, f"{n:,}")
            console.print(by_type)
            for level in ("country", "region", "city"):
                known, rows = con.execute(
                    f"SELECT count(DISTINCT {level}) FROM events WHERE {level} IS NOT NULL"
                ).fetchone()[0], con.execute(
                    f"SELECT {level}, count(*) FROM events WHERE {level} IS NOT NULL "
                    "GROUP BY 1 ORDER BY 2 DESC LIMIT ?", [top]
                ).fetchall()
                if not known:
                    continue
                places = Table(level, "events", title=f"{known:,} {level} value(s); top {min(top, known)}")
                for name, n in rows:
                    places.add_row(str(name), f"{n:,}")
                console.print(places)
        sizes = event_store.disk_bytes()
        tables = Table("table", "rows", "MB on disk", title="tables")
        for name in ("events", "orders", "products", "reviews", "users"):
            rows = total if name == "events" else con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            tables.add_row(name, f"{rows:,}", f"{sizes[name] / 1e6:.1f}")
        console.print(tables)
    live = len(event_store.live_files())
    ingests = list_ingests(event_store)
    console.print(f"{live} live batch(es) awaiting compaction; {len(ingests)} file(s) ingested.")


@data_app.command()
def profile(
    as_json: bool = typer.Option(False, "--json", help="Print the stored profile as JSON."),
    store: Path | None = StoreOption,
) -> None:
    """The shop's profile: reporting currency and rates, week start, and its places with their zones."""
    from rich.console import Console
    from rich.table import Table

    shop = _open_store(store).profile()
    if as_json:
        typer.echo(shop.to_json())
        return
    console = Console()
    rates = ", ".join(f"1 {code} = {rate:.4g} {shop.currency}" for code, rate in sorted(shop.rates.items()))
    dated = f"; {len(shop.dated_rates)} dated rate(s)" if shop.dated_rates else ""
    money = f"reports in {shop.currency} ({rates or 'no other currencies'}{dated})"
    console.print(f"[bold]{shop.name}[/]: {money}; weeks start on {shop.week_start.capitalize()}.")
    if not shop.places:
        console.print("No places yet: ingest events with places (and `--places FILE` for their zones).")
        return
    places = Table("level", "places", "time zones", title="places")
    for level in shop.levels():
        members = shop.at_level(level)
        zones = sorted({p.tz for p in members})
        shown = ", ".join(zones[:4]) + (f" (+{len(zones) - 4} more)" if len(zones) > 4 else "")
        places.add_row(level, str(len(members)), shown)
    console.print(places)


@data_app.command()
def compact(
    merge: bool = typer.Option(
        True, "--merge/--live-only", help="Also merge dates split over several files."
    ),
    store: Path | None = StoreOption,
) -> None:
    """Fold live batches into the date partitions (and merge split partitions), atomically."""
    from rich.console import Console

    event_store = _open_store(store)
    before = len(event_store.event_files())
    moved = event_store.compact(merge_partitions=merge)
    Console().print(
        f"Compacted {moved:,} live event(s); event files {before:,} -> {len(event_store.event_files()):,}."
    )
