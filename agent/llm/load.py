"""Loading a local model (plus an optional LoRA adapter) once per process.

CUDA: bfloat16 weights placed by `device_map="auto"`. CPU: float32, which decodes about 2.3x faster than
bfloat16 on the AVX2 CPUs we run on (measured with the 0.5B model: 0.83 vs 0.36 tokens/s under full load;
CPUs without native bf16 emulate it); by default (`ModelOptions.cpu_weights`) one-token decoding steps then
run through int8 copies of the linear layers' weights (agent/llm/int8_linear.py).

CPU threads: on an oversubscribed machine (load average at or above the core count) torch's OpenMP
threads wait on each other at every barrier; one thread decoded 2.5-4.5x faster than two there (0.5B,
2 cores, load 11). So the default is 1 thread when busy, all cores otherwise; `ModelOptions.threads` wins.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.llm.decision_head import DecisionHeads
from agent.llm.errors import ModelSourceError
from agent.llm.options import ModelOptions
from agent.llm.sources import ModelSource, prepare_model

if TYPE_CHECKING:
    from agent.llm.runtime import LocalRuntime
    from agent.llm.warm_start import WarmStore

logger = logging.getLogger(__name__)


@dataclass
class LoadedModel:
    """A model ready to run: weights, tokenizer and where they came from."""

    model: Any  # transformers PreTrainedModel, in eval mode
    tokenizer: Any
    source: ModelSource
    device: str  # "cuda" or "cpu"
    dtype: str  # weights of the linear layers: "bfloat16", "float32" or "int8"
    adapter: str | None = None
    decision_heads: DecisionHeads | None = None  # fitted on this model + adapter (agent/llm/decision_head.py)


def device_and_dtype() -> tuple[str, Any]:
    """("cuda", torch.bfloat16) when a GPU is there, else ("cpu", torch.float32)."""
    import torch

    if torch.cuda.is_available():
        return "cuda", torch.bfloat16
    return "cpu", torch.float32


def cpu_threads(options: ModelOptions) -> int:
    """Torch CPU threads for decoding: `options.threads`, else 1 on a busy machine and all cores otherwise."""
    if options.threads is not None:
        return options.threads
    cores = os.cpu_count() or 1
    return 1 if os.getloadavg()[0] >= cores else cores


def load_model(options: ModelOptions, progress: bool = True) -> LoadedModel:
    """Prepare (join, verify, convert once) and load `options.model`, with `options.adapter` merged in (or
    its merged copy in `options.warm_cache_dir`, kept there by the first start)."""
    import torch
    from transformers import AutoConfig, AutoTokenizer

    from agent.llm.warm_start import WarmStore

    source = prepare_model(options.model, options.cache_dir, progress=progress)
    device, dtype = device_and_dtype()
    if device == "cpu":
        torch.set_num_threads(cpu_threads(options))
    int8 = device == "cpu" and options.cpu_weights == "int8"
    weights = "int8" if int8 else str(dtype).removeprefix("torch.")
    store = WarmStore.for_files(options.warm_cache_dir, source.location, options.adapter, device, weights)
    # heads fitted on another model are refused before the (slow) load and merge
    heads = _decision_heads(options, AutoConfig.from_pretrained(source.location).hidden_size)
    model = _merged_model(source, options.adapter, device, dtype, store)
    tokenizer = AutoTokenizer.from_pretrained(source.location)
    model.eval()
    if int8:
        logger.info("Making the int8 decode layers")
        model = _int8_model(model, store)
    return LoadedModel(model, tokenizer, source, device, weights, options.adapter, heads)


def _merged_model(
    source: ModelSource, adapter: str | None, device: str, dtype: Any, store: WarmStore
) -> Any:
    """The model's weights with `adapter` merged in: the store's merged copy when it has one, else merged
    now (and a copy stored)."""
    from transformers import AutoModelForCausalLM

    placement = {"device_map": "auto"} if device == "cuda" else {}
    described = f"{source.name} ({device}, {str(dtype).removeprefix('torch.')})"
    if adapter:
        kept = store.cached_folder("merged-model",
                                   lambda folder: _from_kept(folder, described, dtype, placement))
        if kept is not None:
            return kept
    logger.info("Loading %s", described)
    model = AutoModelForCausalLM.from_pretrained(source.location, dtype=dtype, **placement)
    if adapter:
        logger.info("Merging the adapter %s (kept merged for the next start)", Path(adapter).name)
        model = apply_adapter(model, adapter)
        store.save_folder("merged-model", model.save_pretrained)
    return model


def _int8_model(model: Any, store: WarmStore) -> Any:
    """`model` with int8 decode layers, whose weights the store keeps (quantised once per model)."""
    from agent.llm.int8_linear import int8_weights, quantize_for_decoding

    return quantize_for_decoding(model, store.cached_tensors("int8-weights", lambda: int8_weights(model)))


def _from_kept(folder: Path, described: str, dtype: Any, placement: dict[str, Any]) -> Any:
    from transformers import AutoModelForCausalLM

    logger.info("Loading %s with its adapter merged, as kept by an earlier start", described)
    return AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, **placement)


def _decision_heads(options: ModelOptions, hidden_size: int) -> DecisionHeads | None:
    """The adapter's decision heads (when it has them and they are on), checked against the model's width."""
    if not options.adapter or not options.decision_heads:
        return None
    heads = DecisionHeads.load(Path(options.adapter))
    if heads is not None and any(head.weight.shape[1] != hidden_size for head in heads.heads):
        raise ModelSourceError(
            f"The decision heads in {options.adapter} read {heads.heads[0].weight.shape[1]}-wide hidden "
            f"states, but {options.model} has {hidden_size}: they were fitted on another model. Refit them "
            "(`chronotope finetune heads --adapter ...`) or set CHRONOTOPE_DECISION_HEADS=false."
        )
    return heads


def apply_adapter(model: Any, adapter: str) -> Any:
    """Merge a PEFT LoRA adapter folder into `model` (merged weights decode as fast as the base)."""
    folder = Path(adapter).expanduser()
    if not (folder / "adapter_config.json").is_file():
        raise ModelSourceError(
            f"Adapter {adapter!r} is not a PEFT adapter folder (no adapter_config.json). Set "
            f"CHRONOTOPE_ADAPTER to the folder finetune/train.py saved, or unset it to use the base model."
        )
    from peft import PeftModel

    return PeftModel.from_pretrained(model, str(folder)).merge_and_unload()


_runtimes: dict[ModelOptions, LocalRuntime] = {}
_runtimes_lock = threading.Lock()


def get_runtime(options: ModelOptions, progress: bool = True) -> LocalRuntime:
    """The process-wide runtime for these options' model and adapter (loaded on first use, thread-safe)."""
    from agent.llm.runtime import LocalRuntime
    from agent.llm.warm_start import WarmStore

    key = _loaded_as(options)
    with _runtimes_lock:
        if key not in _runtimes:
            # runtimes that differ only in their warm store share the weights
            weights = replace(key, warm_cache_dir=None)
            same = [runtime.loaded for k, runtime in _runtimes.items()
                    if replace(k, warm_cache_dir=None) == weights]
            loaded = same[0] if same else load_model(options, progress=progress)
            store = WarmStore.for_model(options.warm_cache_dir, loaded)
            _runtimes[key] = LocalRuntime(loaded, warm_store=store)
        return _runtimes[key]


def _loaded_as(options: ModelOptions) -> ModelOptions:
    """`options` with only what the loaded model depends on: decoding limits share one runtime."""
    return ModelOptions(
        model=options.model,
        cache_dir=Path(options.cache_dir).resolve(),
        adapter=options.adapter,
        decision_heads=options.decision_heads,
        cpu_weights=options.cpu_weights,
        warm_cache_dir=Path(options.warm_cache_dir).resolve() if options.warm_cache_dir else None,
    )
