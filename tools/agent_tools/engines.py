"""The engines behind the LLM-facing tools, opened lazily once per process, and name resolution.

Models say "Lyon", "Bavaria", "Germany" or "Trailblazer boots"; the engines want a city, region or country
filter and a product id. Resolution happens here, with errors that list what is valid.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tools.embeddings import TextEmbedder
from tools.errors import EngineInputError
from tools.events.categories import shop_categories
from tools.events.profile import Place, ShopProfile, UnknownPlace
from tools.events.store import EventStore

if TYPE_CHECKING:
    from tools.knowledge import KnowledgeBase
    from tools.recommend.engine import Recommender


class UnknownProduct(EngineInputError):
    """A product name or id the catalogue does not have."""


def resolve_place(profile: ShopProfile, name: str) -> Place:
    """'Lyon' -> the city, 'Bavaria' -> the region, 'Germany'/'DE' -> the country (a region wins over a
    city of the same name, as a region named after its main city means the region)."""
    for level in ("country", "region", "city"):
        found = profile.find(name, level)  # type: ignore[arg-type]
        if len(found) == 1:
            return found[0]
        if found:
            return profile.place(name, level)  # type: ignore[arg-type]  # ambiguous: says which ones
    countries = ", ".join(p.name for p in profile.at_level("country"))
    regions = ", ".join(p.name for p in profile.at_level("region"))
    raise UnknownPlace(f"{name!r} is not one of this shop's places: its countries are {countries}; its "
                       f"regions {regions}; and their cities.")


def shop_products(store: EventStore) -> tuple[tuple[str, str], ...]:
    """The catalogue's (product_id, name) pairs, and the ids only the events name as their own names (an
    export without a products table), by id."""
    with store.connect() as con:
        rows = con.execute(
            "SELECT product_id, name FROM products WHERE name IS NOT NULL "
            "UNION ALL SELECT DISTINCT product_id, product_id FROM events WHERE product_id IS NOT NULL "
            "AND product_id NOT IN (SELECT product_id FROM products WHERE name IS NOT NULL) ORDER BY 1"
        ).fetchall()
    return tuple((str(pid), str(name)) for pid, name in rows)


@dataclass
class ShopEngines:
    """Engines over one store and knowledge base; each opened on first use and shared by all sessions.

    The knowledge base and the recommender are expensive to open (an index, trained models), so the
    composition root hands over how to open them and they open on the first call that needs them.
    """

    store: EventStore
    embedder: TextEmbedder
    anomaly_dir: Path  # fraud labels, detector state, review-embedding cache
    open_knowledge_base: Callable[[], KnowledgeBase]
    open_recommender: Callable[[], Recommender]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def kb(self) -> KnowledgeBase:
        with self._lock:
            return self.open_knowledge_base()

    @cached_property
    def recommender(self) -> Recommender:
        with self._lock:
            return self.open_recommender()

    def profile(self) -> ShopProfile:
        """The shop's profile (its places, currency, categories), as stored with its data."""
        return self.store.profile()

    def resolve_place(self, name: str) -> Place:
        """A place named by the model, resolved against the shop's profile."""
        return resolve_place(self.store.profile(), name)

    def categories(self) -> tuple[str, ...]:
        """The shop's categories (`shop_categories`)."""
        with self.store.connect() as con:
            return shop_categories(con, self.store.profile())

    def products(self) -> tuple[tuple[str, str], ...]:
        """The shop's products as (id, name) (`shop_products`)."""
        return shop_products(self.store)

    def customer_country(self, user_id: str) -> str | None:
        """The country (ISO code) a customer's latest order went to (its shipping country, else that of its
        city or region in the profile); None where no order says, or for engines without a store."""
        if self.store is None:
            return None
        row = self.store.connect().execute(
            "SELECT shipping_country, shipping_city, shipping_region FROM orders WHERE user_id = ? "
            "ORDER BY placed_at DESC LIMIT 1", [user_id]).fetchone()
        if row is None or row[0]:
            return str(row[0]) if row else None
        places = [p for name in row[1:] if name for p in self.store.profile().find(str(name))]
        return places[0].country if places else None

    def resolve_product(self, name_or_id: str) -> tuple[str, str]:
        """(product_id, name) for an id ('P0042'; one the events name where the catalogue lacks it: an
        export without a products table) or a name ('trailblazer hiking boot'); the id is the name of a
        product the catalogue does not name."""
        from tools.forecast.scope import event_product, product_hint

        text = name_or_id.strip()
        con = self.store.connect()
        row = con.execute(
            "SELECT product_id, name FROM products WHERE upper(product_id) = upper(?)", [text]
        ).fetchone() or event_product(con, text)
        if row:
            return row[0], row[1] or row[0]
        words = [w for w in text.lower().split() if len(w) > 2]
        if words:
            score = " + ".join("CAST(contains(lower(name), ?) AS INTEGER)" for _ in words)
            row = con.execute(
                f"SELECT product_id, name, {score} AS s FROM products ORDER BY s DESC, length(name) LIMIT 1",
                words
            ).fetchone()
            if row and row[2] >= max(1, (len(words) + 1) // 2):
                return row[0], row[1]
        raise UnknownProduct(f"No product matches {name_or_id!r}. {product_hint(con)}")
