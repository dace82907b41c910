"""The root Typer app that command modules register on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from tools.events.store import EventStore

app = typer.Typer(
    name="chronotope",
    help="A local LLM agent for an online shop: analytics over spatio-temporal events, "
         "a knowledge base, apps.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

STORE_OPTION = typer.Option(None, "--store", help="Event store directory (default: from settings).")


def open_store(store: Path | None) -> EventStore:
    """The event store at `store`, or the settings' one."""
    from agent.config import get_settings
    from tools.events.store import EventStore

    return EventStore(store if store is not None else get_settings().store_path)


def state_dir(store: Path | None, default: Path) -> Path:
    """Where a store's saved state (the recommender, fraud labels) lives: `default` (the settings' folder)
    for the settings' store, else a folder of the same name beside the store named, so that one shop's model
    or labels never answer for another."""
    from agent.config import get_settings

    if store is None or Path(store).resolve() == get_settings().store_path.resolve():
        return default
    return Path(store).resolve().parent / default.name


def fail(error: Exception | str, code: int = 2) -> NoReturn:
    """Print the error in red on stderr (as written: brackets are not markup) and exit: 2 for a usage
    error, 1 for data a command refused."""
    from rich.console import Console
    from rich.text import Text

    Console(stderr=True).print(Text(str(error), style="red"))
    raise typer.Exit(code)
