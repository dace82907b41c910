"""The tool-call grammar: which replies it lets through for each `tool_choice` (tiny tokenizer, no
decoding)."""

from __future__ import annotations

import pytest

from agent.llm.constrained import GrammarMask, answer_excluded_ids, token_texts
from agent.llm.tool_schema import ToolChoice

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "find_spikes",
            "parameters": {
                "type": "object",
                "properties": {
                    "day": {"type": "string", "enum": ["friday", "saturday"]},
                    "top": {"type": "integer"},
                },
                "required": ["day"],
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "search_docs",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
        },
    },
]
CALL = '<tool_call>\n{"name": "find_spikes", "arguments": {"day": "friday"}}\n</tool_call>'


@pytest.fixture
def accepts(tiny_runtime):
    """accepts(reply, mode, name=None): would the grammar let the model write `reply` and end the turn?"""
    import xgrammar as xgr

    def check(reply: str, mode: str, name: str | None = None) -> bool:
        matcher = xgr.GrammarMatcher(tiny_runtime.grammars.compile(TOOLS, ToolChoice(mode, name)))  # type: ignore[arg-type]
        return matcher.accept_string(reply) and matcher.accept_token(tiny_runtime.stop_token_ids[0])

    return check


def test_auto_allows_text_a_valid_call_or_both(accepts):
    assert accepts("It is quiet today.", "auto")
    assert accepts(CALL, "auto")
    assert accepts("Let me check.\n" + CALL + "\n" + CALL.replace("friday", "saturday"), "auto")


def test_arguments_outside_the_schema_are_impossible(accepts):
    assert not accepts(CALL.replace('"friday"', '"funday"'), "auto")
    assert not accepts(CALL.replace('{"day": "friday"}', '{"day": "friday", "type": "object"}'), "auto")
    assert not accepts(CALL.replace('{"day": "friday"}', "{}"), "auto")  # "day" is required
    assert not accepts(CALL.replace("find_spikes", "drop_tables"), "auto")


def test_a_call_cannot_slip_out_as_bare_json_or_a_fence(accepts):
    assert not accepts('{"name": "find_spikes", "arguments": {"day": "friday"}}', "auto")
    assert not accepts('```json\n{"name": "find_spikes"}\n```', "auto")


def test_required_needs_a_call_and_none_forbids_it(accepts):
    assert not accepts("No tool needed.", "required")
    assert accepts(CALL, "required")
    assert accepts("No tool needed.", "none")
    assert not accepts(CALL, "none")


def test_forced_allows_only_that_tool(accepts):
    assert accepts(
        '<tool_call>\n{"name": "search_docs", "arguments": {"query": "returns"}}\n</tool_call>',
        "forced",
        "search_docs",
    )
    assert not accepts(CALL, "forced", "search_docs")
    assert not accepts("Sure.", "forced", "search_docs")


def test_required_is_calls_only_with_newlines_between(accepts):
    assert accepts(CALL + "\n" + CALL, "required")
    assert not accepts("Let me check.\n" + CALL, "required")


def test_auto_turns_a_reply_that_opens_like_a_call_into_a_checked_call(tiny_runtime):
    import torch

    grammars = tiny_runtime.grammars
    tokenizer = tiny_runtime.tokenizer
    brace, tag, letter = (tokenizer.convert_tokens_to_ids(t) for t in ("{", "<tool_call>", "L"))
    assert {brace, tag} <= grammars.call_start_ids and letter not in grammars.call_start_ids
    assert not set(tiny_runtime.stop_token_ids) & grammars.call_start_ids
    reply = grammars.for_reply(TOOLS, ToolChoice("auto"))
    logits = torch.zeros(1, len(tokenizer))
    for first, calls_only in [(brace, True), (letter, False)]:
        logits.zero_()
        logits[0, first] = 1.0
        mask = reply.start(logits.clone())
        masked = logits.clone()
        mask.apply(masked)
        # In the calls-only grammar a letter cannot come first; in the answer branch it can.
        assert bool(torch.isinf(masked[0, letter])) is calls_only


def test_grammar_only_enum_is_enforced_by_the_grammar_but_not_shown_in_the_prompt(tiny_runtime):
    import xgrammar as xgr
    from langchain_core.messages import HumanMessage

    from agent.llm.template import render_prompt
    from tools.registry import GRAMMAR_ENUM

    place = {"anyOf": [{"type": "string", GRAMMAR_ENUM: ["Lyon", "Bavaria"]}, {"type": "null"}]}
    tools = [{"type": "function", "function": {"name": "top_items", "parameters": {
        "type": "object", "properties": {"place": place}, "additionalProperties": False}}}]
    grammar = tiny_runtime.grammars.compile(tools, ToolChoice("required"))

    def accepts(value: str) -> bool:
        matcher = xgr.GrammarMatcher(grammar)
        call = '<tool_call>\n{"name": "top_items", "arguments": {"place": ' + value + "}}\n</tool_call>"
        return matcher.accept_string(call) and matcher.accept_token(tiny_runtime.stop_token_ids[0])

    assert accepts('"Lyon"') and accepts("null")
    assert not accepts('"last_30_days"') and not accepts('"Lyo"')
    prompt = render_prompt(tiny_runtime.tokenizer, [HumanMessage("top places?")], tools)
    assert "top_items" in prompt and "Bavaria" not in prompt and GRAMMAR_ENUM not in prompt


def test_every_tool_of_a_shop_without_categories_compiles_to_a_grammar(tiny_runtime) -> None:
    """Northwind's profile names no categories: its schemas must still compile (an empty enum would not)."""
    from agent.llm.tool_schema import to_openai_tools
    from tests.shops import NORTHWIND
    from tools.agent_tools import build_registry

    for role in ("customer", "operator"):
        tools = to_openai_tools(build_registry(None, profile=NORTHWIND).schemas(role))
        assert tiny_runtime.grammars.compile(tools, ToolChoice("required")) is not None


def test_arrays_in_a_call_are_bounded_by_their_max_items_or_the_default(tiny_runtime):
    import xgrammar as xgr

    from agent.llm.constrained import DEFAULT_MAX_ITEMS

    lists = [{"type": "function", "function": {"name": "add_items", "parameters": {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string"}},
                       "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 3}},
    }}}]
    grammar = tiny_runtime.grammars.compile(lists, ToolChoice("forced", "add_items"))

    def accepts(arguments: str) -> bool:
        matcher = xgr.GrammarMatcher(grammar)
        reply = f'<tool_call>\n{{"name": "add_items", "arguments": {arguments}}}\n</tool_call>'
        return matcher.accept_string(reply) and matcher.accept_token(tiny_runtime.stop_token_ids[0])

    def tags(n: int) -> str:
        return '{"tags": [' + ", ".join('"a"' for _ in range(n)) + "]}"

    assert accepts(tags(DEFAULT_MAX_ITEMS))
    assert not accepts(tags(DEFAULT_MAX_ITEMS + 1))
    assert accepts('{"ids": [1, 2, 3]}')
    assert not accepts('{"ids": [1, 2, 3, 4]}')


@pytest.mark.slow
def test_an_answer_in_words_excludes_call_debris(real_runtime):
    tokenizer = real_runtime.tokenizer
    texts = token_texts(tokenizer)
    excluded = answer_excluded_ids(texts)
    for debris in ("Петер", "_result", "my_order_id", "你好", "مرحبا"):
        assert set(tokenizer.encode(debris)) & excluded, debris
    for words in ("Grüß Gott, ça va? ¡Hola! Où est ma commande? Perché l'ordine è in ritardo?", "Order 42."):
        assert not set(tokenizer.encode(words)) & excluded, words


def test_an_answer_mask_excludes_its_tokens_at_every_step(tiny_runtime):
    import torch

    grammars = tiny_runtime.grammars
    assert grammars.for_reply(TOOLS, ToolChoice("auto")).answer_excluded is None  # a head's answer only
    excluded, free = 5, 7
    mask = GrammarMask(grammars.compile_answer(), torch.tensor([excluded]))
    logits = torch.zeros(1, tiny_runtime.model.get_output_embeddings().weight.shape[0])
    for _ in range(2):
        logits.zero_()
        mask.apply(logits)
        assert logits[0, excluded] == float("-inf") and logits[0, free] == 0
        mask.accept(free)
