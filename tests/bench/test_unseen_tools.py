"""The unseen-tools benchmark: its scoring, and a small run of it on the real model (bare vs adapted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.unseen_tools import KINDS, is_right_call, load_cases, right_call_rates, run_cases

REPO = Path(__file__).resolve().parents[2]


def _case(kind: str):
    return next(case for case in load_cases() if case.kind == kind)


def test_the_cases_cover_every_kind_with_a_dozen_foreign_tools():
    cases = load_cases()
    assert {case.kind for case in cases} == set(KINDS)
    assert len({tool["function"]["name"] for case in cases for tool in case.tools}) >= 12
    for case in cases:  # the expected call names a bound tool and only its arguments
        if case.expected is not None:
            (tool,) = [t for t in case.tools if t["function"]["name"] == case.expected["name"]]
            assert set(case.expected["arguments"]) <= set(tool["function"]["parameters"]["properties"])


def test_a_right_call_names_the_function_with_its_arguments_compared_loosely():
    convert = next(case for case in load_cases()
                   if case.expected and case.expected["name"] == "convert_currency")
    arguments = dict(convert.expected["arguments"])
    loose = {key: (f" {value.lower()}." if isinstance(value, str) else float(value))
             for key, value in arguments.items()}
    assert is_right_call(convert, [("convert_currency", loose)], invalid=0)
    assert is_right_call(convert, [("convert_currency", {**arguments, "note": "x"})], invalid=0)
    assert not is_right_call(convert, [("convert_currency", {**arguments, "amount": 1})], invalid=0)
    assert not is_right_call(convert, [("convert_units", arguments)], invalid=0)
    assert not is_right_call(convert, [], invalid=0)
    shopping = next(case for case in load_cases() if case.expected and isinstance(
        case.expected["arguments"].get("items"), list))
    items = shopping.expected["arguments"]["items"]
    assert is_right_call(shopping, [(shopping.expected["name"], {**shopping.expected["arguments"],
                                                                 "items": items[::-1]})], invalid=0)
    none = _case("none")
    assert is_right_call(none, [], invalid=0)
    assert not is_right_call(none, [], invalid=1) and not is_right_call(none, [("get_weather", {})], 0)


@pytest.mark.slow
def test_the_adapted_model_calls_unseen_tools_as_well_as_the_bare_one():
    from agent.config import Settings
    from agent.llm.chat_model import LocalChatModel

    cases = [case for kind in KINDS for case in [c for c in load_cases() if c.kind == kind][:2]]
    cache = REPO / ".chronotope" / "models"
    adapted_options = Settings(model_cache_dir=cache, max_new_tokens=96).model_options()
    assert adapted_options.adapter is not None  # the product's default: the shipped shop adapter
    bare = run_cases(LocalChatModel.from_options(Settings(model_cache_dir=cache, adapter="none",
                                                          max_new_tokens=96).model_options()), cases)
    adapted = run_cases(LocalChatModel.from_options(adapted_options), cases)

    assert right_call_rates(adapted)["all"] >= right_call_rates(bare)["all"] >= 0.5
    assert all(result.adapter is None for result in adapted)  # decoded with the adapter off
