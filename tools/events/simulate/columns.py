"""Column containers of the generator (integer codes in numpy) and their conversion to the canonical Arrow
tables.

Strings (ids, names) are only materialised at the end, by Arrow's C++ kernels, so that ten million events
cost seconds rather than minutes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tools.events.schema import CHANNELS, EVENT_TYPES, EVENTS, ORDER_STATUSES, ORDERS
from tools.events.simulate.settings import Geography

VIEW, SEARCH, CART, PURCHASE, REFUND, LOGIN = (EVENT_TYPES.index(t) for t in
                                               ("view", "search", "cart", "purchase", "refund", "login"))
SHOP_CHANNELS = tuple(c for c in CHANNELS if c != "import")


@dataclass
class EventCols:
    """Events as code arrays. -1 (or NaN) marks a null; quantity 0 is null."""

    time: np.ndarray  # int64 seconds since the epoch, UTC
    etype: np.ndarray
    user: np.ndarray
    session: np.ndarray
    product: np.ndarray
    category: np.ndarray
    qty: np.ndarray
    price: np.ndarray
    currency: np.ndarray
    region: np.ndarray
    city: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    device: np.ndarray
    channel: np.ndarray
    order: np.ndarray

    def __len__(self) -> int:
        return len(self.time)

    def take(self, index: np.ndarray) -> EventCols:
        return EventCols(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(parts: list[EventCols]) -> EventCols:
        return EventCols(**{f.name: np.concatenate([getattr(p, f.name) for p in parts])
                            for f in fields(EventCols)})

    @staticmethod
    def from_rows(rows: list[dict]) -> EventCols:
        """Build from a few dict rows (planted sessions); missing keys are null."""
        defaults = {"session": -1, "product": -1, "category": -1, "qty": 0, "price": np.nan, "currency": -1,
                    "order": -1}
        cols = {}
        for f in fields(EventCols):
            values = [row.get(f.name, defaults.get(f.name)) for row in rows]
            cols[f.name] = np.array(values,
                                    dtype=np.float64 if f.name in ("price", "lat", "lon") else np.int64)
        return EventCols(**cols)


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """"P0001"-style ids for integer numbers; negative numbers become null."""
    numbers = np.asarray(numbers, dtype=np.int64)
    text = pc.utf8_lpad(pa.array(numbers, mask=numbers < 0).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def _lookup(values: list[str] | np.ndarray, codes: np.ndarray) -> pa.Array:
    """Strings by integer code; negative codes become null (dictionary decode in C++)."""
    codes = np.asarray(codes, dtype=np.int32)
    dictionary = pa.array(list(values), pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), dictionary).cast(pa.string())


def _seconds_to_timestamp(seconds: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(seconds, dtype=np.int64) * 1_000_000, pa.int64()).cast(
        pa.timestamp("us", tz="UTC")
    )


@dataclass
class Names:
    """String dictionaries the tables are decoded with."""

    product_ids: pa.Array
    user_ids: pa.Array
    city_names: np.ndarray
    device_label: np.ndarray  # printed number per internal device index
    geography: Geography
    categories: tuple[str, ...]

    @property
    def region_names(self) -> list[str]:
        return [r.name for r in self.geography.regions]

    @property
    def region_countries(self) -> list[str]:
        return [r.country for r in self.geography.regions]


def events_table(cols: EventCols, names: Names) -> pa.Table:
    """The canonical events table for `cols`."""
    qty = cols.qty.astype(np.int32)
    product = cols.product.astype(np.int64)
    columns = {
        "event_time": _seconds_to_timestamp(cols.time),
        "event_type": _lookup(EVENT_TYPES, cols.etype),
        "user_id": names.user_ids.take(pa.array(cols.user)),
        "session_id": prefixed_ids("S", cols.session, 9),
        "product_id": names.product_ids.take(pa.array(product, mask=product < 0)),
        "category": _lookup(names.categories, cols.category),
        "quantity": pa.array(qty, mask=qty <= 0),
        "price": pa.array(cols.price, mask=np.isnan(cols.price)),
        "currency": _lookup(names.geography.currencies, cols.currency),
        "country": _lookup(names.region_countries, cols.region),
        "region": _lookup(names.region_names, cols.region),
        "city": _lookup(names.city_names, cols.city),
        "lat": pa.array(cols.lat),
        "lon": pa.array(cols.lon),
        "device_id": prefixed_ids("D", names.device_label[cols.device], 7),
        "channel": _lookup(SHOP_CHANNELS, cols.channel),
        "order_id": prefixed_ids("O", cols.order, 8),
    }
    return pa.Table.from_arrays([columns[f.name] for f in EVENTS], schema=EVENTS)


@dataclass
class OrderCols:
    """Orders as arrays (one row per order) plus their lines (line_order holds the row index of the order)."""

    order: np.ndarray  # order number
    user: np.ndarray
    placed: np.ndarray  # int64 seconds
    region: np.ndarray  # shipping region
    city: np.ndarray  # shipping city
    lat: np.ndarray
    lon: np.ndarray
    address: pa.Array
    currency: np.ndarray
    device: np.ndarray
    forced_status: np.ndarray  # -1, or an index into ORDER_STATUSES decided by the plot (fraud)
    return_rate: np.ndarray  # extra return probability (a defective batch)
    complaint: np.ndarray  # bool: belongs to the planted complaint wave
    line_order: np.ndarray  # per line: row index into the order arrays above
    line_product: np.ndarray
    line_qty: np.ndarray
    line_price: np.ndarray

    def __len__(self) -> int:
        return len(self.order)

    @staticmethod
    def concat(parts: list[OrderCols]) -> OrderCols:
        merged = {}
        offset = np.cumsum([0] + [len(p) for p in parts[:-1]])
        for f in fields(OrderCols):
            if f.name == "address":
                merged[f.name] = (pa.concat_arrays([p.address for p in parts]) if parts
                                  else pa.array([], pa.string()))
            elif f.name == "line_order":
                merged[f.name] = np.concatenate([p.line_order + o for p, o in zip(parts, offset)])
            else:
                merged[f.name] = np.concatenate([getattr(p, f.name) for p in parts])
        return OrderCols(**merged)


def items_json(orders: OrderCols, names: Names, product_names: np.ndarray) -> pa.Array:
    """The `items` column: one JSON list of {product_id, name, quantity, price} per order."""
    name_json = pa.array([json.dumps(str(n)) for n in product_names], pa.string())
    product = pa.array(orders.line_product)
    price_text = pc.cast(pa.array(np.round(orders.line_price, 2)), pa.string())
    line_text = pc.binary_join_element_wise(
        '{"product_id": "', names.product_ids.take(product), '", "name": ', name_json.take(product),
        ', "quantity": ', pc.cast(pa.array(orders.line_qty), pa.string()), ', "price": ', price_text, "}", "",
    )
    # Lines are grouped by order already: build a list array from the offsets and join each list.
    offsets = np.searchsorted(orders.line_order, np.arange(len(orders) + 1)).astype(np.int32)
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), line_text), ", ")
    return pc.binary_join_element_wise("[", joined, "]", "")


def orders_table(orders: OrderCols, status: np.ndarray, updated: np.ndarray, estimate: np.ndarray,
                 names: Names, product_names: np.ndarray) -> pa.Table:
    """The canonical orders table."""
    amount = np.bincount(orders.line_order, weights=orders.line_qty * orders.line_price,
                         minlength=len(orders))
    columns = {
        "order_id": prefixed_ids("O", orders.order, 8),
        "user_id": names.user_ids.take(pa.array(orders.user)),
        "items": items_json(orders, names, product_names),
        "amount": pa.array(np.round(amount, 2)),
        "currency": _lookup(names.geography.currencies, orders.currency),
        "status": _lookup(ORDER_STATUSES, status),
        "placed_at": _seconds_to_timestamp(orders.placed),
        "updated_at": _seconds_to_timestamp(updated),
        "shipping_country": _lookup(names.region_countries, orders.region),
        "shipping_region": _lookup(names.region_names, orders.region),
        "shipping_city": _lookup(names.city_names, orders.city),
        "shipping_address": orders.address,
        "shipping_lat": pa.array(orders.lat),
        "shipping_lon": pa.array(orders.lon),
        "delivery_estimate": pa.array(estimate.astype("datetime64[D]")),
        "device_id": prefixed_ids("D", names.device_label[orders.device], 7),
    }
    return pa.Table.from_arrays([columns[f.name] for f in ORDERS], schema=ORDERS)
