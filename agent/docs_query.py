"""What document search is asked: the user's own words, not the model's shortened guess."""

from __future__ import annotations

import re

from tools.registry import ROLES, ToolRegistry

DOCS_TOOL = "search_docs"  # document search, the tool whose query this builds


def docs_query(registry: ToolRegistry, question: str, model_query: str) -> str:
    """The user's question, then the words of the model's query that the user did not write (its English
    for a German question), within the tool's length limit.

    The model's query alone was a shortened guess that missed passages the full question finds.
    """
    said = {word.lower() for word in re.findall(r"\w+", question)}
    extra = [word for word in model_query.split() if word.strip(".,;:!?").lower() not in said]
    query = " ".join([" ".join(question.split()), *extra])
    tools = [t for role in ROLES for t in registry.for_role(role) if t.name == DOCS_TOOL]
    limit = tools[0].args.model_json_schema()["properties"]["query"].get("maxLength") if tools else None
    return query if limit is None or len(query) <= limit else query[:limit].rsplit(" ", 1)[0]
