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
from ui.chat_session import ChatInputError, ChatSession
from ui.conversations import ConversationError
from ui.services import AppServices

logger = logging.getLogger(__name__)


def _no_values(chat: ChatSession) -> tuple[Any, ...]:
    return ()


@dataclass(frozen=True)
class ChatWiring:
    """One app's chat components, and what its chat does differently from the other app's."""

    role: Role
    chat: gr.State  # the ChatSession, made on first use (API clients never trigger a page load)
    rated: gr.State  # (shown index, rating) of the answer last rated, for the feedback form
    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    stop: gr.Button
    feedback_row: gr.Row  # the form a thumb opens (comment, and for operators a better answer)
    failure_note: Callable[[Exception], str]  # the warning a person reads when a turn fails
    close_feedback_after_turn: bool = False
    turn_outputs: tuple[Any, ...] = ()  # components a finished turn updates besides the chat
    turn_values: Callable[[ChatSession], tuple[Any, ...]] = _no_values  # their values, from the chat
    cleared_on_like: tuple[Any, ...] = ()  # fields a thumb empties as it opens the feedback form


def agent_queue(concurrency_limit: int) -> dict[str, Any]:
    """Event options that queue a handler with every other agent run of the app (one model serves them)."""
    return {"concurrency_limit": concurrency_limit, "concurrency_id": "agent"}


def wire_chat(services: AppServices, wiring: ChatWiring, concurrency_limit: int) -> None:
    """Attach ask (public API `ask`), example, retry, stop and thumb events to the app's chat components."""
    w = wiring
    outputs = [w.question, w.chatbot, w.chat, w.send, w.stop, *w.turn_outputs, w.feedback_row]

    def stream(turn: Iterator[ChatSession], state: ChatSession) -> Iterator[tuple[Any, ...]]:
        try:
            for current in turn:
                yield ("", current.shown, current, gr.update(visible=False), gr.update(visible=True),
                       *(gr.update() for _ in w.turn_outputs), gr.update())
        except ChatInputError as error:
            gr.Warning(str(error))
        except Exception as error:
            # the app's boundary: log our bug, tell the person in words, keep the chat usable
            logger.exception("%s turn failed", w.role)
            chat_session.mark_failed(state)
            gr.Warning(w.failure_note(error))
        feedback = gr.update(visible=False) if w.close_feedback_after_turn else gr.update()
        yield (gr.update(), state.shown, state, gr.update(visible=True), gr.update(visible=False),
               *w.turn_values(state), feedback)

    def on_ask(text: str, state: ChatSession | None) -> Iterator[tuple[Any, ...]]:
        state = chat_session.current(state, w.role)
        yield from stream(chat_session.ask(services.agent, services.conversations, state, text), state)

    def on_example(state: ChatSession | None, data: gr.SelectData) -> Iterator[tuple[Any, ...]]:
        state = chat_session.current(state, w.role)
        text = data.value["text"] if isinstance(data.value, dict) else str(data.value)
        yield from stream(chat_session.ask(services.agent, services.conversations, state, text), state)

    def on_retry(state: ChatSession | None) -> Iterator[tuple[Any, ...]]:
        state = chat_session.current(state, w.role)
        yield from stream(chat_session.retry(services.agent, services.conversations, state), state)

    limits = agent_queue(concurrency_limit)
    events = [
        w.question.submit(on_ask, [w.question, w.chat], outputs, api_name="ask", **limits),
        w.send.click(on_ask, [w.question, w.chat], outputs, api_visibility="private", **limits),
        w.chatbot.example_select(on_example, [w.chat], outputs, api_visibility="private", **limits),
        w.chatbot.retry(on_retry, [w.chat], outputs, api_visibility="private", **limits),
    ]

    def on_stop(state: ChatSession | None) -> tuple[Any, ...]:
        state = chat_session.current(state, w.role)
        chat_session.mark_stopped(state)
        return state.shown, state, gr.update(visible=True), gr.update(visible=False)

    w.stop.click(on_stop, [w.chat], [w.chatbot, w.chat, w.send, w.stop], cancels=events,
                 api_visibility="private")

    def on_like(state: ChatSession | None, data: gr.LikeData) -> tuple[Any, ...]:
        state = chat_session.current(state, w.role)
        rating = "up" if data.liked in (True, "Like") else "down"
        index = data.index if isinstance(data.index, int) else data.index[0]
        try:
            chat_session.rate(services.conversations, state, index, rating)
        except (ChatInputError, ConversationError) as error:
            gr.Warning(str(error))
            return gr.update(visible=False), None, *(gr.update() for _ in w.cleared_on_like)
        return gr.update(visible=True), (index, rating), *(gr.update(value="") for _ in w.cleared_on_like)

    w.chatbot.like(on_like, [w.chat], [w.feedback_row, w.rated, *w.cleared_on_like], api_visibility="private")
