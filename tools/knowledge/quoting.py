"""Which of a search's passages an answer quotes, and which of its sentences.

A search ranks sections by how a whole window and its words match the question, and the passage ranked first
is often a neighbour of the one with the answer: a page's overview before its "Shipping costs" section, or
a policy that shares the question's words. Its opening sentences need not hold the answer either. So the
passages are read again sentence by sentence, with the embedder the search already loaded: a passage scores
by its best-matching sentence (read under its heading, which says what the sentence is about) plus the
match of its title and heading (weighted less: HEADING_WEIGHT), and the quote is that passage's
best-matching sentences, in reading order. A page's lead (the text before its first heading, "Overview" to
the chunker) is about the whole page: its heading is the page's title alone.

Every text is embedded on its own (a batch of one): the int8 model quantises each batch's activations with
one scale, so a sentence's score moved with the texts read beside it, and one passage more among the
candidates changed which of the others was quoted ("Can I pay by invoice in Germany?", the demo's pages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tools.embeddings import TextEmbedder
from tools.knowledge.chunking import LEAD
from tools.knowledge.retrieval import Hit

QUOTE_CHARS = 400  # a short quote: what a customer reads in a chat bubble
# How much the heading's match counts beside the best sentence's: at 1.0 a neighbour's heading ("How to
# return an item") outvoted the sentence that answers. On bench/knowledge_eval.jsonl (157 questions, the
# composed answer quoting a relevant section) 1.0 -> 0.6: even-numbered 67 -> 67 of 78, odd 62 -> 65 of 79;
# the 120 questions in four other languages unchanged (measured 2026-12-06).
HEADING_WEIGHT = 0.6
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


@dataclass(frozen=True)
class Quote:
    """The passage an answer quotes (its index among the passages given) and the sentences it quotes."""

    index: int
    text: str


def sentences(passage: str) -> list[str]:
    """The passage's sentences and list items, without Markdown headings or list markers."""
    found: list[str] = []
    for line in passage.splitlines():
        if line.lstrip().startswith("#"):
            continue
        line = _LIST_MARKER.sub("", line)
        found += [s for s in (" ".join(part.split()) for part in _SENTENCE_END.split(line)) if s]
    return found


def passage_heading(hit: Hit) -> str:
    """What a passage is about: "Returns and refunds > Opened items"; a page's lead ("Overview" to the
    chunker) is about the whole page, so its title alone ("Returns and refunds")."""
    return hit.title if hit.section == LEAD else f"{hit.title} > {hit.section}"


def choose_quote(question: str, hits: Sequence[Hit], embedder: TextEmbedder,
                 max_chars: int = QUOTE_CHARS) -> Quote | None:
    """The hit whose sentences and heading best match `question`, and its best-matching sentences (in
    reading order, up to `max_chars`); None without hits.

    `question` is what the embedder can read: the English translation of a question asked in another
    language (the embedder is English-only).
    """
    readable = [(i, sentences(hit.text)) for i, hit in enumerate(hits)]
    readable = [(i, found) for i, found in readable if found]
    if not readable:
        return None
    texts = [question]
    for i, found in readable:
        texts.append(passage_heading(hits[i]))
        texts += [f"{hits[i].section}: {sentence}" for sentence in found]
    vectors = embedder.encode(texts, batch_size=1)  # one by one (see the module); unit vectors: dot = cosine
    similarity = vectors[1:] @ vectors[0]
    cursor, candidates = 0, []
    for i, found in readable:  # per hit: its heading's similarity, then its sentences'
        heading, own = similarity[cursor], similarity[cursor + 1:cursor + 1 + len(found)]
        cursor += 1 + len(found)
        candidates.append((float(own.max() + HEADING_WEIGHT * heading), i, found, own))
    _, index, found, own = max(candidates, key=lambda c: c[0])  # of equal scores, the higher-ranked hit
    order = sorted(range(len(found)), key=lambda n: -own[n])
    chosen = [order[0]]
    length = len(found[order[0]])
    for n in order[1:]:
        if length + 1 + len(found[n]) <= max_chars:
            chosen.append(n)
            length += 1 + len(found[n])
    return Quote(index, " ".join(found[n] for n in sorted(chosen))[:max_chars])
