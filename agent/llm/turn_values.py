"""What a call after tool results may name: the shop's places and categories its turn mentions.

A plan's second call needs what its first call found ("forecast the region that spikes most": find_spikes
leads with Tuscany, so forecast_demand takes place="Tuscany"). A decision head picks that next tool, but the
0.5B model writing its arguments rarely copies the value found: it writes the value it saw most in training
("category": "Shoes"), or no place at all. So the grammar of a reply that follows this turn's tool results
holds each property filled from one of the shop's closed sets (marked SHOP_SET by the registry: its places,
its categories) to the names the turn's user message, its calls' arguments or its tool results mention (the
arguments: a name the question gives in another language, "Bayern", the first call already wrote "Bavaria"):

- some are mentioned: the property takes one of them, and must be given (the model otherwise leaves the
  place out: measured in the README's paragraph on bench/plans.py);
- none is mentioned: the property is left out (null) where its schema allows, else it keeps the whole set.

Only the grammar changes: the prompt (and with it the prompt's KV cache) is the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from tools.registry import GRAMMAR_ENUM, SHOP_SET


def turn_text(messages: Sequence[BaseMessage]) -> str | None:
    """The current turn's user message, calls' arguments and tool results, one per line, once a tool result
    of this turn has come in; None before that (a first reply to the user)."""
    starts = [i for i, message in enumerate(messages) if isinstance(message, HumanMessage)]
    turn = messages[starts[-1] if starts else 0 :]
    if not any(isinstance(message, ToolMessage) for message in turn):
        return None
    lines = []
    for message in turn:
        if isinstance(message, HumanMessage | ToolMessage):
            lines.append(message.text)
        elif isinstance(message, AIMessage):
            lines += [json.dumps(call["args"], ensure_ascii=False) for call in message.tool_calls]
    return "\n".join(lines)


def mentioned(names: Sequence[str], text: str) -> list[str]:
    """The `names` that occur in `text` as whole words, any case, in the order of their first mention; a name
    met only inside a longer one that is mentioned ("London" in "Greater London") does not count."""
    first: dict[str, int] = {}
    for name in sorted(names, key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", flags=re.IGNORECASE)
        if found := pattern.search(text):
            first[name] = found.start()
            text = pattern.sub(lambda m: " " * len(m.group()), text)  # blanked: shorter names inside it
    return sorted(first, key=first.__getitem__)


def narrowed_tools(tools: Sequence[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """`tools` with each shop-set property (SHOP_SET) held to the names `text` mentions (see the module)."""
    return [_narrowed(tool, text) for tool in tools]


def _narrowed(node: Any, text: str) -> Any:
    if isinstance(node, list):
        return [_narrowed(item, text) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _narrowed(value, text) for key, value in node.items()}
    if SHOP_SET in node:
        key = _set_key(node)
        out[key] = mentioned(node[key], text) or node[key]
    properties = node.get("properties")
    if isinstance(properties, dict):
        named = [name for name, prop in properties.items() if _held(prop, out["properties"][name], text)]
        if named:
            out["required"] = list(dict.fromkeys([*node.get("required", []), *named]))
    return out


def _held(prop: Any, narrowed: Any, text: str) -> bool:
    """Narrow a property's options (`narrowed`, in place) to its shop sets when `text` mentions one of their
    names, else to its other options if any; whether it now has to be given."""
    if not isinstance(prop, dict):
        return False
    options = prop.get("anyOf", [prop])
    sets = [i for i, option in enumerate(options) if isinstance(option, dict) and SHOP_SET in option]
    named = any(_names(options[i], text) for i in sets)
    if "anyOf" in prop and sets:
        kept = [i for i in range(len(options)) if (i in sets) == named]
        narrowed["anyOf"] = [narrowed["anyOf"][i] for i in kept or range(len(options))]
    return named


def _names(shop_set: dict[str, Any], text: str) -> list[str]:
    """The names of a SHOP_SET node that `text` mentions."""
    return mentioned(shop_set[_set_key(shop_set)], text)


def _set_key(shop_set: dict[str, Any]) -> str:
    """Where a SHOP_SET node holds its names: GRAMMAR_ENUM (grammar only) or `enum` (shown in the prompt)."""
    return GRAMMAR_ENUM if GRAMMAR_ENUM in shop_set else "enum"
