"""The shop's customers as the store knows them (the users table joined to their orders)."""

from __future__ import annotations

from dataclasses import dataclass

from tools.events.store import EventStore


@dataclass(frozen=True)
class CustomerSummary:
    """A customer from the users table, with how many orders they placed."""

    user_id: str
    name: str
    city: str | None
    orders: int


def customers_with_most_orders(store: EventStore, limit: int) -> list[CustomerSummary]:
    """The `limit` customers with the most orders, most first (ties by user id, so the order is stable)."""
    with store.connect() as con:
        rows = con.execute(
            """SELECT u.user_id, u.name, u.home_city, count(o.order_id) AS n
               FROM users u JOIN orders o USING (user_id)
               GROUP BY ALL ORDER BY n DESC, u.user_id LIMIT ?""",
            [limit],
        ).fetchall()
    return [CustomerSummary(user_id, name or user_id, city, int(n)) for user_id, name, city, n in rows]
