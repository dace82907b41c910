"""The chat's Gradio events, wired the same way in the customer widget and the operator console: asking
(Enter, the send button, an example), retry, stop, and thumbs up/down. Each app states how its chat differs
in a `ChatWiring`: what else a finished turn updates, what a failed turn tells the user, what a thumb clears.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr  # only the Gradio apps import this module; `ui.app` imports them only when serving

from tools.registry import Role
from ui import chat_session
from ui.chat_registry import ChatSessions
from ui.chat_session import ChatInputError, ChatSession
from ui.conversations import ConversationError
from ui.notices import warning
from ui.services import AppServices

logger = logging.getLogger(__name__)


def _no_values(chat: ChatSession) -> tuple[Any, ...]:
    return ()


def _anyone(chat: ChatSession, credential: str | None) -> None:
    """Who the chat is for does not depend on a credential (the operator console: its sign-in decides)."""


@dataclass(frozen=True)
class ChatWiring:
    """One app's chat components, and what its chat does differently from the other app's."""

    role: Role
    chats: ChatSessions  # the app's chats, by browser session
    rated: gr.State  # (shown index, rating) of the answer last rated, for the feedback form
    chatbot: gr.Chatbot
    conversation: gr.Textbox  # hidden: the stored conversation's id, kept by the page to continue it later
    question: gr.Textbox
    send: gr.Button
    stop: gr.Button
    feedback_row: gr.Row  # the form a thumb opens (comment, and for operators a better answer)
    failure_note: Callable[[Exception], str]  # the warning a person reads when a turn fails
    close_feedback_after_turn: bool = False
    turn_outputs: tuple[Any, ...] = ()  # components a finished turn updates besides the chat
    turn_values: Callable[[ChatSession], tuple[Any, ...]] = _no_values  # their values, from the chat
    cleared_on_like: tuple[Any, ...] = ()  # fields a thumb empties as it opens the feedback form
    credential: Any | None = None  # an input every chat event passes to `authorise` (the customer's token)
    authorise: Callable[[ChatSession, str | None], None] = _anyone  # sets who the chat is for, each event


def agent_queue(concurrency_limit: int) -> dict[str, Any]:
    """Event options that queue a handler with every other agent run of the app (one model serves them)."""
    return {"concurrency_limit": concurrency_limit, "concurrency_id": "agent"}


def wire_chat(services: AppServices, wiring: ChatWiring, concurrency_limit: int) -> None:
    """Attach ask (public API `ask`), example, retry, stop and thumb events to the app's chat components."""
    w = wiring
    outputs = [w.question, w.chatbot, w.conversation, w.send, w.stop, *w.turn_outputs, w.feedback_row]
    given = [w.credential] if w.credential is not None else []
    kept = [w.conversation, *given]

    def chat_for(request: gr.Request | None, credential: str | None) -> ChatSession:
        chat = w.chats.get(request.session_hash if request else None)
        w.authorise(chat, credential)
        return chat

    def run(turn: Callable[[ChatSession], Iterator[ChatSession]], conversation: str | None,
            request: gr.Request | None, credential: str | None) -> Iterator[tuple[Any, ...]]:
        try:
            with w.chats.turn(request.session_hash if request else None) as state:
                w.authorise(state, credential)
                chat_session.resume(services.agent, services.conversations, state, conversation)
                yield from stream(turn(state), state)
        except ChatInputError as error:
            warning(str(error))

    def stream(turn: Iterator[ChatSession], state: ChatSession) -> Iterator[tuple[Any, ...]]:
        try:
            for current in turn:
                yield ("", current.shown, current.conversation_id, gr.update(visible=False),
                       gr.update(visible=True),
                       *(gr.update() for _ in w.turn_outputs), gr.update())
        except ChatInputError as error:
            warning(str(error))
        except Exception as error:
            # the app's boundary: log our bug, tell the person in words, keep the chat usable
            logger.exception("%s turn failed", w.role)
            chat_session.mark_failed(state)
            warning(w.failure_note(error))
        feedback = gr.update(visible=False) if w.close_feedback_after_turn else gr.update()
        yield (gr.update(), state.shown, state.conversation_id, gr.update(visible=True),
               gr.update(visible=False),
               *w.turn_values(state), feedback)

    def on_ask(text: str, conversation: str | None, credential: str | None = None,
               request: gr.Request = None) -> Iterator[tuple[Any, ...]]:  # type: ignore[assignment]
        yield from run(lambda state: chat_session.ask(services.agent, services.conversations, state, text),
                       conversation, request, credential)

    def on_example(data: gr.SelectData, conversation: str | None, credential: str | None = None,
                   request: gr.Request = None) -> Iterator[tuple[Any, ...]]:  # type: ignore[assignment]
        text = data.value["text"] if isinstance(data.value, dict) else str(data.value)
        yield from run(lambda state: chat_session.ask(services.agent, services.conversations, state, text),
                       conversation, request, credential)

    def on_retry(conversation: str | None, credential: str | None = None,
                 request: gr.Request = None) -> Iterator[tuple[Any, ...]]:  # type: ignore[assignment]
        yield from run(lambda state: chat_session.retry(services.agent, services.conversations, state),
                       conversation, request, credential)

    limits = agent_queue(concurrency_limit)
    events = [
        w.question.submit(on_ask, [w.question, *kept], outputs, api_name="ask", **limits),
        w.send.click(on_ask, [w.question, *kept], outputs, api_visibility="private", **limits),
        w.chatbot.example_select(on_example, kept, outputs, api_visibility="private", **limits),
        w.chatbot.retry(on_retry, kept, outputs, api_visibility="private", **limits),
    ]

    def on_stop(credential: str | None = None,
                request: gr.Request = None) -> tuple[Any, ...]:  # type: ignore[assignment]
        state = chat_for(request, credential)
        chat_session.mark_stopped(state)
        return state.shown, gr.update(visible=True), gr.update(visible=False)

    w.stop.click(on_stop, given, [w.chatbot, w.send, w.stop], cancels=events, api_visibility="private")

    def on_like(data: gr.LikeData, credential: str | None = None,
                request: gr.Request = None) -> tuple[Any, ...]:  # type: ignore[assignment]
        state = chat_for(request, credential)
        rating = "up" if data.liked in (True, "Like") else "down"
        index = data.index if isinstance(data.index, int) else data.index[0]
        try:
            chat_session.rate(services.conversations, state, index, rating)
        except (ChatInputError, ConversationError) as error:
            warning(str(error))
            return gr.update(visible=False), None, *(gr.update() for _ in w.cleared_on_like)
        return gr.update(visible=True), (index, rating), *(gr.update(value="") for _ in w.cleared_on_like)

    w.chatbot.like(on_like, given, [w.feedback_row, w.rated, *w.cleared_on_like], api_visibility="private")
