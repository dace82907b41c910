"""Hand-placed orders: fraud cases (impossible travel, card testing, device rings, ship-far) and the orders
behind the complaint wave. They are few, so they are built one by one, then merged into the ordinary flow.

Ordinary shoppers never show these patterns: they shop from home, on their own one or two devices, at a
human pace, and ship home; so every planted case is findable with high recall and precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from tools.events.geo import haversine_km
from tools.events.schema import ORDER_STATUSES, FraudCase
from tools.events.simulate.columns import CART, PURCHASE, VIEW, EventCols, OrderCols
from tools.events.simulate.sessions import Shop

DAY = 86_400
CANCELLED = ORDER_STATUSES.index("cancelled")
CARD_TEST_CEILING = 4.6


@dataclass
class PlantedOrder:
    """One hand-placed order and the short session (view, cart, purchase per item) that led to it."""

    start: int  # epoch seconds of the first event
    user: int
    device: int
    region: int  # where the shopper is when ordering
    city: int
    lat: float
    lon: float
    items: list[tuple[int, int]]  # (product, quantity)
    channel: int = 0
    ship: tuple[int, int, float, float, str] | None = None  # (region, city, lat, lon, address); None = home
    forced_status: int = -1
    return_rate: float = 0.0
    complaint: bool = False
    session: int = -1  # numbered by the builder
    order: int = -1

    @property
    def placed(self) -> int:
        return self.start + 40 * len(self.items) + 60


@dataclass
class PlantedPlan:
    orders: list[PlantedOrder] = field(default_factory=list)
    cases: list[FraudCase] = field(default_factory=list)
    # per case; order ids filled when numbered
    case_orders: list[list[PlantedOrder]] = field(default_factory=list)
    reserved: np.ndarray | None = None  # users kept out of ordinary shopping
    fraud_devices: int = 0


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), tz=UTC)


def plan_planted(rng: np.random.Generator, shop: Shop, first_device: int) -> PlantedPlan:
    """Choose the fraud cases and complaint-wave orders. New devices are numbered from `first_device`."""
    users, cities, catalog = shop.users, shop.cities, shop.catalog
    regions = shop.settings.geography.regions
    plan = PlantedPlan(reserved=np.zeros(len(users.region), dtype=bool))
    next_device = [first_device]

    def new_device() -> int:
        next_device[0] += 1
        return next_device[0] - 1

    window = (shop.end_s - 48 * DAY, shop.end_s - 2 * DAY)
    signup = users.signup.astype(np.int64)
    veterans = np.flatnonzero((signup < shop.start_s) & (users.activity > 0.8))
    fresh = np.flatnonzero((signup > shop.end_s - 80 * DAY) & (signup < window[0]))

    friday_evening = {4 * 6 + 4, 4 * 6 + 5}  # bands of Friday 16:00-24:00 local

    def when(region: int, lo: int = window[0], hi: int = window[1], night: bool = False) -> int:
        """A start time in [lo, hi) that is not a Friday evening in `region` (nor daytime, for bots)."""
        while True:
            t = int(rng.integers(lo, hi))
            band = int(shop.band[region, (t - shop.start_s) // 3600])
            if band not in friday_evening and (not night or band % 6 == 0):
                return t

    def add_case(kind: str, accounts: list[int], devices: list[int], orders: list[PlantedOrder]) -> None:
        plan.orders.extend(orders)
        plan.case_orders.append(orders)
        plan.cases.append(FraudCase(kind=kind, user_ids=[_uid(u) for u in accounts],
                                    device_ids=[shop.device_id(d) for d in devices], order_ids=[],
                                    start=_utc(min(o.start for o in orders)),
                                    end=_utc(max(o.placed for o in orders))))

    def home_order(u: int, start: int, device: int, items: list[tuple[int, int]], **kw) -> PlantedOrder:
        return PlantedOrder(start, u, device, int(users.region[u]), int(users.city[u]), float(users.lat[u]),
                            float(users.lon[u]), items, **kw)

    everyday = np.argsort(-catalog.popularity)[:150]

    def basket(k: int = 1) -> list[tuple[int, int]]:
        return [(int(p), 1) for p in rng.choice(everyday, k, replace=False)]

    used_users: set[int] = set()

    def take(pool: np.ndarray, k: int) -> list[int]:
        chosen = [int(u) for u in rng.permutation(pool) if int(u) not in used_users][:k]
        used_users.update(chosen)
        return chosen

    # Impossible travel: a purchase at home, then within the hour one from a city over 1,000 km away.
    for u in take(veterans, 5):
        t0 = when(int(users.region[u]))
        far = np.flatnonzero((haversine_km(users.lat[u], users.lon[u], cities.lat, cities.lon) > 1200)
                             & (np.array([regions[r].country for r in cities.region])
                                != regions[users.region[u]].country))
        c = int(rng.choice(far))
        first = home_order(u, t0, int(users.device_base[u]), basket())
        thief_device = new_device()
        t1 = first.placed + int(rng.integers(15 * 60, 50 * 60))
        second = PlantedOrder(t1, u, thief_device, int(cities.region[c]), c,
                              round(float(cities.lat[c] + rng.normal(0, 0.02)), 4),
                              round(float(cities.lon[c] + rng.normal(0, 0.02)), 4),
                              basket(int(rng.integers(1, 3))))
        add_case("impossible_travel", [u], [thief_device], [first, second])

    # Card testing: one device, one or two fresh accounts, 15-40 tiny orders inside an hour: each costs under
    # 4.6 in the shop's currency or in the buyer's, whichever is more.
    ceiling = CARD_TEST_CEILING * np.maximum(shop.settings.geography.price_factor, 1.0)
    # The regions with the most fresh accounts host the made-up ones (toy configs may have few).
    busy = np.argsort(-np.bincount(users.region[fresh], minlength=len(regions)), kind="stable")[:8]
    for r in rng.choice(busy, 4, replace=False):
        accounts = take(fresh[users.region[fresh] == r], int(rng.integers(1, 3)))
        device = new_device()
        t0 = when(int(r), night=True)  # card-testing bots run in the small hours
        n_orders = int(rng.integers(15, 41))
        offsets = np.sort(rng.integers(0, 55 * 60, n_orders))
        orders = []
        for k, off in enumerate(offsets):
            u = accounts[k % len(accounts)]
            paid_in = shop.region_currency[users.region[u]]
            cheap = np.flatnonzero((catalog.prices[paid_in] < ceiling[paid_in]) & (shop.plan.launch_day < 0))
            orders.append(home_order(u, t0 + int(off), device, [(int(rng.choice(cheap)), 1)],
                                     forced_status=CANCELLED if rng.random() < 0.6 else -1))
        # every order of one device is placed from the same spot
        for o in orders:
            o.region, o.city, o.lat, o.lon = orders[0].region, orders[0].city, orders[0].lat, orders[0].lon
        add_case("card_testing", accounts, [device], orders)

    # Device rings: one device shared by 5-8 fresh accounts of one region, each placing 1-3 orders.
    for r in rng.choice(busy, 4, replace=False):
        accounts = take(fresh[users.region[fresh] == r], int(rng.integers(5, 9)))
        device = new_device()
        spot = accounts[0]
        orders = []
        for u in accounts:
            for _ in range(int(rng.integers(1, 4))):
                o = home_order(u, when(int(r), max(window[0], int(signup[u]) + DAY)), device,
                               basket(int(rng.integers(1, 3))))
                o.region, o.city, o.lat, o.lon = (int(users.region[spot]), int(users.city[spot]),
                                                  float(users.lat[spot]), float(users.lon[spot]))
                orders.append(o)
        add_case("device_ring", accounts, [device], sorted(orders, key=lambda o: o.start))

    # Ship-far: a shopper at home orders to an address in another country, over 1,000 km away.
    for u in take(veterans, 6):
        far = np.flatnonzero((haversine_km(users.lat[u], users.lon[u], cities.lat, cities.lon) > 1100)
                             & (np.array([regions[r].country for r in cities.region])
                                != regions[users.region[u]].country))
        c = int(rng.choice(far))
        country = regions[int(cities.region[c])].country
        streets = list(shop.settings.people[country].streets)
        address = f"{int(rng.integers(1, 200))} {rng.choice(streets)}, {cities.name[c]}"
        ship = (int(cities.region[c]), c, round(float(cities.lat[c] + rng.normal(0, 0.02)), 4),
                round(float(cities.lon[c] + rng.normal(0, 0.02)), 4), address)
        o = home_order(u, when(int(users.region[u])), int(users.device_base[u]),
                       basket(int(rng.integers(1, 3))), ship=ship)
        add_case("ship_far", [u], [o.device], [o])

    # Complaint wave: a defective batch of one product sold in one region just before the wave.
    product, region, wave_day = shop.plan.complaint
    wave_s = shop.start_s + wave_day * DAY
    buyers = np.flatnonzero((users.region == region) & (signup < wave_s - 20 * DAY))
    for u in take(buyers, 42):
        t = when(region, wave_s - 9 * DAY, wave_s - 4 * DAY)
        device = int(users.device_base[u])
        plan.orders.append(home_order(u, t, device, [(product, 1)], return_rate=0.3, complaint=True))

    # Accounts made for fraud never shop normally; hijacked and ship-far shoppers keep their ordinary lives.
    for case in plan.cases:
        if case.kind in ("card_testing", "device_ring"):
            plan.reserved[[int(uid[1:]) - 1 for uid in case.user_ids]] = True
    plan.orders.sort(key=lambda o: o.start)
    plan.fraud_devices = next_device[0] - first_device
    return plan


def _uid(u: int) -> str:
    return f"U{u + 1:06d}"


def planted_events(shop: Shop, orders: list[PlantedOrder]) -> EventCols:
    """View, cart and purchase events of planted orders (already numbered)."""
    rows = []
    for o in orders:
        paid_in = int(shop.region_currency[shop.users.region[o.user]])
        base = {"user": o.user, "session": o.session, "region": o.region, "city": o.city, "lat": o.lat,
                "lon": o.lon, "device": o.device, "channel": o.channel}
        t = o.start
        for etype in (VIEW, CART):
            for product, qty in o.items:
                rows.append(dict(base, time=t, etype=etype, product=product,
                                 category=int(shop.catalog.category[product]),
                                 qty=qty if etype == CART else 0, price=_price(shop, product, paid_in),
                                 currency=paid_in))
                t += 20
        for product, qty in o.items:
            rows.append(dict(base, time=o.placed, etype=PURCHASE, product=product,
                             category=int(shop.catalog.category[product]), qty=qty,
                             price=_price(shop, product, paid_in), currency=paid_in, order=o.order))
    return EventCols.from_rows(rows)


def _price(shop: Shop, product: int, paid_in: int) -> float:
    return float(shop.catalog.prices[paid_in, product])


def planted_orders(shop: Shop, orders: list[PlantedOrder]) -> OrderCols:
    """Order rows of planted orders (already numbered)."""
    users = shop.users
    u = np.array([o.user for o in orders], dtype=np.int64)
    ship = [o.ship for o in orders]
    home_address = users.address.take(pa.array(u)).to_pylist() if len(u) else []
    lines = [(i, p, q) for i, o in enumerate(orders) for p, q in o.items]
    paid_in = shop.region_currency[users.region[u]] if len(u) else np.zeros(0, dtype=np.int64)
    return OrderCols(
        order=np.array([o.order for o in orders], dtype=np.int64), user=u,
        placed=np.array([o.placed for o in orders], dtype=np.int64),
        region=np.array([s[0] if s else users.region[o.user] for s, o in zip(ship, orders)], dtype=np.int64),
        city=np.array([s[1] if s else users.city[o.user] for s, o in zip(ship, orders)], dtype=np.int64),
        lat=np.array([s[2] if s else users.lat[o.user] for s, o in zip(ship, orders)], dtype=float),
        lon=np.array([s[3] if s else users.lon[o.user] for s, o in zip(ship, orders)], dtype=float),
        address=pa.array([s[4] if s else a for s, a in zip(ship, home_address)], pa.string()),
        currency=paid_in, device=np.array([o.device for o in orders], dtype=np.int64),
        forced_status=np.array([o.forced_status for o in orders], dtype=np.int64),
        return_rate=np.array([o.return_rate for o in orders], dtype=float),
        complaint=np.array([o.complaint for o in orders], dtype=bool),
        line_order=np.array([x[0] for x in lines], dtype=np.int64),
        line_product=np.array([x[1] for x in lines], dtype=np.int64),
        line_qty=np.array([x[2] for x in lines], dtype=np.int64),
        line_price=np.array([_price(shop, x[1], int(paid_in[x[0]])) for x in lines], dtype=float),
    )
