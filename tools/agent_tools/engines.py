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
from typing import TYPE_CHECKING, Literal

from tools.embeddings import TextEmbedder
from tools.errors import EngineInputError
from tools.events.regions import COUNTRIES, UnknownRegion, all_regions, get_region
from tools.events.store import EventStore

if TYPE_CHECKING:
    from tools.knowledge import KnowledgeBase
    from tools.recommend.engine import Recommender


class UnknownProduct(EngineInputError):
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
        countries = ", ".join(country.name for country in COUNTRIES)
        raise UnknownRegion(f"{exc} Cities and countries ({countries}) work too.") from None
    return Place("region", region.name, region.name)


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

    def resolve_product(self, name_or_id: str) -> tuple[str, str]:
        """(product_id, name) for an id like 'P0042' or a name ('trailblazer hiking boot')."""
        text = name_or_id.strip()
        con = self.store.connect()
        row = con.execute(
            "SELECT product_id, name FROM products WHERE upper(product_id) = upper(?)", [text]
        ).fetchone()
        if row:
            return row[0], row[1]
        words = [w for w in text.lower().split() if len(w) > 2]
        if words:
            score = " + ".join("CAST(contains(lower(name), ?) AS INTEGER)" for _ in words)
            row = con.execute(
                f"SELECT product_id, name, {score} AS s FROM products ORDER BY s DESC, length(name) LIMIT 1",
                words
            ).fetchone()
            if row and row[2] >= max(1, (len(words) + 1) // 2):
                return row[0], row[1]
        raise UnknownProduct(
            f"No product matches {name_or_id!r}. Use a product id like P0042 or words from the product's "
            "name."
        )
