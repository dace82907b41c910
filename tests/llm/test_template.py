"""The chat template with tools: schemas, tool calls and tool results render the way Qwen2.5 expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agent.llm.template import render_prompt, to_template_messages, tool_template
from agent.llm.tool_parsing import parse_tool_calls

TOOL = {
    "type": "function",
    "function": {
        "name": "find_spikes",
        "description": "Regions whose orders spike in a local weekday and hour band.",
        "parameters": {
            "type": "object",
            "properties": {"day": {"type": "string", "enum": ["friday", "saturday"]}},
            "required": ["day"],
        },
    },
}


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


def conversation() -> list:
    return [
        SystemMessage("You are the shop's analyst."),
        HumanMessage("Which regions spike on Friday?"),
        AIMessage("", tool_calls=[{"name": "find_spikes", "args": {"day": "friday"}, "id": "call_1"}]),
        ToolMessage("north-west: +240% on Friday 20-24h", tool_call_id="call_1", name="find_spikes"),
    ]


def test_tokenizer_without_tool_template_falls_back_to_the_shipped_qwen_template(tokenizer):
    assert tokenizer.chat_template is None
    assert "<tool_call>" in tool_template(tokenizer)


def test_tools_render_inside_the_system_turn_as_json_schemas(tokenizer):
    prompt = render_prompt(tokenizer, conversation()[:2], [TOOL])
    system_turn = prompt.split("<|im_end|>")[0]
    assert system_turn.startswith("<|im_start|>system\nYou are the shop's analyst.")
    tools_block = system_turn.split("<tools>\n")[1].split("\n</tools>")[0]
    assert json.loads(tools_block) == TOOL
    assert prompt.endswith("<|im_start|>assistant\n")


def test_assistant_tool_call_renders_in_the_template_format_and_parses_back(tokenizer):
    prompt = render_prompt(tokenizer, conversation(), [TOOL])
    assistant_turn = prompt.split("<|im_start|>assistant\n")[1].split("<|im_end|>")[0]
    reply = parse_tool_calls(assistant_turn, ["find_spikes"])
    assert [(c.name, c.arguments) for c in reply.calls] == [("find_spikes", {"day": "friday"})]
    assert reply.content == ""


def test_tool_result_renders_as_a_tool_response_in_a_user_turn(tokenizer):
    prompt = render_prompt(tokenizer, conversation(), [TOOL])
    assert (
        "<|im_start|>user\n<tool_response>\nnorth-west: +240% on Friday 20-24h\n</tool_response><|im_end|>"
        in prompt
    )


def test_consecutive_tool_results_share_one_user_turn(tokenizer):
    messages = conversation() + [ToolMessage("second result", tool_call_id="call_2", name="find_spikes")]
    prompt = render_prompt(tokenizer, messages, [TOOL])
    assert "</tool_response>\n<tool_response>\nsecond result\n</tool_response><|im_end|>" in prompt


def test_broken_call_is_rendered_back_as_the_model_wrote_it():
    broken = AIMessage(
        "Checking.",
        invalid_tool_calls=[
            {
                "name": "find_spikes",
                "args": json.dumps('{"name": "find_spikes", "arg'),
                "id": "c",
                "error": None,
            }
        ],
    )
    (rendered,) = to_template_messages([broken])
    assert rendered["content"] == 'Checking.\n<tool_call>\n{"name": "find_spikes", "arg\n</tool_call>'


def test_list_content_blocks_are_joined_as_text():
    message = HumanMessage(content=[{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}])
    assert to_template_messages([message]) == [{"role": "user", "content": "Hello there"}]
