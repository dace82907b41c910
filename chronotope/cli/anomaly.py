"""`chronotope anomalies` (regional volume), `chronotope fraud` (+ `fraud label`), `chronotope complaints`."""

from __future__ import annotations

from pathlib import Path

import typer

from chronotope.cli.app import app, fail, open_store, state_dir

fraud_app = typer.Typer(help="Suspicious orders grouped into cases; label cases to teach the detector.")
app.add_typer(fraud_app, name="fraud")




def _state_dir(store: Path | None) -> Path:
    """The store's fraud labels, detector state and review-embedding cache (`app.state_dir`)."""
    from agent.config import get_settings

    return state_dir(store, get_settings().anomaly_path)




@app.command()
def anomalies(
    since: str = typer.Option("7d", help="Period before the latest event: 24h, 7d, 4w."),
    region: str | None = typer.Option(None, help="Only this region (name or ISO code, e.g. Bavaria, DE-BY)."),
    category: str | None = typer.Option(None, help="Only sessions touching this product category."),
    measure: str = typer.Option(
        "sessions", help="sessions, or sessions with one event type (purchase, login, ...)."
    ),
    store: Path | None = typer.Option(None, help="Event store directory (default: from settings)."),
) -> None:
    """Surges and outages of hourly traffic per region against its usual week."""
    from rich.console import Console
    from rich.table import Table

    from tools.anomaly import detect_volume_anomalies
    from tools.errors import EngineInputError

    try:
        report = detect_volume_anomalies(
            open_store(store), since=since, region=region, category=category, measure=measure
        )
    except EngineInputError as error:
        fail(error)
    console = Console()
    console.print(report.summary())
    if not report.frame.empty:
        table = Table("alert", "region", "kind", "start (UTC)", "hours", "observed", "expected", "severity")
        for row in report.frame.itertuples():
            table.add_row(
                row.alert_id,
                row.region,
                row.kind,
                f"{row.start:%Y-%m-%d %H:%M}",
                str(row.hours),
                f"{row.observed:,.0f}",
                f"{row.expected:,.1f}",
                f"{row.severity:.1f}",
            )
        console.print(table)


@fraud_app.callback(invoke_without_command=True)
def fraud(
    ctx: typer.Context,
    since: str = typer.Option(
        "7d", help="Orders placed in this period before the latest order: 24h, 7d, 4w."
    ),
    top: int = typer.Option(20, help="Cases to show."),
    store: Path | None = typer.Option(None, help="Event store directory (default: from settings)."),
) -> None:
    """Suspicious cases (orders linked by account or device), most risky first, with reasons."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    from tools.anomaly import AnomalyInputError, detect_fraud

    try:
        report = detect_fraud(open_store(store), since=since, state_dir=_state_dir(store))
    except AnomalyInputError as error:
        fail(error)
    console = Console()
    console.print(report.summary())
    if not report.frame.empty:
        table = Table("case", "risk", "status", "orders", "reasons")
        for row in report.frame.head(top).itertuples():
            table.add_row(
                row.case_id, f"{row.risk:.2f}", row.status, str(row.n_orders), "\n".join(row.reasons)
            )
        console.print(table)
        console.print("[dim]Label a case: chronotope fraud label CASE --fraud / --not-fraud[/]")


@fraud_app.command("label")
def fraud_label(
    case_id: str = typer.Argument(..., help="Case id from `chronotope fraud` (e.g. FC-D0013255)."),
    is_fraud: bool = typer.Option(..., "--fraud/--not-fraud", help="The operator's decision."),
    note: str = typer.Option("", help="Why (kept with the label)."),
    store: Path | None = typer.Option(None, help="Event store directory (default: from settings)."),
) -> None:
    """Record a fraud / not-fraud decision; later runs rank similar orders accordingly."""
    from rich.console import Console

    from tools.anomaly import AnomalyInputError, label_case

    try:
        label = label_case(_state_dir(store), case_id, is_fraud, note)
    except AnomalyInputError as error:
        fail(f"{error} If `chronotope fraud` ran with --store, pass the same --store here."
             if store is None else error)
    verdict = "fraud" if label.fraud else "not fraud"
    Console().print(f"Labelled {label.case_id} as {verdict} ({len(label.order_ids)} orders).")


@app.command()
def complaints(
    since: str = typer.Option("30d", help="Period before the latest review: 7d, 30d, 8w."),
    store: Path | None = typer.Option(None, help="Event store directory (default: from settings)."),
) -> None:
    """Complaint waves: products, categories or regions whose negative reviews rise above usual."""
    from rich.console import Console
    from rich.table import Table

    from agent.config import get_settings
    from chronotope.wiring import text_embedder
    from tools.anomaly import AnomalyInputError, detect_complaint_waves

    try:
        report = detect_complaint_waves(
            open_store(store), text_embedder(get_settings()), since=since, state_dir=_state_dir(store)
        )
    except AnomalyInputError as error:
        fail(error)
    console = Console()
    console.print(report.summary())
    if not report.frame.empty:
        table = Table("alert", "level", "what", "where", "from", "to", "negative", "usual", "topic")
        for row in report.frame.itertuples():
            what = row.product_id if row.level.startswith("product") else (row.category or "all")
            table.add_row(
                row.alert_id,
                row.level,
                str(what),
                str(row.region or "all"),
                f"{row.start:%Y-%m-%d}",
                f"{row.end:%Y-%m-%d}",
                f"{row.negatives}/{row.reviews}",
                f"{row.usual_share:.0%}",
                str(row.topic),
            )
        console.print(table)
