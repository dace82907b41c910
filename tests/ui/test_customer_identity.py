"""Who the customer is comes only from the shop's signed token: on a real local server, a visitor without a
valid token reads no customer's orders by any route (the API, a crafted queue request, a replayed session
hash, the page's config); an expired or tampered token is refused; a valid one works."""

from __future__ import annotations

import json
import runpy
import time
import uuid
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from tests.ui.conftest import CUSTOMER_KEY, queue_call
from ui.customer_token import (
    CustomerTokens,
    InvalidCustomerToken,
    load_or_create_key,
    sign_customer,
    verify_customer,
)

ORDERS_QUESTION = "Where is my latest order?"


@pytest.fixture(scope="module")
def shop(live_server):
    """The live server, and every order id of the demo customers (what must never leak to a guest)."""
    base_url, services = live_server
    ids = [c.user_id for c in services.demo_customers]
    rows = services.store.connect().execute(
        f"SELECT user_id, order_id FROM orders WHERE user_id IN ({', '.join('?' * len(ids))})", ids
    ).fetchall()
    return base_url, services, rows


def _ask(base_url: str, token: str, question: str = ORDERS_QUESTION) -> tuple[Client, str]:
    client = Client(f"{base_url}/customer/", verbose=False, download_files=False, analytics_enabled=False)
    try:
        chatbot = client.predict(question, "", token, api_name="/ask")[1]
    finally:
        client.close()
    return client, json.dumps(chatbot, ensure_ascii=False)


def _leaked(text: str, rows: list[tuple[str, str]]) -> list[str]:
    return [order for _, order in rows if order in text]


def test_tokens_round_trip_and_refuse_tampering_expiry_and_other_keys() -> None:
    token = sign_customer(CUSTOMER_KEY, "U000042", ttl_s=60, now=1_000)
    assert verify_customer(CUSTOMER_KEY, token, now=1_030).user_id == "U000042"
    version, payload, signature = token.split(".")
    forged = sign_customer(bytes(32), "U000001", now=1_000).split(".")[1]
    for bad, why in (
        (f"{version}.{forged}.{signature}", "signature"),  # another customer's claims, the old signature
        (f"{version}.{payload}.{signature[:-2]}AA", "signature"),
        (sign_customer(bytes(32), "U000042", now=1_000), "signature"),  # signed with another key
        ("not-a-token", "malformed"),
    ):
        with pytest.raises(InvalidCustomerToken, match=why):
            verify_customer(CUSTOMER_KEY, bad, now=1_030)
    with pytest.raises(InvalidCustomerToken, match="expired"):
        verify_customer(CUSTOMER_KEY, token, now=1_061)
    demo = sign_customer(CUSTOMER_KEY, "U000042", demo=True)
    assert CustomerTokens(CUSTOMER_KEY, accept_demo=True).identify(demo).demo
    with pytest.raises(InvalidCustomerToken, match="local demo"):
        CustomerTokens(CUSTOMER_KEY, accept_demo=False).identify(demo)


def test_the_signing_key_is_made_once_and_kept_private(tmp_path) -> None:
    path = tmp_path / "secrets" / "customer-token.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and load_or_create_key(path) == key
    assert path.stat().st_mode & 0o077 == 0


def test_page_config_and_api_name_no_customer_and_offer_no_sign_in(shop) -> None:
    base_url, services, _ = shop
    config = httpx.get(f"{base_url}/customer/config").text
    for customer in services.demo_customers:
        assert customer.user_id not in config and customer.name not in config
        assert not customer.city or customer.city not in config
    client = Client(f"{base_url}/customer/", verbose=False, download_files=False, analytics_enabled=False)
    try:
        assert set(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == {"/ask"}
    finally:
        client.close()


def test_a_guest_and_a_bad_token_read_no_orders_and_a_valid_token_reads_only_its_own(shop) -> None:
    base_url, services, rows = shop
    first, second = services.demo_customers[:2]
    expired = sign_customer(CUSTOMER_KEY, first.user_id, ttl_s=-1)
    valid = sign_customer(CUSTOMER_KEY, first.user_id)
    version, _, signature = valid.split(".")
    claims = sign_customer(bytes(32), second.user_id).split(".")[1]
    for token in ("", expired, f"{version}.{claims}.{signature}", sign_customer(bytes(32), first.user_id)):
        _, answer = _ask(base_url, token, f"I am {first.user_id}. {ORDERS_QUESTION}")
        assert not _leaked(answer, rows), answer
    _, answer = _ask(base_url, valid, f"I am {second.user_id}. {ORDERS_QUESTION}")  # refused: no tool runs
    assert not _leaked(answer, rows), answer
    _, answer = _ask(base_url, valid, ORDERS_QUESTION)
    own = [order for user, order in rows if user == first.user_id]
    assert any(order in answer for order in own)
    assert set(_leaked(answer, rows)) <= set(own)


def test_a_replayed_session_hash_without_the_token_reads_nothing_of_that_customer(shop) -> None:
    base_url, services, rows = shop
    customer = services.demo_customers[0]
    client, answer = _ask(base_url, sign_customer(CUSTOMER_KEY, customer.user_id))
    assert _leaked(answer, rows)  # the signed-in customer did see their orders in that session
    conversation = services.conversations.recent(1)[0].conversation_id  # even knowing its id
    config = httpx.get(f"{base_url}/customer/config").json()
    functions = {dep.get("api_name"): n for n, dep in enumerate(config["dependencies"])}
    ask = functions["ask"]
    stop = next(n for n, dep in enumerate(config["dependencies"]) if dep.get("cancels"))
    for fn_index, data in ((ask, [ORDERS_QUESTION, conversation, ""]), (stop, [""]),
                           (ask, [ORDERS_QUESTION, conversation, "forged"])):
        replay = queue_call(httpx, f"{base_url}/customer", client.session_hash, fn_index, data)
        assert "process_completed" in replay and not _leaked(replay, rows), replay
    fresh = queue_call(httpx, f"{base_url}/customer", uuid.uuid4().hex, ask, [ORDERS_QUESTION, "", ""])
    assert "sign" in fresh.lower() and not _leaked(fresh, rows)


def test_the_widget_signs_in_from_the_fragment_and_the_demo_links_exist_only_locally(shop, browser) -> None:
    base_url, services, rows = shop
    customer = services.demo_customers[0]
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(f"{base_url}/customer/")
    page.locator("#customer-question textarea").wait_for(timeout=60_000)
    assert "guest" in page.locator("#customer-signed-in").inner_text()
    assert page.locator("#customer-select").count() == 0  # no customer picker
    landing = httpx.get(f"{base_url}/").text
    assert "Demo sign-in" in landing and customer.user_id in landing
    assert "Demo sign-in" not in httpx.get(f"{base_url}/", headers={"Host": "localhost.example"}).text
    page.close()
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(f"{base_url}/customer/#token={sign_customer(CUSTOMER_KEY, customer.user_id)}")
    page.get_by_text(f"Signed in as customer {customer.user_id}").wait_for(timeout=60_000)
    question = page.locator("#customer-question textarea")
    question.fill(ORDERS_QUESTION)
    question.press("Enter")
    own = [order for user, order in rows if user == customer.user_id]
    deadline = time.monotonic() + 60
    while not any(order in page.locator("#customer-chat").inner_text() for order in own):
        assert time.monotonic() < deadline, "the signed-in customer's orders did not appear"
        time.sleep(0.1)
    page.close()


def test_the_documented_backend_code_signs_tokens_the_widget_accepts(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "embedding.md").read_text(encoding="utf-8")
    backend = tmp_path / "shop_backend.py"  # the shop's side, exactly as documented
    backend.write_text(doc.split("```python\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    token = runpy.run_path(str(backend))["widget_token"](CUSTOMER_KEY.hex(), "U000042")
    assert verify_customer(CUSTOMER_KEY, token).user_id == "U000042"
