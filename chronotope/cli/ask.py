"""`chronotope ask` (one question, answer + tool trace) and `chronotope chat` (a REPL)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from chronotope.cli.app import app

if TYPE_CHECKING:
    from agent.graph import ShopAgent


def _session(role: str, user: str | None):
    from tools.registry import Session

    if role not in ("customer", "operator"):
        raise typer.BadParameter(f"role must be 'customer' or 'operator', got {role!r}.")
    if role == "customer" and not user:
        raise typer.BadParameter("A customer session needs --user (e.g. --user U000001).")
    return Session(role, user if role == "customer" else None)  # type: ignore[arg-type]


class _ElapsedHandler(logging.Handler):
    """Prints each record on stderr with the seconds since start-up."""

    def __init__(self, started: float):
        super().__init__(logging.INFO)
        self.started = started

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(f"[{time.perf_counter() - self.started:5.1f}s] {record.getMessage()}", err=True)


@contextmanager
def _progress_on_stderr() -> Iterator[None]:
    """Within it, what the agent and the model do while they load is said on stderr, with the time."""
    handler = _ElapsedHandler(time.perf_counter())
    loggers = [logging.getLogger(name) for name in ("agent", "chronotope", "tools")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(level)


def _ready_agent(role: str) -> ShopAgent:
    """The agent, with `role`'s prompt prefix warm (read from the warm cache after the first start); exits
    with what to do when the shop's store holds no events (every place would be "not one of this shop's")."""
    from agent.config import get_settings
    from chronotope.cli.app import fail
    from chronotope.prepare import store_has_events
    from chronotope.wiring import build_agent

    settings = get_settings()
    if not store_has_events(settings):
        fail(f"The shop's store at {settings.store_path} holds no events yet. Build the demo shop with "
             "'chronotope serve --prepare' (or 'make run'), or import your own data with 'chronotope data "
             "ingest FILE', then ask again.", code=1)
    agent = build_agent()
    agent.warm_up((role,))
    logging.getLogger("chronotope").info("Answering")
    return agent


def _print_answer(answer, show_trace: bool) -> None:
    from rich.console import Console
    from rich.panel import Panel

    console = Console()
    if show_trace:
        for step in answer.steps:
            status = "[green]done[/]" if step.status == "done" else "[red]error[/]"
            console.print(f"[dim]tool[/] {step.name}({json.dumps(step.arguments)}) {status} "
                          f"{step.duration_s:.2f}s")
            detail = step.output.summary if step.output else step.error
            console.print(f"  [dim]{detail}[/]")
    console.print(Panel(answer.text, title="answer", expand=False))
    console.print(
        f"[dim]{answer.latency_s:.1f}s{' (composed from tool results)' if answer.composed else ''}[/]"
    )


@app.command()
def ask(
    question: str = typer.Argument(..., help="The question."),
    role: str = typer.Option("operator", help="customer or operator."),
    user: str | None = typer.Option(None, help="Customer id for a customer session (e.g. U000001)."),
    trace: bool = typer.Option(True, "--trace/--no-trace", help="Print the tool calls."),
) -> None:
    """Ask one question; prints the answer and the tool trace (and on stderr, what loading does)."""
    session = _session(role, user)
    with _progress_on_stderr():
        answer = _ready_agent(session.role).ask(question, session)
    _print_answer(answer, trace)


@app.command()
def chat(
    role: str = typer.Option("operator", help="customer or operator."),
    user: str | None = typer.Option(None, help="Customer id for a customer session."),
) -> None:
    """An interactive chat in the terminal (empty line or Ctrl-D to quit)."""
    session = _session(role, user)
    with _progress_on_stderr():
        agent = _ready_agent(session.role)
    thread = uuid.uuid4().hex
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            break
        if not question:
            break
        _print_answer(agent.ask(question, session, thread_id=thread), True)
