"""The data panel's view of what the store holds: the past ingests, one of which can be undone, and the shop
profile's places with their zones, its currency and rates.

`ingests_frame`, `ingest_choices`, `undo_from_panel`, `places_frame` and `money_note` are plain Python,
tested without a server; `build_store_view` lays them out and returns what refreshes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import gradio as gr

    from tools.events.ingests import IngestReport
    from tools.events.profile import ShopProfile
    from tools.events.store import EventStore
    from ui.services import AppServices

INGEST_HEADERS = ["ingest", "when (UTC)", "file", "accepted", "rejected", "already stored", "events",
                  "places added"]
PLACE_HEADERS = ["level", "name", "in", "country", "time zone"]


@dataclass
class StoreView:
    """The view's components and the function that gives their current values (after an ingest or undo)."""

    outputs: list[gr.components.Component]
    values: Callable[[], tuple[Any, ...]]


def ingests_frame(store: EventStore) -> pd.DataFrame:
    """Every recorded ingest, newest first, with what it stored."""
    from tools.events.ingests import list_ingests

    rows = [[r.ingest_id, _when(r), Path(r.path).name, r.rows_accepted, r.rows_rejected, r.rows_skipped,
             r.events_written, len(r.places_added)] for r in reversed(list_ingests(store))]
    return pd.DataFrame(rows, columns=INGEST_HEADERS)


def ingest_choices(store: EventStore) -> list[tuple[str, str]]:
    """(label, ingest id) for each recorded ingest, newest first: what the undo menu offers."""
    from tools.events.ingests import list_ingests

    return [(f"{Path(r.path).name} · {_when(r)} · {r.events_written:,} events · {r.ingest_id}", r.ingest_id)
            for r in reversed(list_ingests(store))]


def _when(report: IngestReport) -> str:
    return report.ingested_at.replace("T", " ")[:16]


def undo_from_panel(store: EventStore, ingest_id: str | None) -> str:
    """Remove one ingest (events, row keys, record, quarantine) atomically; what was done, for the panel.
    Raises IngestError for no or an unknown id."""
    from tools.events.ingests import undo_ingest
    from tools.events.mapping import IngestError

    if not ingest_id:
        raise IngestError("Choose the ingest to undo.")
    record, removed = undo_ingest(store, ingest_id)
    return (f"**Removed ingest {record.ingest_id}** ({Path(record.path).name}): {removed:,} events. Places "
            "it added stay in the profile; ingesting the file again stores its rows again.")


def places_frame(profile: ShopProfile) -> pd.DataFrame:
    """The profile's places, top level first, with their zones."""
    rows = [[p.level, p.name, p.parent or "", p.country, p.tz]
            for level in profile.levels() for p in profile.at_level(level)]
    return pd.DataFrame(rows, columns=PLACE_HEADERS)


def money_note(profile: ShopProfile) -> str:
    """The reporting currency and the rates into it, in one Markdown line."""
    from tools.events.profile_edits import rate_lines

    rates = "; ".join(rate_lines(profile)) or "no other currencies"
    return (f"Reports in **{profile.currency}** ({rates}); weeks start on {profile.week_start.capitalize()}. "
            "Edit places, currency and rates with `chronotope data places`, `data currency`, `data rates`.")


# ---------------------------------------------------------------------------------------------- layout
def build_store_view(services: AppServices) -> StoreView:
    """The past ingests with an undo action, and the profile's places and money, inside the caller's Blocks;
    the caller fills them (`StoreView.values`) when the tab opens and after an ingest."""
    import gradio as gr

    from tools.events.mapping import IngestError

    def values() -> tuple[Any, ...]:
        profile = services.store.profile()
        return (ingests_frame(services.store), gr.update(choices=ingest_choices(services.store), value=None),
                places_frame(profile), money_note(profile))

    gr.Markdown("### Past ingests", elem_classes="section-title")
    gr.Markdown("Undo removes an ingest's events, row keys, record and quarantine file in one step.",
                elem_classes="section-note")
    ingests = gr.Dataframe(headers=INGEST_HEADERS, interactive=False, max_height=300, elem_id="ingests-table")
    with gr.Row(equal_height=True):
        chosen = gr.Dropdown(choices=[], value=None, label="Ingest to undo", scale=4, elem_id="undo-choice")
        undo = gr.Button("Undo ingest", variant="stop", scale=1, elem_id="undo-run")
    undone = gr.Markdown(elem_id="undo-result")
    gr.Markdown("### Shop profile", elem_classes="section-title")
    money = gr.Markdown(elem_id="profile-money")
    places = gr.Dataframe(headers=PLACE_HEADERS, interactive=False, max_height=360,
                          label="Places and their time zones", elem_id="profile-places")
    outputs = [ingests, chosen, places, money]

    def on_undo(ingest_id: str | None) -> tuple[Any, ...]:
        try:
            text = undo_from_panel(services.store, ingest_id)
        except IngestError as error:
            raise gr.Error(str(error)) from error
        return text, *values()

    undo.click(on_undo, [chosen], [undone, *outputs], api_visibility="private", concurrency_limit=1,
               concurrency_id="ingest")
    return StoreView(outputs, values)
