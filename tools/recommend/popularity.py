"""Baselines: what everyone buys, and what people in the same region buy."""

from __future__ import annotations

from typing import ClassVar, Self

import numpy as np
import scipy.sparse as sp

from tools.recommend.base import Context, RecommenderModel
from tools.recommend.context import ContextCounts


class PopularityModel(RecommenderModel):
    """Ranks items by their total confidence over all users; the same list for everyone."""

    name: ClassVar[str] = "popularity"

    def fit(self, user_items: sp.csr_matrix, show_progress: bool = False) -> Self:
        self.n_users, self.n_items = user_items.shape
        self.item_popularity = np.asarray(user_items.sum(axis=0), dtype=np.float64).ravel()
        self._fitted = True
        return self

    def _score(self, userid: int, user_row: sp.csr_matrix, context: Context | None) -> np.ndarray:
        return self.item_popularity

    def _similar(self, itemid: int) -> np.ndarray:
        # Without a notion of similarity, "similar" degrades to "popular": the honest baseline.
        return self.item_popularity

    def _state(self) -> dict[str, np.ndarray]:
        return {"item_popularity": self.item_popularity}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.item_popularity = state["item_popularity"]


class RegionalPopularityModel(RecommenderModel):
    """Ranks items by their share of interactions in the context's region (overall when none is given).

    The per-region counts come from events (where the shopper was), passed in as `ContextCounts`.
    """

    name: ClassVar[str] = "regional_popularity"

    def __init__(self, context_counts: ContextCounts | None = None):
        self.context_counts = context_counts

    def fit(self, user_items: sp.csr_matrix, show_progress: bool = False) -> Self:
        if self.context_counts is None:
            raise ValueError("RegionalPopularityModel needs context_counts (per-region counts) to fit.")
        if self.context_counts.n_items != user_items.shape[1]:
            raise ValueError(
                f"context_counts cover {self.context_counts.n_items} items but user_items has "
                f"{user_items.shape[1]}; build both from the same item index."
            )
        self.n_users, self.n_items = user_items.shape
        self._fitted = True
        return self

    def _score(self, userid: int, user_row: sp.csr_matrix, context: Context | None) -> np.ndarray:
        region = context.region if context is not None else None
        return self.context_counts.popularity(region)

    def _similar(self, itemid: int) -> np.ndarray:
        return self.context_counts.popularity()

    def _state(self) -> dict[str, np.ndarray]:
        return self.context_counts.state()

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.context_counts = ContextCounts.from_state(state)
