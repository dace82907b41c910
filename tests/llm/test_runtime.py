"""The decode loop on a tiny random Qwen2: prefix-cache reuse, identical outputs, lock release, threads."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agent.llm.load import cpu_threads
from agent.llm.runtime import DecodeStats, PrefixCache, common_prefix_length, ends_in_a_loop

SYSTEM = "<|im_start|>system\nYou are the shop's analyst. Answer with numbers from the tools.<|im_end|>\n"


def prompt(question: str) -> str:
    return f"{SYSTEM}<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


def decode(
    runtime, text: str, use_prefix_cache: bool = True, max_new_tokens: int = 12
) -> tuple[list[int], DecodeStats]:
    stats = DecodeStats()
    ids = list(
        runtime.decode_tokens(
            runtime.encode(text),
            max_new_tokens=max_new_tokens,
            use_prefix_cache=use_prefix_cache,
            stats=stats,
        )
    )
    return ids, stats


def test_common_prefix_length_counts_shared_leading_tokens():
    assert common_prefix_length([1, 2, 3, 4], [1, 2, 9]) == 2
    assert common_prefix_length([], [1]) == 0
    assert common_prefix_length([5, 6], [5, 6]) == 2


class FakeCache:
    def __init__(self, length: int):
        self.length = length

    def crop(self, negative: int) -> None:  # DynamicCache.crop takes only negative counts (tokens to drop)
        assert negative < 0
        self.length += negative


def test_prefix_cache_hands_out_the_longest_shared_prefix_cropped():
    cache = PrefixCache(max_entries=2)
    cache.put([1, 2, 3, 4, 5], FakeCache(5))
    cache.put([1, 2, 9], FakeCache(3))
    taken, reused = cache.take([1, 2, 3, 7, 8])
    assert reused == 3 and taken.length == 3
    assert len(cache) == 2  # a partial match gets a cropped copy; the entry stays for its own prompts


def test_a_prompt_continuing_a_whole_entry_takes_the_entry_itself():
    cache = PrefixCache()
    entry = FakeCache(3)
    cache.put([1, 2, 3], entry)
    taken, reused = cache.take([1, 2, 3, 4, 5])
    assert taken is entry and reused == 3 and len(cache) == 0  # put back by the decode that took it


def test_switching_roles_keeps_each_roles_cached_prefix():
    cache = PrefixCache()
    customer, operator = [0, 1, 1, 1, 1], [0, 2, 2, 2, 2, 2]  # shared chat-template start, own system prompt
    cache.put(customer, FakeCache(len(customer)))
    cache.put(operator, FakeCache(len(operator)))
    for _ in range(2):
        assert cache.take(customer + [7, 8])[1] == len(customer)
        cache.put(customer, FakeCache(len(customer)))
        assert cache.take(operator + [9, 9])[1] == len(operator)
        cache.put(operator, FakeCache(len(operator)))


def test_prefix_cache_keeps_two_tokens_to_run_and_misses_cleanly():
    cache = PrefixCache()
    cache.put([1, 2, 3, 4], FakeCache(4))
    taken, reused = cache.take([1, 2, 3, 4])
    assert reused == 2 and taken.length == 2  # a one-token prefill would run like a decode step
    assert cache.take([1, 2, 3, 4])[0].length == 2  # the entry itself is untouched
    assert cache.take([9, 9, 9]) == (None, 0)


def test_prefix_cache_evicts_least_recently_used():
    cache = PrefixCache(max_entries=2)
    for first in (1, 2, 3):
        cache.put([first, 0], FakeCache(2))
    assert cache.take([1, 0, 5, 6]) == (None, 0)
    assert cache.take([3, 0, 5, 6])[1] == 2


def test_pinned_prefixes_survive_any_number_of_other_conversations_and_are_only_copied():
    cache = PrefixCache(max_entries=2)
    operator = [0, 2, 2, 2, 2, 2]
    pinned = FakeCache(len(operator))
    cache.put(operator, pinned, pinned=True)
    for user in range(10):  # customer conversations fill the cache
        cache.put([0, 1, 1, user, 5], FakeCache(5))
    taken, reused = cache.take(operator + [9, 9])
    assert reused == len(operator) and taken is not pinned and taken.length == len(operator)
    assert len(cache) == 3  # the pinned entry and the two most recent others
    cache.put(operator, FakeCache(len(operator)), pinned=True)  # a second warm-up replaces, not adds
    assert len(cache) == 3


def test_second_turn_reuses_the_shared_prefix_and_prefills_only_the_rest(tiny_runtime):
    _, first = decode(tiny_runtime, prompt("Which regions spike on Friday?"))
    assert first.reused_tokens == 0 and first.prefilled_tokens == first.prompt_tokens
    _, second = decode(tiny_runtime, prompt("And on Saturday night?"))
    shared = common_prefix_length(
        tiny_runtime.encode(prompt("Which regions spike on Friday?")),
        tiny_runtime.encode(prompt("And on Saturday night?")),
    )
    assert shared >= len(tiny_runtime.encode(SYSTEM)) - 1
    assert second.reused_tokens == shared
    assert second.prefilled_tokens == second.prompt_tokens - shared


def test_output_is_identical_with_and_without_the_prefix_cache(tiny_runtime):
    questions = ["Which regions spike on Friday?", "And on Saturday night?", "Which regions spike on Friday?"]
    cached = [decode(tiny_runtime, prompt(q))[0] for q in questions]
    fresh = [decode(tiny_runtime, prompt(q), use_prefix_cache=False)[0] for q in questions]
    assert cached == fresh
    assert all(len(ids) == 12 for ids in cached)


def test_continuing_a_conversation_reuses_the_generated_tokens_too(tiny_runtime):
    first_prompt = tiny_runtime.encode(prompt("Which regions spike on Friday?"))
    reply = list(tiny_runtime.decode_tokens(first_prompt, max_new_tokens=12))
    follow_up = first_prompt + reply + tiny_runtime.encode("<|im_end|>\n<|im_start|>user\nThanks<|im_end|>\n")
    stats = DecodeStats()
    list(tiny_runtime.decode_tokens(follow_up, max_new_tokens=4, stats=stats))
    # Every token that went through the model is reused: the prompt and all but the last reply token.
    assert stats.reused_tokens == len(first_prompt) + len(reply) - 1


def test_closing_the_stream_early_releases_the_model(tiny_runtime):
    tokens = tiny_runtime.decode_tokens(tiny_runtime.encode(prompt("Hi")), max_new_tokens=20)
    next(tokens)
    assert tiny_runtime.lock.locked()
    tokens.close()
    assert not tiny_runtime.lock.locked()
    ids, stats = decode(tiny_runtime, prompt("Hi"))  # the cache put back after the early stop is usable
    assert stats.reused_tokens > 0 and ids == decode(tiny_runtime, prompt("Hi"), use_prefix_cache=False)[0]


def test_an_error_mid_decode_releases_the_model_and_caches_nothing_half_updated(tiny_runtime, monkeypatch):
    original = tiny_runtime._forward

    def failing_forward(token_ids, cache, decoding=False):  # the prefill runs, the first decode step fails
        if decoding:
            raise RuntimeError("out of memory")
        return original(token_ids, cache, decoding)

    monkeypatch.setattr(tiny_runtime, "_forward", failing_forward)
    tokens = tiny_runtime.decode_tokens(tiny_runtime.encode(prompt("Hi")), max_new_tokens=5)
    with pytest.raises(RuntimeError, match="out of memory"):
        list(tokens)
    assert not tiny_runtime.lock.locked() and len(tiny_runtime.prefix_cache) == 0


def test_empty_prompt_is_refused(tiny_runtime):
    with pytest.raises(ValueError, match="at least one prompt token"):
        list(tiny_runtime.decode_tokens([], max_new_tokens=4))


def test_cpu_threads_follow_the_option(tiny_options):
    assert cpu_threads(replace(tiny_options, threads=3)) == 3
    assert 1 <= cpu_threads(tiny_options) <= 1024


def test_int8_cpu_weights_serve_decoding_and_leave_prefill_in_float32(tiny_options):
    import torch

    from agent.llm.int8_linear import DecodeInt8Linear, decoding_run
    from agent.llm.load import load_model

    int8 = load_model(tiny_options, progress=False)
    fp32 = load_model(replace(tiny_options, cpu_weights="fp32"), progress=False)
    assert (int8.dtype, fp32.dtype) == ("int8", "float32")
    wrapped = [m for m in int8.model.modules() if isinstance(m, DecodeInt8Linear)]
    assert wrapped and all(isinstance(m.full, torch.nn.Linear) for m in wrapped)
    assert not any(isinstance(m, DecodeInt8Linear) for m in fp32.model.modules())
    assert int8.model.get_output_embeddings().weight.shape == fp32.model.get_output_embeddings().weight.shape
    ids = fp32.tokenizer("Which regions spike on Friday night?", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        assert torch.equal(int8.model(ids).logits, fp32.model(ids).logits)  # prefill: float32 weights
        step = ids[:, :1]
        a, b = int8.model(step).logits[0], fp32.model(step).logits[0]
        with decoding_run():  # a run of reply tokens the grammar forced: int8 although several tokens
            run = int8.model(ids[:, :4]).logits[0]
        after = int8.model(ids[:, :4]).logits[0]  # the switch is off again outside the run
    assert not torch.equal(a, b)
    assert torch.nn.functional.cosine_similarity(a, b, dim=-1).min() > 0.99
    assert not torch.equal(run, after) and torch.equal(after, fp32.model(ids[:, :4]).logits[0])
    assert torch.nn.functional.cosine_similarity(run, after, dim=-1).min() > 0.99


def test_a_loop_is_a_run_repeated_three_times_over_enough_tokens():
    phrase = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]  # 11 tokens: 3 repeats span 33 >= 32
    assert ends_in_a_loop([1, 2] + phrase * 3)
    assert not ends_in_a_loop([1, 2] + phrase * 2)  # twice is a legitimate repeat
    assert ends_in_a_loop([7] * 32) and not ends_in_a_loop([7] * 31)
    assert not ends_in_a_loop(list(range(200)))
    assert not ends_in_a_loop(phrase * 3 + [99])  # the loop has to reach the end
    two_sentences = list(range(100, 141))  # 41 tokens said in turn, as the 0.5B model did about a region
    assert ends_in_a_loop([1] + two_sentences * 3) and not ends_in_a_loop([1] + two_sentences * 2)


def test_decoding_stops_when_the_model_loops(tiny_runtime, monkeypatch):
    import torch

    vocab = tiny_runtime.model.config.vocab_size
    steps = iter(range(10_000))

    def cycling_forward(token_ids, cache, decoding=False):  # a model stuck saying the same four tokens
        logits = torch.zeros(1, vocab)
        logits[0, 100 + next(steps) % 4] = 1.0
        return logits

    monkeypatch.setattr(tiny_runtime, "_forward", cycling_forward)
    ids, stats = decode(tiny_runtime, prompt("Say something"), use_prefix_cache=False, max_new_tokens=300)
    assert stats.finish_reason == "repetition"
    assert len(ids) == 32 and ids[:8] == [100, 101, 102, 103] * 2


def test_decoding_stops_when_the_model_repeats_a_numbered_item(tiny_runtime, monkeypatch):
    import torch

    text = "".join(f"{i}. Please check the order.\n" for i in range(1, 40))
    script = iter(tiny_runtime.encode(text))
    vocab = tiny_runtime.model.config.vocab_size

    def listing_forward(token_ids, cache, decoding=False):  # a model numbering the same item on and on
        logits = torch.zeros(1, vocab)
        logits[0, next(script)] = 1.0
        return logits

    monkeypatch.setattr(tiny_runtime, "_forward", listing_forward)
    ids, stats = decode(tiny_runtime, prompt("List the steps"), use_prefix_cache=False, max_new_tokens=300)
    assert stats.finish_reason == "repetition"
    assert tiny_runtime.tokenizer.decode(ids).endswith("5. Please check the order.\n")


@pytest.mark.parametrize("opens_a_call", [False, True])
def test_calls_only_stops_before_a_reply_that_does_not_open_a_call(tiny_runtime, monkeypatch, opens_a_call):
    import torch

    tag = tiny_runtime.tokenizer.convert_tokens_to_ids("<tool_call>")
    text_token = tiny_runtime.encode("Hello")[0]
    first = tag if opens_a_call else text_token
    vocab = tiny_runtime.model.config.vocab_size
    steps = iter(range(10_000))

    def scripted_forward(token_ids, cache, decoding=False):  # first `first`, then plain text tokens
        logits = torch.zeros(1, vocab)
        logits[0, first if next(steps) == 0 else text_token] = 1.0
        return logits

    monkeypatch.setattr(tiny_runtime, "_forward", scripted_forward)
    stats = DecodeStats()
    ids = list(tiny_runtime.decode_tokens(tiny_runtime.encode(prompt("Anything else?")), max_new_tokens=5,
                                          calls_only=True, use_prefix_cache=False, stats=stats))
    if opens_a_call:
        assert ids[0] == tag and stats.finish_reason == "length"
    else:
        assert ids == [] and stats.finish_reason == "no_call" and stats.prefilled_tokens > 0
