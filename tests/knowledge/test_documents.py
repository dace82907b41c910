"""Loading Markdown documents: front matter, ids, titles, and the errors that say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.knowledge.documents import load_corpus, parse_document
from tools.knowledge.errors import DocumentError


def test_front_matter_sets_id_title_and_filter_fields():
    text = ("---\nid: shipping-fr\ntitle: Shipping to France\ncountry: FR\nupdated: 2025-01-02\n---\n"
            "# Other\n\nBody.\n")
    document = parse_document(text, "ignored", "data/x.md", mtime=0.0)
    assert ((document.doc_id, document.title, document.updated)
            == ("shipping-fr", "Shipping to France", "2025-01-02"))
    # no audience in the front matter: internal (operators only), and the index report will say so
    assert document.fields == {"country": "FR", "source": "shop", "audience": "internal"}
    assert document.audience_defaulted
    assert document.body.startswith("# Other")


def test_title_falls_back_to_the_first_heading_and_updated_to_the_file_time():
    document = parse_document("# Warranty\n\nText.\n", "warranty", "data/warranty.md", mtime=86400.0)
    assert document.title == "Warranty"
    assert document.updated == "1970-01-02T00:00:00+00:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("No heading at all.\n", "no title"),
        ("---\ntitel: Typo\n---\n# T\n", "unknown front matter key 'titel'"),
        ("---\ntitle: T\n# T\n", "never closed"),
        ("---\njust words\n---\n# T\n", "must be 'key: value'"),
        ("---\nid: Bad_Id\n---\n# T\n", "lower-case letters"),
    ],
)
def test_bad_documents_raise_document_error_naming_the_fix(text: str, message: str):
    with pytest.raises(DocumentError, match=message):
        parse_document(text, "doc", "data/doc.md", mtime=0.0)


def test_corpus_loads_recursively_skips_readmes_and_relative_source_paths(tmp_path: Path):
    (tmp_path / "docs" / "care").mkdir(parents=True)
    (tmp_path / "docs" / "care" / "care-shoes.md").write_text("# Shoes\n\nText.\n")
    (tmp_path / "docs" / "README.md").write_text("# About this folder\n")
    documents = load_corpus(tmp_path / "docs")
    assert [(d.doc_id, d.source_path) for d in documents] == [("care-shoes", "docs/care/care-shoes.md")]


def test_duplicate_ids_and_missing_folders_are_refused(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "faq.md").write_text("# FAQ\n")
    (tmp_path / "b" / "faq.md").write_text("# FAQ again\n")
    with pytest.raises(DocumentError, match="Duplicate document id 'faq'"):
        load_corpus(tmp_path)
    with pytest.raises(DocumentError, match="does not exist"):
        load_corpus(tmp_path / "missing")
