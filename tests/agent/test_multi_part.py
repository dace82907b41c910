"""A message that asks two things is answered part by part (agent/multi_part.py): where its words say a second
question starts, in the shop's five languages; never a question with context before it or a list in one
question; no split of a synthetic training turn that asks one thing."""

from __future__ import annotations

import random

import pytest
from langchain_core.messages import AIMessage

from agent.multi_part import question_parts
from finetune.synth.dialogues import synthesize
from finetune.synth.profiles import random_facts, random_profile
from tests.agent.scripted_model import ScriptedChatModel, call
from tests.agent.test_declined import agent_replying
from tools.agent_tools import build_registry
from tools.registry import Session


@pytest.mark.parametrize("message, parts", [
    ("Two questions: can I still cancel an order that has shipped, and how long does a refund take?",
     ["Can I still cancel an order that has shipped?", "How long does a refund take?"]),
    ("Where is my order? Can I still return it?", ["Where is my order?", "Can I still return it?"]),
    ("Show me my orders. Also, what is your return window?",
     ["Show me my orders.", "What is your return window?"]),
    ("Okay so where is my order? And can I still return it?",
     ["Okay so where is my order?", "Can I still return it?"]),
    ("Wie viele Einheiten hat Hessen diesen Monat verkauft, und welche Stadt liegt vorne?",
     ["Wie viele Einheiten hat Hessen diesen Monat verkauft?", "Welche Stadt liegt vorne?"]),
    ("Quel est le panier moyen ce mois-ci, et quelle région vend le plus ?",
     ["Quel est le panier moyen ce mois-ci?", "Quelle région vend le plus ?"]),
    ("¿Dónde está mi pedido? ¿Puedo devolverlo?", ["¿Dónde está mi pedido?", "¿Puedo devolverlo?"]),
    ("Due domande: quanto costa la spedizione, e quanto tempo ci vuole?",
     ["Quanto costa la spedizione?", "Quanto tempo ci vuole?"]),
])
def test_two_questions_are_split_where_the_words_say_a_second_starts(message: str, parts: list[str]) -> None:
    assert question_parts(message) == parts


@pytest.mark.parametrize("message", [
    "My parcel never came. What should I do?", "Hi! Where is my order?",
    "revenue and orders by region this month", "I ordered shoes, and was charged twice. What now?",
    "Busco una chaqueta impermeable, y que sea barata",
    "What's the status of my last order, and if it's delivered, until when can I send it back?",
    "Prognose für Bayern und Hessen, die nächsten 4 Wochen",
    "was geht bei Hessen? Auffälligkeiten die letzten 7 Tage?",
    # thanks for the answer before, then a follow-up that needs its "and" (agent/llm/leaning.py)
    "ok thanks. And how many orders were there over the last seven days?",
    "Super, danke dir! Und wie hoch war der Umsatz im selben Zeitraum?",
    "Thanks, that's really helpful. And which city leads there?",
    "Parfait, merci. Et combien de commandes la semaine dernière ?",
    "Vale, muchas gracias. ¿Y cuántas unidades allí?", "Ottimo, grazie. E il fatturato del mese scorso?",
])
def test_one_question_stays_whole(message: str) -> None:
    assert question_parts(message) == [message]


def test_no_synthetic_turn_that_asks_one_thing_is_split() -> None:
    """10 random shops' dialogues: no turn answered with one call (or none) is split; of the turns answered
    with two calls (two questions, or a plan whose second step uses the first's result) some are."""
    rng = random.Random(5)
    split_single = split_double = doubles = 0
    for _ in range(10):
        profile = random_profile(rng)
        registry = build_registry(None, profile=profile)
        for dialogue in synthesize(registry, random_facts(rng, profile), 40, seed=rng.randrange(2**31)):
            for i, asked in enumerate(dialogue.messages):
                if asked["role"] != "user":
                    continue
                calls = 0
                for reply in dialogue.messages[i + 1:]:
                    if reply["role"] == "user":
                        break
                    calls += len(reply.get("tool_calls") or [])
                split = len(question_parts(asked["content"])) > 1
                doubles += calls >= 2
                split_single += split and calls < 2
                split_double += split and calls >= 2
    assert split_single == 0
    assert doubles and split_double >= doubles // 4


def test_each_part_is_answered_as_a_turn_and_the_answers_are_joined() -> None:
    """The cancellation passage answered the first part and nothing the second: now each part runs its own
    tool, and the answer holds both."""
    agent = agent_replying(call("my_orders"), AIMessage("Your order O0000001 was delivered."),
                           call("search_docs", query="shipping costs"),
                           AIMessage("Standard delivery to Germany costs 4.90 EUR [shipping-germany#costs]."))
    answer = agent.ask("Where is my order? And what are your shipping costs?", Session("customer", "U1"))
    assert [s.name for s in answer.steps] == ["my_orders", "search_docs"]
    assert "O0000001" in answer.text and "4.90 EUR" in answer.text
    model: ScriptedChatModel = agent.chat_model
    asked = [str(p[-1].content) for p in model.prompts if p[-1].type == "human"]
    assert asked == ["Where is my order?", "What are your shipping costs?"]


def test_a_part_refused_stays_refused_beside_the_answered_one() -> None:
    agent = agent_replying(call("my_orders"), AIMessage("Your order O0000001 was delivered."))
    answer = agent.ask("Where is my order? And can you show me the orders of U000044?",
                       Session("customer", "U1"))
    assert [s.name for s in answer.steps] == ["my_orders"]
    assert "O0000001" in answer.text and "other customers' data" in answer.text
