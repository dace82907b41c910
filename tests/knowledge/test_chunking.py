"""Chunking by headings: sections, overlapping windows, verbatim passages, stable ids."""

from __future__ import annotations

import itertools

import pytest

from tools.knowledge.chunking import chunk_document, slugify
from tools.knowledge.documents import parse_document

DOC = """---
title: Returns and refunds
updated: 2025-10-06
doc_type: policy
---
# Returns and refunds

You can return most items within 30 days of delivery.

## Opened items

Opened earbuds can only be returned if defective.

### Hygiene

Pillows only in sealed packaging.

## Opened items

A second section with the same heading.

```
## not a heading inside a code fence
```
"""


def _doc(text: str = DOC, doc_id: str = "returns"):
    return parse_document(text, doc_id, f"data/{doc_id}.md", mtime=0.0)


def test_sections_follow_level_two_and_three_headings_with_an_overview_first():
    chunks = chunk_document(_doc())
    assert [c.citation_id for c in chunks] == [
        "returns#overview", "returns#opened-items", "returns#hygiene", "returns#opened-items-2",
    ]
    assert chunks[2].section_path == "Opened items > Hygiene"
    assert chunks[0].section == "Overview"
    assert "## not a heading inside a code fence" in chunks[3].text


def test_passages_are_verbatim_substrings_of_the_document():
    document = _doc()
    for chunk in chunk_document(document):
        assert chunk.text in document.body
        assert chunk.text == chunk.text.strip()


def test_front_matter_fields_and_updated_time_reach_the_metadata():
    chunk = chunk_document(_doc())[1]
    meta = chunk.metadata()
    assert meta["doc_id"] == "returns" and meta["title"] == "Returns and refunds"
    assert meta["section"] == "Opened items" and meta["updated"] == "2025-10-06"
    assert meta["doc_type"] == "policy" and meta["source"] == "shop"
    assert meta["source_path"] == "data/returns.md" and meta["content_hash"] == chunk.chunk_id


def test_chunk_ids_are_stable_and_change_only_with_content():
    first, again = chunk_document(_doc()), chunk_document(_doc())
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    edited = chunk_document(_doc(DOC.replace("only be returned if defective", "be returned within 14 days")))
    changed = [a.citation_id for a, b in zip(first, edited) if a.chunk_id != b.chunk_id]
    assert changed == ["returns#opened-items"]


def test_timestamp_alone_does_not_change_chunk_ids():
    touched = parse_document(DOC.replace("updated: 2025-10-06\n", ""), "returns", "data/returns.md",
                             mtime=1e9)
    later = parse_document(DOC.replace("updated: 2025-10-06\n", ""), "returns", "data/returns.md", mtime=2e9)
    assert [c.chunk_id for c in chunk_document(touched)] == [c.chunk_id for c in chunk_document(later)]


def test_long_sections_become_overlapping_windows_within_the_size_limit():
    sentences = " ".join(f"Sentence number {i} explains one more detail of the policy." for i in range(60))
    paragraphs = "\n\n".join([sentences[:700], sentences[700:1400], sentences[1400:2100], sentences[2100:]])
    document = _doc(f"# Long\n\n## Details\n\n{paragraphs}\n", "long")
    chunks = chunk_document(document, max_chars=900, overlap_chars=300)
    assert len(chunks) >= 3
    assert all(len(c.text) <= 900 for c in chunks)
    assert [c.citation_id for c in chunks[:3]] == ["long#details", "long#details/2", "long#details/3"]
    for before, after in itertools.pairwise(chunks):
        start = document.body.index(after.text)
        assert start < document.body.index(before.text) + len(before.text), "windows overlap"
    covered = "".join(c.text for c in chunks)
    assert all(word in covered for word in ("number 0 ", "number 59 "))


def test_a_single_huge_word_is_cut_hard_rather_than_lost():
    document = _doc("# T\n\n## Blob\n\n" + "x" * 2000 + "\n", "blob")
    chunks = chunk_document(document, max_chars=900, overlap_chars=100)
    assert sum(len(c.text) for c in chunks) >= 2000 and all(len(c.text) <= 900 for c in chunks)


def test_overlap_must_be_smaller_than_the_window():
    with pytest.raises(ValueError, match="overlap_chars"):
        chunk_document(_doc(), max_chars=100, overlap_chars=100)


@pytest.mark.parametrize(
    ("heading", "slug"),
    [("Opened items", "opened-items"), ("Taxes and customs (IGIC)", "taxes-and-customs-igic"),
     ("Fumée & Café", "fumee-cafe")],
)
def test_slugs_are_ascii_lowercase_with_hyphens(heading: str, slug: str):
    assert slugify(heading) == slug
