"""Questions in the shop's other languages: searched in English too, through the translator the knowledge
base is given; never for English; a failing translator leaves the original query, with a warning."""

from __future__ import annotations

import logging

import pytest

from tests.documents import NORTHWIND_DOCS
from tools.knowledge import KnowledgeBase
from tools.knowledge.translation import search_queries


class Dictionary:
    """A translator that knows a few questions (what a model would answer) and records what it is asked."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.asked: list[tuple[str, str]] = []

    def __call__(self, text: str, language: str) -> str:
        self.asked.append((text, language))
        return self.known[text]


def failing(text: str, language: str) -> str:
    raise RuntimeError("the model ran out of memory")


def sections(result) -> list[str]:
    return [h.citation_id.split("/")[0] for h in result.hits]


# (question, its English, the section that answers it) on the demo's documents and on Northwind's
DEMO = [
    ("Kann ich geöffnete Kopfhörer zurückgeben?", "Can I return opened headphones?", "returns#opened-items"),
    ("Je peux parler à une vraie personne ?", "Can I talk to a real person?",
     "contact#talking-to-a-human-agent"),
    ("¿Pago el IGIC si pido a Tenerife?", "Do I pay IGIC if I order to Tenerife?",
     "shipping-canary-islands#taxes-and-customs-igic"),
    ("Posso annullare l'ordine dopo la spedizione?", "Can I cancel the order after it has shipped?",
     "order-changes#after-the-order-has-shipped"),
]
SECOND = [
    ("Wie lange ist der Link zum Zurücksetzen des Passworts gültig?",
     "How long is the password reset link valid?", "account#password-reset"),
    ("En combien de temps répondez-vous à une réclamation ?", "How quickly do you answer a complaint?",
     "contact#complaints"),
    ("¿Puedo pagar a plazos en Australia?", "Can I pay in instalments in Australia?",
     "payment#buy-now-pay-later"),
    ("Come pulisco lo schermo del portatile?", "How do I clean the laptop screen?", "care#cleaning-screens"),
]


@pytest.fixture(scope="module")
def second_shop_docs(tmp_path_factory: pytest.TempPathFactory, embedder) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("northwind-docs")
    for relative, text in NORTHWIND_DOCS.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(tmp_path_factory.mktemp("northwind-kb") / "chroma", embedder)
    kb.index(root, progress=False)
    return kb


@pytest.fixture(params=["demo", "second"])
def shop_docs(request: pytest.FixtureRequest, indexed) -> tuple[KnowledgeBase, list[tuple[str, str, str]]]:
    """The demo's documents (a slice) and the second shop's, each with questions in de, fr, es and it."""
    if request.param == "demo":
        return indexed[0], DEMO
    return request.getfixturevalue("second_shop_docs"), SECOND


def with_translator(kb: KnowledgeBase, translate) -> KnowledgeBase:
    """The same index, searched through `translate`."""
    return KnowledgeBase(kb.chroma_dir, kb.embedder, docs_collection=kb.docs_collection, translate=translate)


def test_each_language_finds_its_passage_in_the_top_five_through_the_translation(shop_docs) -> None:
    kb, questions = shop_docs
    translator = Dictionary({question: english for question, english, _ in questions})
    translated = with_translator(kb, translator)
    for question, english, section in questions:
        result = translated.search(question, k=5)
        assert section in sections(result), (question, sections(result))
        assert result.translation == english and english in result.summary()
    assert [language for _, language in translator.asked] == ["de", "fr", "es", "it"]
    # the English-only embedder alone misses some of them: the translation is what finds them
    assert any(section not in sections(kb.search(question, k=5)) for question, _, section in questions)


def test_the_original_words_are_searched_too(indexed) -> None:
    kb, _ = indexed
    # a translation that lost the point: the original's "IGIC" and "Tenerife" still find the passage
    translated = with_translator(kb, Dictionary({"¿Pago el IGIC si pido a Tenerife?": "Do I pay the bill?"}))
    assert "shipping-canary-islands#taxes-and-customs-igic" in sections(
        translated.search("¿Pago el IGIC si pido a Tenerife?", k=5))


def test_the_closest_passage_is_measured_on_the_translation_too(indexed) -> None:
    kb, _ = indexed
    question, english, _ = DEMO[0]
    alone = kb.search(question, k=3).best_similarity
    both = with_translator(kb, Dictionary({question: english})).search(question, k=3).best_similarity
    assert alone is not None and both is not None
    # search_docs' relevance floor reads this: an English-only embedder barely relates the German words
    assert both >= kb.search(english, k=3).best_similarity - 1e-6 and both > alone


@pytest.mark.parametrize("question", ["Can I return opened headphones?", "where is my parcel",
                                      "Packstation Postnummer", "IGIC Canary Islands tax"])
def test_english_and_wordless_questions_are_never_translated(indexed, question: str) -> None:
    kb, _ = indexed
    translator = Dictionary({})
    result = with_translator(kb, translator).search(question, k=5)
    assert translator.asked == [] and result.translation == ""
    assert sections(result) == sections(kb.search(question, k=5))


def test_a_failing_translator_leaves_the_original_query_with_a_warning(indexed, caplog) -> None:
    kb, _ = indexed
    question = DEMO[0][0]
    with caplog.at_level(logging.WARNING, logger="tools.knowledge.translation"):
        result = with_translator(kb, failing).search(question, k=5)
    assert result.translation == ""
    assert sections(result) == sections(kb.search(question, k=5))
    assert "translator failed" in caplog.text and "out of memory" in caplog.text and question in caplog.text


def test_search_queries_keeps_the_original_first_and_drops_an_echo() -> None:
    assert search_queries("Wo ist mein Paket?", lambda text, language: "Where is my parcel?").texts == (
        "Wo ist mein Paket?", "Where is my parcel?")
    echo = search_queries("Wo ist mein Paket?", lambda text, language: " wo ist  mein Paket? ")
    assert echo.texts == ("Wo ist mein Paket?",) and echo.language == "de"
    assert search_queries("Wo ist mein Paket?", None).texts == ("Wo ist mein Paket?",)

