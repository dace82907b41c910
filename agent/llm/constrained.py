"""Grammar-constrained tool calls with xgrammar: every call the model writes parses and fits its schema.

When tools are bound, the reply is decoded under a structural tag in Qwen2.5's own tool-call format:
free text, and wherever the model opens `<tool_call>` it must write
`{"name": <one bound tool>, "arguments": <JSON valid for that tool's schema>}` and close the tag. The
`tool_choice` decides whether a call is optional (auto), needed (required), one fixed tool (forced) or
forbidden (none). The grammar masks the logits of one token at a time (`GrammarMask`), so it works on CPU
and GPU with any decode loop.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agent.llm.tool_parsing import TOOL_CALL_OPEN
from agent.llm.tool_schema import ToolChoice

# xgrammar's "qwen_3" tool format with reasoning disabled is exactly Qwen2.5's:
# <tool_call>\n{"name": "...", "arguments": {...}}\n</tool_call>
XGRAMMAR_FORMAT = "qwen_3"
# Longest whitespace run allowed inside arguments JSON: enough for any indentation a model uses for flat
# arguments, and it stops a weak model from emitting blanks until max_new_tokens.
MAX_JSON_WHITESPACE = 4


def structural_tag(tools: Sequence[dict[str, Any]], choice: ToolChoice) -> Any:
    """The xgrammar structural tag for a tool-calling turn (tools are OpenAI-style dicts)."""
    import xgrammar as xgr
    from xgrammar.structural_tag import AnyTextFormat

    if choice.mode == "none" or not tools:
        return xgr.StructuralTag(format=AnyTextFormat(excludes=[TOOL_CALL_OPEN]))
    if choice.mode == "forced":
        tool_choice: Any = {"type": "function", "function": {"name": choice.name}}
    else:
        tool_choice = choice.mode
    return xgr.get_model_structural_tag(
        XGRAMMAR_FORMAT,
        tools=[_strict(tool) for tool in tools],
        tool_choice=tool_choice,
        reasoning="disabled",
        exclude_special_tokens=False,
        max_whitespace_cnt=MAX_JSON_WHITESPACE,
    )


def _strict(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool dict without OpenAI's `strict: false`, which would make xgrammar drop the schema."""
    function = {k: v for k, v in tool["function"].items() if k != "strict"}
    return {"type": "function", "function": function}


class ToolGrammars:
    """Compiles and caches tool-call grammars for one tokenizer (compiling is the slow part)."""

    def __init__(self, tokenizer: Any, vocab_size: int, stop_token_ids: Sequence[int]):
        import xgrammar as xgr

        # vocab_size is the model's logits width, which is padded past the tokenizer's vocabulary.
        info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size, stop_token_ids=list(stop_token_ids))
        self._compiler = xgr.GrammarCompiler(info)
        self._compiled: dict[str, Any] = {}

    def compile(self, tools: Sequence[dict[str, Any]], choice: ToolChoice) -> Any:
        """The compiled grammar (an `xgrammar.CompiledGrammar`) for these tools and this choice."""
        key = json.dumps([list(tools), choice.mode, choice.name], sort_keys=True, default=str)
        if key not in self._compiled:
            self._compiled[key] = self._compiler.compile_structural_tag(structural_tag(tools, choice))
        return self._compiled[key]


class GrammarMask:
    """Per-reply grammar state: masks the next token's logits and follows the tokens chosen."""

    def __init__(self, compiled_grammar: Any):
        import xgrammar as xgr

        self._matcher = xgr.GrammarMatcher(compiled_grammar)
        self._bitmask = xgr.allocate_token_bitmask(1, compiled_grammar.tokenizer_info.vocab_size)

    def apply(self, logits: Any) -> None:
        """Set the logits of every token the grammar forbids next to -inf (logits: [1, vocab], in place)."""
        import xgrammar as xgr

        self._matcher.fill_next_token_bitmask(self._bitmask)
        xgr.apply_token_bitmask_inplace(logits, self._bitmask.to(logits.device))

    def accept(self, token_id: int) -> None:
        if not self._matcher.accept_token(token_id):
            raise RuntimeError(f"grammar rejected token {token_id} that it allowed")  # a bug, not user input

    @property
    def finished(self) -> bool:
        return self._matcher.is_terminated()
