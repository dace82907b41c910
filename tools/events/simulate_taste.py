"""Personal taste and a local time-of-day product mix for ordinary shoppers.

Every shopper has a few favourite categories. Each product slot draws `CANDIDATES` products from its
region's demand for the day and keeps one with probability proportional to the shopper's affinity for its
category times that category's factor at the local hour (sampling-importance-resampling, all in numpy).
Each pick is still one of the region's draws, so regional demand, promotions, trend breaks, launches and
regional favourites keep their shape; what changes is who buys what, and when.
"""

from __future__ import annotations

import numpy as np

from tools.events.catalog import CATEGORIES

FAVOURITES_PER_USER = 2
FAVOURITE_AFFINITY = 6.0  # weight of a favourite category against 1 for the others
CANDIDATES = 6  # regional draws per slot among which taste chooses
_WEEKEND = (5, 6)  # Saturday, Sunday (Monday = 0)
# (categories, factor, local weekdays, local hours [first, last)): a mild time-of-day and weekend product mix.
_LOCAL_MIX: tuple[tuple[tuple[str, ...], float, tuple[int, ...], tuple[int, int]], ...] = (
    (("Coffee & Tea",), 1.6, tuple(range(7)), (6, 11)),
    (("Headphones", "Home Audio"), 1.4, tuple(range(7)), (18, 24)),
    (("Toys & Games",), 1.4, _WEEKEND, (0, 24)),
)


def user_affinity(rng: np.random.Generator, n_users: int) -> np.ndarray:
    """Affinity per (user, category): `FAVOURITE_AFFINITY` for each user's favourites, 1 elsewhere."""
    favourites = np.argsort(rng.random((n_users, len(CATEGORIES))), axis=1)[:, :FAVOURITES_PER_USER]
    affinity = np.ones((n_users, len(CATEGORIES)), dtype=np.float32)
    affinity[np.arange(n_users)[:, None], favourites] = FAVOURITE_AFFINITY
    return affinity


def favourite_categories(affinity: np.ndarray, user: int) -> list[str]:
    """Names of one user's favourite categories."""
    return [CATEGORIES[c] for c in np.flatnonzero(affinity[user] > 1)]


def local_mix() -> np.ndarray:
    """Factor per (local hour of the week = weekday * 24 + hour, category): [168, C]."""
    mix = np.ones((7, 24, len(CATEGORIES)))
    for names, factor, weekdays, (first, last) in _LOCAL_MIX:
        for name in names:
            mix[np.array(weekdays)[:, None], np.arange(first, last)[None, :], CATEGORIES.index(name)] *= factor
    return mix.reshape(7 * 24, len(CATEGORIES))


def tasted_choice(rng: np.random.Generator, candidates: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """One of each row's candidates ([n, K] products), chosen with probability proportional to `weight` [n, K]."""
    cum = np.cumsum(weight, axis=1)
    u = rng.random(len(cum)) * cum[:, -1]
    pick = np.minimum((cum <= u[:, None]).sum(axis=1), candidates.shape[1] - 1)
    return candidates[np.arange(len(candidates)), pick]
