"""Reading tool calls out of reply text: every form a small model writes (pure, no model)."""

from __future__ import annotations

import json

from agent.llm.tool_parsing import ParsedToolCall, parse_tool_calls

TOOLS = ["find_spikes", "forecast_demand"]


def names_and_args(calls: list[ParsedToolCall]) -> list[tuple[str, dict]]:
    return [(c.name, c.arguments) for c in calls]


def test_template_tag_is_read_as_a_call():
    reply = parse_tool_calls(
        '<tool_call>\n{"name": "find_spikes", "arguments": {"day": "friday"}}\n</tool_call>', TOOLS
    )
    assert names_and_args(reply.calls) == [("find_spikes", {"day": "friday"})]
    assert reply.content == "" and reply.invalid == []


def test_several_tagged_calls_keep_their_order_and_the_text_around_them():
    text = (
        "Let me look.\n"
        '<tool_call>\n{"name": "find_spikes", "arguments": {"day": "friday"}}\n</tool_call>\n'
        '<tool_call>\n{"name": "forecast_demand", "arguments": {"region": "north", "horizon_days": 7}}\n'
        '</tool_call>\n'
        "One moment."
    )
    reply = parse_tool_calls(text, TOOLS)
    assert names_and_args(reply.calls) == [
        ("find_spikes", {"day": "friday"}),
        ("forecast_demand", {"region": "north", "horizon_days": 7}),
    ]
    assert reply.content == "Let me look.\n\nOne moment."


def test_arguments_given_as_a_json_string_are_decoded():
    text = '<tool_call>{"name": "find_spikes", "arguments": "{\\"day\\": \\"monday\\"}"}</tool_call>'
    assert names_and_args(parse_tool_calls(text).calls) == [("find_spikes", {"day": "monday"})]


def test_parameters_key_and_missing_arguments_are_accepted():
    reply = parse_tool_calls(
        '<tool_call>{"name": "find_spikes", "parameters": {"day": "sunday"}}</tool_call>'
        '<tool_call>{"name": "forecast_demand"}</tool_call>'
    )
    assert names_and_args(reply.calls) == [("find_spikes", {"day": "sunday"}), ("forecast_demand", {})]


def test_openai_function_wrapper_is_unwrapped():
    text = ('<tool_call>{"type": "function", '
            '"function": {"name": "find_spikes", "arguments": {"day": "friday"}}}</tool_call>')
    assert names_and_args(parse_tool_calls(text).calls) == [("find_spikes", {"day": "friday"})]


def test_missing_closing_tag_and_missing_final_brace_are_forgiven():
    text = 'Checking.\n<tool_call>\n{"name": "find_spikes", "arguments": {"day": "friday"}\n'
    reply = parse_tool_calls(text, TOOLS)
    assert names_and_args(reply.calls) == [("find_spikes", {"day": "friday"})]
    assert reply.content == "Checking."


def test_trailing_text_inside_the_tag_after_the_json_is_ignored():
    text = (
        '<tool_call>{"name": "find_spikes", "arguments": {"day": "friday"}} (this finds spikes)</tool_call>'
    )
    assert names_and_args(parse_tool_calls(text).calls) == [("find_spikes", {"day": "friday"})]


def test_fenced_json_inside_the_tag_is_read():
    text = '<tool_call>\n```json\n{"name": "find_spikes", "arguments": {"day": "friday"}}\n```\n</tool_call>'
    assert names_and_args(parse_tool_calls(text).calls) == [("find_spikes", {"day": "friday"})]


def test_json_fence_holding_a_call_is_a_call():
    text = 'I will call a tool.\n```json\n{"name": "forecast_demand", "arguments": {"region": "north"}}\n```'
    reply = parse_tool_calls(text, TOOLS)
    assert names_and_args(reply.calls) == [("forecast_demand", {"region": "north"})]
    assert reply.content == "I will call a tool."


def test_json_fence_holding_a_list_gives_several_calls():
    calls = [
        {"name": "find_spikes", "arguments": {"day": "friday"}},
        {"name": "forecast_demand", "arguments": {}},
    ]
    reply = parse_tool_calls(f"```json\n{json.dumps(calls)}\n```", TOOLS)
    assert [c.name for c in reply.calls] == ["find_spikes", "forecast_demand"]


def test_bare_json_call_in_free_text_is_found():
    text = 'Sure: {"name": "find_spikes", "arguments": {"day": "friday", "band": "night"}} is what I need.'
    reply = parse_tool_calls(text, TOOLS)
    assert names_and_args(reply.calls) == [("find_spikes", {"day": "friday", "band": "night"})]
    assert reply.content == "Sure:\n\nis what I need."


def test_json_that_names_no_known_tool_stays_text():
    text = ('The record is {"name": "Alice", "arguments": {"age": 3}} and '
            '```json\n{"name": "x", "arguments": {}}\n```')
    reply = parse_tool_calls(text, TOOLS)
    assert reply.calls == [] and reply.invalid == []
    assert reply.content == text


def test_plain_json_answer_without_call_shape_stays_text():
    text = 'Totals: {"north": 12, "south": 7}'
    assert parse_tool_calls(text, TOOLS).content == text


def test_tagged_call_to_an_unknown_tool_is_still_a_call_for_the_registry_to_reject():
    reply = parse_tool_calls('<tool_call>{"name": "drop_tables", "arguments": {}}</tool_call>', TOOLS)
    assert names_and_args(reply.calls) == [("drop_tables", {})]


def test_broken_json_in_a_tag_becomes_an_unparsed_call_with_the_reason():
    reply = parse_tool_calls('Ok <tool_call>{"name": "find_spikes", "arguments": {"day": "fri', TOOLS)
    assert reply.calls == []
    (bad,) = reply.invalid
    assert bad.name == "find_spikes"
    assert "not valid JSON" in bad.error
    assert bad.raw.startswith('{"name": "find_spikes"')
    assert reply.content == "Ok"


def test_arguments_string_that_is_not_json_is_reported():
    (bad,) = parse_tool_calls(
        '<tool_call>{"name": "find_spikes", "arguments": "day=friday"}</tool_call>'
    ).invalid
    assert "not valid JSON" in bad.error and bad.name == "find_spikes"


def test_arguments_that_are_not_an_object_are_reported():
    (bad,) = parse_tool_calls('<tool_call>{"name": "find_spikes", "arguments": [1, 2]}</tool_call>').invalid
    assert "must be a JSON object" in bad.error


def test_call_without_name_and_empty_tag_are_reported():
    reply = parse_tool_calls('<tool_call>{"arguments": {}}</tool_call><tool_call>  </tool_call>')
    assert [b.error.split(";")[0] for b in reply.invalid] == [
        "The tool call has no 'name' string",
        "The tool call is empty",
    ]


def test_text_without_calls_is_returned_stripped():
    reply = parse_tool_calls("  Friday night orders spike in the north-west.\n", TOOLS)
    assert reply.content == "Friday night orders spike in the north-west." and reply.calls == []
