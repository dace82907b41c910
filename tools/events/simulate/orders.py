"""What happens to orders after checkout: shipping, delivery (catalog delivery days), returns and refunds,
cancellations; status and timestamps as seen at the end of the data ("now")."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from tools.events.catalog import RETURN_WINDOW_DAYS
from tools.events.schema import ORDER_STATUSES
from tools.events.simulate.columns import REFUND, EventCols, OrderCols
from tools.events.simulate.sessions import Shop

DAY = 86_400
PLACED, SHIPPED, DELIVERED, RETURNED, CANCELLED = (ORDER_STATUSES.index(s) for s in
                                                   ("placed", "shipped", "delivered", "returned",
                                                    "cancelled"))
CANCEL_RATE = 0.02
_RETURN_RATE = {"Shoes": 0.14, "Boots": 0.12, "Outdoor Jackets": 0.12}  # fit matters; others 5%


def delivery_days(shop: Shop, region: int) -> tuple[int, int]:
    """Business days from shipping to delivery for a shipping region (the region's, else its country's)."""
    r = shop.settings.geography.regions[region]
    days = shop.settings.delivery_days
    return days[r.name] if r.name in days else days[r.country]


@dataclass
class Settled:
    """Per order: status code, last update, delivery estimate, delivery time (-1 if not delivered)."""

    status: np.ndarray
    updated: np.ndarray
    estimate: np.ndarray  # datetime64[D]
    delivered: np.ndarray

    def take(self, index: np.ndarray) -> Settled:
        return Settled(*(getattr(self, f.name)[index] for f in fields(self)))

    @staticmethod
    def concat(parts: list[Settled]) -> Settled:
        return Settled(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Settled)))


def settle_orders(rng: np.random.Generator, shop: Shop, orders: OrderCols) -> tuple[Settled, EventCols]:
    """Statuses as of the end of the data, and the refund events of returned orders."""
    n, now = len(orders), shop.end_s
    bounds = np.array([delivery_days(shop, r) for r in range(shop.n_regions)])[orders.region]
    shipped = orders.placed + rng.integers(4 * 3600, 28 * 3600, n)
    transit = rng.integers(bounds[:, 0], bounds[:, 1] + 1)
    deliver_day = np.busday_offset((shipped // DAY).astype("datetime64[D]"), transit, roll="forward")
    delivered = deliver_day.astype(np.int64) * DAY + rng.integers(9 * 3600, 19 * 3600, n)
    estimate = np.busday_offset((orders.placed // DAY + 1).astype("datetime64[D]"), bounds[:, 1],
                                roll="forward")

    status = np.where(now < shipped, PLACED, np.where(now < delivered, SHIPPED, DELIVERED))
    updated = np.where(status == PLACED, orders.placed, np.where(status == SHIPPED, shipped, delivered))

    first_line = np.searchsorted(orders.line_order, np.arange(n))
    category = shop.catalog.category[orders.line_product[np.minimum(first_line, len(orders.line_order) - 1)]]
    rates = np.array([_RETURN_RATE.get(c, 0.05) for c in shop.catalog.categories])
    base_rate = rates[category] if n else np.zeros(0)
    returned_at = delivered + rng.integers(2 * DAY, (RETURN_WINDOW_DAYS - 5) * DAY, n)
    returned = (status == DELIVERED) & (rng.random(n) < base_rate + orders.return_rate) & (returned_at < now)
    status = np.where(returned, RETURNED, status)
    updated = np.where(returned, returned_at, updated)

    cancel_at = orders.placed + np.minimum(rng.integers(600, 6 * 3600, n), shipped - orders.placed - 60)
    cancelled = np.where(orders.forced_status >= 0, orders.forced_status == CANCELLED,
                         rng.random(n) < CANCEL_RATE)
    cancelled &= cancel_at < now
    status = np.where(cancelled, CANCELLED, status)
    updated = np.where(cancelled, cancel_at, updated)
    delivered_out = np.where((status == DELIVERED) | (status == RETURNED), delivered, -1)

    refund_at = returned_at + rng.integers(DAY, 10 * DAY, n)
    refunded = (status == RETURNED) & (refund_at < now)
    lines = np.flatnonzero(refunded[orders.line_order])
    o = orders.line_order[lines]
    refunds = EventCols(
        time=refund_at[o], etype=np.full(len(lines), REFUND), user=orders.user[o],
        session=np.full(len(lines), -1), product=orders.line_product[lines],
        category=shop.catalog.category[orders.line_product[lines]], qty=orders.line_qty[lines],
        price=orders.line_price[lines], currency=orders.currency[o], region=orders.region[o],
        city=orders.city[o], lat=orders.lat[o], lon=orders.lon[o], device=orders.device[o],
        channel=np.zeros(len(lines), dtype=np.int64), order=orders.order[o],
    )
    return Settled(status, updated, estimate, delivered_out), refunds


def sort_orders(orders: OrderCols, settled: Settled) -> tuple[OrderCols, Settled]:
    """Orders (and their lines) in order-number order."""
    perm = np.argsort(orders.order, kind="stable")
    rank = np.empty_like(perm)
    rank[perm] = np.arange(len(perm))
    new_line_order = rank[orders.line_order]
    line_perm = np.argsort(new_line_order, kind="stable")
    merged = {}
    for f in fields(OrderCols):
        value = getattr(orders, f.name)
        if f.name == "line_order":
            merged[f.name] = new_line_order[line_perm]
        elif f.name.startswith("line_"):
            merged[f.name] = value[line_perm]
        elif f.name == "address":
            merged[f.name] = value.take(perm)
        else:
            merged[f.name] = value[perm]
    return OrderCols(**merged), settled.take(perm)


def keep_orders(orders: OrderCols, settled: Settled, keep: np.ndarray) -> tuple[OrderCols, Settled]:
    """The orders where `keep` is true (lines follow)."""
    index = np.flatnonzero(keep)
    new_index = np.full(len(orders), -1)
    new_index[index] = np.arange(len(index))
    line_keep = keep[orders.line_order]
    merged = {}
    for f in fields(OrderCols):
        value = getattr(orders, f.name)
        if f.name == "line_order":
            merged[f.name] = new_index[value[line_keep]]
        elif f.name.startswith("line_"):
            merged[f.name] = value[line_keep]
        elif f.name == "address":
            merged[f.name] = value.take(index)
        else:
            merged[f.name] = value[index]
    return OrderCols(**merged), settled.take(index)
