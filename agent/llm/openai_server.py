"""A chat model on an OpenAI-compatible server (vLLM, llama.cpp, ...): `ChatOpenAI`, greedy, with tools.

Like the local `LocalChatModel` it is a LangChain chat model with `bind_tools`, `invoke` and `stream`, so the
agent is the same code against either. Set `CHRONOTOPE_OPENAI_BASE_URL` and `CHRONOTOPE_OPENAI_MODEL` to use
a server (chronotope/wiring.py makes the choice).
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from agent.llm.errors import ModelSourceError
from agent.llm.options import ServerOptions

SERVER_TIMEOUT_S = 300.0  # one completion on a busy CPU server can take minutes


def server_chat_model(options: ServerOptions) -> BaseChatModel:
    """A greedy `ChatOpenAI` for the server at `options.base_url` (`/v1/chat/completions` with tools)."""
    if not options.model:
        raise ModelSourceError(
            f"CHRONOTOPE_OPENAI_BASE_URL is {options.base_url} but no model name is set; set "
            f"CHRONOTOPE_OPENAI_MODEL to a model the server serves "
            f"(GET {options.base_url}/models lists them)."
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=options.base_url,
        model=options.model,
        api_key=options.api_key,
        temperature=0.0,
        max_completion_tokens=options.max_tokens,
        max_retries=1,
        timeout=SERVER_TIMEOUT_S,
    )
