"""Both apps on a real local server: the operator console is locked (UI, config, API), a customer gets no
operator data, and ten signed-in customers can chat at once."""

from __future__ import annotations

import concurrent.futures
import json

import httpx
import pytest
from gradio_client import Client

from tests.ui.conftest import CUSTOMER_KEY, OPERATOR_PASSWORD, running_server
from ui.customer_token import sign_customer

OPEN_CLIENTS: list[Client] = []


def _client(url: str, auth: tuple[str, str] | None = None) -> Client:
    client = Client(url, auth=auth, verbose=False, download_files=False, analytics_enabled=False)
    OPEN_CLIENTS.append(client)
    return client


@pytest.fixture(autouse=True)
def _close_clients():
    """Clients hold a heartbeat stream open; close them so the server stops at once."""
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


def _text(chatbot: list[dict]) -> str:
    """All text in a chatbot value as the API returns it (content may be a list of parts)."""
    return json.dumps(chatbot, ensure_ascii=False)


def test_wrong_operator_password_is_refused(live_server) -> None:
    base_url, _ = live_server
    wrong = httpx.post(f"{base_url}/operator/login", data={"username": "operator", "password": "chronotope"})
    assert wrong.status_code == 400 and "Incorrect credentials" in wrong.text
    other_user = httpx.post(f"{base_url}/operator/login",
                            data={"username": "admin", "password": OPERATOR_PASSWORD})
    assert other_user.status_code == 400
    right = httpx.post(f"{base_url}/operator/login",
                       data={"username": "operator", "password": OPERATOR_PASSWORD})
    assert right.status_code == 200 and right.json() == {"success": True}


def test_operator_data_and_endpoints_are_closed_without_sign_in(live_server) -> None:
    base_url, _ = live_server
    page = httpx.get(f"{base_url}/operator/")
    assert "Which regions spike" not in page.text and "operator-chat" not in page.text
    assert httpx.get(f"{base_url}/operator/config").status_code == 401
    assert httpx.get(f"{base_url}/operator/gradio_api/info").status_code == 401
    joined = httpx.post(f"{base_url}/operator/gradio_api/queue/join",
                        json={"data": ["which regions spike?"], "fn_index": 0, "session_hash": "x"})
    assert joined.status_code == 401
    with pytest.raises(Exception, match="(?i)401|auth|login|config"):
        _client(f"{base_url}/operator/")
    # A customer session's cookie (there is none to get) or a wrong password does not help either.
    with pytest.raises(Exception, match="(?i)credentials|401|login"):
        _client(f"{base_url}/operator/", auth=("operator", "guess"))


def test_signed_in_operator_gets_answers_with_tool_steps_over_the_api(live_server) -> None:
    base_url, _ = live_server
    client = _client(f"{base_url}/operator/", auth=("operator", OPERATOR_PASSWORD))
    result = client.predict("Which regions spike on Friday night?", "", api_name="/ask")
    chatbot = result[1]
    assert chatbot[1]["metadata"]["title"] == "Tool: find_spikes"
    assert "Friday-night orders" in _text(chatbot[-1])


def test_customer_asking_an_operator_question_gets_no_operator_data(live_server) -> None:
    base_url, services = live_server
    client = _client(f"{base_url}/customer/")
    token = sign_customer(CUSTOMER_KEY, services.demo_customers[0].user_id)
    chatbot = client.predict("Which regions spike on Friday night?", "", token, api_name="/ask")[1]
    answer = _text(chatbot[-1])
    # refused before any tool runs (agent/roles.asks_for_shop_data); the registry's own role check is
    # tested in tests/agent/test_registry.py
    assert "can't share" in answer and "shop's figures" in answer and "Friday-night orders" not in answer


def test_landing_page_links_both_apps_and_the_widget_can_be_framed(live_server) -> None:
    base_url, _ = live_server
    landing = httpx.get(f"{base_url}/")
    assert 'href="/customer/"' in landing.text and 'href="/operator/"' in landing.text
    assert f"&lt;iframe src=&quot;{base_url}/customer/&quot;" in landing.text
    widget = httpx.get(f"{base_url}/customer/")
    assert widget.status_code == 200 and "x-frame-options" not in {k.lower() for k in widget.headers}


@pytest.mark.slow
def test_ten_concurrent_customer_chats_complete_without_errors(make_services) -> None:
    services = make_services(word_delay_s=0.0)
    customers = services.demo_customers
    questions = ["Can I return opened headphones?", "How long does delivery to Germany take?",
                 "Where is my latest order?"]
    with running_server(services) as base_url:

        def chat(n: int) -> tuple[str, str]:
            client = _client(f"{base_url}/customer/")
            customer = customers[n % len(customers)]
            token = sign_customer(CUSTOMER_KEY, customer.user_id)
            chatbot = client.predict(questions[n % len(questions)], "", token, api_name="/ask")[1]
            return customer.user_id, _text(chatbot[-1])

        with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(chat, range(10)))
    assert len(answers) == 10
    for n, (user_id, answer) in enumerate(answers):
        assert "Sorry" not in answer and "I don't know" not in answer, answer
        if n % 3 == 2:
            assert "order" in answer.lower()
        else:
            assert "footnote" in answer
    assert len(services.conversations.recent()) == 10
