"""A heading that matches the question's words does not outvote the sentence that answers it (quoting's
HEADING_WEIGHT): on the demo's pages and on the second shop's."""

from __future__ import annotations

import pytest

from agent.grounding import citations_in
from tests.knowledge.conftest import shop_pages_index
from tests.knowledge.test_quoting import answer_to

DEMO_FILES = ("policies/returns.md", "policies/faq.md", "policies/payment-methods.md",
              "shipping/shipping-germany.md")
# (question, the section that answers it, the section whose heading shares more of its words)
DEMO = ("Can I return an engraved gift?", "returns#items-that-cannot-be-returned",
        "faq#can-i-have-my-order-gift-wrapped")
SECOND = ("Can I pay for a gift card with Afterpay?", "payment#buy-now-pay-later", "payment#gift-cards")


@pytest.mark.parametrize("second_shop", [False, True], ids=["demo", "second"])
def test_the_answering_sentence_wins_over_a_heading_that_shares_the_words(second_shop, tmp_path, embedder,
                                                                         monkeypatch) -> None:
    kb = shop_pages_index(tmp_path, embedder, DEMO_FILES, second_shop)
    question, answering, neighbour = SECOND if second_shop else DEMO
    answer, _ = answer_to(kb, question)
    assert citations_in(answer)[0] == answering
    monkeypatch.setattr("tools.knowledge.quoting.HEADING_WEIGHT", 1.0)  # heading and sentence alike
    answer, _ = answer_to(kb, question)
    assert citations_in(answer)[0] == neighbour
