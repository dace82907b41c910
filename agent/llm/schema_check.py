"""Checks a tool's argument schema at `bind_tools`: what the call grammar cannot enforce is refused there.

Without it, a schema the grammar cannot hold fails only at the first call, with xgrammar's internal message
(`Unsupported type "any"`), or silently lets the model write anything: an untyped value (`Any`) or a raw
`dict` lets a small model wander through arbitrary JSON, an object that requires keys but declares no
properties compiles to a grammar that allows only `{}` (so the required keys can never be written), and
keywords the grammar ignores (`not`, `if`/`then`, `contains`, ...) would pass calls the tool then rejects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from agent.llm.errors import ToolSchemaError
from agent.llm.tool_schema import grammar_schema

JSON_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
# JSON Schema keywords that xgrammar accepts but does not enforce (checked with xgrammar 0.1.x).
UNENFORCED_KEYWORDS = ("not", "if", "then", "else", "contains", "minContains", "maxContains",
                       "dependentSchemas", "unevaluatedProperties", "unevaluatedItems")
# Keywords under which a node's own type is given by other schemas.
TYPED_BY = ("enum", "const", "anyOf", "oneOf", "allOf", "$ref")


def check_tool_schemas(tools: Sequence[dict[str, Any]]) -> None:
    """Raise `ToolSchemaError` naming the tool, the argument and the fix for the first schema the call grammar
    cannot enforce; OpenAI-style tool dicts (`to_openai_tools`)."""
    for tool in tools:
        function = tool["function"]
        parameters = grammar_schema(function.get("parameters") or {"type": "object"})
        if parameters.get("type") != "object":
            raise ToolSchemaError(
                f"Tool {function['name']!r}: its parameters must be a JSON object schema "
                f"(type 'object'), not {parameters.get('type')!r}. Wrap the arguments in an object."
            )
        for path, problem in _problems(parameters, "", top=True):
            where = f"argument {path!r}" if path else "its parameters"
            raise ToolSchemaError(f"Tool {function['name']!r}, {where}: {problem}")


def _problems(node: Any, path: str, top: bool = False) -> Iterator[tuple[str, str]]:
    """(path, what is wrong and what to do) for `node` and every schema inside it."""
    if not isinstance(node, dict):
        yield path, f"the schema is {node!r}; give a JSON Schema object such as {{'type': 'string'}}."
        return
    if unenforced := [key for key in UNENFORCED_KEYWORDS if key in node]:
        yield path, (f"the keyword(s) {', '.join(unenforced)} cannot be enforced while the model writes the "
                     "call; express the rule with type, enum, pattern, minimum/maximum or anyOf, or check "
                     "it in the tool and return an error the model can act on.")
    kinds = node.get("type")
    declared = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if unknown := [kind for kind in declared if kind not in JSON_TYPES]:
        yield path, (f"type {', '.join(map(repr, unknown))} is not a JSON Schema type; use one of "
                     f"{', '.join(JSON_TYPES)} (a Python `Any` has no JSON type: name the type it holds).")
    if not declared and not any(key in node for key in TYPED_BY):
        yield path, ("it has no type (a Python `Any` or an untyped value), so the model could write any "
                     "JSON there; give it a type (str, int, a list of str, a pydantic model, ...).")
    if "object" in declared:
        yield from _object_problems(node, path, top)
    if "array" in declared:
        items = node.get("items")
        if not isinstance(items, dict) or not items:
            yield path, ("it is a list with no item type (a bare `list`), so the model could write any JSON "
                         "in it; give the items a type (list[str], list[int], ...).")
    for key, child in _children(node):
        yield from _problems(child, f"{path}/{key}" if path else key)


def _object_problems(node: dict[str, Any], path: str, top: bool) -> Iterator[tuple[str, str]]:
    properties = node.get("properties")
    required = list(node.get("required") or [])
    if missing := [key for key in required if key not in (properties or {})]:
        yield path, (f"it requires {', '.join(map(repr, missing))} but declares no such properties, so the "
                     "call grammar could only write {} and the call would always be invalid; declare "
                     "each required key under 'properties' with its type.")
    typed_values = isinstance(node.get("additionalProperties"), dict)
    if not top and properties is None and not typed_values:
        yield path, ("it is a raw dict (an object with no properties), so the model could write any JSON "
                     "there; declare its keys (a pydantic model or TypedDict, or 'properties'), or type "
                     "its values (dict[str, int] gives 'additionalProperties').")


def _children(node: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(path step, schema) of the schemas directly inside `node`."""
    for name, child in (node.get("properties") or {}).items():
        yield name, child
    if isinstance(node.get("items"), dict) and node["items"]:
        yield "items", node["items"]
    for index, child in enumerate(node.get("prefixItems") or []):
        yield f"prefixItems/{index}", child
    if isinstance(node.get("additionalProperties"), dict):
        yield "additionalProperties", node["additionalProperties"]
    for key in ("anyOf", "oneOf", "allOf"):
        for index, child in enumerate(node.get(key) or []):
            yield f"{key}/{index}", child
    for key in ("$defs", "definitions"):
        for name, child in (node.get(key) or {}).items():
            yield f"{key}/{name}", child
