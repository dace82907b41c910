"""What a customer's trouble is called in the shop's documents.

"Il mio zaino si è strappato" or "my headphones stopped working" name neither a warranty nor a guarantee,
and the care guides' words about the same goods outvoted the warranty page (a torn backpack in Italian had
found a smartwatch's charging tips). A document search also ranks the English words the documents use for
the trouble its question describes (trouble_words.json), beside the question and its translation.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from tools.language import mentioned, plain_words


@lru_cache(maxsize=1)
def _phrases() -> dict[str, str]:
    """A trouble phrase in plain words ("non si accende piu") -> the English words of its topic."""
    text = resources.files("tools.knowledge").joinpath("trouble_words.json").read_text(encoding="utf-8")
    topics = {topic: words for topic, words in json.loads(text).items() if not topic.startswith("_")}
    return {" ".join(plain_words(phrase)): topic for topic, languages in topics.items()
            for phrases in languages.values() for phrase in phrases}


def trouble_topics(question: str) -> str:
    """The English words of every trouble `question` describes, in the order described ("" for none)."""
    phrases = _phrases()
    found = mentioned(list(phrases), " ".join(plain_words(question)), typo_letters=None)
    return " ".join(dict.fromkeys(phrases[phrase] for phrase in found))
