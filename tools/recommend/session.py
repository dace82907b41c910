"""Next item from the current browsing path: a second-order transition model that backs off, plus revisits.

P(next | ..., a, b) = l2 P(next | a, b) + l1 P(next | b) + l0 P(next), with Witten-Bell-style weights:
a context seen n times gets l = n / (n + backoff) of what is left, so rare paths lean on shorter ones and
an unseen item falls back to what is popular. Shoppers also go back to what they saw earlier in the same
visit (to compare, or to put it in the cart), so items already on the path, except the current one, get
`revisit_weight` shared by how often they appear. Counts come from `interactions.transition_counts` (SQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import scipy.sparse as sp

from tools.recommend.base import ModelNotFitted, top_n


class SessionModel:
    """Predicts the next item of a browsing path (item indices)."""

    def __init__(self, backoff: float = 1000.0, revisit_weight: float = 0.2):
        self.backoff, self.revisit_weight = backoff, revisit_weight
        self._fitted = False

    def fit(
        self, first: dict[str, np.ndarray], second: dict[str, np.ndarray], n_items: int,
        popularity: np.ndarray
    ) -> Self:
        """Fit from transition counts: `first` has p1, nxt, n; `second` has p2, p1, nxt, n."""
        self.n_items = n_items
        self.first = sp.csr_matrix(
            (first["n"].astype(np.float32), (first["p1"], first["nxt"])), shape=(n_items, n_items)
        )
        key = second["p2"].astype(np.int64) * n_items + second["p1"]
        order = np.argsort(key, kind="stable")
        self.second_keys = key[order]
        self.second_next = second["nxt"][order].astype(np.int32)
        self.second_counts = second["n"][order].astype(np.float32)
        popularity = np.asarray(popularity, dtype=np.float64)
        self.popularity = (popularity / popularity.sum() if popularity.sum() > 0
                           else np.full(n_items, 1 / n_items))
        self._fitted = True
        return self

    def scores(self, path: np.ndarray) -> np.ndarray:
        """Probability-like score of every item being next after `path`."""
        if not self._fitted:
            raise ModelNotFitted("SessionModel is not fitted; call fit(...) or load(path) first.")
        scores = np.zeros(self.n_items)
        left = 1.0
        if len(path) >= 2:
            key = int(path[-2]) * self.n_items + int(path[-1])
            lo, hi = np.searchsorted(self.second_keys, [key, key + 1])
            if hi > lo:
                total = float(self.second_counts[lo:hi].sum())
                weight = total / (total + self.backoff)
                np.add.at(scores, self.second_next[lo:hi], weight * self.second_counts[lo:hi] / total)
                left -= weight
        if len(path) >= 1:
            lo, hi = self.first.indptr[int(path[-1])], self.first.indptr[int(path[-1]) + 1]
            followers, counts = self.first.indices[lo:hi], self.first.data[lo:hi]
            total = float(counts.sum())
            if total > 0:
                weight = left * total / (total + self.backoff)
                scores[followers] += weight * counts / total
                left -= weight
        scores += left * self.popularity
        earlier = np.asarray(path[:-1], dtype=np.int64)
        if len(earlier):
            np.add.at(scores, earlier, self.revisit_weight / len(earlier))
        return scores

    def predict(self, path: np.ndarray, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The `n` likeliest next items after `path` (never the current item itself)."""
        path = np.asarray(path, dtype=np.int64)
        return top_n(self.scores(path), n, path[-1:])

    def save(self, path: Path | str) -> None:
        """Write the fitted model to an .npz file."""
        np.savez(
            Path(path),
            first_data=self.first.data, first_indices=self.first.indices, first_indptr=self.first.indptr,
            second_keys=self.second_keys, second_next=self.second_next, second_counts=self.second_counts,
            popularity=self.popularity, backoff=np.array(self.backoff),
            revisit_weight=np.array(self.revisit_weight),
        )

    @classmethod
    def load(cls, path: Path | str) -> SessionModel:
        """Read a model written by `save`."""
        with np.load(Path(path), allow_pickle=False) as d:
            model = cls(backoff=float(d["backoff"]), revisit_weight=float(d["revisit_weight"]))
            model.popularity = d["popularity"]
            model.n_items = len(model.popularity)
            n = model.n_items
            model.first = sp.csr_matrix((d["first_data"], d["first_indices"], d["first_indptr"]),
                                        shape=(n, n))
            model.second_keys, model.second_next, model.second_counts = (
                d["second_keys"], d["second_next"], d["second_counts"],
            )
        model._fitted = True
        return model


@dataclass(frozen=True)
class NextItemScore:
    """Hit rate and mean reciprocal rank at k of next-item predictions on held-out paths."""

    hit_rate: float
    mrr: float
    n_predictions: int


def evaluate_next_item(
    predict: Callable[[np.ndarray, int], np.ndarray], paths: list[np.ndarray], k: int = 10,
    max_paths: int = 3000
) -> NextItemScore:
    """Predict each step of each path from the steps before it; `predict(prefix, k)` returns item indices."""
    hits, reciprocal, total = 0, 0.0, 0
    for path in paths[:max_paths]:
        for t in range(1, len(path)):
            ranked = predict(path[:t], k)
            found = np.flatnonzero(ranked == path[t])
            total += 1
            if len(found):
                hits += 1
                reciprocal += 1.0 / (found[0] + 1)
    return NextItemScore(hits / max(total, 1), reciprocal / max(total, 1), total)
