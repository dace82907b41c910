"""`chronotope data ...`: build the demo shop, ingest files, show what the store holds, compact it."""

from __future__ import annotations

from pathlib import Path

import typer

from chronotope.cli.app import STORE_OPTION, app, fail, open_store

data_app = typer.Typer(
    help="The event store: demo shop, file ingestion, summary, compaction.", no_args_is_help=True
)
app.add_typer(data_app, name="data")


@data_app.command()
def demo(
    events: int = typer.Option(1_000_000, "--events", help="Number of events to generate (>= 10,000)."),
    seed: int = typer.Option(7, help="Random seed; the same seed gives the same shop."),
    days: int = typer.Option(365, help="Days of history (>= 120), ending today."),
    store: Path | None = STORE_OPTION,
) -> None:
    """Generate the seeded demo shop into the store (replacing earlier demo data); print what was planted."""
    from rich.console import Console

    from tools.events.simulate import DemoConfig, build_demo_shop

    try:
        config = DemoConfig(n_events=events, seed=seed, days=days)
    except ValueError as error:
        fail(error)
    event_store = open_store(store)
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
def info(
    top: int = typer.Option(10, help="How many places to list per level (country, region, city)."),
    store: Path | None = STORE_OPTION,
) -> None:
    """What the store holds: events by type and by place at each level, date range, table sizes, ingests."""
    from rich.console import Console
    from rich.table import Table

    from tools.events.ingests import list_ingests

    event_store = open_store(store)
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
    store: Path | None = STORE_OPTION,
) -> None:
    """The shop's profile: reporting currency and rates, week start, and its places with their zones."""
    from rich.console import Console
    from rich.table import Table

    shop = open_store(store).profile()
    if as_json:
        typer.echo(shop.to_json())
        return
    console = Console()
    fixed = [f"1 {code} = {rate:.4g} {shop.currency}" for code, rate in sorted(shop.rates.items())]
    dated = [f"{len(shop.dated_rates)} dated rate(s)"] if shop.dated_rates else []
    money = f"reports in {shop.currency} ({'; '.join(fixed + dated) or 'no other currencies'})"
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
    store: Path | None = STORE_OPTION,
) -> None:
    """Fold live batches into the date partitions (and merge split partitions), atomically."""
    from rich.console import Console

    event_store = open_store(store)
    before = len(event_store.event_files())
    moved = event_store.compact(merge_partitions=merge)
    Console().print(
        f"Compacted {moved:,} live event(s); event files {before:,} -> {len(event_store.event_files()):,}."
    )
