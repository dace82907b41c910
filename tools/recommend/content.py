"""Content similarity for products nobody has interacted with yet: cosine over text embeddings.

A product's text is its name, category and description, embedded with the project's shared embedder
(a `tools.embeddings.TextEmbedder`, the packaged offline all-MiniLM-L6-v2), so a new pair of boots lands
next to the other boots before anyone has viewed it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.embeddings import TextEmbedder


def product_texts(products: pd.DataFrame) -> list[str]:
    """One text per product row: "name. category. description"."""
    parts = products[["name", "category", "description"]].fillna("").astype(str)
    return [". ".join(p for p in row if p) for row in parts.itertuples(index=False, name=None)]


def embed_products(products: pd.DataFrame, embedder: TextEmbedder) -> np.ndarray:
    """Unit-length float32 embeddings, one row per product row."""
    import torch

    threads = torch.get_num_threads()
    # Training runs beside other work; one thread avoids OpenMP workers spinning against it (measured on
    # the shared 2-core box: 10 s CPU for 600 products with one thread, 23 s with two).
    torch.set_num_threads(1)
    try:
        vectors = np.asarray(embedder.encode(product_texts(products)), dtype=np.float32)
    finally:
        torch.set_num_threads(threads)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def content_similarity(embeddings: np.ndarray, itemid: int) -> np.ndarray:
    """Cosine similarity of every product to `itemid` (embeddings are unit length)."""
    return embeddings @ embeddings[itemid]
