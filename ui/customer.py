"""The customer chat widget (`/customer`): small enough to embed in an `<iframe>` on the shop's pages.

Streaming answers with stop and retry, thumbs up/down with an optional comment, citations as expandable
footnotes, product cards. Who is signed in comes only from a token the shop's backend signs and puts in the
widget's URL fragment (`#token=...`, docs/embedding.md); it is checked on every event, and without a valid
one the visitor is a guest (documents and products only). The agent gets the identity only from there.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr  # this module is the Gradio app; `ui.app` imports it only when serving

from ui import chat_session
from ui.chat_events import ChatWiring, wire_chat
from ui.chat_registry import ChatSessions
from ui.chat_session import ChatSession
from ui.customer_token import CustomerTokens, InvalidCustomerToken
from ui.notices import info
from ui.services import AppServices
from ui.theme import SHOP_NAME, header_html

logger = logging.getLogger(__name__)
# The token travels in the URL fragment, which browsers never send to a server (nor into its logs).
READ_TOKEN = ("() => { const m = window.location.hash.match(/[#&]token=([^&]*)/); "
              "return m ? decodeURIComponent(m[1]) : ''; }")
GUEST_NOTE = "You are chatting as a guest: sign in on the shop to ask about your orders."
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


def build_customer_app(
    services: AppServices, tokens: CustomerTokens, concurrency_limit: int = 2
) -> gr.Blocks:
    """The customer widget as a Gradio Blocks app (mounted at /customer by `ui.app`)."""
    chats = ChatSessions("customer", forget=services.forget_chat)

    def authorise(chat: ChatSession, token: str | None) -> None:
        """Make the chat the token's customer's (a guest's without a valid token); a change starts afresh."""
        user_id = _identify(tokens, token)
        if chat.user_id != user_id:
            services.forget_chat(chat)
            chat.sign_in(user_id)

    with gr.Blocks(title=f"{SHOP_NAME} · Help", analytics_enabled=False, fill_height=True) as app:
        conversation = gr.Textbox(visible=False, elem_id="customer-conversation")
        rated = gr.State(None)  # (shown index, rating) of the answer last rated, for the optional comment
        token = gr.Textbox(visible=False, elem_id="customer-token")
        gr.HTML(header_html("Help & shopping assistant"))
        signed_in = gr.Markdown(GUEST_NOTE, elem_classes="signed-in", elem_id="customer-signed-in")
        chatbot = gr.Chatbot(
            elem_id="customer-chat",
            label="Chat",
            show_label=False,
            # Fills the page (or the iframe) between the header and the question box, then scrolls inside.
            height="calc(100vh - 260px)",
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
            role="customer", chats=chats, rated=rated, chatbot=chatbot, conversation=conversation,
            question=question, send=send, stop=stop, feedback_row=feedback_row,
            failure_note=lambda error: "Sorry, something went wrong on our side. Please try again.",
            cleared_on_like=(comment,),  # each thumb opens an empty comment box
            credential=token, authorise=authorise,
        ), concurrency_limit)

        def on_open(given: str | None) -> tuple[Any, ...]:
            try:
                identity = tokens.identify(given)
            except InvalidCustomerToken as refused:
                logger.info("customer widget opened with a refused token: %s", refused)
                return "", f"Your sign-in could not be checked ({refused}) {GUEST_NOTE}"
            if identity is None:
                return "", GUEST_NOTE
            demo = " · **demo sign-in** (local demo only)" if identity.demo else ""
            return given, f"Signed in as customer **{identity.user_id}**{demo}"

        app.load(on_open, [token], [token, signed_in], js=READ_TOKEN, api_visibility="private")

        def on_comment(text: str, last: tuple[int, str] | None, given: str | None,
                       request: gr.Request) -> tuple[Any, ...]:
            state = chats.get(request.session_hash)
            authorise(state, given)
            if last is not None and text.strip():
                index, rating = last
                chat_session.rate(services.conversations, state, index, rating, comment=text)
                info("Thanks, your feedback helps us improve.")
            return gr.update(visible=False), None, ""

        for trigger in (comment_send.click, comment.submit):
            trigger(on_comment, [comment, rated, token], [feedback_row, rated, comment],
                    api_visibility="private")
    return app


def _identify(tokens: CustomerTokens, token: str | None) -> str | None:
    """The customer id a valid token names; None (a guest) without one or for a refused one."""
    try:
        identity = tokens.identify(token)
    except InvalidCustomerToken:
        return None
    return identity.user_id if identity else None
