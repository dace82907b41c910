"""BM25 over the chunks' search texts (bm25s, English stop words, Snowball stemming), saved beside chroma.

The index keeps each chunk's filterable fields, so metadata filters apply to BM25 as they do to the dense
side. It is saved atomically (a new folder swapped in) and carries a fingerprint of the chunk ids it
covers, so an index that no longer matches the collection is rebuilt rather than trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from tools.knowledge.spelling import word_counts

_RECORDS = "chunks.json"


def fingerprint(chunk_ids: Iterable[str]) -> str:
    """A stable digest of a set of chunk ids."""
    digest = hashlib.sha256()
    for chunk_id in sorted(chunk_ids):
        digest.update(chunk_id.encode("ascii") + b"\n")
    return digest.hexdigest()[:32]


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, stemmed word tokens (the same pipeline for corpus and queries)."""
    import bm25s

    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False,
                          show_progress=False)


class LexicalIndex:
    """BM25 scores for a fixed list of chunks, plus their filterable fields."""

    def __init__(self, chunk_ids: list[str], fields: list[dict[str, str]], retriever: object | None,
                 words: dict[str, int] | None = None) -> None:
        self.chunk_ids = chunk_ids
        self.fields = fields
        self.words = words or {}  # the texts' words and their counts, to correct a question's typos
        self.fingerprint = fingerprint(chunk_ids)
        self._retriever = retriever  # bm25s.BM25, or None for an empty corpus
        self._columns: dict[str, np.ndarray] = {}
        self._positions: dict[str, int] = {}

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str], fields: list[dict[str, str]]) -> LexicalIndex:
        """Index `texts` (one per chunk id)."""
        if not chunk_ids:
            return cls([], [], None)
        import bm25s

        retriever = bm25s.BM25()
        retriever.index(tokenize(texts), show_progress=False)
        return cls(list(chunk_ids), list(fields), retriever, word_counts(texts))

    def save(self, directory: Path) -> None:
        """Write the index to `directory`, replacing what was there in one rename."""
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        staged = directory.with_name(f"{directory.name}.tmp-{uuid.uuid4().hex[:8]}")
        staged.mkdir()
        if self._retriever is not None:
            self._retriever.save(str(staged), show_progress=False)
        records = {"fingerprint": self.fingerprint, "chunk_ids": self.chunk_ids, "fields": self.fields,
                   "words": self.words}
        (staged / _RECORDS).write_text(json.dumps(records), encoding="utf-8")
        retired = directory.with_name(f"{directory.name}.old-{uuid.uuid4().hex[:8]}")
        if directory.exists():
            os.replace(directory, retired)
        os.replace(staged, directory)
        shutil.rmtree(retired, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The index saved in `directory`, or None when there is none."""
        records_path = Path(directory) / _RECORDS
        if not records_path.exists():
            return None
        records = json.loads(records_path.read_text(encoding="utf-8"))
        retriever = None
        if records["chunk_ids"]:
            import bm25s

            retriever = bm25s.BM25.load(str(directory), show_progress=False)
        return cls(records["chunk_ids"], records["fields"], retriever, records.get("words"))

    @staticmethod
    def saved_fingerprint(directory: Path) -> str | None:
        """The fingerprint of the index saved in `directory`, without loading it."""
        records_path = Path(directory) / _RECORDS
        if not records_path.exists():
            return None
        return json.loads(records_path.read_text(encoding="utf-8"))["fingerprint"]

    @staticmethod
    def stamp(directory: Path) -> int | None:
        """A value that changes whenever the saved index is replaced (to reload it in other processes)."""
        try:
            return (Path(directory) / _RECORDS).stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def section_of(self, chunk_id: str) -> str:
        """'doc_id#section_id' of a chunk in this index."""
        if not self._positions:
            self._positions = {chunk_id: i for i, chunk_id in enumerate(self.chunk_ids)}
        fields = self.fields[self._positions[chunk_id]]
        return f"{fields.get('doc_id', '')}#{fields.get('section_id', '')}"

    def mask(self, filters: dict[str, list[str]]) -> np.ndarray | None:
        """Boolean mask of chunks whose fields match every filter (a filter lists accepted values)."""
        if not filters:
            return None
        keep = np.ones(len(self.chunk_ids), dtype=bool)
        for key, values in filters.items():
            if key not in self._columns:
                self._columns[key] = np.array([f.get(key, "") for f in self.fields], dtype=object)
            keep &= np.isin(self._columns[key], values)
        return keep

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top `k` (chunk id, BM25 score) with a positive score, among the chunks `mask` keeps."""
        if self._retriever is None:
            return []
        tokens = tokenize([query])[0]
        token_ids = self._retriever.get_tokens_ids(tokens)
        if not token_ids:
            return []
        scores = np.asarray(self._retriever.get_scores(token_ids), dtype=np.float64)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]
