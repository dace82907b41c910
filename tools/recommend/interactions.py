"""Data preparation for the recommender, in DuckDB SQL over the event store (no Python loops over events).

Everything is cut at `until` (exclusive, UTC) so a benchmark can hold out the last days. Ids become dense
indices in SQL (`rec_users`, `rec_items` temp tables); the results come back as NumPy arrays and are
assembled into sparse matrices:

- user x item confidences from weighted events (purchase > cart > view; refunds take weight back),
- user x item purchase counts (to filter what was already bought and to explain recommendations),
- basket x item matrices with the basket's region (bought together): a basket is an order; purchases
  without an order id fall back to the customer's purchases in one session, else on one (UTC) day,
- region x local time slot x item counts (context), in each region's own time zone,
- browsing transitions and paths per session (next item), and each user's order sequence (basket value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import numpy as np
import pandas as pd
import scipy.sparse as sp

from tools.events.money import Money
from tools.recommend.context import N_SLOTS, SLOT_SQL, ContextCounts, ContextRegion

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)

# The basket a purchase line belongs to, over events `e`: its order; without one (exports often have
# none), the customer's session, else the customer's (UTC) day. The prefix keeps the three kinds apart.
BASKET_SQL = ("coalesce('order:' || e.order_id, 'session:' || e.session_id, "
              "'day:' || e.user_id || '@' || strftime(e.event_time, '%Y-%m-%d'))")


@dataclass(frozen=True)
class EventWeights:
    """How much one event of each type says about a user wanting an item."""

    view: float = 1.0
    cart: float = 4.0
    purchase: float = 10.0
    refund: float = -10.0  # a returned item takes its purchase's weight back


class IdIndex:
    """Dense 0..n-1 indices for string ids, in a fixed order."""

    def __init__(self, ids: Sequence[str] | np.ndarray):
        self.ids = np.asarray(ids, dtype=str)
        self._positions = {value: i for i, value in enumerate(self.ids.tolist())}

    def __len__(self) -> int:
        return len(self.ids)

    def get(self, value: str) -> int | None:
        """The index of `value`, or None when unknown."""
        return self._positions.get(value)

    def __getitem__(self, index: int) -> str:
        return str(self.ids[index])


@dataclass(frozen=True)
class DataSnapshot:
    """Which data a model saw: enough to tell whether the store has moved on since."""

    n_events: int
    first_event: str | None
    last_event: str | None
    until: str | None


@dataclass
class Interactions:
    """Everything the models train on, indexed consistently by `users` and `items`."""

    users: IdIndex
    items: IdIndex
    user_items: sp.csr_matrix  # float32 confidences log1p(weight), users x items
    purchased: sp.csr_matrix  # float32 purchase counts, users x items
    baskets: sp.csr_matrix  # float32, baskets x items (1 = in the basket; see BASKET_SQL)
    basket_regions: np.ndarray  # int16 region index per basket (-1 unknown)
    user_regions: np.ndarray  # int16 home region index per user (-1 unknown)
    user_cities: np.ndarray  # str home city per user ("" unknown)
    context_counts: ContextCounts
    regions: tuple[ContextRegion, ...]  # the shop's regions at training time; index = context index
    products: pd.DataFrame  # one row per item index: product_id, name, category, description, price, stock
    snapshot: DataSnapshot


def _sparse(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    return sp.csr_matrix((values.astype(np.float32), (rows, cols)), shape=shape)


def prepare_indices(
    con: duckdb.DuckDBPyConnection, regions: tuple[ContextRegion, ...], until: datetime | None = None
) -> None:
    """Create temp tables `rec_users`, `rec_items`, `rec_regions` mapping ids to dense indices."""
    params = {"until": until or FAR_FUTURE}
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE rec_users AS
        SELECT user_id, (row_number() OVER (ORDER BY user_id) - 1)::INTEGER AS uidx
        FROM (SELECT user_id FROM users
              UNION SELECT DISTINCT user_id FROM events WHERE event_time < $until)
        """,
        params,
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE rec_items AS
        SELECT product_id, (row_number() OVER (ORDER BY product_id) - 1)::INTEGER AS iidx
        FROM (SELECT product_id FROM products
              UNION SELECT DISTINCT product_id FROM events
                    WHERE product_id IS NOT NULL AND event_time < $until)
        """,
        params,
    )
    frame = pd.DataFrame(
        {"region": [r.name for r in regions], "tz": [r.tz for r in regions]}, dtype=object
    ).reset_index(names="ridx")
    con.register("rec_regions_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE rec_regions AS SELECT ridx::SMALLINT AS ridx, region, tz "
                "FROM rec_regions_frame")
    con.unregister("rec_regions_frame")


def load_interactions(
    con: duckdb.DuckDBPyConnection,
    regions: tuple[ContextRegion, ...],
    money: Money,
    until: datetime | None = None,
    weights: EventWeights = EventWeights(),
    context_prior: float = 3000.0,
    half_life_days: float = 90.0,
) -> Interactions:
    """Build the training matrices from events before `until` (all events when None).

    Context counts weigh an event by 0.5 ** (age in days / `half_life_days`), age measured from the
    last event before `until`, so "popular there and then" means lately, not last year.
    """
    prepare_indices(con, regions, until)
    params = {"until": until or FAR_FUTURE}
    users = IdIndex(con.execute("SELECT user_id FROM rec_users ORDER BY uidx").fetchnumpy()["user_id"])
    items = IdIndex(con.execute("SELECT product_id FROM rec_items ORDER BY iidx").fetchnumpy()["product_id"])
    n_users, n_items = len(users), len(items)

    weight_sql = (
        "CASE e.event_type WHEN 'view' THEN $w_view WHEN 'cart' THEN $w_cart "
        "WHEN 'purchase' THEN $w_purchase WHEN 'refund' THEN $w_refund ELSE 0 END"
    )
    weight_params = {
        "w_view": weights.view, "w_cart": weights.cart, "w_purchase": weights.purchase,
        "w_refund": weights.refund,
    }
    pairs = con.execute(
        f"""
        SELECT u.uidx, i.iidx,
               sum({weight_sql}) AS weight,
               count(*) FILTER (WHERE e.event_type = 'purchase') AS purchases
        FROM events e JOIN rec_users u USING (user_id) JOIN rec_items i USING (product_id)
        WHERE e.event_type IN ('view', 'cart', 'purchase', 'refund') AND e.event_time < $until
        GROUP BY ALL
        """,
        {**params, **weight_params},
    ).fetchnumpy()
    positive = pairs["weight"] > 0
    user_items = _sparse(
        pairs["uidx"][positive], pairs["iidx"][positive], np.log1p(pairs["weight"][positive]),
        (n_users, n_items)
    )
    bought = pairs["purchases"] > 0
    purchased = _sparse(pairs["uidx"][bought], pairs["iidx"][bought], pairs["purchases"][bought],
                        (n_users, n_items))

    basket_rows = con.execute(
        f"""
        SELECT (dense_rank() OVER (ORDER BY basket_key) - 1)::INTEGER AS basket, iidx,
               coalesce(r.ridx, -1)::SMALLINT AS ridx
        FROM (SELECT {BASKET_SQL} AS basket_key, i.iidx, any_value(e.region) AS region
              FROM events e JOIN rec_items i USING (product_id)
              WHERE e.event_type = 'purchase' AND e.event_time < $until
              GROUP BY ALL HAVING basket_key IS NOT NULL) b
        LEFT JOIN rec_regions r USING (region)
        """,
        params,
    ).fetchnumpy()
    n_baskets = int(basket_rows["basket"].max()) + 1 if len(basket_rows["basket"]) else 0
    baskets = _sparse(basket_rows["basket"], basket_rows["iidx"], np.ones(len(basket_rows["iidx"])),
                      (n_baskets, n_items))
    basket_regions = np.full(n_baskets, -1, dtype=np.int16)
    basket_regions[basket_rows["basket"]] = basket_rows["ridx"]

    home = con.execute(
        """
        SELECT u.uidx, coalesce(r.ridx, -1)::SMALLINT AS ridx, coalesce(users.home_city, '') AS city
        FROM rec_users u JOIN users USING (user_id) LEFT JOIN rec_regions r ON users.home_region = r.region
        """
    ).fetchnumpy()
    user_regions = np.full(n_users, -1, dtype=np.int16)
    user_regions[home["uidx"]] = home["ridx"]
    user_cities = np.full(n_users, "", dtype=object)
    user_cities[home["uidx"]] = home["city"]
    user_cities = user_cities.astype(str)

    data = snapshot(con, until)
    # Every event counts towards the shop-wide shares; only those in a known region have a local slot.
    context = con.execute(
        f"""
        SELECT coalesce(ridx, -1)::SMALLINT AS ridx, coalesce({SLOT_SQL}, -1)::INTEGER AS slot, iidx,
               sum(weight * decay) AS recent, sum(weight) AS all_time
        FROM (SELECT r.ridx, i.iidx, timezone(r.tz, e.event_time) AS local, {weight_sql} AS weight,
                     pow(0.5, date_diff('second', e.event_time, $reference) / 86400.0 / $half_life) AS decay
              FROM events e JOIN rec_items i USING (product_id) LEFT JOIN rec_regions r USING (region)
              WHERE e.event_type IN ('view', 'cart', 'purchase') AND e.event_time < $until)
        GROUP BY ALL
        """,
        {
            **params,
            **weight_params,
            "reference": datetime.fromisoformat(data.last_event) if data.last_event else FAR_PAST,
            "half_life": half_life_days,
        },
    ).fetchnumpy()
    counts = np.zeros((len(regions), N_SLOTS, n_items), dtype=np.float32)
    local = context["ridx"] >= 0
    np.add.at(counts, (context["ridx"][local], context["slot"][local], context["iidx"][local]),
              context["recent"][local])
    recent = np.bincount(context["iidx"], weights=context["recent"], minlength=n_items).astype(np.float32)
    all_time = np.bincount(context["iidx"], weights=context["all_time"], minlength=n_items).astype(np.float32)
    products = product_details(con, money, until)

    return Interactions(
        users=users,
        items=items,
        user_items=user_items,
        purchased=purchased,
        baskets=baskets,
        basket_regions=basket_regions,
        user_regions=user_regions,
        user_cities=user_cities,
        context_counts=ContextCounts(
            counts, all_time, products["category"].astype("category").cat.codes.to_numpy(np.int64),
            context_prior, recent=recent
        ),
        regions=regions,
        products=products,
        snapshot=data,
    )


def product_details(con: duckdb.DuckDBPyConnection, money: Money, until: datetime | None) -> pd.DataFrame:
    """One row per item index: product_id, name, category, description, price (reporting currency), stock.

    What the catalogue lacks comes from the events where they have it: the category most events give, the
    price of the latest purchase. A name stays missing (None) rather than repeating the id.
    """
    catalogue_rate = money.sql("p.currency", "current_date")
    event_rate = money.sql("e.currency", "e.event_time")
    return con.execute(
        f"""
        SELECT i.product_id, p.name, coalesce(p.category, seen.category) AS category, p.description,
               coalesce(p.price * {catalogue_rate}, seen.price) AS price, p.stock
        FROM rec_items i LEFT JOIN products p USING (product_id)
        LEFT JOIN (SELECT e.product_id, mode(e.category) AS category,
                          arg_max(e.price * {event_rate}, e.event_time)
                              FILTER (WHERE e.event_type = 'purchase') AS price
                   FROM events e WHERE e.event_time < $until GROUP BY ALL) seen USING (product_id)
        ORDER BY i.iidx
        """,
        {"until": until or FAR_FUTURE},
    ).df()


def snapshot(con: duckdb.DuckDBPyConnection, until: datetime | None = None) -> DataSnapshot:
    """Count and time range of the events before `until`."""
    n, first, last = con.execute(
        "SELECT count(*), min(event_time), max(event_time) FROM events WHERE event_time < $until",
        {"until": until or FAR_FUTURE},
    ).fetchone()
    return DataSnapshot(
        n_events=int(n),
        first_event=first.isoformat() if first else None,
        last_event=last.isoformat() if last else None,
        until=until.isoformat() if until else None,
    )


def prepare_session_steps(con: duckdb.DuckDBPyConnection, until: datetime | None = None) -> None:
    """Create temp table `rec_steps`: each browsing step (view or cart) with the two steps before it.

    A view followed by a cart of the same item is one step. Needs `prepare_indices` first.
    """
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE rec_steps AS
        WITH steps AS (
            SELECT e.session_id, i.iidx, e.event_time,
                   lag(i.iidx) OVER (PARTITION BY e.session_id ORDER BY e.event_time, i.iidx) AS before
            FROM events e JOIN rec_items i USING (product_id)
            WHERE e.event_type IN ('view', 'cart') AND e.session_id IS NOT NULL AND e.event_time < $until
        ),
        path AS (SELECT session_id, iidx, event_time FROM steps WHERE before IS DISTINCT FROM iidx)
        SELECT session_id, iidx, event_time,
               lag(iidx) OVER w AS p1, lag(iidx, 2) OVER w AS p2,
               min(event_time) OVER (PARTITION BY session_id) AS session_start
        FROM path WINDOW w AS (PARTITION BY session_id ORDER BY event_time, iidx)
        """,
        {"until": until or FAR_FUTURE},
    )


def transition_counts(
    con: duckdb.DuckDBPyConnection, until: datetime | None = None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Browsing transitions before `until`: first order (p1 -> nxt) and second order (p2, p1 -> nxt), counted.

    Needs `prepare_session_steps` first.
    """
    params = {"until": until or FAR_FUTURE}
    first = con.execute(
        "SELECT p1, iidx AS nxt, count(*)::INTEGER AS n FROM rec_steps "
        "WHERE p1 IS NOT NULL AND event_time < $until GROUP BY ALL",
        params,
    ).fetchnumpy()
    second = con.execute(
        "SELECT p2, p1, iidx AS nxt, count(*)::INTEGER AS n FROM rec_steps "
        "WHERE p2 IS NOT NULL AND event_time < $until GROUP BY ALL",
        params,
    ).fetchnumpy()
    return first, second


def session_paths(con: duckdb.DuckDBPyConnection, since: datetime) -> list[np.ndarray]:
    """The browsing path (item indices in order) of each session that started at or after `since`.

    Only sessions of two steps or more. Needs `prepare_session_steps` first.
    """
    rows = con.execute(
        """
        SELECT iidx, dense_rank() OVER (ORDER BY session_id) AS s FROM rec_steps
        WHERE session_start >= $since
        QUALIFY count(*) OVER (PARTITION BY session_id) >= 2
        ORDER BY session_id, event_time, iidx
        """,
        {"since": since},
    ).fetchnumpy()
    if not len(rows["s"]):
        return []
    cuts = np.flatnonzero(np.diff(rows["s"])) + 1
    return np.split(rows["iidx"].astype(np.int64), cuts)


def order_sequences(
    con: duckdb.DuckDBPyConnection, money: Money, until: datetime | None = None
) -> pd.DataFrame:
    """Every order (basket, see BASKET_SQL) before `until`: user index, time, amount (reporting currency) and
    item count, sorted by user and time. Orders with a line that has no price, or a currency without a rate,
    are left out: their amount is unknown.

    Needs `prepare_indices` on this connection first.
    """
    line = f"e.price * coalesce(e.quantity, 1) * {money.sql('e.currency', 'e.event_time')}"
    return con.execute(
        f"""
        SELECT u.uidx, min(e.event_time) AS placed_at, sum({line}) AS amount,
               sum(coalesce(e.quantity, 1))::INTEGER AS n_items
        FROM events e JOIN rec_users u USING (user_id)
        WHERE e.event_type = 'purchase' AND e.event_time < $until
        GROUP BY u.uidx, {BASKET_SQL}
        HAVING count({line}) = count(*)
        ORDER BY u.uidx, placed_at
        """,
        {"until": until or FAR_FUTURE},
    ).df()
