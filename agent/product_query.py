"""What a product search is asked when the model's query names nothing but a price: the customer's own words,
and for a follow-up the questions it leans on ("Habt ihr Kopfhörer?" for "was günstigeres?")."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import BaseMessage

from agent.llm.leaning import leaned_questions
from agent.llm.price_caps import only_a_price


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
