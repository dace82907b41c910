"""Text embeddings for the engines: one `TextEmbedder` (all-MiniLM-L6-v2, offline, int8 or float32).

    embedder = TextEmbedder(cache_dir=Path(".chronotope/models"))
    vectors = embedder.encode(["can I return opened earbuds?"])      # (1, 384), unit length
"""

from tools.embeddings.chroma import MiniLMEmbeddingFunction
from tools.embeddings.embedder import (
    EMBEDDING_DIM,
    EMBEDDING_MODEL,
    EMBEDDING_WEIGHTS,
    EmbeddingWeights,
    TextEmbedder,
)

__all__ = [
    "EMBEDDING_DIM",
    "EMBEDDING_MODEL",
    "EMBEDDING_WEIGHTS",
    "EmbeddingWeights",
    "MiniLMEmbeddingFunction",
    "TextEmbedder",
]
