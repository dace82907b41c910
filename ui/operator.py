"""The operator console (`/operator`, behind a password): analytics chat with the tool trace, charts from
the tools' chart specs, alerts, the data panel, and the stored conversations with their feedback."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import gradio as gr  # this module is the Gradio app; `ui.app` imports it only when serving
import pandas as pd

from ui import chat_session
from ui.charts import draw_charts, table_frames, with_place_maps
from ui.chat_events import ChatWiring, agent_queue, wire_chat
from ui.chat_registry import ChatSessions
from ui.data_panel import build_data_panel
from ui.notices import error, info
from ui.services import AppServices
from ui.theme import SHOP_NAME, header_html

if TYPE_CHECKING:
    from agent.answer import AgentAnswer
    from tools.events.profile import ShopProfile

EXAMPLES = (
    "Which regions spike on Friday night?",
    "Top categories by revenue in the last 30 days",
    "Forecast headphones demand in Bavaria for the next 4 weeks",
    "Any unusual order volume in the last 7 days?",
    "Show suspicious orders from this week",
    "Revenue week over week by region",
)
ALERT_KINDS = {"Volume surges and outages": "volume", "Complaint waves": "complaints",
               "Suspicious orders": "fraud"}
TABLE_ROWS = 50


def answer_visuals(answer: AgentAnswer | None, profile: ShopProfile) -> tuple[Any, pd.DataFrame, str]:
    """(figure or None, result table, caption) for the charts pane, from an answer's chart specs and
    frames (maps put the shop's places where its profile says they are)."""
    if answer is None:
        return None, pd.DataFrame(), ""
    specs = with_place_maps(answer.charts, profile)
    figure = draw_charts(specs)
    frames = [s.output.frame for s in answer.steps if s.output is not None and s.output.frame is not None]
    frames = [f for f in frames if not f.empty] or table_frames(answer.charts)
    table = _readable(frames[0].head(TABLE_ROWS)) if frames else pd.DataFrame()
    tools = ", ".join(dict.fromkeys(s.name for s in answer.steps)) or "no tools"
    caption = (f"From {tools} · {answer.latency_s:.1f} s"
               + (" · composed from tool results" if answer.composed else ""))
    return figure, table, caption


def build_operator_app(services: AppServices, concurrency_limit: int = 2) -> gr.Blocks:
    """The operator console as a Gradio Blocks app (mounted at /operator, with auth, by `ui.app`)."""
    # delete_cache: the copies Gradio serves (exports, charts) leave its cache after an hour.
    with gr.Blocks(title=f"{SHOP_NAME} · Operator console", analytics_enabled=False,
                   delete_cache=(3600, 3600)) as app:
        chats = ChatSessions("operator", forget=services.forget_chat)
        rated = gr.State(None)
        gr.HTML(header_html("Analytics over orders, sessions, forecasts and alerts",
                            badge="Operator console"))
        # Relative to /operator/: Gradio's logout route ends this sign-in (and the operator's others).
        gr.HTML('<a href="logout" class="sign-out">Sign out</a>', elem_id="operator-sign-out")
        with gr.Tabs():
            _ask_tab(services, chats, rated, concurrency_limit)
            _alerts_tab(services, concurrency_limit)
            with gr.Tab("Data", id="data") as data_tab:
                store_view = build_data_panel(services)
            data_tab.select(store_view.values, None, store_view.outputs, api_visibility="private")
            _conversations_tab(services, app)
    return app


def _ask_tab(services: AppServices, chats: ChatSessions, rated: gr.State, concurrency_limit: int) -> None:
    """The analytics chat with its tool trace, the chart and table of the last answer, and the feedback
    form."""
    with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
        with gr.Column(scale=6):
            conversation = gr.Textbox(visible=False, elem_id="operator-conversation")
            chatbot = gr.Chatbot(
                elem_id="operator-chat",
                show_label=False,
                height=600,
                placeholder="### Ask about your shop\nEvery answer comes from the analytics tools; "
                "open a step to see the exact call and what it returned.",
                examples=[{"text": text} for text in EXAMPLES],
                feedback_options=("Like", "Dislike"),
                buttons=["copy"],
            )
            with gr.Row(elem_classes="send-row", equal_height=True):
                question = gr.Textbox(placeholder="e.g. Which regions spike on Friday night?",
                                      show_label=False, scale=5, elem_id="operator-question")
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="operator-send")
                stop = gr.Button("Stop", variant="stop", scale=1, visible=False, elem_id="operator-stop")
            with gr.Row(visible=False, elem_id="operator-feedback") as feedback_row:
                comment = gr.Textbox(label="Comment (optional)", scale=2)
                correction = gr.Textbox(label="Better answer (optional, used for fine-tuning)", scale=3)
                feedback_send = gr.Button("Save feedback", scale=1)
        with gr.Column(scale=5):
            plot = gr.Plot(label="Chart", show_label=False, elem_id="operator-chart", format="png")
            caption = gr.Markdown(elem_classes="section-note", elem_id="operator-caption")
            table = gr.Dataframe(label="Result", interactive=False, max_height=300, elem_id="operator-table")

    wire_chat(services, ChatWiring(
        role="operator", chats=chats, rated=rated, chatbot=chatbot, conversation=conversation,
        question=question, send=send, stop=stop,
        feedback_row=feedback_row,
        failure_note=lambda error: f"The question failed: {error}",
        close_feedback_after_turn=True,
        turn_outputs=(plot, table, caption),
        turn_values=lambda state: answer_visuals(state.last_answer, services.store.profile()),
    ), concurrency_limit)

    def on_clear(request: gr.Request) -> tuple[Any, ...]:
        state = chats.get(request.session_hash)
        services.forget_chat(state)
        state.reset()
        return "", None, pd.DataFrame(), ""

    chatbot.clear(on_clear, None, [conversation, plot, table, caption], api_visibility="private")

    def on_feedback(
        note: str, better: str, last: tuple[int, str] | None, request: gr.Request
    ) -> tuple[Any, ...]:
        if last is not None:
            index, rating = last
            chat_session.rate(services.conversations, chats.get(request.session_hash), index, rating,
                              comment=note, correction=better)
            info("Feedback saved.")
        return gr.update(visible=False), None, "", ""

    feedback_send.click(on_feedback, [comment, correction, rated],
                        [feedback_row, rated, comment, correction], api_visibility="private")


def _alerts_tab(services: AppServices, concurrency_limit: int) -> None:
    """Volume, complaint and fraud alerts on demand, through the same tools the agent calls."""
    with gr.Tab("Alerts", id="alerts"):
        with gr.Row(equal_height=True):
            alert_kind = gr.Dropdown(list(ALERT_KINDS), value="Volume surges and outages", label="What")
            alert_since = gr.Dropdown(["24h", "7d", "30d", "90d"], value="7d", label="Since")
            scan = gr.Button("Scan now", variant="primary", elem_id="alerts-scan", scale=0, min_width=140)
        alert_summary = gr.Markdown(elem_id="alerts-summary")
        with gr.Row():
            alert_table = gr.Dataframe(label="Alerts", interactive=False, max_height=420, scale=5)
            alert_plot = gr.Plot(label="Chart", show_label=False, format="png", scale=4)

    def on_scan(kind_label: str, since: str) -> tuple[Any, ...]:
        from tools.registry import Session

        kind = ALERT_KINDS.get(kind_label)
        if kind is None:
            raise error(f"Unknown alert kind {kind_label!r}. Choose one of: {', '.join(ALERT_KINDS)}.")
        if kind == "fraud":
            name, arguments = "detect_fraud", {"since": since, "top_k": 50}
        else:
            name, arguments = "detect_anomalies", {"since": since, "kind": kind}
        step = chat_session.run_tool(services.agent, name, arguments, Session("operator"))
        if step.status != "done" or step.output is None:
            raise error(step.error or f"{name} failed.")
        output = step.output
        maps = with_place_maps([output.chart], services.store.profile()) if output.chart is not None else []
        figure = draw_charts(maps) if maps else None
        frame = _readable(output.frame.head(200)) if output.frame is not None else pd.DataFrame()
        return f"**{output.summary}**", frame, figure

    scan.click(on_scan, [alert_kind, alert_since], [alert_summary, alert_table, alert_plot],
               api_visibility="private", **agent_queue(concurrency_limit))


def _conversations_tab(services: AppServices, app: gr.Blocks) -> None:
    """The stored conversations of both apps with their feedback, refreshed on page load, and their export."""
    with gr.Tab("Conversations", id="conversations"):
        gr.Markdown("Conversations from both apps with their feedback. The export is the JSONL the "
                    "fine-tuning data loader reads (`finetune.data.load_app_export`).",
                    elem_classes="section-note")
        with gr.Row():
            refresh = gr.Button("Refresh")
            export = gr.Button("Export JSONL", variant="primary")
        conversations = gr.Dataframe(interactive=False, max_height=460)
        download = gr.File(label="Export", interactive=False, height=90)

    def on_refresh() -> pd.DataFrame:
        rows = services.conversations.recent(200)
        return pd.DataFrame([r.__dict__ for r in rows]) if rows else pd.DataFrame(
            columns=["conversation_id", "role", "user_id", "started_at", "updated_at", "messages",
                     "thumbs_up", "thumbs_down"]
        )

    def on_export() -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        out = services.uploads.root / "exports" / f"conversations-{stamp}.jsonl"  # emptied at each start
        count = services.conversations.export_jsonl(out)
        info(f"Exported {count} conversation(s).")
        return str(out)

    refresh.click(on_refresh, None, conversations, api_visibility="private")
    export.click(on_export, None, download, api_visibility="private")
    app.load(on_refresh, None, conversations, api_visibility="private")


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Round floats and turn timestamps into text, so the grid shows what a person would write."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(3)
        elif pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d %H:%M")
    return out
