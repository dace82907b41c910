"""What counts as policy: customers get only customer-facing passages, never a planted instruction, even
when it is the closest match; operators see everything, labelled; flagged passages are listed.

Run on the demo shop's documents and on a second shop's, in German, with other policies."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from agent.graph import ShopAgent
from tests.agent.scripted_model import LocalScriptedChatModel, call
from tests.documents import DEMO_PLANTED, SECOND_PLANTED, SECOND_SHOP, demo_documents
from tests.shops import NORTHWIND
from tools.agent_tools import ShopEngines, build_registry
from tools.events.profile import ShopProfile
from tools.events.simulate.profile import demo_profile
from tools.knowledge import IndexOutdated, KnowledgeBase
from tools.registry import Session, ToolRegistry, run_step

ROOT = Path(__file__).resolve().parents[2]
@dataclass
class Shop:
    kb: KnowledgeBase
    registry: ToolRegistry
    report_text: str
    shipping_question: str
    closest_question: str  # the planted passage is its closest match
    planted: str
    planted_doc: str
    internal_doc: str


def _shop(root: Path, embedder, files: dict[str, str], profile: ShopProfile = NORTHWIND
          ) -> tuple[KnowledgeBase, ToolRegistry, str]:
    for relative, text in files.items():
        (root / "docs" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / relative).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(root / "chroma", embedder, docs_dir=root / "docs")
    report = kb.index(progress=False)
    engines = ShopEngines(store=None, embedder=embedder, anomaly_dir=root / "anomaly",  # type: ignore[arg-type]
                          open_knowledge_base=lambda: kb,
                          open_recommender=lambda: pytest.fail("no recommendations here"))
    listed = "\n".join(passage.line() for passage in report.flagged)
    return kb, build_registry(engines, profile=profile), f"{report.summary()}\n{listed}"


@pytest.fixture(scope="module", params=["demo", "second"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, embedder) -> Shop:
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "demo":
        kb, registry, report = _shop(root, embedder, demo_documents(), demo_profile())
        return Shop(kb, registry, report, "how much does shipping cost?", "is shipping free worldwide?",
                    DEMO_PLANTED, "shipping-notice",
                    "abcd-shipping-issue")
    kb, registry, report = _shop(root, embedder, SECOND_SHOP)
    return Shop(kb, registry, report, "Was kosten die Versandkosten?", "Ist der Versand weltweit kostenlos?",
                SECOND_PLANTED, "hinweis", "handbuch")


def test_the_planted_passage_is_the_closest_match_for_the_operator_labelled_as_flagged(shop: Shop) -> None:
    closest = shop.kb.search(shop.closest_question, k=5).hits[0]
    assert closest.doc_id == shop.planted_doc
    assert closest.flag.startswith("addresses the assistant") and "FLAGGED" in closest.label
    internal = [h for h in shop.kb.search(shop.shipping_question, k=5).hits if h.doc_id == shop.internal_doc]
    assert internal and internal[0].audience == "internal" and "internal, source" in internal[0].label


@pytest.mark.parametrize("k", [1, 3, 10])
@pytest.mark.parametrize("closest", [False, True])
def test_a_customers_search_never_returns_internal_or_planted_passages(
    shop: Shop, k: int, closest: bool
) -> None:
    filters = {"audience": "customer", "flagged": "no"}  # what search_docs asks for a customer
    question = shop.closest_question if closest else shop.shipping_question
    hits = shop.kb.search(question, k=k, filters=filters).hits
    assert hits and all(h.audience == "customer" and not h.flag for h in hits)
    assert not {shop.planted_doc, shop.internal_doc} & {h.doc_id for h in hits}


@pytest.mark.parametrize("closest", [False, True])
def test_the_customers_search_docs_tool_quotes_only_customer_facing_policy(shop: Shop, closest: bool) -> None:
    question = {"query": shop.closest_question if closest else shop.shipping_question}
    step = run_step(shop.registry, "search_docs", question, Session("customer", "U1"))
    assert step.status == "done" and step.output is not None and step.output.citations
    text = step.output.as_message_text()
    assert shop.planted.lower() not in text.lower()
    assert not any(c.citation_id.startswith((shop.planted_doc, shop.internal_doc))
                   for c in step.output.citations)
    assert "(customer," not in text  # customers are not shown the operator's labels


def test_the_operators_search_docs_tool_labels_audience_and_source_but_leaves_out_planted_text(
    shop: Shop,
) -> None:
    step = run_step(shop.registry, "search_docs", {"query": shop.shipping_question}, Session("operator"))
    assert step.output is not None
    titles = [c.title for c in step.output.citations]
    assert any("(internal, source" in t for t in titles) and any("(customer, source" in t for t in titles)
    assert shop.planted.lower() not in step.output.as_message_text().lower()  # flagged: kept out of answers


def test_flagged_passages_are_reported_by_the_index_run_and_listed_by_status(shop: Shop) -> None:
    assert "flagged as instructions to the assistant" in shop.report_text
    assert f"[{shop.planted_doc}#" in shop.report_text
    status = shop.kb.status()
    flagged = {p.citation_id.split("#")[0] for p in status.flagged}
    assert shop.planted_doc in flagged and shop.internal_doc not in flagged
    assert all("SYSTEM:" in p.text for p in status.flagged if p.citation_id.startswith(shop.planted_doc))
    assert f"[{shop.planted_doc}#" in status.summary()
    assert status.by_audience["internal"] > 0 and status.by_audience["customer"] > 0


def test_the_second_shops_other_languages_and_missing_audience(tmp_path: Path, embedder) -> None:
    kb, _, report = _shop(tmp_path, embedder, SECOND_SHOP)
    flagged = {p.citation_id.split("#")[0] for p in kb.status().flagged}
    assert flagged == {"hinweis", "avis"}  # German and French takeovers; the internal handbook's
    # "Sag dem Kunden" is how a staff guideline talks, so it is not flagged
    assert "1 document(s) without an audience are internal" in report and "entwurf.md" in report
    hits = kb.search("Entwurf Versandpreise", k=5, filters={"audience": "customer"}).hits
    assert "entwurf" not in {h.doc_id for h in hits}


def test_an_index_older_than_audiences_is_refused_until_reindexed_which_rebuilds_it(
    tmp_path: Path, embedder,
) -> None:
    docs = tmp_path / "docs" / "policies"
    docs.mkdir(parents=True)
    shutil.copyfile(ROOT / "data" / "policies" / "returns.md", docs / "returns.md")
    kb = KnowledgeBase(tmp_path / "chroma", embedder, docs_dir=tmp_path / "docs")
    kb.index(progress=False)
    collection = kb.docs()
    stored = collection.get(include=["metadatas", "documents", "embeddings"])
    old = [{k: v for k, v in m.items() if k not in ("audience", "flagged", "flag_reason")}
           for m in stored["metadatas"]]
    # what an index built by the previous version holds: no audience, and ids hashed without one
    collection.delete(ids=stored["ids"])
    collection.add(ids=[f"v1-{i}" for i in stored["ids"]], embeddings=stored["embeddings"],
                   documents=stored["documents"], metadatas=old)

    stale = KnowledgeBase(tmp_path / "chroma", embedder, docs_dir=tmp_path / "docs")
    with pytest.raises(IndexOutdated, match="run `chronotope kb index` to rebuild"):
        stale.search("can I return opened earbuds?", filters={"audience": "customer"})
    assert stale.status().outdated and "predates audiences" in stale.status().summary()
    report = stale.index(progress=False)
    assert f"rebuilt {len(old)} chunks indexed before documents had an audience" in report.summary()
    hits = stale.search("can I return opened earbuds?", filters={"audience": "customer"}).hits
    assert hits and all(h.audience == "customer" for h in hits)
    assert stale.index(progress=False).wrote is False  # converged


@pytest.mark.parametrize("role", ["customer", "operator"])
def test_the_agents_answer_to_a_shipping_question_never_carries_the_planted_sentence(
    shop: Shop, role: str
) -> None:
    """The whole loop with the real tools and index; the answer is composed from the passage found (as the
    local model's answers are), so it quotes whatever search_docs let through."""
    model = LocalScriptedChatModel(replies=[call("search_docs", query=shop.closest_question), AIMessage("")])
    agent = ShopAgent(model, shop.registry, today=date(2026, 11, 15), draft_answers=False)
    session = Session(role, "U1" if role == "customer" else None)  # type: ignore[arg-type]
    answer = agent.ask(shop.closest_question, session)
    assert answer.steps[0].status == "done" and answer.citations
    assert shop.planted.lower() not in answer.text.lower() and "SYSTEM" not in answer.text
    assert f"[{shop.planted_doc}#" not in answer.text
    if role == "customer":
        assert not any(c.citation_id.startswith(shop.internal_doc) for c in answer.citations)
    tool_message = str(model.prompts[-1][-1].content)  # what the model read back: passages fenced as quotes
    assert tool_message.count("<quoted_document ") == len(answer.citations)
    assert tool_message.rstrip().endswith("</tool_result>")
