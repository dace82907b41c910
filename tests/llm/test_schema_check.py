"""Schemas the call grammar cannot enforce are refused at `bind_tools`, naming the tool, argument and fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from agent.llm.errors import ToolSchemaError
from agent.llm.schema_check import check_tool_schemas
from agent.llm.tool_schema import to_openai_tools

REPO = Path(__file__).resolve().parents[2]


def _tool(name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": "x", "parameters": parameters}}


def raw_dict(options: dict) -> str:
    """Takes a raw dict.

    Args:
        options: anything
    """
    return ""


def untyped(value: Any) -> str:
    """Takes Any.

    Args:
        value: anything
    """
    return ""


def bare_list(values: list) -> str:
    """Takes a bare list.

    Args:
        values: anything
    """
    return ""


@pytest.mark.parametrize(
    ("tool", "words"),
    [
        (raw_dict, ["'raw_dict'", "'options'", "raw dict", "declare its keys"]),
        (untyped, ["'untyped'", "'value'", "no type", "give it a type"]),
        (bare_list, ["'bare_list'", "'values'", "no item type", "list[str]"]),
        (_tool("any_type", {"type": "object", "properties": {"x": {"type": "any"}}}),
         ["'any_type'", "'x'", "'any' is not a JSON Schema type"]),
        (_tool("no_props", {"type": "object", "required": ["city"]}),
         ["'no_props'", "its parameters", "requires 'city'", "only write {}", "under 'properties'"]),
        (_tool("negated", {"type": "object", "properties": {"x": {"type": "string", "not": {"const": "a"}}}}),
         ["'negated'", "'x'", "keyword(s) not cannot be enforced"]),
        (_tool("nested", {"type": "object", "properties": {"a": {"type": "array", "items": {
            "type": "object", "properties": {"b": {}}}}}}), ["'nested'", "'a/items/b'", "no type"]),
        (_tool("not_object", {"type": "string"}), ["'not_object'", "must be a JSON object schema"]),
    ],
)
def test_unenforceable_schemas_are_refused_naming_tool_argument_and_fix(tool, words):
    with pytest.raises(ToolSchemaError) as raised:
        check_tool_schemas(to_openai_tools([tool]))
    for word in words:
        assert word in str(raised.value)


class Item(BaseModel):
    sku: str
    quantity: int = Field(ge=1)


class PlaceOrder(BaseModel):
    """Place an order."""

    items: list[Item] = Field(max_length=5)
    note: str | None = None
    weights: dict[str, float] = Field(default_factory=dict)


def test_typed_schemas_pass_pydantic_models_optionals_typed_maps_and_no_arguments():
    check_tool_schemas(to_openai_tools([PlaceOrder, _tool("ping", {"type": "object", "properties": {}}),
                                        _tool("bare", {"type": "object"})]))


def test_the_shops_tools_and_the_benchmarks_foreign_tools_pass():
    from tools.agent_tools import build_registry
    from tools.events.simulate.profile import demo_profile

    registry = build_registry(None, profile=demo_profile())
    for role in ("customer", "operator"):
        check_tool_schemas(registry.schemas(role))
    check_tool_schemas(json.loads((REPO / "bench" / "unseen_tools_cases.json").read_text())["tools"])


def test_bind_tools_raises_at_bind_time_not_at_invoke(tiny_runtime):
    from agent.llm.chat_model import LocalChatModel

    chat = LocalChatModel(runtime=tiny_runtime)
    with pytest.raises(ToolSchemaError, match="'untyped'"):
        chat.bind_tools([untyped])
