"""Synthetic dialogues: every call validates, every kind of reply is there, none repeats a benchmark question."""

from __future__ import annotations

from collections import Counter

from finetune.data import question_key
from finetune.prepare import BENCHMARK_CASES, held_out_questions
from finetune.synth import ShopFacts, synthesize
from tools.agent_tools import build_registry


def _first_reply(dialogue) -> str:
    reply = next(m for m in dialogue.messages if m["role"] == "assistant")
    calls = reply.get("tool_calls") or []
    return calls[0]["function"]["name"] if calls else "(no tool)"


def test_synthetic_dialogues_cover_every_tool_and_no_tool_replies_in_both_roles(demo_shop, settings) -> None:
    registry = build_registry(settings)
    facts = ShopFacts.load(demo_shop[0].root, settings.docs_dir)
    dialogues = synthesize(registry, facts, 600, seed=1)
    by_role = {role: Counter(_first_reply(d) for d in dialogues if d.role == role) for role in ("customer", "operator")}
    for role, counts in by_role.items():
        expected = {tool.name for tool in registry.for_role(role)} | {"(no tool)"}
        assert set(counts) == expected, f"{role}: missing {expected - set(counts)}"
    # A refusal never calls a tool of another role: every customer call is a customer tool.
    customer_tools = {tool.name for tool in registry.for_role("customer")}
    assert set(by_role["customer"]) <= customer_tools | {"(no tool)"}


def test_synthetic_phrasings_mostly_differ_from_the_benchmark(demo_shop, settings) -> None:
    facts = ShopFacts.load(demo_shop[0].root, settings.docs_dir)
    dialogues = synthesize(build_registry(settings), facts, 600, seed=2)
    held_out = held_out_questions(BENCHMARK_CASES)
    questions = [m["content"] for d in dialogues for m in d.messages if m["role"] == "user"]
    copies = [q for q in questions if question_key(q) in held_out]
    assert len(copies) <= len(questions) // 100, copies  # prepare() drops the rest (decontaminate)


def test_policy_questions_in_everyday_words_cite_a_passage_on_their_topic(demo_shop, settings) -> None:
    import random

    from finetune.synth import EVERYDAY_POLICY, _everyday_policy_case

    facts = ShopFacts.load(demo_shop[0].root, settings.docs_dir)
    rng = random.Random(3)
    words = {query.split(" ")[0]: word for word, query, _ in EVERYDAY_POLICY}
    for _ in range(60):
        question, tool, args, result = _everyday_policy_case(rng, facts)
        assert tool == "search_docs" and "{" not in question + args["query"]  # every placeholder filled
        word = words[args["query"].split(" ")[0]]
        assert word in result(args).lower()


def test_customers_asking_operator_questions_are_refused_without_a_tool(demo_shop, settings) -> None:
    from finetune.synth import REFUSAL_ANSWER

    facts = ShopFacts.load(demo_shop[0].root, settings.docs_dir)
    dialogues = synthesize(build_registry(settings), facts, 600, seed=4)
    refused = [d.messages[1]["content"] for d in dialogues
               if d.role == "customer" and d.messages[-1]["content"] == REFUSAL_ANSWER["customer"]]
    asked_by_operators = {d.messages[1]["content"] for d in dialogues if d.role == "operator" and _first_reply(d) != "(no tool)"}
    assert any("spike" in q.lower() or q in asked_by_operators for q in refused)


def test_grouping_nouns_are_pluralised_as_english() -> None:
    from finetune.synth import _plural

    assert [_plural(n) for n in ("region", "city", "country", "category", "day_of_week")] == [
        "regions", "cities", "countries", "categories", "days of week"]
