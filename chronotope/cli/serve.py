"""`chronotope serve` (both apps on one local server) and `chronotope export-conversations OUT.jsonl`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chronotope.cli.app import app


@app.command()
def serve(
    prepare: Annotated[
        bool,
        typer.Option("--prepare",
                     help="First build whatever is missing: demo data, index, model, recommender."),
    ] = False,
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on (default: settings.host, 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings.port, 7860).")] = None,
) -> None:
    """Serve the customer widget (/customer) and the operator console (/operator) and print their URLs."""
    from rich.console import Console

    from agent.config import get_settings
    from chronotope.cli.app import fail
    from chronotope.wiring import app_services, serve_options
    from ui.app import UnsafeServeOptions
    from ui.app import serve as run_server

    updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = get_settings().model_copy(update=updates)
    if not 1 <= settings.port <= 65535:
        raise typer.BadParameter(f"--port must be between 1 and 65535, got {settings.port}.")
    try:
        options = serve_options(settings)  # before anything is built: an unsafe exposure never starts
    except UnsafeServeOptions as error:
        fail(error)
    if prepare:
        from chronotope.prepare import prepare as run_prepare

        run_prepare(settings, Console())
        options = serve_options(settings)  # again: the demo shop it may have built enables the demo sign-in
    run_server(app_services(settings), options)


@app.command("export-conversations")
def export_conversations(
    out: Annotated[Path, typer.Argument(help="JSONL file to write (the format `finetune` reads).")],
) -> None:
    """Export both apps' conversations with their feedback as JSONL, one conversation a line."""
    from agent.config import get_settings
    from ui.conversations import ConversationStore

    settings = get_settings()
    if not settings.conversations_path.is_file():
        typer.secho(
            f"Error: no conversations yet ({settings.conversations_path} does not exist). "
            "Chat in the apps first (`chronotope serve`).",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(code=1)
    count = ConversationStore(settings.conversations_path).export_jsonl(out)
    typer.echo(f"Exported {count} conversation(s) to {out}")
