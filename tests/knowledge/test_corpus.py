"""The shipped documents agree with the demo shop's fixed facts, and the ABCD import is reproducible."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.events.catalog import (
    CANARY_DELIVERY_DAYS,
    CATEGORIES,
    FREE_SHIPPING_THRESHOLD,
    REFUND_DAYS,
    RETURN_WINDOW_DAYS,
    STANDARD_DELIVERY_DAYS,
)
from tools.events.regions import COUNTRIES
from tools.events.schema import ORDER_STATUSES
from tools.knowledge.abcd import abcd_documents
from tools.knowledge.chunking import chunk_document
from tools.knowledge.documents import load_corpus

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return {d.doc_id: d.body for d in load_corpus(DATA)}


@pytest.fixture(scope="module")
def fields() -> dict[str, dict[str, str]]:
    return {d.doc_id: d.fields for d in load_corpus(DATA)}


def test_corpus_has_at_least_thirty_shop_documents_and_unique_citations(fields):
    assert sum(1 for f in fields.values() if f["source"] == "shop") >= 30
    chunks = [c for d in load_corpus(DATA) for c in chunk_document(d)]
    citations = [c.citation_id for c in chunks]
    assert len(citations) == len(set(citations))
    assert all(re.fullmatch(r"[A-Za-z0-9_.:#/\-]+", c) for c in citations), (
        "citation ids fit the agent's [id] syntax"
    )


@pytest.mark.parametrize("country", [c.code for c in COUNTRIES])
def test_each_country_has_a_shipping_page_with_the_catalogue_delivery_days(corpus, fields, country):
    pages = [doc for doc, f in fields.items() if f.get("country") == country and doc.startswith("shipping-")]
    low, high = STANDARD_DELIVERY_DAYS[country]
    mainland = [p for p in pages if p != "shipping-canary-islands"]
    assert len(mainland) == 1
    assert f"Standard delivery takes {low}-{high} business days" in corpus[mainland[0]]


def test_canary_islands_page_states_its_own_delivery_days(corpus):
    low, high = CANARY_DELIVERY_DAYS
    assert f"Standard delivery takes {low}-{high} business days" in corpus["shipping-canary-islands"]


def test_free_shipping_thresholds_match_the_catalogue(corpus):
    eur, gbp = FREE_SHIPPING_THRESHOLD["EUR"], FREE_SHIPPING_THRESHOLD["GBP"]
    for page in ("shipping-france", "shipping-germany", "shipping-spain", "shipping-italy",
                 "shipping-canary-islands"):
        assert f"{eur:.0f} EUR or more" in corpus[page], page
    assert f"{gbp:.0f} GBP or more" in corpus["shipping-united-kingdom"]


def test_return_window_and_refund_days_match_the_catalogue(corpus):
    assert f"within {RETURN_WINDOW_DAYS} days of delivery" in corpus["returns"]
    assert f"We refund within {REFUND_DAYS} days of receiving your return" in corpus["returns"]


def test_every_catalogue_category_has_a_care_guide(fields):
    assert {f.get("category") for doc, f in fields.items() if doc.startswith("care-")} == set(CATEGORIES)


def test_order_status_page_defines_every_status_and_changes_only_while_placed(corpus):
    for status in ORDER_STATUSES:
        assert f"- {status.capitalize()}:" in corpus["order-status"], status
    assert 'only while its status is "placed"' in corpus["order-changes"]


def test_committed_abcd_documents_are_exactly_what_the_importer_writes(shared_data):
    generated = abcd_documents(shared_data / "abcd")
    committed = {p.name: p.read_text(encoding="utf-8") for p in (DATA / "abcd").glob("*.md")}
    assert committed == generated, "run `chronotope kb import-abcd` to regenerate data/abcd"
    assert (DATA / "abcd" / "LICENSE").read_text().startswith("MIT License")


def test_abcd_import_has_a_section_per_subflow_with_its_action_sequence(shared_data):
    documents = abcd_documents(shared_data / "abcd")
    sections = sum(text.count("\n## ") for name, text in documents.items() if name != "abcd-actions.md")
    assert sections == 55
    refund = documents["abcd-product-defect.md"]
    assert "Intent `refund_initiate`" in refund
    assert "pull-up-account, validate-purchase, record-reason, enter-details, offer-refund" in refund
    assert "MIT" in refund


def test_evaluation_set_covers_both_sources_and_names_existing_sections():
    import json

    lines = (DATA.parent / "bench" / "knowledge_eval.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    assert sum(q["source"] == "shop" for q in questions) >= 60
    assert sum(q["source"] == "abcd" for q in questions) >= 30
    sections = {c.citation_id.split("/")[0] for d in load_corpus(DATA) for c in chunk_document(d)}
    missing = [(q["id"], r) for q in questions for r in q["relevant"] if r not in sections]
    assert missing == []
    assert all(q["relevant"][0].startswith("abcd-") == (q["source"] == "abcd") for q in questions)
