"""Personal taste of ordinary shoppers: favourite categories they mostly browse and buy in, at their hours.

Each shopper has 2 or 3 favourite categories, drawn without replacement with their home region's category
demand as the bias (a Bavarian is more often a cyclist). Every product slot first picks a category by the
region's demand that day times the local time-of-day mix (`daytime`: coffee in the morning,
headphones in the evening); a share `TASTE_SHARE` of slots picks one of the shopper's favourites instead
(by the same weights). The product within the category follows the region's daily demand, so promotions,
trend breaks, launches and regional favourites keep their shape; `calibrate_plan` solves the planted weight
multipliers so that the lift measured in the data is the planted one with taste and time of day in the mix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.events.simulate.catalog import Catalog
from tools.events.simulate.daytime import time_mix, traffic_share
from tools.events.simulate.plan import ShopPlan
from tools.events.simulate.population import Population

TASTE_SHARE = 0.75  # share of a shopper's product slots drawn from their favourite categories
MAX_FAVOURITES = 3  # each shopper has 2 or 3 favourite categories


@dataclass
class Taste:
    """Favourite categories per shopper: [U, MAX_FAVOURITES] category indices, -1 where a shopper has
    fewer."""

    favourites: np.ndarray
    names: tuple[str, ...]  # the shop's categories

    @property
    def n_categories(self) -> int:
        return len(self.names)

    def categories(self, user: int) -> list[str]:
        return [self.names[c] for c in self.favourites[user] if c >= 0]


def category_mass(weights: np.ndarray, category: np.ndarray, n_categories: int) -> np.ndarray:
    """Demand weight per category: [..., C] from product weights [..., P]."""
    flat = weights.reshape(-1, weights.shape[-1])
    onehot = np.zeros((weights.shape[-1], n_categories))
    onehot[np.arange(weights.shape[-1]), category] = 1.0
    return (flat @ onehot).reshape(*weights.shape[:-1], n_categories)


def make_taste(rng: np.random.Generator, users: Population, plan: ShopPlan, catalog: Catalog) -> Taste:
    """2 or 3 favourite categories per shopper, biased towards what their home region buys."""
    n_categories = len(catalog.categories)
    share = category_mass(plan.base_weight, catalog.category, n_categories)  # [R, C]
    share = share / share.sum(axis=1, keepdims=True)
    # Gumbel top-k: k draws without replacement with probabilities proportional to the region's category
    # share.
    keys = np.log(share[users.region]) + rng.gumbel(size=(len(users), n_categories))
    favourites = np.argsort(-keys, axis=1)[:, :MAX_FAVOURITES].astype(np.int64)
    favourites[rng.random(len(users)) < 0.5, MAX_FAVOURITES - 1] = -1
    return Taste(favourites, catalog.categories)


class TastedSampler:
    """Draws one product per slot: a category, then a product within it by the region's daily demand.

    The category follows the region's demand that day times the local time-of-day mix (`time_mix`), and
    for a share `TASTE_SHARE` of slots it is one of the shopper's favourites (by the same weights). Products
    are kept sorted by category, so a draw within one category is one searchsorted into the (region, day)
    row's cumulative weights between that category's bounds.
    """

    def __init__(self, weights: np.ndarray, category: np.ndarray, taste: Taste, hour_day: np.ndarray,
                 hour_mix: np.ndarray):
        """`weights` [R, D, P] demand per (region, block day); `hour_day` [R, H] block day of each region's
        block hour (its local day); `hour_mix` [R, H, C] the time-of-day category multipliers of each
        region's local hour."""
        n_regions, n_days, n_products = weights.shape
        rows = weights.reshape(-1, n_products)
        self.order = np.argsort(category, kind="stable")
        self.n_products = n_products
        cum = np.cumsum(rows[:, self.order], axis=1)
        cum /= cum[:, -1:]
        self.flat = (cum + np.arange(len(rows))[:, None]).ravel()
        bounds = np.searchsorted(category[self.order], np.arange(taste.n_categories + 1))
        self.first, self.last = bounds[:-1], bounds[1:] - 1  # [C] positions in the sorted order
        start = np.concatenate([np.zeros((len(rows), 1)), cum], axis=1)
        self.lo = start[:, self.first]  # [K, C] cumulative share before each category
        self.hi = start[:, self.last + 1]  # [K, C] ... and at its end
        # Category demand per (region, block hour) = its daily share x the local hour's multiplier.
        self.hour_row = (np.arange(n_regions)[:, None] * n_days + hour_day).ravel()  # [R * H] -> K
        # [R * H, C]
        self.mass = (self.hi - self.lo)[self.hour_row] * hour_mix.reshape(-1, taste.n_categories)
        cat_cum = np.cumsum(self.mass, axis=1)
        cat_cum /= np.maximum(cat_cum[:, -1:], 1e-300)
        self.cat_flat = (cat_cum + np.arange(len(cat_cum))[:, None]).ravel()
        self.taste = taste

    def _at(self, keys: np.ndarray, value: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.flat, keys + value, side="right") - keys * self.n_products

    def draw(self, rng: np.random.Generator, hour_keys: np.ndarray, user: np.ndarray) -> np.ndarray:
        """Products for slots at `hour_keys` (region x block hours + block hour) of shoppers `user`."""
        n_categories = self.taste.n_categories
        category = np.searchsorted(self.cat_flat, hour_keys + rng.random(len(hour_keys)) * 0.999999,
                                   side="right")
        category = np.minimum(category - hour_keys * n_categories, n_categories - 1)
        tasted = np.flatnonzero(rng.random(len(hour_keys)) < TASTE_SHARE)
        fav = self.taste.favourites[user[tasted]]  # [n, F]
        h = hour_keys[tasted]
        mass = np.where(fav >= 0, self.mass[h[:, None], np.maximum(fav, 0)], 0.0)
        cum = np.cumsum(mass, axis=1)
        total = cum[:, -1]
        pick = np.minimum((cum <= (rng.random(len(h)) * total)[:, None]).sum(axis=1), fav.shape[1] - 1)
        favourite = fav[np.arange(len(h)), pick]
        ok = (total > 0) & (favourite >= 0)
        category[tasted[ok]] = favourite[ok]
        k = self.hour_row[hour_keys]
        lo, hi = self.lo[k, category], self.hi[k, category]
        inside = self._at(k, lo + rng.random(len(k)) * (hi - lo))
        return self.order[np.clip(inside, self.first[category], self.last[category])]


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


def calibrate_plan(plan: ShopPlan, taste: Taste, users: Population, catalog: Catalog,
                   shares: np.ndarray) -> ShopPlan:
    """The plan with its promotion and trend-break weight multipliers solved for the planted factors
    (`shares`: each region's share of sessions).

    A product's expected sales are, per region r (weighted by its share of sessions), local week hour h (by
    its share of traffic) and shopper u (by their share of the region), (1 - TASTE_SHARE) * q_rh +
    TASTE_SHARE * t_uh with q_rh = m w / (W_rh / x_h + (m - 1) w) its share of the region's demand at that
    hour and t_uh = m w / (F_uh / x_h + (m - 1) w) its share of the demand of the shopper's favourite
    categories (0 if its category is not one of them); x_h is its category's time-of-day multiplier and
    W_rh, F_uh the mix-weighted category demand of the region and of the shopper's favourites.
    """
    base = plan.base_weight
    mass = category_mass(base, catalog.category, len(catalog.categories))  # [R, C]
    mix = time_mix(catalog.categories)  # [168, C]
    hours = traffic_share()  # [168]
    fav = taste.favourites
    per_region = np.bincount(users.region, weights=users.activity, minlength=len(shares))
    user_weight = shares[users.region] * users.activity / per_region[users.region]

    def solve(factor: float, product: int, regions: np.ndarray) -> float:
        c = catalog.category[product]
        x = mix[:, c]  # [168]
        member = np.flatnonzero(np.isin(users.region, regions))
        fans = member[(fav[member] == c).any(axis=1)]
        # Shoppers with the same region and favourites draw alike: one row per such group.
        groups, inverse = np.unique(np.column_stack([users.region[fans], np.sort(fav[fans], axis=1)]), axis=0,
                                    return_inverse=True)
        group_weight = np.bincount(inverse.ravel(), weights=user_weight[fans], minlength=len(groups))
        group_fav = groups[:, 1:]
        per_fav = np.where(group_fav[:, None, :] >= 0,
                           mix[:, np.maximum(group_fav, 0)].transpose(1, 0, 2)
                           * mass[groups[:, :1], np.maximum(group_fav, 0)][:, None, :],
                           0.0)  # [G, 168, F]
        f_total = per_fav.sum(axis=2) / x[None, :]  # [G, 168]
        w_total = (mass[regions] @ mix.T) / x[None, :]  # [r, 168]
        region_weight = shares[regions][:, None] * hours[None, :]
        fan_weight = group_weight[:, None] * hours[None, :]
        w_region, w_fan = base[regions, product][:, None], base[groups[:, 0], product][:, None]

        def sales(m: float) -> float:
            return ((1 - TASTE_SHARE) * _sales(m, region_weight, w_region, w_total)
                    + TASTE_SHARE * _sales(m, fan_weight, w_fan, f_total))

        at_one = sales(1.0)
        return _solve(factor, lambda m: sales(m) / at_one)

    every = np.arange(base.shape[0])
    promotions = [(p, a, b, lift, cut, solve(lift, p, every)) for p, a, b, lift, cut, _ in plan.promotions]
    trend_breaks = [(r, p, d, f, solve(f, p, np.array([r]))) for r, p, d, f, _ in plan.trend_breaks]
    return ShopPlan(plan.base_weight, plan.launch_day, promotions, trend_breaks, plan.favourites, plan.pairs,
                    plan.intensity, plan.complaint)
