"""Training pairs are rendered exactly as the agent renders prompts, and tool calls round-trip the parser."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from agent.llm.template import render_prompt, tool_template
from agent.llm.tool_parsing import parse_tool_calls
from agent.roles import system_prompt
from finetune.data import Dialogue
from finetune.render import TRAINING_TODAY, training_pairs, with_system_prompt

MODEL_CACHE = Path(__file__).resolve().parents[2] / ".chronotope" / "models"  # shared with tests/llm
TOOLS = [
    {"type": "function", "function": {"name": "my_orders", "description": "The customer's own orders.",
                                      "parameters": {"type": "object",
                                                     "properties": {"status": {"type": "string"}}}}},
    {"type": "function", "function": {"name": "search_docs", "description": "Search the shop's documents.",
                                      "parameters": {"type": "object",
                                                     "properties": {"query": {"type": "string"}},
                                                     "required": ["query"]}}},
]


@pytest.fixture(scope="module")
def tokenizer():
    """The real 0.5B tokenizer with its own chat template (the model is prepared once per machine)."""
    from transformers import AutoTokenizer

    from agent.llm.sources import prepare_model

    return AutoTokenizer.from_pretrained(
        prepare_model("qwen2.5-coder-0.5b", MODEL_CACHE, progress=False).location
    )


def tool_dialogue() -> Dialogue:
    return Dialogue("c1", [
        {"role": "system", "content": system_prompt("customer", TRAINING_TODAY)},
        {"role": "user", "content": "Which of my orders are shipped?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"type": "function",
             "function": {"name": "my_orders", "arguments": {"status": "shipped", "limit": 5}}}]},
        {"role": "tool", "name": "my_orders", "content": "1 order(s): O0012345 shipped."},
        {"role": "assistant", "content": "Your order O0012345 has shipped."},
    ], "synth", "customer")


def test_tool_call_completion_parses_back_to_the_same_call(tokenizer) -> None:
    template = tool_template(tokenizer)
    first, _ = training_pairs(tool_dialogue(), tokenizer, TOOLS, template)
    assert first.completion.endswith("<|im_end|>")
    reply = parse_tool_calls(first.completion.removesuffix("<|im_end|>"), ["my_orders", "search_docs"])
    assert [(c.name, c.arguments) for c in reply.calls] == [("my_orders", {"status": "shipped", "limit": 5})]
    assert reply.content == "" and not reply.invalid


def test_first_prompt_is_exactly_what_the_agent_sends(tokenizer) -> None:
    template = tool_template(tokenizer)
    first, second = training_pairs(tool_dialogue(), tokenizer, TOOLS, template)
    agent_prompt = render_prompt(
        tokenizer, [SystemMessage(system_prompt("customer", TRAINING_TODAY)),
                    HumanMessage("Which of my orders are shipped?")], TOOLS
    )
    assert first.prompt == agent_prompt
    # The answer turn sees the call and the tool's result, as the agent's second model call does.
    assert second.prompt.startswith(first.prompt + first.completion)
    assert "<tool_response>\n1 order(s): O0012345 shipped.\n</tool_response>" in second.prompt
    assert second.completion == "Your order O0012345 has shipped.<|im_end|>"


def test_first_turn_only_keeps_one_pair_and_missing_system_prompt_is_added(tokenizer) -> None:
    bare = Dialogue("b1", [{"role": "user", "content": "where is my parcel"},
                           {"role": "assistant", "content": "", "tool_calls": [
                               {"type": "function", "function": {"name": "my_orders", "arguments": {}}}]}],
                    "bitext", "customer")
    assert (with_system_prompt(bare)[0]
            == {"role": "system", "content": system_prompt("customer", date(2026, 11, 15))})
    pairs = training_pairs(tool_dialogue(), tokenizer, TOOLS, tool_template(tokenizer), first_turn_only=True)
    assert [p.turn for p in pairs] == [0]
    assert training_pairs(bare, tokenizer, TOOLS, tool_template(tokenizer))[0].prompt.startswith(
        "<|im_start|>system\n"
    )
