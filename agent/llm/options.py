"""What the LLM layer is told to run: plain values, filled in from the settings by their callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class ModelOptions:
    """A local model: which one, where its converted weights live, its adapter, and how it decodes."""

    model: str  # a named offline model, a local HF folder, or a hub id
    cache_dir: Path  # converted weights of named models
    adapter: str | None = None  # LoRA adapter folder merged into the model
    # let the adapter's decision heads (when it has them) pick the first reply's tool
    decision_heads: bool = True
    cpu_weights: Literal["int8", "fp32"] = "int8"  # on the CPU: int8 decode layers, or the float32 reference
    threads: int | None = None  # torch CPU threads; None: 1 on a busy machine, else all cores
    warm_cache_dir: Path | None = None  # warm-up results kept for the next start (warm_start.py)
    max_new_tokens: int = 384
    constrained: bool = True  # decode tool calls under their JSON schemas


@dataclass(frozen=True)
class ServerOptions:
    """An OpenAI-compatible server (vLLM, llama.cpp, ...) and the model on it."""

    base_url: str  # e.g. http://127.0.0.1:8000/v1
    model: str | None  # a model the server serves; None is refused with a message saying what to set
    api_key: str = field(repr=False)
    max_tokens: int
