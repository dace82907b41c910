"""One person's chat in an app: who they are (from sign-in), what the chat shows, and the conversation
stored for feedback and fine-tuning. Turns stream through the shared agent.

The `Session` handed to the agent is built here from the chat's role and signed-in user, never from what
anyone types: a customer's question cannot change whose orders the tools read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tools.registry import Role
from ui.chat_view import (
    activity_title,
    answer_markdown,
    answer_message,
    draft_message,
    pending_message,
    step_message,
    user_message,
)
from ui.conversations import ConversationStore, turn_messages

if TYPE_CHECKING:
    from agent.answer import AgentAnswer
    from agent.graph import ShopAgent
    from tools.registry import Session, ToolStep

MAX_QUESTION_CHARS = 2000


class ChatInputError(ValueError):
    """A question or feedback the chat cannot take; the message says what to do."""


@dataclass
class Turn:
    """Where one question's messages start, on screen and in the stored conversation."""

    question: str
    shown_from: int
    stored_from: int
    answer: str = ""  # the checked answer text, as the agent remembers it


@dataclass
class ChatSession:
    """The state of one browser session's chat (kept server-side by `ui.chat_registry.ChatSessions`)."""

    role: Role
    user_id: str | None = None
    conversation_id: str | None = None
    thread_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    shown: list[dict[str, Any]] = field(default_factory=list)  # the chatbot's messages
    answers: dict[int, int] = field(default_factory=dict)  # shown index of an answer -> stored index
    turns: list[Turn] = field(default_factory=list)
    last_answer: AgentAnswer | None = None

    def agent_session(self) -> Session:
        """Who the agent works for: the signed-in role and user, nothing from the chat text."""
        from tools.registry import Session

        return Session(self.role, self.user_id if self.role == "customer" else None)

    def sign_in(self, user_id: str | None) -> None:
        """Switch to another customer: a fresh chat, so nobody sees the previous customer's answers."""
        self.user_id = user_id
        self.reset()

    def reset(self) -> None:
        """Start a new conversation (the stored one stays for export)."""
        self.conversation_id = None
        self.thread_id = uuid.uuid4().hex
        self.shown, self.answers, self.turns, self.last_answer = [], {}, [], None


def ask(
    agent: ShopAgent, store: ConversationStore, chat: ChatSession, question: str
) -> Iterator[ChatSession]:
    """Run one turn, yielding the chat after each streamed change; the turn is stored once answered."""
    question = (question or "").strip()
    if not question:
        raise ChatInputError("Type a question first.")
    if len(question) > MAX_QUESTION_CHARS:
        raise ChatInputError(
            f"Questions are limited to {MAX_QUESTION_CHARS} characters; shorten it a little."
        )
    if chat.conversation_id is None:
        chat.conversation_id = store.start(chat.role, chat.user_id)
    turn = Turn(question, len(chat.shown), _stored_length(store, chat))
    chat.shown.append(user_message(question))
    steps: list[dict[str, Any]] = []
    pending = pending_message("Thinking..." if chat.role == "operator" else "One moment...")
    draft = ""

    def render(tail: list[dict[str, Any]]) -> None:
        chat.shown[turn.shown_from + 1:] = steps + tail

    render([pending])
    yield chat
    answer: AgentAnswer | None = None
    for event in agent.stream(question, chat.agent_session(), chat.thread_id):
        if event.kind == "token":
            draft += event.token
            render([draft_message(draft)])
        elif event.kind == "step" and event.step is not None:
            draft = ""  # text before a tool call was the model thinking aloud, not the answer
            if chat.role == "operator":
                steps.append(step_message(event.step))
            pending = pending_message(activity_title(event.step.name, chat.role))
            render([pending])
        elif event.kind == "answer":
            answer = event.answer
        yield chat
    if answer is None:  # pragma: no cover - the agent's stream always ends with an answer
        raise RuntimeError("The agent stopped without an answer.")
    render([answer_message(answer, with_cards=True)])
    stored = store.add_messages(chat.conversation_id, turn_messages(question, answer))
    chat.answers[len(chat.shown) - 1] = stored[-1]
    turn.answer = answer.text
    chat.turns.append(turn)
    chat.last_answer = answer
    yield chat


def resume(
    agent: ShopAgent, store: ConversationStore, chat: ChatSession, conversation_id: str | None
) -> None:
    """Continue a stored conversation in a chat that has none yet (the server restarted, or the chat left
    memory): its turns come back on screen and into the agent's memory. Only a conversation of the chat's
    own role and user is taken; any other id is ignored."""
    if not conversation_id or chat.conversation_id is not None or chat.turns:
        return
    if store.owner(conversation_id) != (chat.role, chat.user_id):
        return
    chat.conversation_id = conversation_id
    for stored_from, question, answer, answer_index in _stored_turns(store.messages(conversation_id)):
        chat.turns.append(Turn(question, len(chat.shown), stored_from, answer))
        chat.shown += [user_message(question), {"role": "assistant", "content": answer_markdown(answer, [])}]
        chat.answers[len(chat.shown) - 1] = answer_index
    agent.remember(chat.agent_session(), chat.thread_id, [(t.question, t.answer) for t in chat.turns])


def _stored_turns(messages: list[dict[str, Any]]) -> Iterator[tuple[int, str, str, int]]:
    """(index of the question, question, answer, index of the answer) of each answered turn."""
    start, question = 0, None
    for index, message in enumerate(messages):
        if message["role"] == "user":
            start, question = index, message["content"]
        elif message["role"] == "assistant" and not message.get("tool_calls") and question is not None:
            yield start, question, message["content"], index
            question = None


def retry(agent: ShopAgent, store: ConversationStore, chat: ChatSession) -> Iterator[ChatSession]:
    """Ask the last question again, replacing its answer on screen and in the stored conversation."""
    if not chat.turns:
        raise ChatInputError("There is no answer to retry yet; ask a question first.")
    turn = chat.turns.pop()
    del chat.shown[turn.shown_from:]
    chat.answers = {shown: stored for shown, stored in chat.answers.items() if shown < turn.shown_from}
    if chat.conversation_id is not None:
        store.drop_from(chat.conversation_id, turn.stored_from)
    # The agent keeps its own memory per thread: a new thread holding only the kept turns keeps the rejected
    # answer (and any stopped or failed question after it) out of the prompt, and the earlier turns in it.
    agent.forget(chat.agent_session(), chat.thread_id)
    chat.thread_id = uuid.uuid4().hex
    agent.remember(chat.agent_session(), chat.thread_id,
                   [(kept.question, kept.answer) for kept in chat.turns])
    yield from ask(agent, store, chat, turn.question)


def rate(
    store: ConversationStore,
    chat: ChatSession,
    shown_index: int,
    rating: Literal["up", "down"],
    comment: str | None = None,
    correction: str | None = None,
) -> int:
    """Record feedback on the answer shown at `shown_index`; returns its stored message index."""
    stored = chat.answers.get(shown_index)
    if stored is None or chat.conversation_id is None:
        raise ChatInputError("Only answers can be rated; use the thumbs under an answer.")
    store.record_feedback(chat.conversation_id, stored, rating, comment=comment, correction=correction)
    return stored


def mark_stopped(chat: ChatSession) -> None:
    """Replace the spinner of an interrupted turn by a note (an interrupted turn is not stored)."""
    _replace_pending(chat, "Stopped", "You stopped this answer.")


def mark_failed(chat: ChatSession) -> None:
    """Replace the spinner of a turn that failed by a note (a failed turn is not stored)."""
    _replace_pending(chat, "Not answered", "Something went wrong while answering; please try again.")


def _replace_pending(chat: ChatSession, title: str, note: str) -> None:
    for message in chat.shown:
        if (message.get("metadata") or {}).get("status") == "pending":
            message["metadata"] = {"title": title, "status": "done"}
            message["content"] = note


def run_tool(agent: ShopAgent, name: str, arguments: dict[str, Any], session: Session) -> ToolStep:
    """One tool call outside a chat (the alerts table), through the same registry, roles and timeout."""
    from tools.registry import run_step

    return run_step(agent.registry, name, arguments, session)


def _stored_length(store: ConversationStore, chat: ChatSession) -> int:
    return len(store.messages(chat.conversation_id)) if chat.conversation_id else 0
