"""Make region -> country -> total forecasts add up (hierarchicalforecast MinTrace, structural weights).

Why MinTrace(wls_struct) and not BottomUp: region-level product demand is sparse and noisy (often
intermittent), while the country and total series show the weekly rhythm clearly. BottomUp would throw
the upper levels' forecasts away and sum noisy leaves; MinTrace combines all levels, weighting each series
by how many leaves it sums (its structural variance), so the totals keep their shape and the leaves get a
coherent share. `wls_struct` needs no in-sample residuals (our series may each use a different model) and
`nonnegative=True` keeps every reconciled forecast at or above zero. Intervals are reconciled under a
normal approximation: each base forecast's sigma is read off the upper half of its band (the lower half is
cut at zero for small counts), and lower bounds are cut at zero again afterwards.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tools.forecast.engine import LEVELS
from tools.forecast.result import FRAME_COLUMNS

METHOD = "MinTrace(wls_struct)"


def summing_matrix(levels: dict[str, list[str]], parents: dict[str, str]) -> pd.DataFrame:
    """S as a frame: one row per series (top level first), one column per leaf; 1 where the row sums that
    leaf."""
    names = list(levels)
    leaves = levels[names[-1]]
    rows = [uid for name in names for uid in levels[name]]

    def ancestors(leaf: str) -> set[str]:
        found, node = {leaf}, leaf
        while node in parents:
            node = parents[node]
            found.add(node)
        return found

    matrix = np.zeros((len(rows), len(leaves)))
    for j, leaf in enumerate(leaves):
        above = ancestors(leaf)
        for i, uid in enumerate(rows):
            matrix[i, j] = float(uid in above)
    frame = pd.DataFrame(matrix, columns=leaves)
    frame.insert(0, "unique_id", rows)
    return frame


def reconcile(forecast: pd.DataFrame, levels: dict[str, list[str]], parents: dict[str, str]) -> pd.DataFrame:
    """Coherent forecasts in the engine's frame layout; the `model` column keeps each series' base model."""
    from hierarchicalforecast.core import HierarchicalReconciliation
    from hierarchicalforecast.methods import MinTrace

    s_df = summing_matrix(levels, parents)
    tags = {name: np.array(ids, dtype=object) for name, ids in levels.items()}
    base = forecast.copy()
    for lv in LEVELS:
        base[f"y_hat-lo-{lv}"] = 2 * base["y_hat"] - base[f"hi-{lv}"]  # symmetric again, from the upper half
        base[f"y_hat-hi-{lv}"] = base[f"hi-{lv}"]
    columns = ["unique_id", "ds", "y_hat"] + [f"y_hat-{side}-{lv}" for lv in LEVELS for side in ("lo", "hi")]
    reconciler = HierarchicalReconciliation([MinTrace(method="wls_struct", nonnegative=True)])
    with warnings.catch_warnings():
        # qpsolvers notes that it converts the small dense QP matrices to sparse ones: harmless at this size.
        warnings.filterwarnings("ignore", message="Converted matrix")
        out = reconciler.reconcile(Y_hat_df=base[columns], S_df=s_df, tags=tags, level=list(LEVELS),
                                   intervals_method="normality")
    name = next(c for c in out.columns if c.startswith("y_hat/") and "-lo-" not in c and "-hi-" not in c)
    renamed = {name: "y_hat_reconciled", **{f"{name}-{side}-{lv}": f"r-{side}-{lv}" for lv in LEVELS
                                           for side in ("lo", "hi")}}
    out = out.rename(columns=renamed)
    merged = forecast[["unique_id", "ds", "model"]].merge(out, on=["unique_id", "ds"], how="left")
    merged["y_hat"] = merged["y_hat_reconciled"]
    for lv in LEVELS:
        merged[f"lo-{lv}"] = merged[f"r-lo-{lv}"].clip(lower=0.0)
        merged[f"hi-{lv}"] = merged[f"r-hi-{lv}"].clip(lower=0.0)
    merged["y_hat"] = merged["y_hat"].clip(lower=0.0)
    return merged[FRAME_COLUMNS]
