"""Put a trained adapter where the agent loads it (`settings.adapter`), optionally with a merged model.

    python -m finetune.export .chronotope/finetune/runs/cpu-0.5b/adapter --dest finetune/adapters/mine
    python -m finetune.export RUN/adapter --dest .chronotope/adapters/shop --merged   # + a merged HF model
    CHRONOTOPE_ADAPTER=finetune/adapters/mine chronotope ask "Where is my order?"
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from agent.config import Settings, get_settings
from agent.llm.decision_head import HEADS_FILE

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "training.json", HEADS_FILE)


class ExportError(ValueError):
    """An adapter that cannot be exported."""


@dataclass
class ExportResult:
    adapter_dir: Path
    merged_dir: Path | None
    size_bytes: int


def export_adapter(
    source: Path, dest: Path, merged: bool = False, settings: Settings | None = None
) -> ExportResult:
    """Copy the adapter's files to `dest` atomically; with `merged`, also save base+adapter as one HF
    model."""
    if not (source / "adapter_config.json").is_file():
        raise ExportError(
            f"{source} is not a PEFT adapter folder (no adapter_config.json); pass the `adapter` folder that "
            "`chronotope finetune train` wrote inside its output dir."
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name in ADAPTER_FILES:
        if (source / name).is_file():
            shutil.copy2(source / name, tmp / name)
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    merged_dir = None
    if merged:
        merged_dir = dest / "merged"
        _save_merged(dest, merged_dir, settings or get_settings())
    size = sum(p.stat().st_size for p in dest.iterdir() if p.is_file())
    return ExportResult(dest, merged_dir, size)


def _save_merged(adapter: Path, out: Path, settings: Settings) -> None:
    """The base model with the adapter merged into its weights, plus the tokenizer (a plain HF folder)."""
    from agent.llm.load import load_model

    loaded = load_model(replace(settings.model_options(), adapter=str(adapter), cpu_weights="fp32"),
                        progress=True)
    loaded.model.save_pretrained(str(out))
    loaded.tokenizer.save_pretrained(str(out))


def main(argv: list[str] | None = None) -> ExportResult:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("adapter", type=Path, help="The adapter folder a training run wrote (RUN/adapter).")
    parser.add_argument("--dest", type=Path,
                        help="Where to put it (default: <data_dir>/adapters/<run name>).")
    parser.add_argument("--merged", action="store_true", help="Also save the merged model under DEST/merged.")
    args = parser.parse_args(argv)
    settings = get_settings()
    dest = args.dest or settings.data_dir / "adapters" / args.adapter.resolve().parent.name
    result = export_adapter(args.adapter, dest, args.merged, settings)
    print(f"adapter: {result.adapter_dir} ({result.size_bytes / 1e6:.1f} MB)")
    if result.merged_dir:
        print(f"merged model: {result.merged_dir} (use it as CHRONOTOPE_MODEL)")
    print(f"use it: CHRONOTOPE_ADAPTER={result.adapter_dir}  (or adapter = \"{result.adapter_dir}\" in "
          "chronotope.toml)")
    return result


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except ExportError as error:
        print(f"Error: {error}", file=sys.stderr)
        raise SystemExit(2) from error
