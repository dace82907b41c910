"""Index updates: idempotent by content hash, changed documents replaced, removed ones gone, our embedder
only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.embeddings import MiniLMEmbeddingFunction

GUIDE = """# Kettle guide

Everything about kettles.

## Descaling

Descale every 4-8 weeks with citric acid.

## Cleaning

Wipe the outside with a damp cloth.
"""
POLICY = """# Gift wrap

## Price

Gift wrapping costs 3.50 EUR per order.
"""


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def test_first_index_reports_every_document_and_chunk_as_added(indexed):
    _, report = indexed
    assert report.added == 8 and report.updated == report.removed == report.unchanged == 0
    assert report.chunks_added == report.chunks_total > 8 and report.chunks_removed == 0
    assert "BM25 index rebuilt" in report.notes


def test_reindexing_an_unchanged_corpus_writes_nothing(indexed, slice_docs: Path):
    kb, first = indexed
    before = _snapshot(kb.chroma_dir)
    again = kb.index(slice_docs, progress=False)
    assert ((again.added, again.updated, again.removed, again.chunks_added, again.chunks_removed)
            == (0, 0, 0, 0, 0))
    assert again.unchanged == first.added and again.chunks_total == first.chunks_total
    assert not again.wrote and again.notes == ()
    assert _snapshot(kb.chroma_dir) == before, "an unchanged re-index must not touch the files"
    stored = kb.docs().get(include=["metadatas"])
    assert len(stored["ids"]) == len(set(stored["ids"])) == first.chunks_total
    citations = [m["citation_id"] for m in stored["metadatas"]]
    assert len(citations) == len(set(citations)), "no duplicate passages"


def test_changed_document_replaces_only_its_changed_chunks(fresh_kb, write_docs):
    root = write_docs({"kettle.md": GUIDE, "gift-wrap.md": POLICY})
    fresh_kb.index(root, progress=False)
    (root / "kettle.md").write_text(GUIDE.replace("4-8 weeks with citric acid", "month with white vinegar"))
    report = fresh_kb.index(root, progress=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 1)
    assert (report.chunks_added, report.chunks_removed, report.chunks_total) == (1, 1, 4)
    for mode in ("hybrid", "bm25"):
        hit = fresh_kb.search("how often should I descale", k=1, mode=mode).hits[0]
        assert hit.citation_id == "kettle#descaling" and "white vinegar" in hit.text, mode
    texts = fresh_kb.docs().get(include=["documents"])["documents"]
    assert not any("citric acid" in text for text in texts)


def test_deleted_document_disappears_from_both_retrievers(fresh_kb, write_docs):
    root = write_docs({"kettle.md": GUIDE, "gift-wrap.md": POLICY})
    fresh_kb.index(root, progress=False)
    (root / "gift-wrap.md").unlink()
    report = fresh_kb.index(root, progress=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 1, 1)
    assert report.chunks_removed == 1 and report.chunks_total == 3
    for mode in ("hybrid", "dense", "bm25"):
        hits = fresh_kb.search("gift wrapping price", k=5, mode=mode).hits
        assert all(h.doc_id != "gift-wrap" for h in hits), mode
    assert fresh_kb.search("gift wrapping", filters={"doc_id": "gift-wrap"}).hits == []


def test_bm25_index_is_rebuilt_from_chromadb_when_its_files_are_missing(fresh_kb, write_docs):
    import shutil

    root = write_docs({"kettle.md": GUIDE, "gift-wrap.md": POLICY})
    fresh_kb.index(root, progress=False)
    shutil.rmtree(fresh_kb.bm25_path)
    fresh_kb._lexical = None  # as in a new process
    hit = fresh_kb.search("gift wrapping price", k=1, mode="bm25").hits[0]
    assert hit.citation_id == "gift-wrap#price"
    assert (fresh_kb.bm25_path / "chunks.json").exists()


def test_collections_use_our_embedding_function_never_chromadbs_default(fresh_kb, write_docs, monkeypatch):
    from chromadb.utils import embedding_functions

    def refuse(*args, **kwargs):
        raise AssertionError("chromadb's default embedding function was called; it downloads a model")

    monkeypatch.setattr(embedding_functions.DefaultEmbeddingFunction, "__call__", refuse)
    monkeypatch.setattr(embedding_functions.ONNXMiniLM_L6_V2, "__call__", refuse)
    fresh_kb.index(write_docs({"kettle.md": GUIDE}), progress=False)
    assert fresh_kb.search("descaling", k=1).hits
    for collection in (fresh_kb.docs(), fresh_kb.products()):
        function = collection._embedding_function
        assert isinstance(function, MiniLMEmbeddingFunction)
        assert not isinstance(function, embedding_functions.DefaultEmbeddingFunction)
        assert collection.configuration["embedding_function"].name() == "chronotope-minilm"


def test_embedding_function_returns_normalised_384_dimension_vectors(embedder):
    vectors = MiniLMEmbeddingFunction(embedder)(["opened earbuds", "return policy"])
    assert len(vectors) == 2 and vectors[0].shape == (384,)
    assert [round(float((v * v).sum()), 4) for v in vectors] == [1.0, 1.0]


def test_embedding_refuses_a_bare_string(embedder):
    with pytest.raises(TypeError, match="list of strings"):
        embedder.encode("one text")  # type: ignore[arg-type]


class _FlakyCollection:
    """Records writes; the second one fails (a full disk, say)."""

    def __init__(self) -> None:
        self.written: list[list[str]] = []

    def add(self, ids, embeddings, documents, metadatas) -> None:
        if len(self.written) == 1:
            raise OSError("disk full")
        assert len(embeddings) == len(ids) == len(documents) == len(metadatas)
        self.written.append(list(ids))


def test_batches_are_written_in_order_and_a_failed_write_stops_the_run(monkeypatch, embedder):
    from tools.knowledge import index

    monkeypatch.setattr(index, "EMBED_BATCH", 2)
    texts = [f"Parcel {n} left the warehouse." for n in range(7)]
    ids = [f"c{n}" for n in range(7)]
    collection = _FlakyCollection()
    with pytest.raises(OSError, match="disk full"):
        index.add_embedded(collection, ids, texts, texts, [{}] * 7,  # type: ignore[arg-type]
                           progress=False, what="chunks", embedder=embedder)
    assert collection.written == [["c0", "c1"]]

    collection.written = [["earlier"], ["batch"]]  # past the failing write: everything lands, in order
    index.add_embedded(collection, ids, texts, texts, [{}] * 7,  # type: ignore[arg-type]
                       progress=False, what="chunks", embedder=embedder)
    assert collection.written[2:] == [["c0", "c1"], ["c2", "c3"], ["c4", "c5"], ["c6"]]
