"""What the user sees of a document search: the answer the agent composes from the docs tool's result, and
whether the passage it quotes is one that answers the question (bench/knowledge.py prints it)."""

from __future__ import annotations

import statistics
import time
from types import SimpleNamespace

from tools.knowledge import KnowledgeBase


def section_key(citation_id: str) -> str:
    """'returns#opened-items/2' -> 'returns#opened-items' (windows of one section count as that section)."""
    return citation_id.split("/", 1)[0]


def answer_precision(kb: KnowledgeBase, questions: list[dict]) -> dict[str, float]:
    """Share of questions whose composed answer quotes a relevant section (the agent's path: the search_docs
    tool, then compose_answer), per source and per half (even / odd question numbers), and the tool's p50
    latency in ms."""
    from agent.composition import compose_answer
    from agent.grounding import citations_in
    from tools.agent_tools.customer import search_docs
    from tools.registry import Session, ToolRegistry, run_step

    registry = ToolRegistry([search_docs], engines=SimpleNamespace(kb=kb, store=None))
    quoted: list[bool] = []
    latencies: list[float] = []
    for item in questions:
        role = "customer" if item["source"] == "shop" else "operator"  # ABCD's guidelines are internal
        started = time.perf_counter()
        step = run_step(registry, "search_docs", {"query": item["question"]}, Session(role, None))  # a guest
        answer = compose_answer([step], "en") if step.output is not None else ""
        latencies.append((time.perf_counter() - started) * 1000)
        # the first citation that is a passage's: a passage may hold bracketed words ("[Instructions]")
        known = {c.citation_id for c in step.output.citations} if step.output is not None else set()
        cited = [c for c in citations_in(answer) if c in known]
        quoted.append(bool(cited) and section_key(cited[0]) in item["relevant"])
    result: dict[str, float] = {"p50_ms": statistics.median(latencies)}
    groups = {"all": lambda q: True, "shop": lambda q: q["source"] == "shop",
              "abcd": lambda q: q["source"] == "abcd", "even": lambda q: question_number(q) % 2 == 0,
              "odd": lambda q: question_number(q) % 2 == 1}
    for name, member in groups.items():
        picked = [ok for ok, q in zip(quoted, questions) if member(q)]
        if picked:
            result[name] = sum(picked) / len(picked)
    return result


def question_number(item: dict) -> int:
    """'shop-012' or 'shop-012-de' (intent 'shop-012') -> 12."""
    return int(str(item.get("intent", item["id"])).split("-")[1])
