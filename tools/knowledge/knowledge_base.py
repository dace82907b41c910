"""KnowledgeBase: the one object the agent, the UI and the CLI use to index and search documents and
products."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.embeddings import TextEmbedder
from tools.knowledge.chunking import LEAD, chunk_document, search_text
from tools.knowledge.documents import load_corpus, parse_document, with_audience
from tools.knowledge.errors import DocumentError, IndexNotBuilt
from tools.knowledge.index import IndexReport, open_client, open_collection, sync_chunks
from tools.knowledge.lexical import LexicalIndex, fingerprint
from tools.knowledge.product_nouns import product_queries
from tools.knowledge.products import ProductSearchResult, read_products, search_products, sync_products
from tools.knowledge.retrieval import (
    Hit,
    SearchMode,
    SearchResult,
    check_request,
    chroma_where,
    normalize_filters,
    reciprocal_rank_fusion,
)
from tools.knowledge.spelling import corrected
from tools.knowledge.status import KnowledgeStatus, check_current, read_status
from tools.knowledge.translation import ENGLISH, QueryTranslator, search_queries
from tools.knowledge.trouble_words import trouble_topics

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from tools.events.store import EventStore

DOCS_COLLECTION = "docs"
PRODUCTS_COLLECTION = "products"
# Chunk fields the BM25 side keeps for filtering (the dense side filters in chromadb).
LEXICAL_FIELDS: tuple[str, ...] = (
    "source", "audience", "flagged", "doc_id", "doc_type", "category", "country", "section_id",
)


class KnowledgeBase:
    """The shop's documents (hybrid BM25 + dense search with citations) and products (semantic search).

    State lives under `chroma_dir`: the chromadb collections and, beside them, the BM25 index. `docs_dir` is
    the folder of Markdown documents that `index()` mirrors when it is given no other folder, together with
    `uploads_dir` (documents the operator added, kept with the shop's data). `translate` puts a question
    that is not in English into English, to be searched beside the original (see translation.py).
    """

    def __init__(
        self,
        chroma_dir: Path,
        embedder: TextEmbedder,
        docs_dir: Path | None = None,
        uploads_dir: Path | None = None,
        docs_collection: str = DOCS_COLLECTION,
        products_collection: str = PRODUCTS_COLLECTION,
        translate: QueryTranslator | None = None,
    ) -> None:
        self.chroma_dir = Path(chroma_dir)
        self.embedder = embedder
        self.docs_dir = Path(docs_dir) if docs_dir is not None else None
        self.uploads_dir = Path(uploads_dir) if uploads_dir is not None else None
        self.docs_collection = docs_collection
        self.products_collection = products_collection
        self.translate = translate  # questions in other languages are searched in English too
        self._client: ClientAPI | None = None
        # opened once: get_or_create costs a round trip per call
        self._collections: dict[str, Collection] = {}
        self._lexical: LexicalIndex | None = None
        self._lexical_stamp: int | None = None
        self._lexical_lock = threading.Lock()  # the UI searches from several threads
        self._checked_current = False  # the docs collection is known to carry audiences

    # ------------------------------------------------------------------ storage
    @property
    def client(self) -> ClientAPI:
        """The chromadb PersistentClient (opened on first use)."""
        if self._client is None:
            self._client = open_client(self.chroma_dir)
        return self._client

    def docs(self) -> Collection:
        """The documents collection."""
        return self._collection(self.docs_collection)

    def products(self) -> Collection:
        """The products collection."""
        return self._collection(self.products_collection)

    def _collection(self, name: str) -> Collection:
        if name not in self._collections:
            self._collections[name] = open_collection(self.client, name, self.embedder)
        return self._collections[name]

    @property
    def bm25_path(self) -> Path:
        """Where the BM25 index of the documents is saved."""
        return self.chroma_dir / f"bm25-{self.docs_collection}"

    # ------------------------------------------------------------------ documents
    def index(self, path: Path | None = None, progress: bool = True) -> IndexReport:
        """Make the index mirror the Markdown documents under `path` (default: the knowledge base's
        docs_dir and uploads_dir)."""
        if path is None and self.docs_dir is None:
            raise ValueError("No documents folder: pass the folder to index, or build the KnowledgeBase with "
                             "docs_dir.")
        roots = [Path(path)] if path is not None else [self.docs_dir]
        if path is None and self.uploads_dir is not None and self.uploads_dir.is_dir():
            roots.append(self.uploads_dir)
        documents = load_corpus(*roots)
        chunks = [chunk for document in documents for chunk in chunk_document(document)]
        report = sync_chunks(self.docs(), chunks, self.embedder, progress=progress)
        self._checked_current = False
        defaulted = [d.source_path for d in documents if d.audience_defaulted]
        if defaulted:
            report = replace(report, notes=(
                *report.notes,
                (f"{len(defaulted)} document(s) without an audience are internal (operators only); add "
                 f"'audience: customer' to the front matter of those customers may read: "
                 f"{', '.join(defaulted)}"),
            ))
        saved = LexicalIndex.saved_fingerprint(self.bm25_path)
        if report.wrote or saved != fingerprint(c.chunk_id for c in chunks):
            lexical = LexicalIndex.build(
                [c.chunk_id for c in chunks],
                [c.search_text() for c in chunks],
                [_lexical_fields(c.metadata()) for c in chunks],
            )
            lexical.save(self.bm25_path)
            report = replace(report, notes=(*report.notes, "BM25 index rebuilt"))
        return report

    def add(self, paths: Sequence[Path | str], audience: str, progress: bool = True) -> IndexReport:
        """Copy Markdown files, their front matter's audience set, into the uploads folder (under the data
        dir); re-index."""
        if not paths:
            raise DocumentError("Choose one or more Markdown (.md) files to add.")
        if self.uploads_dir is None:
            raise DocumentError("This knowledge base has no uploads folder to add files to.")
        texts: dict[str, str] = {}
        for path in map(Path, paths):
            if path.suffix.lower() != ".md":
                raise DocumentError(f"{path.name} is not a Markdown file; the knowledge base takes .md "
                                    "files.")
            name = path.name.lower().replace(" ", "-").replace("_", "-")
            texts[name] = with_audience(path.read_text(encoding="utf-8"), audience, path.name)
            parse_document(texts[name], Path(name).stem, f"{self.uploads_dir.name}/{name}",
                           path.stat().st_mtime)
        target = self.uploads_dir
        target.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            temporary = target / f".{name}.tmp"
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(target / name)
        return self.index(progress=progress)

    def status(self) -> KnowledgeStatus:
        """Passages per audience and source, and the passages flagged as instructions to the assistant."""
        return read_status(self.docs())

    def _lexical_index(self, collection: Collection) -> LexicalIndex:
        """The saved BM25 index, reloaded when another process replaced it, rebuilt from chromadb if
        missing."""
        with self._lexical_lock:
            return self._load_lexical(collection)

    def _load_lexical(self, collection: Collection) -> LexicalIndex:
        stamp = LexicalIndex.stamp(self.bm25_path)
        if self._lexical is not None and stamp == self._lexical_stamp:
            return self._lexical
        lexical = LexicalIndex.load(self.bm25_path) if stamp is not None else None
        if lexical is None:
            stored = collection.get(include=["documents", "metadatas"])
            if not stored["ids"]:  # nothing indexed yet: nothing to save
                return LexicalIndex.build([], [], [])
            metas = stored["metadatas"] or []
            lexical = LexicalIndex.build(
                list(stored["ids"]),
                [search_text(m["title"], m["section_path"], d)
                 for m, d in zip(metas, stored["documents"] or [])],
                [_lexical_fields(m) for m in metas],
            )
            lexical.save(self.bm25_path)
            stamp = LexicalIndex.stamp(self.bm25_path)
        self._lexical, self._lexical_stamp = lexical, stamp
        return lexical

    def search(
        self,
        query: str,
        k: int = 5,
        filters: dict[str, str | Sequence[str]] | None = None,
        mode: SearchMode = "hybrid",
        dense_extra: int = 0,
    ) -> SearchResult:
        """The `k` passages best answering `query`: BM25 and dense rankings fused by reciprocal rank (of the
        query and, for a question in another language, of its English translation too); then the dense
        ranking's first `dense_extra` sections the fusion left out, for a reranker to read (a question whose
        words are common, "how long do I have to return something?", gets BM25 hits that outvote the
        passage the embedder ranks first).

        filters: {"source": "shop" | "abcd", "audience": "customer" | "internal", "flagged": "yes" | "no",
        "doc_id": ..., "doc_type": ..., "category": ..., "country": ...,
        "section": ...}; a value may be a list of accepted values.
        """
        check_request(query, k, mode)
        normalized = normalize_filters(filters)
        collection = self.docs()
        if not self._checked_current:  # one read per process: audiences are what keeps customers safe
            check_current(collection)
            self._checked_current = True
        lexical = self._lexical_index(collection) if mode in ("hybrid", "bm25") else None
        # A BM25 index with chunks means a built index; only otherwise ask chromadb (a round trip per search).
        if (lexical is None or not lexical.chunk_ids) and collection.count() == 0:
            raise IndexNotBuilt("The knowledge base is empty; "
                                "run `chronotope kb index` (or KnowledgeBase.index()).")
        pool = max(4 * k, 20)  # chromadb and BM25 return fewer when the collection is smaller
        queries = replace(search_queries(query, self.translate), topics=trouble_topics(query))
        english = queries.language == ENGLISH  # the documents' words would "correct" another language's
        spelled = corrected(query, lexical.words) if lexical is not None and english else query
        if spelled != query:  # typos put right with the documents' words (spelling.py)
            queries = replace(queries, original=spelled)
        # Rankings are of sections, not windows: a long section split into windows competes once, and the
        # answer gets k distinct passages to cite. Each section is represented by its best window.
        # per retriever and query: (section key, best chunk id), best first
        dense: list[list[tuple[str, str]]] = []
        lexical_rankings: list[list[tuple[str, str]]] = []
        scores: dict[str, float] = {}
        fetched: dict[str, tuple[str, dict[str, Any]]] = {}  # chunk id -> (text, metadata) already read
        closest: list[float] = []  # cosine of the closest chunk to the question (or its translation)
        for text in queries.texts:
            if mode in ("hybrid", "dense") and queries.embeds(text):
                found = collection.query(
                    query_embeddings=self.embedder.encode([text]), n_results=pool,
                    where=chroma_where(normalized), include=["documents", "metadatas", "distances"],
                )
                ids, metas = found["ids"][0], found["metadatas"][0]
                fetched.update(zip(ids, zip(found["documents"][0], metas)))
                dense.append(_by_section(ids, [f"{m['doc_id']}#{m['section_id']}" for m in metas]))
                similarities = {i: 1.0 - float(d) for i, d in zip(ids, found["distances"][0])}
                if similarities and text != queries.topics:  # the trouble's own words match the documents
                    closest.append(max(similarities.values()))  # by design: the floor is the question's
                scores = scores or similarities
            if lexical is not None:
                ranked_bm25 = lexical.search(text, pool, lexical.mask(normalized))
                lexical_rankings.append(
                    _by_section([i for i, _ in ranked_bm25], [lexical.section_of(i) for i, _ in ranked_bm25])
                )
                if mode == "bm25":
                    scores = scores or dict(ranked_bm25)
        rankings = [*dense, *lexical_rankings]
        if len(rankings) > 1:
            best: dict[str, str] = {}
            # dense first: its best window represents a section both retrievers found
            for ranking in rankings:
                for section, chunk_id in ranking:
                    best.setdefault(section, chunk_id)
            fused = reciprocal_rank_fusion([[section for section, _ in ranking] for ranking in rankings])[:k]
            kept = {section for section, _ in fused}
            extra = [(section, 0.0) for ranking in dense[:1] for section, _ in ranking[:dense_extra]
                     if section not in kept]  # the reranker's extra candidates: no fused score
            ranked = [(best[section], score) for section, score in fused + extra]
        else:
            ranked = [(chunk_id, scores[chunk_id]) for _, chunk_id in rankings[0]][:k]
        hits = self._hits(collection, ranked, fetched)
        return SearchResult(query=query, mode=mode, filters=normalized, hits=hits,
                            best_similarity=max(closest, default=None), translation=queries.translation,
                            spelled=spelled if spelled != query else "")

    def leads(self, doc_ids: list[str], filters: dict[str, str | Sequence[str]] | None = None) -> list[Hit]:
        """The lead of each page of `doc_ids` (its text before the first heading; the first window of a long
        one) that has one and passes `filters` (as for `search`), in the order given, with score 0."""
        if not doc_ids:
            return []
        collection = self.docs()
        where = chroma_where(normalize_filters({**(filters or {}), "doc_id": doc_ids, "section": LEAD}))
        stored = collection.get(where=where, include=["documents", "metadatas"])
        rows = zip(stored["ids"], stored["documents"] or [], stored["metadatas"] or [])
        # a long lead's later windows are cited "page#overview/2"
        first = {meta["doc_id"]: (chunk_id, text, meta) for chunk_id, text, meta in rows
                 if "/" not in meta["citation_id"]}
        return self._hits(collection, [(first[page][0], 0.0) for page in doc_ids if page in first],
                          {chunk_id: (text, meta) for chunk_id, text, meta in first.values()})

    @staticmethod
    def _hits(
        collection: Collection, ranked: list[tuple[str, float]],
        fetched: dict[str, tuple[str, dict[str, Any]]]
    ) -> list[Hit]:
        by_id = {chunk_id: fetched[chunk_id] for chunk_id, _ in ranked if chunk_id in fetched}
        missing = [chunk_id for chunk_id, _ in ranked if chunk_id not in by_id]
        if missing:  # BM25-only hits: read their text and metadata
            stored = collection.get(ids=missing, include=["documents", "metadatas"])
            by_id.update(zip(stored["ids"], zip(stored["documents"] or [], stored["metadatas"] or [])))
        hits: list[Hit] = []
        for chunk_id, score in ranked:
            if chunk_id not in by_id:  # deleted by a concurrent re-index since the BM25 index was loaded
                continue
            text, meta = by_id[chunk_id]
            hits.append(
                Hit(
                    rank=len(hits) + 1, citation_id=meta["citation_id"], doc_id=meta["doc_id"],
                    title=meta["title"], section=meta["section"], source_path=meta["source_path"],
                    score=round(score, 6), text=text, updated=meta.get("updated", ""),
                    source=meta.get("source", ""), chunk_id=chunk_id, audience=meta.get("audience", ""),
                    flag=meta.get("flag_reason", ""), country=meta.get("country", ""),
                )
            )
        return hits

    # ------------------------------------------------------------------ products
    def index_products(self, store: EventStore, progress: bool = True) -> IndexReport:
        """Make the product index mirror the store's products table."""
        products = read_products(store)
        report = sync_products(self.products(), products, self.embedder, progress=progress)
        if products.empty:
            report = replace(report, notes=(*report.notes, "the store's products table is empty"))
        return report

    def search_products(
        self,
        query: str,
        k: int = 5,
        category: str | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        in_stock: bool | None = None,
        language: str | None = None,
    ) -> ProductSearchResult:
        """Products closest in meaning to `query`, filtered by category, price range and stock; a query in
        another language (`language`, when the query's own words are too few to tell) is searched in
        English too, its product nouns by the lexicon's English (product_nouns.py)."""
        queries = product_queries(query, self.translate, language)
        return search_products(self.products(), self.embedder, queries, k, category, min_price, max_price,
                               in_stock)


def _by_section(chunk_ids: list[str], sections: list[str]) -> list[tuple[str, str]]:
    """(section, first chunk id) for each section in order of first appearance."""
    seen: dict[str, str] = {}
    for chunk_id, section in zip(chunk_ids, sections):
        seen.setdefault(section, chunk_id)
    return list(seen.items())


def _lexical_fields(metadata: dict[str, Any]) -> dict[str, str]:
    return {key: str(metadata.get(key, "")) for key in LEXICAL_FIELDS}
