"""The chat model the agent runs on: the local model, or any OpenAI-compatible server (vLLM, llama.cpp).

Both are LangChain chat models with `bind_tools`, `invoke` and `stream`, so the agent is the same code
against either. Set `CHRONOTOPE_OPENAI_BASE_URL` and `CHRONOTOPE_OPENAI_MODEL` to use a server.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from agent.config import Settings, get_settings
from agent.llm.errors import ModelSourceError

SERVER_TIMEOUT_S = 300.0  # one completion on a busy CPU server can take minutes


def make_chat_model(settings: Settings | None = None) -> BaseChatModel:
    """`ChatOpenAI` against `settings.openai_base_url` when set, else the local `LocalChatModel`."""
    settings = settings or get_settings()
    if settings.openai_base_url:
        return openai_chat_model(settings)
    from agent.llm.chat_model import LocalChatModel

    return LocalChatModel.from_settings(settings)


def openai_chat_model(settings: Settings) -> BaseChatModel:
    """A greedy `ChatOpenAI` for an OpenAI-compatible server (`/v1/chat/completions` with tools)."""
    if not settings.openai_base_url:
        raise ModelSourceError(
            "No OpenAI-compatible server configured; set CHRONOTOPE_OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1)."
        )
    if not settings.openai_model:
        raise ModelSourceError(
            f"CHRONOTOPE_OPENAI_BASE_URL is {settings.openai_base_url} but no model name is set; set "
            f"CHRONOTOPE_OPENAI_MODEL to a model the server serves "
            f"(GET {settings.openai_base_url}/models lists them)."
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        temperature=0.0,
        max_completion_tokens=settings.max_new_tokens,
        max_retries=1,
        timeout=SERVER_TIMEOUT_S,
    )
