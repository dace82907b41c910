"""The engines behind the LLM-facing tools, opened lazily once per process, and name resolution.

Models say "Lyon", "Bavaria", "Germany" or "Trailblazer boots"; the engines want a city, region or country
filter and a product id. Resolution happens here, with errors that list what is valid.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from tools.events.regions import COUNTRIES, UnknownRegion, all_regions, get_region
from tools.events.store import EventStore

if TYPE_CHECKING:
    from agent.config import Settings
    from tools.knowledge import KnowledgeBase
    from tools.recommend.engine import Recommender


class UnknownProduct(LookupError):
    """A product name or id the catalogue does not have."""


@dataclass(frozen=True)
class Place:
    """A resolved place: which column it filters and the canonical value."""

    level: Literal["city", "region", "country"]
    value: str  # city name, region name, or ISO country code
    label: str  # how to say it


def resolve_place(name: str) -> Place:
    """'Lyon' -> city, 'Bavaria' -> region, 'Germany'/'DE' -> country."""
    key = name.strip().lower()
    for country in COUNTRIES:
        if key in (country.code.lower(), country.name.lower()):
            return Place("country", country.code, country.name)
    for region in all_regions():
        for city in region.cities:
            if city.name.lower() == key and city.name != region.name:
                return Place("city", city.name, city.name)
    try:
        region = get_region(name)
    except UnknownRegion as exc:
        raise UnknownRegion(f"{exc} Cities and countries (France, Germany, Spain, Italy, United Kingdom) work too.") from None
    return Place("region", region.name, region.name)


class ShopBackends:
    """Engines over one store and knowledge base; each opened on first use and shared by all sessions."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()

    @cached_property
    def store(self) -> EventStore:
        return EventStore(self.settings.store_path)

    @cached_property
    def kb(self) -> KnowledgeBase:
        from tools.knowledge import KnowledgeBase

        return KnowledgeBase(self.settings)

    @cached_property
    def recommender(self) -> Recommender:
        from tools.recommend.engine import Recommender

        with self._lock:
            return Recommender.load_or_train(self.store, self.settings)

    def resolve_product(self, name_or_id: str) -> tuple[str, str]:
        """(product_id, name) for an id like 'P0042' or a name ('trailblazer hiking boot')."""
        text = name_or_id.strip()
        con = self.store.connect()
        row = con.execute("SELECT product_id, name FROM products WHERE upper(product_id) = upper(?)", [text]).fetchone()
        if row:
            return row[0], row[1]
        words = [w for w in text.lower().split() if len(w) > 2]
        if words:
            score = " + ".join("CAST(contains(lower(name), ?) AS INTEGER)" for _ in words)
            row = con.execute(
                f"SELECT product_id, name, {score} AS s FROM products ORDER BY s DESC, length(name) LIMIT 1", words
            ).fetchone()
            if row and row[2] >= max(1, (len(words) + 1) // 2):
                return row[0], row[1]
        raise UnknownProduct(
            f"No product matches {name_or_id!r}. Use a product id like P0042 or words from the product's name."
        )
