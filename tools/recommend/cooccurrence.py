"""Item-item co-occurrence: "often bought together", from baskets (orders) or sessions.

Fit on a baskets x items matrix (one row per order). Similarity is a shrunk cosine,
    sim(a, b) = n(a, b) / (sqrt(n(a) n(b)) + shrink),
counted only where a and b share at least `min_count` baskets and at least `min_lift` times as many as
chance would give them (n(a) n(b) / baskets), so one odd order makes no pair and two best-sellers that
merely meet often are not "bought together". A user's scores are the sum of similarities to their items,
as in implicit's ItemItemRecommender.
"""

from __future__ import annotations

from typing import ClassVar, Self

import numpy as np
import scipy.sparse as sp

from tools.recommend.base import Context, RecommenderModel


class CooccurrenceModel(RecommenderModel):
    """Bought-together similarities from baskets; `similar_items` lists only real co-occurrences."""

    name: ClassVar[str] = "cooccurrence"

    def __init__(self, min_count: int = 2, shrink: float = 5.0, min_lift: float = 2.0):
        if min_count < 1:
            raise ValueError(f"min_count must be >= 1, got {min_count}.")
        self.min_count, self.shrink, self.min_lift = min_count, shrink, min_lift

    def params(self) -> dict[str, float | int | str]:
        return {"min_count": self.min_count, "shrink": self.shrink, "min_lift": self.min_lift}

    def fit(self, user_items: sp.csr_matrix, show_progress: bool = False) -> Self:
        baskets = sp.csr_matrix(user_items, dtype=np.float32)
        baskets.data[:] = 1.0  # an item twice in one order is still one co-occurrence
        counts = (baskets.T @ baskets).tocsr()  # (items, items); diagonal = baskets per item
        item_counts = counts.diagonal().astype(np.float64)
        counts = (counts - sp.diags(counts.diagonal())).tocsr().tocoo()
        expected = item_counts[counts.row] * item_counts[counts.col] / max(baskets.shape[0], 1)
        counts.data[(counts.data < self.min_count) | (counts.data < self.min_lift * expected)] = 0
        counts = counts.tocsr()
        counts.eliminate_zeros()
        self.pair_counts = counts.astype(np.float32).tocsr()
        self.item_counts = item_counts
        self.n_users, self.n_items = baskets.shape
        self._set_similarity()
        self._fitted = True
        return self

    def _set_similarity(self) -> None:
        coo = self.pair_counts.tocoo()
        sims = coo.data / (np.sqrt(self.item_counts[coo.row] * self.item_counts[coo.col]) + self.shrink)
        self.similarity = sp.csr_matrix((sims, (coo.row, coo.col)), shape=coo.shape)

    def _score(self, userid: int, user_row: sp.csr_matrix, context: Context | None) -> np.ndarray:
        liked = sp.csr_matrix((np.ones(user_row.nnz), user_row.indices, [0, user_row.nnz]),
                              shape=user_row.shape)
        return np.asarray((liked @ self.similarity).todense()).ravel()

    def _similar(self, itemid: int) -> np.ndarray:
        row = self.similarity.getrow(itemid)
        scores = np.full(self.n_items, -np.inf)  # never co-bought: not "bought together" at all
        scores[row.indices] = row.data
        return scores

    def together_count(self, a: int, b: int) -> int:
        """Baskets holding both `a` and `b` (0 below `min_count`)."""
        return int(self.pair_counts[a, b])

    def _state(self) -> dict[str, np.ndarray]:
        c = self.pair_counts
        return {"data": c.data, "indices": c.indices, "indptr": c.indptr, "item_counts": self.item_counts}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        n = self.n_items
        self.pair_counts = sp.csr_matrix((state["data"], state["indices"], state["indptr"]), shape=(n, n))
        self.item_counts = state["item_counts"]
        self._set_similarity()
