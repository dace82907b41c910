"""The decode loop of a local model: greedy, token by token, with prefix KV-cache reuse and grammar masks.

A hand-written loop instead of `model.generate` because three things need the step in our hands: the KV
cache of the prompt prefix shared with earlier calls is reused (agent turns repeat the system prompt and
tool schemas, then the whole conversation so far), the grammar mask is applied to each step's logits, and
tokens are handed out as soon as they exist (streaming). Generation is serialized by one lock per model.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.llm.constrained import GrammarMask, ReplyGrammar, ToolGrammars
from agent.llm.decision_head import ANSWER, QUESTION, DecisionHead, DecisionHeads, last_hidden_state
from agent.llm.near_repeat import ends_in_a_near_repeat

if TYPE_CHECKING:
    from agent.llm.load import LoadedModel
    from agent.llm.warm_start import WarmStore

logger = logging.getLogger(__name__)


@dataclass
class DecodeStats:
    """What one decode did; filled in while it runs."""

    prompt_tokens: int = 0
    reused_tokens: int = 0  # prompt tokens whose keys/values came from the prefix cache
    prefilled_tokens: int = 0  # prompt tokens run through the model
    new_tokens: int = 0
    # of new_tokens, those the grammar forced and the model ran in one pass (jump-forward)
    forced_tokens: int = 0
    prefill_s: float = 0.0
    decode_s: float = 0.0  # after the prefill, until the last token
    # "stop" (end of turn), "length" (max_new_tokens), "repetition" (a loop or near-repeat), "no_call"
    finish_reason: str = ""
    # what the grammar's decision head chose (a tool name or "answer"), if it had one
    decision: str | None = None
    # with a head: whether the model's own first token would have opened a call (words it is then made to
    # write instead start with noise: "okino", "Петер_result")
    wanted_call: bool | None = None

    @property
    def decode_tokens_per_s(self) -> float:
        return self.new_tokens / self.decode_s if self.decode_s > 0 else 0.0


def ends_in_a_loop(tokens: Sequence[int], min_span: int = 32, max_period: int = 64) -> bool:
    """Whether `tokens` end with one run of 1..max_period tokens repeated back to back, at least 3 times and
    over at least `min_span` tokens. Greedy decoding that has entered such a loop never leaves it: stop it
    there. Two sentences said in turn make a run of some 40 tokens ("Ile-de-France is located in the
    Ile-de-France region, ... Ile-de-France is a city, region, and country."), hence `max_period`.
    """
    for period in range(1, max_period + 1):
        span = period * max(3, -(-min_span // period))
        if span > len(tokens):
            continue
        tail = list(tokens[-span:])
        if tail[:-period] == tail[period:]:
            return True
    return False


def common_prefix_length(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens `a` and `b` share."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


MIN_PREFILL_TOKENS = 2  # prompt tokens always run, cache or not (see PrefixCache.take)


class PrefixCache:
    """KV caches of recent token sequences; hands out the one sharing the longest prefix with a prompt.

    A prompt that continues a whole entry (the next turn of a conversation) takes the entry itself: it is
    moved out while the decode extends it and put back under the tokens it then holds, so no copy is made.
    A prompt sharing only part of an entry (another conversation on the same system prompt and tools) gets
    a cropped copy, and the entry stays for its own conversation: cropping the entry itself would let two
    roles, or two conversations, destroy each other's cached prefix at every switch.

    Pinned entries (each role's system prompt and tools, put there by the agent's warm-up) are only ever
    copied and never evicted: a run of customer conversations would otherwise push the operator's prompt
    out of the `max_entries` most recent ones, and the next operator question would prefill it all again.
    """

    def __init__(self, max_entries: int = 4):
        self.max_entries = max_entries  # unpinned entries kept
        self._entries: list[tuple[list[int], Any, bool]] = []  # (ids, cache, pinned), most recently used last

    def __len__(self) -> int:
        return len(self._entries)

    def take(self, prompt_ids: Sequence[int]) -> tuple[Any | None, int]:
        """(cache holding the first n prompt tokens, n); (None, 0) when nothing useful is cached.

        At most len(prompt) - 2 tokens are reused: the last prompt token must run to give the next logits, and
        a prefill of one token would look like a decode step (which may run other weights: int8_linear.py), so
        the same prompt would not give the same numbers with and without the cache.
        """
        best, best_length = -1, 0
        for index, (ids, _, _) in enumerate(self._entries):
            length = min(common_prefix_length(ids, prompt_ids), len(prompt_ids) - MIN_PREFILL_TOKENS)
            if length > best_length:
                best, best_length = index, length
        if best < 0:
            return None, 0
        ids, cache, pinned = self._entries[best]
        if best_length == len(ids) and not pinned:
            del self._entries[best]
            return cache, best_length
        cropped = copy.deepcopy(cache)
        if best_length < len(ids):
            cropped.crop(best_length - len(ids))  # negative: drop that many tokens from the end
        return cropped, best_length

    def put(self, ids: list[int], cache: Any, pinned: bool = False) -> None:
        """Keep `cache`, which holds the keys/values of exactly `ids`; `pinned` keeps it for good."""
        if pinned:
            self._entries = [entry for entry in self._entries if not (entry[2] and entry[0] == ids)]
        self._entries.append((ids, cache, pinned))
        unpinned = [index for index, entry in enumerate(self._entries) if not entry[2]]
        for index in reversed(unpinned[: -self.max_entries] if self.max_entries else unpinned):
            del self._entries[index]

    def clear(self) -> None:
        self._entries.clear()


@dataclass
class _HeldCache:
    """One decode's KV cache and the tokens whose keys/values it holds."""

    cache: Any
    ids: list[int]
    consistent: bool = False  # whether `cache` holds exactly `ids` (not before the prefill, nor mid-forward)


class LocalRuntime:
    """A loaded model plus what its decodes share: the lock, the prefix cache, the compiled grammars, and the
    store that keeps pinned prefixes and grammars on disk for the next process (warm_start.py)."""

    def __init__(
        self, loaded: LoadedModel, prefix_cache_entries: int = 4, warm_store: WarmStore | None = None
    ):
        from agent.llm.warm_start import WarmStore

        self.loaded = loaded
        self.warm_store = warm_store or WarmStore(None, "")
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.lock = threading.Lock()
        self.prefix_cache = PrefixCache(prefix_cache_entries)
        self.stop_token_ids = _stop_token_ids(loaded.model, loaded.tokenizer)
        self._grammars: ToolGrammars | None = None
        self._warned_tool_sets: set[frozenset[str]] = set()

    def decision_head(self, tool_names: Sequence[str], point: str = QUESTION) -> DecisionHead | None:
        """The model's decision head at `point` of a turn for exactly these tools, if any (decision_head.py).
        None at a question is worth a warning (once per tool set): the first reply falls back to the model's
        first token, which picks worse (after tool results, None is usual)."""
        heads = self.loaded.decision_heads
        if heads is None or not tool_names:
            return None
        head = heads.for_tools(tool_names, point)
        tools = frozenset(tool_names)
        if head is None and point == QUESTION and tools not in self._warned_tool_sets:
            self._warned_tool_sets.add(tools)
            logger.warning(_uncovered_tools_message(heads, tools, self.loaded.adapter))
        return head

    @property
    def grammars(self) -> ToolGrammars:
        """Grammar compiler for this tokenizer, built on first use (a few seconds for a 150k vocabulary)."""
        if self._grammars is None:
            vocab = self.model.get_output_embeddings().weight.shape[0]
            self._grammars = ToolGrammars(self.tokenizer, vocab, self.stop_token_ids, self.warm_store)
        return self._grammars

    def encode(self, text: str) -> list[int]:
        """Token ids of a rendered prompt (it already holds the template's special tokens)."""
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def decode_tokens(
        self,
        prompt_ids: Sequence[int],
        *,
        max_new_tokens: int,
        grammar: ReplyGrammar | None = None,
        calls_only: bool = False,
        use_prefix_cache: bool = True,
        pin_prefix: bool = False,
        stats: DecodeStats | None = None,
    ) -> Iterator[int]:
        """Yield the greedy continuation of `prompt_ids` token by token (end-of-turn token excluded).

        `grammar` is the grammar the reply must follow (see `constrained`); when it has a decision head, the
        head reads the prefill's hidden state and picks the reply's grammar (`stats.decision`). With
        `calls_only`, a reply that opens no call (the head's "answer", else the first token's choice) ends
        before its first token (finish_reason "no_call"): the caller only wants to know if a tool is called.
        `pin_prefix` keeps what this decode cached for good (see `PrefixCache`). The model's lock is held
        while the iterator is alive; close it (or run it to the end) to release the model.
        """
        import torch

        stats = stats if stats is not None else DecodeStats()
        prompt = list(prompt_ids)
        if not prompt:
            raise ValueError("decode_tokens needs at least one prompt token; render the chat template first.")
        if max_new_tokens < 1:
            raise ValueError(f"max_new_tokens is {max_new_tokens}; it must be at least 1.")
        with (self.lock, torch.inference_mode(),
              self._held_cache(prompt, use_prefix_cache, pin_prefix) as held):
            stats.prompt_tokens, stats.reused_tokens = len(prompt), len(held.ids)
            stats.prefilled_tokens = len(prompt) - len(held.ids)
            started = time.perf_counter()
            logits, hidden = self._prefill(held, prompt, grammar.head if grammar is not None else None)
            stats.prefill_s = time.perf_counter() - started
            mask = self._reply_mask(grammar, logits, hidden, stats)
            if calls_only and (stats.decision == ANSWER if stats.decision is not None
                               else int(logits.argmax(dim=-1)) not in self.grammars.call_start_ids):
                stats.finish_reason = "no_call"
                return
            yield from self._decode(held, logits, mask, max_new_tokens, stats)

    @contextmanager
    def _held_cache(
        self, prompt: list[int], use_prefix_cache: bool, pin_prefix: bool
    ) -> Iterator[_HeldCache]:
        """The KV cache to decode `prompt` on: the prefix cache's best entry, else an empty one.

        Afterwards the cache goes back into the prefix cache with the tokens it then holds (also after an
        early close or an error), unless the prefill never finished or a forward pass broke off half-way.
        A pinned prefix comes from the warm store when it has one, and goes there when it did not.
        """
        restored = pin_prefix and use_prefix_cache and self._restore_pinned(prompt)
        cache, reused = self.prefix_cache.take(prompt) if use_prefix_cache else (None, 0)
        if cache is None:
            from transformers import DynamicCache

            cache = DynamicCache(config=self.model.config)
        held = _HeldCache(cache, prompt[:reused])
        try:
            yield held
        finally:
            if use_prefix_cache and held.consistent:
                self.prefix_cache.put(held.ids, held.cache, pinned=pin_prefix)
                if pin_prefix and not restored:
                    self.warm_store.save_prefix(prompt, held.ids, held.cache)

    def _restore_pinned(self, prompt: list[int]) -> bool:
        """Pin the warm store's KV cache of `prompt` in the prefix cache, if it has one; whether it had."""
        stored = self.warm_store.load_prefix(prompt, self.model.config)
        if stored is not None:
            self.prefix_cache.put(*stored, pinned=True)
        logger.info("%s a %d-token prompt prefix", "Read the stored KV cache of" if stored else "Prefilling",
                    len(prompt))
        return stored is not None

    def _prefill(
        self, held: _HeldCache, prompt: list[int], head: DecisionHead | None
    ) -> tuple[Any, Any | None]:
        """Run the prompt tokens `held` lacks; the next-token logits, and the hidden state `head` reads if
        any."""
        with last_hidden_state(self.model, head.layer) if head else nullcontext([]) as hidden:
            logits = self._extend(held, prompt[len(held.ids) :])
        return logits, hidden[-1] if head else None

    def _reply_mask(
        self, grammar: ReplyGrammar | None, logits: Any, hidden: Any | None, stats: DecodeStats
    ) -> GrammarMask | None:
        """The reply's grammar mask: picked by the grammar's decision head from `hidden` (`stats.decision`),
        or else by the first token's `logits`; None without a grammar."""
        if grammar is None:
            return None
        if grammar.head is not None:
            stats.decision = grammar.head.decide(hidden)
            stats.wanted_call = int(logits.argmax(dim=-1)) in self.grammars.call_start_ids
            return grammar.decided(stats.decision)
        return grammar.start(logits)

    def _decode(
        self, held: _HeldCache, logits: Any, mask: GrammarMask | None, max_new_tokens: int, stats: DecodeStats
    ) -> Iterator[int]:
        """Yield reply tokens from the prefill's `logits` on, until the end of the turn, a loop or the
        limit."""
        started = time.perf_counter()
        stats.finish_reason = "length"
        reply: list[int] = []
        while True:
            run = self._next_tokens(logits, mask)
            if not run:
                stats.finish_reason = "stop"
                break
            run = run[: max_new_tokens - len(reply)]
            for token in run:
                stats.new_tokens += 1
                stats.decode_s = time.perf_counter() - started
                yield token
            reply += run
            stats.forced_tokens += len(run) - 1
            if ends_in_a_loop(reply) or ends_in_a_near_repeat(self.tokenizer.decode(reply)):
                stats.finish_reason = "repetition"
                break
            if len(reply) >= max_new_tokens:
                break  # nobody reads the logits after the last allowed token
            logits = self._extend(held, run, decoding=True)
        stats.decode_s = time.perf_counter() - started

    def _next_tokens(self, logits: Any, mask: GrammarMask | None) -> list[int]:
        """The greedy next token under `mask`, then the tokens the grammar forces after it; [] at end of
        turn."""
        if mask is not None:
            mask.apply(logits)
        token = int(logits.argmax(dim=-1))
        if mask is not None:
            mask.accept(token)
        if token in self.stop_token_ids:
            return []
        # Tokens the grammar forces next (a call's `{"name": "`, the rest of a tool's name) go through the
        # model in one forward pass instead of one step each (jump-forward).
        return [token] + (mask.jump_forward(self.encode) if mask is not None else [])

    def _extend(self, held: _HeldCache, token_ids: list[int], decoding: bool = False) -> Any:
        """`_forward` on `held`'s cache, which then holds `token_ids` too; the next-token logits."""
        # until the forward pass is done: it may break off with the cache half-updated
        held.consistent = False
        logits = self._forward(token_ids, held.cache, decoding=decoding)
        held.ids += token_ids
        held.consistent = True
        return logits

    def _forward(self, token_ids: Sequence[int], cache: Any, decoding: bool = False) -> Any:
        """Run `token_ids` through the model on top of `cache`; the next-token logits, float32, [1, vocab].

        `decoding`: the tokens are reply tokens (a step, or a run the grammar forced), not a prompt's prefill;
        with int8 decode layers they run through the int8 weights (int8_linear.py).
        """
        import torch

        input_ids = torch.tensor([list(token_ids)], dtype=torch.long, device=self.model.device)
        # logits_to_keep=1: a prefill of n tokens would otherwise build an [n, 150k] logits tensor.
        with self._run_context(decoding):
            output = self.model(input_ids=input_ids, past_key_values=cache, use_cache=True, logits_to_keep=1)
        return output.logits[:, -1, :].float()

    def _run_context(self, decoding: bool) -> AbstractContextManager[None]:
        if decoding and self.loaded.dtype == "int8":
            from agent.llm.int8_linear import decoding_run

            return decoding_run()
        return nullcontext()


def _uncovered_tools_message(heads: DecisionHeads, tools: frozenset[str], adapter: str | None) -> str:
    """Which tools the nearest head lacks or has besides, and how to refit the heads."""
    nearest = heads.nearest(tools)
    differences = []
    if lacks := sorted(tools - nearest.tools):
        differences.append(f"lacks {', '.join(lacks)}")
    if extra := sorted(nearest.tools - tools):
        differences.append(f"has {', '.join(extra)} besides")
    return (
        f"None of the decision heads of adapter {adapter} was fitted on the {len(tools)} bound tools "
        f"(the nearest {' and '.join(differences)}), so the model's first token picks the first reply "
        f"instead. Refit the heads on the current tools: `chronotope finetune heads --adapter {adapter}`."
    )


def _stop_token_ids(model: Any, tokenizer: Any) -> list[int]:
    """End-of-turn ids: the generation config's eos id(s), the tokenizer's eos and pad tokens.

    The pad token counts because GGUF conversions keep only one eos id, while Qwen also ends with
    <|endoftext|> (its pad token); a model never emits padding mid-reply.
    """
    ids: list[int] = []
    configured = getattr(model.generation_config, "eos_token_id", None)
    for value in configured if isinstance(configured, list) else [configured]:
        if isinstance(value, int):
            ids.append(value)
    for token_id in (tokenizer.eos_token_id, tokenizer.pad_token_id):
        if token_id is not None:
            ids.append(token_id)
    if not ids:
        raise ValueError(
            "The model defines no end-of-turn token (eos_token_id); cannot tell when a reply ends."
        )
    return sorted(set(ids))
