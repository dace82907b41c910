"""What the demo shop plants: tastes, favourites, pairs, promotions, trend breaks, launches, spikes,
anomalies.

Everything here is chosen once from the seeded generator before any event exists, so the same config
always plants the same truth; `product_weights` turns the plan into per-region, per-day product demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from tools.events.simulate.calendar import IntensityPlan, LocalClock
from tools.events.simulate.catalog import Catalog
from tools.events.simulate.population import region_shares
from tools.events.simulate.settings import SettingsError, ShopSettings

# Category seasonality: (amplitude, peak day of year).
_CATEGORY_SEASON: dict[str, tuple[float, int]] = {
    "Garden": (0.6, 135), "Outdoor Jackets": (0.5, 320), "Boots": (0.45, 320), "Camping Gear": (0.5, 190),
    "Cycling": (0.35, 160), "Fitness": (0.35, 10), "Sports Nutrition": (0.25, 10), "Toys & Games": (0.6, 350),
    "Home Audio": (0.2, 345), "Bedding": (0.15, 290), "Beauty": (0.15, 345), "Coffee & Tea": (0.2, 10),
}
# Complementary categories for bought-together pairs (a's category, b's category).
_PAIR_CATEGORIES = [
    ("Kitchen Appliances", "Coffee & Tea"), ("Smartwatches", "Phone Accessories"),
    ("Headphones", "Phone Accessories"), ("Camping Gear", "Camping Gear"), ("Cycling", "Cycling"),
    ("Boots", "Outdoor Jackets"), ("Computer Accessories", "Computer Accessories"), ("Cookware", "Cookware"),
    ("Pet Supplies", "Pet Supplies"), ("Fitness", "Sports Nutrition"), ("Baby & Kids", "Toys & Games"),
    ("Bedding", "Home Decor"),
]
_DEFECT_CATEGORIES = ("Headphones", "Kitchen Appliances", "Backpacks", "Outdoor Jackets", "Smartwatches")
FAVOURITE_LIFT = 12.0
LARGE_FAVOURITE_LIFT = 9.0  # best sellers: a smaller lift keeps them a modest share of their region
PAIR_PROBABILITY = 0.8  # P(b is added | a is the first item)
ANOMALY_UTC_HOURS = range(8, 14)  # when planted outages and surges may start
UNCALIBRATED = float("nan")  # a promotion's or trend break's weight multiplier before `calibrate_plan`


@dataclass
class ShopPlan:
    """Planted structure of the shop, in local day indices (`LocalClock`): a promotion, launch or trend break
    on day d starts at local midnight in every region it touches."""

    base_weight: np.ndarray  # [R, P] demand weight before seasonality and time-bound changes
    launch_day: np.ndarray  # [P] first day index a product can be seen (negative: before the span)
    # (product, first day, last day, lift seen in sales, discount, weight multiplier that produces that lift).
    # The multipliers depend on the shoppers' taste: `make_plan` leaves them NaN and
    # `taste.calibrate_plan` solves them.
    promotions: list[tuple[int, int, int, float, float, float]]
    # (region, product, day, factor seen, weight multiplier)
    trend_breaks: list[tuple[int, int, int, float, float]]
    favourites: list[tuple[int, int]]  # (region, product)
    pairs: list[tuple[int, int]]  # (a, b)
    intensity: IntensityPlan
    complaint: tuple[int, int, int]  # (product, region, first day of the 7-day wave)
    pair_of: np.ndarray = field(init=False)  # [P] b for each a, -1 elsewhere

    def __post_init__(self) -> None:
        self.pair_of = np.full(self.base_weight.shape[1], -1, dtype=np.int64)
        for a, b in self.pairs:
            self.pair_of[a] = b


def _taste(rng: np.random.Generator, settings: ShopSettings, categories: tuple[str, ...]) -> np.ndarray:
    regions = settings.geography.regions
    taste = rng.lognormal(0.0, 0.15, (len(regions), len(categories)))
    for i, region in enumerate(regions):
        for table in (settings.country_taste.get(region.country, {}),
                      settings.region_taste.get(region.name, {})):
            for category, factor in table.items():
                if category in categories:
                    taste[i, categories.index(category)] *= factor
    return taste


def _non_holiday_day(rng: np.random.Generator, lo: int, hi: int, holiday_days: set[int]) -> int:
    options = [d for d in range(lo, hi) if d not in holiday_days and d - 1 not in holiday_days]
    return int(rng.choice(options))


def make_plan(
    rng: np.random.Generator, settings: ShopSettings, catalog: Catalog, clock: LocalClock,
    holiday_dates: list[date],
) -> ShopPlan:
    """Choose every planted pattern. Time-bound ones fall in the last ~90 days (fraud and anomalies: ~60).

    Promotion and trend-break weight multipliers are left for `taste.calibrate_plan`.
    """
    regions = settings.geography.regions
    n_regions, n_products, days = len(regions), len(catalog), clock.days
    categories = catalog.categories
    taste = _taste(rng, settings, categories)
    base = catalog.popularity[None, :] * taste[:, catalog.category]
    rank = np.argsort(-catalog.popularity)  # most popular first
    taken: set[int] = set()

    def pick(candidates: np.ndarray) -> int:
        choice = int(rng.choice([c for c in candidates if c not in taken]))
        taken.add(choice)
        return choice

    # Launches: a handful spread over the span, one about 60 days before the end (a strong seller).
    launch_day = np.full(n_products, -10_000, dtype=np.int64)
    main_launch = pick(rank[5:40])
    launch_day[main_launch] = days - 60
    for d in np.linspace(days * 0.1, days * 0.8, 6).astype(int):
        launch_day[pick(rank[40:300])] = int(d)

    # Regional favourites: well-known products that one region buys far more than anyone else. The first two,
    # best sellers in large regions, carry the trend breaks: their region-level series are dense enough to
    # show a step even in the test-sized shop.
    spike_codes = _pick_spike_regions(rng, settings)
    candidates = [i for i in np.argsort(-region_shares(regions)) if regions[i].name not in spike_codes]
    large = [int(r) for r in rng.choice(candidates[:6], 2, replace=False)]
    others = [int(r) for r in rng.choice([r for r in candidates if r not in large], 4, replace=False)]
    # Steady sellers (no category seasonality) so that a step is a step, not a season.
    steady = np.array([p for p in rank[:40] if categories[catalog.category[p]] not in _CATEGORY_SEASON])
    favourites = [(r, pick(steady[:5])) for r in large] + [(r, pick(rank[10:60])) for r in others]
    favourite_regions = [r for r, _ in favourites]
    for k, (r, p) in enumerate(favourites):
        base[r, p] *= LARGE_FAVOURITE_LIFT if k < 2 else FAVOURITE_LIFT

    # Trend breaks on the two large favourites: one steps up, one steps down.
    trend_breaks = []
    for (r, p), factor in zip(favourites[:2], (2.4, 0.45)):
        trend_breaks.append((r, p, days - int(rng.integers(60, 91)), factor, UNCALIBRATED))

    # Promotions: a big one in the last two months, a smaller one earlier.
    holiday_days = {(d - clock.start).days for d in holiday_dates}
    promotions = []
    for product, first, length, lift, discount in (
        (pick(steady[:10]), _non_holiday_day(rng, days - 55, days - 30, holiday_days), 14, 3.0, 0.25),
        (pick(rank[:12]), _non_holiday_day(rng, days // 3, days // 2, holiday_days), 10, 2.5, 0.2),
    ):
        promotions.append((product, first, first + length - 1, lift, discount, UNCALIBRATED))

    # Bought-together pairs from complementary categories.
    pairs = []
    for cat_a, cat_b in [(a, b) for a, b in _PAIR_CATEGORIES if a in categories and b in categories][:10]:
        ia, ib = categories.index(cat_a), categories.index(cat_b)
        a_pool = [p for p in rank[:200] if catalog.category[p] == ia and launch_day[p] < 0][:6]
        b_pool = [p for p in rank[:300] if catalog.category[p] == ib and launch_day[p] < 0][:8]
        a = pick(np.array(a_pool))
        pairs.append((a, pick(np.array(b_pool))))

    # Volume anomalies in the last ~60 days, on ordinary days, away from the spike regions.
    # They start at 08:00-13:00 UTC, so they go to regions where those are daytime hours (a surge at night is
    # a handful of visits, below what any detector can tell from noise).
    quiet = [i for i in range(n_regions) if regions[i].name not in spike_codes and i not in favourite_regions
             and _daytime_at(clock, i, ANOMALY_UTC_HOURS)]
    if len(quiet) < 2:
        hours = f"{ANOMALY_UTC_HOURS.start:02d}:00-{ANOMALY_UTC_HOURS.stop:02d}:00"
        raise SettingsError("The outage and surge need two regions without a spike or favourite where "
                            f"{hours} UTC is daytime.")
    _, surge_region = (int(r) for r in rng.choice(quiet, 2, replace=False))
    # The outage goes to the busiest quiet region: in a small region even a full-day outage is a handful of
    # missing visits, below what any detector can tell from noise.
    size = {i: sum(c.weight for c in regions[i].cities) for i in quiet if i != surge_region}
    outage_region = max(size, key=lambda i: (size[i], -i))
    outage_day = _non_holiday_day(rng, days - 58, days - 35, holiday_days)
    surge_day = _non_holiday_day(rng, days - 30, days - 5, holiday_days)
    anomalies = [
        (outage_region, outage_day * 24 + int(rng.integers(8, 11)), int(rng.integers(10, 14)), 0.02),
        (surge_region, surge_day * 24 + int(rng.integers(9, 14)), int(rng.integers(4, 9)), 4.0),
    ]
    spikes = {i: float(rng.uniform(2.55, 2.75)) for i, r in enumerate(regions) if r.name in spike_codes}

    # Complaint wave: a defect-prone, well-selling product in a large region without a spike, ~5 weeks back.
    defect_products = [p for p in rank[5:80] if categories[catalog.category[p]] in _DEFECT_CATEGORIES]
    complaint_product = pick(np.array(defect_products))
    # a good product, one bad batch
    catalog.quality[complaint_product] = max(catalog.quality[complaint_product], 4.5)
    big = [i for i in np.argsort(-base.sum(axis=1)) if regions[i].name not in spike_codes][:8]
    complaint = (complaint_product, int(rng.choice(big)), days - int(rng.integers(32, 40)))
    return ShopPlan(base, launch_day, promotions, trend_breaks, favourites, pairs,
                    IntensityPlan(spikes, anomalies), complaint)


def _daytime_at(clock: LocalClock, region: int, utc_hours: range) -> bool:
    """Whether `utc_hours` of the span's last day are between 07:00 and 22:00 in `region`."""
    local = clock.hour[region, (clock.days - 1) * 24 + np.array(utc_hours)]
    return bool(((local >= 7) & (local < 22)).all())


def _pick_spike_regions(rng: np.random.Generator, settings: ShopSettings) -> set[str]:
    """The settings' fixed spike regions plus one per draw, each in a country no earlier draw chose."""
    country = {r.name: r.country for r in settings.geography.regions}
    drawn: list[str] = []
    for candidates in settings.spike_draws:
        taken = {country[d] for d in drawn}
        drawn.append(str(rng.choice([c for c in candidates if country[c] not in taken])))
    return set(settings.spike_places) | set(drawn)


def season_factor(catalog: Catalog, ordinals: np.ndarray) -> np.ndarray:
    """Category seasonality for each (day, product): [len(ordinals), len(catalog)]."""
    doy = np.array([date.fromordinal(int(o)).timetuple().tm_yday for o in ordinals])
    names = catalog.categories
    amp = np.zeros(len(names))
    peak = np.zeros(len(names))
    for name, (a, p) in _CATEGORY_SEASON.items():
        if name in names:
            amp[names.index(name)], peak[names.index(name)] = a, p
    per_category = 1.0 + amp[None, :] * np.cos(2 * np.pi * (doy[:, None] - peak[None, :]) / 365.25)
    return per_category[:, catalog.category]


def _day_factor(plan: ShopPlan, catalog: Catalog, start: date, day_indices: np.ndarray) -> np.ndarray:
    """Seasonality x availability x promotion lift per (day, product): [D, P]."""
    ordinals = np.array([(start + timedelta(days=int(d))).toordinal() for d in day_indices])
    by_day = season_factor(catalog, ordinals)
    by_day = by_day * (day_indices[:, None] >= plan.launch_day[None, :])
    for product, first, last, _, _, multiplier in plan.promotions:
        by_day[(day_indices >= first) & (day_indices <= last), product] *= multiplier
    return by_day


def product_weights(plan: ShopPlan, catalog: Catalog, start: date, day_indices: np.ndarray) -> np.ndarray:
    """Demand weight per (region, day, product): [R, D, P] for the given local day indices."""
    multipliers = [p[-1] for p in plan.promotions] + [t[-1] for t in plan.trend_breaks]
    if np.isnan(multipliers).any():
        raise ValueError("The plan's promotion/trend-break multipliers are not solved yet: "
                         "pass it through tools.events.simulate.taste.calibrate_plan first.")
    weights = plan.base_weight[:, None, :] * _day_factor(plan, catalog, start, day_indices)[None, :, :]
    for region, product, at, _, multiplier in plan.trend_breaks:
        weights[region, day_indices >= at, product] *= multiplier
    return weights


def browse_weights(plan: ShopPlan, catalog: Catalog, start: date, day_indices: np.ndarray) -> np.ndarray:
    """Weight of browsing each product within its category, per (day, category, product): [D, C, P]."""
    by_day = _day_factor(plan, catalog, start, day_indices) * catalog.popularity[None, :]
    in_category = catalog.category[None, :] == np.arange(len(catalog.categories))[:, None]  # [C, P]
    return by_day[:, None, :] * in_category[None, :, :] + 1e-12 * in_category[None, :, :]


def promotion_discount(plan: ShopPlan, products: np.ndarray, day_indices: np.ndarray) -> np.ndarray:
    """Fractional price cut of each product on its local day index (same shapes; -1: no product)."""
    cut = np.zeros(len(products))
    for product, first, last, _, discount, _ in plan.promotions:
        cut[(products == product) & (day_indices >= first) & (day_indices <= last)] = discount
    return cut
