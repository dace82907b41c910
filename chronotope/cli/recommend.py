"""`chronotope recommend`: recommendations with reasons, and `chronotope recommend train` to (re)train.

    chronotope recommend --user U000042 --region Lyon --at 2026-11-13T20:00 -n 10
    chronotope recommend --item P0232 [--region Bavaria]      # bought together + similar products
    chronotope recommend --session P0232,P0077                 # likeliest next products
    chronotope recommend --user U000042 --basket               # predicted next basket value
    chronotope recommend train [--until 2026-11-01] [--algorithm bpr]

Training uses whatever the events hold: parts that need a column the data lacks (prices for basket values,
places for regional favourites, sessions for next items) are skipped, and `train` says which and why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from chronotope.cli.app import app, fail, open_store, state_dir

recommend_app = typer.Typer(
    help="Product recommendations (ALS + space-time context, bought together, next item, basket value).",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(recommend_app, name="recommend")


def _store_and_settings(store: Path | None):
    """The event store, the settings, and the folder of the store's recommender versions."""
    from agent.config import get_settings

    settings = get_settings()
    return open_store(store), settings, state_dir(store, settings.recommender_path)




def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("--at takes an ISO time like 2026-11-13T20:00 (local to the region), "
                                 f"got {value!r}.")


def _show(result) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table("#", "product", "name", "category", "price", "score", "reason",
                  title=f"{result.title} [{result.strategy}]")
    for rank, row in enumerate(result.frame.itertuples(index=False), start=1):
        # What the catalogue does not say stays blank: never "None" or "nan".
        price = f"{row.price:,.2f} {result.currency or ''}".strip() if row.price is not None else ""
        table.add_row(str(rank), row.product_id, row.name if row.name != row.product_id else "",
                      row.category or "", price, f"{row.score:.3f}", row.reason)
    console.print(table)
    for note in result.notes:
        console.print(f"[yellow]{note}[/]")


@recommend_app.callback()
def recommend(
    ctx: typer.Context,
    user: str | None = typer.Option(None, help="Customer id (e.g. U000042): what to show them."),
    item: str | None = typer.Option(None,
                                    help="Product id (e.g. P0232): bought together and similar products."),
    session: str | None = typer.Option(None,
                                       help="Comma-separated product ids viewed so far: what comes next."),
    basket: bool = typer.Option(False, "--basket", help="With --user: predict their next basket value."),
    region: str | None = typer.Option(None, help="Region name or ISO code (default: the customer's home)."),
    at: str | None = typer.Option(None, help="Local time of the visit, ISO (default: now)."),
    n: int = typer.Option(10, "-n", "--n", help="How many products (1-100)."),
    store: Path | None = typer.Option(None, help="Event store directory (default: from settings)."),
) -> None:
    """Recommend for a customer, a product or a browsing session (trains a model first if none is saved)."""
    if ctx.invoked_subcommand is not None:
        return
    if not (user or item or session):
        raise typer.BadParameter("Give --user, --item or --session (or run `chronotope recommend train`).")
    from chronotope.wiring import text_embedder
    from tools.errors import EngineInputError
    from tools.recommend import Recommender

    event_store, settings, model_dir = _store_and_settings(store)
    try:
        recommender = Recommender.load_or_train(event_store, model_dir, text_embedder(settings),
                                                progress=True)
        if user and basket:
            prediction = recommender.predict_next_basket_value(user)
            from rich.console import Console

            Console().print(prediction.summary())
        elif user:
            _show(recommender.recommend_for_user(user, n=n, region=region, at=_time(at)))
        if item:
            _show(recommender.bought_together(item, n=n, region=region))
            _show(recommender.similar_to_item(item, n=n))
        if session:
            _show(recommender.next_items([p.strip() for p in session.split(",") if p.strip()], n=n))
    except (EngineInputError, ValueError) as error:
        fail(error)


@recommend_app.command()
def train(
    until: str | None = typer.Option(None, help="Train on events before this UTC time (ISO); default all."),
    algorithm: str = typer.Option("als", help="als or bpr."),
    factors: int | None = typer.Option(None, help="Latent factors (default: 24 for ALS, 64 for BPR)."),
    iterations: int | None = typer.Option(None, help="ALS sweeps or BPR epochs (default: 15 / 100)."),
    context_weight: float | None = typer.Option(
        None, help="0..1 weight of log local popularity vs ALS; default: chosen on validation."
    ),
    content: bool = typer.Option(True, "--content/--no-content",
                                 help="Embed product texts for new products."),
    store: Path | None = typer.Option(None, help="Event store directory (default: from settings)."),
) -> None:
    """Train every recommender model on the store and save a new version (prints metrics and timings)."""

    from pydantic import ValidationError
    from rich.console import Console

    from chronotope.wiring import text_embedder
    from tools.recommend import Recommender, RecommenderParams

    event_store, settings, model_dir = _store_and_settings(store)
    cutoff = _time(until)
    if cutoff is not None and cutoff.tzinfo is None:
        cutoff = cutoff.replace(tzinfo=UTC)
    try:
        params = RecommenderParams(until=cutoff, algorithm=algorithm, factors=factors, iterations=iterations,
                                   context_weight=context_weight, content_embeddings=content)
        recommender = Recommender.train(
            event_store, model_dir, text_embedder(settings) if content else None, params, progress=True
        )
    except (ValidationError, ValueError) as error:
        fail(error)
    manifest = recommender.manifest
    console = Console()
    console.print(f"saved recommender v{manifest.version} under {model_dir} "
                  f"({manifest.snapshot['n_events']:,} events up to {manifest.snapshot['last_event']})")
    for name, value in manifest.metrics.items():
        console.print(f"{name}: {value}")
    for name, seconds in manifest.timings_s.items():
        console.print(f"train_time_{name.replace(' ', '_')}: {seconds:.2f} s")
    for line in manifest.training_notes():
        console.print(f"[yellow]{line}[/]", soft_wrap=True)
