"""The choice words agree with how the synthetic training dialogues (written by finetune/synth over random
shops, in five languages and many styles) fill the same choices: where the words name a value, it is the
labelled one."""

from __future__ import annotations

import json

import pytest

from agent.llm.durations import durations_in_days
from agent.llm.tool_schema import grammar_schema
from agent.llm.turn_values import _chosen
from finetune.synth.dialogues import synthesize_random_shops
from tools.agent_tools import build_registry
from tools.events.simulate.profile import demo_profile
from tools.registry import SHOP_SET


def _labelled_choices() -> list[tuple[str, str, object, dict]]:
    """(question, property, labelled value, the property's enum node) of every operator call that follows a
    user message in 400 synthetic dialogues."""
    tools = build_registry(None, profile=demo_profile()).schemas("operator")
    props = {t["function"]["name"]: grammar_schema(t["function"]["parameters"])["properties"] for t in tools}
    found = []
    for dialogue in synthesize_random_shops(400, seed=11):
        for asked, reply in zip(dialogue.messages, dialogue.messages[1:]):
            if asked["role"] != "user":
                continue
            for call in reply.get("tool_calls") or []:
                function = call.get("function", call)
                args = function["arguments"]
                args = json.loads(args) if isinstance(args, str) else args
                for name, value in args.items():
                    prop = props.get(function["name"], {}).get(name, {})
                    enums = [o for o in prop.get("anyOf", [prop]) if "enum" in o and SHOP_SET not in o]
                    if enums or name.endswith("_days"):
                        found.append((asked["content"], name, value, enums[0] if enums else {}))
    return found


def test_named_choices_and_spans_are_the_labelled_ones() -> None:
    named = agree = 0
    for question, name, value, enum in _labelled_choices():
        values = durations_in_days(question) if name.endswith("_days") else _chosen(enum, question)
        if values:
            named += 1
            agree += value in values
    assert named >= 150  # the words name a good share of them
    assert agree / named >= 0.97, (agree, named)


def test_the_lowest_end_of_a_ranking_is_named_in_five_languages() -> None:
    from agent.llm.mentions import Mentions
    from agent.llm.turn_values import narrowed_tools
    from tools.agent_tools import build_registry
    from tools.events.simulate.profile import demo_profile

    tools = build_registry(None, profile=demo_profile()).schemas("operator")
    for question in ("give me the worst performing category this month",
                     "Welche Region hatte die wenigsten Bestellungen?", "quelle catégorie se vend le moins ?",
                     "¿Cuál es la región que menos vende?", "quali sono i prodotti meno venduti?"):
        (top,) = [t for t in narrowed_tools(tools, Mentions(question, "", question, ""))
                  if t["function"]["name"] == "top_items"]
        assert top["function"]["parameters"]["properties"]["order"]["enum"] == ["lowest"], question


def test_the_whole_history_is_named_in_five_languages() -> None:
    from agent.llm.turn_values import outright_choices

    for question in ("revenue in Bavaria over the full history",
                     "Umsatz in Bayern über den gesamten Zeitraum",
                     "chiffre d'affaires de Lyon sur tout l'historique",
                     "pedidos en Valencia, todo el histórico",
                     "fatturato della Lombardia su tutto lo storico"):
        assert frozenset({"all_time"}) in outright_choices(question), question
    assert frozenset({"all_time"}) not in outright_choices("pedidos en Valencia este mes")



@pytest.mark.parametrize(("text", "status"), [
    ("which of my orders were delivered?", "delivered"), ("welche wurden storniert?", "cancelled"),
    ("lesquelles ont été livrées ?", "delivered"), ("¿Cuáles de mis pedidos están cancelados?", "cancelled"),
    ("quali sono stati spediti?", "shipped"), ("show me my returned orders", "returned"),
    ("Zeig mir meine stornierten Bestellungen", "cancelled"), ("which of them reached me?", "delivered"),
])
def test_a_status_is_named_in_a_question_for_a_list_of_orders(text, status) -> None:
    from agent.llm.turn_values import outright_choices

    assert frozenset({status}) in outright_choices(text)


@pytest.mark.parametrize("text", [
    "Is my latest order already shipped?", "Has my order been delivered?",
    "Ist meine Bestellung schon angekommen?", "Ma commande a-t-elle été livrée ?", "¿Ya se envió mi pedido?",
    "Il mio ordine è stato consegnato?"])
def test_the_status_of_the_order_asked_about_is_no_filter(text) -> None:
    """"Is my latest order already shipped?" asks about the latest order: a filter on "shipped" had listed
    none of the customer's orders."""
    from agent.llm.turn_values import outright_choices

    statuses = {"delivered", "shipped", "cancelled", "returned"}
    assert not any(values & statuses for values in outright_choices(text))
