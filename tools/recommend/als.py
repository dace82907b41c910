"""Matrix factorisation with implicit (ALS, or BPR as an option), and ALS re-ranked by space-time context."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

import numpy as np
import scipy.sparse as sp

from tools.recommend.base import Context, RecommenderModel
from tools.recommend.context import ContextCounts

Algorithm = Literal["als", "bpr"]


class ALSModel(RecommenderModel):
    """Latent factors from implicit feedback: score(u, i) = user_factors[u] . item_factors[i].

    `algorithm="als"` is implicit's conjugate-gradient ALS (confidence = alpha x value);
    `algorithm="bpr"` is Bayesian Personalised Ranking (pairwise, ignores confidence magnitudes).
    """

    name: ClassVar[str] = "als"

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.05,
        alpha: float = 2.0,
        iterations: int = 15,
        algorithm: Algorithm = "als",
        learning_rate: float = 0.05,
        seed: int = 0,
    ):
        if algorithm not in ("als", "bpr"):
            raise ValueError(f"algorithm must be 'als' or 'bpr', got {algorithm!r}.")
        self.factors, self.regularization, self.alpha = factors, regularization, alpha
        self.iterations, self.algorithm, self.learning_rate, self.seed = (
            iterations, algorithm, learning_rate, seed
        )

    def params(self) -> dict[str, float | int | str]:
        return {
            "factors": self.factors,
            "regularization": self.regularization,
            "alpha": self.alpha,
            "iterations": self.iterations,
            "algorithm": self.algorithm,
            "learning_rate": self.learning_rate,
            "seed": self.seed,
        }

    def fit(self, user_items: sp.csr_matrix, show_progress: bool = False) -> Self:
        from implicit.bpr import BayesianPersonalizedRanking
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        user_items = sp.csr_matrix(user_items, dtype=np.float32)
        # implicit parallelises over users itself; a BLAS thread pool underneath only fights it for cores.
        with threadpool_limits(1, "blas"):
            if self.algorithm == "als":
                model = AlternatingLeastSquares(
                    factors=self.factors,
                    regularization=self.regularization,
                    alpha=self.alpha,
                    iterations=self.iterations,
                    random_state=self.seed,
                )
            else:
                model = BayesianPersonalizedRanking(
                    factors=self.factors,
                    learning_rate=self.learning_rate,
                    regularization=self.regularization,
                    iterations=self.iterations,
                    random_state=self.seed,
                    use_gpu=False,
                    num_threads=1,  # BPR's lock-free parallel SGD is not reproducible; one thread is
                )
            model.fit(user_items, show_progress=show_progress)
        self.user_factors = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self.item_factors = np.ascontiguousarray(model.item_factors, dtype=np.float32)
        self.n_users, self.n_items = user_items.shape
        self._set_norms()
        self._fitted = True
        return self

    def _set_norms(self) -> None:
        self._item_norms = np.linalg.norm(self.item_factors, axis=1)

    def _score(self, userid: int, user_row: sp.csr_matrix, context: Context | None) -> np.ndarray:
        return self.item_factors @ self.user_factors[userid]

    def _similar(self, itemid: int) -> np.ndarray:
        norms = self._item_norms
        if norms[itemid] == 0:
            return np.full(self.n_items, -np.inf)  # an item nobody touched has no position to compare
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = (self.item_factors @ self.item_factors[itemid]) / (norms * norms[itemid])
        return np.where(norms > 0, cosine, -np.inf)

    def _state(self) -> dict[str, np.ndarray]:
        return {"user_factors": self.user_factors, "item_factors": self.item_factors}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.user_factors, self.item_factors = state["user_factors"], state["item_factors"]
        self._set_norms()


class ContextALSModel(ALSModel):
    """ALS re-weighted by what sells where and when the shopper is, in log space (a product of experts).

    score = (1 - w) x ALS / (user's best ALS) + w x log p(item | region, local slot),
    i.e. exp(score) = exp(ALS / best)^(1 - w) x p(item | region, slot)^w: the ALS score acts as a
    preference logit and the smoothed local share from `ContextCounts` (region share x its category's slot
    lift; the overall share where the region is unknown) as a prior, so context multiplies a candidate's
    odds by how much more it sells here and now instead of adding raw popularity to it.
    w = 0 is plain ALS, w = 1 ranks by local popularity alone. (Scaling raw ALS scores by exp(lift)
    instead needs positive scores and, measured, lets strong regional lifts override taste.)
    """

    name: ClassVar[str] = "als_context"

    def __init__(self, context_counts: ContextCounts | None = None, context_weight: float = 0.5,
                 **als_params: float | str):
        if not 0.0 <= context_weight <= 1.0:
            raise ValueError(f"context_weight must be between 0 and 1, got {context_weight}.")
        super().__init__(**als_params)
        self.context_counts = context_counts
        self.context_weight = context_weight

    def params(self) -> dict[str, float | int | str]:
        return {**super().params(), "context_weight": self.context_weight}

    def fit(self, user_items: sp.csr_matrix, show_progress: bool = False) -> Self:
        if self.context_counts is None:
            raise ValueError("ContextALSModel needs context_counts (per region/slot counts) to fit.")
        if self.context_counts.n_items != user_items.shape[1]:
            raise ValueError(
                f"context_counts cover {self.context_counts.n_items} items but user_items has "
                f"{user_items.shape[1]}; build both from the same item index."
            )
        return super().fit(user_items, show_progress)

    def _score(self, userid: int, user_row: sp.csr_matrix, context: Context | None) -> np.ndarray:
        scores = super()._score(userid, user_row, context).astype(np.float64)
        best = scores.max()
        if best > 0:
            scores = scores / best
        context = context or Context()
        local = np.log(self.context_counts.popularity(context.region, context.slot))
        return (1 - self.context_weight) * scores + self.context_weight * local

    def without_context(self) -> ALSModel:
        """Plain ALS sharing these factors (to measure what the context adds)."""
        plain = ALSModel(**super().params())
        plain.n_users, plain.n_items = self.n_users, self.n_items
        plain._restore(ALSModel._state(self))
        plain._fitted = True
        return plain

    def _state(self) -> dict[str, np.ndarray]:
        return {**super()._state(), **self.context_counts.state()}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        super()._restore(state)
        self.context_counts = ContextCounts.from_state(state)
