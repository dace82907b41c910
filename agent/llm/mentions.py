"""What a conversation mentions, as the calls of its current turn may use it: the current turn's text, the
turns a follow-up leans on, the answers of the turn before, the user's own words, and the row of the answer
before's ranking the turn points at (turn_values.py holds a call's values to them)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.llm.leaning import leaned_from, leans_on_earlier, names_whole_shop
from agent.llm.referents import points_at_place, referent


@dataclass(frozen=True)
class Mentions:
    """What a reply's calls may name: the text of the current turn and that of the turns a follow-up leans on
    (user messages, calls, results), the turn before's answers (`answered`), the user's own words of the
    current and earlier turns (`asked`, `asked_before`), the ranked row it points at (`referred`)."""

    current: str
    earlier: str = ""
    asked: str = ""
    asked_before: str = ""
    answered: str = ""
    referred: tuple[str, str] | None = None

    @cached_property
    def leaning(self) -> bool:
        """Whether the current turn is a follow-up of earlier ones (leaning.leans_on_earlier): it keeps their
        choices, and may take their places and categories."""
        return bool(self.asked_before) and leans_on_earlier(self.asked)

    @cached_property
    def pointing(self) -> bool:
        """Whether the current turn points at a place the turn before named ("forecast demand there")."""
        return bool(self.asked_before) and points_at_place(self.asked)

    @cached_property
    def whole_shop(self) -> bool:
        """Whether the current turn asks about the whole shop ("and overall?"): it takes no place or category
        from earlier turns, though a follow-up keeps their choices."""
        return names_whole_shop(self.asked)


def conversation_mentions(messages: Sequence[BaseMessage]) -> Mentions:
    """The current turn (from the last user message on); the turns a follow-up leans on, back to the last
    question that stood on its own or asked about the whole shop ("units in Bavaria?", "and this week?",
    then "and by revenue?": both); each as its user messages, calls' arguments and tool results, one per
    line; the answers of the turn before (the prompt keeps an earlier turn's question and answer only:
    "Orders by region: Berlin 29; ..." is where "forecast demand there" finds its place); and the user's
    messages of the current turn and of all earlier ones."""
    starts = [i for i, message in enumerate(messages) if isinstance(message, HumanMessage)]
    start = starts[-1] if starts else 0
    first = leaned_from(messages, starts)
    leaned = messages[starts[first]:start] if first >= 0 else messages[:start]
    previous = messages[starts[-2]:start] if len(starts) > 1 else []
    answered = [m for m in previous if isinstance(m, AIMessage) and not m.tool_calls and m.text]
    asked = _text(messages[start:], asked_only=True)
    return Mentions(_text(messages[start:]), _text(leaned), asked, _text(messages[:start], asked_only=True),
                    "\n".join(m.text for m in answered), referent(asked, answered))


def _text(messages: Sequence[BaseMessage], asked_only: bool = False) -> str:
    lines = []
    for message in messages:
        if isinstance(message, HumanMessage) or (isinstance(message, ToolMessage) and not asked_only):
            lines.append(message.text)
        elif isinstance(message, AIMessage) and not asked_only:
            lines += [json.dumps(call["args"], ensure_ascii=False) for call in message.tool_calls]
    return "\n".join(lines)
