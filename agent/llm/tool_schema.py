"""Tools as the model sees them: OpenAI-style schemas, the `tool_choice` modes, argument validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from agent.llm.errors import ToolChoiceError
from tools.registry import GRAMMAR_ENUM, GRAMMAR_EXTRA, GRAMMAR_ONLY, SHOP_ALIASES, SHOP_SET

ToolLike = Any  # a LangChain BaseTool, a pydantic model class, a typed function, or an OpenAI-style dict
CHOICE_MODES = ("auto", "required", "none")


@dataclass(frozen=True)
class ToolChoice:
    """Normalized `tool_choice`: free choice, at least one call, no call, or one forced tool."""

    mode: Literal["auto", "required", "none", "forced"]
    name: str | None = None  # the forced tool


def to_openai_tools(tools: Sequence[ToolLike]) -> list[dict[str, Any]]:
    """Convert tools of any LangChain-accepted kind to `{"type": "function", "function": {...}}` dicts."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    return [convert_to_openai_tool(tool) for tool in tools]


def prompt_tools(tools: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tools as the prompt shows them: grammar-only enums, choices and properties (and shop-set marks)
    left out."""
    return [_rewrite(tool, drop_enum=True) for tool in tools]


def grammar_schema(parameters: dict[str, Any]) -> dict[str, Any]:
    """A tool's parameters as the grammar enforces them: grammar-only enums and choices become `enum`s."""
    return _rewrite(parameters, drop_enum=False)


def _rewrite(node: Any, drop_enum: bool) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, drop_enum) for item in node]
    if not isinstance(node, dict):
        return node
    marks = (GRAMMAR_ENUM, GRAMMAR_EXTRA, GRAMMAR_ONLY, SHOP_SET, SHOP_ALIASES)
    out = {key: _rewrite(value, drop_enum) for key, value in node.items() if key not in marks}
    hidden = [name for name, prop in node.get("properties", {}).items()
              if drop_enum and isinstance(prop, dict) and prop.get(GRAMMAR_ONLY)]
    if hidden:  # the prompt's schema: grammar-only properties left out
        out["properties"] = {k: v for k, v in out["properties"].items() if k not in hidden}
        if "required" in out:
            out["required"] = [name for name in out["required"] if name not in hidden]
    if "anyOf" in node and not drop_enum:  # an empty shop set (a shop without categories) takes no value
        options = [o for o in out["anyOf"] if not isinstance(o, dict) or o.get("enum") != []]
        out["anyOf"] = options or out["anyOf"]
    if GRAMMAR_ENUM in node and not drop_enum:
        out["enum"] = list(node[GRAMMAR_ENUM])
    if GRAMMAR_EXTRA in node and not drop_enum:
        out["enum"] = [*node.get("enum", []), *node[GRAMMAR_EXTRA]]
    return out


def tool_names(tools: Sequence[dict[str, Any]]) -> list[str]:
    return [tool["function"]["name"] for tool in tools]


def normalize_tool_choice(choice: Any, names: Sequence[str]) -> ToolChoice:
    """Read LangChain/OpenAI `tool_choice` values: None/"auto", "required"/"any"/True, "none", a tool name,
    or `{"type": "function", "function": {"name": ...}}`."""
    if choice is None or choice == "auto":
        return ToolChoice("auto")
    if choice is True or choice in ("required", "any"):
        return ToolChoice("required" if names else "auto")
    if choice is False or choice == "none":
        return ToolChoice("none")
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        if not isinstance(name, str):
            raise ToolChoiceError(
                f"tool_choice dict {choice!r} names no tool; use "
                "{'type': 'function', 'function': {'name': ...}}."
            )
        choice = name
    if isinstance(choice, str) and choice in names:
        return ToolChoice("forced", choice)
    raise ToolChoiceError(
        f"Unknown tool_choice {choice!r}. Use one of {', '.join(CHOICE_MODES)} or a bound tool name: "
        f"{', '.join(names) or '(no tools bound)'}."
    )


def argument_errors(name: str, arguments: dict[str, Any], tools: Sequence[dict[str, Any]]) -> list[str]:
    """What is wrong with a call against the bound tools' JSON schemas (empty when it is valid)."""
    import jsonschema

    schemas = {tool["function"]["name"]: grammar_schema(tool["function"].get("parameters") or {})
               for tool in tools}
    if name not in schemas:
        return [f"There is no tool named {name!r}. Available tools: {', '.join(schemas)}."]
    validator = jsonschema.Draft202012Validator(schemas[name])
    return [
        f"{'/'.join(map(str, error.path)) or '(arguments)'}: {error.message}"
        for error in validator.iter_errors(arguments)
    ]
