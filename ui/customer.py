"""The customer chat widget (`/customer`): small enough to embed in an `<iframe>` on the shop's pages.

Streaming answers with stop and retry, thumbs up/down with an optional comment, citations as expandable
footnotes, product cards, and a demo sign-in (pick one of the shop's real customers). The customer's
identity lives in the server-side session state; the agent only ever gets it from there.
"""

from __future__ import annotations

from typing import Any

import gradio as gr  # this module is the Gradio app; `ui.app` imports it only when serving

from ui import chat_session
from ui.chat_events import ChatWiring, wire_chat
from ui.chat_session import ChatSession
from ui.services import AppServices, UnknownCustomer
from ui.theme import SHOP_NAME, header_html

GUEST = "guest"
EXAMPLES = (
    "Can I return opened headphones?",
    "How long does delivery to Germany take?",
    "Where is my latest order?",
    "Recommend something for me",
)
WELCOME = (
    f"### Hi! I'm the {SHOP_NAME} assistant.\n"
    "Ask me about delivery, returns, payment or your orders. I answer from our policies and your account, "
    "and I show my sources."
)


def build_customer_app(services: AppServices, concurrency_limit: int = 2) -> gr.Blocks:
    """The customer widget as a Gradio Blocks app (mounted at /customer by `ui.app`)."""
    with gr.Blocks(title=f"{SHOP_NAME} · Help", analytics_enabled=False, fill_height=True) as app:
        chat = gr.State(None)  # a ChatSession, made on first use (API clients never trigger a load)
        rated = gr.State(None)  # (shown index, rating) of the answer last rated, for the optional comment
        gr.HTML(header_html("Help & shopping assistant"))
        who = gr.Dropdown(
            choices=_customer_choices(services),
            value=GUEST,
            label="Signed in as (demo customer)",
            elem_id="customer-select",
        )
        chatbot = gr.Chatbot(
            elem_id="customer-chat",
            label="Chat",
            show_label=False,
            # Fills the page (or the iframe) between the sign-in and the question box, then scrolls inside.
            height="calc(100vh - 300px)",
            min_height=300,
            placeholder=WELCOME,
            examples=[{"text": text} for text in EXAMPLES],
            feedback_options=("Like", "Dislike"),
            buttons=["copy"],
            layout="bubble",
            autoscroll=True,
        )
        with gr.Row(elem_classes="send-row", equal_height=True):
            question = gr.Textbox(
                placeholder="Ask a question...",
                show_label=False,
                lines=1,
                max_lines=4,
                scale=5,
                elem_id="customer-question",
                autofocus=True,
            )
            send = gr.Button("Send", variant="primary", scale=1, elem_id="customer-send")
            stop = gr.Button("Stop", variant="stop", scale=1, visible=False, elem_id="customer-stop")
        with gr.Row(visible=False, elem_id="customer-feedback") as feedback_row:
            comment = gr.Textbox(
                placeholder="Thanks! Anything to add? (optional)", show_label=False, scale=5,
                elem_id="feedback-comment"
            )
            comment_send = gr.Button("Send feedback", scale=1, elem_id="feedback-send")
        gr.HTML(
            '<div class="fine-print">Answers come from our policies and your account, with sources.</div>'
        )

        wire_chat(services, ChatWiring(
            role="customer", chat=chat, rated=rated, chatbot=chatbot, question=question, send=send, stop=stop,
            feedback_row=feedback_row,
            failure_note=lambda error: "Sorry, something went wrong on our side. Please try again.",
            cleared_on_like=(comment,),  # each thumb opens an empty comment box
        ), concurrency_limit)

        def on_sign_in(user_id: str, state: ChatSession | None) -> tuple[Any, ...]:
            state = chat_session.current(state, "customer")
            if user_id in (None, "", GUEST):
                state.sign_in(None)
                return state.shown, state
            try:
                customer = services.demo_customer(user_id)
            except UnknownCustomer as error:
                raise gr.Error(str(error)) from error
            state.sign_in(customer.user_id, customer.name)
            gr.Info(f"Signed in as {customer.name}.")
            return state.shown, state

        who.change(on_sign_in, [who, chat], [chatbot, chat], api_name="sign_in")

        def on_comment(text: str, last: tuple[int, str] | None, state: ChatSession | None) -> tuple[Any, ...]:
            if state is not None and last is not None and text.strip():
                index, rating = last
                chat_session.rate(services.conversations, state, index, rating, comment=text)
                gr.Info("Thanks, your feedback helps us improve.")
            return gr.update(visible=False), None, ""

        for trigger in (comment_send.click, comment.submit):
            trigger(on_comment, [comment, rated, chat], [feedback_row, rated, comment],
                    api_visibility="private")
    return app


def _customer_choices(services: AppServices) -> list[tuple[str, str]]:
    choices = [("Guest (not signed in)", GUEST)]
    for customer in services.demo_customers:
        where = f", {customer.city}" if customer.city else ""
        choices.append((f"{customer.name}{where} ({customer.orders} orders)", customer.user_id))
    return choices
