"""Customer-readable reasons: why each recommended product is on the list.

A reason names the strongest evidence behind the item, in this order: bought with something the customer
bought; popular where (and when) they are; selling more lately; they looked at it before; close to
something they looked at or bought. A reason says only what was computed: "a best seller" is a count of
units bought, "popular" a share of views, carts and purchases.
Lift thresholds are natural logs of "times more than the parent share" (0.25 = 1.28x).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from tools.recommend.als import ContextALSModel
from tools.recommend.base import Context
from tools.recommend.context import slot_name
from tools.recommend.cooccurrence import CooccurrenceModel

CO_BOUGHT_REASON = 0.05  # shrunk cosine of a real bought-together pair (chance pairs are filtered out)
REGION_REASON = 0.25  # log-lift above which "popular in ..." is the honest explanation
SLOT_REASON = 0.15
TREND_REASON = 0.25
SIMILAR_REASON = 0.3  # cosine of item factors
FAVOURITE_REASON = 0.5  # log-lift for "a favourite in ..." (1.65x the overall share)
MAX_HISTORY = 50  # history items compared when looking for "similar to your ..."


def place_and_time(place: str | None, context: Context) -> str:
    """ "in Lyon on Friday evenings" or "in Lyon" or ""."""
    if place is None:
        return ""
    when = f" on {slot_name(context.slot)}" if context.slot is not None else ""
    return f"in {place}{when}"


def for_user(
    ids: np.ndarray,
    names: np.ndarray,
    purchased_row: sp.csr_matrix,
    history_row: sp.csr_matrix,
    als: ContextALSModel,
    cooccurrence: CooccurrenceModel,
    context: Context,
    place: str | None,
) -> list[str]:
    """A reason per recommended item index in `ids` for a known customer."""
    reasons: list[str] = []
    bought = purchased_row.indices
    co_bought = cooccurrence.similarity[bought][:, ids].toarray() if len(bought) else np.zeros((0, len(ids)))
    looked_at = set(history_row.indices.tolist())
    # Compare with the customer's strongest interactions only: a long history should not slow serving.
    history = history_row.indices[np.argsort(-history_row.data)[:MAX_HISTORY]]
    factors = als.item_factors
    norms = np.linalg.norm(factors[history], axis=1)[:, None] * np.linalg.norm(factors[ids], axis=1)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = np.where(norms > 0, (factors[history] @ factors[ids].T) / norms, 0.0)
    cosine[history[:, None] == ids[None, :]] = 0.0  # an item is not "similar to itself"
    counts = als.context_counts
    trend = counts.trend_lift()[ids]
    region = counts.region_lift(context.region)[ids] if context.region is not None else None
    slot = (counts.slot_lift(context.slot)[ids] if context.region is not None and context.slot is not None
            else None)
    for k in range(len(ids)):
        if len(bought) and co_bought[:, k].max() >= CO_BOUGHT_REASON:
            reasons.append(f"often bought with your {names[bought[co_bought[:, k].argmax()]]}")
        elif region is not None and place is not None and (
            region[k] >= REGION_REASON or (slot is not None and slot[k] >= SLOT_REASON)
        ):
            timed = slot is not None and slot[k] >= SLOT_REASON
            reasons.append("popular " + place_and_time(place, context if timed else Context(context.region)))
        elif trend[k] >= TREND_REASON:
            reasons.append("selling more than usual lately")
        elif int(ids[k]) in looked_at:
            reasons.append("you looked at it before")
        elif len(history) and cosine[:, k].max() >= SIMILAR_REASON:
            verb = "bought" if np.isin(history[cosine[:, k].argmax()], bought) else "looked at"
            reasons.append(f"similar to the {names[history[cosine[:, k].argmax()]]} you {verb}")
        else:
            reasons.append("picked for you from your shopping history")
    return reasons


def for_newcomer(
    ids: np.ndarray, region_lift: np.ndarray, slot_lift: np.ndarray | None, context: Context, place: str
) -> list[str]:
    """Reasons for a customer with no history in a region with events: its favourites, or what is popular
    there."""
    reasons = []
    for i in ids:
        timed = slot_lift is not None and slot_lift[i] >= SLOT_REASON
        where = place_and_time(place, context if timed else Context(context.region))
        reasons.append(f"a favourite {where}" if region_lift[i] >= FAVOURITE_REASON else f"popular {where}")
    return reasons


def for_visitor(units: np.ndarray, days: int) -> list[str]:
    """Reasons for the shop's best sellers (`units` bought in the last `days` days of the data), and for the
    items that fill the list without a sale in that time."""
    return [f"one of the shop's best sellers: {sold:,.0f} bought in the last {days} days" if sold > 0
            else "popular with shoppers lately" for sold in units]
