"""Replies the agent composes come in the user's language, and no answer shows an id no tool returned."""

from __future__ import annotations

from langchain_core.messages import AIMessage

from agent.phrases import phrase
from tests.agent.scripted_model import call
from tests.agent.test_graph import make_agent
from tools.registry import Session


def test_a_german_question_gets_a_german_refusal_instead_of_the_models_english_one() -> None:
    agent, _ = make_agent([AIMessage("I'm sorry, I can only help with your own orders, our products and our "
                                     "policies.")])
    answer = agent.ask("Wo ist meine letzte Bestellung?", Session("customer", "U1"))
    assert answer.text == phrase("refusal", "de") and answer.composed and not answer.steps


def test_stray_tokens_and_an_invented_order_id_never_reach_the_user() -> None:
    garbage = "Петер_result: my_latest_order_shipped_yet, my_order_id: O0001234, n: 5"
    agent, _ = make_agent([AIMessage(garbage)])
    answer = agent.ask("has my latest order shipped yet?", Session("customer", "U1"))
    assert answer.text == phrase("dont_know", "en") and "O0001234" not in answer.text


def test_a_clean_reply_in_the_users_language_is_the_models_own() -> None:
    agent, _ = make_agent([AIMessage("Das kann ich leider nicht beantworten.")])
    answer = agent.ask("Wer hat gestern das Spiel gewonnen?", Session("customer", "U1"))
    assert answer.text == "Das kann ich leider nicht beantworten." and not answer.composed


def test_small_talk_is_answered_in_kind_and_in_the_users_language() -> None:
    agent, _ = make_agent([AIMessage("Hi! What can I do for you?")])
    assert agent.ask("Danke schön!", Session("customer", "U1")).text == phrase("thanks", "de")


def test_a_draft_naming_an_order_id_no_tool_returned_is_replaced_by_the_tools_summary() -> None:
    agent, _ = make_agent([call("my_orders"), AIMessage("You have 2 orders; O0001234 ships tomorrow.")])
    answer = agent.ask("show my orders", Session("customer", "U1"))
    assert answer.composed and "O0001234" not in answer.text and answer.text == "2 orders for U1."


def test_a_tool_failure_is_told_in_the_users_language() -> None:
    agent, _ = make_agent([call("find_spikes", day="Funday"), call("find_spikes", day="Moonday"),
                           AIMessage("")])
    answer = agent.ask("Quelles régions ont un pic le vendredi soir ?", Session("operator"))
    assert answer.text.startswith("Désolé, je n'ai pas pu obtenir cela :") and "Traceback" not in answer.text
