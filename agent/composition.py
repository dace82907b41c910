"""An answer made only of what the tools returned: the agent's answer when the model's draft is not grounded
(or when it writes no draft), so nothing in it can be made up."""

from __future__ import annotations

import re

from agent.customer_answers import customer_answer
from agent.phrases import CLOSEST_CATEGORIES, FROM_DOCUMENT, phrase
from tools.registry import SAID, ToolStep


def compose_answer(steps: list[ToolStep], language: str) -> str:
    """An answer made only of what the tools said, used when the model's draft is not grounded.

    Analytics tools contribute their one-line summary; document search its first passage's quote (the
    sentences that answer the question; the passage's lead without one), cited; a customer's orders and
    the products found or recommended are said in the user's `language` (agent/customer_answers.py), as
    are the query engine's figures where the tool said them in it (SAID), and a product search that matched
    nothing says so, with the closest categories.
    """
    lines = []
    for step in steps:
        if step.output is None:
            continue
        closest = step.output.facts.get("closest_categories")
        said = customer_answer(step.output, language)
        if said is not None:
            lines.append(said)
        elif closest is not None:
            lines.append(phrase("nothing_matched", language, query=str(step.output.facts.get("query", ""))))
            if closest:
                lines.append(CLOSEST_CATEGORIES[language].format(categories=", ".join(closest)))
        elif step.output.citations:
            top = step.output.citations[0]
            source = FROM_DOCUMENT[language].format(title=top.title)
            lines.append(f"{source} {top.quote or lead(top.text)} [{top.citation_id}]")
        else:  # an operator's figures in their language where the tool said them so (SAID)
            lines.append(step.output.facts.get(SAID) or step.output.summary)
    return "\n".join(lines)


def lead(passage: str, max_chars: int = 400) -> str:
    """The first sentences of a passage, without Markdown headings, up to `max_chars`."""
    text = " ".join(line for line in passage.splitlines() if not line.lstrip().startswith("#"))
    text = " ".join(text.split())
    sentences = re.split(r"(?<=[.!?])\s+", text)
    lead = ""
    for sentence in sentences:
        if lead and len(lead) + len(sentence) > max_chars:
            break
        lead = f"{lead} {sentence}".strip()
    return lead[:max_chars]
