"""What a fine-tuning run trains and how: `TrainConfig`, the presets in finetune/presets.toml, and the flags.

Settings stack as defaults < preset < `--config` TOML file < flags; `python -m finetune.train --help` lists
them.
"""

from __future__ import annotations

import argparse
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from agent.config import Settings
from agent.llm.wire_format import TOOL_CALL_TAGS

PRESETS = Path(__file__).with_name("presets.toml")


class TrainConfigError(ValueError):
    """A training setting that cannot be used."""


@dataclass
class TrainConfig:
    """What to train, on what, and how."""

    model: str = field(
        default="qwen2.5-coder-0.5b",
        metadata={"help": "Named offline model, a local HF folder, or 'tiny' "
                          "(a random 2-layer Qwen2 built locally)."},
    )
    train_file: str | None = field(
        default=None,
        metadata={"help": "Training dialogues JSONL (default: <data_dir>/finetune/train.jsonl)."}
    )
    validation_file: str | None = field(
        default=None,
        metadata={"help": "Validation dialogues JSONL (default: <data_dir>/finetune/validation.jsonl)."}
    )
    output_dir: str | None = field(
        default=None,
        metadata={"help": "Checkpoints, logs and the adapter (default: <data_dir>/finetune/runs/<preset>)."}
    )
    max_length: int = field(
        default=3072,
        metadata={"help": "Longest example in tokens; longer ones are dropped, "
                          "never cut (a cut prompt is not what the model sees)."}
    )
    first_turn_only: bool = field(
        default=False,
        metadata={"help": "Learn only each dialogue's first assistant turn (the tool choice): cheaper."}
    )
    roles: str = field(default="customer,operator",
                       metadata={"help": "Comma-separated roles whose dialogues to use."})
    max_train_examples: int | None = field(default=None,
                                           metadata={"help": "Cap on training examples (seeded sample)."})
    max_eval_examples: int | None = field(default=64,
                                          metadata={"help": "Cap on validation examples for eval loss."})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank."})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scaling numerator (scale = alpha / r)."})
    lora_dropout: float = field(default=0.05, metadata={"help": "Dropout on the LoRA input."})
    target_modules: str = field(
        default="q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
        metadata={"help": "Comma-separated module names that get LoRA (attention and MLP projections)."},
    )
    trainable_tokens: str = field(
        default=",".join(TOOL_CALL_TAGS),
        metadata={"help": "Comma-separated tokens whose input-embedding and output (lm_head) rows are "
                  "trained too; '' for none. Qwen2.5's tool-call tags come untrained, "
                  "so LoRA alone cannot make them likely."},
    )
    learning_rate: float = field(default=2e-4,
                                 metadata={"help": "Peak learning rate (cosine decay after warmup)."})
    epochs: float = field(
        default=1.0, metadata={"help": "Passes over the training examples (ignored when max_steps > 0)."}
    )
    max_steps: int = field(default=-1, metadata={"help": "Optimizer steps to run; -1 runs `epochs`."})
    batch_size: int = field(default=1, metadata={"help": "Examples per device per forward pass."})
    grad_accum: int = field(default=8, metadata={"help": "Forward passes per optimizer step."})
    warmup_steps: int = field(default=0, metadata={"help": "Linear warmup steps."})
    eval_steps: int = field(default=0,
                            metadata={"help": "Evaluate the loss every N steps (0: only at the end)."})
    save_steps: int = field(default=50, metadata={"help": "Save a checkpoint every N steps (for --resume)."})
    logging_steps: int = field(default=10, metadata={"help": "Log the loss every N steps."})
    bf16: bool = field(default=False,
                       metadata={"help": "bfloat16 weights and autocast (GPUs; CPUs emulate it slowly)."})
    gradient_checkpointing: bool = field(default=False,
                                         metadata={"help": "Recompute activations to save memory."})
    threads: int | None = field(default=None,
                                metadata={"help": "CPU threads (default: as the runtime chooses)."})
    seed: int = field(default=0, metadata={"help": "Seed for sampling, LoRA init and data order."})
    resume: bool = field(default=False, metadata={"help": "Continue from the last checkpoint in output_dir."})
    shared_prefix: bool = field(
        default=False,
        metadata={"help": "CPU: run the prompt prefix each role shares once per step, without gradients, "
                  "and only each example's own tokens with them "
                  "(~10x cheaper; see finetune/shared_prefix.py)."},
    )

    def paths(self, settings: Settings, preset: str | None) -> tuple[Path, Path, Path]:
        """(train file, validation file, output dir) with the settings' defaults filled in."""
        root = settings.data_dir / "finetune"
        return (
            Path(self.train_file) if self.train_file else root / "train.jsonl",
            Path(self.validation_file) if self.validation_file else root / "validation.jsonl",
            Path(self.output_dir) if self.output_dir else root / "runs" / (preset or "custom"),
        )


def load_presets(path: Path = PRESETS) -> dict[str, dict[str, Any]]:
    """Preset name -> settings, from the presets TOML file."""
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def make_config(preset: str | None = None, config_file: Path | None = None, **overrides: Any) -> TrainConfig:
    """Defaults < preset < config file < overrides; unknown keys are errors that list the valid ones."""
    values: dict[str, Any] = {}
    if preset:
        presets = load_presets()
        if preset not in presets:
            raise TrainConfigError(f"Unknown preset {preset!r}; "
                                   f"choose one of {', '.join(presets)} (see {PRESETS}).")
        values.update(presets[preset])
    if config_file:
        with open(config_file, "rb") as handle:
            values.update(tomllib.load(handle))
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise TrainConfigError(f"Unknown training setting(s) {', '.join(unknown)}; valid: "
                               f"{', '.join(sorted(known))}.")
    return TrainConfig(**values)


def build_parser(description: str | None = None) -> argparse.ArgumentParser:
    """Flags for every TrainConfig field (help text from the field), plus --preset and --config; `description`
    heads the help."""
    parser = argparse.ArgumentParser(
        prog="chronotope finetune train", description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", help=f"A preset from {PRESETS.name}: {', '.join(load_presets())}.")
    parser.add_argument("--config", type=Path,
                        help="TOML file of TrainConfig keys (applied after the preset).")
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        kind = f.type if isinstance(f.type, str) else f.type.__name__
        if kind == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None,
                                help=f.metadata["help"])
        else:
            cast = float if "float" in kind else int if "int" in kind else str
            parser.add_argument(flag, type=cast, default=None, help=f.metadata["help"])
    return parser


def parse_config(
    argv: list[str] | None = None, description: str | None = None
) -> tuple[TrainConfig, str | None]:
    """(config, preset name) from command-line flags; `description` heads the help."""
    args = vars(build_parser(description).parse_args(argv))
    preset, config_file = args.pop("preset"), args.pop("config")
    return make_config(preset, config_file, **args), preset
