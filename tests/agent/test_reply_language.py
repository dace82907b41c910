"""Replies the agent composes come in the user's language, and no answer shows an id no tool returned."""

from __future__ import annotations

from langchain_core.messages import AIMessage
from pydantic import Field

from agent.graph import ShopAgent
from agent.phrases import phrase
from tests.agent.scripted_model import ScriptedChatModel, call
from tests.agent.test_graph import _docs, make_agent
from tools.registry import Session, ShopTool, ToolArgs, ToolRegistry


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


def test_document_search_gets_the_users_own_words_and_the_models_extra_ones() -> None:
    question = "Hallo, kann ich geöffnete Kopfhörer zurückgeben?"
    agent, _ = make_agent([call("search_docs", query="return opened headphones"), AIMessage("")])
    step = agent.ask(question, Session("customer", "U1")).steps[0]
    assert step.arguments["query"] == f"{question} return opened headphones"


def test_a_long_question_is_cut_at_a_word_to_fit_document_search() -> None:
    class ShortQuery(ToolArgs):
        query: str = Field(min_length=2, max_length=60)

    docs = ShopTool("search_docs", "Policies.", ShortQuery, frozenset({"customer"}), _docs)
    agent = ShopAgent(ScriptedChatModel(replies=[call("search_docs", query="returns"), AIMessage("")],
                                        prompts=[], invocation_kwargs=[], bound_tools=[]),
                      ToolRegistry([docs], engines=object()))
    question = "Could you please tell me, in a few words, how returns of opened items work here?"
    step = agent.ask(question, Session("customer", "U1")).steps[0]
    cut = "Could you please tell me, in a few words, how returns of"  # 57 characters, cut at a word
    assert step.status == "done" and step.arguments["query"] == cut


def test_words_the_model_was_made_to_write_while_it_wanted_a_call_are_replaced() -> None:
    noise = AIMessage("Porno: I'm sorry, I can only help with your own orders.",
                      response_metadata={"decision": "answer", "wanted_call": True})
    agent, _ = make_agent([noise])
    answer = agent.ask("Has my latest order shipped yet?", Session("customer", "U1"))
    assert answer.text == phrase("dont_know", "en") and answer.composed  # "I don't know", not a refusal


def test_a_follow_up_whose_words_do_not_tell_is_answered_in_the_conversations_language() -> None:
    from langchain_core.messages import HumanMessage

    from agent.phrases import turn_language

    german = [HumanMessage("Habt ihr Kopfhörer?"), AIMessage("Ja."), HumanMessage("was passt dazu?")]
    assert turn_language("was passt dazu?", german) == "de"  # it scores English as much as German
    assert turn_language("was passt dazu?", german[-1:]) == "en"  # nothing before it: the default
    assert turn_language("what would you pair with it?", german) == "en"  # its own words tell
    agent, _ = make_agent([AIMessage("Ich weiß es nicht."), AIMessage("I'm sorry, I can't help with that.")])
    session = Session("customer", "U1")
    agent.ask("Wo ist meine letzte Bestellung?", session, thread_id="t")
    answer = agent.ask("hmm?", session, thread_id="t")  # no word of any language
    assert answer.text in {phrase(kind, "de") for kind in ("refusal", "dont_know")}
