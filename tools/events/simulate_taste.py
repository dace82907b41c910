"""Personal taste of ordinary shoppers: favourite categories they mostly browse and buy in.

Each shopper has 2 or 3 favourite categories, drawn without replacement with their home region's category
demand as the bias (a Bavarian is more often a cyclist). A share `TASTE_SHARE` of their product slots picks
one of their favourites (in proportion to its demand in their region that day) and then a product within it
by the same regional daily demand; the other slots draw from the region's demand as before. Inside every
category the product mix is the region's, so promotions, trend breaks, launches and regional favourites
keep their shape; `calibrate_plan` re-solves the planted weight multipliers so that the lift measured in
the data is the planted one with taste in the mix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.events.catalog import CATEGORIES
from tools.events.simulate_catalog import Catalog, Population, region_shares
from tools.events.simulate_plan import ShopPlan

TASTE_SHARE = 0.75  # share of a shopper's product slots drawn from their favourite categories
MAX_FAVOURITES = 3  # each shopper has 2 or 3 favourite categories


@dataclass
class Taste:
    """Favourite categories per shopper: [U, MAX_FAVOURITES] category indices, -1 where a shopper has fewer."""

    favourites: np.ndarray

    def categories(self, user: int) -> list[str]:
        return [CATEGORIES[c] for c in self.favourites[user] if c >= 0]


def category_mass(weights: np.ndarray, category: np.ndarray) -> np.ndarray:
    """Demand weight per category: [..., C] from product weights [..., P]."""
    flat = weights.reshape(-1, weights.shape[-1])
    onehot = np.zeros((weights.shape[-1], len(CATEGORIES)))
    onehot[np.arange(weights.shape[-1]), category] = 1.0
    return (flat @ onehot).reshape(*weights.shape[:-1], len(CATEGORIES))


def make_taste(rng: np.random.Generator, users: Population, plan: ShopPlan, catalog: Catalog) -> Taste:
    """2 or 3 favourite categories per shopper, biased towards what their home region buys."""
    share = category_mass(plan.base_weight, catalog.category)  # [R, C]
    share = share / share.sum(axis=1, keepdims=True)
    # Gumbel top-k: k draws without replacement with probabilities proportional to the region's category share.
    keys = np.log(share[users.region]) + rng.gumbel(size=(len(users), len(CATEGORIES)))
    favourites = np.argsort(-keys, axis=1)[:, :MAX_FAVOURITES].astype(np.int64)
    favourites[rng.random(len(users)) < 0.5, MAX_FAVOURITES - 1] = -1
    return Taste(favourites)


class TastedSampler:
    """Draws one product per slot from (region, day) demand, a share of them within the shopper's favourites.

    Products are kept sorted by category, so a draw within one category is one searchsorted into the
    row's cumulative weights between that category's bounds.
    """

    def __init__(self, weights: np.ndarray, category: np.ndarray, taste: Taste):
        rows = weights.reshape(-1, weights.shape[-1])
        self.order = np.argsort(category, kind="stable")
        self.n_products = rows.shape[1]
        cum = np.cumsum(rows[:, self.order], axis=1)
        cum /= cum[:, -1:]
        self.flat = (cum + np.arange(len(rows))[:, None]).ravel()
        bounds = np.searchsorted(category[self.order], np.arange(len(CATEGORIES) + 1))
        self.first, self.last = bounds[:-1], bounds[1:] - 1  # [C] positions in the sorted order
        start = np.concatenate([np.zeros((len(rows), 1)), cum], axis=1)
        self.lo = start[:, self.first]  # [K, C] cumulative share before each category
        self.hi = start[:, self.last + 1]  # [K, C] ... and at its end
        self.taste = taste

    def _at(self, keys: np.ndarray, value: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.flat, keys + value, side="right") - keys * self.n_products

    def draw(self, rng: np.random.Generator, keys: np.ndarray, user: np.ndarray) -> np.ndarray:
        pos = np.minimum(self._at(keys, rng.random(len(keys)) * 0.999999), self.n_products - 1)
        tasted = np.flatnonzero(rng.random(len(keys)) < TASTE_SHARE)
        fav = self.taste.favourites[user[tasted]]  # [n, F]
        k = keys[tasted]
        mass = np.where(fav >= 0, self.hi[k[:, None], np.maximum(fav, 0)] - self.lo[k[:, None], np.maximum(fav, 0)], 0.0)
        cum = np.cumsum(mass, axis=1)
        total = cum[:, -1]
        pick = np.minimum((cum <= (rng.random(len(k)) * total)[:, None]).sum(axis=1), fav.shape[1] - 1)
        category = fav[np.arange(len(k)), pick]
        ok = (total > 0) & (category >= 0)
        tasted, k, category = tasted[ok], k[ok], category[ok]
        lo, hi = self.lo[k, category], self.hi[k, category]
        inside = self._at(k, lo + rng.random(len(k)) * (hi - lo))
        pos[tasted] = np.clip(inside, self.first[category], self.last[category])
        return self.order[pos]


def _sales(m: float, weight: np.ndarray, w: np.ndarray, total: np.ndarray) -> float:
    """Sum of weight x share of one product whose demand w (out of total) is multiplied by m."""
    return float((weight * m * w / np.maximum(total + (m - 1) * w, 1e-300)).sum())


def _solve(factor: float, lift) -> float:
    """The multiplier m with lift(m) == factor (lift rises with m), by bisection on log m."""
    lo, hi = np.log(1e-4), np.log(1e4)
    for _ in range(80):
        mid = (lo + hi) / 2
        if lift(float(np.exp(mid))) < factor:
            lo = mid
        else:
            hi = mid
    return float(np.exp((lo + hi) / 2))


def calibrate_plan(plan: ShopPlan, taste: Taste, users: Population, catalog: Catalog) -> ShopPlan:
    """The plan with its promotion and trend-break weight multipliers solved for the planted factors.

    A product's expected sales are, per region r (weighted by its share of sessions) and per shopper u
    (by their share of it), (1 - TASTE_SHARE) * q_r + TASTE_SHARE * t_u with q_r = m w / (W_r + (m - 1) w)
    its share of the region's demand and t_u = m w / (F_u + (m - 1) w) its share of the demand of the
    shopper's favourite categories F_u (0 if its category is not one of them).
    """
    base = plan.base_weight
    mass = category_mass(base, catalog.category)  # [R, C]
    fav = taste.favourites
    fav_mass = np.where(fav >= 0, mass[users.region[:, None], np.maximum(fav, 0)], 0.0).sum(axis=1)  # [U]
    shares = region_shares()
    per_region = np.bincount(users.region, weights=users.activity, minlength=len(shares))
    user_weight = shares[users.region] * users.activity / per_region[users.region]

    def solve(factor: float, product: int, regions: np.ndarray) -> float:
        member = np.flatnonzero(np.isin(users.region, regions))
        fan = (fav[member] == catalog.category[product]).any(axis=1)
        w_region, w_user = base[regions, product], base[users.region[member], product]

        def sales(m: float) -> float:
            return ((1 - TASTE_SHARE) * _sales(m, shares[regions], w_region, base[regions].sum(axis=1))
                    + TASTE_SHARE * _sales(m, user_weight[member] * fan, w_user, fav_mass[member]))

        at_one = sales(1.0)
        return _solve(factor, lambda m: sales(m) / at_one)

    every = np.arange(base.shape[0])
    promotions = [(p, a, b, lift, cut, solve(lift, p, every)) for p, a, b, lift, cut, _ in plan.promotions]
    trend_breaks = [(r, p, d, f, solve(f, p, np.array([r]))) for r, p, d, f, _ in plan.trend_breaks]
    return ShopPlan(plan.base_weight, plan.launch_day, promotions, trend_breaks, plan.favourites, plan.pairs,
                    plan.intensity, plan.complaint)
