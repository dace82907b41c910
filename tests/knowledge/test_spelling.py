"""Typos in an English question are put right with the documents' words before searching; other languages,
short words and words the documents use are left as written."""

from __future__ import annotations

import pytest

from tests.documents import NORTHWIND_DOCS
from tools.knowledge.spelling import corrected, word_counts

WORDS = word_counts(["We do not accept cash on delivery.", "Delivery takes 3 days; delivery is free.",
                     "Deliver the parcel to a neighbour.", "Returns within 30 days."])


def test_a_word_the_documents_never_use_becomes_their_word_one_edit_away() -> None:
    assert corrected("do u take cash on delivry", WORDS) == "do u take cash on delivery"
    assert corrected("Retruns policy?", WORDS) == "returns policy?"  # a swap; the documents' spelling
    assert corrected("Delivered yet?", WORDS) == "Delivered yet?"  # two edits from any word: left
    assert corrected("the pacel", WORDS) == "the pacel"  # short words are too close to others to guess
    assert corrected("deliver it", WORDS) == "deliver it"  # a word the documents use is never changed


@pytest.mark.parametrize("shop", ["demo", "second"])
def test_a_typo_finds_the_passage_the_spelled_question_finds(shop, indexed, fresh_kb, write_docs) -> None:
    if shop == "demo":
        kb, typo, right = indexed[0], "can I retrun opened headphnes?", "can I return opened headphones?"
    else:
        kb = fresh_kb
        kb.index(write_docs(NORTHWIND_DOCS), progress=False)
        typo, right = "how long is the pasword reset link valid", "how long is the password reset link valid"
    result = kb.search(typo, k=3)
    assert result.spelled == right and f'searched as "{right}"' in result.summary()
    assert [h.citation_id for h in result.hits] == [h.citation_id for h in kb.search(right, k=3).hits]
    german = kb.search("Wie lange habe ich für eine Rückgabe Zeit?", k=3)
    assert german.spelled == ""  # not English: the documents' English words are no spelling for it
