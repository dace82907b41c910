"""The real 0.5B model with the shipped adapter, over dozens of messages its decision head answers in words
(small talk, questions no tool answers) in the shop's five languages: no stray token or invented id in the
answer, no debris of a call even in the model's draft, and the answer in the user's language. On the demo
shop and the second shop, half of the messages each."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import Settings
from agent.grounding import ungrounded_identifiers
from tests.llm.answer_messages import ANSWER_MESSAGES
from tools.language import detect_language, foreign_letters

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
MESSAGES = [message for messages in ANSWER_MESSAGES.values() for message in messages]


def stray(reply: str, question: str) -> list[str]:
    """What in a reply is debris rather than words: other scripts, field names, a word fragment first, an
    id the question did not give."""
    found = []
    if foreign_letters(reply):
        found.append("letters of another script")
    if "_" in reply:
        found.append("an underscore")
    if reply[:1].islower():
        found.append("a lowercase start")
    found += ungrounded_identifiers(reply, [question])
    return found


def _no_recommender() -> None:
    raise RuntimeError("this test needs no recommender")


@pytest.mark.parametrize(("shop", "half"), [("demo_shop", 0), ("second_shop", 1)])
def test_answers_in_words_hold_no_stray_token_and_come_in_the_users_language(
    shop: str, half: int, request: pytest.FixtureRequest, embedder, tmp_path: Path
) -> None:
    from agent.graph import ShopAgent
    from agent.llm.chat_model import LocalChatModel
    from tools.agent_tools import ShopEngines, build_registry
    from tools.knowledge import KnowledgeBase
    from tools.registry import Session

    store, _ = request.getfixturevalue(shop)
    settings = Settings(data_dir=tmp_path, store_dir=store.root,
                        model_cache_dir=REPO / ".chronotope" / "models", max_new_tokens=32)
    engines = ShopEngines(store=store, embedder=embedder, anomaly_dir=tmp_path / "anomaly",
                          open_knowledge_base=lambda: KnowledgeBase(tmp_path / "chroma", embedder),
                          open_recommender=_no_recommender)
    agent = ShopAgent(LocalChatModel.from_options(settings.model_options()), build_registry(engines))

    answered, problems = 0, []
    for question in MESSAGES[half::2]:
        answer = agent.ask(question, Session("customer", "U000001"))
        if answer.model_calls[0].get("decision") != "answer":
            continue  # the head chose a tool: not what this test is about
        answered += 1
        if foreign_letters(answer.draft) or "_" in answer.draft:  # what the decode mask rules out
            problems.append(f"draft {answer.draft!r} to {question!r} holds debris of a call")
        if found := stray(answer.text, question) or ungrounded_identifiers(answer.text, answer.sources):
            problems.append(f"answer {answer.text!r} to {question!r}: {found}")
        if detect_language(answer.text) != detect_language(question):
            problems.append(f"answer {answer.text!r} to {question!r} is not in the user's language")
    print(f"{shop}: {answered} answer decisions of {len(MESSAGES[half::2])}, {len(problems)} problems")
    assert answered >= 15, f"only {answered} answer decisions: the test would check too little"
    assert not problems, "\n".join(problems)
