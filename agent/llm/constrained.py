"""Grammar-constrained tool calls with xgrammar: every call the model writes parses and fits its schema.

Calls are decoded in Qwen2.5's own format, `<tool_call>\\n{"name": <a bound tool>, "arguments": <JSON valid
for that tool's schema>}\\n</tool_call>`, and `tool_choice` picks the grammar:

- "required": the reply is one or more such calls (newline-separated) and nothing else;
- a tool name ("forced"): the reply is exactly one call to that tool;
- "none": free text, no `<tool_call>`;
- "auto" with a decision head (agent/llm/decision_head.py): the head picks a tool, whose "forced" grammar
  follows, or "answer": plain text, with no call and no call-like markup (`{`, code fences);
- "auto": decided by the model's first token (the two-stage choice between calling and answering). If its
  unconstrained first choice opens markup (`<`, `{`, `[` or a code fence) it means to call a tool, and the
  reply is decoded under the "required" grammar. Otherwise it answers: free text in which `<tool_call>`
  may still open a checked call, and `{` and code fences are masked, so no call can slip out unchecked.
  (Measured on Qwen2.5-Coder-0.5B with the operator tools: it often starts a call as bare JSON, a ```json
  fence or made-up XML instead of the tag; all of those now become valid tagged calls.)

The grammar masks one token's logits at a time (`GrammarMask`), so it works with any decode loop, CPU or GPU.
Where the grammar leaves only one way to go on (`{"name": "`, the rest of a tool's name once its first token
is chosen), `GrammarMask.jump_forward` hands those tokens out at once and the loop runs them in one pass.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.llm.decision_head import ANSWER, DecisionHead
from agent.llm.tool_schema import ToolChoice, grammar_schema
from agent.llm.wire_format import CALL_END, CALL_SEPARATOR, TOOL_CALL_OPEN, TURN_START, call_begin
from tools.language import foreign_letters

if TYPE_CHECKING:
    from agent.llm.warm_start import WarmStore

logger = logging.getLogger(__name__)

# A first token starting (after blanks) with one of these opens a call in "auto" mode.
CALL_STARTS = ("<", "{", "[", "```")
# Masked in free text while calls are possible (a call must go through the tag).
FREE_TEXT_EXCLUDES = ("{", "```")
# Masked in a reply a decision head chose to answer in words: any call or call-like markup, and a new chat
# turn (the 0.5B otherwise writes `<|im_start|>` and then a bare JSON call as "text").
ANSWER_EXCLUDES = (TOOL_CALL_OPEN, *FREE_TEXT_EXCLUDES, TURN_START)
# Where the head chose words but the adapter wanted a call, the likeliest tokens left are debris of a call
# ("Петер_result: ..., my_order_id: O0001234"). A reply in words never holds a letter of a script no
# supported language uses, nor an underscore (field names): `answer_excluded_ids`. (Forbidding a lowercase
# first token too only traded "okino" for "Porno:"; the agent replaces such replies, see agent/graph.py.)
# Longest whitespace run inside arguments JSON: enough for any indentation of flat arguments, and it stops
# a weak model from emitting blanks until max_new_tokens.
MAX_JSON_WHITESPACE = 4
# Most items an array in a call may hold when its schema sets no maxItems: a weak model can otherwise repeat
# items until max_new_tokens cuts the call off (3 of 170 calls on public function-calling cases did).
DEFAULT_MAX_ITEMS = 32
# Memory kept for grammars of one turn's narrowed tools (turn_values.py), the most recently used: a reply's
# set (a grammar per decision label) takes ~14 MiB and compiles in 0.12-0.2 s; none is stored on disk (a
# compiled grammar's file is up to 17 MB, and a turn's names rarely come back).
TURN_CACHE_BYTES = 64 * 2**20


def structural_tag(tools: Sequence[dict[str, Any]], choice: ToolChoice) -> Any:
    """The xgrammar structural tag for a reply under `choice` ("auto" here is its free-text branch)."""
    from xgrammar import StructuralTag
    from xgrammar.structural_tag import AnyTextFormat, TagsWithSeparatorFormat, TriggeredTagsFormat

    if choice.mode == "none" or not tools:
        return StructuralTag(format=AnyTextFormat(excludes=[TOOL_CALL_OPEN]))
    if choice.mode == "forced":
        (forced,) = [tool for tool in tools if tool["function"]["name"] == choice.name]
        return StructuralTag(format=_call_tag(forced))
    tags = [_call_tag(tool) for tool in tools]
    if choice.mode == "required":
        return StructuralTag(
            format=TagsWithSeparatorFormat(tags=tags, separator=CALL_SEPARATOR, at_least_one=True)
        )
    return StructuralTag(
        format=TriggeredTagsFormat(triggers=[TOOL_CALL_OPEN], tags=tags, excludes=list(FREE_TEXT_EXCLUDES))
    )


def answer_tag() -> Any:
    """The xgrammar structural tag of a reply a decision head chose to answer without a tool: plain text."""
    from xgrammar import StructuralTag
    from xgrammar.structural_tag import AnyTextFormat

    return StructuralTag(format=AnyTextFormat(excludes=list(ANSWER_EXCLUDES)))


def _call_tag(tool: dict[str, Any]) -> Any:
    from xgrammar.structural_tag import JSONSchemaFormat, TagFormat

    function = tool["function"]
    return TagFormat(
        begin=call_begin(function["name"]),
        content=JSONSchemaFormat(
            json_schema=bounded_arrays(grammar_schema(function.get("parameters") or {"type": "object"})),
            max_whitespace_cnt=MAX_JSON_WHITESPACE,
        ),
        end=CALL_END,
    )


def bounded_arrays(schema: Any, max_items: int = DEFAULT_MAX_ITEMS) -> Any:
    """`schema` with `maxItems: max_items` on every array schema that sets none (its own bound is kept)."""
    if isinstance(schema, list):
        return [bounded_arrays(item, max_items) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: bounded_arrays(value, max_items) for key, value in schema.items()}
    kinds = schema.get("type")
    if (kinds == "array" or isinstance(kinds, list) and "array" in kinds) and "maxItems" not in schema:
        out["maxItems"] = max_items
    return out


class GrammarMask:
    """Per-reply grammar state: masks the next token's logits and follows the tokens chosen."""

    def __init__(self, compiled_grammar: Any, excluded: Any | None = None):
        """`excluded`: token ids (a LongTensor) forbidden besides the grammar's own rule."""
        import xgrammar as xgr

        self._matcher = xgr.GrammarMatcher(compiled_grammar)
        self._bitmask = xgr.allocate_token_bitmask(1, compiled_grammar.tokenizer_info.vocab_size)
        self._excluded = excluded

    def apply(self, logits: Any) -> None:
        """Set the logits of every token the grammar forbids next to -inf (logits: [1, vocab], in place)."""
        import xgrammar as xgr

        self._matcher.fill_next_token_bitmask(self._bitmask)
        xgr.apply_token_bitmask_inplace(logits, self._bitmask.to(logits.device))
        if self._excluded is not None:
            logits[:, self._excluded.to(logits.device)] = float("-inf")

    def accept(self, token_id: int) -> None:
        if not self._matcher.accept_token(token_id):
            raise RuntimeError(f"grammar rejected token {token_id} that it allowed")  # a bug, not user input

    def jump_forward(self, encode: Callable[[str], list[int]]) -> list[int]:
        """The tokens the grammar forces next, accepted already; [] when fewer than two are forced.

        The forced text's last token is left to the model: it may merge with what follows (` {` then `"day`
        where the model writes ` {"` and `day`), and the model should see the tokenization it would write.
        """
        forced = self._matcher.find_jump_forward_string()
        ids = encode(forced)[:-1] if forced else []
        if len(ids) < 2:
            return []
        trial = self._matcher.fork()
        if not all(trial.accept_token(token_id) for token_id in ids):
            return []  # the text's tokenization does not fit the grammar token by token: decode it instead
        self._matcher = trial
        return ids


@dataclass(frozen=True)
class ReplyGrammar:
    """The grammar of one reply; in "auto" mode the model's first token picks between answer and calls, or a
    decision head picks the tool (or an answer) before the first token."""

    default: Any | None  # compiled grammar; None when a decision head picks the grammar
    on_call_start: Any | None = None  # compiled grammar used when the first choice opens a call
    call_start_ids: frozenset[int] = frozenset()
    head: DecisionHead | None = None
    # the head's label -> compiled grammar (a forced call, or no call), compiled when the head chose it: a
    # grammar narrowed to one turn costs tens of milliseconds per tool to compile
    for_decision: Callable[[str], Any] | None = None
    answer_excluded: Any | None = None  # token ids (a LongTensor) excluded from an answer in words

    def decided(self, label: str) -> GrammarMask:
        """The mask for this reply once the head chose `label`."""
        assert self.for_decision is not None, "decided() needs a grammar built with a decision head"
        if label == ANSWER:
            return GrammarMask(self.for_decision(label), self.answer_excluded)
        return GrammarMask(self.for_decision(label))

    def start(self, first_logits: Any) -> GrammarMask:
        """The mask for this reply, given the logits of its first token."""
        assert self.default is not None, "start() needs a grammar built without a decision head"
        if self.on_call_start is not None and int(first_logits.argmax(dim=-1)) in self.call_start_ids:
            return GrammarMask(self.on_call_start)
        return GrammarMask(self.default)


class ToolGrammars:
    """Compiles and caches tool-call grammars for one tokenizer (built in seconds for 150k tokens); with a
    warm store, what it builds is kept on disk for the next process (warm_start.py)."""

    def __init__(self, tokenizer: Any, vocab_size: int, stop_token_ids: Sequence[int],
                 store: WarmStore | None = None):
        import torch
        import xgrammar as xgr

        from agent.llm.warm_start import WarmStore

        self._store = store or WarmStore(None, "")
        logger.info("Preparing the tool-call grammars")
        # vocab_size is the model's logits width, which is padded past the tokenizer's vocabulary.
        info = self._store.cached_text(
            "tokenizer-info", json.dumps([vocab_size, sorted(stop_token_ids)]),
            lambda: xgr.TokenizerInfo.from_huggingface(
                tokenizer, vocab_size=vocab_size, stop_token_ids=list(stop_token_ids)),
            lambda built: built.serialize_json(), xgr.TokenizerInfo.deserialize_json,
        )
        self._compiler = xgr.GrammarCompiler(info)
        # a compiler's cache (what it built) is unbounded unless limited: per-turn grammars have their own
        self._turn_compiler = xgr.GrammarCompiler(info, cache_limit_bytes=TURN_CACHE_BYTES)
        self._info = info
        self._compiled: dict[str, Any] = {}
        call_start, excluded = self._store.cached_text(
            "token-sets", "", lambda: _token_sets(tokenizer),
            lambda sets: json.dumps([sorted(ids) for ids in sets]),
            lambda text: tuple(frozenset(ids) for ids in json.loads(text)),
        )
        self.call_start_ids: frozenset[int] = call_start
        # a LongTensor, ready to index logits with (see GrammarMask)
        self.answer_excluded = torch.tensor(sorted(excluded), dtype=torch.long)

    def compile(self, tools: Sequence[dict[str, Any]], choice: ToolChoice, per_turn: bool = False) -> Any:
        """The compiled grammar (an `xgrammar.CompiledGrammar`) of `structural_tag(tools, choice)`;
        `per_turn`: tools narrowed to one turn, whose grammars are only kept a while (TURN_CACHE_BYTES)."""
        if per_turn:
            return self._turn_compiler.compile_structural_tag(structural_tag(tools, choice))
        key = json.dumps([list(tools), choice.mode, choice.name], sort_keys=True, default=str)
        return self._compile_once(key, lambda: structural_tag(tools, choice))

    def compile_answer(self) -> Any:
        """The compiled grammar of `answer_tag()`."""
        return self._compile_once(ANSWER, answer_tag)

    def _compile_once(self, key: str, tag: Callable[[], Any]) -> Any:
        if key not in self._compiled:
            import xgrammar as xgr

            built = tag()
            self._compiled[key] = self._store.cached_text(
                "grammar", built.model_dump_json(), lambda: self._compiler.compile_structural_tag(built),
                lambda compiled: compiled.serialize_json(),
                lambda text: xgr.CompiledGrammar.deserialize_json(text, self._info),
            )
        return self._compiled[key]

    def for_reply(
        self, tools: Sequence[dict[str, Any]], choice: ToolChoice, head: DecisionHead | None = None,
        per_turn: bool = False,
    ) -> ReplyGrammar:
        """The grammar of a reply to a turn with these tools bound and this `tool_choice`; with a decision
        `head` (for exactly these tools, "auto" only), one grammar per label: a call to that tool, or no
        call. `per_turn`: see `compile`."""
        if head is not None and choice.mode == "auto" and tools:

            def for_decision(label: str) -> Any:
                if label == ANSWER:
                    return self.compile_answer()
                return self.compile(tools, ToolChoice("forced", label), per_turn)

            return ReplyGrammar(None, head=head, for_decision=for_decision,
                                answer_excluded=self.answer_excluded)
        if choice.mode == "auto" and tools:
            return ReplyGrammar(self.compile(tools, choice, per_turn),
                                self.compile(tools, ToolChoice("required"), per_turn), self.call_start_ids)
        return ReplyGrammar(self.compile(tools, choice, per_turn))


def token_texts(tokenizer: Any) -> dict[int, str]:
    """The text of every non-special token, by id (decoded once per tokenizer: a second for 150k tokens)."""
    special = set(tokenizer.all_special_ids)
    ids = [i for i in range(len(tokenizer)) if i not in special]
    return dict(zip(ids, tokenizer.batch_decode([[i] for i in ids], skip_special_tokens=False)))


def _token_sets(tokenizer: Any) -> tuple[frozenset[int], frozenset[int]]:
    """The call-start ids and the ids an answer in words excludes, from one decoding of the vocabulary."""
    texts = token_texts(tokenizer)
    return call_start_ids(texts), answer_excluded_ids(texts)


def call_start_ids(texts: Mapping[int, str]) -> frozenset[int]:
    """Ids of the tokens (`token_texts`) whose text, after leading blanks, begins with one of CALL_STARTS."""
    return frozenset(i for i, text in texts.items() if text.lstrip().startswith(CALL_STARTS))


def answer_excluded_ids(texts: Mapping[int, str]) -> frozenset[int]:
    """Ids of the tokens an answer in words never holds: letters of a script no supported language uses
    (tools.language.SCRIPTS), a piece of a character's bytes (how the rarer letters of those scripts are
    written; every letter of the supported languages has whole tokens), or an underscore."""
    return frozenset(
        i for i, text in texts.items() if "_" in text or "\ufffd" in text or foreign_letters(text)
    )

