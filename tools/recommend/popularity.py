"""Baselines: what everyone buys, what people in the same region buy, and the shop's best sellers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import ClassVar, Self

import duckdb
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


@dataclass(frozen=True)
class BestSellers:
    """Units bought per item over the last `days` days of the data, up to `last_day`: what "best seller"
    means to a visitor with nothing else to go on (every purchase counts, with a place or without)."""

    units: np.ndarray  # float64 (n_items,)
    days: int
    last_day: date

    def scores(self, interest: np.ndarray) -> np.ndarray:
        """Units sold, ties (and unsold items) ordered by recent `interest` (counts per item); -inf for an
        item with neither, so it is never offered as popular."""
        share = interest / max(float(interest.sum()), 1e-12)  # below 1: never outweighs one unit sold
        return np.where((self.units > 0) | (interest > 0), self.units + share, -np.inf)

    def save(self, path: Path) -> None:
        """Write to an .npz file."""
        np.savez(path, units=self.units, days=np.array(self.days),
                 last_day=np.array(self.last_day.isoformat()))

    @classmethod
    def load(cls, path: Path) -> BestSellers:
        """Read a file written by `save`."""
        with np.load(path, allow_pickle=False) as saved:
            return cls(saved["units"], int(saved["days"]), date.fromisoformat(str(saved["last_day"])))


def best_sellers(
    con: duckdb.DuckDBPyConnection, n_items: int, last_event: datetime, days: int
) -> BestSellers:
    """Units bought per item (quantity, 1 when missing) in the `days` days up to `last_event` (the last event
    the model sees).

    Needs the `rec_items` table (`interactions.prepare_indices`) on this connection.
    """
    rows = con.execute(
        """
        SELECT i.iidx, sum(coalesce(e.quantity, 1))::DOUBLE AS units
        FROM events e JOIN rec_items i USING (product_id)
        WHERE e.event_type = 'purchase' AND e.event_time > $since AND e.event_time <= $last
        GROUP BY ALL
        """,
        {"since": last_event - timedelta(days=days), "last": last_event},
    ).fetchnumpy()
    units = np.zeros(n_items)
    units[rows["iidx"]] = np.clip(rows["units"], 0, None)  # returns booked as negative lines net out
    return BestSellers(units, days, last_event.date())
