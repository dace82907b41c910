"""Decision mode of the independent set: one prefill per case must pick what the chat model itself picks, so
two heads files can be compared without decoding."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench.independent.cases import handout_profile, load_cases
from bench.independent.decisions import decide_cases, decision_table

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def chat_model():
    from agent.config import Settings
    from agent.llm.chat_model import LocalChatModel

    settings = Settings(model_cache_dir=REPO / ".chronotope" / "models", max_new_tokens=48)
    return LocalChatModel.from_options(settings.model_options())


@pytest.mark.parametrize("shop", ["demo", "northwind"])
def test_a_prefill_decision_is_the_chat_models_own_first_tool(chat_model, shop: str) -> None:
    from agent.evaluation import EvalCase, first_turn
    from agent.llm.decision_head import DecisionHeads
    from tools.agent_tools import build_registry

    registry = build_registry(None, profile=handout_profile(shop))
    cases = load_cases(shop)[::40]  # a spread of both roles and several languages
    shipped = DecisionHeads.load(Path(chat_model.runtime.loaded.adapter))
    rows = decide_cases(chat_model, registry, cases, TODAY, {"shipped": shipped})

    for case, row in zip(cases, rows):
        score = first_turn(chat_model, registry, EvalCase(case["id"], case["role"], case["turns"][0],
                                                          case["expected_tool"]), TODAY)
        assert row["shipped"]["tool"] == score.predicted_tool, case["id"]
    table = decision_table(rows, ["shipped"])
    assert table["all"]["cases"] == len(cases)
    assert table["all"]["shipped"] == sum(r["shipped"]["right"] for r in rows) / len(rows)
