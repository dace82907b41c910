"""A message that asks two things is answered part by part (agent/multi_part.py): where its words say a second
question starts, in the shop's five languages; never a question with context before it or a list in one
question; no split of a synthetic training turn that asks one thing."""

from __future__ import annotations

import random
from datetime import date

import pytest
from langchain_core.messages import AIMessage

from agent.graph import ShopAgent
from agent.multi_part import question_parts
from agent.phrases import phrase
from finetune.synth.dialogues import synthesize
from finetune.synth.profiles import random_facts, random_profile
from tests.agent.scripted_model import ScriptedChatModel, call
from tests.agent.test_declined import FiguresArgs, OrdersArgs, _figures, _orders, agent_replying
from tools.agent_tools import build_registry
from tools.registry import Session, ShopTool, ToolRegistry


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
    # words that change the subject: a customer's own trouble, then a question for the shop's figures
    ("My parcel is late and the box was crushed. Anyway, how much revenue did you make in Bavaria?",
     ["My parcel is late and the box was crushed.", "How much revenue did you make in Bavaria?"]),
    ("Meine Lieferung kam kaputt an. Übrigens, wie viele Bestellungen hattet ihr in Berlin?",
     ["Meine Lieferung kam kaputt an.", "Wie viele Bestellungen hattet ihr in Berlin?"]),
    ("my order hasn't arrived, btw which region sells the most?",
     ["My order hasn't arrived?", "Which region sells the most?"]),
    ("Il pacco è in ritardo. Comunque, quale regione vende di più?",
     ["Il pacco è in ritardo.", "Quale regione vende di più?"]),
    ("My parcel is late. Really annoying. Anyway, which region sold the most?",  # after any sentence
     ["My parcel is late. Really annoying.", "Which region sold the most?"]),
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
    "è arrivato rotto, comunque voglio un rimborso",  # after a comma, only a question is a second one
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


def test_a_question_for_the_shops_figures_after_a_customers_trouble_is_declined_beside_it() -> None:
    """"My order is late. Anyway, how many orders did you get this week?": the model had answered with the
    customer's orders and said nothing of the rest; the second part is refused before any tool runs."""
    registry = ToolRegistry(
        [ShopTool("my_orders", "Own orders.", OrdersArgs, frozenset({"customer"}), _orders, needs_user=True),
         ShopTool("top_items", "Rank a metric.", FiguresArgs, frozenset({"operator"}), _figures)],
        engines=object())
    model = ScriptedChatModel(replies=[call("my_orders"), AIMessage("Your order O0000001 is on its way.")],
                              prompts=[], invocation_kwargs=[], bound_tools=[])
    agent = ShopAgent(model, registry, max_steps=3, today=date(2026, 11, 15))
    answer = agent.ask("My order is late. Anyway, how many orders did you get this week?",
                       Session("customer", "U1"))
    assert [s.name for s in answer.steps] == ["my_orders"]
    assert "O0000001" in answer.text and phrase("not_yours", "en") in answer.text
