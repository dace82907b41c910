"""`chronotope ask`: warms its role's prompt before answering and says on stderr what loading does; on a store
without events it says how to get some instead of answering "'Bavaria' is not one of this shop's places"."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from agent.answer import AgentAnswer
from agent.config import get_settings
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
    monkeypatch.setattr("chronotope.prepare.store_has_events", lambda settings: True)
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


@pytest.mark.parametrize("command", [["ask", "How many orders did Bavaria get last week?"], ["chat"]])
def test_on_a_store_without_events_ask_and_chat_say_how_to_get_data_and_load_no_model(
        monkeypatch, tmp_path, command):
    import chronotope.wiring

    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    built: list[RecordingAgent] = []
    monkeypatch.setattr(chronotope.wiring, "build_agent", lambda: built.append(RecordingAgent()))
    try:
        result = CliRunner().invoke(app, command)
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "holds no events yet" in said and str(tmp_path / "empty") in said
    assert "chronotope serve --prepare" in said and "chronotope data ingest FILE" in said
    assert built == []  # nothing loaded a model for a shop with nothing to say
