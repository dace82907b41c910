"""The names a shop gives the generator: its products, users, documents, places and currency."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tools.events.profile import ShopProfile


@dataclass(frozen=True)
class ShopFacts:
    """The names the generator fills phrasings with: the shop's products, users and documents, and its
    profile's places and currency (nothing here is the demo's unless the shop is the demo)."""

    products: list[tuple[str, str, str]]  # (product_id, name, category)
    users: list[str]
    passages: list[tuple[str, str, str]]  # (citation_id, title, text) of the shop's documents
    places: dict[str, list[str]]  # level -> the profile's place names at that level
    currency: str

    @property
    def categories(self) -> list[str]:
        """The catalogue's categories, in the order they first appear."""
        return list(dict.fromkeys(category for _, _, category in self.products))

    @classmethod
    def load(cls, store_root: Path, docs_dir: Path, profile: ShopProfile) -> ShopFacts:
        """Products and users from the store; passages from the Markdown documents; places and currency
        from `profile`."""
        from tools.events.store import EventStore
        from tools.knowledge.chunking import chunk_document
        from tools.knowledge.documents import load_corpus

        con = EventStore(store_root).connect()
        products = [
            tuple(r)
            for r in con.execute("SELECT product_id, name, category FROM products ORDER BY 1").fetchall()
        ]
        users = [r[0] for r in con.execute("SELECT user_id FROM users ORDER BY 1 LIMIT 500").fetchall()]
        passages = [
            (c.citation_id, f"{c.title} > {c.section}", c.text)
            for doc in load_corpus(docs_dir)
            for c in chunk_document(doc)
            if len(c.text) > 120
        ]
        if not products or not passages:
            raise ValueError(
                f"Synthesis needs the demo shop and its documents: found {len(products)} products in "
                f"{store_root} and {len(passages)} passages in {docs_dir}. Run `chronotope data demo` first."
            )
        places = {level: [p.name for p in profile.at_level(level)] for level in ("country", "region", "city")}
        return cls(products, users, passages, {k: v for k, v in places.items() if v}, profile.currency)
