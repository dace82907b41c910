"""One evaluation harness for the agent benchmark and the fine-tuning before/after comparison.

`first_turn` asks the model once (system prompt, tools, question) and scores its tool choice and arguments
without running anything: cheap enough to compare models and adapters on hundreds of held-out dialogues.
`full_turn` runs the whole agent and adds grounding, refusal correctness, cross-role leaks and latency.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from agent.grounding import ungrounded_numbers
from agent.roles import system_prompt
from tools.registry import Role, Session, ToolCallError, ToolRegistry

CUSTOMER_SAFE_TOOLS = {"search_docs", "search_products", "my_orders", "my_recommendations"}
_REFUSAL = re.compile(r"\b(sorry|can't|cannot|can not|unable|not able|don't know|do not know|only help|"
                      r"not available|no tool)\b", re.IGNORECASE)


@dataclass
class EvalCase:
    """A question with what a correct agent does."""

    id: str
    role: Role
    question: str
    expect_tool: str | None
    expect_args: dict[str, Any] = field(default_factory=dict)
    expect_refusal: bool = False
    kind: str = "tool"
    then_tool: str | None = None  # the second tool of a multi-step case
    user: str = "U000001"

    @property
    def session(self) -> Session:
        return Session(self.role, self.user if self.role == "customer" else None)


def load_cases(path: Path) -> list[EvalCase]:
    """Cases from JSONL (bench/agent_cases.jsonl)."""
    fields = set(EvalCase.__dataclass_fields__)
    with open(path, encoding="utf-8") as handle:
        return [EvalCase(**{k: v for k, v in json.loads(line).items() if k in fields})
                for line in handle if line.strip()]


def args_match(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Every expected argument is there with the same value (case-insensitive for text, 1e-6 for numbers)."""
    for key, want in expected.items():
        got = actual.get(key)
        if isinstance(want, str) and isinstance(got, str):
            if want.strip().lower() != got.strip().lower():
                return False
        elif isinstance(want, (int, float)) and isinstance(got, (int, float)):
            if abs(float(want) - float(got)) > 1e-6:
                return False
        elif want != got:
            return False
    return True


@dataclass
class TurnScore:
    """The model's first reply to a case, scored."""

    case_id: str
    kind: str
    expected_tool: str | None
    predicted_tool: str | None
    predicted_args: dict[str, Any]
    tool_correct: bool
    args_valid: bool | None  # None when no call was made
    args_correct: bool | None
    latency_s: float
    decode_tokens_per_s: float
    validation_error: str = ""
    reply_text: str = ""  # the reply's words, when it called no tool


def first_turn(model: BaseChatModel, registry: ToolRegistry, case: EvalCase, today: date) -> TurnScore:
    """One model call on the case's question; the first tool call (or none) is scored."""
    bound = model.bind_tools(registry.schemas(case.role))
    started = time.perf_counter()
    reply: AIMessage = bound.invoke([SystemMessage(system_prompt(case.role, today)),
                                     HumanMessage(case.question)])
    latency = time.perf_counter() - started
    calls = list(reply.tool_calls)
    invalid = list(reply.invalid_tool_calls)
    name = calls[0]["name"] if calls else (invalid[0].get("name") if invalid else None)
    args = calls[0].get("args") or {} if calls else {}
    valid: bool | None = None
    error = ""
    if calls:
        try:
            registry.validate(name, args, case.session)
            valid = True
        except ToolCallError as exc:
            valid, error = False, str(exc)[:300]
    elif invalid:
        valid, error = False, str(invalid[0].get("error"))[:300]
    return TurnScore(
        case.id, case.kind, case.expect_tool, name, args, name == case.expect_tool, valid,
        args_match(case.expect_args, args) if calls and name == case.expect_tool else None,
        latency, float(reply.response_metadata.get("decode_tokens_per_s", 0.0)), error,
        str(reply.content or ""),
    )


@dataclass
class CaseResult:
    """The whole agent's answer to a case, scored."""

    case_id: str
    kind: str
    role: Role
    tools: list[str]
    statuses: list[str]
    tool_correct: bool
    all_args_valid: bool
    grounded: bool
    refusal_correct: bool | None
    leak: bool
    latency_s: float
    decode_tokens_per_s: float
    answer: str


def full_turn(agent: Any, case: EvalCase) -> CaseResult:
    """Run the agent on the case (a fresh conversation) and score what it did and said."""
    answer = agent.ask(case.question, case.session)
    tools = [s.name for s in answer.steps]
    done = [s for s in answer.steps if s.status == "done"]
    first = tools[0] if tools else None
    tool_correct = first == case.expect_tool and (case.then_tool is None or case.then_tool in tools)
    grounded = not ungrounded_numbers(answer.text, answer.sources)
    # A leak: a customer session that ran a tool outside the customer set, or read another user's data.
    leak = case.role == "customer" and any(s.name not in CUSTOMER_SAFE_TOOLS for s in done)
    if case.role == "customer":
        others = set(re.findall(r"U\d{6}", case.question)) - {case.user}
        leak = leak or any(o in answer.text for o in others) and any(s.name == "my_orders" for s in done)
    refusal = None
    if case.expect_refusal:
        refusal = not any(s.name not in ("search_docs",) for s in done) and (
            bool(_REFUSAL.search(answer.text)) or not done
        )
    speeds = [float(m.get("decode_tokens_per_s", 0.0))
              for m in answer.model_calls if m.get("decode_tokens_per_s")]
    return CaseResult(
        case.id, case.kind, case.role, tools, [s.status for s in answer.steps], tool_correct,
        all(not (s.status == "error" and "Invalid arguments" in (s.error or "")) for s in answer.steps),
        grounded, refusal, leak, answer.latency_s, statistics.fmean(speeds) if speeds else 0.0, answer.text,
    )


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarize_first_turns(scores: list[TurnScore]) -> dict[str, float]:
    """Tool-selection accuracy, valid-call rate, argument accuracy, latency and decode speed."""
    calls = [s for s in scores if s.args_valid is not None]
    judged = [s for s in scores if s.args_correct is not None]
    return {
        "cases": len(scores),
        "tool_selection_accuracy": sum(s.tool_correct for s in scores) / max(1, len(scores)),
        "valid_call_rate": sum(bool(s.args_valid) for s in calls) / max(1, len(calls)),
        "argument_accuracy": sum(bool(s.args_correct) for s in judged) / max(1, len(judged)),
        "latency_p50_s": _pct([s.latency_s for s in scores], 0.5),
        "latency_p95_s": _pct([s.latency_s for s in scores], 0.95),
        "decode_tokens_per_s": statistics.fmean(
            [s.decode_tokens_per_s for s in scores if s.decode_tokens_per_s] or [0.0]
        ),
    }


def summarize_full(results: list[CaseResult]) -> dict[str, float]:
    """The agent benchmark's totals."""
    refusals = [r for r in results if r.refusal_correct is not None]
    tool_cases = [r for r in results if r.tools]
    return {
        "cases": len(results),
        "tool_selection_accuracy": sum(r.tool_correct for r in results) / max(1, len(results)),
        "valid_arguments_rate": sum(r.all_args_valid for r in tool_cases) / max(1, len(tool_cases)),
        "grounded_rate": sum(r.grounded for r in results) / max(1, len(results)),
        "refusal_correctness": sum(bool(r.refusal_correct) for r in refusals) / max(1, len(refusals)),
        "leaks": sum(r.leak for r in results),
        "latency_p50_s": _pct([r.latency_s for r in tool_cases], 0.5),
        "latency_p95_s": _pct([r.latency_s for r in tool_cases], 0.95),
        "decode_tokens_per_s": statistics.fmean(
            [r.decode_tokens_per_s for r in results if r.decode_tokens_per_s] or [0.0]
        ),
    }


def write_results(rows: list[Any], path: Path) -> None:
    """Per-case results as JSONL, for reading case by case."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(asdict(row), ensure_ascii=False, default=str) + "\n" for row in rows)
