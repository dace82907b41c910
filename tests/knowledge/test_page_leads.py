"""A page's lead (its text before the first heading) as a passage to quote: a question about the page as a
whole ("how many days to return an item") is answered by the rule the lead states, not by the section
that shares the question's words; a passage's score does not depend on the passages read beside it. On the
demo's documents and on a second shop's."""

from __future__ import annotations

import shutil
from dataclasses import replace
from types import SimpleNamespace

import pytest

from agent.composition import compose_answer
from agent.grounding import citations_in
from tests.documents import NORTHWIND_DOCS
from tests.knowledge.conftest import shop_pages_index
from tools.agent_tools.customer import SearchDocsArgs, search_docs
from tools.knowledge.quoting import choose_quote
from tools.registry import Session, ToolStep

CUSTOMER_FILTERS = {"flagged": "no", "audience": "customer"}
DEMO_FILES = ("policies/returns.md", "policies/payment-methods.md", "shipping/shipping-germany.md",
              "policies/account-and-privacy.md", "abcd/abcd-shipping-issue.md")
# The second shop: its returns page states the window in its lead; its sections give other numbers (a
# label's validity, a refund's delay, opened electronics); an internal handbook page has a lead of its own.
SECOND_FILES = {
    **{path: text for path, text in NORTHWIND_DOCS.items() if path != "policies/returns.md"},
    "policies/returns.md": (
        "---\ntitle: Returns\naudience: customer\n---\n# Returns\n\n"
        "Changed your mind? Send most items back within 45 days of delivery, for any reason.\n\n"
        "## Return labels\n\nRequest a prepaid label in your account; it stays valid for 7 days.\n\n"
        "## Refunds\n\nWe refund the original payment method within 5 business days of receiving your "
        "parcel.\n\n## Opened electronics\n\nLaptops, tablets and headphones that were unsealed can be "
        "returned within 15 days if all accessories are included; we charge a 10% restocking fee.\n"
    ),
    "internal/handbook.md": (
        "---\ntitle: Service handbook\naudience: internal\n---\n# Service handbook\n\n"
        "Agents may extend a return window by 14 days once per customer.\n\n## Escalations\n\n"
        "Escalate chargebacks to the payments team.\n"
    ),
}
# per shop: (a question about the page as a whole, the page's lead, words of the rule it states), the pages
# with a lead for customers, and the pages without one or only for staff
CASES = {
    "demo": (("how many days to return an item", "returns#overview", "30 days"),
             ("returns", "payment-methods", "shipping-germany"), ("abcd-shipping-issue",)),
    "second": (("how many days to return an item", "returns#overview", "45 days"),
               ("returns",), ("warranty", "handbook")),
}
# questions whose quote must not move when an unrelated passage is read beside the candidates
BESIDE = {
    "demo": ("Can I pay by invoice in Germany?", "How much is standard delivery to Germany?",
             "How do I start a return?"),
    "second": ("How long are batteries covered?", "Can I pay in instalments?", "When is my refund paid?"),
}


@pytest.fixture(scope="module", params=["demo", "second"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, embedder):
    """A shop's pages indexed (the demo's, then the second shop's), with its cases."""
    root = tmp_path_factory.mktemp(f"leads-{request.param}")
    yield shop_pages_index(root, embedder, DEMO_FILES, request.param == "second", SECOND_FILES), request.param
    shutil.rmtree(root, ignore_errors=True)


def test_a_question_about_the_page_quotes_the_rule_its_lead_states(shop) -> None:
    kb, name = shop
    (question, lead, words), _, _ = CASES[name]
    output = search_docs.run(SimpleNamespace(kb=kb, store=None), SearchDocsArgs(query=question),
                             Session("customer", None))
    answer = compose_answer([ToolStep("search_docs", {}, "done", 0.0, output=output)], "en")
    assert citations_in(answer)[0] == lead == output.citations[0].citation_id
    assert words in output.citations[0].quote and words in answer


def test_leads_are_each_page_s_first_passage_in_the_order_asked_for_whom_they_are_written(shop) -> None:
    kb, name = shop
    _, with_lead, without = CASES[name]
    asked = [*reversed(with_lead), *without]
    leads = kb.leads(asked, CUSTOMER_FILTERS)
    assert [h.citation_id for h in leads] == [f"{page}#overview" for page in reversed(with_lead)]
    for hit in leads:
        assert hit.section == "Overview" and hit.audience == "customer"
        assert not hit.text.lstrip().startswith("##")  # the text before the page's first heading
    staff = kb.leads(list(without), {"flagged": "no"})  # an operator reads internal pages' leads too
    assert [h.doc_id for h in staff] == [page for page in without if page != "warranty"]
    assert kb.leads([], CUSTOMER_FILTERS) == []


def test_a_passage_scores_the_same_whatever_is_read_beside_it(shop) -> None:
    kb, name = shop
    unrelated = kb.search("password reset and closing an account", k=1, filters=CUSTOMER_FILTERS).hits[0]
    for question in BESIDE[name]:
        hits = [h for h in kb.search(question, k=5, filters=CUSTOMER_FILTERS).hits
                if h.doc_id != unrelated.doc_id]
        alone = choose_quote(question, hits, kb.embedder)
        beside = choose_quote(question, [*hits[:2], replace(unrelated, rank=99), *hits[2:]], kb.embedder)
        assert alone is not None and beside is not None
        chosen = [*hits[:2], unrelated, *hits[2:]][beside.index]
        assert (chosen.citation_id, beside.text) == (hits[alone.index].citation_id, alone.text), question
