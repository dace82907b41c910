"""Qwen2.5's markup helpers (pure)."""

from __future__ import annotations

import pytest

from agent.llm.tool_parsing import parse_tool_calls
from agent.llm.wire_format import CALL_END, call_begin, first_call_name, strip_markup, wrap_call

CALL = '<tool_call>\n{"name": "find_spikes", "arguments": {"day": "friday"}}\n</tool_call>'


def test_a_call_is_its_begin_the_arguments_and_its_end_and_wrapping_gives_the_same_block():
    assert call_begin("find_spikes") + '{"day": "friday"}' + CALL_END == CALL
    assert wrap_call('{"name": "find_spikes", "arguments": {"day": "friday"}}') == CALL
    assert [c.name for c in parse_tool_calls(CALL).calls] == ["find_spikes"]


def test_strip_markup_drops_tags_turn_markers_and_fences_only():
    assert strip_markup("<|im_start|>Sure.</tool_call> ```json x``` <tool_call><|im_end|>") == "Sure.  x "
    assert (strip_markup("<tool_result tool='x'>kept</tool_result>")
            == "<tool_result tool='x'>kept</tool_result>")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (CALL, "find_spikes"),
        ('```json\n{"name": "search_docs", "arg', "search_docs"),
        ('  {"name": "my_orders"', "my_orders"),
        ('<tool_call>\n{"name": "find_spi', None),  # the name is not finished yet
        ("Friday is busy.", None),
    ],
)
def test_first_call_name_reads_the_name_once_it_is_written(text, name):
    assert first_call_name(text) == name
