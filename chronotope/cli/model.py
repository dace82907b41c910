"""`chronotope model prepare` (join, verify, convert the offline model once) and `chronotope model info`."""

from __future__ import annotations

from typing import Annotated

import typer

from chronotope.cli.app import app

model_app = typer.Typer(help="The local LLM: prepare the offline weights, show what would be loaded.")
app.add_typer(model_app, name="model")


@model_app.command("prepare")
def prepare(
    model: Annotated[
        str | None,
        typer.Option("--model", help="Named model, local HF folder or hub id (default: settings.model)."),
    ] = None,
) -> None:
    """Join the model's parts, verify the sha256, convert to safetensors once (later runs are instant)."""
    from agent.config import get_settings
    from agent.llm.errors import ModelSourceError
    from agent.llm.sources import prepare_model

    settings = get_settings()
    try:
        source = prepare_model(model or settings.model, settings.model_cache_path, progress=True)
    except ModelSourceError as error:
        typer.secho(f"Error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from error
    typer.echo(f"{source.name}: ready ({source.kind}) at {source.location}")


@model_app.command("info")
def info() -> None:
    """Show the configured model, where its weights are, whether they are prepared, and the device."""
    from rich.console import Console
    from rich.table import Table

    from agent.config import get_settings
    from agent.llm.errors import ModelSourceError
    from agent.llm.sources import NAMED_MODELS, gguf_path, is_converted, resolve_source

    settings = get_settings()
    console = Console()
    if settings.openai_base_url:
        console.print(
            f"backend: OpenAI-compatible server {settings.openai_base_url} model={settings.openai_model}"
        )
    else:
        try:
            source = resolve_source(settings.model, settings.model_cache_path)
            console.print(f"model: {source.name} ({source.kind}) at {source.location}; ready: {source.ready}")
        except ModelSourceError as error:
            console.print(f"[red]model: {settings.model}: {error}[/]")
        console.print(
            f"adapter: {settings.adapter or '(none)'}; constrained decoding: {settings.constrained_decoding}"
        )
        console.print(f"device: {_device()}")
    table = Table("named model", "joined GGUF", "converted", "description")
    for name, spec in NAMED_MODELS.items():
        joined = gguf_path(spec, settings.model_cache_path)
        size = f"{joined.stat().st_size / 1e6:.0f} MB" if joined.is_file() else "-"
        table.add_row(
            name, size, "yes" if is_converted(spec, settings.model_cache_path) else "no", spec.description
        )
    console.print(table)
    console.print(f"cache: {settings.model_cache_path}")


def _device() -> str:
    from agent.llm.load import device_and_dtype

    device, dtype = device_and_dtype()
    return f"{device} ({str(dtype).removeprefix('torch.')})"
