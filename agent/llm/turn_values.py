"""What a call may name: the shop's places and categories the conversation mentions, never one nobody said.

The 0.5B model writing a call fills the shop's closed sets (marked SHOP_SET by the registry: its places, its
categories) from what it saw most in training, not from the question: asked "top regions by revenue all
time", it wrote place="United Kingdom" for 13 of the 180 questions of the independent set that name no place
and dropped the place that 6 others named (bench/agent.py --set independent --mode first, "slots"). A plan's
second call needs what its first call found ("forecast the region that spikes most": find_spikes leads with
Tuscany, so forecast_demand takes place="Tuscany"), and the model rarely copies it. So the grammar of every
reply holds each property filled from a shop set to the names the conversation gives it:

- the current turn (its user message, its calls' arguments, its tool results) mentions some: the property
  takes one of them and must be given. The calls' arguments count because a question may give a name in
  another language ("Bayern") that the first call already wrote as the shop does ("Bavaria");
- else an earlier turn mentions some ("and last week?" after a question about Bavaria): one of them, or none;
- else the property is left out (null) where its schema allows, else it keeps the whole set.

A name counts as mentioned as whole words in any case, with or without accents ("Baden-Württemberg" for
"Baden-Wurttemberg"), in the singular ("boot" for "Boots"), and with one typo in a word of 6 letters or
more ("Bavria" for "Bavaria"; shorter words are too close to others: "sales" is one letter from "Wales").
Exact mentions are read before typos. Only the grammar changes: the prompt (and with it the prompt's KV
cache) is the same.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from tools.language import TYPO_MIN_LETTERS, one_edit
from tools.registry import GRAMMAR_ENUM, SHOP_ALIASES, SHOP_SET

_WORD = re.compile(r"\w+")
ACRONYM_LETTERS = 4  # a name in capitals this short is an acronym, matched as written


@dataclass(frozen=True)
class Mentions:
    """What a reply's calls may name: the text of the current turn and that of the earlier turns."""

    current: str
    earlier: str = ""


def conversation_mentions(messages: Sequence[BaseMessage]) -> Mentions:
    """The current turn (from the last user message on) and the earlier turns, each as its user messages,
    calls' arguments and tool results, one per line."""
    starts = [i for i, message in enumerate(messages) if isinstance(message, HumanMessage)]
    start = starts[-1] if starts else 0
    return Mentions(_text(messages[start:]), _text(messages[:start]))


def _text(messages: Sequence[BaseMessage]) -> str:
    lines = []
    for message in messages:
        if isinstance(message, HumanMessage | ToolMessage):
            lines.append(message.text)
        elif isinstance(message, AIMessage):
            lines += [json.dumps(call["args"], ensure_ascii=False) for call in message.tool_calls]
    return "\n".join(lines)


def mentioned(names: Sequence[str], text: str) -> list[str]:
    """The `names` that occur in `text` as whole words (any case, accents or not, one typo in a long word),
    in the order of their first mention; a name met only inside a longer one that is mentioned ("London" in
    "Greater London") does not count. An acronym ("UK", "NRW", "OR") counts only in capitals: "or" and "us"
    are words."""
    words, capitals = _words(text), _words(text, fold_case=False)
    taken = [False] * len(words)
    first: dict[str, int] = {}
    for same in (_same_word, _near_word):
        for name in sorted(names, key=len, reverse=True):
            acronym = name.isupper() and len(name) <= ACRONYM_LETTERS
            if acronym and same is _near_word:
                continue  # matched as written in the first pass: no typo makes an acronym
            wanted, among = (_words(name, fold_case=False), capitals) if acronym else (_words(name), words)
            for start in range(len(words) - len(wanted) + 1):
                span = range(start, start + len(wanted))
                if wanted and not any(taken[i] for i in span) and all(
                        (w == among[i] if acronym else same(w, among[i])) for w, i in zip(wanted, span)):
                    first.setdefault(name, start)
                    for i in span:
                        taken[i] = True  # blanked: shorter names inside it do not count
    return sorted(first, key=first.__getitem__)


def _words(text: str, fold_case: bool = True) -> list[str]:
    """The words without accents ("Württemberg" -> "wurttemberg"), in lower case unless told not to (the
    same words either way: a case fold never splits one)."""
    plain = unicodedata.normalize("NFKD", text.casefold() if fold_case else text)
    return _WORD.findall("".join(ch for ch in plain if not unicodedata.combining(ch)))


def _same_word(name_word: str, word: str) -> bool:
    """The word, or its singular or plural in "s" ("boot" for "boots")."""
    return word in (name_word, name_word + "s") or (len(word) >= 3 and name_word == word + "s")


def _near_word(name_word: str, word: str) -> bool:
    """The word with one typo, in words of TYPO_MIN_LETTERS or more."""
    if min(len(name_word), len(word)) < TYPO_MIN_LETTERS or abs(len(name_word) - len(word)) > 1:
        return False
    return _same_word(name_word, word) or one_edit(name_word, word)


def narrowed_tools(tools: Sequence[dict[str, Any]], mentions: Mentions) -> list[dict[str, Any]]:
    """`tools` with each shop-set property (SHOP_SET) held to the names `mentions` gives it (see the
    module)."""
    return [_narrowed(tool, mentions) for tool in tools]


def _narrowed(node: Any, mentions: Mentions) -> Any:
    if isinstance(node, list):
        return [_narrowed(item, mentions) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _narrowed(value, mentions) for key, value in node.items()}
    if SHOP_SET in node:
        key = _set_key(node)
        out[key] = list(_names(node, mentions.current) or _names(node, mentions.earlier)) or node[key]
    properties = node.get("properties")
    if isinstance(properties, dict):
        named = [name for name, prop in properties.items() if _held(prop, out["properties"][name], mentions)]
        if named:
            out["required"] = list(dict.fromkeys([*node.get("required", []), *named]))
    return out


def _held(prop: Any, narrowed: Any, mentions: Mentions) -> bool:
    """Narrow a property's options (`narrowed`, in place) to its shop sets when the conversation mentions
    one of their names, else to its other options if any; whether it now has to be given (a name of the
    current turn)."""
    if not isinstance(prop, dict):
        return False
    options = prop.get("anyOf", [prop])
    sets = [i for i, option in enumerate(options) if isinstance(option, dict) and SHOP_SET in option]
    current = any(_names(options[i], mentions.current) for i in sets)
    earlier = not current and any(_names(options[i], mentions.earlier) for i in sets)
    if "anyOf" in prop and sets and not earlier:
        kept = [i for i in range(len(options)) if (i in sets) == current]
        narrowed["anyOf"] = [narrowed["anyOf"][i] for i in kept or range(len(options))]
    return current


def _names(shop_set: dict[str, Any], text: str) -> tuple[str, ...]:
    """The names of a SHOP_SET node that `text` mentions by name or alias (SHOP_ALIASES); a set node and its
    property both ask, so each is read once."""
    if not text:
        return ()
    aliases = tuple(sorted(shop_set.get(SHOP_ALIASES, {}).items()))
    return _mentioned_once(tuple(shop_set[_set_key(shop_set)]), aliases, text)


@lru_cache(maxsize=32)
def _mentioned_once(
    names: tuple[str, ...], aliases: tuple[tuple[str, str], ...], text: str
) -> tuple[str, ...]:
    """`mentioned` over the names and their aliases, an alias counting as its name."""
    own = dict(aliases)
    found = mentioned([*names, *own], text)
    return tuple(dict.fromkeys(own.get(name, name) for name in found))


def _set_key(shop_set: dict[str, Any]) -> str:
    """Where a SHOP_SET node holds its names: GRAMMAR_ENUM (grammar only) or `enum` (shown in the prompt)."""
    return GRAMMAR_ENUM if GRAMMAR_ENUM in shop_set else "enum"
