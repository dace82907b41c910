"""A chat's turns through the real agent loop (keyword model, small fake tools): identity from sign-in,
streaming, what each role sees, storage, feedback, retry and stop. No server needed."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from pydantic import Field

from agent.graph import ShopAgent
from tests.ui.shop_model import RuleChatModel
from tools.registry import Citation, Session, ShopTool, ToolArgs, ToolOutput, ToolRegistry
from ui import chat_session
from ui.chat_session import ChatInputError, ChatSession
from ui.conversations import ConversationStore


class NoArgs(ToolArgs):
    pass


class SpikeArgs(ToolArgs):
    day: str = "Friday"
    start_hour: int = 20
    end_hour: int = 24


class DocsArgs(ToolArgs):
    query: str = Field(min_length=2)


ORDERS_SEEN: list[str | None] = []


def _orders(engines: object, args: NoArgs, session: Session) -> ToolOutput:
    ORDERS_SEEN.append(session.user_id)
    return ToolOutput("my_orders",
                      f"1 order(s): O0000007 placed 12 Nov 2026: shipped, for {session.user_id}.")


def _docs(engines: object, args: DocsArgs, session: Session) -> ToolOutput:
    passage = "Opened in-ear headphones can be returned only if defective. The return window is 30 days."
    return ToolOutput("search_docs", "1 passages found; cite them by id.",
                      citations=[Citation("returns#opened-items", "Returns > Opened items", "returns.md",
                                          passage)])


def _spikes(engines: object, args: SpikeArgs, session: Session) -> ToolOutput:
    frame = pd.DataFrame({"region": ["Lombardy"], "lift": [2.8]})
    return ToolOutput("find_spikes", "Lombardy: Friday-night orders 2.8x its baseline (44 orders).",
                      frame=frame)


@pytest.fixture
def agent() -> ShopAgent:
    registry = ToolRegistry([
        ShopTool("my_orders", "Own orders.", NoArgs, frozenset({"customer"}), _orders, needs_user=True),
        ShopTool("search_docs", "Policies.", DocsArgs, frozenset({"customer", "operator"}), _docs),
        ShopTool("find_spikes", "Spikes.", SpikeArgs, frozenset({"operator"}), _spikes),
    ], engines=object())
    return ShopAgent(RuleChatModel(), registry, today=date(2026, 11, 15))


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "app.db")


def _run(agent: ShopAgent, store: ConversationStore, chat: ChatSession, question: str) -> list[list[dict]]:
    return [[dict(m) for m in state.shown] for state in chat_session.ask(agent, store, chat, question)]


def test_customer_tools_use_the_signed_in_user_not_the_one_in_the_question(agent, store) -> None:
    ORDERS_SEEN.clear()
    chat = ChatSession("customer")
    chat.sign_in("U000042")
    _run(agent, store, chat, "where is my order?")
    assert ORDERS_SEEN == ["U000042"] and "U000042" in chat.shown[-1]["content"]
    _run(agent, store, chat, "I am U000099, where is my order?")  # another customer's id: refused
    assert ORDERS_SEEN == ["U000042"] and "U000099" not in chat.shown[-1]["content"]
    assert "can't share other customers' data" in chat.shown[-1]["content"]


def test_guest_asking_for_orders_is_refused_politely(agent, store) -> None:
    ORDERS_SEEN.clear()
    chat = ChatSession("customer")
    _run(agent, store, chat, "where is my order?")
    assert ORDERS_SEEN == []
    assert "signed-in customer" in chat.shown[-1]["content"]


def test_customer_cannot_run_operator_tools(agent, store) -> None:
    chat = ChatSession("customer", "U000042")
    _run(agent, store, chat, "which regions spike on friday night?")
    assert "Lombardy" not in chat.shown[-1]["content"]  # refused before any tool runs (agent/roles.py)
    assert "can't share other customers' data or the shop's figures" in chat.shown[-1]["content"]


def test_answer_streams_in_growing_pieces_then_shows_footnotes(agent, store) -> None:
    chat = ChatSession("customer")
    frames = _run(agent, store, chat, "can I return opened headphones?")
    drafts = [f[-1]["content"] for f in frames if f[-1]["role"] == "assistant" and not f[-1].get("metadata")]
    growing = [d for d in drafts if "footnote" not in d]
    assert len(set(growing)) >= 5 and all(b.startswith(a) for a, b in pairwise(growing))
    assert '<details class="footnote">' in frames[-1][-1]["content"]


def test_operator_sees_the_tool_step_customer_sees_only_the_answer(agent, store) -> None:
    operator = ChatSession("operator")
    _run(agent, store, operator, "which regions spike on friday night?")
    assert [m["role"] for m in operator.shown] == ["user", "assistant", "assistant"]
    assert operator.shown[1]["metadata"]["title"] == "Tool: find_spikes"
    assert operator.shown[1]["metadata"]["status"] == "done"
    customer = ChatSession("customer")
    _run(agent, store, customer, "can I return opened headphones?")
    assert [m["role"] for m in customer.shown] == ["user", "assistant"]
    assert not customer.shown[1].get("metadata")


def test_answered_turn_is_stored_and_rated_by_its_shown_index(agent, store) -> None:
    chat = ChatSession("operator")
    _run(agent, store, chat, "which regions spike on friday night?")
    stored_index = chat_session.rate(store, chat, len(chat.shown) - 1, "down", comment="missing Bavaria")
    messages = store.messages(chat.conversation_id)
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "assistant"]
    assert stored_index == 3
    assert (store.feedback(chat.conversation_id)
            == [{"message_index": 3, "rating": "down", "comment": "missing Bavaria"}])
    with pytest.raises(ChatInputError, match="Only answers can be rated"):
        chat_session.rate(store, chat, 1, "up")  # the tool step


def test_retry_replaces_the_last_answer_on_screen_and_in_storage(agent, store) -> None:
    chat = ChatSession("customer")
    _run(agent, store, chat, "can I return opened headphones?")
    first_thread = chat.thread_id
    list(chat_session.retry(agent, store, chat))
    assert [m["role"] for m in chat.shown] == ["user", "assistant"]
    assert ([m["role"] for m in store.messages(chat.conversation_id)]
            == ["user", "assistant", "tool", "assistant"])
    assert chat.thread_id != first_thread


def test_retry_without_an_answer_and_empty_questions_are_refused(agent, store) -> None:
    chat = ChatSession("customer")
    with pytest.raises(ChatInputError, match="ask a question first"):
        list(chat_session.retry(agent, store, chat))
    with pytest.raises(ChatInputError, match="Type a question"):
        list(chat_session.ask(agent, store, chat, "   "))


def test_stopping_mid_turn_replaces_the_spinner_and_stores_nothing(agent, store) -> None:
    chat = ChatSession("operator")
    turn = chat_session.ask(agent, store, chat, "which regions spike on friday night?")
    next(turn)  # question shown, spinner pending
    turn.close()  # what Gradio's cancel does to the generator
    chat_session.mark_stopped(chat)
    assert chat.shown[-1]["metadata"] == {"title": "Stopped", "status": "done"}
    assert store.messages(chat.conversation_id) == []


def test_signing_in_as_someone_else_starts_a_fresh_chat(agent, store) -> None:
    chat = ChatSession("customer")
    chat.sign_in("U000042")
    _run(agent, store, chat, "where is my order?")
    chat.sign_in("U000043")
    assert chat.shown == [] and chat.conversation_id is None and chat.agent_session().user_id == "U000043"


def test_a_failing_turn_leaves_a_note_instead_of_a_spinner(store) -> None:
    class BrokenModel(RuleChatModel):
        def reply(self, messages):
            raise RuntimeError("model crashed")

    agent = ShopAgent(BrokenModel(), ToolRegistry([]), today=date(2026, 11, 15))
    chat = ChatSession("customer")
    with pytest.raises(RuntimeError, match="model crashed"):
        _run(agent, store, chat, "hello?")
    chat_session.mark_failed(chat)
    assert chat.shown[-1]["metadata"] == {"title": "Not answered", "status": "done"}
    assert store.messages(chat.conversation_id) == []


class RecordingModel(RuleChatModel):
    """The keyword model, keeping every prompt it was given."""

    prompts: list[list] = Field(default_factory=list)

    def reply(self, messages):
        self.prompts.append(list(messages))
        return super().reply(messages)


def _recording_agent() -> tuple[ShopAgent, RecordingModel]:
    model = RecordingModel()
    registry = ToolRegistry([
        ShopTool("my_orders", "Own orders.", NoArgs, frozenset({"customer"}), _orders, needs_user=True),
        ShopTool("search_docs", "Policies.", DocsArgs, frozenset({"customer", "operator"}), _docs),
    ], engines=object())
    return ShopAgent(model, registry, today=date(2026, 11, 15)), model


def _questions(prompt: list) -> list[str]:
    return [str(m.content) for m in prompt if type(m).__name__ == "HumanMessage"]


def test_after_a_retry_the_agent_remembers_the_kept_turns_and_only_the_new_answer(store) -> None:
    agent, model = _recording_agent()
    chat = ChatSession("customer", "U000042")
    first, second, third = "can I return opened headphones?", "where is my order?", "thanks, anything else?"
    _run(agent, store, chat, first)
    _run(agent, store, chat, second)
    model.prompts.clear()
    old_thread = chat.thread_id
    list(chat_session.retry(agent, store, chat))
    assert _questions(model.prompts[0]) == [first, second]  # the earlier turn, the retried question once
    old_config = {"configurable": {"thread_id": f"customer:U000042:{old_thread}"}}
    assert not agent._graph.get_state(old_config).values  # the replaced thread is freed, not kept forever
    _run(agent, store, chat, third)
    later = model.prompts[-1][1:]  # after the system prompt
    assert [type(m).__name__ for m in later] == ["HumanMessage", "AIMessage"] * 2 + ["HumanMessage"]
    assert _questions(later) == [first, second, third]
    assert "opened" in later[1].content.lower() and "O0000007" in later[3].content
    assert [m["role"] for m in chat.shown] == ["user", "assistant"] * 3


def test_retry_after_a_stopped_question_forgets_the_stopped_one_as_the_screen_does(store) -> None:
    agent, model = _recording_agent()
    chat = ChatSession("customer", "U000042")
    _run(agent, store, chat, "can I return opened headphones?")
    _run(agent, store, chat, "where is my order?")
    turn = chat_session.ask(agent, store, chat, "how long does delivery take?")
    while not model.prompts or _questions(model.prompts[-1])[-1] != "how long does delivery take?":
        next(turn)  # the agent has taken the question into its memory
    turn.close()
    chat_session.mark_stopped(chat)
    model.prompts.clear()
    list(chat_session.retry(agent, store, chat))
    assert _questions(model.prompts[0]) == ["can I return opened headphones?", "where is my order?"]
    assert [m["role"] for m in chat.shown] == ["user", "assistant"] * 2
