"""What document search is asked: the user's own words, not the model's shortened guess."""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import BaseMessage

from agent.llm.leaning import leaned_questions
from agent.llm.turn_values import names_in
from tools.language import plain_words
from tools.registry import PLACES_SET, ROLES, ToolRegistry

DOCS_TOOL = "search_docs"  # document search, the tool whose query this builds
TOPIC_WORDS = 4  # a follow-up this short is searched with the questions it leans on


def docs_query(registry: ToolRegistry, question: str, model_query: str,
               messages: Sequence[BaseMessage] = ()) -> str:
    """The user's question, then what it leans on (`follow_up_words`), then the words of the model's query
    that the user did not write (its English for a German question), within the tool's length limit.

    The model's query alone was a shortened guess that missed passages the full question finds.
    """
    said = {word.lower() for word in re.findall(r"\w+", question)}
    extra = [word for word in model_query.split() if word.strip(".,;:!?").lower() not in said]
    query = " ".join([" ".join(question.split()), *follow_up_words(registry, question, messages), *extra])
    tools = [t for role in ROLES for t in registry.for_role(role) if t.name == DOCS_TOOL]
    limit = tools[0].args.model_json_schema()["properties"]["query"].get("maxLength") if tools else None
    return query if limit is None or len(query) <= limit else query[:limit].rsplit(" ", 1)[0]


def follow_up_words(registry: ToolRegistry, question: str, messages: Sequence[BaseMessage]) -> list[str]:
    """What a follow-up that names no place of the shop is searched with, from the questions it leans on:
    - for one of TOPIC_WORDS words or fewer, those questions: "Und was kostet das?" or "und wie lange?" says
      what it asks, not about what (alone, it had found the payment methods); a longer one names its topic,
      and the earlier question would outweigh it ("et pour un retour, c'est gratuit ?" after a delivery
      question had lost the returns page);
    - then the places they name: "How much is shipping to Germany?" then "ok, and how long does express
      take?" had found France's shipping page.
    None for a follow-up that names its own place ("and to Spain?") or a question that stands alone."""
    names, aliases = registry.closed_sets.get(PLACES_SET, ()), registry.set_aliases.get(PLACES_SET, {})
    earlier = leaned_questions(messages)
    if not earlier or names_in(names, aliases, question):
        return []
    topic = earlier if len(plain_words(question)) <= TOPIC_WORDS else []
    return [*topic, *names_in(names, aliases, "\n".join(earlier))]
