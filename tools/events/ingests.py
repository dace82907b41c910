"""The record of what each ingest did: `ingests/<ingest-id>.json` beside the store's data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tools.events.mapping import IngestError
from tools.events.store import EventStore


@dataclass(frozen=True)
class SyncMark:
    """Where a synced file came from: the database source's label (no password) and the watermark its rows
    reached (None: the source has no watermark column and is read whole each time)."""

    source: str
    watermark: str | None


@dataclass
class IngestReport:
    """What one ingest did. rows_read == rows_accepted + rows_rejected + rows_skipped; events_written may
    exceed rows_accepted when a preset expands a row into several events."""

    ingest_id: str
    path: str
    file_format: str
    preset: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    events_written: int
    rows_skipped: int = 0  # rows an earlier ingest stored (same key): not stored again
    reasons: dict[str, int] = field(default_factory=dict)
    quarantine_path: str | None = None
    seconds: float = 0.0
    ingested_at: str = ""
    already_ingested: bool = False
    places_added: list[str] = field(default_factory=list)  # "region Oregon (US) in America/Los_Angeles"
    warnings: list[str] = field(default_factory=list)  # what answers will miss in the accepted rows
    currency_set: str | None = None  # the reporting currency a new shop took from its first file
    sync_source: str | None = None  # the database source of a sync (`path` shows it too)
    watermark: str | None = None  # the largest watermark value among a sync's rows

    @property
    def source_name(self) -> str:
        """What the rows came from, for people: the file's name or the database source."""
        return self.sync_source or Path(self.path).name

    def summary(self) -> str:
        """One line an operator (or the agent) can quote."""
        if self.already_ingested:
            return (f"{self.path} was already ingested at {self.ingested_at} (ingest {self.ingest_id}); "
                    "nothing added.")
        top = ", ".join(
            f"{reason}: {n}" for reason, n in sorted(self.reasons.items(), key=lambda kv: -kv[1])[:3]
        )
        added = len(self.places_added)
        profile = f" Added {added} place(s) to the shop's profile." if added else ""
        if self.currency_set:
            profile += (f" The shop reports in {self.currency_set}, its first file's currency "
                        "(`chronotope data currency CODE` changes it).")
        return (
            f"Read {self.rows_read:,} rows from {self.source_name}: {self.rows_accepted:,} accepted "
            f"({self.events_written:,} events), {self.rows_rejected:,} rejected"
            + (f", {self.rows_skipped:,} already in the store" if self.rows_skipped else "")
            + (f" ({top})" if top else "")
            + "."
            + profile
        )


def undo_ingest(store: EventStore, ingest_id: str) -> tuple[IngestReport, int]:
    """Remove one ingest atomically: its events, its row keys, its record and its quarantine file; returns
    its record and the events removed. `ingest_id` may be a unique prefix. Places it added to the profile
    stay (other data may name them)."""
    record = find_ingest(store, ingest_id)
    removed = store.delete_origin(
        record.ingest_id, also=(f"ingests/{record.ingest_id}.json", f"quarantine/{record.ingest_id}.csv")
    )
    return record, removed


def find_ingest(store: EventStore, prefix: str) -> IngestReport:
    """The recorded ingest whose id starts with `prefix`; IngestError naming the ingests otherwise."""
    reports = list_ingests(store)
    found = [r for r in reports if r.ingest_id.startswith(prefix.strip())] if prefix.strip() else []
    if len(found) == 1:
        return found[0]
    known = ", ".join(f"{r.ingest_id} ({r.source_name})" for r in reports[-10:]) or "none yet"
    problem = "matches several ingests" if len(found) > 1 else "is not an ingest of this store"
    raise IngestError(f"{prefix!r} {problem}. Recent ingests: {known} (see `chronotope data ingests`).")


def load_ingest(store: EventStore, ingest_id: str) -> IngestReport | None:
    """The recorded report of an earlier ingest, or None."""
    log = store.root / "ingests" / f"{ingest_id}.json"
    if not log.exists():
        return None
    return IngestReport(**json.loads(log.read_text(encoding="utf-8")))


def list_ingests(store: EventStore) -> list[IngestReport]:
    """Every recorded ingest, oldest first."""
    reports = [
        IngestReport(**json.loads(p.read_text(encoding="utf-8")))
        for p in (store.root / "ingests").glob("*.json")
    ]
    return sorted(reports, key=lambda r: r.ingested_at)
