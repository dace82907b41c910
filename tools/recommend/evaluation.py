"""Offline evaluation on a temporal split: Recall@k, NDCG@k and catalogue coverage.

Models train on events before `cutoff`; each user who bought something new in [cutoff, end) is a test
case, with the region and local time of their first event in the window as the context (where and when
they came back). Items they had already bought before the cutoff are not targets, because every model
filters them out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import scipy.sparse as sp

from tools.recommend.base import Context
from tools.recommend.context import SLOT_SQL


@dataclass
class Holdout:
    """Test cases: user index, relevant item indices, and the context of their return."""

    users: np.ndarray
    relevant: list[np.ndarray]
    regions: np.ndarray  # -1 unknown
    slots: np.ndarray  # -1 unknown

    def __len__(self) -> int:
        return len(self.users)

    def context(self, k: int, with_slot: bool = True) -> Context:
        region = int(self.regions[k])
        if region < 0:
            return Context()
        return Context(region, int(self.slots[k]) if with_slot and self.slots[k] >= 0 else None)


def holdout(
    con: duckdb.DuckDBPyConnection, since: datetime, until: datetime | None, purchased: sp.csr_matrix,
    event_types: tuple[str, ...] = ("purchase",),
) -> Holdout:
    """Test cases from events in [since, until) for users and items known before `since`.

    Needs `interactions.prepare_indices` (with the training cutoff) on this connection first.
    """
    params = {"since": since, "until": until or datetime.max.replace(tzinfo=since.tzinfo),
              "types": list(event_types)}
    targets = con.execute(
        """
        SELECT DISTINCT u.uidx, i.iidx
        FROM events e JOIN rec_users u USING (user_id) JOIN rec_items i USING (product_id)
        WHERE e.event_type IN (SELECT unnest($types)) AND e.event_time >= $since AND e.event_time < $until
        ORDER BY u.uidx, i.iidx
        """,
        params,
    ).fetchnumpy()
    first = con.execute(
        f"""
        SELECT uidx, coalesce(ridx, -1) AS ridx, coalesce({SLOT_SQL}, -1) AS slot FROM (
            SELECT u.uidx, arg_min(r.ridx, e.event_time) AS ridx,
                   timezone(arg_min(r.tz, e.event_time), min(e.event_time)) AS local
            FROM events e JOIN rec_users u USING (user_id) LEFT JOIN rec_regions r USING (region)
            WHERE e.event_time >= $since AND e.event_time < $until
            GROUP BY u.uidx)
        """,
        {"since": params["since"], "until": params["until"]},
    ).fetchnumpy()
    region_of = dict(zip(first["uidx"].tolist(), first["ridx"].tolist()))
    slot_of = dict(zip(first["uidx"].tolist(), first["slot"].tolist()))
    users, relevant = [], []
    if len(targets["uidx"]):
        cuts = np.flatnonzero(np.diff(targets["uidx"])) + 1
        for items in np.split(np.arange(len(targets["uidx"])), cuts):
            user = int(targets["uidx"][items[0]])
            new = (np.setdiff1d(targets["iidx"][items], purchased[user].indices) if user < purchased.shape[0]
                   else [])
            if len(new):
                users.append(user)
                relevant.append(new)
    users_array = np.array(users, dtype=np.int64)
    return Holdout(
        users=users_array,
        relevant=relevant,
        regions=np.array([region_of.get(u, -1) for u in users], dtype=np.int64),
        slots=np.array([slot_of.get(u, -1) for u in users], dtype=np.int64),
    )


@dataclass(frozen=True)
class RankingScore:
    recall: float
    recall_se: float  # standard error of the mean over users: differences below ~2 SE are noise
    ndcg: float
    coverage: float
    n_users: int
    recalls: np.ndarray  # per test case, for paired comparisons of two rankers on the same users
    ndcgs: np.ndarray


def paired_gain(ours: np.ndarray, baseline: np.ndarray) -> tuple[float, float]:
    """Mean per-user difference of two rankers scored on the same cases, and its standard error."""
    diff = np.asarray(ours, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    if len(diff) < 2:
        return float(diff.mean()) if len(diff) else 0.0, 0.0
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))


def ranking_metrics(
    recommend: Callable[[int], np.ndarray], cases: Holdout, n_items: int, k: int = 10
) -> RankingScore:
    """Mean Recall@k and NDCG@k over the test cases; `recommend(case_index)` returns ranked item indices."""
    recalls, ndcgs, shown = [], [], set()
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    for case, relevant in enumerate(cases.relevant):
        ranked = np.asarray(recommend(case))[:k]
        shown.update(ranked.tolist())
        hits = np.isin(ranked, relevant)
        recalls.append(hits.sum() / len(relevant))
        ideal = discounts[: min(len(relevant), k)].sum()
        ndcgs.append((discounts[: len(ranked)] * hits).sum() / ideal)
    return RankingScore(
        recall=float(np.mean(recalls)) if recalls else 0.0,
        recall_se=float(np.std(recalls, ddof=1) / np.sqrt(len(recalls))) if len(recalls) > 1 else 0.0,
        ndcg=float(np.mean(ndcgs)) if ndcgs else 0.0,
        coverage=len(shown) / n_items,
        n_users=len(cases),
        recalls=np.array(recalls, dtype=np.float64),
        ndcgs=np.array(ndcgs, dtype=np.float64),
    )
