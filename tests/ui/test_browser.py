"""The apps in a real browser (Debian's Chromium, headless, through Playwright): a customer on a shop page
with the embedded widget gets a streamed, cited answer and leaves feedback; an operator signs in, asks
which regions spike on Friday night, and sees the answer, the tool step and a chart. Screenshots go to
tests/screenshots/."""

from __future__ import annotations

import functools
import http.server
import threading
import time

import pytest

from tests.ui.conftest import OPERATOR_PASSWORD, SCREENSHOTS, TIMEOUT_MS
from ui.app import iframe_snippet

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_customer_in_embedded_widget_sees_streamed_answer_with_citation_and_leaves_feedback(
    browser, live_server, tmp_path
) -> None:
    base_url, services = live_server
    page = browser.new_page(viewport={"width": 1100, "height": 860})
    shop_page = (
        "<html><body style='font-family:sans-serif;background:#f1f5f9;margin:0;padding:24px'>"
        "<h2>Trailblazer Boots - 129.00 EUR</h2><p>The shop's product page, with the assistant embedded.</p>"
        f"<div style='position:fixed;right:24px;bottom:24px'>{iframe_snippet(base_url)}</div></body></html>"
    )
    # The shop's page, served from another origin (a local one: Chromium keeps public pages from framing
    # 127.0.0.1)
    (tmp_path / "boots.html").write_text(shop_page, encoding="utf-8")
    files = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    shop = http.server.ThreadingHTTPServer(("127.0.0.1", 0), files)
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    page.goto(f"http://localhost:{shop.server_address[1]}/boots.html")
    widget = page.frame_locator("iframe")
    question = widget.locator("#customer-question textarea")
    question.wait_for(timeout=TIMEOUT_MS)
    question.fill("Can I return opened headphones?")
    question.press("Enter")

    # Watch the answer grow: several distinct partial texts before the footnotes arrive.
    answer = widget.locator("#customer-chat .bot").last
    partial: list[str] = []
    deadline = time.monotonic() + 60
    while widget.locator("#customer-chat .footnote").count() == 0:
        assert time.monotonic() < deadline, "no cited answer within 60 s"
        if widget.locator("#customer-chat .bot").count():
            text = answer.inner_text()
            if text and (not partial or partial[-1] != text):
                partial.append(text)
        time.sleep(0.05)
    assert len(partial) >= 3, f"answer did not stream: {partial}"

    footnote = widget.locator("#customer-chat .footnote").first
    assert footnote.locator("summary").inner_text().startswith("[1] Returns and refunds")
    assert "[1]" in widget.locator("#customer-chat .cite-ref").first.inner_text()
    footnote.locator("summary").click()
    passage = footnote.locator("blockquote")
    passage.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert "headphones" in passage.inner_text().lower()
    _shot(page, "customer-embedded-cited-answer")

    widget.get_by_role("button", name="Like").last.click()
    comment = widget.locator("#feedback-comment textarea")
    comment.wait_for(state="visible", timeout=TIMEOUT_MS)
    comment.fill("Clear and quick, thanks")
    widget.locator("#feedback-send").click()
    deadline = time.monotonic() + 30
    while True:
        rows = services.conversations.recent(5)
        feedback = services.conversations.feedback(rows[0].conversation_id) if rows else []
        if feedback and feedback[0].get("comment"):
            break
        assert time.monotonic() < deadline, f"feedback not stored: {feedback}"
        time.sleep(0.2)
    assert feedback[0]["rating"] == "up" and feedback[0]["comment"] == "Clear and quick, thanks"
    page.close()
    shop.shutdown()


def test_operator_signs_in_and_sees_answer_tool_step_and_chart(browser, live_server) -> None:
    base_url, _ = live_server
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{base_url}/operator/")
    page.locator("input[type=text]").fill("operator")
    page.locator("input[type=password]").fill("not the password")
    page.get_by_role("button", name="Login").click()
    page.get_by_text("Incorrect credentials").wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#operator-chat").count() == 0
    _shot(page, "operator-login-refused")

    page.locator("input[type=text]").fill("operator")  # the form clears after a refusal
    page.locator("input[type=password]").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Login").click()
    question = page.locator("#operator-question textarea")
    question.wait_for(timeout=TIMEOUT_MS)
    question.fill("Which regions spike on Friday night?")
    question.press("Enter")

    page.locator("#operator-chart img").wait_for(timeout=TIMEOUT_MS)
    chat = page.locator("#operator-chat")
    step = chat.get_by_text("Tool: find_spikes")
    step.wait_for(timeout=TIMEOUT_MS)
    assert "Friday-night orders" in chat.inner_text()
    step.click()  # expand the step: the exact arguments the model sent
    chat.get_by_text('"start_hour": 20').first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#operator-table").get_by_text("region").first.is_visible()
    assert "find_spikes" in page.locator("#operator-caption").inner_text()
    _shot(page, "operator-spikes-chart")
    page.locator("#operator-sign-out a").click()
    page.locator("input[type=password]").wait_for(timeout=TIMEOUT_MS)  # back at the sign-in form
    page.goto(f"{base_url}/operator/")
    page.locator("input[type=password]").wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#operator-chat").count() == 0
    page.close()


def test_customer_retries_the_last_answer_and_keeps_the_earlier_turn(browser, live_server) -> None:
    base_url, services = live_server
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(f"{base_url}/customer/")
    chat = page.locator("#customer-chat")
    question = page.locator("#customer-question textarea")
    for n, text in enumerate(("Can I return opened headphones?",
                              "How long does delivery to Germany take?"), 1):
        question.wait_for(timeout=TIMEOUT_MS)
        question.fill(text)
        question.press("Enter")
        chat.locator(".footnote").nth(n - 1).wait_for(timeout=TIMEOUT_MS)
    page.locator("#customer-send").wait_for(state="visible", timeout=TIMEOUT_MS)  # the turn has ended
    conversation = services.conversations.recent(1)[0].conversation_id
    assert len(services.conversations.messages(conversation)) == 8

    page.get_by_role("button", name="Retry").last.click()
    deadline = time.monotonic() + 30
    while chat.locator(".footnote").count() != 1:  # the retried answer is gone while it streams again
        assert time.monotonic() < deadline, "retry did not replace the last answer"
        time.sleep(0.02)
    chat.locator(".footnote").nth(1).wait_for(timeout=TIMEOUT_MS)
    page.locator("#customer-send").wait_for(state="visible", timeout=TIMEOUT_MS)
    assert chat.locator(".user").count() == 2 and chat.locator(".bot").count() == 2
    messages = services.conversations.messages(conversation)
    assert len(messages) == 8 and messages[4]["content"] == "How long does delivery to Germany take?"
    page.close()


def test_an_image_in_a_chat_message_is_shown_as_text_and_never_fetched(browser, live_server) -> None:
    base_url, _ = live_server
    page = browser.new_page(viewport={"width": 900, "height": 900})
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "pixel" in request.url else None)
    page.goto(f"{base_url}/customer/")
    question = page.locator("#customer-question textarea")
    question.wait_for(timeout=TIMEOUT_MS)
    # Same-origin image URLs: the page's CSP would allow them, so only the rendering keeps them out.
    question.fill("Can I return opened headphones? ![seen](/customer/pixel-1.png) "
                  '<img src="/customer/pixel-2.png">')
    question.press("Enter")
    chat = page.locator("#customer-chat")
    chat.locator(".footnote").first.wait_for(timeout=TIMEOUT_MS)
    assert "![seen](/customer/pixel-1.png)" in chat.inner_text()
    assert chat.locator("img[src*=pixel]").count() == 0 and not fetched
    page.close()
