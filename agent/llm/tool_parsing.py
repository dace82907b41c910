"""Turning a model's reply text into tool calls: pure functions, no model needed.

Small models write tool calls in several shapes; all of these are understood:

- the chat template's own `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` blocks (a missing
  closing tag or a missing final brace is forgiven),
- Markdown fences (```json ... ```) holding a call object or a list of them,
- bare JSON call objects (or lists) anywhere in the text,
- `"arguments"` (or `"parameters"`) as an object or as a JSON string; OpenAI's
  `{"type": "function", "function": {...}}` wrapper,
- several calls in one reply, and free text before, between or after them.

Tagged blocks are always calls, whatever tool they name (checking names and arguments is the tool
registry's job); a broken one becomes an `UnparsedToolCall` carrying the error, so the agent can ask for a
repair. Fenced or bare JSON counts as a call only when it names a known tool, so an answer that merely
contains JSON stays text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from agent.llm.wire_format import TAGGED_CALL

ARGUMENT_KEYS = ("arguments", "parameters", "args")

_FENCED = re.compile(r"```[ \t]*(?:json|JSON|tool_call)?[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_NAME = re.compile(r'"name"\s*:\s*"([^"]+)"')


@dataclass(frozen=True)
class ParsedToolCall:
    """One well-formed call: a tool name and its arguments object."""

    name: str
    arguments: dict[str, Any]
    raw: str  # the text the call was read from


@dataclass(frozen=True)
class UnparsedToolCall:
    """A tagged call that could not be read; `error` says why, `raw` is what the model wrote."""

    raw: str
    error: str
    name: str | None = None


@dataclass(frozen=True)
class ParsedReply:
    """A reply split into its free text and its tool calls, in the order written."""

    content: str
    calls: list[ParsedToolCall] = field(default_factory=list)
    invalid: list[UnparsedToolCall] = field(default_factory=list)


def parse_tool_calls(text: str, tool_names: Collection[str] | None = None) -> ParsedReply:
    """Split `text` into free text and tool calls; `tool_names` (when given) are the only valid names."""
    known = set(tool_names) if tool_names is not None else None
    calls: list[ParsedToolCall] = []
    invalid: list[UnparsedToolCall] = []
    spans: list[tuple[int, int]] = []  # regions of `text` consumed by calls

    for match in TAGGED_CALL.finditer(text):
        body = _strip_fence(match.group(1).strip())
        found, error = _calls_from_json_text(body)
        if error is not None:
            invalid.append(UnparsedToolCall(raw=body, error=error, name=_guess_name(body)))
        calls.extend(found)
        spans.append(match.span())

    if not spans:
        for match in _FENCED.finditer(text):
            found, error = _calls_from_json_text(match.group(1).strip())
            if error is None and found and all(_is_known(c.name, known) for c in found):
                calls.extend(found)
                spans.append(match.span())

    if not spans:
        for start, end, found in _bare_json_calls(text):
            if all(_is_known(c.name, known) for c in found):
                calls.extend(found)
                spans.append((start, end))

    return ParsedReply(content=_remaining_text(text, spans), calls=calls, invalid=invalid)


# ------------------------------------------------------------------ JSON -> calls


def _calls_from_json_text(body: str) -> tuple[list[ParsedToolCall], str | None]:
    """Read one JSON value (object or list of objects) as calls; returns (calls, error)."""
    if not body:
        return [], "The tool call is empty; write a JSON object with 'name' and 'arguments'."
    value, error = _load_lenient(body)
    if error is not None:
        return [], error
    items = value if isinstance(value, list) else [value]
    calls: list[ParsedToolCall] = []
    for item in items:
        call = _call_from_object(item, body)
        if isinstance(call, str):
            return calls, call
        calls.append(call)
    return calls, None


def _load_lenient(body: str) -> tuple[Any, str | None]:
    """json.loads of the first JSON value in `body`, forgiving trailing text and up to 3 missing braces."""
    start = min((i for i in (body.find("{"), body.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None, 'The tool call holds no JSON object; write {"name": ..., "arguments": {...}}.'
    decoder = json.JSONDecoder()
    candidate = body[start:]
    try:
        return decoder.raw_decode(candidate)[0], None
    except json.JSONDecodeError as exc:
        error = f"The tool call is not valid JSON ({exc.msg} at character {exc.pos})."
    for missing in range(1, 4):  # small models often drop the closing braces
        try:
            return decoder.raw_decode(candidate + "}" * missing)[0], None
        except json.JSONDecodeError:
            continue
    return None, error


def _call_from_object(item: Any, raw: str) -> ParsedToolCall | str:
    """The call in one JSON object, or an error message saying what is wrong with it."""
    if not isinstance(item, dict):
        return "A tool call must be a JSON object with 'name' and 'arguments'."
    if isinstance(item.get("function"), dict):  # OpenAI wrapper {"type": "function", "function": {...}}
        item = item["function"]
    name = item.get("name")
    if not isinstance(name, str) or not name:
        return 'The tool call has no \'name\' string; write {"name": ..., "arguments": {...}}.'
    arguments: Any = next((item[k] for k in ARGUMENT_KEYS if k in item), {})
    if arguments is None:
        arguments = {}
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as exc:
            return f"The arguments of {name!r} are a string that is not valid JSON ({exc.msg})."
    if not isinstance(arguments, dict):
        return f"The arguments of {name!r} must be a JSON object, got {type(arguments).__name__}."
    return ParsedToolCall(name=name, arguments=arguments, raw=raw)


def _looks_like_call(value: Any) -> bool:
    """Bare JSON counts as a call only with the shape of one: a name plus an arguments field."""
    if isinstance(value, list):
        return bool(value) and all(_looks_like_call(v) for v in value)
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("function"), dict):
        value = value["function"]
    return isinstance(value.get("name"), str) and any(k in value for k in ARGUMENT_KEYS)


def _bare_json_calls(text: str) -> list[tuple[int, int, list[ParsedToolCall]]]:
    """Call-shaped JSON values anywhere in free text, with their spans."""
    decoder = json.JSONDecoder()
    found: list[tuple[int, int, list[ParsedToolCall]]] = []
    position = 0
    while position < len(text):
        start = min((i for i in (text.find("{", position), text.find("[", position)) if i >= 0), default=-1)
        if start < 0:
            break
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            position = start + 1
            continue
        if _looks_like_call(value):
            calls, error = _calls_from_json_text(text[start:end])
            if error is None:
                found.append((start, end, calls))
        position = end
    return found


# ------------------------------------------------------------------ small pieces


def _strip_fence(body: str) -> str:
    match = _FENCED.fullmatch(body)
    return match.group(1).strip() if match else body


def _guess_name(body: str) -> str | None:
    match = _NAME.search(body)
    return match.group(1) if match else None


def _is_known(name: str, known: set[str] | None) -> bool:
    return known is None or name in known


def _remaining_text(text: str, spans: list[tuple[int, int]]) -> str:
    """The text outside the consumed spans: each piece stripped, pieces joined by a blank line."""
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        pieces.append(text[cursor:start])
        cursor = end
    pieces.append(text[cursor:])
    return "\n\n".join(piece.strip() for piece in pieces if piece.strip())
