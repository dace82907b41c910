"""`chronotope ask` (one question, answer + tool trace) and `chronotope chat` (a REPL)."""

from __future__ import annotations

import json
import uuid

import typer

from chronotope.cli.app import app


def _session(role: str, user: str | None):
    from tools.registry import Session

    if role not in ("customer", "operator"):
        raise typer.BadParameter(f"role must be 'customer' or 'operator', got {role!r}.")
    if role == "customer" and not user:
        raise typer.BadParameter("A customer session needs --user (e.g. --user U000001).")
    return Session(role, user if role == "customer" else None)  # type: ignore[arg-type]


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
    """Ask one question; prints the answer and the tool trace."""
    from chronotope.wiring import build_agent

    session = _session(role, user)
    _print_answer(build_agent().ask(question, session), trace)


@app.command()
def chat(
    role: str = typer.Option("operator", help="customer or operator."),
    user: str | None = typer.Option(None, help="Customer id for a customer session."),
) -> None:
    """An interactive chat in the terminal (empty line or Ctrl-D to quit)."""
    from chronotope.wiring import build_agent

    session = _session(role, user)
    agent = build_agent()
    thread = uuid.uuid4().hex
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            break
        if not question:
            break
        _print_answer(agent.ask(question, session, thread_id=thread), True)
