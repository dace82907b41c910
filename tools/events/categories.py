"""The shop's categories: what its profile lists, else what its catalogue and its events name.

Nothing here is the demo's: a shop that ingested "Turystyka" and "Kuchnia" has those categories, and a
name it does not have is refused with its own list.
"""

from __future__ import annotations

import duckdb

from tools.events.profile import ShopProfile


def shop_categories(con: duckdb.DuckDBPyConnection, profile: ShopProfile) -> tuple[str, ...]:
    """The profile's categories in its order, else those the products table and the events name, sorted.

    `con` is a connection of the store (`EventStore.connect()`: views `products` and `events`)."""
    if profile.categories:
        return profile.categories
    rows = con.execute(
        "SELECT DISTINCT category FROM products WHERE category IS NOT NULL "
        "UNION SELECT DISTINCT category FROM events WHERE category IS NOT NULL ORDER BY 1"
    ).fetchall()
    return tuple(str(row[0]) for row in rows)
