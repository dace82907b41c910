"""LoRA training on a tiny random Qwen2: loss goes down, LoRA weights move, base weights stay, the adapter
loads."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from agent.config import Settings
from finetune.config import TrainConfigError, build_parser, make_config, parse_config
from finetune.data import Dialogue, write_jsonl
from finetune.train import train
from tools.events.simulate.profile import demo_profile


def customer_dialogues(n: int) -> list[Dialogue]:
    """Short customer dialogues: the first reply is a tool call the model must learn."""
    questions = ["Where is my order?", "Has my parcel shipped?", "show my orders", "track my package"]
    return [
        Dialogue(f"t{i}", [
            {"role": "user", "content": questions[i % len(questions)]},
            {"role": "assistant", "content": "", "tool_calls": [
                {"type": "function", "function": {"name": "my_orders", "arguments": {}}}]},
        ], "synth", "customer")
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory):
    """One `cpu-smoke` TRL run (one batch seen every step, so its losses are comparable)."""
    root = tmp_path_factory.mktemp("finetune")
    settings = Settings(data_dir=root / "chronotope")
    write_jsonl(customer_dialogues(4), settings.data_dir / "finetune" / "train.jsonl")
    write_jsonl(customer_dialogues(2), settings.data_dir / "finetune" / "validation.jsonl")
    from finetune.tiny_model import build_tiny_model

    base = build_tiny_model(settings.data_dir / "finetune" / "tiny-model") / "model.safetensors"
    base_hash = file_hash(base)
    config = make_config("cpu-smoke", roles="customer", max_train_examples=4, batch_size=4, max_steps=4,
                         save_steps=2, eval_steps=0, threads=1)
    result = train(config, settings, preset="cpu-smoke")
    return settings, result, base_hash


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cpu_smoke_lowers_the_loss_and_trains_only_lora_weights(smoke_run) -> None:
    from safetensors.torch import load_file

    _, result, _ = smoke_run
    assert result.steps == 4 and result.train_examples == 4
    assert result.last_loss < result.first_loss
    weights = load_file(result.adapter_dir / "adapter_model.safetensors")
    # No base weight is saved or trained: LoRA matrices, and the two tool-call tags' rows (in and out).
    tokens = {name: t for name, t in weights.items() if "lora_" not in name}
    assert list(tokens) == ["base_model.model.model.embed_tokens.token_adapter.trainable_tokens_delta"]
    assert all(t.shape[0] == 2 for t in tokens.values())
    # LoRA's B matrices start at zero: any non-zero B was learned.
    assert any(float(t.abs().sum()) > 0 for name, t in weights.items() if "lora_B" in name)
    assert any(result.output_dir.glob("checkpoint-*"))  # checkpoints for --resume
    assert (result.output_dir / "progress.jsonl").read_text().count('"loss"') >= 1


def test_base_model_weights_are_untouched_by_training(smoke_run) -> None:
    settings, _, base_hash = smoke_run
    assert file_hash(settings.data_dir / "finetune" / "tiny-model" / "model.safetensors") == base_hash


def test_saved_adapter_loads_through_the_runtime_and_changes_outputs(smoke_run) -> None:
    import torch

    from agent.llm.load import load_model

    settings, result, _ = smoke_run
    model_dir = str(settings.data_dir / "finetune" / "tiny-model")
    options = Settings(data_dir=settings.data_dir, model=model_dir, llm_threads=1).model_options()
    base = load_model(options, progress=False)
    tuned = load_model(replace(options, adapter=str(result.adapter_dir)), progress=False)
    assert tuned.adapter == str(result.adapter_dir)
    # The tool-call tag's input row was trained and merged; an ordinary token's row is the base one.
    tag = base.tokenizer.convert_tokens_to_ids("<tool_call>")
    rows, tuned_rows = base.model.get_input_embeddings().weight, tuned.model.get_input_embeddings().weight
    assert not torch.equal(rows[tag], tuned_rows[tag]) and torch.equal(rows[5], tuned_rows[5])
    ids = base.tokenizer("Where is my order?", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        assert not torch.allclose(base.model(ids).logits, tuned.model(ids).logits)


def test_decision_heads_fitted_on_an_adapter_load_with_it_and_separate_its_first_replies(
    smoke_run, tmp_path
) -> None:
    """Transcripts' first replies (words, their agent having looked the order up elsewhere) are no labels:
    outnumbering the tool-using dialogues, they would teach "no tool" for "Where is my order?"."""
    import shutil

    from agent.llm.decision_head import ANSWER
    from agent.llm.load import load_model
    from finetune.decision_head import DecisionHeadError, fit_decision_heads

    settings, result, _ = smoke_run
    adapter = tmp_path / "adapter"
    shutil.copytree(result.adapter_dir, adapter)
    replies = {"Where is my order?": ("my_orders", {}),
               "Do you sell tents?": ("search_products", {"query": "tents"}),
               "What is the return policy?": ("search_docs", {"query": "returns"}),
               "Suggest something for me": ("my_recommendations", {}), "Hello there!": (ANSWER, {})}

    def dialogues(questions: list[str]) -> list[Dialogue]:
        out = []
        for i, question in enumerate(questions):
            tool, args = replies[question]
            reply = ({"role": "assistant", "content": "Hi! How can I help?"} if tool == ANSWER else
                     {"role": "assistant", "content": "",
                      "tool_calls": [{"type": "function", "function": {"name": tool, "arguments": args}}]})
            out.append(Dialogue(f"h{i}", [{"role": "user", "content": question}, reply], "synth", "customer"))
        return out

    def transcripts(count: int) -> list[Dialogue]:
        return [Dialogue(f"t{i}", [{"role": "user", "content": "Where is my order?"},
                                   {"role": "assistant", "content": "It left our warehouse yesterday."}],
                         "tickets.csv", "customer", tool_choice_known=False) for i in range(count)]

    def plans(count: int) -> list[Dialogue]:
        """"What goes with my last order?": my_orders, then my_recommendations for its item, then words."""
        item = {"role": "tool", "name": "my_orders", "content": "1 order(s): O0012345 (1 x Tent)"}
        recs = {"type": "function",
                "function": {"name": "my_recommendations", "arguments": {"product": "Tent"}}}
        return [Dialogue(f"p{i}", [{"role": "user", "content": "What goes with my last order?"},
                                   *dialogues(["Where is my order?"])[0].messages[1:], item,
                                   {"role": "assistant", "content": "", "tool_calls": [recs]},
                                   {"role": "tool", "name": "my_recommendations", "content": "5 products"},
                                   {"role": "assistant", "content": "Try these."}], "synth", "customer")
                for i in range(count)]

    train_file, validation_file = tmp_path / "train.jsonl", tmp_path / "validation.jsonl"
    write_jsonl(dialogues(list(replies) * 3) + transcripts(6) + plans(3), train_file)
    write_jsonl(dialogues(list(replies)) + transcripts(2) + plans(1), validation_file)
    model_settings = Settings(data_dir=settings.data_dir,
                              model=str(settings.data_dir / "finetune" / "tiny-model"), llm_threads=1)
    _, fits = fit_decision_heads(model_settings, adapter, train_file, validation_file, layer=1)
    fit, after = fits  # customer dialogues only: one head per point
    assert fit.role == "customer" and (fit.train_examples, fit.validation_examples) == (18, 6)
    assert fit.validation_accuracy == 1.0
    # after the results: a plan's second call, then its answer (single calls here have no results)
    assert (after.point, after.labels, after.train_examples) == ("result", [ANSWER, "my_recommendations"], 6)
    loaded = load_model(replace(model_settings.model_options(), adapter=str(adapter)), progress=False)
    assert loaded.decision_heads is not None
    tools = ["my_orders", "search_products", "search_docs", "my_recommendations"]
    assert loaded.decision_heads.for_tools(tools) and loaded.decision_heads.for_tools(tools, "result")
    off = load_model(replace(model_settings.model_options(), adapter=str(adapter), decision_heads=False),
                     progress=False)
    assert off.decision_heads is None
    write_jsonl(dialogues(["Where is my order?", "Hello there!"] * 2), train_file)
    with pytest.raises(DecisionHeadError, match="not every customer tool"):
        fit_decision_heads(model_settings, adapter, train_file, None, layer=1)


def test_flags_override_the_preset_and_unknown_settings_are_named() -> None:
    config, preset = parse_config(["--preset", "cpu-smoke", "--max-steps", "2", "--no-first-turn-only"])
    assert (preset == "cpu-smoke" and config.model == "tiny" and config.max_steps == 2
            and not config.first_turn_only)
    with pytest.raises(TrainConfigError, match="Unknown preset 'huge'; choose one of cpu-smoke"):
        make_config("huge")
    with pytest.raises(TrainConfigError, match="Unknown training setting.*lora_rank.*valid:"):
        make_config(None, None, lora_rank=4)
    assert "--shared-prefix" in build_parser().format_help()


def test_trainable_tokens_must_be_single_tokens_of_the_tokenizer(tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from finetune.tiny_model import build_tiny_model
    from finetune.train import trainable_token_rows

    folder = build_tiny_model(tmp_path / "tiny")
    model, tokenizer = AutoModelForCausalLM.from_pretrained(folder), AutoTokenizer.from_pretrained(folder)
    rows = trainable_token_rows(model, tokenizer, "<tool_call>, </tool_call>")
    ids = sorted(tokenizer.convert_tokens_to_ids(["<tool_call>", "</tool_call>"]))
    assert rows == {"embed_tokens": ids, "lm_head": ids}
    assert (trainable_token_rows(model, tokenizer, "<tool_call>", output_rows=False)
            == {"embed_tokens": ids[:1]})
    assert trainable_token_rows(model, tokenizer, "") is None
    with pytest.raises(TrainConfigError, match="<call_me> are not single tokens"):
        trainable_token_rows(model, tokenizer, "<tool_call>,<call_me>")


def test_training_without_prepared_data_says_to_run_prepare(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "chronotope")
    with pytest.raises(TrainConfigError, match="run `chronotope finetune prepare` first"):
        train(make_config("cpu-smoke"), settings, preset="cpu-smoke")


def test_the_shared_prefix_path_trains_the_tool_call_tag_so_a_call_becomes_the_first_choice(
    tmp_path: Path,
) -> None:
    import torch

    from agent.llm.load import load_model
    from agent.llm.template import render_prompt, tool_template
    from finetune.render import to_langchain, with_system_prompt
    from tools.agent_tools import build_registry

    settings = Settings(data_dir=tmp_path / "chronotope")
    write_jsonl(customer_dialogues(8), settings.data_dir / "finetune" / "train.jsonl")
    write_jsonl(customer_dialogues(2), settings.data_dir / "finetune" / "validation.jsonl")
    config = make_config("cpu-smoke", roles="customer", shared_prefix=True, max_train_examples=8,
                         batch_size=1, grad_accum=4, max_steps=6, save_steps=0, eval_steps=0, threads=1)
    result = train(config, settings, preset="cpu-smoke")

    def first_token_log_prob(adapter: str | None) -> float:
        model_dir = str(settings.data_dir / "finetune" / "tiny-model")
        loaded = load_model(Settings(data_dir=settings.data_dir, model=model_dir, adapter=adapter or "none",
                                     llm_threads=1).model_options(), progress=False)
        tokenizer = loaded.tokenizer
        messages = to_langchain(with_system_prompt(customer_dialogues(1)[0]))[:-1]  # up to the reply
        tools = build_registry(None, profile=demo_profile()).schemas("customer")
        text = render_prompt(tokenizer, messages, tools, tool_template(tokenizer))
        ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
        with torch.no_grad():
            log_probs = torch.log_softmax(loaded.model(ids).logits[0, -1], dim=-1)
        return float(log_probs[tokenizer.convert_tokens_to_ids("<tool_call>")])

    before, after = first_token_log_prob(None), first_token_log_prob(str(result.adapter_dir))
    assert after > before + 1.0  # nats: the tag's own rows (in and out) moved with the LoRA weights
