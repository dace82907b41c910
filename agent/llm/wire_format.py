"""Qwen2.5's wire format: the markup of its chat turns and tool calls, and pure functions over it.

- A turn is `<|im_start|>{role}\\n{content}<|im_end|>\\n`; `<|endoftext|>` ends a document (and pads).
- A tool call is `<tool_call>\\n{"name": ..., "arguments": {...}}\\n</tool_call>`; a reply may hold several,
  one per line. The tags are added tokens of Qwen2.5's tokenizer, not special ones.
- `TOOL_TEMPLATE` is Qwen2.5's official chat template with tools, for tokenizers that lack one.

Parsing, grammars, streaming, prompt rendering, the agent's clean-up of drafts and fine-tuning all read the
format from here: another model family's markup would change this module only.
"""

from __future__ import annotations

import re
from pathlib import Path

TURN_START = "<|im_start|>"
TURN_END = "<|im_end|>"
END_OF_TEXT = "<|endoftext|>"
SPECIAL_TOKENS = (END_OF_TEXT, TURN_START, TURN_END)  # in the order of their ids in Qwen2.5's tokenizer

TOOL_CALL_OPEN = "<tool_call>"
TOOL_CALL_CLOSE = "</tool_call>"
TOOL_CALL_TAGS = (TOOL_CALL_OPEN, TOOL_CALL_CLOSE)

TOOL_TEMPLATE = Path(__file__).resolve().parents[1] / "prompts" / "qwen2.5_tools.jinja"

# A call as the template writes it is `call_begin(name)`, the arguments JSON, CALL_END: the grammar decodes
# the arguments under the tool's schema between the two. Calls in one reply are separated by CALL_SEPARATOR.
CALL_END = "}\n" + TOOL_CALL_CLOSE
CALL_SEPARATOR = "\n"

# Where a tool call may begin in reply text: the tag, or what small models write instead (a Markdown fence,
# bare JSON).
TOOL_CALL_TRIGGERS = (TOOL_CALL_OPEN, "```", "{", "[")

# A tagged call's body (group 1); a missing closing tag is forgiven, up to the next opening tag or the end.
TAGGED_CALL = re.compile(
    f"{re.escape(TOOL_CALL_OPEN)}(.*?)(?:{re.escape(TOOL_CALL_CLOSE)}|(?={re.escape(TOOL_CALL_OPEN)})|\\Z)",
    re.DOTALL,
)
_MARKUP = re.compile(
    "|".join(re.escape(tag) for tag in (*TOOL_CALL_TAGS, TURN_START, TURN_END)) + "|```(?:json)?"
)
_CALL_NAME = re.compile(
    f'^\\s*(?:{re.escape(TOOL_CALL_OPEN)}|```(?:json)?)?\\s*\\{{\\s*"name"\\s*:\\s*"([^"]+)"'
)


def call_begin(name: str) -> str:
    """The text of a call to `name` up to its arguments JSON."""
    return f'{TOOL_CALL_OPEN}\n{{"name": "{name}", "arguments": '


def wrap_call(body: str) -> str:
    """A call block around `body` (the call's JSON, or whatever the model wrote there)."""
    return f"{TOOL_CALL_OPEN}\n{body}\n{TOOL_CALL_CLOSE}"


def strip_markup(text: str) -> str:
    """`text` without call tags, turn markers and code fences (what may leak into a model's answer)."""
    return _MARKUP.sub("", text)


def first_call_name(text: str) -> str | None:
    """The tool name of the call `text` opens (tagged, fenced or bare), once its closing quote is written."""
    match = _CALL_NAME.match(text)
    return match.group(1) if match else None
