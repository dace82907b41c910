"""The tool to ask again with when a turn's first reply says no, without a call, to what a tool answers.

Two cases, and nothing else (a refusal of what the role may not see stays a refusal):
- "I don't know" to a question whose words name what one tool takes most ("Umsatz ... diese Woche":
  top_items, `most_named_tool`);
- a short follow-up of a turn that ran a tool, which names nothing that tool does not take ("Und wie viel
  hat sie gekostet?" after my_orders): the previous tool, asked again with this turn's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from agent.llm.turn_values import most_named_tool, names_only
from agent.phrases import declines, gives_orders, reply_kind
from tools.language import detect_language, plain_words

FOLLOW_UP_WORDS = 10  # a follow-up is short: it leans on the previous turn for what it leaves out


def retry_tool(messages: Sequence[AnyMessage], turn_start: int, draft: str,
               schemas: Sequence[dict[str, Any]]) -> str | None:
    """The tool whose call the turn's first reply (`draft`, no call) should have been, or None."""
    question = str(messages[turn_start].content)
    if not declines(question, draft, detect_language(question)) or gives_orders(question):
        return None
    if reply_kind(question, draft) == "dont_know":
        named = most_named_tool(question, schemas)
        if named:
            return named
    return follow_up_tool(messages, turn_start, schemas)


def follow_up_tool(messages: Sequence[AnyMessage], turn_start: int,
                   schemas: Sequence[dict[str, Any]]) -> str | None:
    """The tool the previous turn called first, when this turn is a short follow-up that names only what
    that tool takes (among `schemas`, the role's tools); None otherwise."""
    question = str(messages[turn_start].content)
    if len(plain_words(question)) > FOLLOW_UP_WORDS:
        return None
    previous = _previous_turn_tool(messages[:turn_start])
    tool = next((s for s in schemas if s["function"]["name"] == previous), None)
    return previous if tool is not None and names_only(question, tool, schemas) else None


def _previous_turn_tool(history: Sequence[AnyMessage]) -> str | None:
    """The first tool the last turn in `history` called, if it called one."""
    asked = max((i for i, m in enumerate(history) if isinstance(m, HumanMessage)), default=None)
    if asked is None:
        return None
    calls = [m.tool_calls[0]["name"] for m in history[asked + 1:]
             if isinstance(m, AIMessage) and m.tool_calls]
    return calls[0] if calls else None
