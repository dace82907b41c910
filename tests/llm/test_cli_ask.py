"""`chronotope ask`: warms its role's prompt before answering and says on stderr what loading does."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from agent.answer import AgentAnswer
from chronotope.cli import app


class RecordingAgent:
    """An agent whose loading logs as the real one does, recording what `ask` asks of it."""

    def __init__(self) -> None:
        logging.getLogger("agent.llm.load").info("Loading some-model (cpu, float32)")
        self.calls: list[tuple[str, object]] = []

    def warm_up(self, roles: tuple[str, ...]) -> None:
        logging.getLogger("agent.llm.runtime").info("Read the stored KV cache of a 12-token prompt prefix")
        self.calls.append(("warm_up", roles))

    def ask(self, question: str, session) -> AgentAnswer:
        self.calls.append(("ask", session.role))
        return AgentAnswer(f"answer to {question}")


@pytest.mark.parametrize("role, extra", [("operator", []), ("customer", ["--user", "U000001"])])
def test_ask_warms_its_roles_prompt_and_says_what_loading_does_on_stderr(monkeypatch, role, extra):
    import chronotope.wiring

    agents: list[RecordingAgent] = []

    def build_agent() -> RecordingAgent:
        agents.append(RecordingAgent())
        return agents[-1]

    monkeypatch.setattr(chronotope.wiring, "build_agent", build_agent)
    result = CliRunner().invoke(app, ["ask", "which regions spike?", "--role", role, *extra])

    assert result.exit_code == 0, result.output
    assert agents[0].calls == [("warm_up", (role,)), ("ask", role)]
    assert "answer to which regions spike?" in result.stdout
    progress = result.stderr.splitlines()
    assert [line.split("] ", 1)[1] for line in progress] == [
        "Loading some-model (cpu, float32)",
        "Read the stored KV cache of a 12-token prompt prefix",
        "Answering",
    ]
    assert all(line.startswith("[") and "s] " in line for line in progress)  # each with the time since start
    assert logging.getLogger("agent").handlers == []  # and nothing is left printing after the command
