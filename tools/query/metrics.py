"""What each metric means, as an ibis aggregate over the events table.

Definitions (all over the filtered events):
- orders: distinct order ids of purchase events; refunds: distinct order ids of refund events.
- revenue: sum of price x quantity of purchase events, in the shop's reporting currency (`reporting_amount`).
- units: sum of quantity of purchase events (a missing quantity counts as 1).
- sessions, unique_users: distinct session / user ids over all events.
- conversion_rate: sessions with a purchase / sessions; average_order_value: revenue / orders;
  refund_rate: refunds / orders (both in the same slice).
- views, carts, searches, events: numbers of view, cart, search and all events.
A metric reads only the event types it needs, so a group (a region, a product) appears in a result when it
has at least one such event: no rows of zero orders for products that were only viewed.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import ibis
import ibis.expr.types as ir

from tools.events.money import Money

# Metrics that are a ratio of two aggregates: undefined (NULL), not 0, over no events.
RATIO_METRICS: tuple[str, ...] = ("conversion_rate", "average_order_value", "refund_rate")

# Metrics counted per session first (see session_metric).
SESSION_METRICS: tuple[str, ...] = ("sessions", "conversion_rate")

# The event types a metric reads: the query keeps only these rows before anything else.
METRIC_EVENT_TYPES: dict[str, tuple[str, ...] | None] = {
    "orders": ("purchase",),
    "revenue": ("purchase",),
    "units": ("purchase",),
    "average_order_value": ("purchase",),
    "refunds": ("refund",),
    "refund_rate": ("purchase", "refund"),
    "views": ("view",),
    "carts": ("cart",),
    "searches": ("search",),
    "sessions": None,
    "unique_users": None,
    "conversion_rate": None,
    "events": None,
}


MONEY_METRICS: tuple[str, ...] = ("revenue", "average_order_value")


def reporting_amount(t: ir.Table, money: Money) -> ir.FloatingValue:
    """price x quantity in the reporting currency; NULL (left out of sums) for a currency without a rate."""
    currency = t.currency.fill_null(money.currency)
    branches = [(currency == money.currency, ibis.literal(1.0))]
    for code, since, rate in sorted(money.dated, key=lambda r: (r[0], r[1]), reverse=True):
        starts = ibis.timestamp(datetime.combine(since, time(), UTC))
        branches.append(((currency == code) & (t.event_time >= starts), ibis.literal(rate)))
    branches += [(currency == code, ibis.literal(rate)) for code, rate in money.rates]
    return t.price * t.quantity.fill_null(1) * ibis.cases(*branches, else_=ibis.null("float64"))


def session_metric(table: ir.Table, metric: str, keys: dict[str, ir.Value], name: str) -> ir.Table:
    """sessions or conversion_rate per combination of `keys`, as column `name`.

    Distinct counts dominate these queries, so they are counted per session first and then per group. On
    the query cache's session_hours (which has `single_`: the session has only that one row) single-row
    sessions, nearly all of them, are simply counted and only the rest are de-duplicated. Rows without a
    session keep their group in the result but count as no session.
    """
    single = table.single_ if "single_" in table.columns else ibis.literal(False)
    rows = table.select(**keys, session_=table.session_id, purchase_=table.event_type == "purchase",
                        single_=single)
    names = list(keys)

    def per_group(frame: ir.Table, **values: ir.Scalar) -> ir.Table:
        return frame.group_by(names).aggregate(**values) if names else frame.aggregate(**values)

    singles = rows.filter(rows.single_)
    singles = per_group(singles, sessions_=singles.count(),
                        bought_=singles.purchase_.cast("int64").sum().fill_null(0))
    multiple = rows.filter(~rows.single_)
    per_session = multiple.group_by([*names, "session_"]).aggregate(bought_=multiple.purchase_.any())
    known = per_session.session_.notnull()
    multiple = per_group(
        per_session,
        sessions_=per_session.count(where=known),
        bought_=per_session.bought_.cast("int64").sum(where=known).fill_null(0),
    )
    both = singles.union(multiple)
    both = per_group(both, sessions_=both.sessions_.sum(), bought_=both.bought_.sum())
    value = both.sessions_ if metric == "sessions" else both.bought_ / both.sessions_.nullif(0)
    return both.select(*names, **{name: value})


def metric_value(metric: str, t: ir.Table) -> ir.NumericScalar:
    """The aggregate for `metric` over the rows of `t` (sessions and conversion_rate: see session_metric)."""
    purchase = t.event_type == "purchase"
    refund = t.event_type == "refund"
    if metric == "orders":
        return t.order_id.nunique(where=purchase)
    if metric == "revenue":
        return t.reporting_amount.sum(where=purchase).fill_null(0.0)
    if metric == "units":
        return t.quantity.fill_null(1).sum(where=purchase).fill_null(0)
    if metric == "unique_users":
        return t.user_id.nunique()
    if metric == "average_order_value":
        return metric_value("revenue", t) / metric_value("orders", t).nullif(0)
    if metric == "refunds":
        return t.order_id.nunique(where=refund)
    if metric == "refund_rate":
        return metric_value("refunds", t) / metric_value("orders", t).nullif(0)
    if metric in ("views", "carts", "searches"):
        return t.count(where=t.event_type == {"views": "view", "carts": "cart", "searches": "search"}[metric])
    if metric == "events":
        return t.count()
    raise KeyError(metric)  # unreachable: QuerySpec only admits the metrics above
