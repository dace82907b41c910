"""The one contract every recommender model meets, in the style of implicit's `RecommenderBase`.

A model is fit on a sparse user x item matrix of confidences and ranks item indices for a user index:

    model.fit(user_items)                                   # csr_matrix (users x items)
    ids, scores = model.recommend(u, user_items[u], N=10)   # best first
    ids, scores = model.similar_items(i, N=10)              # excludes i itself

Like implicit, `recommend` receives the user's own row: item-item models score from it, factor models use
it only to filter what the user already has. Optional `context` (region and local time slot) lets regional
and context-aware models re-weight; models that ignore it rank the same with or without it.
Models work on integer indices only; `tools.recommend.interactions.IdIndex` maps ids to indices.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Self

import numpy as np
import scipy.sparse as sp


class ModelNotFitted(RuntimeError):
    """A model was asked for recommendations before `fit` (or `load`)."""


class IndexOutOfRange(ValueError):
    """A user or item index outside the fitted matrix."""


@dataclass(frozen=True)
class Context:
    """Where and when a recommendation is shown: a region index and a local time-slot index (or None)."""

    region: int | None = None
    slot: int | None = None


def top_n(scores: np.ndarray, n: int, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The `n` best indices of `scores` (best first), skipping `exclude` and items scored -inf."""
    scores = np.asarray(scores, dtype=np.float64).copy()
    if exclude is not None and len(exclude):
        scores[exclude] = -np.inf
    n = min(n, int(np.isfinite(scores).sum()))
    if n <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    part = np.argpartition(-scores, n - 1)[:n]
    # Ties break on the lower index so results are deterministic across runs and platforms.
    order = np.lexsort((part, -scores[part]))
    ids = part[order].astype(np.int64)
    return ids, scores[ids]


class RecommenderModel(ABC):
    """Base of every model: `fit`, `recommend`, `similar_items`, `save`/`load`.

    Subclasses implement `fit`, `_score` (a score per item for one user) and `_similar` (a score per item
    for one item), plus `_state`/`_restore` for persistence; filtering and top-N live here, once.
    """

    name: ClassVar[str]
    n_users: int = 0
    n_items: int = 0
    _fitted: bool = False

    # ------------------------------------------------------------------ to implement
    @abstractmethod
    def fit(self, user_items: sp.csr_matrix, show_progress: bool = False) -> Self:
        """Learn from a users x items matrix of confidences (larger = stronger signal)."""

    @abstractmethod
    def _score(self, userid: int, user_row: sp.csr_matrix, context: Context | None) -> np.ndarray:
        """A score for every item for this user (higher = better)."""

    @abstractmethod
    def _similar(self, itemid: int) -> np.ndarray:
        """A similarity score for every item to `itemid`."""

    @abstractmethod
    def _state(self) -> dict[str, np.ndarray]:
        """Arrays that fully describe the fitted model."""

    @abstractmethod
    def _restore(self, state: dict[str, np.ndarray]) -> None:
        """Inverse of `_state`."""

    def params(self) -> dict[str, float | int | str]:
        """Hyper-parameters (saved beside the arrays, shown in manifests)."""
        return {}

    # ------------------------------------------------------------------ the contract
    def scores(self, userid: int, user_items: sp.csr_matrix, context: Context | None = None) -> np.ndarray:
        """The unfiltered score of every item for `userid` (what `recommend` ranks)."""
        self._check_fitted()
        self._check_index(userid, self.n_users, "user")
        if user_items.shape != (1, self.n_items):
            raise ValueError(
                f"user_items must be the user's 1 x {self.n_items} row, got shape {user_items.shape}; "
                "pass user_items[userid] of the matrix the model was fit on."
            )
        return self._score(userid, user_items, context)

    def recommend(
        self,
        userid: int,
        user_items: sp.csr_matrix,
        N: int = 10,
        filter_already_liked_items: bool = True,
        filter_items: np.ndarray | None = None,
        context: Context | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-`N` item indices and scores for `userid`, best first.

        `user_items` is the user's row (1 x items); with `filter_already_liked_items` its items are left out.
        `filter_items` are left out for everyone (e.g. out of stock).
        """
        scores = self.scores(userid, user_items, context)
        exclude = [np.asarray(filter_items, dtype=np.int64)] if filter_items is not None else []
        if filter_already_liked_items:
            exclude.append(user_items.indices.astype(np.int64))
        return top_n(scores, N, np.concatenate(exclude) if exclude else None)

    def similarities(self, itemid: int) -> np.ndarray:
        """The unfiltered similarity of every item to `itemid` (what `similar_items` ranks; -inf =
        unrelated)."""
        self._check_fitted()
        self._check_index(itemid, self.n_items, "item")
        return self._similar(itemid)

    def similar_items(
        self, itemid: int, N: int = 10, filter_items: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-`N` items most similar to `itemid` (never itself), best first."""
        scores = self.similarities(itemid)
        exclude = np.array([itemid], dtype=np.int64)
        if filter_items is not None:
            exclude = np.concatenate([exclude, np.asarray(filter_items, dtype=np.int64)])
        return top_n(scores, N, exclude)

    def save(self, path: Path | str) -> None:
        """Write the fitted model to `path` (an .npz file) with its params."""
        self._check_fitted()
        state = self._state()
        meta = {"name": self.name, "n_users": self.n_users, "n_items": self.n_items, "params": self.params()}
        np.savez(Path(path), _meta=np.array(json.dumps(meta)), **state)

    @classmethod
    def load(cls, path: Path | str) -> Self:
        """Read a model written by `save` (the class must match)."""
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["_meta"]))
            if meta["name"] != cls.name:
                raise ValueError(f"{path} holds a {meta['name']!r} model, not {cls.name!r}.")
            model = cls(**meta["params"])
            model.n_users, model.n_items = meta["n_users"], meta["n_items"]
            model._restore({k: data[k] for k in data.files if k != "_meta"})
        model._fitted = True
        return model

    # ------------------------------------------------------------------ checks
    def _check_fitted(self) -> None:
        if not self._fitted:
            raise ModelNotFitted(f"{type(self).__name__} is not fitted; call fit(user_items) or load(path) "
                                 "first.")

    @staticmethod
    def _check_index(index: int, size: int, what: str) -> None:
        if not 0 <= int(index) < size:
            raise IndexOutOfRange(f"{what} index {index} is outside the fitted range 0..{size - 1}.")
