"""Dependent plans: after the finding tool's real result, is the next step the dependent tool with the value
found ("forecast the region that spikes most on Friday night": find_spikes, then forecast_demand for the
region its result leads with), and after a one-step question's result, no further call?

    python bench/plans.py                          # the settings' adapter and its decision heads
    python bench/plans.py --adapter /tmp/a         # another adapter folder (heads beside it)

Each case runs its first call on the shop (the settings' store), puts the call and its result in the prompt
as the agent does, and asks the chat model for the next reply as the agent does without drafts (calls only;
a tool that already answered stops the reply). Three runs: the model deciding that reply itself (the
baseline: the adapter's heads after tool results removed, its heads for first replies kept), the heads
deciding with the call's place and category free among all the shop's names (the schemas' shop-set marks
removed), and the heads deciding with those narrowed to the names the turn mentions (turn_values.py).
The questions were written for this check, apart from every benchmark and training set.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FRIDAY = {"day": "Friday", "start_hour": 20, "end_hour": 24}
# (role, question, first tool, its arguments, the next tool (None: no further call), the argument that must
# carry the first result's leading value (None: any))
CASES: list[tuple[str, str, str, dict[str, Any], str | None, str | None]] = [
    ("operator",
     "Forecast next week's demand for the region that spikes most on Friday night",
     "find_spikes", FRIDAY, "forecast_demand", "place"),
    ("operator",
     "Which region spikes hardest on Saturday evenings, and what are its top products?",
     "find_spikes", {"day": "Saturday", "start_hour": 18, "end_hour": 22}, "top_items", "place"),
    ("operator",
     "Find the category with the biggest Friday-night spike and forecast it for the next two weeks",
     "find_spikes", {**FRIDAY, "group_by": "category"}, "forecast_demand", "category"),
    ("operator",
     "What was our best region by revenue this month? Forecast its demand for 30 days.",
     "top_items", {"metric": "revenue", "group_by": "region", "period": "this_month"}, "forecast_demand",
     "place"),
    ("operator",
     "Which product sold best over the last 30 days, and what is bought together with it?",
     "top_items", {"metric": "units", "group_by": "product"}, "recommend", "product"),
    ("operator",
     ("Welche Region hat am Freitagabend den größten Ausschlag? Prognostiziere dann deren Nachfrage für die "
      "nächste Woche."),
     "find_spikes", FRIDAY, "forecast_demand", "place"),
    ("operator",
     "Quelle région connaît le plus fort pic le vendredi soir, et quels sont ses meilleurs produits ?",
     "find_spikes", FRIDAY, "top_items", "place"),
    ("operator",
     "¿Qué categoría vendió más este mes? Haz una previsión de esa categoría para el próximo mes.",
     "top_items", {"metric": "revenue", "group_by": "category", "period": "this_month"}, "forecast_demand",
     "category"),
    ("operator",
     "Qual è la regione con il picco più alto il sabato sera? Fammi la previsione per quella regione.",
     "find_spikes", {"day": "Saturday", "start_hour": 20, "end_hour": 24}, "forecast_demand", "place"),
    ("operator",
     "which city spikes most on sunday mornings, then show revenue by product there",
     "find_spikes", {"day": "Sunday", "start_hour": 8, "end_hour": 12, "group_by": "city"}, "top_items",
     "place"),
    ("operator",
     "Which category dropped the most in orders week over week? Forecast it for next week",
     "compare_periods", {"metric": "orders", "group_by": "category", "order": "biggest_drop"},
     "forecast_demand", "category"),
    ("operator",
     "check for fraud this week and tell me the return policy",
     "detect_fraud", {"since": "7d"}, "search_docs", None),
    ("customer",
     "Recommend something that goes with my last purchase",
     "my_orders", {}, "my_recommendations", "product"),
    ("customer",
     "What's my latest order and can I still return it?",
     "my_orders", {}, "search_docs", None),
    ("customer",
     "Was würde zu meiner letzten Bestellung passen? Empfiehl mir etwas.",
     "my_orders", {}, "my_recommendations", "product"),
    # one step: nothing more to call after the result
    ("operator", "Which regions spike on Friday night?", "find_spikes", FRIDAY, None, None),
    ("operator", "Top 5 products by revenue in the last 30 days", "top_items",
     {"metric": "revenue", "group_by": "product", "top_k": 5}, None, None),
    ("operator", "Prognose für Kopfhörer in Bayern für die nächsten zwei Wochen", "forecast_demand",
     {"category": "Headphones", "place": "Bavaria", "horizon_days": 14}, None, None),
    ("operator", "Y a-t-il de la fraude cette semaine ?", "detect_fraud", {"since": "7d"}, None, None),
    ("customer", "Where is my order?", "my_orders", {}, None, None),
]
_LEADS = (r"\(\d+ x ([^,)]+)",  # an order's first item
          r"^([^:]+): .*? [\d.]+x its baseline",  # a spike's first group
          r"^[^:]*: [^;]+? \(([^()\s]+)\) [-+]?[\d.,]+%?[;( ]",  # a product ranking: "Name (P0497) 39.9"
          r"^[^:]*: (.+?) [-+]?[\d.,]+%?[;( ]")  # a ranking's or a comparison's first row


def leading_value(result: str) -> str | None:
    """The first place, category or product a tool's summary names (the line inside its result block)."""
    summary = result.split("\n")[1]
    return next((m.group(1) for m in (re.search(p, summary) for p in _LEADS) if m), None)


def unmarked(node: Any) -> Any:
    """Tool schemas without their shop-set marks: a call after tool results is not narrowed to the turn."""
    from tools.registry import SHOP_SET

    if isinstance(node, list):
        return [unmarked(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {key: unmarked(value) for key, value in node.items() if key != SHOP_SET}


def next_steps(chat: Any, registry: Any, user: str, today: Any, narrowed: bool) -> list[tuple[bool, bool]]:
    """Per case: (whether the reply after its first result calls the expected next tool (or none), whether
    it is the expected next step, value found included); `narrowed`: with the turn's names."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

    from agent.llm.reply_controls import ReplyControls
    from agent.roles import system_prompt
    from tools.registry import Session, run_step

    right = []
    for role, question, tool, args, wanted, key in CASES:
        step = run_step(registry, tool, args, Session(role, user if role == "customer" else None))  # type: ignore[arg-type]
        if step.output is None:
            raise SystemExit(f"{tool}({args}) failed on this shop: {step.error}")
        result = step.output.as_message_text(max_rows=0)
        prompt = [SystemMessage(system_prompt(role, today)), HumanMessage(question),  # type: ignore[arg-type]
                  AIMessage("", tool_calls=[{"name": tool, "args": args, "id": "c1"}]),
                  ToolMessage(result, tool_call_id="c1", name=tool)]
        started = time.perf_counter()
        controls = ReplyControls(calls_only=True, answered_tools=frozenset({tool}))
        schemas = registry.schemas(role)
        reply = chat.bind_tools(schemas if narrowed else unmarked(schemas)).invoke(prompt, controls=controls)
        calls = [(c["name"], c["args"]) for c in reply.tool_calls]
        found = leading_value(result) if key else None
        tool_ok = not calls if wanted is None else bool(calls) and calls[0][0] == wanted
        ok = tool_ok and (key is None or str(calls[0][1].get(key, "")).lower() == str(found).lower())
        right.append((tool_ok, ok))
        print(f"  {'ok  ' if ok else 'miss'} {question[:60]!r} found={found!r} want={wanted} got={calls} "
              f"decision={reply.response_metadata.get('decision')} {time.perf_counter() - started:.1f}s",
              flush=True)
    return right


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", default=None, help="Adapter folder (default: the settings').")
    args = parser.parse_args(argv)

    from agent.config import Settings
    from agent.llm.chat_model import LocalChatModel
    from agent.llm.decision_head import RESULT, DecisionHeads
    from chronotope.wiring import data_date, shop_engines
    from tools.agent_tools import build_registry

    settings = Settings(**({"adapter": args.adapter} if args.adapter else {}))
    engines = shop_engines(settings)
    registry = build_registry(engines)
    user = engines.store.connect().execute(
        "SELECT user_id FROM orders GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    chat = LocalChatModel.from_options(settings.model_options())
    loaded = chat.runtime.loaded
    heads = loaded.decision_heads
    if heads is None or not any(head.point == RESULT for head in heads.heads):
        raise SystemExit(f"The adapter {settings.adapter} has no decision heads after tool results; fit them "
                         "with `chronotope finetune heads --adapter ...` on data with plans.")
    plan = [wanted is not None for _, _, _, _, wanted, _ in CASES]
    model_heads = DecisionHeads(tuple(h for h in heads.heads if h.point != RESULT), {})
    right = {}
    for name, kept, narrowed in (("model", model_heads, False), ("heads", heads, False),
                                 ("heads_turn_names", heads, True)):
        print(f"{name} decides after the results:")
        chat.runtime.loaded = replace(loaded, decision_heads=kept)
        right[name] = next_steps(chat, registry, user, data_date(settings), narrowed)
    for name, oks in right.items():
        print(f"next_step_right_{name}: {sum(o for (_, o), p in zip(oks, plan) if p)} of {sum(plan)} plans")
        print(f"next_tool_right_{name}: {sum(t for (t, _), p in zip(oks, plan) if p)} of {sum(plan)} plans")
        print(f"no_further_call_{name}: {sum(o for (_, o), p in zip(oks, plan) if not p)} of "
              f"{len(plan) - sum(plan)} one-step questions")
    model, best = (sum(o for (_, o), p in zip(right[n], plan) if p) for n in ("model", "heads_turn_names"))
    print(f"ratio: {best / max(model, 1):.2f}x plans' next steps right (heads, turn's names) vs the model "
          "deciding")


if __name__ == "__main__":
    main()
