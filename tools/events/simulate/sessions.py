"""Ordinary shoppers, vectorised: sessions per region-hour become login? -> view -> search -> views -> cart ->
purchase.

One call turns a block of hours into events and orders with numpy only (no per-event Python), so ten
million events take well under a minute and memory stays bounded by the block size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from tools.events.simulate.calendar import LocalClock
from tools.events.simulate.catalog import Catalog
from tools.events.simulate.columns import CART, LOGIN, PURCHASE, SEARCH, VIEW, EventCols, OrderCols
from tools.events.simulate.daytime import time_mix
from tools.events.simulate.plan import (
    PAIR_PROBABILITY,
    ShopPlan,
    browse_weights,
    product_weights,
    promotion_discount,
)
from tools.events.simulate.population import CityTable, Population
from tools.events.simulate.settings import ShopSettings
from tools.events.simulate.taste import Taste, TastedSampler

CHANNEL_SHARE = np.array([0.42, 0.30, 0.10, 0.09, 0.09])  # web, app, email, social, ads
CHANNEL_CONVERSION = np.array([1.0, 1.15, 1.3, 0.6, 0.75])
BASE_CONVERSION = 0.075  # share of sessions that end in an order (before the channel factor)
ABANDONED_CART = 0.10  # share of non-buying sessions that still put something in the cart
LINES = np.array([1, 2, 3, 4])
LINES_SHARE = np.array([0.55, 0.28, 0.12, 0.05])
MAX_VIEWS = 10
# Events per session on average (login + views + searches + cart + purchase lines), used to size the traffic.
EVENTS_PER_SESSION = 3.95


@dataclass
class Shop:
    """Everything the generator draws from, fixed for one build."""

    settings: ShopSettings
    catalog: Catalog
    users: Population
    cities: CityTable
    plan: ShopPlan
    start: date  # first UTC day
    start_s: int  # its midnight in epoch seconds
    clock: LocalClock  # each region's local calendar per UTC hour: the plan's days are local days
    end_s: int  # midnight after the last day: "now" for order statuses
    reserved: np.ndarray  # bool per user: kept for planted fraud, never an ordinary shopper
    band: np.ndarray  # [R, H] local weekday * 6 + local hour // 4 (a 4-hour band of the week) per UTC hour
    week_hour: np.ndarray  # [R, H] local weekday * 24 + local hour per UTC hour (row of the time-of-day mix)
    # [R * 42] systematic-sampling phase per (region, band), carried across blocks
    conversion_phase: np.ndarray
    basket_count: np.ndarray  # [R * 42] orders so far per (region, band), for the basket-size sequence
    device_label: np.ndarray  # printed number per internal device index (shuffled, so ids reveal nothing)
    taste: Taste  # each ordinary shopper's favourite categories

    def device_id(self, device: int) -> str:
        return f"D{int(self.device_label[device]):07d}"

    @property
    def n_regions(self) -> int:
        return len(self.settings.geography.regions)

    @property
    def region_currency(self) -> np.ndarray:
        """[R] index of the currency each region's shoppers pay in (0: the shop's)."""
        return self.settings.geography.region_currency


class ProductSampler:
    """Draws products for (region, day) keys from per-row cumulative weights in one searchsorted."""

    def __init__(self, weights: np.ndarray):
        rows = weights.reshape(-1, weights.shape[-1])
        cum = np.cumsum(rows, axis=1)
        cum /= cum[:, -1:]
        self.n_products = rows.shape[1]
        self.flat = (cum + np.arange(len(rows))[:, None]).ravel()

    def draw(self, rng: np.random.Generator, keys: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self.flat, keys + rng.random(len(keys)), side="right")
        return np.minimum(idx - keys * self.n_products, self.n_products - 1)


def _pick_users(rng: np.random.Generator, shop: Shop, region: np.ndarray, when_s: int) -> np.ndarray:
    """A shopper from each session's region, by activity, among those signed up by `when_s`."""
    users = shop.users
    order = np.argsort(users.region, kind="stable")
    eligible = (users.signup[order].astype(np.int64) <= when_s) & ~shop.reserved[order]
    reg_sorted = users.region[order]
    weights = users.activity[order] * eligible
    totals = np.bincount(reg_sorted, weights=weights, minlength=shop.n_regions)
    # A region with nobody signed up yet falls back to all its users (only on toy-sized configs).
    empty = totals[reg_sorted] == 0
    weights = np.where(empty, users.activity[order] * ~shop.reserved[order], weights)
    totals = np.bincount(reg_sorted, weights=weights, minlength=shop.n_regions)
    cum = np.cumsum(weights)
    before = np.concatenate([[0.0], np.cumsum(totals)[:-1]])
    flat = (cum - before[reg_sorted]) / np.maximum(totals[reg_sorted], 1e-12) + reg_sorted
    idx = np.searchsorted(flat, region + rng.random(len(region)) * 0.999999, side="right")
    return order[np.minimum(idx, len(order) - 1)]


def _systematic_orders(
    shop: Shop, group: np.ndarray, start: np.ndarray, p_buy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which sessions buy, and how many lines each order has.

    Systematic sampling within each (region, 4-hour band of the week), carried across blocks: over the whole
    span, a region's orders in any band (e.g. Friday 20:00-24:00 local) are within one of their expectation,
    and basket sizes follow a Weyl sequence per band, so planted ratios survive at test scale while
    day-to-day counts stay random.
    """
    n = len(group)
    order = np.lexsort((start, group))
    g = group[order]
    cum = np.cumsum(p_buy[order])
    first = np.flatnonzero(np.diff(g, prepend=-1) != 0)
    before = np.repeat(cum[first] - p_buy[order][first], np.diff(np.append(first, n)))
    within = cum - before + shop.conversion_phase[g]
    bought_sorted = np.floor(within).astype(np.int64) > np.floor(within - p_buy[order]).astype(np.int64)
    totals = np.bincount(g, weights=p_buy[order], minlength=len(shop.conversion_phase))
    shop.conversion_phase[:] = (shop.conversion_phase + totals) % 1.0
    bought = np.empty(n, dtype=bool)
    bought[order] = bought_sorted

    buyers_sorted = order[bought_sorted]
    gb = g[bought_sorted]
    rank = np.arange(len(gb)) - np.searchsorted(gb, gb, side="left")
    k = shop.basket_count[gb] + rank
    weyl = (k * 0.6180339887498949 + gb * 0.7548776662466927) % 1.0
    shop.basket_count[:] += np.bincount(gb, minlength=len(shop.basket_count))
    n_lines = np.zeros(n, dtype=np.int64)
    n_lines[buyers_sorted] = LINES[np.minimum(np.searchsorted(np.cumsum(LINES_SHARE), weyl, side="right"),
                                              len(LINES) - 1)]
    return bought, n_lines


def generate_block(
    rng: np.random.Generator, shop: Shop, counts: np.ndarray, first_hour: int
) -> tuple[EventCols, dict]:
    """Events of ordinary sessions for the hours [first_hour, first_hour + counts.shape[1]).

    Returns the events (session and order numbers still local: session index, -1/0 order flags) and the
    per-session facts the caller needs to number sessions and assemble orders.
    """
    n_regions, n_hours = counts.shape
    flat_counts = counts.ravel()
    region = np.repeat(np.repeat(np.arange(n_regions), n_hours), flat_counts)
    hour = np.repeat(np.tile(np.arange(n_hours), n_regions), flat_counts) + first_hour
    n = len(region)
    start = shop.start_s + hour * 3600 + rng.integers(0, 3600, n)
    users = shop.users
    user = _pick_users(rng, shop, region, shop.start_s + first_hour * 3600)
    device = users.device_base[user] + ((users.n_devices[user] == 2) & (rng.random(n) < 0.3))
    channel = rng.choice(len(CHANNEL_SHARE), size=n, p=CHANNEL_SHARE)
    login = rng.random(n) < np.where(channel == 1, 0.5, 0.25)

    bought, n_lines = _systematic_orders(shop, region * 42 + shop.band[region, hour], start,
                                         BASE_CONVERSION * CHANNEL_CONVERSION[channel])
    abandoned = ~bought & (rng.random(n) < ABANDONED_CART)
    n_lines = np.where(abandoned, 1 + (rng.random(n) < 0.3), n_lines)

    # Products: demand per (region, local day) for the local days of this block. A session shops on the
    # local day its UTC hour starts in (in zones a half hour off UTC, up to 30 minutes early).
    block_hours = np.arange(first_hour, first_hour + n_hours)
    block_day = shop.clock.day_index[:, block_hours]  # [R, block hours]
    first_day = int(block_day.min())
    days = np.arange(first_day, int(block_day.max()) + 1)
    sampler = TastedSampler(product_weights(shop.plan, shop.catalog, shop.start, days), shop.catalog.category,
                            shop.taste, block_day - first_day,
                            time_mix(shop.catalog.categories)[shop.week_hour[:, block_hours]])
    key = region * n_hours + (hour - first_hour)
    day = block_day[region, hour - first_hour]
    first_item = sampler.draw(rng, key, user)
    partner = shop.plan.pair_of[first_item]
    paired = (partner >= 0) & (rng.random(n) < PAIR_PROBABILITY)
    n_lines = np.where(paired & (n_lines == 1), 2, n_lines)
    n_views = np.minimum(np.maximum(rng.geometric(0.4, n), n_lines), MAX_VIEWS)
    n_views = np.where(paired, np.maximum(n_views, 2), n_views)
    n_search = rng.choice(3, size=n, p=[0.45, 0.40, 0.15])

    # Viewed products: slot 0 is the first item, slot 1 its partner when paired; cart lines are the first
    # slots.
    slot_offset = np.concatenate([[0], np.cumsum(n_views)[:-1]])
    slot_session = np.repeat(np.arange(n), n_views)
    slot_pos = np.arange(len(slot_session)) - slot_offset[slot_session]
    slot_product = sampler.draw(rng, key[slot_session], user[slot_session])
    slot_product[slot_offset] = first_item
    pair_slots = slot_offset[paired] + 1
    slot_product[pair_slots] = partner[paired]
    # Beyond the basket, shoppers mostly browse the category of their first item.
    browsing = ((slot_pos >= np.maximum(n_lines[slot_session], 1 + paired[slot_session]))
                & (rng.random(len(slot_pos)) < 0.6))
    browse = ProductSampler(browse_weights(shop.plan, shop.catalog, shop.start, days))
    n_categories = len(shop.catalog.categories)
    browse_key = ((day[slot_session[browsing]] - first_day) * n_categories
                  + shop.catalog.category[first_item[slot_session[browsing]]])
    slot_product[browsing] = browse.draw(rng, browse_key)

    # Expand sessions into events in funnel order.
    n_purchase = np.where(bought, n_lines, 0)
    n_events = login + n_views + n_search + n_lines + n_purchase
    ev_offset = np.concatenate([[0], np.cumsum(n_events)[:-1]])
    sess = np.repeat(np.arange(n), n_events)
    j = np.arange(len(sess)) - ev_offset[sess]
    a = login[sess].astype(np.int64)
    ns, nv, nl = n_search[sess], n_views[sess], n_lines[sess]
    etype = np.full(len(sess), VIEW, dtype=np.int64)
    slot = np.full(len(sess), -1, dtype=np.int64)
    etype[j < a] = LOGIN
    is_first_view = j == a
    slot[is_first_view] = 0
    is_search = (j > a) & (j <= a + ns)
    etype[is_search] = SEARCH
    is_view = (j > a + ns) & (j < a + ns + nv)
    slot[is_view] = (j - a - ns)[is_view]
    cart_start = a + ns + nv
    is_cart = (j >= cart_start) & (j < cart_start + nl)
    etype[is_cart] = CART
    slot[is_cart] = (j - cart_start)[is_cart]
    is_purchase = j >= cart_start + nl
    etype[is_purchase] = PURCHASE
    slot[is_purchase] = (j - cart_start - nl)[is_purchase]
    has_product = slot >= 0
    product = np.full(len(sess), -1, dtype=np.int64)
    product[has_product] = slot_product[slot_offset[sess[has_product]] + slot[has_product]]
    category = np.where(has_product, shop.catalog.category[np.maximum(product, 0)], -1)
    # A search names the category of what the shopper then looks at.
    next_slot = np.minimum(1, nv[is_search] - 1)
    category[is_search] = shop.catalog.category[slot_product[slot_offset[sess[is_search]] + next_slot]]

    # Quantity and price per cart/purchase line (the purchase repeats its cart line).
    line_slot = slot_offset[sess] + np.maximum(slot, 0)
    cheap = shop.catalog.price[np.maximum(product, 0)] < 15
    qty_draw = rng.random(len(slot_product))[line_slot]
    qty = np.where(cheap, 1 + (qty_draw < 0.3) + (qty_draw < 0.1), 1 + (qty_draw < 0.08) + (qty_draw < 0.01))
    qty = np.where(is_cart | is_purchase, qty, 0)

    # Times: browsing gaps of ~35 s; all lines of an order are placed at the same instant.
    gaps = rng.exponential(35.0, len(sess)).astype(np.int64) + 2
    gaps[j == 0] = 0
    gaps[is_purchase & (j > cart_start + nl)] = 0
    cum = np.cumsum(gaps)
    time = start[sess] + cum - cum[ev_offset][sess]

    # A promotion's price holds on its local days, by each event's own time (a session may pass midnight).
    paid_in = shop.region_currency[region[sess]]
    discount = promotion_discount(shop.plan, product, shop.clock.local_day(region[sess], time))
    list_price = shop.catalog.prices[paid_in, np.maximum(product, 0)]
    price = np.where(has_product, np.round(list_price * (1 - discount), 2), np.nan)
    currency = np.where(has_product, paid_in, -1)

    u = user[sess]
    cols = EventCols(
        time=time, etype=etype, user=u, session=sess, product=product, category=category, qty=qty,
        price=price, currency=currency, region=region[sess], city=users.city[u], lat=users.lat[u],
        lon=users.lon[u], device=device[sess], channel=channel[sess], order=np.where(is_purchase, sess, -1),
    )
    purchase_rows = np.flatnonzero(is_purchase)
    facts = {"start": start, "bought": bought, "user": user, "device": device, "region": region,
             "purchase_rows": purchase_rows}
    return cols, facts


def block_orders(shop: Shop, cols: EventCols, facts: dict, order_number: np.ndarray) -> OrderCols:
    """Orders of the bought sessions of a block; `order_number` maps session index -> order number."""
    rows = facts["purchase_rows"]
    sessions = cols.session[rows]  # still local session indices, grouped by session
    bought_sessions = np.flatnonzero(facts["bought"])
    row_of_session = np.full(len(facts["bought"]), -1, dtype=np.int64)
    row_of_session[bought_sessions] = np.arange(len(bought_sessions))
    users = shop.users
    user = facts["user"][bought_sessions]
    placed = np.full(len(bought_sessions), 0, dtype=np.int64)
    placed[row_of_session[sessions]] = cols.time[rows]
    n = len(bought_sessions)
    return OrderCols(
        order=order_number[bought_sessions], user=user, placed=placed, region=users.region[user],
        city=users.city[user], lat=users.lat[user], lon=users.lon[user],
        address=users.address.take(pa.array(user)),
        currency=shop.region_currency[users.region[user]], device=facts["device"][bought_sessions],
        forced_status=np.full(n, -1), return_rate=np.zeros(n), complaint=np.zeros(n, dtype=bool),
        line_order=row_of_session[sessions], line_product=cols.product[rows], line_qty=cols.qty[rows],
        line_price=cols.price[rows],
    )
