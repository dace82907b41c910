"""`chronotope query`: run a geo-behaviour query from a spec file or from flags for the common cases.

    chronotope query --metric orders --group-by region --spike friday-night
    chronotope query --metric revenue --group-by category --period last_30_days
    chronotope query --metric orders --group-by region --compare week
    chronotope query --spec spec.json --json
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from chronotope.cli.app import app, fail

# --spike presets: name -> (days, hour_from, hour_to)
SPIKE_PRESETS: dict[str, tuple[list[str], int, int]] = {
    "friday-night": (["friday"], 20, 24),
    "saturday-night": (["saturday"], 20, 24),
    "weekend": (["saturday", "sunday"], 0, 24),
    "weekday-lunch": (["monday", "tuesday", "wednesday", "thursday", "friday"], 12, 14),
    "sunday-morning": (["sunday"], 8, 12),
}




def parse_spike(text: str) -> dict[str, Any]:
    """A spike comparison from a preset name ("friday-night") or "DAYS:FROM-TO" ("fri,sat:18-24")."""
    if text in SPIKE_PRESETS:
        days, hour_from, hour_to = SPIKE_PRESETS[text]
        return {"kind": "spike", "days_of_week": days, "hour_from": hour_from, "hour_to": hour_to}
    try:
        days, hours = text.split(":")
        hour_from, hour_to = (int(h) for h in hours.split("-"))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is neither a preset ({', '.join(SPIKE_PRESETS)}) nor DAYS:FROM-TO such as "
            "fri,sat:18-24."
        ) from None
    return {"kind": "spike", "days_of_week": days.split(","), "hour_from": hour_from, "hour_to": hour_to}


def spec_from_flags(**flags: Any) -> dict[str, Any]:
    """The spec dict the flags describe (validated later, with the engine's own messages)."""
    filters: dict[str, Any] = {}
    for name in ("period", "date_from", "date_to", "regions", "countries", "cities", "categories", "channels",
                 "days_of_week"):
        if flags.get(name):
            filters[name] = flags[name]
    if flags.get("hours"):
        try:
            filters["hour_from"], filters["hour_to"] = (int(h) for h in flags["hours"].split("-"))
        except ValueError:
            raise typer.BadParameter("--hours takes FROM-TO local hours such as 20-24, "
                                     f"got {flags['hours']!r}.") from None
    spec: dict[str, Any] = {"metric": flags["metric"], "group_by": flags.get("group_by") or [],
                            "filters": filters}
    comparisons = [c for c in ("spike", "compare", "share") if flags.get(c)]
    if len(comparisons) > 1:
        raise typer.BadParameter("Use at most one of --spike, --compare and --share.")
    if flags.get("spike"):
        spec["comparison"] = parse_spike(flags["spike"])
        if flags.get("min_support") is not None:
            spec["comparison"]["min_support"] = flags["min_support"]
    elif flags.get("compare"):
        spec["comparison"] = {"kind": "period_over_period", "shift": flags["compare"]}
    elif flags.get("share"):
        spec["comparison"] = {"kind": "share_of_total"}
    for name in ("order_by", "top_k"):
        if flags.get(name) is not None:
            spec[name] = flags[name]
    if flags.get("ascending"):
        spec["order"] = "asc"
    return spec


@app.command("query")
def query(
    spec_file: Path | None = typer.Option(None, "--spec", help="A QuerySpec as JSON (see --schema)."),
    metric: str | None = typer.Option(None, help="orders, revenue, units, sessions, conversion_rate, ..."),
    group_by: list[str] = typer.Option([], "--group-by", help="region, city, country, category, product, "
                                       "channel, hour_of_day, day_of_week, day, week, month (repeatable)."),
    period: str | None = typer.Option(None, help="last_7_days, last_30_days, this_week, last_week, ..."),
    date_from: str | None = typer.Option(None, "--from", help="First local date, YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Last local date, YYYY-MM-DD."),
    region: list[str] = typer.Option([], help="Keep only these regions (repeatable)."),
    country: list[str] = typer.Option([], help="Keep only these countries (repeatable)."),
    city: list[str] = typer.Option([], help="Keep only these cities (repeatable)."),
    category: list[str] = typer.Option([], help="Keep only these categories (repeatable)."),
    channel: list[str] = typer.Option([], help="Keep only these channels (repeatable)."),
    day: list[str] = typer.Option([], "--day", help="Keep only these local weekdays (repeatable)."),
    hours: str | None = typer.Option(None, help="Local hour range FROM-TO, e.g. 20-24."),
    spike: str | None = typer.Option(None, help=f"Spike window: {', '.join(SPIKE_PRESETS)} or DAYS:FROM-TO."),
    min_support: int | None = typer.Option(None, help="Spike: least window events for a group to be ranked."),
    compare: str | None = typer.Option(None, help="Period over period: week, year or previous."),
    share: bool = typer.Option(False, help="Each group's share of the total."),
    order_by: str | None = typer.Option(None, help="Output column to rank by."),
    ascending: bool = typer.Option(False, "--asc", help="Smallest first."),
    top_k: int | None = typer.Option(None, "--top", help="Keep the first N rows."),
    backend: str = typer.Option("duckdb", help="duckdb or spark."),
    no_cache: bool = typer.Option(False, "--no-cache",
                                  help="DuckDB over the Parquet files, not the query cache."),
    as_json: bool = typer.Option(False, "--json", help="Print the spec, summary and rows as JSON."),
    show_sql: bool = typer.Option(False, "--sql", help="Also print the SQL ibis generated."),
    schema: bool = typer.Option(False, "--schema", help="Print the QuerySpec JSON schema and exit."),
    store: Path | None = typer.Option(None, "--store",
                                      help="Event store directory (default: from settings)."),
) -> None:
    """Answer a geo-behaviour question, e.g. which regions spike on Friday night (local time)."""
    import json

    from rich.console import Console
    from rich.table import Table

    from agent.config import get_settings
    from tools.events.store import EventStore
    from tools.query import QuerySpec, QuerySpecError, QueryTimeout, parse_spec, run_query

    console = Console()
    if schema:
        console.print_json(json.dumps(QuerySpec.model_json_schema()))
        return
    try:
        if spec_file is not None:
            spec = parse_spec(spec_file.read_text(encoding="utf-8"))
        elif metric is not None:
            spec = parse_spec(spec_from_flags(
                metric=metric, group_by=group_by, period=period, date_from=date_from, date_to=date_to,
                regions=region, countries=country, cities=city, categories=category, channels=channel,
                days_of_week=day, hours=hours, spike=spike, min_support=min_support, compare=compare,
                share=share, order_by=order_by, ascending=ascending, top_k=top_k,
            ))
        else:
            raise typer.BadParameter("Give --spec FILE or at least --metric (see --help).")
        event_store = EventStore(store if store is not None else get_settings().store_path)
        if not event_store.has_events():
            fail(f"The store at {event_store.root} has no events yet; run `chronotope data demo` first.")
        result = run_query(event_store, spec, backend=backend, cache=not no_cache)
    except (QuerySpecError, QueryTimeout, OSError) as error:
        fail(str(error))
    if as_json:
        print(json.dumps({
            "spec": result.spec.brief(),
            "summary": result.summary(),
            "rows": json.loads(result.frame.to_json(orient="records", date_format="iso")),
            "truncated": result.truncated,
        }, indent=2))
        return
    console.print(result.summary(), markup=False)
    frame = result.frame
    if "lift" in frame.columns:  # the spike's key columns; --json has them all
        frame = frame[[*result.spec.group_by, "window_count", "baseline_count", "lift", "lift_lo",
                       "lift_hi", "z"]]
    table = Table(show_header=True, header_style="bold")
    for column in frame.columns:
        table.add_column(column, justify="left" if frame[column].dtype == object else "right")
    for row in frame.head(30).itertuples(index=False):
        table.add_row(*(f"{v:,.3f}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)
    if len(frame) > 30:
        console.print(f"... {len(frame) - 30} more rows (use --json for all).")
    console.print(f"[dim]{result.backend}, {result.elapsed_ms:,.0f} ms[/]")
    if show_sql:
        console.print(result.sql(), markup=False)
