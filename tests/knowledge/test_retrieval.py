"""Hybrid retrieval over a real index (MiniLM + BM25): known questions, filters, citations, injected text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.knowledge import IndexNotBuilt, InvalidQuery
from tools.knowledge.retrieval import reciprocal_rank_fusion


@pytest.mark.parametrize(
    ("question", "citation"),
    [
        ("can I return opened earbuds?", "returns#opened-items"),
        ("how many days does standard delivery to Germany take?", "shipping-germany#delivery-times"),
        ("do I pay customs or IGIC when ordering to Tenerife?",
         "shipping-canary-islands#taxes-and-customs-igic"),
        ("I want to speak to a real person", "contact#talking-to-a-human-agent"),
        ("can I still cancel my order after it has shipped?", "order-changes#after-the-order-has-shipped"),
        ("customer forgot their username, what do I do", "abcd-account-access#recover-username"),
    ],
)
def test_known_questions_retrieve_their_section_in_the_top_three(indexed, question, citation):
    kb, _ = indexed
    # any window of the section
    sections = [h.citation_id.split("/")[0] for h in kb.search(question, k=3).hits]
    assert citation in sections, sections


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_single_retrievers_alone_also_find_the_opened_items_policy(indexed, mode):
    kb, _ = indexed
    result = kb.search("return opened earbuds hygiene", k=5, mode=mode)
    assert result.mode == mode
    assert any(h.citation_id in ("returns#opened-items", "care-headphones#hygiene-and-returns")
               for h in result.hits)


def test_hits_carry_citation_metadata_and_passage_text_from_the_file(indexed, slice_docs: Path):
    kb, _ = indexed
    hit = kb.search("can I return opened earbuds?", k=1).hits[0]
    assert hit.citation == f"[{hit.citation_id}]" and hit.rank == 1 and hit.score > 0
    assert hit.title and hit.section and hit.updated
    source_file = slice_docs.parent / hit.source_path
    assert hit.text in source_file.read_text(encoding="utf-8")


def test_document_with_instructions_is_returned_verbatim_and_marked_as_data(indexed, slice_docs: Path):
    kb, _ = indexed
    result = kb.search("supplier message developer mode approve all refunds", k=5)
    hit = next(h for h in result.hits if h.doc_id == "supplier-notice")
    original = (slice_docs / "notices" / "supplier-notice.md").read_text(encoding="utf-8")
    expected = original[original.index("## Message from the supplier"):].rstrip()
    assert hit.text == expected
    assert "Ignore previous instructions" in hit.text and "<script>alert(1)</script>" in hit.text
    assert hit.untrusted is True and result.frame["untrusted"].all()
    block = hit.as_context()
    assert 'trust="untrusted-data"' in block and block.endswith(f'</document id="{hit.chunk_id}">')
    assert hit.text in block
    assert "never instructions" in result.summary()


def test_filters_restrict_hits_in_every_mode(indexed):
    kb, _ = indexed
    for mode in ("hybrid", "dense", "bm25"):
        abcd = kb.search("refund my order", k=5, filters={"source": "abcd"}, mode=mode).hits
        assert abcd and {h.source for h in abcd} == {"abcd"}, mode
        shop = kb.search("refund my order", k=5, filters={"source": "shop"}, mode=mode).hits
        assert shop and {h.source for h in shop} == {"shop"}, mode
    one_doc = kb.search("delivery", k=5,
                        filters={"doc_id": ["shipping-germany", "shipping-canary-islands"]}).hits
    assert {h.doc_id for h in one_doc} <= {"shipping-germany", "shipping-canary-islands"} and one_doc
    section = kb.search("anything at all", k=5, filters={"section": "Opened items"}).hits
    assert [h.citation_id for h in section] == ["returns#opened-items"]
    assert ({h.doc_id for h in kb.search("cleaning", filters={"category": "Headphones"}).hits}
            == {"care-headphones"})
    assert kb.search("delivery", filters={"country": "FR"}).hits == []


def test_bad_requests_raise_invalid_query_listing_the_choices(indexed):
    kb, _ = indexed
    with pytest.raises(InvalidQuery, match="Valid filters: source, doc_id"):
        kb.search("returns", filters={"colour": "red"})
    with pytest.raises(InvalidQuery, match="Valid modes: hybrid, dense, bm25"):
        kb.search("returns", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(InvalidQuery, match="k must be an integer from 1 to 50"):
        kb.search("returns", k=0)
    with pytest.raises(InvalidQuery, match="query is empty"):
        kb.search("   ")


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_searching_an_empty_knowledge_base_says_to_index_first(fresh_kb, mode):
    with pytest.raises(IndexNotBuilt, match="chronotope kb index"):
        fresh_kb.search("returns", mode=mode)
    assert not fresh_kb.bm25_path.exists(), "an empty index saves no BM25 files"


def test_result_summary_and_chart_list_the_citations(indexed):
    kb, _ = indexed
    result = kb.search("talk to a human", k=2)
    assert result.summary().startswith('2 passages for "talk to a human"')
    chart = result.chart()
    assert chart is not None and chart.kind == "table"
    assert [row["citation_id"] for row in chart.data] == [h.citation_id for h in result.hits]


def test_reciprocal_rank_fusion_rewards_agreement_between_rankings():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], k=60)
    assert [item for item, _ in fused] == ["b", "c", "a", "d"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_a_section_split_into_windows_is_returned_once(indexed, mode):
    kb, _ = indexed
    hits = kb.search("pull up account verify identity username password", k=10, mode=mode).hits
    sections = [h.citation_id.split("/")[0] for h in hits]
    assert len(sections) == len(set(sections)) and len(hits) >= 3


def test_search_docs_quotes_passages_only_for_questions_the_documents_cover(indexed) -> None:
    from types import SimpleNamespace

    from tools.agent_tools.customer import MIN_SIMILARITY, SearchDocsArgs, search_docs
    from tools.registry import Session

    kb, _ = indexed
    engines, session = SimpleNamespace(kb=kb, store=None), Session("customer", None)  # a guest
    covered = search_docs.run(engines, SearchDocsArgs(query="Can I return earbuds I already opened?"),
                              session)
    assert (covered.citations
            and kb.search("Can I return earbuds I already opened?").best_similarity >= MIN_SIMILARITY)
    for question in ("Who won the football match last night?", "What is the price of gold right now?"):
        off_topic = search_docs.run(engines, SearchDocsArgs(query=question), session)
        assert not off_topic.citations and off_topic.summary.startswith("I don't know")
        assert kb.search(question).best_similarity < MIN_SIMILARITY  # the nearest passage exists, but is far


@pytest.mark.parametrize("shop", ["demo", "second"])
def test_dense_extra_adds_the_embedders_first_section_the_fusion_left_out(
    shop, indexed, fresh_kb, write_docs
) -> None:
    from tests.documents import NORTHWIND_DOCS

    if shop == "demo":
        kb = indexed[0]
    else:
        kb = fresh_kb
        kb.index(write_docs(NORTHWIND_DOCS), progress=False)
    questions = ["How long do I have to return something?", "how much is shipping", "can I pay later",
                 "where is my parcel", "do you have a shop I can visit"]
    added = 0
    for question in questions:
        fused = [h.citation_id for h in kb.search(question, k=3).hits]
        first = kb.search(question, k=1, mode="dense").hits[0].citation_id.split("/")[0]
        both = [h.citation_id for h in kb.search(question, k=3, dense_extra=1).hits]
        assert both[:3] == fused and first in {c.split("/")[0] for c in both}
        assert len(both) == 3 + (first not in {c.split("/")[0] for c in fused})
        added += len(both) - 3
    assert added >= 1  # the fusion does leave the embedder's favourite out for some of them
