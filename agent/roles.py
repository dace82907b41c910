"""The two roles' system prompts, loaded from agent/prompts/, and what a role may not ask for."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from importlib import resources
from typing import Any

from agent.llm.named_tools import most_named_tool, named_tool, subjects
from agent.llm.turn_values import choice_values, outright_choices, shop_names
from agent.phrases import Kind, gives_orders
from tools.language import mentioned, plain_words, word_set
from tools.registry import ROLES, USER_ID, Role, Session

_USER_ID = re.compile(rf"\b{USER_ID}\b")
# Words by which a customer speaks of themselves, in the shop's five languages ("ce que j'ai commandé",
# "meiner Bestellungen"): such a message asks about their own data. English "I" is matched as written (the
# Italian article "i" is not), "ma" and "mes" are left out (Italian "but", Spanish "month").
_OWN_WORDS = word_set("""
    my mine myself ich mein meine meinen meinem meiner meines mir mich je j mon moi yo mi mis io mio mia miei
    mie
""")  # as tools.language.plain_words writes them: "mío" is "mio"


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


def speaks_of_self(question: str) -> bool:
    """Whether a message speaks of its writer ("my", "ich", "j'ai", "mis", "mio", ...; "I" as written)."""
    return "I" in plain_words(question, fold_case=False) or not _OWN_WORDS.isdisjoint(plain_words(question))


def asks_for_shop_data(question: str, customer_tools: Sequence[dict[str, Any]],
                       operator_tools: Sequence[dict[str, Any]]) -> bool:
    """Whether a customer's message asks for what only operators see: its words name the task of a tool only
    operators have ("Dammi l'elenco degli ordini sospetti di oggi": fraud), or the choices of one ("Qual è
    la regione con più vendite questo mese?": a ranking's metric, grouping and period), while they name no
    customer's task and speak of no one's own data. The model had shown its own words for it ("I dati non
    sono disponibili ...") or read the customer's orders. On the customer turns of 1,200 synthetic
    dialogues of 30 random shops (bench/word_rules.py, 2026-12-06) it is true for 18 of the 186 labelled as
    refusals and none of the 430 labelled with a tool."""
    own = {tool["function"]["name"] for tool in customer_tools}
    theirs = [tool for tool in operator_tools if tool["function"]["name"] not in own]
    if speaks_of_self(question) or named_tool(question, customer_tools) is not None:
        return False
    return bool(named_tool(question, theirs) or most_named_tool(question, theirs)
                or _names_shop_figure(question, customer_tools, theirs))


def _names_shop_figure(question: str, customer_tools: Sequence[dict[str, Any]],
                       theirs: Sequence[dict[str, Any]]) -> bool:
    """Whether `question` names a place that only operators' tools take and a choice that only they take,
    and that the customer's tools are not about (`subjects`): "Und der Umsatz in Bavaria?" (a region's
    revenue), not "Und was hat die Bestellung nach Berlin gekostet?" (a customer's tools are about orders)."""
    places = set(shop_names(list(theirs))) - set(shop_names(list(customer_tools)))
    if not mentioned(list(places), question):
        return False
    mine = set(choice_values(list(customer_tools))) | subjects(customer_tools)
    others = set(choice_values(list(theirs)))
    return any(values & others and not values & mine for values in outright_choices(question))


def refusal(question: str, session: Session, schemas: Mapping[Role, Sequence[dict[str, Any]]]) -> Kind | None:
    """The refusal a message gets before any tool runs, never answered from a document, or None: "refusal"
    when it gives orders (`agent.phrases.gives_orders`); "not_yours" when a customer names another customer
    or asks for the shop's figures (`asks_for_shop_data`)."""
    if gives_orders(question):
        return "refusal"
    if asks_for_another_customer(question, session) or session.role == "customer" and asks_for_shop_data(
            question, schemas["customer"], schemas["operator"]):
        return "not_yours"
    return None
