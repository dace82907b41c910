"""Chats across restarts and under load: after a server restart the customer's next turn continues the same
conversation (from the history database, in the open page); parallel turns of one session are answered one
after another, none lost; a process keeps a bounded number of chats in memory."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import threading
import time

from gradio_client import Client

from tests.ui.conftest import CUSTOMER_KEY, TIMEOUT_MS, _free_port, running_server
from ui.chat_registry import ChatSessions
from ui.customer_token import sign_customer


def test_chats_beyond_capacity_leave_memory_least_recently_used_first_but_not_mid_turn() -> None:
    forgotten: list[str | None] = []
    chats = ChatSessions("customer", forget=lambda chat: forgotten.append(chat.user_id), capacity=2)
    for key in ("a", "b"):
        chats.get(key).user_id = key
    with chats.turn("a"):
        chats.get("c").user_id = "c"  # "b" is the oldest idle chat: "a" is mid-turn
        assert forgotten == ["b"] and len(chats) == 2
    chats.get("d")
    assert forgotten == ["b", "a"] and len(chats) == 2


def test_parallel_turns_of_one_session_are_all_answered_in_order(live_server) -> None:
    base_url, services = live_server
    token = sign_customer(CUSTOMER_KEY, services.demo_customers[0].user_id)
    questions = [f"Can I return opened headphones? (question {n})" for n in range(6)]
    client = Client(f"{base_url}/customer/", verbose=False, download_files=False, analytics_enabled=False)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(lambda q: client.predict(q, "", token, api_name="/ask"), questions))
    finally:
        client.close()
    conversations = {result[2] for result in results}
    assert len(conversations) == 1  # one chat, one stored conversation
    stored = services.conversations.messages(conversations.pop())
    assert sorted(m["content"] for m in stored if m["role"] == "user") == sorted(questions)
    longest = max((result[1] for result in results), key=len)
    assert sum(m["role"] == "user" for m in longest) == len(questions)


def test_after_a_restart_the_open_page_continues_the_same_conversation(browser, make_services) -> None:
    services = make_services()
    customer = services.demo_customers[0]
    port = _free_port()
    page = browser.new_page(viewport={"width": 900, "height": 900})
    first = threading.Event()
    with running_server(services, port=port) as base_url:
        page.goto(f"{base_url}/customer/#token={sign_customer(CUSTOMER_KEY, customer.user_id)}")
        question = page.locator("#customer-question textarea")
        question.wait_for(timeout=TIMEOUT_MS)
        question.fill("Can I return opened headphones?")
        question.press("Enter")
        page.locator("#customer-chat .footnote").first.wait_for(timeout=TIMEOUT_MS)
        page.locator("#customer-send").wait_for(state="visible", timeout=TIMEOUT_MS)
        first.set()
    assert first.is_set()
    restarted = dataclasses.replace(services)  # a new process's services over the same history database
    with running_server(restarted, port=port):
        question.fill("Where is my latest order?")
        question.press("Enter")
        deadline = time.monotonic() + 60
        while len(restarted.conversations.recent()) != 1 or len(_users(restarted)) != 2:
            assert time.monotonic() < deadline, f"not continued: {_users(restarted)}"
            time.sleep(0.2)
        page.locator("#customer-send").wait_for(state="visible", timeout=TIMEOUT_MS)
        chat = page.locator("#customer-chat").inner_text()
        assert "Can I return opened headphones?" in chat and "Where is my latest order?" in chat
    assert _users(restarted) == ["Can I return opened headphones?", "Where is my latest order?"]
    assert restarted.conversations.recent()[0].user_id == customer.user_id
    page.close()


def _users(services) -> list[str]:
    rows = services.conversations.recent()
    if not rows:
        return []
    return [m["content"] for m in services.conversations.messages(rows[0].conversation_id)
            if m["role"] == "user"]


def test_the_api_refuses_to_continue_someone_elses_conversation(live_server) -> None:
    base_url, services = live_server
    first, second = services.demo_customers[:2]
    client = Client(f"{base_url}/customer/", verbose=False, download_files=False, analytics_enabled=False)
    try:
        theirs = client.predict("Where is my latest order?", "", sign_customer(CUSTOMER_KEY, first.user_id),
                                api_name="/ask")[2]
    finally:
        client.close()
    intruder = Client(f"{base_url}/customer/", verbose=False, download_files=False, analytics_enabled=False)
    try:
        token = sign_customer(CUSTOMER_KEY, second.user_id)
        result = intruder.predict("Hello", theirs, token, api_name="/ask")
    finally:
        intruder.close()
    assert result[2] != theirs and "Where is my latest order?" not in json.dumps(result[1])
