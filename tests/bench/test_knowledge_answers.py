"""bench/knowledge_answers.py: the share of questions whose composed answer quotes a relevant section."""

from __future__ import annotations

import pytest

from bench.knowledge_answers import answer_precision, question_number
from tests.documents import NORTHWIND_DOCS
from tools.knowledge import KnowledgeBase

# a passage with bracketed words, as ABCD's guidelines have: they are no citation
BRACKETS = ("---\ntitle: Site help\naudience: customer\n---\n# Site help\n\n## Slow website\n\n"
            "If the website is slow, choose [Try Again] and close other programs; [Instructions] follow.\n")


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, embedder) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("answers")
    for relative, text in {**NORTHWIND_DOCS, "guides/site.md": BRACKETS}.items():
        (root / "docs" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / relative).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(root / "chroma", embedder)
    kb.index(root / "docs", progress=False)
    return kb


def test_answers_count_when_they_quote_a_relevant_section_per_source_and_half(kb) -> None:
    questions = [
        {"id": "shop-001", "source": "shop", "question": "Do gift cards expire?",
         "relevant": ["payment#gift-cards"]},
        {"id": "shop-002", "source": "shop", "question": "When do you answer the phone?",
         "relevant": ["warranty#coverage"]},  # labelled with a section that does not answer it
        {"id": "shop-003-de", "intent": "shop-003", "source": "shop", "question": "The website is very slow",
         "relevant": ["site#slow-website"]},
    ]
    scores = answer_precision(kb, questions)
    assert scores["all"] == pytest.approx(2 / 3) and scores["shop"] == pytest.approx(2 / 3)
    assert scores["even"] == 0.0 and scores["odd"] == 1.0 and "abcd" not in scores
    assert scores["p50_ms"] > 0


def test_question_numbers_come_from_the_intent_of_a_translated_question() -> None:
    assert question_number({"id": "abcd-012"}) == 12
    assert question_number({"id": "shop-007-fr", "intent": "shop-007"}) == 7
