"""How agent output looks in a chat: answers with numbered footnotes, product cards, tool steps as
collapsible messages. Pure functions over the agent's types, returning Gradio message dicts and HTML,
so they are tested without a server.

Everything that comes from people or data (questions, answers, passages, product names, tool output) is
HTML-escaped and its Markdown images are shown as text: a document or a product name must never become
markup in someone's browser, nor an image it fetches from elsewhere (a tracking pixel).
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from agent.grounding import citations_in

if TYPE_CHECKING:
    from agent.answer import AgentAnswer
    from tools.registry import Citation, ToolStep

# What a customer sees while a tool runs (the operator sees the tool itself).
CUSTOMER_ACTIVITY = {
    "search_docs": "Checking our help pages",
    "search_products": "Searching the catalogue",
    "my_orders": "Looking up your orders",
    "my_recommendations": "Picking products for you",
}
MAX_CARDS = 6
PASSAGE_CHARS = 600


def user_message(text: str) -> dict[str, Any]:
    """The user's question as a chat message (as text: what someone typed is not markup)."""
    return {"role": "user", "content": _escape(text)}


def pending_message(title: str) -> dict[str, Any]:
    """A spinner message shown while the agent works."""
    return {"role": "assistant", "content": "", "metadata": {"title": title, "status": "pending"}}


def activity_title(tool_name: str, role: str) -> str:
    """What the pending message says once a tool has run: friendly for customers, exact for operators."""
    if role == "customer":
        return CUSTOMER_ACTIVITY.get(tool_name, "Looking that up") + "..."
    return f"Ran {tool_name}, thinking..."


def step_message(step: ToolStep) -> dict[str, Any]:
    """A finished tool call as a collapsible message: title = tool, log = arguments, duration, status done."""
    arguments = json.dumps(step.arguments, ensure_ascii=False)
    # A backtick in an argument could close the code block around them: JSON can spell it \u0060 instead.
    fenced = json.dumps(step.arguments, indent=1, ensure_ascii=False).replace("`", "\\u0060")
    if step.status == "done" and step.output is not None:
        title, body = f"Tool: {step.name}", step.output.summary
    else:
        title, body = f"Tool: {step.name} (failed)", step.error or "The tool failed."
    content = f"**Arguments**\n```json\n{fenced}\n```\n{_escape(body)}"
    return {
        "role": "assistant",
        "content": content,
        "metadata": {"title": title, "log": _shorten(arguments, 80), "duration": round(step.duration_s, 2),
                     "status": "done"},
    }


def answer_message(answer: AgentAnswer, with_cards: bool = True) -> dict[str, Any]:
    """The final answer: text with numbered citations, the cited passages as footnotes, product cards."""
    content = answer_markdown(answer.text, answer.citations)
    if with_cards and answer.cards:
        content += "\n\n" + product_cards_html(answer.cards)
    return {"role": "assistant", "content": content}


def draft_message(text: str) -> dict[str, Any]:
    """The answer as it streams in (markup the model may emit is escaped, not rendered)."""
    return {"role": "assistant", "content": _escape(text)}


def answer_markdown(text: str, citations: list[Citation]) -> str:
    """Replace `[citation-id]` markers by `[n]` and append the cited passages as expandable footnotes."""
    known = {c.citation_id: c for c in citations}
    order: list[str] = []
    for cited in citations_in(text):
        if cited in known and cited not in order:
            order.append(cited)
    body = _escape(text)
    for number, cited in enumerate(order, start=1):
        body = body.replace(f"[{_escape(cited)}]", f"<sup class=\"cite-ref\">[{number}]</sup>")
    if not order:
        return body
    notes = [_footnote(number, known[cited]) for number, cited in enumerate(order, start=1)]
    return body + '\n\n<div class="footnotes">' + "".join(notes) + "</div>"


def _footnote(number: int, citation: Citation) -> str:
    lines = [line for line in citation.text.strip().splitlines() if not line.lstrip().startswith("#")]
    passage = " ".join(" ".join(lines).replace(" - ", " • ").split())
    if len(passage) > PASSAGE_CHARS:
        passage = passage[: PASSAGE_CHARS - 3].rsplit(" ", 1)[0] + "..."
    return (
        f'<details class="footnote"><summary>[{number}] {html.escape(citation.title)}</summary>'
        f'<blockquote>{html.escape(passage)}</blockquote>'
        f'<div class="footnote-source">{html.escape(citation.source)} · '
        f'{html.escape(citation.citation_id)}</div>'
        "</details>"
    )


def product_cards_html(cards: list[dict[str, Any]]) -> str:
    """Small product cards (name, category, price, stock or why it is recommended)."""
    items = []
    for card in cards[:MAX_CARDS]:
        price = card.get("price")
        currency = card.get("currency") or "EUR"
        price_text = f"{float(price):,.2f} {html.escape(str(currency))}" if price is not None else ""
        badge = ""
        if card.get("in_stock") is not None:
            badge = ('<span class="pc-badge pc-in">In stock</span>' if card["in_stock"]
                     else '<span class="pc-badge pc-out">Out of stock</span>')
        reason = (f'<div class="pc-reason">{html.escape(str(card["reason"]))}</div>' if card.get("reason")
                  else "")
        category = html.escape(str(card.get("category") or "").replace("_", " ").capitalize())
        items.append(
            '<div class="product-card">'
            f'<div class="pc-category">{category}</div>'
            f'<div class="pc-name">{html.escape(str(card.get("name") or card.get("product_id")))}</div>'
            f'<div class="pc-price">{price_text} {badge}</div>{reason}'
            f'<div class="pc-id">{html.escape(str(card.get("product_id") or ""))}</div>'
            "</div>"
        )
    return '<div class="product-cards">' + "".join(items) + "</div>"


def _escape(text: str) -> str:
    """Escape HTML and Markdown images but keep the rest of Markdown (the chat renders Markdown, and a model
    writes some): `![alt](url)` would make the reader's browser fetch `url`."""
    return html.escape(text, quote=False).replace("![", "!\\[")


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
