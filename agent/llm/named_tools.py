"""Which tool a question's words name: its task (tool_words), the choices of its properties (choice_words),
or the previous turn's tool for a short follow-up; the agent calls that tool where the model may not.

`named_tool` is applied to every first reply by the chat model; `follow_up_tool`, `most_named_tool` and
`overruling_tool` by the agent (agent/first_reply.py), which sees the whole conversation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from agent.llm.leaning import is_short, leans_on_earlier, names_whole_shop
from agent.llm.price_caps import CHEAPER, price_caps
from agent.llm.tool_words import DECISIVE_WORDS, TOOL_WORDS
from agent.llm.turn_values import choice_values, named_choices, outright_choices, shop_names
from tools.language import mentioned

NAMED_PROPERTIES = 2  # a question names a tool when it names the choices of this many of its properties


def most_named_tool(text: str, tools: Sequence[dict[str, Any]]) -> str | None:
    """The one tool of `tools` with the most properties whose fixed choices `text` names outright, at least
    NAMED_PROPERTIES of them ("Wie hoch war der Umsatz in Hamburg diese Woche?": top_items takes both metric
    and period, the others one at most); None otherwise, or when several are named as often. On the
    operator turns of 1,200 synthetic dialogues it is the labelled first tool for 101 of the 122 it names
    (one property: 111 of 142; multi-part questions take the labels' other tool)."""
    strong = frozenset().union(*outright_choices(text))
    if not strong:
        return None
    counts: dict[str, int] = {}
    for tool in tools:
        properties = tool["function"]["parameters"].get("properties", {})
        counts[tool["function"]["name"]] = sum(bool(strong & set(choice_values(prop)))
                                               for prop in properties.values())
    best = max(counts.values(), default=0)
    leaders = [name for name, count in counts.items() if count == best]
    return leaders[0] if best >= NAMED_PROPERTIES and len(leaders) == 1 else None


def priced_tool(text: str, tools: Sequence[dict[str, Any]]) -> str | None:
    """The one tool of `tools` that takes a `max_price`, when `text` gives a price cap ("welche Kopfhörer habt
    ihr unter 40 Euro?": the customer's product search); None otherwise."""
    if not price_caps(text):
        return None
    priced = [tool["function"]["name"] for tool in tools if _takes_a_price(tool)]
    return priced[0] if len(priced) == 1 else None


def _takes_a_place(tool: dict[str, Any]) -> bool:
    """Whether a tool takes a place (`place`), so that "the whole shop" is one of its choices: no place."""
    return "place" in tool["function"]["parameters"].get("properties", {})


def _takes_a_price(tool: dict[str, Any]) -> bool:
    """Whether a tool takes a price cap (`max_price`): the customer's product search."""
    return "max_price" in tool["function"]["parameters"].get("properties", {})


def follow_up_tool(messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]],
                   must_name: bool = False) -> str | None:
    """The tool (of `tools`) the previous turn called first, when the current turn (the last user message)
    is a short follow-up that names only what that tool takes (`names_only`), names no other tool's task
    (`tasks_named`: "Et la prévision pour Marseille ?" and "forecast daily units for Bavaria for the next
    2 weeks" after daily orders in Bavaria are forecasts) and, with `must_name`, names something it takes
    ("Et à Marseille ?" after units in Lyon: top_items again; "und für den ganzen Shop?" after a forecast
    for Bavaria: the whole shop is a choice of any tool that takes a place); None otherwise. In 1,200
    synthetic dialogues over 30 random shops, all 32 such follow-ups (of 10 words or fewer) are labelled
    with the previous turn's tool; without `must_name`, 77 of 86 (the rest: "what goes with that?" after a
    product search, labelled my_recommendations). Short is enough here: "Same thing, but count units" and
    "when's it supposed to get here" name no more than the previous tool takes (requiring a follow-up's
    opening word, as the places do, lost both on the independent dialogues). A longer follow-up must lean
    on the turn before (leaning.py) and name something the tool takes ("Merci beaucoup ! Et combien de
    commandes à Marseille la semaine dernière, s'il vous plaît ?")."""
    asked = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if len(asked) < 2:
        return None
    text = str(messages[asked[-1]].content)
    calls = [m.tool_calls[0]["name"] for m in messages[asked[-2] + 1:asked[-1]]
             if isinstance(m, AIMessage) and m.tool_calls]
    tool = next((t for t in tools if calls and t["function"]["name"] == calls[0]), None)
    if tool is None or not names_only(text, tool, tools):
        return None
    if tasks_named(text, tools) - {calls[0]}:  # "and the forecast for Lyon?": another task
        return None
    takes = set(choice_values(tool))  # a word only another role's tools take names nothing of it
    named = (bool(frozenset().union(*named_choices(text)) & takes)  # weak words too: "et niveau thunes ?"
             or bool(mentioned(shop_names(tool), text))
             or _takes_a_place(tool) and names_whole_shop(text)  # "und für den ganzen Shop?" after a forecast
             or _takes_a_price(tool) and bool(CHEAPER.search(text)))  # "was günstigeres?" after a search
    if not (is_short(text) or named and leans_on_earlier(text)):  # a long one must lean and name it
        return None
    return calls[0] if named or not must_name else None


def names_only(text: str, tool: dict[str, Any], tools: Sequence[dict[str, Any]]) -> bool:
    """Whether every fixed choice of `tools` that `text` names outright, and every name of their shop sets
    it mentions, is one that `tool` takes ("Und wie viel hat sie gekostet?": nothing, so my_orders). A
    phrase that names only what `tools` are about (`subjects`) but none of them takes does not count: a
    customer's "Und welche Artikel waren in der Bestellung?" names a ranking's grouping and metric, which no
    customer tool takes, and asks about the order; "Und der Umsatz diese Woche?" names a metric and a
    period no customer tool is about."""
    takes, offered, spoken_of = set(choice_values(tool)), set(choice_values(list(tools))), subjects(tools)
    if not all(values & takes for values in outright_choices(text) if values & offered or values - spoken_of):
        return False
    own = set(shop_names(tool))
    return all(name in own for name in mentioned(list(dict.fromkeys(shop_names(list(tools)))), text))


def overruling_tool(text: str, called: str, tools: Sequence[dict[str, Any]]) -> str | None:
    """The tool `most_named_tool` names, instead of `called`, when `text` names a choice outright that
    `called` cannot take and that tool can ("Umsatz im Mai nach Region": the month is top_items' period;
    compare_periods has none); None otherwise. On the 249 operator first turns of 480 synthetic dialogues
    over 12 random shops, the heads' pick (where named_tool names none) is overruled 17 times: 14 to the
    labelled tool, and 3 picks that were right were lost (multi-part questions whose first part is another
    task); right first tools 212 -> 223."""
    named = most_named_tool(text, tools)
    by_name = {tool["function"]["name"]: tool for tool in tools}
    if named in (None, called) or called not in by_name:
        return None
    own, theirs = set(choice_values(by_name[called])), set(choice_values(by_name[named]))
    return named if any(values & theirs and not values & own for values in outright_choices(text)) else None


def named_tool(text: str, tools: Sequence[dict[str, Any]]) -> str | None:
    """The one tool of `tools` whose task `text` names in its own words (tool_words: "sus orders": fraud),
    when the words name no other tool's task, or name it by its DECISIVE_WORDS ("My parcel says delivered
    but it's not here. What do I do?": the documents' procedure); None otherwise. A tool that takes no
    fixed choices (a forecast) is named only by a text that names none: "Prognose für die Kategorie mit dem
    größten Rückgang" names a grouping and a direction, a ranking's, to run first. A word after a number is
    a quantity, no choice: "Wir haben noch 30 Stück, der Lieferant braucht 6 Tage" asks for reorder advice."""
    bound = {tool["function"]["name"]: tool for tool in tools}
    decisive_phrases = _tool_table()[1]
    phrases = _task_phrases(text)
    decisive = _tasks([phrase for phrase in phrases if phrase in decisive_phrases], set(bound)) & set(bound)
    if len(decisive) == 1:
        return decisive.pop()
    named = _tasks(phrases, set(bound))
    if len(named) != 1 or not named <= set(bound):
        return None
    tool = named.pop()
    offered = set(choice_values(list(tools)))  # a customer's "money back" names no metric of theirs
    ranks = [values for values in outright_choices(_QUANTITY.sub("", text)) if values & offered]
    return tool if choice_values(bound[tool]) or not ranks else None


_QUANTITY = re.compile(r"(?<=\d)\s+\w+")  # "12 unidades", "20 units", "15 Stück": the word after a number


def tasks_named(text: str, tools: Sequence[dict[str, Any]]) -> set[str]:
    """The tools whose task `text` names in their own words (TOOL_WORDS, DECISIVE_WORDS): those of `tools`
    where a phrase names one of them, else every tool it names (another role's task is another task)."""
    return _tasks(_task_phrases(text), {tool["function"]["name"] for tool in tools})


def _tasks(phrases: Sequence[str], bound: set[str]) -> set[str]:
    """The tools `phrases` name: per phrase, those of the `bound` tools it names, else all it names
    ("recommend" names my_recommendations for a customer and recommend for an operator)."""
    table, _ = _tool_table()
    return {tool for phrase in phrases for tool in (table[phrase] & bound or table[phrase])}


def subjects(tools: Sequence[dict[str, Any]]) -> frozenset[str]:
    """The fixed choices that the descriptions of `tools` name: what a role's tools are about (a customer's:
    orders, products, categories; "the signed-in customer's own orders"), whether or not a tool of theirs
    takes them as a choice."""
    return _described(tuple(tool["function"].get("description", "") for tool in tools))


@lru_cache(maxsize=8)
def _described(descriptions: tuple[str, ...]) -> frozenset[str]:
    """The choices `descriptions` name, read once per set of tools (reading each takes milliseconds, and
    every follow-up asks)."""
    return frozenset(value for text in descriptions for values in outright_choices(text) for value in values)


def _task_phrases(text: str) -> list[str]:
    return mentioned(list(_tool_table()[0]), text, typo_letters=None)


@lru_cache(maxsize=1)
def _tool_table() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Phrase -> the tools whose task it names (TOOL_WORDS and DECISIVE_WORDS: one tool per role, a
    recommendation being a customer's or an operator's), and the decisive phrases."""
    table: dict[str, set[str]] = {}
    for words in (TOOL_WORDS, DECISIVE_WORDS):
        for tool, phrases in words.items():
            for phrase in phrases:
                table.setdefault(phrase, set()).add(tool)
    decisive = frozenset(phrase for phrases in DECISIVE_WORDS.values() for phrase in phrases)
    return {phrase: frozenset(tools) for phrase, tools in table.items()}, decisive
