"""What the product tools are asked where the model's call falls short of the conversation: a search for
nothing but a price searches the customer's words and what a follow-up leans on ("Habt ihr Kopfhörer?" for
"was günstigeres?"); recommendations asked for in a follow-up ("was passt dazu?") are for the product the
search before listed first, not for the customer in general."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from agent.llm.leaning import leaned_questions
from agent.llm.price_caps import only_a_price
from tools.results import LISTED_PRICE

RECOMMENDATIONS_TOOL = "my_recommendations"  # a customer's recommendations, for them or for a product


def product_args(tool: str, args: dict[str, Any], question: str,
                 messages: Sequence[BaseMessage]) -> dict[str, Any]:
    """`args` of a call to `tool` in reply to `question` (the conversation: `messages`), with a query that
    names nothing but a price replaced (`product_query`) and, for recommendations that name no product in
    a follow-up, the product the turn before listed first (`listed_product`)."""
    asked = product_query(question, str(args.get("query") or ""), messages) if "query" in args else None
    if asked:
        return {**args, "query": asked}
    if tool == RECOMMENDATIONS_TOOL and not args.get("product") and leaned_questions(messages):
        product = listed_product(messages)
        return {**args, "product": product} if product else args
    return args


def product_query(question: str, model_query: str, messages: Sequence[BaseMessage]) -> str | None:
    """The query a product search should run instead of the model's, or None to keep it: when the model's
    query names nothing but a price or a cheaper one ("120 dollari", "günstigeres"), the user's question,
    then, when that names nothing but a price too, the questions it leans on (alone, "was günstigeres?" had
    found nothing)."""
    if not only_a_price(model_query):
        return None
    if not only_a_price(question):
        return question
    return " ".join([question, *leaned_questions(messages)])


def listed_product(messages: Sequence[BaseMessage]) -> str | None:
    """The id of the first product a tool result of the turn before the last listed, or None."""
    starts = [i for i, message in enumerate(messages) if isinstance(message, HumanMessage)]
    if len(starts) < 2:
        return None
    for message in messages[starts[-2]:starts[-1]]:
        found = LISTED_PRICE.search(message.text) if isinstance(message, ToolMessage) else None
        if found and found["id"]:
            return found["id"]
    return None
