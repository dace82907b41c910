"""The operator's data panel: upload an event file, map its columns, give the zones of new places (a places
file, a fallback zone), ingest with a progress bar and read the quarantine report; past ingests with undo and
the shop profile's places (`ui.store_view`); sync from a PostgreSQL database (`ui.sync_panel`); upload
Markdown documents into the knowledge base.

The functions under the Gradio layer (`source_preview`, `mapping_from_table`, `ingest_upload`,
`add_documents`) are plain Python, tested without a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from tools.events.dialect import DECIMALS, ENCODINGS, CsvDialect
from tools.events.mapping import MAPPABLE, ColumnMapping, IngestError
from tools.events.quarantine import MAX_REJECTED, read_quarantine
from tools.events.schema import EVENT_REQUIRED
from tools.knowledge.documents import CUSTOMER, INTERNAL

if TYPE_CHECKING:
    import gradio as gr

    from tools.events.ingests import IngestReport
    from tools.events.profile import Place
    from tools.events.store import EventStore
    from tools.knowledge import IndexReport, KnowledgeBase
    from ui.services import AppServices
    from ui.store_view import StoreView

MAPPING_HEADERS = ["canonical column", "source column", "constant", "default if blank"]
NO_PRESET = "(none)"
PREVIEW_ROWS = 5
QUARANTINE_ROWS = 20
THOUSANDS_CHOICES: dict[str, str | None] = {"none": None, ",": ",", ".": ".", "space": " ", "'": "'"}


@dataclass
class IngestOutcome:
    """What the panel shows after an ingest."""

    report: IngestReport
    reasons: pd.DataFrame
    quarantine: pd.DataFrame


def source_preview(path: Path | str, dialect: CsvDialect | None = None) -> tuple[list[str], pd.DataFrame]:
    """The file's column names and its first rows (as text), read as the ingest will read them."""
    from tools.events.reading import preview

    columns, rows = preview(Path(path), dialect or CsvDialect(), PREVIEW_ROWS)
    return columns, pd.DataFrame(rows, columns=columns, dtype=object).fillna("")


def dialect_from_inputs(separator: str, decimal: str, thousands: str, encoding: str) -> CsvDialect:
    """The CSV dialect the operator chose (blank separator: detected); raises IngestError for a bad one."""
    return CsvDialect(delimiter=separator.replace("\\t", "\t") or None, decimal=decimal,
                      thousands=THOUSANDS_CHOICES[thousands], encoding=encoding)


def initial_mapping(source_columns: list[str]) -> pd.DataFrame:
    """One row per canonical column, with the source column of the same name (case-insensitive) filled in."""
    by_lower = {c.lower(): c for c in source_columns}
    return pd.DataFrame(
        [[name, by_lower.get(name, ""), "", ""] for name in MAPPABLE], columns=MAPPING_HEADERS
    )


def mapping_from_table(
    table: pd.DataFrame, time_format: str = "", source_tz: str = "", place_tz: str = ""
) -> ColumnMapping:
    """The mapping the operator filled in (blank cells ignored), with the zone of new places that nothing else
    gives (`place_tz`, as the CLI's --place-tz); raises IngestError for a bad entry."""
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for row in table.fillna("").astype(str).itertuples(index=False):
        canonical, source, constant, default = (cell.strip() for cell in row[:4])
        if not canonical:
            continue
        if source and constant:
            raise IngestError(f"{canonical}: give a source column or a constant, not both.")
        if source:
            columns[canonical] = source
        if constant:
            constants[canonical] = constant
        if default:
            defaults[canonical] = default
    return ColumnMapping(
        columns=columns,
        constants=constants,
        defaults=defaults,
        time_format=time_format.strip() or None,
        source_tz=source_tz.strip() or "UTC",
        place_tz=place_tz.strip() or None,
    )


def ingest_upload(
    store: EventStore, path: Path | str, mapping: ColumnMapping, preset: str | None = None, *,
    dialect: CsvDialect | None = None, places: tuple[Place, ...] = (), max_rejected: float = MAX_REJECTED,
    progress: bool = True
) -> IngestOutcome:
    """Ingest the file under the mapping (and preset), new places taking their zones from `places` (a places
    file's, as the CLI's --places); the reasons and first quarantined rows for display."""
    from tools.events.importers import get_preset
    from tools.events.ingest import ingest_file

    chosen = get_preset(preset) if preset and preset != NO_PRESET else None
    report = ingest_file(store, path, mapping, preset=chosen, dialect=dialect, places=places,
                         max_rejected=max_rejected, progress=progress)
    reasons = pd.DataFrame(
        sorted(report.reasons.items(), key=lambda kv: -kv[1]), columns=["reason", "rows"]
    )
    quarantine = pd.DataFrame()
    if report.quarantine_path and Path(report.quarantine_path).is_file():
        quarantine = read_quarantine(Path(report.quarantine_path), nrows=QUARANTINE_ROWS)
    return IngestOutcome(report, reasons, quarantine)


def add_documents(kb: KnowledgeBase, paths: list[Path | str], audience: str = INTERNAL,
                  progress: bool = True) -> IndexReport:
    """Add Markdown files for one audience to the knowledge base (`KnowledgeBase.add`) and re-index."""
    return kb.add(paths, audience, progress=progress)


# ---------------------------------------------------------------------------------------------- layout
def build_data_panel(services: AppServices) -> StoreView:
    """The panel's components and events, inside the caller's Blocks/Tab context; the returned view of the
    store is refreshed by the caller when the tab opens."""
    import gradio as gr

    from tools.events.importers import PRESETS
    from tools.events.place_registration import read_places_file
    from ui.store_view import build_store_view
    from ui.sync_panel import build_sync_panel

    gr.Markdown("### Import events", elem_classes="section-title")
    gr.Markdown(
        "Upload a CSV, Parquet or JSONL file, check how its columns map onto the shop's event columns, then "
        f"ingest. Required: {', '.join(EVENT_REQUIRED)} (a source column, a constant or a default). "
        "Rows that fail validation are quarantined with the reason; the same file is never ingested twice.",
        elem_classes="section-note",
    )
    with gr.Row():
        upload = gr.File(
            label="Event file",
            file_types=[".csv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json"],
            elem_id="ingest-file",
            scale=2,
        )
        with gr.Column(scale=3):
            preset = gr.Dropdown([NO_PRESET, *PRESETS], value=NO_PRESET, label="Importer preset",
                                 info="Known data sets (UCI Online Retail, Online Shoppers) map themselves.")
            with gr.Row():
                time_format = gr.Textbox(label="Time format",
                                         placeholder="ISO 8601 (default), %d/%m/%Y %H:%M, epoch_s")
                source_tz = gr.Textbox(label="Source time zone", value="UTC")
    with gr.Row():
        separator = gr.Textbox(label="Separator", placeholder="detected (e.g. ; or \\t)", max_length=2,
                               elem_id="ingest-sep")
        decimal = gr.Dropdown(list(DECIMALS), value=".", label="Decimal mark", elem_id="ingest-decimal")
        thousands = gr.Dropdown(list(THOUSANDS_CHOICES), value="none", label="Thousands separator")
        encoding = gr.Dropdown(list(ENCODINGS), value="utf-8", label="Encoding")
        limit = gr.Number(value=MAX_REJECTED * 100, minimum=0, maximum=100, label="Reject limit (%)",
                          info="Above this share of failing rows nothing is ingested.")
    reading = [separator, decimal, thousands, encoding]
    with gr.Row():
        places_file = gr.File(label="Places file (optional)", file_types=[".csv"], elem_id="ingest-places",
                              height=120, scale=2)
        place_tz = gr.Textbox(
            label="Zone of other new places", placeholder="e.g. America/Chicago", scale=3,
            info="Places the profile lacks take their zone from the places file (name, level, parent, "
                 "country, time_zone), else from their country when it keeps one clock, else this zone; rows "
                 "whose zone nothing gives are quarantined.", elem_id="ingest-place-tz")
    preview = gr.Dataframe(label="First rows of the file", interactive=False, max_height=220,
                           elem_id="ingest-preview")
    mapping = gr.Dataframe(
        value=initial_mapping([]),
        headers=MAPPING_HEADERS,
        label="Column mapping (edit the cells)",
        interactive=True,
        column_count=4,
        static_columns=[0],
        max_height=360,
        elem_id="ingest-mapping",
    )
    ingest = gr.Button("Ingest file", variant="primary", elem_id="ingest-run")
    result = gr.Markdown(elem_id="ingest-result")
    with gr.Row():
        reasons = gr.Dataframe(label="Rejected rows by reason", interactive=False, scale=1)
        quarantine = gr.Dataframe(label="Quarantined rows (first 20)", interactive=False, scale=2)

    def on_upload(file: str | None, *options: str) -> tuple[Any, ...]:
        if not file:
            return pd.DataFrame(), initial_mapping([])
        try:
            columns, head = source_preview(file, dialect_from_inputs(*options))
        except IngestError as error:
            raise gr.Error(str(error)) from error
        return head, initial_mapping(columns)

    for control in (upload, *reading):
        control.change(on_upload, [upload, *reading], [preview, mapping], api_visibility="private")

    def on_ingest(file: str | None, table: pd.DataFrame, chosen: str, fmt: str, tz: str, percent: float,
                  places: str | None, zone: str, *options: str,
                  progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[Any, ...]:  # noqa: B008 (Gradio's idiom)
        if not file:
            raise gr.Error("Upload a file first.")
        try:
            outcome = ingest_upload(services.store, file, mapping_from_table(table, fmt, tz, zone), chosen,
                                    dialect=dialect_from_inputs(*options),
                                    places=read_places_file(places) if places else (),
                                    max_rejected=(percent or 0) / 100, progress=True)
        except IngestError as error:
            raise gr.Error(str(error)) from error
        report = outcome.report
        text = f"**{report.summary()}**"
        text += "".join(f"\n\n- added {line}" for line in report.places_added)
        text += "".join(f"\n\n⚠ {warning}" for warning in report.warnings)
        if report.quarantine_path and not report.already_ingested:
            text += f"\n\nQuarantine file: `{report.quarantine_path}`"
        return text, outcome.reasons, outcome.quarantine

    view = build_store_view(services)
    ingest.click(on_ingest, [upload, mapping, preset, time_format, source_tz, limit, places_file, place_tz,
                             *reading],
                 [result, reasons, quarantine], api_visibility="private", concurrency_limit=1,
                 concurrency_id="ingest").then(view.values, None, view.outputs, api_visibility="private")
    build_sync_panel(services, view)

    gr.Markdown("### Knowledge base documents")
    gr.Markdown(
        "Add Markdown documents (policies, FAQs, guides). Each needs a title (a `# Title` line or front "
        "matter); answers cite them by section.",
        elem_classes="section-note",
    )
    documents = gr.File(label="Markdown documents", file_count="multiple", file_types=[".md"],
                        elem_id="kb-files")
    audience = gr.Radio([("Customers (the shop's policy)", CUSTOMER),
                         ("Operators only (internal)", INTERNAL)], value=INTERNAL,
                        label="Who may read them", elem_id="kb-audience")
    add = gr.Button("Add to knowledge base", elem_id="kb-add")
    kb_result = gr.Markdown(elem_id="kb-result")

    def on_add(files: list[str] | None, chosen: str,
               progress: gr.Progress = gr.Progress(track_tqdm=True)) -> str:  # noqa: B008
        from tools.knowledge.errors import KnowledgeBaseError

        try:
            report = add_documents(services.knowledge_base, list(files or []), chosen, progress=True)
        except (KnowledgeBaseError, OSError, UnicodeDecodeError) as error:
            raise gr.Error(str(error)) from error
        flagged = "".join(f"\n- flagged, kept out of answers: `{p.line()}`" for p in report.flagged)
        return f"**Indexed.** {report.summary()}{flagged}"

    add.click(on_add, [documents, audience], [kb_result], api_visibility="private", concurrency_limit=1,
              concurrency_id="ingest")
    return view
