"""The root Typer app that command modules register on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="chronotope",
    help="A local LLM agent for an online shop: analytics over spatio-temporal events, "
         "a knowledge base, apps.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
