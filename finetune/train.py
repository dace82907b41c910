"""LoRA supervised fine-tuning of the local model on the shop's tool-use dialogues (TRL SFTTrainer + PEFT).

Every assistant turn is rendered exactly as the agent renders prompts (the model's chat template, the
role's tool schemas, the role's system prompt; see finetune/render.py) and the loss falls on the assistant
tokens only (prompt-completion examples, `completion_only_loss`).

    # 1. gather and split the data (synthetic tool dialogues, Bitext, your transcripts)
    chronotope finetune prepare
    # 2. a smoke run on a tiny random model built locally: the whole path in seconds (CI)
    python -m finetune.train --preset cpu-smoke
    # 3. the 0.5B default on CPU (small: first replies only), then before/after and export
    python -m finetune.train --preset cpu-0.5b --output-dir .chronotope/finetune/runs/cpu-0.5b
    # first-reply heads
    python -m finetune.decision_head --adapter .chronotope/finetune/runs/cpu-0.5b/adapter
    python -m finetune.evaluate --adapter .chronotope/finetune/runs/cpu-0.5b/adapter
    python -m finetune.export .chronotope/finetune/runs/cpu-0.5b/adapter --dest finetune/adapters/mine
    # 4. one or many GPUs in bf16 (accelerate; `accelerate config` once for multi-GPU)
    accelerate launch -m finetune.train --preset gpu
    accelerate launch --multi_gpu --num_processes 4 -m finetune.train --preset gpu --batch-size 4
    # resume an interrupted run from its last checkpoint
    python -m finetune.train --preset cpu-0.5b --output-dir .chronotope/finetune/runs/cpu-0.5b --resume

Settings: presets in finetune/presets.toml, a TOML file of the same keys with `--config`, then flags
(flags win). `chronotope finetune train ...` takes the same flags.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agent.config import Settings, get_settings
from finetune.config import TrainConfig, TrainConfigError, parse_config


def resolve_model(model: str, settings: Settings) -> Path:
    """A local folder holding the model's weights ('tiny' is built under the data dir on first use)."""
    if model == "tiny":
        from finetune.tiny_model import build_tiny_model

        return build_tiny_model(settings.data_dir / "finetune" / "tiny-model")
    from agent.llm.sources import prepare_model

    return Path(prepare_model(model, settings.model_cache_path, progress=True).location)


@dataclass
class TokenizedExamples:
    """Token ids with the completion mask TRL reads, and what was dropped."""

    rows: list[dict[str, list[int]]]
    roles: list[str]  # the dialogue role of each row
    dropped_too_long: int
    tokens: int


def tokenize_pairs(pairs: list[Any], tokenizer: Any, max_length: int) -> TokenizedExamples:
    """Prompt and completion tokenized apart, as at inference (the prompt alone, then the model's tokens)."""
    rows, roles, dropped, tokens = [], [], 0, 0
    for pair in pairs:
        prompt = tokenizer(pair.prompt, add_special_tokens=False)["input_ids"]
        completion = tokenizer(pair.completion, add_special_tokens=False)["input_ids"]
        if len(prompt) + len(completion) > max_length:
            dropped += 1
            continue
        rows.append(
            {"input_ids": prompt + completion, "completion_mask": [0] * len(prompt) + [1] * len(completion)}
        )
        roles.append(pair.role)
        tokens += len(prompt) + len(completion)
    return TokenizedExamples(rows, roles, dropped, tokens)


def build_examples(
    dialogues_path: Path, tokenizer: Any, settings: Settings, config: TrainConfig, limit: int | None
) -> TokenizedExamples:
    """Read dialogues, render each assistant turn with its role's tools, sample `limit`, tokenize."""
    from agent.llm.template import tool_template
    from finetune.data import read_dialogues
    from finetune.render import training_pairs
    from finetune.shop import shop_profile
    from tools.agent_tools import build_registry

    if not dialogues_path.is_file():
        raise TrainConfigError(f"No dialogues at {dialogues_path}; run `chronotope finetune prepare` first.")
    roles = [r.strip() for r in config.roles.split(",") if r.strip()]
    bad = sorted(set(roles) - {"customer", "operator"})
    if bad:
        raise TrainConfigError(f"Unknown role(s) {', '.join(bad)} in roles; use customer and/or operator.")
    registry = build_registry(None, profile=shop_profile(settings.store_path))
    tools = {role: registry.schemas(role) for role in roles}
    template = tool_template(tokenizer)
    dialogues = [d for d in read_dialogues(dialogues_path) if d.role in roles]
    random.Random(config.seed).shuffle(dialogues)
    pairs = []
    for dialogue in dialogues:
        pairs += training_pairs(dialogue, tokenizer, tools[dialogue.role], template, config.first_turn_only)
        if limit is not None and len(pairs) >= limit * 2:  # rendering is cheap; leave room for dropped ones
            break
    examples = tokenize_pairs(pairs, tokenizer, config.max_length)
    if limit is not None:
        examples.rows, examples.roles = examples.rows[:limit], examples.roles[:limit]
    if not examples.rows:
        raise TrainConfigError(
            f"No examples from {dialogues_path} fit max_length={config.max_length} for roles {roles} "
            f"({examples.dropped_too_long} too long); raise --max-length."
        )
    return examples


@dataclass
class TrainResult:
    """Where the adapter is and what training did."""

    output_dir: Path
    adapter_dir: Path
    steps: int
    train_examples: int
    eval_examples: int
    train_tokens: int
    first_loss: float | None
    last_loss: float | None
    eval_loss: float | None
    wall_s: float


def train(config: TrainConfig, settings: Settings | None = None, preset: str | None = None) -> TrainResult:
    """Run LoRA SFT as configured; saves checkpoints, a progress log and the final adapter."""
    import torch
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from agent.llm.load import cpu_threads

    settings = settings or get_settings()
    train_path, validation_path, output_dir = config.paths(settings, preset)
    output_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if not torch.cuda.is_available():
        torch.set_num_threads(config.threads or cpu_threads(settings.model_options()))
    location = resolve_model(config.model, settings)
    tokenizer = AutoTokenizer.from_pretrained(location)
    train_examples = build_examples(train_path, tokenizer, settings, config, config.max_train_examples)
    eval_examples = build_examples(validation_path, tokenizer, settings, config, config.max_eval_examples)

    dtype = torch.bfloat16 if config.bf16 else torch.float32
    model = AutoModelForCausalLM.from_pretrained(location, dtype=dtype)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=[m.strip() for m in config.target_modules.split(",") if m.strip()],
        # TRL's fused LM head reads lm_head.weight directly, so there only the input rows can be trained.
        trainable_token_indices=trainable_token_rows(model, tokenizer, config.trainable_tokens,
                                                     output_rows=config.shared_prefix),
        task_type="CAUSAL_LM",
    )
    adapter_dir = output_dir / "adapter"
    if config.shared_prefix:
        steps, losses, eval_loss = _train_shared_prefix(model, lora, train_examples, eval_examples, config,
                                                        output_dir, adapter_dir)
    else:
        steps, losses, eval_loss = _train_trl(model, tokenizer, lora, train_examples, eval_examples, config,
                                              output_dir, adapter_dir, started)
    result = TrainResult(
        output_dir, adapter_dir, steps, len(train_examples.rows), len(eval_examples.rows),
        train_examples.tokens, losses[0] if losses else None, losses[-1] if losses else None, eval_loss,
        round(time.perf_counter() - started, 1),
    )
    record = {"config": asdict(config), "preset": preset, "base_model": str(location),
              "result": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(result).items()},
              "dropped_too_long": train_examples.dropped_too_long}
    (adapter_dir / "training.json").write_text(json.dumps(record, indent=2))
    return result


def trainable_token_rows(
    model: Any, tokenizer: Any, tokens: str, output_rows: bool = True
) -> dict[str, list[int]] | None:
    """PEFT `trainable_token_indices` for `tokens`: their rows in the input embeddings and (`output_rows`,
    weights not tied) in lm_head.

    Qwen2.5-Coder-0.5B never learned to emit its `<tool_call>` token (its output row is near the untrained
    special tokens'): LoRA on the projections alone left the first reply token at ~9 nats of loss after
    training, and the model's first choice was noise. Training these rows makes the call decision learnable.
    """
    names = [t.strip() for t in tokens.split(",") if t.strip()]
    if not names:
        return None
    vocab = tokenizer.get_vocab()
    missing = [t for t in names if t not in vocab]
    if missing:
        raise TrainConfigError(
            f"Token(s) {', '.join(missing)} are not single tokens of this tokenizer; fix --trainable-tokens "
            "(or pass '' to train none)."
        )
    ids = sorted(vocab[t] for t in names)
    modules = {id(module): name for name, module in model.named_modules()}
    layers = [model.get_input_embeddings()]
    if output_rows and not model.config.tie_word_embeddings:  # tied output rows follow the input rows
        layers.append(model.get_output_embeddings())
    return {modules[id(layer)].rsplit(".", 1)[-1]: ids for layer in layers}


def _train_shared_prefix(
    model: Any, lora: Any, train_examples: TokenizedExamples, eval_examples: TokenizedExamples,
    config: TrainConfig, output_dir: Path, adapter_dir: Path,
) -> tuple[int, list[float], float | None]:
    """The CPU path: shared prompt prefix run once per step (finetune/shared_prefix.py)."""
    from peft import get_peft_model

    from finetune.shared_prefix import group_by_prefix, train_loop

    model = get_peft_model(model, lora)
    loop = train_loop(
        model, group_by_prefix(train_examples.rows, train_examples.roles),
        group_by_prefix(eval_examples.rows, eval_examples.roles), output_dir,
        learning_rate=config.learning_rate, grad_accum=config.grad_accum, epochs=config.epochs,
        max_steps=config.max_steps, warmup_steps=config.warmup_steps, eval_steps=config.eval_steps,
        save_steps=config.save_steps, seed=config.seed, resume=config.resume,
    )
    model.save_pretrained(str(adapter_dir))
    return loop.steps, loop.losses, loop.eval_loss


def _train_trl(
    model: Any, tokenizer: Any, lora: Any, train_examples: TokenizedExamples,
    eval_examples: TokenizedExamples, config: TrainConfig, output_dir: Path, adapter_dir: Path,
    started: float,
) -> tuple[int, list[float], float | None]:
    """The TRL path: SFTTrainer on prompt-completion token ids, loss on the completion only."""
    import torch
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    args = SFTConfig(
        output_dir=str(output_dir),
        max_steps=config.max_steps,
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=config.warmup_steps,
        logging_steps=config.logging_steps,
        eval_strategy="steps" if config.eval_steps > 0 else "no",
        eval_steps=config.eval_steps if config.eval_steps > 0 else None,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=2,
        bf16=config.bf16,
        gradient_checkpointing=config.gradient_checkpointing,
        completion_only_loss=True,  # loss on the assistant turn only
        max_length=config.max_length,
        seed=config.seed,
        report_to="none",
        dataloader_num_workers=0,
        use_cpu=not torch.cuda.is_available(),
        disable_tqdm=False,
    )
    progress_log = output_dir / "progress.jsonl"

    class ProgressLog(TrainerCallback):
        """Appends every log line (loss, eval loss, step, elapsed) to progress.jsonl, for background runs."""

        def on_log(
            self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any
        ) -> None:
            with open(progress_log, "a", encoding="utf-8") as handle:
                row = {"step": state.global_step, "max_steps": state.max_steps,
                       "elapsed_s": round(time.perf_counter() - started, 1)}
                handle.write(json.dumps({**row, **(logs or {})}) + "\n")

    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(train_examples.rows),
        eval_dataset=Dataset.from_list(eval_examples.rows),
        processing_class=tokenizer,
        peft_config=lora,
        callbacks=[ProgressLog()],
    )
    resume = config.resume and any(output_dir.glob("checkpoint-*"))
    trainer.train(resume_from_checkpoint=True if resume else None)
    eval_loss = trainer.evaluate().get("eval_loss")
    trainer.save_model(str(adapter_dir))  # PEFT: the adapter only (adapter_config.json + weights)
    losses = [row["loss"] for row in trainer.state.log_history if "loss" in row]
    return trainer.state.global_step, losses, eval_loss


def main(argv: list[str] | None = None) -> TrainResult:
    """Parse flags, train, print `name: value` lines."""
    try:
        config, preset = parse_config(argv, description=__doc__)
        result = train(config, preset=preset)
    except TrainConfigError as error:
        print(f"Error: {error}", file=sys.stderr)
        raise SystemExit(2) from error
    for key, value in asdict(result).items():
        print(f"{key}: {value}")
    return result


if __name__ == "__main__":
    main()
