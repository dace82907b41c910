"""The conversation store: SQLite in WAL mode, feedback rules, and an export that `finetune` reads back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from agent.answer import AgentAnswer
from finetune.data import load_app_export
from tools.registry import ToolOutput, ToolStep
from ui.conversations import ConversationError, ConversationStore, turn_messages


def _answer(text: str = "Lombardy: 2.8x its baseline.") -> AgentAnswer:
    step = ToolStep("find_spikes", {"day": "Friday"}, "done", 0.2,
                    output=ToolOutput("find_spikes", "Lombardy: 2.8x."))
    return AgentAnswer(text=text, steps=[step])


def test_store_uses_write_ahead_logging(tmp_path: Path) -> None:
    ConversationStore(tmp_path / "app.db")
    with sqlite3.connect(tmp_path / "app.db") as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_turn_messages_are_question_tool_call_result_answer() -> None:
    messages = turn_messages("which regions spike?", _answer())
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "assistant"]
    assert messages[1]["tool_calls"][0]["function"] == {"name": "find_spikes", "arguments": {"day": "Friday"}}
    assert 'trust="data-only"' in messages[2]["content"] and messages[2]["name"] == "find_spikes"
    assert messages[3]["content"] == "Lombardy: 2.8x its baseline."


def test_export_round_trips_through_finetune_loader(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "app.db")
    liked = store.start("operator")
    liked_index = store.add_messages(liked, turn_messages("which regions spike?", _answer()))[-1]
    store.record_feedback(liked, liked_index, "up", comment="spot on")
    corrected = store.start("customer", "U000001")
    corrected_index = store.add_messages(corrected, turn_messages("return?", _answer("No.")))[-1]
    store.record_feedback(corrected, corrected_index, "down",
                          correction="Yes, within 30 days. [returns#window]")
    rejected = store.start("customer", "U000002")
    rejected_index = store.add_messages(rejected, turn_messages("hello", _answer("Bad answer.")))[-1]
    store.record_feedback(rejected, rejected_index, "down", comment="wrong")
    store.start("customer", "U000003")  # opened, never used: not exported

    out = tmp_path / "export.jsonl"
    assert store.export_jsonl(out) == 3
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0]["feedback"] == [{"message_index": liked_index, "rating": "up", "comment": "spot on"}]
    assert lines[0]["role"] == "operator" and lines[1]["role"] == "customer"

    dialogues, dropped = load_app_export(out)
    assert [d.conversation_id for d in dialogues] == [liked, corrected]
    assert dialogues[1].messages[-1]["content"] == "Yes, within 30 days. [returns#window]"
    assert dialogues[0].role == "operator" and dialogues[1].role == "customer"
    assert dropped["thumbs-down without correction"] == 1


def test_later_feedback_updates_rating_and_keeps_comment(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "app.db")
    conversation = store.start("customer", "U000001")
    index = store.add_messages(conversation, turn_messages("q", _answer()))[-1]
    store.record_feedback(conversation, index, "down", comment="too vague")
    store.record_feedback(conversation, index, "up")
    assert store.feedback(conversation) == [{"message_index": index, "rating": "up", "comment": "too vague"}]


def test_feedback_on_a_question_or_tool_call_is_refused(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "app.db")
    conversation = store.start("customer", "U000001")
    store.add_messages(conversation, turn_messages("q", _answer()))
    with pytest.raises(ConversationError, match="not an assistant answer"):
        store.record_feedback(conversation, 0, "up")  # the user's question
    with pytest.raises(ConversationError, match="not an assistant answer"):
        store.record_feedback(conversation, 1, "up")  # the tool call


def test_unknown_rating_and_unknown_conversation_are_refused(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "app.db")
    conversation = store.start("customer")
    index = store.add_messages(conversation, turn_messages("q", _answer()))[-1]
    with pytest.raises(ConversationError, match="Ratings: up, down"):
        store.record_feedback(conversation, index, "meh")  # type: ignore[arg-type]
    with pytest.raises(ConversationError, match="start one first"):
        store.add_messages("nope", [{"role": "user", "content": "hi"}])
    with pytest.raises(ConversationError, match="Roles: customer, operator"):
        store.start("admin")  # type: ignore[arg-type]


def test_drop_from_removes_a_retried_turn_and_its_feedback(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "app.db")
    conversation = store.start("operator")
    store.add_messages(conversation, turn_messages("first", _answer("one")))
    second = store.add_messages(conversation, turn_messages("second", _answer("two")))
    store.record_feedback(conversation, second[-1], "down")
    store.drop_from(conversation, second[0])
    assert [m["content"] for m in store.messages(conversation) if m["role"] == "user"] == ["first"]
    assert store.feedback(conversation) == []
    row = store.recent()[0]
    assert (row.messages, row.thumbs_down) == (4, 0)
