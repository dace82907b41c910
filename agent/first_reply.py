"""Which tool the first reply to a turn calls, where the user's words settle it and the model may not.

- A short follow-up that names only what the previous turn's tool takes, and names something of it ("Et à
  Marseille ?" after units sold in Lyon), calls that tool again (`forced_tool`): the model had forecast it.
  A customer's need name nothing of it ("E quanto ho speso?" after my_orders), short of thanks.
- A first reply that calls a tool the words did not name, while they name a choice that tool cannot take
  and another can ("Umsatz im Mai nach Region" to compare_periods: the month is top_items' period), is
  asked again with that other tool (`second_look`).
- A first reply without a call is asked again with one tool required (`retry_tool`) in three cases, and
  nothing else (a refusal of what the role may not see stays a refusal):
  - a question whose words name what one tool takes most ("Umsatz ... diese Woche": top_items,
    `most_named_tool`), whatever the reply said, unless it refused a request to change something no tool
    changes ("Cancel the orders from this week", `asks_for_changes`). "How many units did Bavaria sell last
    week?" was refused, "How many units did Ile-de-France sell last week?" answered with a paragraph that
    repeated the name. A customer's tools take one fixed choice at most, so none is named;
  - a "no" to a question that gives a price cap, where one of the role's tools takes it ("Kannst du mir
    sagen, welche Kopfhörer ihr unter 40 Euro habt?" was refused): that tool (`priced_tool`);
  - a "no" to a short follow-up of a turn that ran a tool, which names nothing that tool does not take ("Und
    wie viel hat sie gekostet?" after my_orders): the previous tool, asked again with this turn's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage

from agent.llm.leaning import acknowledges
from agent.llm.named_tools import follow_up_tool, most_named_tool, named_tool, overruling_tool, priced_tool
from agent.phrases import asks_for_changes, declines, reply_kind, small_talk, turn_language
from tools.registry import Role


def forced_tool(messages: Sequence[AnyMessage], turn_start: int, schemas: Sequence[dict[str, Any]],
                role: Role = "operator") -> str | None:
    """The tool the turn's first reply must call (an elliptical follow-up's), or None: the model chooses.
    A customer's follow-up need not name anything of the previous tool, only not be thanks or a greeting:
    an Italian "how much did I pay?" after my_orders had been answered without a call, a French "and when
    does it arrive?" from a shipping page. On the synthetic dialogues of 30 random shops, 47 of the 49
    customer turns it forces are labelled with that tool (tests/agent/test_forced_follow_ups.py; operators:
    36 of 36)."""
    question = str(messages[turn_start].content)
    loose = role == "customer" and not small_talk(question) and not acknowledges(question)
    return follow_up_tool(messages[:turn_start + 1], schemas, must_name=not loose)


def second_look(messages: Sequence[AnyMessage], turn_start: int, reply: AIMessage,
                schemas: Sequence[dict[str, Any]]) -> str | None:
    """The tool to ask the turn's first reply again with: `retry_tool` when it made no call; when it called
    a tool the user's words did not name (named_tool) but the words name a choice that tool cannot take and
    another can, that other tool (`overruling_tool`); else None."""
    if not reply.tool_calls:
        return retry_tool(messages, turn_start, str(reply.content), schemas,
                          wanted_call=bool(reply.response_metadata.get("wanted_call")))
    question, called = str(messages[turn_start].content), reply.tool_calls[0]["name"]
    if named_tool(question, schemas) is not None:
        return None
    return overruling_tool(question, called, schemas)


def retry_tool(messages: Sequence[AnyMessage], turn_start: int, draft: str,
               schemas: Sequence[dict[str, Any]], wanted_call: bool = False) -> str | None:
    """The tool whose call the turn's first reply (`draft`, no call; `wanted_call`: the model's own first
    token would have opened a call, which the decision heads overruled) should have been, or None."""
    question = str(messages[turn_start].content)
    declined = declines(question, draft, turn_language(question, messages[:turn_start + 1]))
    priced = priced_tool(question, schemas) if declined else None
    if priced:
        return priced
    refused_change = (declined and not wanted_call and reply_kind(question, draft) == "refusal"
                      and asks_for_changes(question))
    named = None if refused_change else most_named_tool(question, schemas)
    if named:
        return named
    return follow_up_tool(messages[:turn_start + 1], schemas) if declined else None
