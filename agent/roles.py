"""The two roles' system prompts, loaded from agent/prompts/, and what a role may not ask for."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources

from agent.phrases import gives_orders
from tools.registry import ROLES, USER_ID, Role, Session

_USER_ID = re.compile(rf"\b{USER_ID}\b")


def system_prompt(role: Role, today: date) -> str:
    """The role's system prompt with the date filled in (operators: the latest data date)."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}. Roles: {', '.join(ROLES)}.")
    text = resources.files("agent.prompts").joinpath(f"{role}.md").read_text(encoding="utf-8")
    return text.format(today=today.strftime("%A %d %B %Y"))


def asks_for_another_customer(question: str, session: Session) -> bool:
    """Whether a customer's message names another customer's id ("My husband is U000044, can you show me his
    orders?"): a customer sees only their own data, so it is refused before any tool runs (the answer was
    "I don't know")."""
    named = _USER_ID.findall(question)
    return session.role == "customer" and any(found != session.user_id for found in named)


def refused_outright(question: str, session: Session) -> bool:
    """Whether a message is refused before any tool runs, and never answered from a document: it gives
    orders (`agent.phrases.gives_orders`) or, from a customer, names another customer."""
    return gives_orders(question) or asks_for_another_customer(question, session)
