"""The operator's data panel: upload an event file, map its columns, ingest with a progress bar and read
the quarantine report; upload Markdown documents into the knowledge base.

The functions under the Gradio layer (`source_preview`, `mapping_from_table`, `ingest_upload`,
`add_documents`) are plain Python, tested without a server.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from tools.events.dialect import DECIMALS, ENCODINGS, CsvDialect
from tools.events.mapping import MAPPABLE, ColumnMapping, IngestError
from tools.events.quarantine import MAX_REJECTED
from tools.events.schema import EVENT_REQUIRED
from ui.uploads import UploadRefused

if TYPE_CHECKING:
    import gradio as gr

    from tools.events.ingests import IngestReport
    from tools.events.store import EventStore
    from tools.knowledge import IndexReport, KnowledgeBase
    from ui.services import AppServices

MAPPING_HEADERS = ["canonical column", "source column", "constant", "default if blank"]
NO_PRESET = "(none)"
PREVIEW_ROWS = 5
QUARANTINE_ROWS = 20
DOCUMENT_MAX_BYTES = 5 * 2**20  # a Markdown document; event files have the upload area's limit
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


def mapping_from_table(table: pd.DataFrame, time_format: str = "", source_tz: str = "") -> ColumnMapping:
    """The mapping the operator filled in (blank cells ignored); raises IngestError for a bad entry."""
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
    )


def ingest_upload(
    store: EventStore, path: Path | str, mapping: ColumnMapping, preset: str | None = None, *,
    dialect: CsvDialect | None = None, max_rejected: float = MAX_REJECTED, progress: bool = True
) -> IngestOutcome:
    """Ingest the file under the mapping (and preset); the reasons and first quarantined rows for display."""
    from tools.events.importers import get_preset
    from tools.events.ingest import ingest_file

    chosen = get_preset(preset) if preset and preset != NO_PRESET else None
    report = ingest_file(store, path, mapping, preset=chosen, dialect=dialect, max_rejected=max_rejected,
                         progress=progress)
    reasons = pd.DataFrame(
        sorted(report.reasons.items(), key=lambda kv: -kv[1]), columns=["reason", "rows"]
    )
    quarantine = pd.DataFrame()
    if report.quarantine_path and Path(report.quarantine_path).is_file():
        quarantine = pd.read_csv(report.quarantine_path, nrows=QUARANTINE_ROWS, dtype=str,
                                 keep_default_na=False)
    return IngestOutcome(report, reasons, quarantine)


def add_documents(kb: KnowledgeBase, paths: list[Path | str], progress: bool = True) -> IndexReport:
    """Check each Markdown file, copy it into the knowledge base's uploads folder (under the data dir), and
    re-index."""
    from tools.knowledge.documents import parse_document
    from tools.knowledge.errors import DocumentError

    if not paths:
        raise DocumentError("Choose one or more Markdown (.md) files to add.")
    if kb.uploads_dir is None:
        raise DocumentError("This knowledge base has no uploads folder to add files to.")
    target = kb.uploads_dir
    for path in map(Path, paths):
        if path.suffix.lower() != ".md":
            raise DocumentError(f"{path.name} is not a Markdown file; the knowledge base takes .md files.")
        name = path.name.lower().replace(" ", "-").replace("_", "-")
        parse_document(path.read_text(encoding="utf-8"), Path(name).stem, f"{target.name}/{name}",
                       path.stat().st_mtime)
    target.mkdir(parents=True, exist_ok=True)
    for path in map(Path, paths):
        name = path.name.lower().replace(" ", "-").replace("_", "-")
        temporary = target / f".{name}.tmp"
        shutil.copyfile(path, temporary)
        temporary.replace(target / name)
    return kb.index(progress=progress)


# ---------------------------------------------------------------------------------------------- layout
def build_data_panel(services: AppServices) -> None:
    """The panel's components and events, inside the caller's Blocks/Tab context."""
    import gradio as gr

    from tools.events.importers import PRESETS
    from ui.notices import error

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
            columns, head = source_preview(services.uploads.accept(file), dialect_from_inputs(*options))
        except (IngestError, UploadRefused) as refused:
            raise error(refused) from refused
        return head, initial_mapping(columns)

    for control in (upload, *reading):
        control.change(on_upload, [upload, *reading], [preview, mapping], api_visibility="private")

    def on_ingest(file: str | None, table: pd.DataFrame, chosen: str, fmt: str, tz: str, percent: float,
                  *options: str, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[Any, ...]:  # noqa: B008 (Gradio's idiom)
        try:
            path = services.uploads.accept(file)
            outcome = ingest_upload(services.store, path, mapping_from_table(table, fmt, tz), chosen,
                                    dialect=dialect_from_inputs(*options), max_rejected=(percent or 0) / 100,
                                    progress=True)
        except (IngestError, UploadRefused) as refused:
            raise error(refused) from refused
        services.uploads.discard(path)
        report = outcome.report
        text = f"**{report.summary()}**"
        text += "".join(f"\n\n⚠ {warning}" for warning in report.warnings)
        if report.quarantine_path and not report.already_ingested:
            text += f"\n\nQuarantine file: `{report.quarantine_path}`"
        return text, outcome.reasons, outcome.quarantine

    ingest.click(on_ingest, [upload, mapping, preset, time_format, source_tz, limit, *reading],
                 [result, reasons, quarantine], api_visibility="private", concurrency_limit=1,
                 concurrency_id="ingest")

    gr.Markdown("### Knowledge base documents")
    gr.Markdown(
        "Add Markdown documents (policies, FAQs, guides). Each needs a title (a `# Title` line or front "
        "matter); answers cite them by section.",
        elem_classes="section-note",
    )
    documents = gr.File(label="Markdown documents", file_count="multiple", file_types=[".md"],
                        elem_id="kb-files")
    add = gr.Button("Add to knowledge base", elem_id="kb-add")
    kb_result = gr.Markdown(elem_id="kb-result")

    def on_add(files: list[str] | None, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> str:  # noqa: B008
        from tools.knowledge.errors import KnowledgeBaseError

        try:
            paths = [services.uploads.accept(file, DOCUMENT_MAX_BYTES) for file in files or []]
            report = add_documents(services.knowledge_base, paths, progress=True)
        except (KnowledgeBaseError, UploadRefused, OSError, UnicodeDecodeError) as refused:
            raise error(refused) from refused
        for path in paths:
            services.uploads.discard(path)
        return f"**Indexed.** {report.summary()}"

    add.click(on_add, [documents], [kb_result], api_visibility="private", concurrency_limit=1,
              concurrency_id="ingest")
