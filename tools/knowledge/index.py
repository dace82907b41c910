"""The chromadb side: open collections with our embedding function, and sync chunks into them.

Syncing compares content hashes: chunks already stored are left alone, new ones are embedded and added,
ones no longer produced are deleted. Additions go first, deletions last, so an interrupted run leaves
extra chunks at worst, and the next run converges. An unchanged corpus writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.embeddings import MiniLMEmbeddingFunction, TextEmbedder
from tools.knowledge.chunking import Chunk
from tools.knowledge.planted import FlaggedPassage

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

EMBED_BATCH = 256  # chunks embedded and written per step (one progress tick, one chromadb add)


@dataclass(frozen=True)
class IndexReport:
    """What an index run changed. Document counts, then chunk counts."""

    collection: str
    added: int  # documents (or products) new to the index
    updated: int  # documents whose chunks changed (products: text or price/stock/currency)
    removed: int  # documents gone from the corpus
    unchanged: int
    chunks_added: int  # chunks embedded and written
    chunks_removed: int
    chunks_total: int  # chunks in the collection afterwards
    seconds: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    # every passage of the corpus that addresses the assistant (kept out of answers)
    flagged: tuple[FlaggedPassage, ...] = field(default_factory=tuple)

    @property
    def wrote(self) -> bool:
        """True when the run changed the collection."""
        return bool(self.added or self.updated or self.removed or self.chunks_added or self.chunks_removed)

    def summary(self) -> str:
        """One line for people and the LLM."""
        line = (
            f"{self.collection}: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged; chunks +{self.chunks_added} -{self.chunks_removed} = "
            f"{self.chunks_total} in {self.seconds:.1f} s"
        )
        if self.flagged:
            line += (f"; {len(self.flagged)} passage(s) flagged as instructions to the assistant, kept "
                     "out of answers (listed by `chronotope kb status`)")
        return line + "".join(f"; {note}" for note in self.notes)


def open_client(path: Path) -> ClientAPI:
    """A chromadb PersistentClient at `path` (no telemetry)."""
    import chromadb

    Path(path).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chromadb.Settings(anonymized_telemetry=False))


def open_collection(client: ClientAPI, name: str, embedder: TextEmbedder) -> Collection:
    """Get or create collection `name`, always with the MiniLM embedding function (never chromadb's
    default)."""
    return client.get_or_create_collection(
        name=name,
        embedding_function=MiniLMEmbeddingFunction(embedder),  # type: ignore[arg-type] - structural EmbeddingFunction
        configuration={"hnsw": {"space": "cosine"}},
    )


def stored_metadata(collection: Collection) -> dict[str, dict[str, Any]]:
    """chunk id -> metadata of everything in the collection."""
    stored = collection.get(include=["metadatas"])
    return dict(zip(stored["ids"], stored["metadatas"] or []))


def add_embedded(
    collection: Collection,
    ids: Sequence[str],
    texts: Sequence[str],
    documents: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
    progress: bool,
    what: str,
    embedder: TextEmbedder,
    upsert: bool = False,
) -> None:
    """Embed `texts` and write them with their documents and metadata, a batch at a time.

    Batch i is written to chromadb on a background thread while batch i + 1 is embedded: a write (HNSW
    insert, SQLite) took ~23 s of a 10k-chunk index run, during which the embedding sessions sat idle. One
    write is in flight at a time, in order, and a failed write stops the run with its error.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from tqdm import tqdm

    bar = tqdm(total=len(ids), desc=f"embedding {what}", unit=what, disable=not progress or not ids)
    write = collection.upsert if upsert else collection.add
    pending: Future | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-write") as writer:
        for start in range(0, len(ids), EMBED_BATCH):
            stop = start + EMBED_BATCH
            vectors = embedder.encode(texts[start:stop])
            if pending is not None:
                pending.result()
            pending = writer.submit(
                write,
                ids=list(ids[start:stop]),
                embeddings=vectors,
                documents=list(documents[start:stop]),
                metadatas=list(metadatas[start:stop]),
            )
            bar.update(len(ids[start:stop]))
        if pending is not None:
            pending.result()
    bar.close()


def delete_ids(collection: Collection, ids: Sequence[str]) -> None:
    """Delete chunks by id, in batches chromadb accepts."""
    for start in range(0, len(ids), 5000):
        collection.delete(ids=list(ids[start:start + 5000]))


def sync_chunks(
    collection: Collection, chunks: Sequence[Chunk], embedder: TextEmbedder, progress: bool = True
) -> IndexReport:
    """Make the collection hold exactly `chunks`; documents are counted by the chunks they gained or lost."""
    started = time.perf_counter()
    stored = stored_metadata(collection)
    wanted = {chunk.chunk_id: chunk for chunk in chunks}
    if len(wanted) != len(chunks):
        raise ValueError("Two chunks share a content hash; chunk ids must be unique (report this as a bug).")
    # Chunks of an index built before documents had an audience: their ids differ from every chunk made now,
    # so they are replaced (re-embedded) like any changed chunk; the note says why the run rewrote them.
    legacy = sum(1 for meta in stored.values() if "audience" not in meta)
    new = [chunk for chunk_id, chunk in wanted.items() if chunk_id not in stored]
    gone = [chunk_id for chunk_id in stored if chunk_id not in wanted]

    docs_before = {meta.get("doc_id", "") for meta in stored.values()}
    docs_after = {chunk.doc_id for chunk in chunks}
    touched = {chunk.doc_id for chunk in new} | {stored[chunk_id].get("doc_id", "") for chunk_id in gone}

    add_embedded(
        collection,
        ids=[c.chunk_id for c in new],
        texts=[c.search_text() for c in new],
        documents=[c.text for c in new],
        metadatas=[c.metadata() for c in new],
        progress=progress,
        what="chunks",
        embedder=embedder,
    )
    delete_ids(collection, gone)
    return IndexReport(
        collection=collection.name,
        added=len(docs_after - docs_before),
        updated=len((touched & docs_before) & docs_after),
        removed=len(docs_before - docs_after),
        unchanged=len((docs_after & docs_before) - touched),
        chunks_added=len(new),
        chunks_removed=len(gone),
        chunks_total=len(wanted),
        seconds=time.perf_counter() - started,
        notes=(f"rebuilt {legacy} chunks indexed before documents had an audience",) if legacy else (),
        flagged=tuple(FlaggedPassage.from_metadata(c.metadata(), c.text) for c in chunks if c.flag),
    )
