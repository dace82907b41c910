"""The independent set's runner: first tool, answers judged on the shop's data, leaks and stray script are
counted from what the agent did, per role, language and style."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bench.independent import run
from bench.independent.cases import load_cases
from bench.independent.run import run_case, signed_in_customer, summarize


@dataclass
class Step:
    name: str
    status: str = "done"
    arguments: dict = field(default_factory=dict)
    error: str | None = None


@dataclass
class Answer:
    text: str
    steps: list[Step] = field(default_factory=list)


class CannedAgent:
    """Answers every turn with the same text after the same steps, recording the threads it was asked in."""

    registry = None  # its steps are never the case's expected tool, so no call is validated

    def __init__(self, text: str, steps: list[Step]) -> None:
        self.text, self.steps, self.threads = text, steps, []

    def ask(self, question: str, session, thread_id: str | None = None) -> Answer:
        self.threads.append(thread_id)
        return Answer(self.text, list(self.steps))


@pytest.fixture(scope="module")
def refusal_case() -> dict:
    return next(c for c in load_cases("demo") if c["role"] == "customer"
                and [k["kind"] for k in c["checks"]] == ["refusal"] and len(c["turns"]) == 1)


def test_a_refusal_without_tools_is_right_and_an_operator_tool_for_a_customer_is_a_leak(
    demo_shop, refusal_case
) -> None:
    store, _ = demo_shop
    customer = signed_in_customer(store)
    right = run_case(CannedAgent("Sorry, I can't share that.", []), refusal_case, store, store.profile(),
                     customer)
    assert (right.answer_right, right.tool_right, right.leak, right.stray) == (True, True, False, False)
    leaked = run_case(CannedAgent("Here are the spikes: Петер", [Step("find_spikes")]), refusal_case, store,
                      store.profile(), customer)
    assert (leaked.answer_right, leaked.tool_right, leaked.leak, leaked.stray) == (False, False, True, True)
    table = summarize([right, leaked])
    assert table["all"]["first_tool_right"] == 0.5 and table["all"]["role_leaks"] == 1
    assert table[f"language={refusal_case['language']}"]["answers_right"] == 0.5


def test_every_turn_of_a_follow_up_is_asked_in_one_conversation(demo_shop) -> None:
    store, _ = demo_shop
    case = next(c for c in load_cases("demo") if len(c["turns"]) > 1)
    agent = CannedAgent("I don't know.", [])
    run_case(agent, case, store, store.profile(), signed_in_customer(store))
    assert len(agent.threads) == len(case["turns"]) and len(set(agent.threads)) == 1


class TurnAgent(CannedAgent):
    """Calls the tools of `per_turn`, one list per turn asked."""

    def __init__(self, per_turn: list[list[Step]], registry) -> None:
        super().__init__("I don't know.", [])
        self.per_turn, self.registry = per_turn, registry

    def ask(self, question: str, session, thread_id: str | None = None) -> Answer:
        self.threads.append(thread_id)
        return Answer(self.text, self.per_turn[len(self.threads) - 1])


def test_a_conversations_first_tool_is_the_one_called_for_its_last_turn(demo_shop) -> None:
    """A case's expected tool is the first one called in reply to its last turn ("and in Hesse?")."""
    store, _ = demo_shop
    case = next(c for c in load_cases("demo") if len(c["turns"]) == 2 and c["expected_tool"])
    from tools.agent_tools import build_registry

    registry = build_registry(None, profile=store.profile())
    earlier, last = Step("my_recommendations"), Step(case["expected_tool"], arguments=case["arguments"])
    row = run_case(TurnAgent([[earlier], [last, earlier]], registry), case, store, store.profile(),
                   signed_in_customer(store))
    assert (row.first_tool, row.tool_right, row.slots_right) == (case["expected_tool"], True, True)
    silent = run_case(TurnAgent([[last], []], registry), case, store, store.profile(),
                      signed_in_customer(store))
    assert silent.first_tool is None  # the last turn called nothing: the first turn's call does not count


def test_one_reply_judges_single_turn_cases_only() -> None:
    cases = load_cases("demo")
    single = run.single_turn(cases)
    assert single and all(len(c["turns"]) == 1 for c in single) and len(single) < len(cases)
    conversation = next(c for c in cases if len(c["turns"]) > 1)
    with pytest.raises(ValueError, match="single-turn"):
        run.first_tool_only(None, None, conversation, None)


def test_first_tool_only_counts_alternatives_invalid_calls_and_stray_script(refusal_case) -> None:
    from datetime import date

    from langchain_core.messages import AIMessage

    from tests.agent.scripted_model import ScriptedChatModel, call
    from tests.agent.test_graph import make_agent

    agent, _ = make_agent([])
    operator = next(c for c in load_cases("demo") if c["expected_tool"] == "find_spikes")
    model = ScriptedChatModel(replies=[call("find_spikes", day="Funday"), AIMessage("Петер sorry")],
                              prompts=[], bound_tools=[])
    invalid = run.first_tool_only(model, agent.registry, operator, date(2026, 11, 15))
    assert (invalid.tool_right, invalid.calls_valid) == (True, False) and "day" in invalid.reason
    stray = run.first_tool_only(model, agent.registry, refusal_case, date(2026, 11, 15))
    assert (stray.first_tool, stray.tool_right, stray.calls_valid, stray.stray) == (None, True, True, True)


def test_slots_count_a_place_or_category_the_case_does_not_give_as_wrong() -> None:
    expected = {"metric": "revenue", "group_by": "day_of_week", "period": "last_90_days"}
    right = {"metric": "Revenue", "group_by": "day_of_week", "period": "last_90_days", "place": None,
             "category": None, "top_k": 10}
    assert run.slots_right(expected, right)
    assert not run.slots_right(expected, {**right, "place": "United Kingdom"})  # a place nobody named
    assert not run.slots_right(expected, {**right, "period": "all_time"})
    assert not run.slots_right({**expected, "place": "Bavaria"}, right)  # the place asked for is missing
    assert run.slots_right({"query": "return window"}, {"query": "How long do I have to return something?"})
