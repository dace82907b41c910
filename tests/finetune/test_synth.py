"""Synthetic dialogues: every call validates, every kind of reply is there, none repeats a benchmark
question."""

from __future__ import annotations

from collections import Counter

from finetune.data import question_key
from finetune.prepare import BENCHMARK_CASES, held_out_questions
from finetune.synth import ShopFacts, synthesize
from tools.agent_tools import build_registry
from tools.events.simulate.profile import demo_profile


def _first_reply(dialogue) -> str:
    reply = next(m for m in dialogue.messages if m["role"] == "assistant")
    calls = reply.get("tool_calls") or []
    return calls[0]["function"]["name"] if calls else "(no tool)"


def test_synthetic_dialogues_cover_every_tool_and_no_tool_replies_in_both_roles(demo_shop, settings) -> None:
    registry = build_registry(None, profile=demo_profile())
    facts = ShopFacts.load(demo_shop[0].root, settings.docs_dir, demo_profile())
    dialogues = synthesize(registry, facts, 600, seed=1)
    by_role = {role: Counter(_first_reply(d) for d in dialogues if d.role == role)
               for role in ("customer", "operator")}
    for role, counts in by_role.items():
        expected = {tool.name for tool in registry.for_role(role)} | {"(no tool)"}
        assert set(counts) == expected, f"{role}: missing {expected - set(counts)}"
    # A refusal never calls a tool of another role: every customer call is a customer tool.
    customer_tools = {tool.name for tool in registry.for_role("customer")}
    assert set(by_role["customer"]) <= customer_tools | {"(no tool)"}


def test_synthetic_phrasings_mostly_differ_from_the_benchmark(demo_shop, settings) -> None:
    facts = ShopFacts.load(demo_shop[0].root, settings.docs_dir, demo_profile())
    dialogues = synthesize(build_registry(None, profile=demo_profile()), facts, 600, seed=2)
    held_out = held_out_questions(BENCHMARK_CASES)
    questions = [m["content"] for d in dialogues for m in d.messages if m["role"] == "user"]
    copies = [q for q in questions if question_key(q) in held_out]
    assert len(copies) <= len(questions) // 100, copies  # prepare() drops the rest (decontaminate)


def test_customers_asking_an_operator_question_are_refused(demo_shop, settings) -> None:
    from finetune.synth import REFUSAL_ANSWER

    facts = ShopFacts.load(demo_shop[0].root, settings.docs_dir, demo_profile())
    dialogues = synthesize(build_registry(None, profile=demo_profile()), facts, 1200, seed=3)
    operator_questions = {d.messages[1]["content"]
                          for d in dialogues if d.role == "operator" and _first_reply(d) != "(no tool)"}
    refused = [d.messages[1]["content"] for d in dialogues
               if d.role == "customer" and d.messages[-1]["content"] == REFUSAL_ANSWER["customer"]]
    asked_by_both = [q for q in refused if q in operator_questions]
    # the same analytics question: a call for one role, a refusal for the other
    assert len(asked_by_both) >= 5, asked_by_both


def test_dialogues_of_another_shop_use_its_places_currency_and_catalogue_only(demo_shop, settings) -> None:
    from dataclasses import replace

    from tests.shops import NORTHWIND

    demo = ShopFacts.load(demo_shop[0].root, settings.docs_dir, demo_profile())
    products = [(f"NW-{i}", f"{kind} {i}", kind) for i, kind in enumerate(["Tents", "Kayaks", "Stoves"] * 5)]
    passages = [("returns-1", "Returns > Window", "Return any unused item within 30 days of delivery for a "
                 "full refund. Start a return from your account page; we email a prepaid label. " * 2)]
    northwind = replace(demo, products=products, currency="USD", passages=passages,
                        places={level: [p.name for p in NORTHWIND.at_level(level)]
                                for level in ("country", "region", "city")})
    dialogues = synthesize(build_registry(None, profile=NORTHWIND), northwind, 600, seed=4)
    text = " ".join(str(m.get("content", "")) + str(m.get("tool_calls", ""))
                    for d in dialogues for m in d.messages if m["role"] != "system")
    demo_places = {p.name for p in demo_profile().places} - {p.name for p in NORTHWIND.places}
    assert not [name for name in demo_places if f" {name}" in text]
    assert "EUR" not in text and " euros" not in text
    assert {"Mumbai", "Oregon", "Kayaks", "USD"} <= {w.strip(".,:?'\"") for w in text.split()}
