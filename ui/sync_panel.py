"""The data panel's database sync: copy a PostgreSQL table's (or one SELECT's) new rows into the store, as
`chronotope data sync` does, from the operator console.

`sync_from_panel` is plain Python, tested without a server against a real PostgreSQL; `build_sync_panel`
lays it out. The password field is used to connect and kept nowhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tools.events.mapping import ColumnMapping, IngestError

if TYPE_CHECKING:
    from tools.events.db_sync import SyncReport
    from tools.events.store import EventStore
    from ui.services import AppServices
    from ui.store_view import StoreView


def _pairs(text: str, what: str) -> list[str]:
    """`canonical=value` lines (or comma-separated) of a form field, checked for their `=`."""
    items = [item.strip() for line in text.splitlines() for item in line.split(",") if item.strip()]
    for item in items:
        if "=" not in item:
            raise IngestError(f"{what}: {item!r} is not canonical=value (e.g. event_time=created_at).")
    return items


def sync_from_panel(
    store: EventStore, url: str, password: str, table: str, query: str, watermark: str, columns: str,
    constants: str, key: str, currency: str,
) -> SyncReport:
    """One sync from the form's fields: `columns` are `canonical=SOURCE` lines (as --map), `constants`
    `canonical=VALUE` lines (as --set); blank fields are left out."""
    from tools.events.db_sync import DbSource, sync_postgres

    source = DbSource(url.strip(), table=table.strip() or None, query=query.strip() or None,
                      watermark=watermark.strip() or None, password=password or None)
    defaults = [f"currency={currency.strip()}"] if currency.strip() else []
    mapping = ColumnMapping.from_flags(_pairs(columns, "Columns"), _pairs(constants, "Constants"), defaults,
                                       key=[c.strip() for c in key.split(",") if c.strip()])
    return sync_postgres(store, source, mapping, progress=True)


def build_sync_panel(services: AppServices, view: StoreView) -> None:
    """The sync form inside the caller's Blocks context; the store view refreshes after each sync."""
    import gradio as gr

    with gr.Accordion("Sync from a PostgreSQL database", open=False, elem_id="sync"):
        gr.Markdown(
            "Reads in a read-only transaction and stores only rows at or past the last sync's watermark; "
            "a sync cut off anywhere stores nothing. Cron can run `chronotope data sync` with the same "
            "fields.", elem_classes="section-note",
        )
        with gr.Row():
            url = gr.Textbox(label="Database URL", placeholder="postgresql://reader@db.internal:5432/shop",
                             elem_id="sync-url", scale=3)
            password = gr.Textbox(label="Password", type="password", elem_id="sync-password", scale=1)
        with gr.Row():
            table = gr.Textbox(label="Table", placeholder="sales.order_lines", elem_id="sync-table")
            query = gr.Textbox(label="or one SELECT", elem_id="sync-query")
            watermark = gr.Textbox(label="Watermark column", placeholder="updated_at",
                                   elem_id="sync-watermark")
        with gr.Row():
            columns = gr.Textbox(label="Columns (canonical=source, one per line)", lines=4,
                                 placeholder="event_time=created_at\nuser_id=customer_id\nproduct_id=sku",
                                 elem_id="sync-columns")
            constants = gr.Textbox(label="Constants (canonical=value)", lines=4,
                                   placeholder="event_type=purchase", elem_id="sync-constants")
        with gr.Row():
            key = gr.Textbox(label="Key columns", placeholder="line_id", elem_id="sync-key")
            currency = gr.Textbox(label="Currency where none is given", placeholder="USD",
                                  elem_id="sync-currency")
        run = gr.Button("Sync now", elem_id="sync-run")
        result = gr.Markdown(elem_id="sync-result")

    def on_sync(*fields: str, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> str:  # noqa: B008
        try:
            report = sync_from_panel(services.store, *fields)
        except IngestError as error:
            raise gr.Error(str(error)) from error
        lines: list[Any] = [f"**{report.summary()}**"]
        if report.ingest is not None:
            lines += [f"- added {line}" for line in report.ingest.places_added]
            lines += [f"⚠ {warning}" for warning in report.ingest.warnings]
        return "\n\n".join(lines)

    run.click(on_sync, [url, password, table, query, watermark, columns, constants, key, currency], [result],
              api_visibility="private", concurrency_limit=1, concurrency_id="ingest",
              ).then(view.values, None, view.outputs, api_visibility="private")
