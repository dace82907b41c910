"""The real offline Qwen2.5-Coder-0.5B: schema-valid constrained calls, streaming, prefix-cache identity.

The model is joined, verified and converted once per machine into the repo's .chronotope/models (a few
minutes the first time); these tests then take about two minutes on two busy CPU cores.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from agent.llm.chat_model import LocalChatModel
from agent.llm.reply_controls import ReplyControls
from agent.llm.tool_schema import argument_errors

pytestmark = pytest.mark.slow

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "find_spikes",
            "description": "Regions whose orders spike on a local weekday and time band.",
            "parameters": {
                "type": "object",
                "properties": {
                    "day": {
                        "type": "string",
                        "enum": [
                            "monday",
                            "tuesday",
                            "wednesday",
                            "thursday",
                            "friday",
                            "saturday",
                            "sunday",
                        ],
                    },
                    "band": {"type": "string", "enum": ["morning", "afternoon", "evening", "night"]},
                },
                "required": ["day"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "forecast_demand",
            "description": "Forecast daily orders of one region.",
            "parameters": {
                "type": "object",
                "properties": {
                    "region": {"type": "string", "enum": ["north-west", "north-east", "south"]},
                    "horizon_days": {"type": "integer", "minimum": 1, "maximum": 90},
                },
                "required": ["region", "horizon_days"],
            },
        },
    },
]
SYSTEM = SystemMessage("You are the shop's analytics assistant. Call a tool to answer.")


@pytest.fixture(scope="module")
def chat(real_runtime) -> LocalChatModel:
    return LocalChatModel(runtime=real_runtime, max_new_tokens=48)


@pytest.mark.parametrize(
    ("question", "tool_choice"),
    [
        ("Which regions spike on Friday night?", "auto"),
        ("Forecast the north-west for the next two weeks.", "required"),
        ("How will demand develop in the south?", "forecast_demand"),
    ],
)
def test_constrained_calls_of_the_real_model_fit_their_schemas(chat, question, tool_choice):
    reply = chat.bind_tools(TOOLS, tool_choice=tool_choice).invoke([SYSTEM, HumanMessage(question)])
    assert reply.tool_calls, (reply.content, reply.response_metadata)
    for call in reply.tool_calls:
        assert argument_errors(call["name"], call["args"], TOOLS) == []
    if tool_choice == "forecast_demand":
        assert reply.tool_calls[0]["name"] == "forecast_demand"


def test_streaming_gives_the_same_text_as_a_plain_call(real_runtime):
    # Without the prefix cache, so both calls prefill the same tokens in one pass: a prompt prefilled in two
    # chunks (cache + rest) gives float sums in another order, and greedy decoding may part at a near-tie.
    chat = LocalChatModel(runtime=real_runtime, max_new_tokens=48, use_prefix_cache=False)
    messages = [SystemMessage("Answer in one short sentence."), HumanMessage("What is a shopping cart?")]
    whole = chat.invoke(messages, controls=ReplyControls(max_new_tokens=12))
    pieces = [chunk.content for chunk in chat.stream(messages, controls=ReplyControls(max_new_tokens=12))]
    assert len([p for p in pieces if p]) > 3
    assert "".join(pieces) == whole.content and whole.content


def test_prefix_cache_changes_nothing_but_the_prefill(real_runtime):
    cached = LocalChatModel(runtime=real_runtime, max_new_tokens=10).bind_tools(TOOLS)
    uncached = LocalChatModel(runtime=real_runtime, max_new_tokens=10, use_prefix_cache=False).bind_tools(
        TOOLS
    )
    question = [SYSTEM, HumanMessage("Which regions spike on Sunday morning?")]
    cached.invoke(
        [SYSTEM, HumanMessage("Which regions spike on Monday?")], controls=ReplyControls(max_new_tokens=1)
    )  # warm the prefix
    warm = cached.invoke(question)
    cold = uncached.invoke(question)
    assert (warm.content, warm.tool_calls[0]["args"] if warm.tool_calls else None) == (
        cold.content,
        cold.tool_calls[0]["args"] if cold.tool_calls else None,
    )
    assert cold.response_metadata["reused_prompt_tokens"] == 0
    assert warm.response_metadata["reused_prompt_tokens"] > 0.8 * warm.usage_metadata["input_tokens"]
