"""Everyday product nouns in the shop's five languages (product_nouns.json), for catalogues in English.

A customer asks for "Jacken", "giacche" or "chaquetas"; the catalogue says "Jackets". The English-only
embedder matches none of them, and the agent's small model, asked to translate, copies a lone noun
('Jacken' -> 'Jacken') or names another kind ('chaquetas de menos de 100 dólares' -> 'T-shirts of less than
100 dollars'). So a product search in another language also runs on the English nouns the lexicon gives
(`product_queries`), and a shop's English category names take the lexicon's words as aliases
(`category_aliases`: "Jacken" names "Outdoor Jackets"). German compounds count by their last noun
("Fahrradhelme": helmet). The lexicon holds goods only (no colours, sizes or shop words), each word under one
noun; it was written from the languages, not from any shop's catalogue or any evaluation set.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from tools.knowledge.translation import ENGLISH, QueryTranslator, SearchQueries, search_queries
from tools.language import plain_words

COMPOUND_TAIL = 4  # a German compound counts by a noun of at least this many letters at its end


@lru_cache(maxsize=1)
def lexicon() -> dict[str, dict[str, list[str]]]:
    """English noun -> language -> its words (singular and plural; "en": those an English catalogue uses)."""
    text = resources.files("tools.knowledge").joinpath("product_nouns.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _foreign() -> dict[str, str]:
    """A word of another language in plain words ("sacchi a pelo") -> its English noun."""
    return {" ".join(plain_words(word)): noun for noun, words in lexicon().items()
            for language, forms in words.items() if language != ENGLISH for word in forms}


@lru_cache(maxsize=1)
def _compound_tails() -> tuple[str, ...]:
    """The one-word nouns a German compound may end with, the longest first."""
    return tuple(sorted((word for word in _foreign() if " " not in word and len(word) >= COMPOUND_TAIL),
                        key=len, reverse=True))


@lru_cache(maxsize=1)
def _longest_phrase() -> int:
    """The most words a lexicon phrase has ("sacco a pelo": 3)."""
    return max((len(phrase.split()) for phrase in _foreign()), default=1)


def english_nouns(text: str) -> list[str]:
    """The English nouns that the product words of `text`, in German, French, Spanish or Italian, name, in
    the order said ("Habt ihr Fahrradhelme oder Jacken?": helmet, jacket)."""
    words, foreign = plain_words(text), _foreign()
    found, i = [], 0
    while i < len(words):
        for size in range(min(_longest_phrase(), len(words) - i), 0, -1):
            noun = foreign.get(" ".join(words[i:i + size]))
            if noun is None and size == 1:
                noun = _compound_noun(words[i])
            if noun is not None:
                found.append(noun)
                i += size - 1
                break
        i += 1
    return list(dict.fromkeys(found))


def goods_named(text: str) -> list[str]:
    """The English nouns of the goods `text` names in any of the five languages ("und habt ihr auch
    Stirnlampen?": headlamp; "any headlamps?": headlamp)."""
    words = set(plain_words(text))
    return list(dict.fromkeys([*english_nouns(text), *(noun for noun in lexicon() if _said(noun, words))]))


def covers(names: list[str], noun: str) -> bool:
    """Whether a category, by its name and aliases (`names`), takes the goods `noun` names in English or in
    the lexicon's other languages ("Backpacks" and "Rucksäcke" take backpack)."""
    return any(_said(noun, set(plain_words(name))) or noun in english_nouns(name) for name in names)


def _compound_noun(word: str) -> str | None:
    """The noun a German compound ends with ("fahrradhelme": helmet), the longest such noun."""
    tail = next((tail for tail in _compound_tails() if len(tail) < len(word) and word.endswith(tail)), None)
    return _foreign()[tail] if tail else None


def product_queries(query: str, translate: QueryTranslator | None, language: str | None = None
                    ) -> SearchQueries:
    """The queries a product search runs (translation.search_queries): in another language, the English
    nouns the lexicon finds stand for its translation where the model's translation names none of them."""
    queries = search_queries(query, translate, language)
    nouns = english_nouns(query) if queries.language != ENGLISH else []
    translated = set(plain_words(queries.translation))
    if not nouns or all(_said(noun, translated) for noun in nouns):
        return queries
    return replace(queries, translation=" ".join(nouns))


def _said(noun: str, words: set[str]) -> bool:
    """Whether `words` name `noun` by one of its English words."""
    return any(form <= words for form in _english()[noun])


@lru_cache(maxsize=1)
def _english() -> dict[str, tuple[frozenset[str], ...]]:
    """Noun -> the plain words of each of its English forms ("sleeping bag": {"sleeping", "bag"}, ...)."""
    return {noun: tuple(frozenset(plain_words(form)) for form in words.get(ENGLISH, [noun]))
            for noun, words in lexicon().items()}


def category_aliases(categories: list[str]) -> dict[str, str]:
    """The lexicon's words for the goods each category name says in English, as aliases of that category
    ("Jacke", "vestes", "chaquetas", "giacche" -> "Outdoor Jackets"): a noun found in two categories' names
    names neither."""
    owners: dict[str, set[str]] = {}
    for category in categories:
        named = set(plain_words(category))
        for noun in lexicon():
            if _said(noun, named):
                owners.setdefault(noun, set()).add(category)
    return {word: next(iter(owned)) for noun, owned in owners.items() if len(owned) == 1
            for language, forms in lexicon()[noun].items() if language != ENGLISH for word in forms}
