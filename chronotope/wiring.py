"""Build the agent from settings: the chat model, the shop's tools, and the date the data runs to."""

from __future__ import annotations

import threading
from datetime import date

from langchain_core.language_models import BaseChatModel

from agent.config import Settings, get_settings
from agent.graph import ShopAgent

_lock = threading.Lock()
_agents: dict[int, ShopAgent] = {}


def data_date(settings: Settings) -> date:
    """The local date of the latest event in the store (today when the store is empty)."""
    from tools.events.store import EventStore

    latest = EventStore(settings.store_path).connect().execute("SELECT max(event_time) FROM events").fetchone()[0]
    return latest.date() if latest is not None else date.today()


def chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the agent runs on: the OpenAI-compatible server when one is set, else the local model."""
    server = settings.server_options()
    if server is not None:
        from agent.llm.openai_server import server_chat_model

        return server_chat_model(server)
    from agent.llm.chat_model import LocalChatModel

    return LocalChatModel.from_options(settings.model_options())


def build_agent(settings: Settings | None = None) -> ShopAgent:
    """One agent per settings object and process: the model is loaded once and shared by every session."""
    settings = settings or get_settings()
    with _lock:
        if id(settings) not in _agents:
            from tools.agent_tools import build_registry

            _agents[id(settings)] = ShopAgent(
                chat_model(settings),
                build_registry(settings),
                max_steps=settings.agent_max_steps,
                today=data_date(settings),
                draft_answers=bool(settings.draft_answers),
            )
        return _agents[id(settings)]
