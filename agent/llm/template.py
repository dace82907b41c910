"""LangChain messages -> the model's own chat template, tools included (pure given a tokenizer)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.llm.tool_schema import prompt_tools
from agent.llm.wire_format import TOOL_TEMPLATE, wrap_call


def content_text(content: str | list[Any]) -> str:
    """The text of a message's content (LangChain allows a list of text/other blocks)."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def to_template_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """Convert messages to the role/content dicts chat templates read (tool calls with object arguments)."""
    converted: list[dict[str, Any]] = []
    for message in messages:
        text = content_text(message.content)
        if isinstance(message, SystemMessage):
            converted.append({"role": "system", "content": text})
        elif isinstance(message, HumanMessage):
            converted.append({"role": "user", "content": text})
        elif isinstance(message, AIMessage):
            converted.append(_assistant(message, text))
        elif isinstance(message, ToolMessage):
            converted.append(
                {"role": "tool", "content": text, "tool_call_id": message.tool_call_id, "name": message.name}
            )
        else:
            raise TypeError(
                f"Cannot render a {type(message).__name__} for a local model; use System, Human, AI or Tool "
                "messages."
            )
    return converted


def _assistant(message: AIMessage, text: str) -> dict[str, Any]:
    # A call the model botched is rendered as it wrote it, so a repair turn sees its own mistake.
    for bad in message.invalid_tool_calls:
        text = f"{text}\n{wrap_call(_raw_call(bad.get('args')))}".strip()
    rendered: dict[str, Any] = {"role": "assistant", "content": text}
    if message.tool_calls:
        rendered["tool_calls"] = [
            {
                "type": "function",
                "id": call.get("id"),
                "function": {"name": call["name"], "arguments": call["args"]},
            }
            for call in message.tool_calls
        ]
    return rendered


def _raw_call(args: str | None) -> str:
    """What the model wrote for a broken call (LocalChatModel stores it as a JSON string literal)."""
    try:
        raw = json.loads(args or "")
    except json.JSONDecodeError:
        return args or ""
    return raw if isinstance(raw, str) else args or ""


def tool_template(tokenizer: Any) -> str:
    """The tokenizer's own chat template when it can render tools, else Qwen2.5's official one (shipped)."""
    own = tokenizer.chat_template if isinstance(getattr(tokenizer, "chat_template", None), str) else None
    if own and "tools" in own:
        return own
    return TOOL_TEMPLATE.read_text()


def render_prompt(
    tokenizer: Any,
    messages: Sequence[BaseMessage],
    tools: Sequence[dict[str, Any]] | None = None,
    template: str | None = None,
) -> str:
    """The prompt text for the next assistant turn, with tool schemas in the template's own format."""
    return _render(tokenizer, messages, tools, template, add_generation_prompt=True)


def render_conversation(
    tokenizer: Any,
    messages: Sequence[BaseMessage],
    tools: Sequence[dict[str, Any]] | None = None,
    template: str | None = None,
) -> str:
    """The text of `messages` as they stand (no next turn opened), rendered exactly as `render_prompt`
    does."""
    return _render(tokenizer, messages, tools, template, add_generation_prompt=False)


def _render(
    tokenizer: Any,
    messages: Sequence[BaseMessage],
    tools: Sequence[dict[str, Any]] | None,
    template: str | None,
    add_generation_prompt: bool,
) -> str:
    return tokenizer.apply_chat_template(
        to_template_messages(messages),
        tools=prompt_tools(tools) if tools else None,
        chat_template=template or tool_template(tokenizer),
        add_generation_prompt=add_generation_prompt,
        tokenize=False,
    )
