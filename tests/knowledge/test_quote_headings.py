"""A heading that matches the question's words does not outvote the sentence that answers it (quoting's
HEADING_WEIGHT): on the demo's pages and on the second shop's."""

from __future__ import annotations

import shutil

import pytest

from agent.grounding import citations_in
from tests.documents import NORTHWIND_DOCS
from tests.knowledge.conftest import DATA
from tests.knowledge.test_quoting import answer_to
from tools.knowledge import KnowledgeBase

DEMO_FILES = ("policies/returns.md", "policies/faq.md", "policies/payment-methods.md",
              "shipping/shipping-germany.md")
# (question, the section that answers it, the section whose heading shares more of its words)
DEMO = ("Can I return an engraved gift?", "returns#items-that-cannot-be-returned",
        "faq#can-i-have-my-order-gift-wrapped")
SECOND = ("Can I pay for a gift card with Afterpay?", "payment#buy-now-pay-later", "payment#gift-cards")


@pytest.fixture(scope="module", params=["demo", "second"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, embedder):
    root = tmp_path_factory.mktemp(f"headings-{request.param}")
    if request.param == "demo":
        files = {relative: (DATA / relative).read_text(encoding="utf-8") for relative in DEMO_FILES}
    else:
        files = NORTHWIND_DOCS
    for relative, text in files.items():
        (root / "docs" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / relative).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(root / "chroma", embedder)
    kb.index(root / "docs", progress=False)
    yield kb, DEMO if request.param == "demo" else SECOND
    shutil.rmtree(root, ignore_errors=True)


def test_the_answering_sentence_wins_over_a_heading_that_shares_the_words(shop, monkeypatch) -> None:
    kb, (question, answering, neighbour) = shop
    answer, _ = answer_to(kb, question)
    assert citations_in(answer)[0] == answering
    monkeypatch.setattr("tools.knowledge.quoting.HEADING_WEIGHT", 1.0)  # heading and sentence alike
    answer, _ = answer_to(kb, question)
    assert citations_in(answer)[0] == neighbour
