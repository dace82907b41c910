"""The warm store (agent/llm/warm_start.py) on a tiny random Qwen2: a pinned prefix and the grammars persist
for the next runtime, any change to what they depend on misses, and damaged files are rebuilt."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from agent.llm.runtime import MIN_PREFILL_TOKENS, DecodeStats, LocalRuntime
from agent.llm.tool_schema import ToolChoice
from agent.llm.warm_start import WarmStore

SYSTEM = "<|im_start|>system\nYou are the shop's analyst. Answer with numbers from the tools.<|im_end|>\n"
OTHER_SYSTEM = "<|im_start|>system\nYou are the shop's friendly helper for customers.<|im_end|>\n"
TOOL = {"type": "function", "function": {"name": "find_spikes", "parameters": {
    "type": "object", "properties": {"day": {"type": "string", "enum": ["Friday", "Saturday"]}},
    "required": ["day"]}}}


def prompt(system: str, question: str) -> str:
    return f"{system}<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def loaded(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    from agent.llm.load import load_model
    from agent.llm.options import ModelOptions

    options = ModelOptions(model=str(tiny_model_dir), cache_dir=tmp_path_factory.mktemp("models"))
    return load_model(options, progress=False)


def runtime(loaded, folder: Path | None) -> LocalRuntime:
    """A fresh runtime (empty prefix cache, no grammars yet), as a new process would have."""
    return LocalRuntime(loaded, warm_store=WarmStore.for_model(folder, loaded))


def warm_up(runtime: LocalRuntime, text: str) -> DecodeStats:
    stats = DecodeStats()
    list(runtime.decode_tokens(runtime.encode(text), max_new_tokens=1, pin_prefix=True, stats=stats))
    return stats


def answer(runtime: LocalRuntime, text: str, tools: list | None = None) -> list[int]:
    grammar = runtime.grammars.for_reply(tools, ToolChoice("required")) if tools else None
    return list(runtime.decode_tokens(runtime.encode(text), max_new_tokens=16, grammar=grammar))


def test_a_pinned_prefix_is_read_back_by_the_next_runtime_and_answers_the_same(loaded, tmp_path):
    first = runtime(loaded, tmp_path)
    assert warm_up(first, prompt(SYSTEM, "hi")).prefilled_tokens > 20  # computed: the whole prompt ran
    expected = answer(first, prompt(SYSTEM, "Which regions spike on Friday?"))

    second = runtime(loaded, tmp_path)
    assert warm_up(second, prompt(SYSTEM, "hi")).prefilled_tokens == MIN_PREFILL_TOKENS  # read from disk
    stats = DecodeStats()
    got = list(second.decode_tokens(second.encode(prompt(SYSTEM, "Which regions spike on Friday?")),
                                    max_new_tokens=16, stats=stats))
    assert got == expected
    assert stats.reused_tokens >= len(second.encode(SYSTEM))  # the question reused the stored prefix

    without = runtime(loaded, None)  # no store at all: the same greedy tokens
    assert answer(without, prompt(SYSTEM, "Which regions spike on Friday?")) == expected


def test_the_stored_keys_and_values_are_exactly_the_computed_ones(loaded, tmp_path):
    first = runtime(loaded, tmp_path)
    warm_up(first, prompt(SYSTEM, "hi"))
    ids = first.encode(prompt(SYSTEM, "hi"))
    computed, length = first.prefix_cache.take(ids + [0, 0])  # the whole pinned prefix, copied
    stored_ids, stored = WarmStore.for_model(tmp_path, loaded).load_prefix(ids, loaded.model.config)
    assert stored_ids == ids and length == len(ids)
    for mine, theirs in zip(computed.layers, stored.layers, strict=True):
        assert mine.keys.equal(theirs.keys) and mine.values.equal(theirs.values)


def test_a_changed_prompt_or_tool_list_misses_the_store(loaded, tmp_path):
    from langchain_core.messages import HumanMessage, SystemMessage

    from agent.llm.template import render_prompt

    warm_up(runtime(loaded, tmp_path), prompt(SYSTEM, "hi"))
    assert warm_up(runtime(loaded, tmp_path), prompt(OTHER_SYSTEM, "hi")).prefilled_tokens > 20

    messages = [SystemMessage("You are the shop's analyst."), HumanMessage("hi")]
    other_tool = {"type": "function", "function": {**TOOL["function"], "name": "compare_periods"}}
    warm_up(runtime(loaded, tmp_path), render_prompt(loaded.tokenizer, messages, [TOOL]))
    changed = warm_up(runtime(loaded, tmp_path), render_prompt(loaded.tokenizer, messages, [other_tool]))
    assert changed.prefilled_tokens > 20
    again = warm_up(runtime(loaded, tmp_path), render_prompt(loaded.tokenizer, messages, [TOOL]))
    assert again.prefilled_tokens == MIN_PREFILL_TOKENS


def test_a_changed_adapter_or_model_file_misses_the_store(loaded, tmp_path):
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_model.safetensors").write_bytes(b"first")
    with_adapter = replace(loaded, adapter=str(adapter))
    before = WarmStore.for_model(tmp_path / "warm", with_adapter)
    assert before.fingerprint != WarmStore.for_model(tmp_path / "warm", loaded).fingerprint

    (adapter / "adapter_model.safetensors").write_bytes(b"second, retrained")
    after = WarmStore.for_model(tmp_path / "warm", with_adapter)
    assert after.fingerprint != before.fingerprint
    assert after.path("prefix", "1,2,3", ".safetensors") != before.path("prefix", "1,2,3", ".safetensors")

    other_dtype = WarmStore.for_model(tmp_path / "warm", replace(with_adapter, dtype="bfloat16"))
    assert other_dtype.fingerprint != after.fingerprint


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_prefix_file_is_ignored_and_rebuilt(loaded, tmp_path, caplog, damage):
    warm_up(runtime(loaded, tmp_path), prompt(SYSTEM, "hi"))
    (path,) = list(tmp_path.rglob("prefix-*.safetensors"))
    data = path.read_bytes()
    path.write_bytes({"garbage": b"\x00not a safetensors file" * 50, "truncated": data[: len(data) // 2],
                      "empty": b""}[damage])

    with caplog.at_level(logging.WARNING, logger="agent.llm.warm_start"):
        stats = warm_up(runtime(loaded, tmp_path), prompt(SYSTEM, "hi"))
    assert stats.prefilled_tokens > 20  # computed again, no crash
    assert "unreadable warm-up file" in caplog.text
    assert warm_up(runtime(loaded, tmp_path), prompt(SYSTEM, "hi")).prefilled_tokens == MIN_PREFILL_TOKENS


def test_a_leftover_temporary_file_is_never_read(loaded, tmp_path):
    warm_up(runtime(loaded, tmp_path), prompt(SYSTEM, "hi"))
    (path,) = list(tmp_path.rglob("prefix-*.safetensors"))
    path.rename(path.parent / f".{path.name}.abc.tmp")  # what a write cut off before its rename leaves
    assert warm_up(runtime(loaded, tmp_path), prompt(SYSTEM, "hi")).prefilled_tokens > 20


def test_grammars_are_read_back_and_constrain_the_same_way(loaded, tmp_path, monkeypatch):
    question = prompt(SYSTEM, "Which regions spike on Friday?")
    expected = answer(runtime(loaded, tmp_path), question, [TOOL])
    assert {p.name.split("-")[0] for p in tmp_path.rglob("*.json")} >= {"tokenizer", "token", "grammar"}

    import xgrammar as xgr

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again instead of reading the stored grammar")

    monkeypatch.setattr(xgr.GrammarCompiler, "compile_structural_tag", no_compiling)
    monkeypatch.setattr(xgr.TokenizerInfo, "from_huggingface", no_compiling)
    assert answer(runtime(loaded, tmp_path), question, [TOOL]) == expected


def test_a_changed_tool_schema_compiles_a_new_grammar_and_a_damaged_one_is_rebuilt(loaded, tmp_path):
    answer(runtime(loaded, tmp_path), prompt(SYSTEM, "hi"), [TOOL])
    stored = set(tmp_path.rglob("grammar-*.json"))
    wider = {"type": "function", "function": {**TOOL["function"], "parameters": {
        "type": "object", "properties": {"day": {"type": "string", "enum": ["Friday", "Sunday"]}},
        "required": ["day"]}}}
    answer(runtime(loaded, tmp_path), prompt(SYSTEM, "hi"), [wider])
    assert len(set(tmp_path.rglob("grammar-*.json")) - stored) == 1

    for path in tmp_path.rglob("*.json"):
        path.write_text("{not json")
    fresh = answer(runtime(loaded, None), prompt(SYSTEM, "Friday?"), [TOOL])
    assert answer(runtime(loaded, tmp_path), prompt(SYSTEM, "Friday?"), [TOOL]) == fresh
    damaged = [path for path in tmp_path.rglob("*.json") if path.read_text() == "{not json"]
    assert len(damaged) == 1  # the tokenizer's, the call starts' and the read grammar's were rebuilt


def test_a_store_that_cannot_be_written_costs_only_the_next_warm_up(loaded, tmp_path, caplog):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    with caplog.at_level(logging.WARNING, logger="agent.llm.warm_start"):
        stats = warm_up(runtime(loaded, blocked), prompt(SYSTEM, "hi"))
    assert stats.prefilled_tokens > 20 and "Could not keep the warm-up result" in caplog.text


def make_adapter(model_dir: Path, folder: Path, seed: int) -> Path:
    """A LoRA adapter with random (non-zero) weights on the tiny model, saved as finetune/ saves one."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(model_dir),
                           LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(std=0.5)
    model.save_pretrained(folder)
    return folder


def test_the_merged_model_is_kept_and_loads_with_exactly_the_merged_weights(tiny_model_dir, tmp_path, caplog):
    from agent.llm.load import load_model
    from agent.llm.options import ModelOptions

    adapter = make_adapter(tiny_model_dir, tmp_path / "adapter", seed=1)
    options = ModelOptions(model=str(tiny_model_dir), cache_dir=tmp_path / "models", adapter=str(adapter),
                           cpu_weights="fp32", warm_cache_dir=tmp_path / "warm")
    merged = load_model(options, progress=False).model.state_dict()
    bare = load_model(replace(options, adapter=None), progress=False).model.state_dict()
    assert not torch.equal(merged["model.layers.0.self_attn.q_proj.weight"],
                           bare["model.layers.0.self_attn.q_proj.weight"])  # the adapter changed weights
    (kept,) = list((tmp_path / "warm").rglob("merged-model-*"))

    with caplog.at_level(logging.INFO, logger="agent.llm.load"):
        again = load_model(options, progress=False).model.state_dict()
    assert "as kept by an earlier start" in caplog.text and "Merging" not in caplog.text
    assert again.keys() == merged.keys() and all(torch.equal(again[k], merged[k]) for k in merged)

    make_adapter(tiny_model_dir, adapter, seed=2)  # retrained in place: merged anew
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="agent.llm.load"):
        retrained = load_model(options, progress=False).model.state_dict()
    assert "Merging" in caplog.text
    assert not torch.equal(retrained["model.layers.0.self_attn.q_proj.weight"],
                           merged["model.layers.0.self_attn.q_proj.weight"])
    assert kept.exists()  # two models' copies are kept (the adapted model and the bare fallback)...
    make_adapter(tiny_model_dir, adapter, seed=3)
    load_model(options, progress=False)
    assert not kept.exists()  # ...not three
    assert len(list((tmp_path / "warm").rglob("merged-model-*"))) == 2


def test_a_damaged_merged_model_is_merged_again(tiny_model_dir, tmp_path, caplog):
    from agent.llm.load import load_model
    from agent.llm.options import ModelOptions

    adapter = make_adapter(tiny_model_dir, tmp_path / "adapter", seed=1)
    options = ModelOptions(model=str(tiny_model_dir), cache_dir=tmp_path / "models", adapter=str(adapter),
                           cpu_weights="fp32", warm_cache_dir=tmp_path / "warm")
    merged = load_model(options, progress=False).model.state_dict()
    (weights,) = list((tmp_path / "warm").rglob("merged-model-*/*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:1000])

    with caplog.at_level(logging.INFO):
        again = load_model(options, progress=False).model.state_dict()
    assert "unreadable warm-up file" in caplog.text and "Merging" in caplog.text
    assert all(torch.equal(again[k], merged[k]) for k in merged)
    assert load_model(options, progress=False)  # and the copy kept this time loads


def test_the_int8_weights_are_kept_and_decode_the_same(tiny_model_dir, tmp_path, monkeypatch):
    from agent.llm.load import load_model
    from agent.llm.options import ModelOptions

    options = ModelOptions(model=str(tiny_model_dir), cache_dir=tmp_path / "models",
                           warm_cache_dir=tmp_path / "warm")
    first = LocalRuntime(load_model(options, progress=False))
    expected = answer(first, prompt(SYSTEM, "Which regions spike on Friday?"))
    assert list((tmp_path / "warm").rglob("int8-weights-*.safetensors"))

    from agent.llm import int8_linear

    def no_quantising(full):
        raise AssertionError("quantised again instead of reading the kept int8 weights")

    monkeypatch.setattr(int8_linear, "quantized_weight", no_quantising)
    second = LocalRuntime(load_model(options, progress=False))
    assert second.loaded.dtype == "int8"
    assert answer(second, prompt(SYSTEM, "Which regions spike on Friday?")) == expected


def test_only_the_most_recently_used_prefixes_are_kept(loaded, tmp_path, monkeypatch):
    from agent.llm import warm_start

    monkeypatch.setattr(warm_start, "MAX_PREFIXES", 2)
    for day in ("Monday", "Tuesday", "Wednesday"):  # a live shop's prompt changes with the data's date
        warm_up(runtime(loaded, tmp_path), prompt(SYSTEM.replace("analyst", f"analyst on {day}"), "hi"))
    assert len(list(tmp_path.rglob("prefix-*.safetensors"))) == 2
    assert warm_up(runtime(loaded, tmp_path), prompt(SYSTEM.replace("analyst", "analyst on Wednesday"),
                                                     "hi")).prefilled_tokens == MIN_PREFILL_TOKENS
