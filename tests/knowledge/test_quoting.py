"""The passage an answer quotes: the one whose sentences answer the question, not just the search's first
hit, and its answering sentences rather than its opening ones; on the demo's documents and the second
shop's, in English and through a translation."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from agent.composition import compose_answer
from agent.grounding import citations_in
from tests.knowledge.conftest import shop_pages_index
from tools.agent_tools.customer import SearchDocsArgs, search_docs
from tools.knowledge import KnowledgeBase
from tools.knowledge.quoting import choose_quote, sentences
from tools.knowledge.retrieval import Hit
from tools.registry import Session, ToolStep

DEMO_FILES = ("policies/returns.md", "policies/contact.md", "care/care-boots.md",
              "shipping/shipping-germany.md")
# (question, its English, the section whose sentence answers it, words of that sentence): the search ranks
# another section of the same page first (an overview, a neighbouring policy)
DEMO = ("Was passiert, wenn DHL mein Paket nicht zustellen kann?",
        "What happens if DHL can't deliver my parcel?", "shipping-germany#delivery-attempts-and-collection",
        "leaves the parcel with a neighbour")
SECOND = ("Quanto dura la garanzia di un tostapane?", "How long is the warranty on a toaster?",
          "warranty#coverage", "two-year warranty")
CUSTOMER_FILTERS = {"flagged": "no", "audience": "customer"}


@pytest.fixture(scope="module", params=["demo", "second"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, embedder):
    """A shop's documents indexed, with its question: the demo's pages, then the second shop's."""
    root = tmp_path_factory.mktemp(f"quoting-{request.param}")
    kb = shop_pages_index(root, embedder, DEMO_FILES, second_shop=request.param == "second")
    yield kb, DEMO if request.param == "demo" else SECOND
    shutil.rmtree(root, ignore_errors=True)


def answer_to(kb: KnowledgeBase, question: str) -> tuple[str, list]:
    """The agent's composed answer from search_docs' result, and the tool's citations."""
    output = search_docs.run(SimpleNamespace(kb=kb, store=None), SearchDocsArgs(query=question),
                             Session("customer", None))  # a guest: no country of their own
    return compose_answer([ToolStep("search_docs", {}, "done", 0.0, output=output)], "en"), output.citations


def test_the_answer_quotes_the_second_ranked_section_whose_sentence_answers(shop) -> None:
    kb, (_, question, section, words) = shop
    ranked = [h.citation_id.split("/")[0] for h in kb.search(question, k=5, filters=CUSTOMER_FILTERS).hits]
    assert ranked.index(section) == 1, ranked  # the search's first hit is a neighbour
    answer, citations = answer_to(kb, question)
    assert citations_in(answer)[0] == section == citations[0].citation_id
    assert words in citations[0].quote and words in answer
    assert {c.citation_id for c in citations} <= set(ranked[:5]) and len(citations) == 3


def test_a_translated_question_quotes_the_section_its_english_answers(shop) -> None:
    kb, (asked, english, section, words) = shop
    translated = KnowledgeBase(kb.chroma_dir, kb.embedder, translate=lambda text, language: english)
    answer, _ = answer_to(translated, asked)
    assert citations_in(answer)[0] == section and words in answer


def test_sentences_drop_headings_and_list_markers() -> None:
    passage = ("## Costs\n\nStandard costs 4.90 EUR. Express is 9.90 EUR!\n\n- Packstation: free.\n"
               "1. Sign in first.")
    assert sentences(passage) == ["Standard costs 4.90 EUR.", "Express is 9.90 EUR!", "Packstation: free.",
                                  "Sign in first."]


def hit(rank: int, section: str, text: str) -> Hit:
    return Hit(rank, f"faq#{section.lower()}", "faq", "FAQ", section, "faq.md", 0.0, text, "", "shop",
               f"chunk-{rank}")


def test_the_quote_is_the_answering_sentences_within_the_length_limit(embedder) -> None:
    opening = "Our team works hard to make every parcel arrive quickly and safely."
    answer = "Gift cards never expire and can be used for several orders."
    hits = [hit(1, "Parcels", "We ship from Lyon to five countries. Parcels are packed in recycled boxes."),
            hit(2, "Gift cards", f"{opening} {answer} Lost gift cards cannot be replaced.")]
    quote = choose_quote("Do gift cards expire?", hits, embedder, max_chars=len(answer) + 10)
    assert quote is not None and quote.index == 1 and quote.text == answer
    assert choose_quote("Do gift cards expire?", [], embedder) is None
    assert choose_quote("Do gift cards expire?", [hit(1, "Empty", "## Only a heading")], embedder) is None
