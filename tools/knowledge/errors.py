"""Errors of the knowledge base: each says what was wrong with which input and what to do."""

from __future__ import annotations

from tools.errors import EngineInputError


class KnowledgeBaseError(EngineInputError):
    """Base of every knowledge-base error caused by its input (documents, queries, filters)."""


class DocumentError(KnowledgeBaseError):
    """A Markdown document that cannot be indexed (no title, bad front matter, duplicate id)."""


class InvalidQuery(KnowledgeBaseError):
    """A search request with an empty query, a bad `k`, an unknown mode or an unknown filter."""


class IndexNotBuilt(KnowledgeBaseError):
    """Searching a collection that has never been indexed."""
