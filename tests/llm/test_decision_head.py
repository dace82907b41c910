"""Decision heads: fitting folds the scaling into one linear map, files round-trip, and the runtime obeys
them."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agent.llm import decision_head as points
from agent.llm.chat_model import LocalChatModel
from agent.llm.decision_head import ANSWER, RESULT, DecisionHead, DecisionHeads, last_hidden_state
from agent.llm.reply_controls import ReplyControls
from agent.llm.tool_schema import argument_errors
from finetune.decision_head import DecisionHeadError, fit_head
from tests.llm.test_chat_model import TOOLS
from tools.language import foreign_letters

# words that name no tool's task (a "spike" question would call find_spikes whatever the head says)
QUESTION = [SystemMessage("You are the shop's analyst."),
            HumanMessage("Which regions stand out on Friday night?")]

LABELS = ("answer", "compare_regions", "find_spikes")


def clusters(n: int = 60, dim: int = 16, seed: int = 0) -> tuple[torch.Tensor, list[str]]:
    """States around one centre per label, on a large common offset (so scaling matters)."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.randn(len(LABELS), dim, generator=generator) * 3
    labels = [LABELS[i % len(LABELS)] for i in range(n)]
    states = (torch.stack([centres[LABELS.index(l)] for l in labels])
              + torch.randn(n, dim, generator=generator) + 50)
    return states, labels


def test_a_fitted_head_separates_its_labels_on_raw_states_and_round_trips(tmp_path: Path) -> None:
    states, labels = clusters()
    head = fit_head(states, labels, layer=1)
    assert head.labels == LABELS and head.tools == {"compare_regions", "find_spikes"}
    held_states, held_labels = states + 0.1 * torch.randn_like(states), labels
    assert [head.decide(s) for s in held_states] == held_labels
    DecisionHeads((head,), {"note": "test"}).save(tmp_path)
    loaded = DecisionHeads.load(tmp_path)
    assert loaded is not None and loaded.report == {"note": "test"}
    (again,) = loaded.heads
    assert again.layer == 1 and again.labels == LABELS and torch.equal(again.weight, head.weight)
    assert loaded.for_tools(["find_spikes", "compare_regions"]) == again
    assert loaded.for_tools(["find_spikes"]) is None  # a head never picks among tools it was not fitted on
    assert loaded.for_tools(["find_spikes", "compare_regions"], RESULT) is None  # nor at another point
    assert DecisionHeads.load(tmp_path / "elsewhere") is None
    # a head after tool results knows the tools bound when it was fitted, beyond its labels
    after = replace(fit_head(states, labels, layer=1), point=RESULT,
                    tool_set=frozenset({"compare_regions", "find_spikes", "forecast_demand"}))
    DecisionHeads((head, after), {}).save(tmp_path)
    both = DecisionHeads.load(tmp_path)
    assert both.for_tools(["find_spikes", "compare_regions"]).point == points.QUESTION
    found = both.for_tools(["find_spikes", "compare_regions", "forecast_demand"], RESULT)
    assert found is not None and found.labels == LABELS and torch.equal(found.weight, after.weight)
    assert both.nearest(["find_spikes", "compare_regions", "forecast_demand"]).point == points.QUESTION
    with pytest.raises(DecisionHeadError, match="at least two kinds of first reply"):
        fit_head(states, ["answer"] * len(labels), layer=1)


def test_the_recorded_state_is_the_layer_output_the_model_reports(tiny_runtime) -> None:
    model = tiny_runtime.model
    ids = torch.tensor([[5, 17, 99, 3]])
    with torch.inference_mode(), last_hidden_state(model, 1) as seen:
        out = model(input_ids=ids, output_hidden_states=True)
    assert torch.allclose(seen[-1], out.hidden_states[1][0, -1])
    with pytest.raises(ValueError, match="layer 1 to 1, not 2"), last_hidden_state(model, 2):
        pass


def always(label: str, hidden: int, point: str = points.QUESTION) -> DecisionHead:
    """A head whose bias alone picks `label` (zero weights)."""
    bias = torch.tensor([10.0 if l == label else 0.0 for l in LABELS])
    return DecisionHead(1, LABELS, torch.zeros(len(LABELS), hidden), bias, point)


@pytest.mark.parametrize("label", ["compare_regions", "find_spikes", ANSWER])
def test_the_runtime_decodes_the_reply_the_head_picks(tiny_runtime, label) -> None:
    hidden = tiny_runtime.model.config.hidden_size
    runtime = tiny_runtime
    runtime.loaded = replace(runtime.loaded, decision_heads=DecisionHeads((always(label, hidden),), {}))
    chat = LocalChatModel(runtime=runtime, max_new_tokens=80)
    reply = chat.bind_tools(TOOLS).invoke(QUESTION)
    assert reply.response_metadata["decision"] == label
    assert isinstance(reply.response_metadata["wanted_call"], bool)  # what the model's own token would do
    if label == ANSWER:  # words only: no call, and nothing a parser could take for one
        assert not reply.tool_calls and not reply.invalid_tool_calls
        assert (reply.content
                and not any(mark in reply.content for mark in ("{", "```", "<tool_call>", "<|im_start|>")))
        # nor debris of a call: no letters of other scripts, no field names
        assert "_" not in reply.content and not foreign_letters(reply.content)
    else:
        (call,) = reply.tool_calls
        assert call["name"] == label and not argument_errors(label, call["args"], TOOLS)
    # After a tool result the model itself decides: heads were fitted on first replies to a user only.
    follow = [*QUESTION,
              AIMessage("", tool_calls=[{"name": "find_spikes", "args": {"day": "friday", "top": 1},
                                         "id": "c1"}]),
              ToolMessage("Bavaria: 2.4x", tool_call_id="c1")]
    short = ReplyControls(max_new_tokens=4)
    assert chat.bind_tools(TOOLS).invoke(follow, controls=short).response_metadata["decision"] is None
    # Other tools than the head's: no head.
    assert chat.bind_tools(TOOLS[:1]).invoke(QUESTION, controls=short).response_metadata["decision"] is None


AFTER_RESULT = [*QUESTION,
                AIMessage("", tool_calls=[{"name": "find_spikes", "args": {"day": "friday", "top": 1},
                                           "id": "c1"}]),
                ToolMessage("Bavaria: 2.4x its baseline", tool_call_id="c1")]


@pytest.mark.parametrize("label", ["compare_regions", ANSWER])
def test_a_head_after_tool_results_picks_the_next_step_where_the_agent_asks_for_calls_only(
    tiny_runtime, label
) -> None:
    hidden = tiny_runtime.model.config.hidden_size
    runtime = tiny_runtime
    heads = (always("find_spikes", hidden), always(label, hidden, RESULT))
    runtime.loaded = replace(runtime.loaded, decision_heads=DecisionHeads(heads, {}))
    chat = LocalChatModel(runtime=runtime, max_new_tokens=80)
    controls = ReplyControls(calls_only=True, answered_tools=frozenset({"find_spikes"}))
    reply = chat.bind_tools(TOOLS).invoke(AFTER_RESULT, controls=controls)
    assert reply.response_metadata["decision"] == label
    if label == ANSWER:  # no further step: the reply ends before its first token, as the model's own "no"
        assert reply.response_metadata["finish_reason"] == "no_call"
        assert not reply.content and not reply.tool_calls and not reply.invalid_tool_calls
    else:  # the next tool, its arguments written by the model under the tool's grammar
        (call,) = reply.tool_calls
        assert call["name"] == label and not argument_errors(label, call["args"], TOOLS)
    # at the question, the question's head decides; after results with drafts allowed, the model
    assert chat.bind_tools(TOOLS).invoke(QUESTION).response_metadata["decision"] == "find_spikes"
    short = ReplyControls(max_new_tokens=4)
    assert chat.bind_tools(TOOLS).invoke(AFTER_RESULT, controls=short).response_metadata["decision"] is None


def test_heads_fitted_on_another_model_are_refused_at_load(tiny_options, tmp_path: Path) -> None:
    from agent.llm.errors import ModelSourceError
    from agent.llm.load import load_model
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    DecisionHeads((always(ANSWER, 7),), {}).save(adapter)  # 7-wide states: no model here has those
    with pytest.raises(ModelSourceError, match="fitted on another model"):
        load_model(replace(tiny_options, adapter=str(adapter)), progress=False)


def test_heads_that_cover_other_tools_are_warned_about_once_per_tool_set(tiny_runtime, caplog) -> None:
    hidden = tiny_runtime.model.config.hidden_size
    runtime = tiny_runtime
    runtime.loaded = replace(runtime.loaded, adapter="shop-adapter",
                             decision_heads=DecisionHeads((always("find_spikes", hidden),), {}))
    with caplog.at_level(logging.WARNING, logger="agent.llm.runtime"):
        assert runtime.decision_head(["find_spikes", "compare_regions"]) is not None  # covered: no warning
        assert not caplog.records
        assert runtime.decision_head(["find_spikes"]) is None
        assert runtime.decision_head(["find_spikes"]) is None  # the same tool set: warned already
        assert runtime.decision_head(["find_spikes", "compare_regions", "forecast_demand"]) is None
    first, second = (record.getMessage() for record in caplog.records)
    assert "has compare_regions besides" in first and "lacks" not in first
    assert "lacks forecast_demand" in second and "besides" not in second
    assert all("chronotope finetune heads --adapter shop-adapter" in m for m in (first, second))
