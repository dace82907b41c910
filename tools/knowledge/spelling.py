"""Typos in an English question, put right with the words of the indexed documents before searching.

BM25 matches words as written, so "do u take cash on delivry" misses the sentence "We do not accept cash on
delivery" by its most telling word, and the embedder reads the typo as noise too. A word of the question
that the documents never use, of TYPO_MIN_LETTERS or more, becomes the documents' word one edit away (the
most frequent of them); shorter words, words the documents use, and words with nothing that close stay.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from tools.language import TYPO_MIN_LETTERS, one_edit

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def word_counts(texts: Iterable[str]) -> dict[str, int]:
    """How often each lower-case word of TYPO_MIN_LETTERS - 1 letters or more occurs in `texts` (a typo
    may lose a letter)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in _WORD.findall(text.lower()) if len(w) >= TYPO_MIN_LETTERS - 1)
    return dict(counts)


def corrected(question: str, words: Mapping[str, int]) -> str:
    """`question` with each word the documents never use replaced by their most frequent word one edit away
    (see the module); the question itself when nothing changes."""

    def fix(match: re.Match[str]) -> str:
        word = match.group().lower()
        if len(word) < TYPO_MIN_LETTERS or word in words:
            return match.group()
        near = [w for w in words if abs(len(w) - len(word)) <= 1 and one_edit(word, w)]
        return max(near, key=lambda w: (words[w], w)) if near else match.group()

    return _WORD.sub(fix, question) if words else question
