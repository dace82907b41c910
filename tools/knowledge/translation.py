"""Questions in the shop's other languages: which queries a document search runs.

The documents are indexed with an English-only embedder, so a question in German, French, Spanish or Italian
is also searched in English. The translation comes from a `QueryTranslator` the composition root hands to the
knowledge base (the agent's own chat model, agent/query_translation.py): engines never import the agent. The
original question is always searched too, by its words (its place names, brands and codes match the
documents as they are), and a translator that fails leaves the search with the original alone, with a
warning in the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from tools.language import detect_language

logger = logging.getLogger(__name__)

ENGLISH = "en"


class QueryTranslator(Protocol):
    """Turns a short message written in `language` (ISO 639-1 code) into English."""

    def __call__(self, text: str, language: str) -> str: ...


@dataclass(frozen=True)
class SearchQueries:
    """What one search runs: the question as asked and, when it is not English, its English translation."""

    original: str
    language: str = ENGLISH
    translation: str = ""  # "" when English, when there is no translator, or when translating failed
    topics: str = ""  # the documents' English words for the trouble the question describes (trouble_words)

    @property
    def texts(self) -> tuple[str, ...]:
        """The query texts to rank with, the original first."""
        return tuple(text for text in (self.original, self.translation, self.topics) if text)

    def embeds(self, text: str) -> bool:
        """Whether `text` is ranked by the (English-only) embedder too: the original only when there is no
        translation, since its foreign words embed as noise that drowns the translation's ranking in the
        fusion; BM25 ranks both (the original's names and codes match the documents as they are)."""
        return text in (self.translation, self.topics) or not self.translation


def search_queries(
    query: str, translate: QueryTranslator | None, language: str | None = None
) -> SearchQueries:
    """The original query, plus its English translation when it is in another language and a translator is
    given; a failing translator is logged and leaves the original alone. The query's language is what its
    own words say, else `language` (the question's it came from), else English."""
    language = detect_language(query, default=language or ENGLISH)
    if language == ENGLISH or translate is None:
        return SearchQueries(query, language)
    try:
        translation = " ".join(str(translate(query, language)).split())
    except Exception as exc:  # noqa: BLE001 - any failure of the model: the search runs on the original
        logger.warning("Searching %r without an English translation: the translator failed (%s: %s).",
                       query, type(exc).__name__, exc)
        return SearchQueries(query, language)
    if translation.casefold() == query.strip().casefold():
        translation = ""
    return SearchQueries(query, language, translation)
