"""A chat model that replays scripted replies, to test the agent loop without a real model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

Reply = AIMessage | Callable[[list[BaseMessage]], AIMessage]


class ScriptedChatModel(BaseChatModel):
    """Returns the scripted replies in order; records every prompt, its invocation kwargs, the tools bound
    and the tool_choice of each binding."""

    replies: list[Any]
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    invocation_kwargs: list[dict[str, Any]] = Field(default_factory=list)
    bound_tools: list[list[dict]] = Field(default_factory=list)
    tool_choices: list[Any] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: list[dict], **kwargs: Any) -> ScriptedChatModel:
        self.bound_tools.append(tools)
        self.tool_choices.append(kwargs.get("tool_choice"))
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.prompts.append(list(messages))
        self.invocation_kwargs.append(kw)
        reply = self.replies.pop(0)
        message = reply(messages) if callable(reply) else reply
        return ChatResult(generations=[ChatGeneration(message=message)])


class LocalScriptedChatModel(ScriptedChatModel):
    """The scripted model as a local one: it carries a runtime, so the agent passes it `ReplyControls`."""

    runtime: Any = Field(default_factory=object)


def call(name: str, **args: Any) -> AIMessage:
    """An AIMessage that calls one tool."""
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call_{name}", "type": "tool_call"}])
