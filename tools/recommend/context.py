"""Space-time context: local time slots per region, and what is popular where and when.

A time slot is a local weekday and part of day (28 slots: Monday night .. Sunday evening), always in the
region's own IANA zone, so "Friday evening" in the Canary Islands is an hour after it is in Madrid.
`ContextCounts` holds recency-weighted interaction counts per (region, slot, item) plus all-time counts
per item, and turns them into smoothed log-lifts: how much more an item is chosen lately than over all
time (trend), in a region than overall, and its category in a slot than over the whole week (pooled over
regions: local time shapes what people buy the same way everywhere, and a region's own slot cells are too
sparse to tell a habit from noise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from tools.events.profile import ShopProfile

WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAYPARTS: tuple[str, ...] = ("nights", "mornings", "afternoons", "evenings")  # [0,6) [6,12) [12,18) [18,24)
N_SLOTS = len(WEEKDAYS) * len(DAYPARTS)

# The same slot, computed by DuckDB from a local timestamp column `local` (ISO weekday: Monday = 1).
SLOT_SQL = "((isodow(local) - 1) * 4 + hour(local) // 6)"


@dataclass(frozen=True)
class ContextRegion:
    """A region of the shop as the recommender's context sees it; its index in the trained model's
    `regions` is its context index."""

    name: str
    country: str
    tz: str


def context_regions(profile: ShopProfile) -> tuple[ContextRegion, ...]:
    """The profile's regions in its order, each with the clock its shoppers' times are read on."""
    return tuple(ContextRegion(p.name, p.country, p.tz) for p in profile.at_level("region"))


def slot_of(local: datetime) -> int:
    """The slot index of a local (wall-clock) time."""
    return local.weekday() * len(DAYPARTS) + local.hour // 6


def slot_name(slot: int) -> str:
    """A customer-readable slot name, e.g. "Friday evenings"."""
    return f"{WEEKDAYS[slot // len(DAYPARTS)]} {DAYPARTS[slot % len(DAYPARTS)]}"


def local_time(at: datetime | None, tz: str) -> datetime:
    """Wall-clock time in zone `tz` for `at`: aware times are converted, naive ones are taken as local.

    None means now.
    """
    zone = ZoneInfo(tz)
    if at is None:
        return datetime.now(UTC).astimezone(zone).replace(tzinfo=None)
    if at.tzinfo is None:
        return at
    return at.astimezone(zone).replace(tzinfo=None)


@dataclass
class ContextCounts:
    """Interaction counts per (region, slot, item) and the smoothed shares and lifts derived from them.

    Shares are estimated top-down so that sparse cells borrow strength from their parents:
    overall share of an item (recent) -> times the region's taste for the item's category -> the region's
    own counts, pulled towards that with `prior` pseudo-counts. One stray purchase is no trend, yet a
    product a region buys ten times more than elsewhere shows through. The time slot acts through the
    item's category: its share of the slot's interactions (all regions) over its share of the week, pulled
    towards 1 with `category_prior` pseudo-counts. The local share is then
    p(item | region, slot) ~ p(item | region) x slot lift of its category.
    """

    counts: np.ndarray  # float32 (n_regions, N_SLOTS, n_items), recency-weighted, events with a region
    all_time: np.ndarray  # float32 (n_items,), unweighted, every event
    item_category: np.ndarray  # int (n_items,), category code per item (-1 unknown)
    prior: float = 3000.0
    category_prior: float = 500.0
    # float32 (n_items,), recency-weighted, every event (with a region or not): the shop-wide shares.
    # None = the regional counts' total (the same when every event has a region).
    recent: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.counts.ndim != 3 or self.counts.shape[1] != N_SLOTS:
            raise ValueError(f"counts must have shape (regions, {N_SLOTS}, items), got {self.counts.shape}.")
        n_items = self.counts.shape[2]
        if self.recent is None:
            self.recent = self.counts.sum(axis=(0, 1), dtype=np.float64).astype(np.float32)
        for name in ("all_time", "item_category", "recent"):
            if getattr(self, name).shape != (n_items,):
                raise ValueError(
                    f"{name} must have one value per item ({n_items}), got {getattr(self, name).shape}."
                )
        counts = self.counts.astype(np.float64)
        overall = self.recent.astype(np.float64)
        self._p_overall = (overall + 1.0) / (overall.sum() + n_items)
        all_time = self.all_time.astype(np.float64)
        self._p_all_time = (all_time + 1.0) / (all_time.sum() + n_items)
        by_region = counts.sum(axis=1)  # (R, I)
        # Category taste per region: its share of a category over the overall share, smoothed.
        codes = self.item_category + 1  # unknown category (-1) becomes its own group 0
        n_codes = int(codes.max()) + 1 if n_items else 1
        region_category = np.zeros((by_region.shape[0], n_codes))
        np.add.at(region_category.T, codes, by_region.T)
        overall_category = np.bincount(codes, weights=self._p_overall, minlength=n_codes)
        taste = (region_category + self.category_prior * overall_category) / (
            region_category.sum(axis=1, keepdims=True) + self.category_prior
        ) / np.maximum(overall_category, 1e-12)
        expected = self._p_overall[None, :] * taste[:, codes]  # (R, I)
        expected /= expected.sum(axis=1, keepdims=True)
        self._p_region = ((by_region + self.prior * expected)
                          / (by_region.sum(axis=1, keepdims=True) + self.prior))
        # Category share per slot, pooled over regions, over the category's share of the whole week.
        slot_category = np.zeros((N_SLOTS, n_codes))
        np.add.at(slot_category.T, codes, counts.sum(axis=0).T)
        week = slot_category.sum(axis=0) / max(slot_category.sum(), 1e-12)
        in_slot = (slot_category + self.category_prior * week) / (slot_category.sum(axis=1, keepdims=True)
                                                                  + self.category_prior)
        with np.errstate(divide="ignore", invalid="ignore"):
            self._slot_category_lift = np.where(week > 0, np.log(in_slot / week), 0.0)  # (S, codes)
        self._codes = codes

    def state(self) -> dict[str, np.ndarray]:
        """Arrays for a model's .npz file."""
        return {
            "context_counts": self.counts,
            "context_all_time": self.all_time,
            "context_item_category": self.item_category,
            "context_priors": np.array([self.prior, self.category_prior]),
            "context_recent": self.recent,
        }

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> ContextCounts:
        """Inverse of `state`."""
        prior, category_prior = (float(v) for v in state["context_priors"])
        return cls(
            state["context_counts"], state["context_all_time"], state["context_item_category"], prior,
            category_prior, state["context_recent"]
        )

    @property
    def n_regions(self) -> int:
        return self.counts.shape[0]

    @property
    def n_items(self) -> int:
        return self.counts.shape[2]

    def has_region_data(self, region: int) -> bool:
        """Whether any event was counted in `region` (without, its shares are only the shop's)."""
        return bool(self.counts[region].any())

    def popularity(self, region: int | None = None, slot: int | None = None) -> np.ndarray:
        """Smoothed recent share of interactions per item: overall or in a region, at a local slot if
        given."""
        share = self._p_overall if region is None else self._p_region[region]
        if slot is None:
            return share
        local = share * np.exp(self.slot_lift(slot))
        return local / local.sum()

    def trend_lift(self) -> np.ndarray:
        """log(recent share / all-time share) per item: what is selling more lately."""
        return np.log(self._p_overall / self._p_all_time)

    def region_lift(self, region: int) -> np.ndarray:
        """log(share in region / share overall) per item."""
        return np.log(self._p_region[region] / self._p_overall)

    def slot_lift(self, slot: int) -> np.ndarray:
        """log(share of the item's category in this local slot / its share over the week) per item."""
        return self._slot_category_lift[slot, self._codes]
