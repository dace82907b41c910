"""Decision labels of follow-ups and the comparison of head classifiers on saved states."""

from __future__ import annotations

import pytest

from finetune.data import Dialogue
from finetune.decision_head import (
    DecisionHeadError,
    decision_label,
    decision_turn,
    decision_view,
    reply_label,
    result_views,
    sample_result_views,
)


def _call(name: str, args: dict) -> dict:
    return {"role": "assistant", "content": "",
            "tool_calls": [{"type": "function", "function": {"name": name, "arguments": args}}]}


def test_a_follow_up_is_labelled_by_the_reply_to_its_second_question() -> None:
    first = [{"role": "user", "content": "Top regions by revenue this month?"},
             _call("top_items", {"group_by": "region"}),
             {"role": "tool", "name": "top_items", "content": "x"},
             {"role": "assistant", "content": "Tyrol leads."}]
    follow = Dialogue("f", [*first, {"role": "user", "content": "thanks!"},
                            {"role": "assistant", "content": "You're welcome!"}], "synth", "operator")
    assert decision_turn(follow) == 2 and decision_label(follow) == "answer"  # after a call and an answer
    # the agent's prompt at the second question keeps earlier questions and answers, not calls and results
    assert [m["role"] for m in decision_view(follow).messages] == ["user", "assistant", "user", "assistant"]
    assert decision_view(follow).messages[1]["content"] == "Tyrol leads."
    single = Dialogue("s", first, "synth", "operator")
    assert decision_turn(single) == 0 and decision_label(single) == "top_items"
    with pytest.raises(DecisionHeadError, match="no question with a reply"):
        decision_label(Dialogue("q", first[:1], "synth", "operator"))


def test_each_round_of_tool_results_is_a_decision_labelled_by_the_reply_after_it() -> None:
    plan = Dialogue("p", [{"role": "user", "content": "Forecast the region that spikes most on Friday night"},
                          _call("find_spikes", {"day": "Friday"}),
                          {"role": "tool", "name": "find_spikes", "content": "Tyrol: 2.4x"},
                          _call("forecast_demand", {"place": "Tyrol"}),
                          {"role": "tool", "name": "forecast_demand", "content": "Expect 120 units"},
                          {"role": "assistant", "content": "Tyrol: 120 units."}], "synth", "operator")
    first, second = result_views(plan)
    assert [reply_label(view.messages[-1]) for view in (first, second)] == ["forecast_demand", "answer"]
    assert [m["role"] for m in first.messages] == ["user", "assistant", "tool", "assistant"]
    assert second.messages[:-1] == plan.messages[:-1]
    # after a follow-up: its own round only (the first turn's call and result are not in the prompt)
    follow = Dialogue("f", [*plan.messages, {"role": "user", "content": "and in Styria?"},
                            _call("forecast_demand", {"place": "Styria"}),
                            {"role": "tool", "name": "forecast_demand", "content": "Expect 80 units"},
                            {"role": "assistant", "content": "Styria: 80 units."}], "synth", "operator")
    (view,) = result_views(follow)
    assert reply_label(view.messages[-1]) == "answer"
    roles = ["user", "assistant", "user", "assistant", "tool", "assistant"]
    assert [m["role"] for m in view.messages] == roles
    assert result_views(Dialogue("w", plan.messages[:1] + plan.messages[-1:], "synth", "operator")) == []


def test_heads_are_compared_per_language_and_style_on_saved_states(tmp_path) -> None:
    import torch

    from finetune.head_comparison import accuracy_table, predictions

    torch.manual_seed(0)
    centres = {"answer": torch.randn(16) * 4, "my_orders": torch.randn(16) * 4}

    def states(n: int, offset: int):
        labels = [("answer", "my_orders")[i % 2] for i in range(n)]
        x = torch.stack([centres[label] + torch.randn(16) * 0.3 for label in labels])
        ids = [f"synth-{('de', 'fr')[i % 2 if offset else 0]}-polite-0-{i}" for i in range(n)]
        return x, labels, ids

    torch.save({"layer": 3, "roles": {"customer": {"train": states(40, 0), "validation": states(10, 1)}}},
               tmp_path / "states.pt")
    rows = predictions(tmp_path / "states.pt", [1, 3])
    table = {group: (n, acc) for group, n, acc in accuracy_table(rows, ["logistic", "knn1", "knn3"])}
    assert table["all"] == (10, [1.0, 1.0, 1.0])
    assert table["language=de"][0] == 5 and table["language=fr"][0] == 5 and table["style=polite"][0] == 10
    flipped = [dict(row, knn1="answer") for row in rows]  # a classifier that always answers is half right
    assert {g: a for g, _, a in accuracy_table(flipped, ["knn1"])}["all"] == [0.5]


def test_saved_heads_are_scored_beside_the_refit_and_must_read_the_same_layer(tmp_path) -> None:
    import torch

    from agent.llm.decision_head import DecisionHeads
    from finetune.decision_head import fit_head
    from finetune.head_comparison import predictions

    torch.manual_seed(1)
    labels = ["answer", "my_orders", "search_docs"] * 10
    x = torch.stack([torch.full((8,), float(i % 3)) * 3 + torch.randn(8) * 0.2 for i in range(30)])
    ids = [f"synth-en-plain-0-{i}" for i in range(30)]
    both = {"train": (x, labels, ids), "validation": (x, labels, ids)}
    torch.save({"layer": 2, "roles": {"customer": both}}, tmp_path / "states.pt")
    for layer in (2, 5):
        folder = tmp_path / f"heads{layer}"
        folder.mkdir()
        DecisionHeads((fit_head(x, labels, layer),), {}).save(folder)
    rows = predictions(tmp_path / "states.pt", [1], saved_heads=tmp_path / "heads2")
    assert all(row["saved"] == row["logistic"] == row["label"] for row in rows)
    with pytest.raises(ValueError, match="reading layer 2"):
        predictions(tmp_path / "states.pt", [1], saved_heads=tmp_path / "heads5")


def test_a_capped_sample_of_result_prompts_keeps_every_next_call_and_fills_up_with_answers() -> None:
    def view(i: int, then: str) -> Dialogue:
        reply = _call(then, {}) if then != "answer" else {"role": "assistant", "content": "done"}
        return Dialogue(f"v{i}", [{"role": "user", "content": f"q{i}"}, _call("find_spikes", {}),
                                  {"role": "tool", "name": "find_spikes", "content": "r"}, reply],
                        "synth", "operator")

    views = [view(i, "forecast_demand" if i % 10 == 0 else "answer") for i in range(100)]
    sample = sample_result_views(views, 30)
    labels = [reply_label(v.messages[-1]) for v in sample]
    assert len(sample) == 30 and labels.count("forecast_demand") == 10 and labels.count("answer") == 20
    assert len({v.conversation_id for v in sample}) == 30
    assert sample_result_views(views, 30) == sample  # seeded
    assert len(sample_result_views(views, 500)) == 100
