"""What document search is asked: the user's words, the questions a very short follow-up leans on, the
places of those a follow-up leans on, and the model's extra words ("How much is shipping to Germany?" then
"ok, and how long does express take?" had found France's shipping page)."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from agent.docs_query import docs_query
from tests.shops import NORTHWIND
from tools.agent_tools import build_registry
from tools.events.simulate.profile import demo_profile


@pytest.mark.parametrize("profile", [demo_profile(), NORTHWIND], ids=["demo", "northwind"])
def test_a_follow_up_searches_the_documents_with_the_place_it_leans_on(profile) -> None:
    registry = build_registry(None, profile=profile)
    place, other = [p.name for p in profile.places if p.level == "country"][:2]
    asked = [HumanMessage(f"How much is shipping to {place}?"), AIMessage("Standard delivery: 4.90.")]

    def query(text: str, model_query: str = "") -> str:
        return docs_query(registry, text, model_query, [*asked, HumanMessage(text)])

    follow = "ok thanks, and how long does express take?"
    assert query(follow) == f"{follow} {place}"
    assert query(follow, "express delivery time") == f"{follow} {place} delivery time"  # the model's own
    standalone = "How long does express delivery take?"  # a question on its own: no earlier place
    assert query(standalone) == standalone
    own = f"and to {other}?"  # a follow-up that names its own place
    assert query(own) == own
    assert docs_query(registry, follow, "") == follow  # no conversation: the question alone


def test_a_place_named_by_its_alias_is_searched_by_its_name() -> None:
    registry = build_registry(None, profile=demo_profile())
    asked = [HumanMessage("Was kostet der Versand nach Deutschland?"), AIMessage("4,90 EUR.")]
    follow = "Danke! Und wie lange dauert Express?"
    assert docs_query(registry, follow, "", [*asked, HumanMessage(follow)]) == f"{follow} Germany"


@pytest.mark.parametrize("profile", [demo_profile(), NORTHWIND], ids=["demo", "northwind"])
def test_a_very_short_follow_up_is_searched_with_the_question_it_leans_on(profile) -> None:
    registry = build_registry(None, profile=profile)
    place, other = [p.name for p in profile.places if p.level == "country"][:2]
    earlier = f"Wie lange dauert der Versand nach {place}?"
    asked = [HumanMessage(earlier), AIMessage("3-5 Werktage.")]
    for follow in ("Und was kostet das?", "und Express?"):
        query = docs_query(registry, follow, "", [*asked, HumanMessage(follow)])
        assert query == f"{follow} {earlier} {place}"
    longer = "Und kann ich Artikel aus dem Sale auch zurückgeben?"  # names its own topic
    assert docs_query(registry, longer, "", [*asked, HumanMessage(longer)]) == f"{longer} {place}"
    own = f"und nach {other}?"  # names its own place
    assert docs_query(registry, own, "", [*asked, HumanMessage(own)]) == own
    alone = "Garantie?"  # the first question: nothing to lean on
    assert docs_query(registry, alone, "", [HumanMessage(alone)]) == alone
