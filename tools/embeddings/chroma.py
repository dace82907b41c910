"""`MiniLMEmbeddingFunction`: a `TextEmbedder` as chromadb's embedding function.

chromadb's own default embedding function downloads a model and must never be used: every collection is
opened with this one. It satisfies chromadb's `EmbeddingFunction` protocol structurally, so importing this
module does not import chromadb.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tools.embeddings.embedder import EMBEDDING_MODEL, TextEmbedder


class MiniLMEmbeddingFunction:
    """chromadb embedding function backed by a `TextEmbedder` (pass it to every
    `get_or_create_collection`)."""

    def __init__(self, embedder: TextEmbedder) -> None:
        self.embedder = embedder
        self.model_name = EMBEDDING_MODEL

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:
        return list(self.embedder.encode(list(input)))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:
        return self(input)

    @staticmethod
    def name() -> str:
        return "chronotope-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model_name, "weights": self.embedder.weights,
                "cache_dir": str(self.embedder.cache_dir)}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        return MiniLMEmbeddingFunction(TextEmbedder(Path(config["cache_dir"]), config.get("weights", "int8")))

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
