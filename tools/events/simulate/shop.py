"""A generated shop put together: `build_shop` generates one from its `ShopSettings` (profile and the
generator's choices) and a `DemoConfig` (size and seed), `build_demo_shop` the demo shop; `load_ground_truth`
reads back what it planted.

It writes events (date-partitioned), the products/users/orders/reviews tables and `manifest.json` (the
GroundTruth) in ONE store transaction, replacing any previous demo data: a crash leaves the old shop.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from tools.events.profile import PROFILE_FILE
from tools.events.schema import (
    PRODUCTS,
    REVIEWS,
    USERS,
    BoughtTogether,
    ComplaintWave,
    CustomerTaste,
    FridaySpike,
    GroundTruth,
    Launch,
    Promotion,
    RegionalFavourite,
    TrendBreak,
    VolumeAnomaly,
)
from tools.events.simulate.calendar import (
    DIURNAL,
    FRIDAY,
    WEEKLY,
    local_clock,
    session_intensity,
    span_holidays,
    systematic_counts,
)
from tools.events.simulate.catalog import make_catalog
from tools.events.simulate.columns import (
    EventCols,
    Names,
    OrderCols,
    events_table,
    orders_table,
    prefixed_ids,
)
from tools.events.simulate.daytime import week_hour
from tools.events.simulate.orders import Settled, keep_orders, settle_orders, sort_orders
from tools.events.simulate.plan import ShopPlan, make_plan
from tools.events.simulate.planted import PlantedPlan, plan_planted, planted_events, planted_orders
from tools.events.simulate.population import city_table, make_population, region_shares
from tools.events.simulate.profile import demo_settings
from tools.events.simulate.reviews import make_reviews
from tools.events.simulate.sessions import EVENTS_PER_SESSION, Shop, block_orders, generate_block
from tools.events.simulate.settings import ShopSettings
from tools.events.simulate.taste import calibrate_plan, make_taste
from tools.events.store import EventStore, conform

DAY = 86_400
MANIFEST = "manifest.json"
_DEMO_TABLES = ("orders", "products", "reviews", "users")
TASTE_SAMPLE = 50  # ordinary shoppers whose favourite categories the manifest lists


class GroundTruthMissing(FileNotFoundError):
    """The store has no demo-shop manifest."""


def _today_utc() -> date:
    return datetime.now(UTC).date()


@dataclass
class DemoConfig:
    """Size and seed of the demo shop. `n_users` defaults to n_events // 40 (at least 2,000)."""

    seed: int = 7
    n_events: int = 1_000_000
    days: int = 730
    end: date = field(default_factory=_today_utc)
    n_products: int = 600
    n_users: int | None = None
    block_days: int = 28  # events are generated and written this many days at a time (bounds memory)

    def __post_init__(self) -> None:
        if self.days < 120:
            raise ValueError("days must be >= 120 (patterns are planted in the last 90 days), "
                             f"got {self.days}.")
        if self.n_events < 10_000:
            raise ValueError("n_events must be >= 10000 for a shop with planted patterns, "
                             f"got {self.n_events}.")
        if self.n_products < 240:
            raise ValueError(f"n_products must be >= 240 (ten per category), got {self.n_products}.")
        if self.n_users is not None and self.n_users < 2_000:
            raise ValueError("n_users must be >= 2000 (fraud needs fresh accounts per region), "
                             f"got {self.n_users}.")
        if not 1 <= self.block_days <= 366:
            raise ValueError(f"block_days must be between 1 and 366, got {self.block_days}.")

    @property
    def users(self) -> int:
        return self.n_users if self.n_users is not None else max(2_000, self.n_events // 40)

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    @classmethod
    def small(cls) -> DemoConfig:
        """The test-sized shop: ~1M events over the year to 2026-11-15; every planted pattern measurable."""
        return cls(n_events=1_000_000, days=365, end=date(2026, 11, 15))


def _epoch_s(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _stage_replacement(store: EventStore, tx) -> None:
    """Stage the deletion of every previous event and demo table file (new files get new names)."""
    snapshot = store.snapshot
    for path in store.event_files():
        tx.delete(str(path.relative_to(snapshot)))
    for name in _DEMO_TABLES:
        for path in store.table_files(name):
            tx.delete(str(path.relative_to(snapshot)))


def _number(counter: int, times: np.ndarray) -> np.ndarray:
    """Consecutive numbers from counter + 1 in time order."""
    rank = np.empty(len(times), dtype=np.int64)
    rank[np.argsort(times, kind="stable")] = np.arange(len(times))
    return counter + 1 + rank


def build_demo_shop(store: EventStore, config: DemoConfig, progress: bool = True) -> GroundTruth:
    """Generate the demo shop into `store` (replacing any previous demo data) and return its ground truth."""
    return build_shop(store, demo_settings(), config, progress)


def build_shop(store: EventStore, settings: ShopSettings, config: DemoConfig, progress: bool = True
               ) -> GroundTruth:
    """Generate the shop of `settings` into `store` (replacing any previous generated data) and return its
    ground truth."""
    rng = np.random.default_rng(config.seed)
    start, days = config.start, config.days
    start_s = _epoch_s(start)
    end_s = start_s + days * DAY
    regions = settings.geography.regions
    catalog = make_catalog(rng, config.n_products, (np.datetime64(start), np.datetime64(config.end)),
                           settings.geography.price_factor, settings.categories)
    users = make_population(rng, settings, config.users,
                            (np.datetime64(start, "s"), np.datetime64(start, "s") + days * DAY))
    cities = city_table(regions)
    clock = local_clock(regions, start, days)
    holidays_by_region = span_holidays(clock, regions)
    holiday_dates = sorted({d for ds in holidays_by_region.values() for d in ds if start <= d <= config.end})
    plan = make_plan(rng, settings, catalog, clock, holiday_dates)
    # Taste has its own stream, so that every planted choice (drawn from `rng`) is what it was without it.
    taste = make_taste(np.random.default_rng([config.seed, 1]), users, plan, catalog)
    plan = calibrate_plan(plan, taste, users, catalog, region_shares(regions))
    # A launch reaches each region at its local midnight; the catalogue dates it where it comes first.
    for p in np.flatnonzero(plan.launch_day >= 0):
        day = start + timedelta(days=int(plan.launch_day[p]))
        first = min(pd.Timestamp(day, tz=region.tz) for region in regions)
        catalog.launched_at[p] = np.datetime64(first.tz_convert(None), "s")
    n_devices = int(users.device_base[-1] + users.n_devices[-1])  # internal device numbers run 1..n_devices-1
    hours_of_week = week_hour(clock.weekday, clock.hour)
    shop = Shop(
        settings=settings, catalog=catalog, users=users, cities=cities, plan=plan, start=start,
        start_s=start_s, end_s=end_s, clock=clock,
        reserved=np.zeros(len(users), dtype=bool),
        band=hours_of_week // 4,  # 4-hour bands: weekday * 6 + hour // 4
        week_hour=hours_of_week,
        conversion_phase=rng.random(len(regions) * 42),
        basket_count=np.zeros(len(regions) * 42, dtype=np.int64),
        device_label=np.concatenate([[0], rng.permutation(n_devices + 64) + 1]),
        taste=taste,
    )
    planted = plan_planted(rng, shop, first_device=n_devices)
    shop.reserved = planted.reserved
    rate = session_intensity(clock, region_shares(regions), plan.intensity, holidays_by_region)
    counts = systematic_counts(rate, config.n_events / EVENTS_PER_SESSION, rng)
    names = Names(product_ids=prefixed_ids("P", np.arange(1, len(catalog) + 1), 4), user_ids=users.ids,
                  city_names=cities.name, device_label=shop.device_label, geography=settings.geography,
                  categories=settings.categories)

    n_written = 0
    with store.transaction() as tx:
        _stage_replacement(store, tx)
        orders_parts, settled_parts = [], []
        carry: list[EventCols] = []
        session_counter = order_counter = 0
        blocks = range(0, days, config.block_days)
        for first_day in tqdm(blocks, desc="demo shop", unit="block", disable=not progress):
            last_day = min(days, first_day + config.block_days)
            block_start, block_end = start_s + first_day * DAY, start_s + last_day * DAY
            cols, facts = generate_block(rng, shop, counts[:, first_day * 24:last_day * 24], first_day * 24)
            here = [o for o in planted.orders if block_start <= o.start < block_end]
            n_sessions = len(facts["start"])

            # Number orders and sessions in time order, planted ones included.
            rows = facts["purchase_rows"]
            placed = np.zeros(n_sessions, dtype=np.int64)
            placed[cols.session[rows]] = cols.time[rows]
            bought = np.flatnonzero(facts["bought"])
            order_numbers = _number(order_counter, np.concatenate([placed[bought], [o.placed for o in here]]))
            order_counter += len(order_numbers)
            order_of_session = np.full(n_sessions, -1, dtype=np.int64)
            order_of_session[bought] = order_numbers[:len(bought)]
            session_numbers = _number(session_counter,
                                      np.concatenate([facts["start"], [o.start for o in here]]))
            session_counter += len(session_numbers)
            for k, o in enumerate(here):
                o.order, o.session = int(order_numbers[len(bought) + k]), int(session_numbers[n_sessions + k])
            block = OrderCols.concat([block_orders(shop, cols, facts, order_of_session),
                                      planted_orders(shop, here)])
            cols.order = np.where(cols.order >= 0, order_of_session[np.maximum(cols.order, 0)], -1)
            cols.session = session_numbers[cols.session]

            settled, refunds = settle_orders(rng, shop, block)
            orders_parts.append(block)
            settled_parts.append(settled)
            events = EventCols.concat([cols, planted_events(shop, here), refunds, *carry])
            now = events.time < block_end
            carry = [events.take(np.flatnonzero(~now & (events.time < end_s)))]
            batch = events.take(np.flatnonzero(now))
            store.write_events_partitioned(tx, events_table(batch, names))
            n_written += len(batch)

        orders, settled = sort_orders(OrderCols.concat(orders_parts), Settled.concat(settled_parts))
        orders, settled = keep_orders(orders, settled, orders.placed < end_s)
        tables = {
            "products": conform(catalog.table(settings.profile.currency), PRODUCTS),
            "users": conform(users.table(cities, regions), USERS),
            "orders": orders_table(orders, settled.status, settled.updated, settled.estimate, names,
                                   catalog.names),
            "reviews": conform(make_reviews(rng, shop, orders, settled, names, catalog.names), REVIEWS),
        }
        for name, table in tables.items():
            # a fresh file name, so the staged deletion of the previous table never hits the new one
            tx.write_parquet(f"tables/{name}/part-{uuid.uuid4().hex[:16]}.parquet", table)
        truth = _ground_truth(config, shop, plan, planted, holiday_dates, n_written)
        tx.write_text(MANIFEST, truth.model_dump_json(indent=2))
        tx.write_text(PROFILE_FILE, settings.profile.to_json())
    return truth


def _friday_lift(multiplier: float) -> float:
    """Expected Friday 20:00-24:00 rate over the region's all-hours mean, for a planted multiplier."""
    evening = DIURNAL[20:24].mean() * WEEKLY[FRIDAY]
    share = 4 / (7 * 24)
    return round(multiplier * evening / (1 + share * (multiplier - 1) * evening), 2)


def _ground_truth(config: DemoConfig, shop: Shop, plan: ShopPlan, planted: PlantedPlan,
                  holiday_dates: list[date], n_events: int) -> GroundTruth:
    regions = shop.settings.geography.regions
    pid = shop.catalog.ids
    start = config.start

    def day(d: int) -> date:
        return start + timedelta(days=int(d))

    def utc(seconds: int) -> datetime:
        return datetime.fromtimestamp(int(seconds), tz=UTC)

    for case, orders in zip(planted.cases, planted.case_orders):
        case.order_ids = [f"O{o.order:08d}" for o in orders]
    product, region, wave_day = plan.complaint
    return GroundTruth(
        seed=config.seed, n_events=n_events, start=start, end=config.end,
        friday_spikes=[FridaySpike(region=regions[r].name, lift=_friday_lift(m))
                       for r, m in plan.intensity.spike_regions.items()],
        trend_breaks=[TrendBreak(product_id=pid[p], region=regions[r].name, at=day(d), factor=f)
                      for r, p, d, f, _ in plan.trend_breaks],
        promotions=[Promotion(product_id=pid[p], start=day(a), end=day(b), lift=lift, discount=cut)
                    for p, a, b, lift, cut, _ in plan.promotions],
        launches=[Launch(product_id=pid[p], at=day(plan.launch_day[p]))
                  for p in np.flatnonzero((plan.launch_day >= 0) & (plan.launch_day < config.days))],
        fraud=planted.cases,
        volume_anomalies=[
            VolumeAnomaly(kind="outage" if f < 1 else "surge", region=regions[r].name,
                          start=utc(shop.start_s + h * 3600), end=utc(shop.start_s + (h + n) * 3600),
                          factor=f)
            for r, h, n, f in plan.intensity.anomalies
        ],
        bought_together=[BoughtTogether(product_a=pid[a], product_b=pid[b]) for a, b in plan.pairs],
        regional_favourites=[RegionalFavourite(region=regions[r].name, product_id=pid[p])
                             for r, p in plan.favourites],
        complaint_waves=[ComplaintWave(product_id=pid[product], region=regions[region].name,
                                       start=day(wave_day), end=day(wave_day + 6))],
        holidays=holiday_dates,
        customer_tastes=[CustomerTaste(user_id=str(shop.users.ids[u]), categories=shop.taste.categories(u))
                         for u in np.flatnonzero(~shop.reserved)[:TASTE_SAMPLE]],
    )


def load_ground_truth(store: EventStore) -> GroundTruth:
    """The ground truth the demo shop planted in `store` (from its manifest.json)."""
    path = Path(store.root) / MANIFEST
    if not path.exists():
        raise GroundTruthMissing(
            f"No demo-shop manifest at {path}. Build the demo shop first: "
            "`chronotope data demo --events 1000000`."
        )
    return GroundTruth.model_validate_json(path.read_text(encoding="utf-8"))
