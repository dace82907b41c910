"""Held-out cases from dialogues, the before/after report, and exporting an adapter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finetune.data import Dialogue
from finetune.evaluate import case_from_dialogue, comparison_lines, held_out_cases
from finetune.export import ExportError, export_adapter
from finetune.shared_prefix import group_by_prefix, plan_steps


def test_case_takes_the_first_question_and_the_first_call() -> None:
    dialogue = Dialogue("s1", [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "Which regions spike on Friday night?"},
        {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {
            "name": "find_spikes", "arguments": {"day": "Friday", "start_hour": 20}}}]},
        {"role": "tool", "name": "find_spikes", "content": "..."},
        {"role": "assistant", "content": "Bavaria."},
    ], "synth", "operator")
    case = case_from_dialogue(dialogue)
    assert (case.role, case.question, case.expect_tool, case.expect_args, case.kind) == (
        "operator", "Which regions spike on Friday night?", "find_spikes",
        {"day": "Friday", "start_hour": 20}, "synth")
    chat = Dialogue("s2", [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello!"}],
                    "synth")
    assert case_from_dialogue(chat).expect_tool is None and case_from_dialogue(chat).expect_refusal
    assert case_from_dialogue(Dialogue("s3", [{"role": "assistant", "content": "Welcome"}], "app")) is None


def test_held_out_cases_are_capped_per_source() -> None:
    dialogues = [Dialogue(f"{src}{i}",
                          [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}], src)
                 for src in ("synth", "bitext") for i in range(5)]
    cases = held_out_cases(dialogues, per_source=2)
    assert sorted(c.kind for c in cases) == ["bitext", "bitext", "synth", "synth"]
    assert [c.id for c in held_out_cases(dialogues, per_source=2)] == [c.id for c in cases]  # a fixed sample
    assert held_out_cases(dialogues, per_source=2, roles=("operator",)) == []


def test_comparison_reports_both_sides_and_the_ratio() -> None:
    before = {"cases": 10, "tool_selection_accuracy": 0.5, "valid_call_rate": 1.0, "argument_accuracy": 0.4,
              "completion_loss": 2.0, "synth_tool_selection_accuracy": 0.5}
    after = {**before, "tool_selection_accuracy": 0.8, "completion_loss": 0.5,
             "synth_tool_selection_accuracy": 0.9}
    lines = comparison_lines(before, after)
    assert ("tool_selection_accuracy_before: 0.5000" in lines
            and "tool_selection_accuracy_after: 0.8000" in lines)
    assert "tool_selection_accuracy_ratio_after_before: 1.600" in lines
    assert "completion_loss_ratio_after_before: 0.250" in lines
    assert "synth_tool_selection_accuracy_ratio_after_before: 1.800" in lines


def test_shared_prefix_groups_split_where_prompts_diverge_and_steps_stay_in_one_role() -> None:
    rows = [{"input_ids": [1, 2, 3, 4, 9], "completion_mask": [0, 0, 0, 0, 1]},
            {"input_ids": [1, 2, 3, 5, 6, 8], "completion_mask": [0, 0, 0, 0, 1, 1]},
            {"input_ids": [7, 7, 8], "completion_mask": [0, 0, 1]}]
    groups = group_by_prefix(rows, ["customer", "customer", "operator"])
    assert groups["customer"].prefix == [1, 2, 3]
    assert groups["customer"].suffixes == [([4, 9], [-100, 9]), ([5, 6, 8], [-100, 6, 8])]
    assert groups["operator"].prefix == [7, 7] and groups["operator"].suffixes == [([8], [8])]
    plan = plan_steps(groups, grad_accum=2, epochs=2, max_steps=-1, seed=0)
    assert len(plan) == 4 and all(len(idx) <= 2 for _, idx in plan)


def test_export_copies_the_adapter_and_refuses_other_folders(tmp_path: Path) -> None:
    source = tmp_path / "run" / "adapter"
    source.mkdir(parents=True)
    (source / "adapter_config.json").write_text(json.dumps({"r": 8}))
    (source / "adapter_model.safetensors").write_bytes(b"weights")
    (source / "optimizer.pt").write_bytes(b"not shipped")
    result = export_adapter(source, tmp_path / "out" / "shop")
    assert (sorted(p.name for p in result.adapter_dir.iterdir())
            == ["adapter_config.json", "adapter_model.safetensors"])
    assert result.size_bytes == len(json.dumps({"r": 8})) + len(b"weights")
    with pytest.raises(ExportError, match="not a PEFT adapter folder"):
        export_adapter(tmp_path / "run", tmp_path / "out" / "bad")


def test_shipped_adapter_is_the_default_for_the_default_model_only(tmp_path: Path) -> None:
    from agent.config import SHIPPED_ADAPTER, Settings

    assert (SHIPPED_ADAPTER / "adapter_config.json").is_file()
    assert Settings(data_dir=tmp_path).adapter == str(SHIPPED_ADAPTER)
    assert Settings(data_dir=tmp_path, adapter="none").adapter is None  # the bare model on request
    assert Settings(data_dir=tmp_path, model=str(tmp_path / "other-model")).adapter is None
    assert Settings(data_dir=tmp_path, adapter="/my/adapter").adapter == "/my/adapter"
