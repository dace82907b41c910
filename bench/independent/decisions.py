"""Score decision heads on the independent set without decoding: one prefill per case, every heads file.

The first tool of a reply with decision heads is the head's pick at the prompt's last token; decoding the
arguments is what makes a first-tool run slow. Here each case's first-turn prompt (rendered exactly as the
chat model renders it) is prefilled once, the hidden states the heads read are kept, and every given heads
file decides on the same states, so two fits are compared on identical inputs in one run. A question whose
words name one tool's task gets that tool, as the chat model gives it (agent/llm/tool_words.py).

    rows = decide_cases(chat_model, registry, cases, today, {"shipped": heads_a, "refit": heads_b})
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from agent.llm.decision_head import ANSWER, DecisionHeads, last_hidden_state
from agent.roles import system_prompt


def prompt_state(chat_model: Any, tools: list[dict[str, Any]], role: str, question: str, today: date,
                 layer: int) -> Any:
    """Hidden state `layer` at the last token of the first-reply prompt the chat model would run."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from agent.llm.template import render_prompt

    runtime = chat_model.runtime
    messages = [SystemMessage(system_prompt(role, today)), HumanMessage(question)]
    ids = runtime.encode(render_prompt(runtime.tokenizer, messages, tools))
    with last_hidden_state(runtime.model, layer) as seen:
        for _ in runtime.decode_tokens(ids, max_new_tokens=1):
            break
    if not seen:
        raise RuntimeError("The prefill recorded no hidden state; is the model's decoder hooked?")
    return seen[0].float().cpu()


def decide_cases(
    chat_model: Any, registry: Any, cases: list[dict[str, Any]], today: date, heads: dict[str, DecisionHeads],
) -> list[dict[str, Any]]:
    """Per case: its groups and, per heads name, the picked tool (None for a plain answer) and whether it is
    right (the expected tool or one of the case's alternatives)."""
    from agent.llm.named_tools import named_tool
    from agent.llm.tool_schema import to_openai_tools

    layers = {head.layer for fitted in heads.values() for head in fitted.heads}
    if len(layers) != 1:
        raise ValueError(f"The heads read different layers {sorted(layers)}; compare heads of one layer.")
    layer = layers.pop()
    rows = []
    for case in cases:
        role = case["role"]
        tools = to_openai_tools(registry.schemas(role))
        names = [tool["function"]["name"] for tool in tools]
        state = prompt_state(chat_model, tools, role, case["turns"][0], today, layer)
        row: dict[str, Any] = {key: case[key] for key in ("id", "role", "language", "style", "expected_tool")}
        accepted = {case["expected_tool"], *(case.get("alternatives") or [])}
        for name, fitted in heads.items():
            head = fitted.for_tools(names)
            if head is None:
                raise ValueError(f"Heads {name!r} have no head for the {role} tools {sorted(names)}.")
            label = named_tool(case["turns"][0], tools) or head.decide(state)  # as the chat model decides
            pick = None if label == ANSWER else label
            row[name] = {"tool": pick, "right": pick in accepted}
        rows.append(row)
    return rows


def decision_table(rows: list[dict[str, Any]], names: list[str]) -> dict[str, dict[str, float]]:
    """Share of right first tools per group ("all", "role=", "language=", "style=") and heads name."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        for key in ("all", f"role={row['role']}", f"language={row['language']}", f"style={row['style']}"):
            groups[key].append(row)
    return {key: {"cases": len(members), **{name: sum(r[name]["right"] for r in members) / len(members)
                                            for name in names}}
            for key, members in groups.items()}


def print_decision_table(title: str, table: dict[str, dict[str, float]], names: list[str]) -> None:
    """One line per group: the case count and each heads' share of right first tools."""
    print(title)
    for key in sorted(table, key=lambda k: (k != "all", k)):
        shares = "  ".join(f"{name} {table[key][name]:.3f}" for name in names)
        print(f"  {key:<22} n={int(table[key]['cases']):>3}  {shares}")
