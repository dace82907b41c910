"""LocalChatModel on a tiny random model: grammar-forced valid calls, streaming = non-streaming,
tool_choice."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agent.llm.chat_model import LocalChatModel
from agent.llm.errors import ToolChoiceError
from agent.llm.reply_controls import ReplyControls, TakesReplyControls
from agent.llm.tool_schema import argument_errors

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "find_spikes",
            "description": "Regions whose orders spike in a local weekday and hour band.",
            "parameters": {
                "type": "object",
                "properties": {
                    "day": {"type": "string", "enum": ["friday", "saturday"]},
                    "band": {"type": "string", "enum": ["evening", "night"]},
                    "top": {"type": "integer", "minimum": 1, "maximum": 5},
                },
                "required": ["day", "top"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "compare_regions",
            "description": "Compare two regions.",
            "parameters": {
                "type": "object",
                "properties": {
                    "metric": {"type": "string", "enum": ["orders", "revenue"]},
                    "weekly": {"type": "boolean"},
                },
                "required": ["metric"],
            },
        },
    },
]
QUESTION = [
    SystemMessage("You are the shop's analyst."),
    HumanMessage("Which regions spike on Friday night?"),
]


@pytest.fixture
def chat(tiny_runtime) -> LocalChatModel:
    return LocalChatModel(runtime=tiny_runtime, max_new_tokens=120)


def tokens(limit: int) -> ReplyControls:
    """Controls that only change the reply's token limit."""
    return ReplyControls(max_new_tokens=limit)


def test_the_local_model_takes_reply_controls(chat):
    assert isinstance(chat, TakesReplyControls)  # what the agent loop checks before passing controls


@pytest.mark.parametrize("tool_choice", ["find_spikes", "compare_regions", "required"])
def test_grammar_makes_even_a_random_model_write_schema_valid_calls(chat, tool_choice):
    reply = chat.bind_tools(TOOLS, tool_choice=tool_choice).invoke(QUESTION)
    assert reply.tool_calls, reply.response_metadata
    for call in reply.tool_calls:
        assert argument_errors(call["name"], call["args"], TOOLS) == []
        assert call["id"].startswith("call_")
    if tool_choice == "required":
        # A random model may go on writing calls until max_new_tokens; only a cut-off last one can be broken.
        finish = reply.response_metadata["finish_reason"]
        assert len(reply.invalid_tool_calls) <= (1 if finish == "length" else 0)
    else:
        assert [c["name"] for c in reply.tool_calls] == [tool_choice]
        assert reply.response_metadata["finish_reason"] == "tool_calls"
        assert reply.invalid_tool_calls == []


def test_without_grammar_a_random_model_calls_no_tool(tiny_runtime):
    free = LocalChatModel(runtime=tiny_runtime, max_new_tokens=30, constrained=False)
    reply = free.bind_tools(TOOLS, tool_choice="required").invoke(QUESTION)
    assert reply.tool_calls == []


def test_tool_choice_none_forbids_calls(chat):
    reply = chat.bind_tools(TOOLS, tool_choice="none").invoke(QUESTION, controls=tokens(40))
    assert reply.tool_calls == [] and "<tool_call>" not in reply.content


def test_streamed_chunks_sum_to_the_non_streamed_reply(chat):
    for bound, kwargs in [(chat, {}), (chat.bind_tools(TOOLS, tool_choice="find_spikes"), {})]:
        whole = bound.invoke(QUESTION, **kwargs)
        chunks = list(bound.stream(QUESTION, **kwargs))
        summed = chunks[0]
        for chunk in chunks[1:]:
            summed = summed + chunk
        assert summed.content == whole.content
        assert [(c["name"], c["args"]) for c in summed.tool_calls] == [
            (c["name"], c["args"]) for c in whole.tool_calls
        ]
    assert len(list(chat.stream(QUESTION))) > 2  # plain text really streams, token by token


def test_stop_sequence_cuts_the_reply(chat):
    full = chat.invoke(QUESTION, controls=tokens(20)).content
    assert len(full) > 4
    stop = full[2:4]
    assert chat.invoke(QUESTION, stop=[stop], controls=tokens(20)).content == full[: full.index(stop)].strip()


def test_tool_results_go_back_into_the_prompt_and_the_prefix_is_reused(chat):
    bound = chat.bind_tools(TOOLS, tool_choice="find_spikes")
    first = bound.invoke(QUESTION)
    follow = [*QUESTION, first, ToolMessage("north-west: +240%", tool_call_id=first.tool_calls[0]["id"])]
    second = chat.bind_tools(TOOLS).invoke(follow, controls=tokens(8))
    meta = second.response_metadata
    # The whole first prompt (system, tool schemas, question) is reused; only the call and its result run.
    assert meta["reused_prompt_tokens"] >= first.usage_metadata["input_tokens"]
    assert (
        second.usage_metadata["input_tokens"]
        == meta["reused_prompt_tokens"] + meta["prefilled_prompt_tokens"]
    )


def test_unknown_tool_choice_is_refused_at_bind_time(chat):
    with pytest.raises(ToolChoiceError, match="find_spikes, compare_regions"):
        chat.bind_tools(TOOLS, tool_choice="drop_tables")


def test_reply_is_an_ai_message_with_usage(chat):
    reply = chat.invoke(QUESTION, controls=tokens(6))
    assert isinstance(reply, AIMessage)
    assert reply.usage_metadata["output_tokens"] <= 6
    assert reply.response_metadata["finish_reason"] in ("stop", "length")


@pytest.mark.parametrize("answered", [["find_spikes"], ["compare_regions"]])
def test_a_deciding_reply_stops_at_the_name_of_a_tool_that_already_answered(chat, monkeypatch, answered):
    runtime = chat.runtime
    call = '<tool_call>\n{"name": "find_spikes", "arguments": {"day": "friday", "top": 2}}\n</tool_call>'
    script = runtime.encode(call)
    consumed: list[int] = []

    def scripted_tokens(prompt_ids, stats, **kwargs):  # the model writes `call`, token by token
        assert kwargs["calls_only"]
        for token in script:
            consumed.append(token)
            stats.new_tokens += 1
            yield token
        stats.finish_reason = "stop"

    monkeypatch.setattr(runtime, "decode_tokens", scripted_tokens)
    controls = ReplyControls(calls_only=True, answered_tools=frozenset(answered))
    reply = chat.bind_tools(TOOLS).invoke(QUESTION, controls=controls)
    if answered == ["find_spikes"]:
        assert reply.tool_calls == [] and reply.content == ""
        assert reply.response_metadata["finish_reason"] == "answered_tool"
        written = runtime.tokenizer.decode(consumed)
        assert '"find_spikes"' in written and "arguments" not in written  # stopped right after the name
    else:
        assert [c["name"] for c in reply.tool_calls] == ["find_spikes"] and len(consumed) == len(script)


def test_tokens_the_grammar_forces_run_in_one_forward_pass(chat, monkeypatch):
    runtime = chat.runtime
    forwards: list[int] = []
    original = runtime._forward

    def counting_forward(token_ids, cache, decoding=False):
        forwards.append(len(token_ids))
        return original(token_ids, cache, decoding)

    monkeypatch.setattr(runtime, "_forward", counting_forward)
    reply = chat.bind_tools(TOOLS, tool_choice="compare_regions").invoke(QUESTION, controls=tokens(60))
    meta = reply.response_metadata
    assert [c["name"] for c in reply.tool_calls] == ["compare_regions"]
    assert not argument_errors("compare_regions", reply.tool_calls[0]["args"], TOOLS)
    # `<tool_call>\n{"name": "compare_regions", "arguments": ` is all forced: it runs as one multi-token step.
    assert meta["forced_tokens"] >= 5 and max(forwards[1:]) >= 6
    assert len(forwards) - 1 < reply.usage_metadata["output_tokens"]  # fewer decode passes than tokens
