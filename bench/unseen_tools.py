"""Benchmark of general tool calling on tools the project never saw: the bare model against the adapted one.

    nice .venv/bin/python bench/unseen_tools.py                 # all 36 cases, bare and shipped adapter
    nice .venv/bin/python bench/unseen_tools.py --limit 4       # the first 4 cases of each kind

The shop adapter was trained on the shop's own tools; a tool added tomorrow must work before any retraining.
`bench/unseen_tools_cases.json` holds 14 foreign tool schemas (weather, currency, calendar, shipping quote,
...) and 36 questions written for them: `single` (one tool bound, the question needs it), `choose` (3-4 tools
bound, the question needs one of them) and `none` (tools bound, the question needs none). A reply is a right
call when its first call names the expected function with the expected arguments (strings compared without
case and surrounding punctuation, numbers as numbers, lists as sets; arguments the case does not name may be
anything the schema allows), and, for `none`, when it holds no call at all.

Both models run the same cases with the project's chat model (constrained decoding, `tool_choice="auto"`, no
system prompt). Prints `name: value unit` lines per model and kind and ends with the ratio of the adapted
model's right calls to the bare model's (1.0 or more: no worse on unseen tools).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The repo root first, so `agent` is the package and not bench/agent.py beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CASES_FILE = Path(__file__).resolve().with_name("unseen_tools_cases.json")
KINDS = ("single", "choose", "none")


@dataclass(frozen=True)
class UnseenToolCase:
    """One question, the foreign tools bound for it, and the call it needs (None: no call)."""

    case_id: str
    kind: str  # one of KINDS
    tools: tuple[dict[str, Any], ...]  # OpenAI-style schemas
    question: str
    expected: dict[str, Any] | None  # {"name": ..., "arguments": {...}}


@dataclass(frozen=True)
class CaseResult:
    """What one model did on one case."""

    case: UnseenToolCase
    right: bool
    calls: list[tuple[str, dict[str, Any]]]
    content: str
    latency_s: float
    adapter: str | None  # the adapter the reply was decoded with (None: the bare weights)


def load_cases(path: Path = CASES_FILE) -> list[UnseenToolCase]:
    """The benchmark's cases, each with its tools' schemas."""
    data = json.loads(path.read_text(encoding="utf-8"))
    schemas = {tool["function"]["name"]: tool for tool in data["tools"]}
    return [
        UnseenToolCase(case["id"], case["kind"], tuple(schemas[name] for name in case["tools"]),
                       case["question"], case["expected"])
        for case in data["cases"]
    ]


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, list):
        return isinstance(actual, list) and {_norm(x) for x in expected} == {_norm(x) for x in actual}
    return _norm(expected) == _norm(actual)


def _norm(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return value.strip().strip(".,!?'\"").casefold()
    return value


def is_right_call(case: UnseenToolCase, calls: list[tuple[str, dict[str, Any]]], invalid: int) -> bool:
    """Whether a reply's calls are what `case` needs: no call for `none`, else a first call to the expected
    function with the expected arguments."""
    if case.expected is None:
        return not calls and not invalid
    if not calls:
        return False
    name, arguments = calls[0]
    return name == case.expected["name"] and all(
        key in arguments and _same(value, arguments[key]) for key, value in case.expected["arguments"].items()
    )


def run_cases(chat: Any, cases: list[UnseenToolCase], log: Callable[[str], None] | None = None
              ) -> list[CaseResult]:
    """Each case's first reply from `chat` (a LangChain chat model with `bind_tools`)."""
    from langchain_core.messages import HumanMessage

    results = []
    for case in cases:
        started = time.perf_counter()
        reply = chat.bind_tools(list(case.tools)).invoke([HumanMessage(case.question)])
        latency = time.perf_counter() - started
        calls = [(call["name"], call["args"]) for call in reply.tool_calls]
        result = CaseResult(case, is_right_call(case, calls, len(reply.invalid_tool_calls)), calls,
                            str(reply.content), latency, reply.response_metadata.get("adapter"))
        results.append(result)
        if log:
            shown = calls or repr(result.content[:70])
            log(f"  {case.case_id} [{case.kind}] right={result.right} {latency:.1f}s -> {shown}")
    return results


def right_call_rates(results: list[CaseResult]) -> dict[str, float]:
    """Right-call rate per kind and over all cases ("all")."""
    rates = {}
    for kind in KINDS:
        of_kind = [result.right for result in results if result.case.kind == kind]
        if of_kind:
            rates[kind] = sum(of_kind) / len(of_kind)
    rates["all"] = sum(result.right for result in results) / len(results)
    return rates


def line(name: str, value: float | str, unit: str = "") -> None:
    text = f"{value:.3f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text} {unit}".rstrip(), flush=True)


def main(args: argparse.Namespace) -> None:
    from agent.config import Settings
    from agent.llm.chat_model import LocalChatModel

    cases = load_cases()
    if args.limit:
        cases = [case for kind in KINDS for case in [c for c in cases if c.kind == kind][: args.limit]]
    adapted_settings = Settings(model=args.model)
    if adapted_settings.adapter is None:
        raise SystemExit(f"{args.model} has no shipped adapter; set CHRONOTOPE_ADAPTER to compare one.")
    models = {
        "bare": Settings(model=args.model, adapter="none").model_options(),
        "adapted": adapted_settings.model_options(),
    }
    line("model", args.model)
    line("adapter", str(adapted_settings.adapter))
    line("cases", len(cases), "cases")
    rates = {}
    for label, options in models.items():
        chat = LocalChatModel.from_options(options)
        results = run_cases(chat, cases, log=print)
        rates[label] = right_call_rates(results)
        for kind, rate in rates[label].items():
            line(f"right_call_rate_{label}_{kind}", rate, "")
        line(f"latency_p50_{label}", statistics.median(r.latency_s for r in results), "s")
        if label == "adapted":
            bare_share = sum(r.adapter is None for r in results) / len(results)
            line("adapted_replies_decoded_without_adapter", bare_share, "")
    line("ratio_right_calls_adapted_vs_bare", rates["adapted"]["all"] / max(rates["bare"]["all"], 1e-9), "x")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b", help="Named model with a shipped adapter.")
    parser.add_argument("--limit", type=int, default=0, help="Run only the first N cases of each kind.")
    return parser.parse_args()


if __name__ == "__main__":
    main(parse_args())
