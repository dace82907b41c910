"""Run the agent on the independent set and score it: first tool, valid calls, answers judged against the
shop's data (`checks.score_answer`), refusals, role leaks, stray script; per role, language and style.

    rows = [run_case(agent, case, store, profile, customer) for case in load_cases("demo")]
    print_summary(summarize(rows))

`first_tool_only` asks the model once per single-turn case (no tools run): cheap enough for every case.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from bench.independent.cases import operator_only_tools
from bench.independent.checks import score_answer
from tools.events.profile import ShopProfile
from tools.events.store import EventStore
from tools.language import foreign_letters
from tools.registry import Session, ToolCallError


@dataclass
class CaseRow:
    """One case's outcome."""

    case_id: str
    shop: str
    role: str
    language: str
    style: str
    expected_tool: str | None
    first_tool: str | None
    tool_right: bool
    calls_valid: bool
    answer_right: bool | None  # None in first-tool-only runs
    reason: str
    leak: bool
    stray: bool
    latency_s: float
    answer: str
    slots_right: bool | None = None  # the first call's SLOTS as the case wants them; None: tool wrong
    arguments: dict[str, Any] | None = None  # the first call's arguments, defaults filled in


# The structured arguments a first call is judged on. A shop-set slot (place, category) the case does not
# give must be left out: an added place answers for somewhere the user never named.
SLOTS = ("place", "category", "period", "group_by", "metric", "comparison")
SHOP_SLOTS = ("place", "category")


def slots_right(expected: dict[str, Any], arguments: dict[str, Any]) -> bool:
    """Whether `arguments` (defaults filled in) give each of SLOTS the case's `expected` value (text in any
    case), and leave out each SHOP_SLOTS slot it does not give."""
    for slot in SLOTS:
        want, got = expected.get(slot), arguments.get(slot)
        if want is None and slot not in SHOP_SLOTS:
            continue
        if (str(want).casefold() if want is not None else None) != (
                str(got).casefold() if got is not None else None):
            return False
    return True


def _filled(registry: Any, name: str | None, args: dict[str, Any], session: Session) -> dict[str, Any] | None:
    """A call's arguments with the tool's defaults filled in; None when it does not validate."""
    if name is None:
        return None
    try:
        return registry.validate(name, args, session)[1].model_dump()
    except ToolCallError:  # an invalid call: judged by calls_valid
        return None


def signed_in_customer(store: EventStore) -> str:
    """The customer the set's customer cases are asked as: the one with the most orders (ties: lowest id)."""
    with store.connect() as con:
        row = con.execute("SELECT user_id FROM orders GROUP BY user_id ORDER BY count(*) DESC, user_id "
                          "LIMIT 1").fetchone()
    if row is None:
        raise ValueError("The store has no orders: the customer cases need a customer with orders.")
    return str(row[0])


def _tool_right(case: dict[str, Any], tool: str | None) -> bool:
    return tool == case["expected_tool"] or tool in (case.get("alternatives") or [])


def run_case(agent: Any, case: dict[str, Any], store: EventStore, profile: ShopProfile,
             customer: str) -> CaseRow:
    """Ask every turn of `case` in one conversation and judge the last answer."""
    session = Session(case["role"], customer if case["role"] == "customer" else None)
    thread, answers, steps, started = uuid.uuid4().hex, [], [], time.perf_counter()
    first: str | None = None
    first_args: dict[str, Any] = {}
    for turn in case["turns"]:
        answer = agent.ask(turn, session, thread_id=thread)
        answers.append(answer.text)
        steps += answer.steps
    if answer.steps:  # the case's expected tool and arguments are those of the reply to its last turn
        first, first_args = answer.steps[0].name, dict(answer.steps[0].arguments or {})
    calls = [{"name": s.name} for s in steps if s.status == "done"]
    verdict = score_answer(case, {"answers": answers, "tool_calls": calls}, store, profile, customer)
    leak = case["role"] == "customer" and any(c["name"] in operator_only_tools(case["shop"]) for c in calls)
    return CaseRow(
        case["id"], case["shop"], case["role"], case["language"], case["style"], case["expected_tool"], first,
        _tool_right(case, first), all("Invalid arguments" not in (s.error or "") for s in steps),
        verdict.passed, verdict.reason, leak, any(foreign_letters(a) for a in answers),
        time.perf_counter() - started, answers[-1], *_slots(agent.registry, case, first, first_args, session),
    )


def _slots(registry: Any, case: dict[str, Any], tool: str | None, args: dict[str, Any],
           session: Session) -> tuple[bool | None, dict[str, Any] | None]:
    """Whether the first call's slots are right (None: not the expected tool) and its filled arguments."""
    if tool is None or tool != case["expected_tool"]:
        return None, None
    filled = _filled(registry, tool, args, session)
    return filled is not None and slots_right(case.get("arguments") or {}, filled), filled


def single_turn(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cases of one user message: a conversation's expectations are those of its last turn, which one
    reply without the earlier turns' answers cannot be judged against (the full mode runs them)."""
    return [case for case in cases if len(case["turns"]) == 1]


def first_tool_only(chat_model: Any, registry: Any, case: dict[str, Any], today: date) -> CaseRow:
    """The model's first reply to a single-turn case (no tool runs), scored by the agent benchmark's own
    `first_turn`: its tool (any of the case's alternatives counts) and whether the call validates."""
    from agent.evaluation import EvalCase, first_turn

    if len(case["turns"]) != 1:
        raise ValueError(f"{case['id']}: one reply judges single-turn cases only (see single_turn).")

    question = EvalCase(case["id"], case["role"], case["turns"][0], case["expected_tool"])
    score = first_turn(chat_model, registry, question, today)
    return CaseRow(case["id"], case["shop"], case["role"], case["language"], case["style"],
                   case["expected_tool"], score.predicted_tool, _tool_right(case, score.predicted_tool),
                   score.args_valid is not False, None, score.validation_error, False,
                   foreign_letters(score.reply_text), score.latency_s, score.reply_text,
                   *_slots(registry, case, score.predicted_tool, score.predicted_args, question.session))


def summarize(rows: list[CaseRow]) -> dict[str, dict[str, float]]:
    """Shares per group ("all", "role=...", "language=...", "style=..."): first tool right, answers right,
    valid calls; counts of leaks and stray replies; p50 latency."""
    groups: dict[str, list[CaseRow]] = defaultdict(list)
    for row in rows:
        for key in ("all", f"role={row.role}", f"language={row.language}", f"style={row.style}"):
            groups[key].append(row)
    table = {}
    for key, members in groups.items():
        judged = [r.answer_right for r in members if r.answer_right is not None]
        slotted = [r.slots_right for r in members if r.slots_right is not None]
        latencies = sorted(r.latency_s for r in members)
        table[key] = {
            "cases": len(members),
            "first_tool_right": sum(r.tool_right for r in members) / len(members),
            "answers_right": sum(judged) / len(judged) if judged else float("nan"),
            "calls_valid": sum(r.calls_valid for r in members) / len(members),
            "slots_right": sum(slotted) / len(slotted) if slotted else float("nan"),
            "role_leaks": sum(r.leak for r in members),
            "stray_replies": sum(r.stray for r in members),
            "p50_s": latencies[len(latencies) // 2],
        }
    return table


def print_summary(title: str, table: dict[str, dict[str, float]]) -> None:
    """The summary as one line per group."""
    print(title)
    for key in sorted(table, key=lambda k: (k != "all", k)):
        t = table[key]
        print(f"  {key:<22} n={t['cases']:>3.0f}  first tool {t['first_tool_right']:.3f}  "
              f"answers {t['answers_right']:.3f}  slots {t['slots_right']:.3f}  "
              f"valid {t['calls_valid']:.3f}  leaks {t['role_leaks']:.0f}  "
              f"stray {t['stray_replies']:.0f}  p50 {t['p50_s']:.1f}s")


def as_records(rows: list[CaseRow]) -> list[dict[str, Any]]:
    """Rows as JSON-ready records."""
    return [asdict(row) for row in rows]
