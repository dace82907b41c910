"""What a stream may show before the reply ends: always a prefix of the final content (pure)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.llm.streaming import VisibleText
from agent.llm.tool_parsing import parse_tool_calls
from agent.llm.wire_format import TOOL_CALL_TRIGGERS

TOOLS = ["find_spikes"]
CALL = '<tool_call>\n{"name": "find_spikes", "arguments": {"day": "friday"}}\n</tool_call>'


def feed_all(visible: VisibleText, pieces: list[str]) -> list[str]:
    return [out for piece in pieces if (out := visible.feed(piece))]


def test_text_before_a_tool_call_streams_and_the_call_is_held_back():
    visible = VisibleText(TOOL_CALL_TRIGGERS)
    shown = feed_all(visible, ["Let ", "me ", "check", ".\n<tool", "_call>\n{", '"name"'])
    assert "".join(shown) == "Let me check."
    assert "<" not in visible.shown


def test_a_partial_tag_is_held_until_it_turns_out_to_be_text():
    visible = VisibleText(TOOL_CALL_TRIGGERS)
    assert visible.feed("a <tool") == "a"
    assert visible.feed("box> b") == " <toolbox> b"


def test_stop_sequence_ends_the_text_and_is_not_shown():
    visible = VisibleText(stop=["\nUser:"])
    shown = feed_all(visible, ["Hello", "\nUs", "er: more"])
    assert "".join(shown) == "Hello" and visible.stopped and visible.raw == "Hello"


def test_leading_and_trailing_whitespace_is_never_shown():
    visible = VisibleText()
    assert feed_all(visible, ["\n  ", "Hi", "  \n"]) == ["Hi"]


pieces_of_replies = st.lists(
    st.sampled_from(
        [
            "Sure",
            ", ",
            "\n",
            "  ",
            "text",
            "{",
            "}",
            "[1]",
            "```",
            "json",
            "<",
            "tool",
            CALL,
            '"x"',
            "<tool_call>",
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=pieces_of_replies, cuts=st.lists(st.integers(min_value=1, max_value=6), max_size=40))
def test_shown_text_is_always_a_prefix_of_the_parsed_content(text: str, cuts: list[int]):
    visible = VisibleText(TOOL_CALL_TRIGGERS)
    position = 0
    for size in cuts + [len(text)]:
        visible.feed(text[position : position + size])
        position += size
    content = parse_tool_calls(visible.raw, TOOLS).content
    assert visible.raw == text
    assert content.startswith(visible.shown)
