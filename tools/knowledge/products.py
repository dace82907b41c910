"""Semantic product search over the store's `products` table, with category, price and stock filters.

Products live in their own collection, one entry per product id. What is embedded (name, category,
description) is hashed: a product is re-embedded only when that text changes, while price, stock and
currency changes only rewrite its metadata, so refreshing stock before a search is cheap.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from tools.embeddings import TextEmbedder
from tools.knowledge.errors import IndexNotBuilt, InvalidQuery
from tools.knowledge.index import IndexReport, add_embedded, delete_ids, stored_metadata
from tools.knowledge.lexical import tokenize
from tools.knowledge.retrieval import MAX_K
from tools.knowledge.translation import SearchQueries
from tools.results import ChartSpec

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from tools.events.store import EventStore

PRODUCT_COLUMNS: tuple[str, ...] = ("product_id", "name", "category", "description", "price", "currency",
                                    "stock")
_LISTED = ("name", "category", "price", "currency", "stock")  # metadata compared to decide an update
# Relevance floor. A product is a match when it shares a word (stemmed) with the query besides the shopper's
# filler, or when its similarity reaches CONFIDENT_SCORE. Similarity alone cannot tell: measured on the demo
# shop's and the second shop's 600 products each, queries naming a category or a product's noun scored
# 0.28-0.62 at the top, and queries for things neither shop sells 0.16-0.40 ("snowboards" 0.36 and 0.38,
# "a tractor" 0.45 and 0.43, "a used motorbike" 0.41 and 0.40): no single floor separates them.
CONFIDENT_SCORE = 0.46
_FILLER = ("do does you sell sold have has any some looking want need buy find get show me please can could "
           "would like am is are there one something")


@functools.cache
def _filler_terms() -> frozenset[str]:
    """The stems of a shopper's filler words (tokenize loads the stemmer: not at import)."""
    return frozenset(tokenize([_FILLER])[0])


def product_text(name: str, category: str, description: str) -> str:
    """What is embedded for a product."""
    return f"{name}. {category}. {description}".strip()


def read_products(store: EventStore) -> pd.DataFrame:
    """The store's products table, the columns product search needs."""
    with store.connect() as con:
        return con.execute(f"SELECT {', '.join(PRODUCT_COLUMNS)} FROM products ORDER BY product_id").df()


def _clean(value: Any) -> Any:
    """None for missing values (chromadb metadata cannot hold NaN), plain Python types otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def _entry(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(embedded text, metadata) of one product row."""
    name, category = str(row.get("name") or ""), str(row.get("category") or "")
    description = str(row.get("description") or "")
    text = product_text(name, category, description)
    metadata = {
        "product_id": str(row["product_id"]),
        "name": name,
        "category": category,
        "description": description,
        "price": _clean(row.get("price")),
        "currency": _clean(row.get("currency")),
        "stock": _clean(row.get("stock")),
        "text_hash": hashlib.sha256(text.encode("utf-8")).hexdigest()[:32],
    }
    if metadata["price"] is not None:
        metadata["price"] = float(metadata["price"])
    if metadata["stock"] is not None:
        metadata["stock"] = int(metadata["stock"])
    return text, {key: value for key, value in metadata.items() if value is not None}


def sync_products(
    collection: Collection, products: pd.DataFrame, embedder: TextEmbedder, progress: bool = True
) -> IndexReport:
    """Make the collection hold exactly these products; re-embed only those whose text changed."""
    started = time.perf_counter()
    missing = [c for c in ("product_id", "name", "category", "description") if c not in products.columns]
    if missing:
        raise InvalidQuery(f"Products frame lacks columns {missing}; it needs {', '.join(PRODUCT_COLUMNS)}.")
    stored = stored_metadata(collection)
    embed: list[tuple[str, str, dict[str, Any]]] = []  # (id, text, metadata), new or changed text
    relist: list[tuple[str, dict[str, Any]]] = []  # same text, other price/stock/currency
    seen: set[str] = set()
    added = 0
    for row in products.to_dict(orient="records"):
        text, metadata = _entry(row)
        product_id = metadata["product_id"]
        if product_id in seen:
            raise InvalidQuery(f"Product id {product_id!r} appears twice in the products table; "
                               "ids must be unique.")
        seen.add(product_id)
        before = stored.get(product_id)
        if before is None:
            added += 1
            embed.append((product_id, text, metadata))
        elif before.get("text_hash") != metadata["text_hash"]:
            embed.append((product_id, text, metadata))
        elif any(before.get(key) != metadata.get(key) for key in _LISTED):
            relist.append((product_id, metadata))
    gone = [product_id for product_id in stored if product_id not in seen]

    add_embedded(
        collection,
        ids=[e[0] for e in embed],
        texts=[e[1] for e in embed],
        documents=[e[1] for e in embed],
        metadatas=[e[2] for e in embed],
        progress=progress,
        what="products",
        embedder=embedder,
        upsert=True,
    )
    for start in range(0, len(relist), 5000):
        batch = relist[start:start + 5000]
        collection.update(ids=[b[0] for b in batch], metadatas=[b[1] for b in batch])
    delete_ids(collection, gone)
    updated = len(embed) - added + len(relist)
    return IndexReport(
        collection=collection.name,
        added=added,
        updated=updated,
        removed=len(gone),
        unchanged=len(seen) - added - updated,
        chunks_added=len(embed),
        chunks_removed=len(gone),
        chunks_total=len(seen),
        seconds=time.perf_counter() - started,
    )


@dataclass
class ProductSearchResult:
    """Products matching a query and filters, best first (engine result: frame, summary, chart)."""

    query: str
    filters: dict[str, Any]
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    # when nothing matched: the categories of the nearest products, nearest first
    closest_categories: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: how many products and the top ones with price and stock."""
        where = f" ({', '.join(f'{k} {v}' for k, v in self.filters.items())})" if self.filters else ""
        if self.frame.empty:
            closest = (f" The closest categories: {', '.join(self.closest_categories)}."
                       if self.closest_categories else "")
            return f'No product matches "{self.query}"{where}.{closest} Try other words or wider filters.'
        items = "; ".join(
            # read back by tools.results.LISTED_PRICE
            f"{r.name} ({r.product_id}, {r.price:.2f} {r.currency}, {r.stock} in stock)"
            for r in self.frame.head(5).itertuples()
        )
        return f'{len(self.frame)} products for "{self.query}"{where}: {items}.'

    def chart(self) -> ChartSpec | None:
        """A table of the products, or None when there are none."""
        if self.frame.empty:
            return None
        table = self.frame[["rank", "product_id", "name", "category", "price", "currency", "stock", "score"]]
        return ChartSpec.from_frame("table", f'Products for "{self.query}"', table)


def _canonical_category(collection: Collection, category: str) -> str:
    """The category as the indexed products name it (case-insensitive match), or InvalidQuery listing
    theirs."""
    stored = sorted({m.get("category", "") for m in stored_metadata(collection).values()} - {""})
    for candidate in stored:
        if candidate.lower() == category.strip().lower():
            return candidate
    if not stored:
        raise InvalidQuery(f"Unknown category {category!r}: the indexed products have no categories.")
    raise InvalidQuery(f"Unknown category {category!r}. Valid categories: {', '.join(stored)}.")


def search_products(
    collection: Collection,
    embedder: TextEmbedder,
    queries: SearchQueries,
    k: int = 5,
    category: str | None = None,
    min_price: float | None = None,
    max_price: float | None = None,
    in_stock: bool | None = None,
) -> ProductSearchResult:
    """The `k` products closest in meaning to the query among those passing the filters, without those that
    are not about it (see CONFIDENT_SCORE); when none is, the result names the closest categories. A query
    with an English translation is embedded in English and matched by the words of both."""
    query = queries.original
    if not isinstance(query, str) or not query.strip():
        raise InvalidQuery(
            "The product query is empty; describe the product, e.g. 'waterproof hiking boots'."
        )
    if not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidQuery(f"k must be an integer from 1 to {MAX_K}, got {k!r}.")
    for label, price in (("min_price", min_price), ("max_price", max_price)):
        if price is not None and (not isinstance(price, (int, float)) or price < 0 or math.isnan(price)):
            raise InvalidQuery(f"{label} must be a non-negative number, got {price!r}.")
    if min_price is not None and max_price is not None and min_price > max_price:
        raise InvalidQuery(f"min_price ({min_price}) is above max_price ({max_price}); swap or widen them.")
    total = collection.count()
    if total == 0:
        raise IndexNotBuilt("The product index is empty; run `chronotope kb products --reindex` or "
                            "index_products().")

    filters: dict[str, Any] = {}
    clauses: list[dict[str, Any]] = []
    if category is not None:
        filters["category"] = _canonical_category(collection, category)
        clauses.append({"category": filters["category"]})
    if min_price is not None:
        filters["min price"] = float(min_price)
        clauses.append({"price": {"$gte": float(min_price)}})
    if max_price is not None:
        filters["max price"] = float(max_price)
        clauses.append({"price": {"$lte": float(max_price)}})
    if in_stock is not None:
        filters["in stock"] = bool(in_stock)
        clauses.append({"stock": {"$gt": 0}} if in_stock else {"stock": {"$lte": 0}})
    where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}

    found = collection.query(
        query_embeddings=embedder.encode([next(t for t in queries.texts if queries.embeds(t))]),
        n_results=min(k, total),
        where=where,
        include=["metadatas", "distances"],
    )
    terms = {term for tokens in tokenize(list(queries.texts)) for term in tokens} - _filler_terms()
    rows, nearest = [], []
    for meta, distance in zip(found["metadatas"][0], found["distances"][0]):
        score = 1.0 - float(distance)
        nearest.append(meta.get("category", ""))
        text = product_text(meta.get("name", ""), meta.get("category", ""), meta.get("description", ""))
        if score < CONFIDENT_SCORE and not terms & set(tokenize([text])[0]):
            continue
        rows.append(
            {
                "rank": len(rows) + 1, "product_id": meta["product_id"], "name": meta.get("name", ""),
                "category": meta.get("category", ""), "price": meta.get("price"),
                "currency": meta.get("currency"), "stock": meta.get("stock"),
                "score": round(score, 4), "description": meta.get("description", ""),
            }
        )
    columns = ["rank", "product_id", "name", "category", "price", "currency", "stock", "score", "description"]
    closest = [] if rows else list(dict.fromkeys(c for c in nearest if c))[:3]
    notes = [f"searched in English as {queries.translation!r}"] if queries.translation else []
    return ProductSearchResult(query=query, filters=filters, frame=pd.DataFrame(rows, columns=columns),
                               notes=notes, closest_categories=closest)
