"""The operator's data panel below the UI: preview and map an upload, ingest with quarantine and the zones of
new places, list and undo past ingests, show the profile's places, add documents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.shops import NORTHWIND
from tools.events.mapping import IngestError
from tools.events.place_registration import read_places_file
from tools.events.quarantine import IngestRejected
from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore
from tools.knowledge import KnowledgeBase
from tools.knowledge.errors import DocumentError
from ui.data_panel import (
    add_documents,
    dialect_from_inputs,
    ingest_upload,
    initial_mapping,
    mapping_from_table,
    source_preview,
)
from ui.store_view import ingest_choices, ingests_frame, money_note, places_frame, undo_from_panel

CSV = """ts,kind,customer,sku,qty,unit_price,region
2026-11-13T20:15:00Z,purchase,U000001,P0001,1,19.90,Bavaria
2026-11-13T21:05:00Z,view,U000002,P0002,,,Bavaria
not-a-time,purchase,U000003,P0003,1,5.00,Bavaria
2026-11-13T22:00:00Z,teleport,U000004,P0004,1,5.00,Bavaria
"""


def _upload(tmp_path: Path) -> Path:
    path = tmp_path / "shop export.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _table(path: Path) -> pd.DataFrame:
    columns, _ = source_preview(path)
    table = initial_mapping(columns)
    sources = {"event_time": "ts", "event_type": "kind", "user_id": "customer", "product_id": "sku",
               "quantity": "qty", "price": "unit_price"}
    for canonical, source in sources.items():
        table.loc[table["canonical column"] == canonical, "source column"] = source
    table.loc[table["canonical column"] == "currency", "default if blank"] = "EUR"
    return table


def test_preview_lists_columns_and_prefills_same_named_ones(tmp_path: Path) -> None:
    columns, head = source_preview(_upload(tmp_path))
    assert columns == ["ts", "kind", "customer", "sku", "qty", "unit_price", "region"]
    assert len(head) == 4
    table = initial_mapping(columns)
    assert table.set_index("canonical column").loc["region", "source column"] == "region"
    assert table.set_index("canonical column").loc["user_id", "source column"] == ""


def test_ingest_accepts_good_rows_and_quarantines_bad_ones_with_reasons(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    store.save_profile(demo_profile())  # the demo shop's places: Bavaria is known with its zone
    path = _upload(tmp_path)
    with pytest.raises(IngestRejected, match=r"2 of 4 rows \(50.0%\) failed their checks"):
        ingest_upload(store, path, mapping_from_table(_table(path)), progress=False)  # over the 5% limit
    assert store.connect().execute("SELECT count(*) FROM events").fetchone()[0] == 0
    outcome = ingest_upload(store, path, mapping_from_table(_table(path)), max_rejected=0.5, progress=False)
    report = outcome.report
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 2, 2)
    assert outcome.reasons["rows"].sum() == 2 and len(outcome.reasons) == 2
    assert sorted(outcome.quarantine["kind"]) == ["purchase", "teleport"]
    assert store.connect().execute("SELECT count(*) FROM events").fetchone()[0] == 2
    again = ingest_upload(store, path, mapping_from_table(_table(path)), progress=False)
    assert again.report.already_ingested


def test_a_european_export_previews_and_ingests_with_the_chosen_separator_and_decimal_mark(
    tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("Zeit;Kunde;Menge;Summe\n2024-03-01 10:00;Müller;2;1.234,50\n".encode("latin-1"))
    dialect = dialect_from_inputs(";", ",", ".", "latin-1")
    columns, head = source_preview(path, dialect)
    assert columns == ["Zeit", "Kunde", "Menge", "Summe"]
    assert head.iloc[0].tolist()[1:] == ["Müller", "2", "1.234,50"]
    table = initial_mapping(columns)
    sources = {"event_time": "Zeit", "user_id": "Kunde", "quantity": "Menge", "amount": "Summe"}
    for canonical, source in sources.items():
        table.loc[table["canonical column"] == canonical, "source column"] = source
    table.loc[table["canonical column"] == "event_type", "constant"] = "purchase"
    store = EventStore(tmp_path / "store")
    ingest_upload(store, path, mapping_from_table(table), dialect=dialect, progress=False)
    rows = store.connect().execute("SELECT user_id, quantity, price FROM events").fetchall()
    assert rows == [("Müller", 2, 617.25)]  # the line total 1.234,50 over 2 items
    with pytest.raises(IngestError, match="thousands separator must be"):
        dialect_from_inputs(";", ",", ",", "utf-8")


def test_mapping_errors_say_what_to_fix(tmp_path: Path) -> None:
    table = _table(_upload(tmp_path))
    table.loc[table["canonical column"] == "event_type", "constant"] = "purchase"
    with pytest.raises(IngestError, match="event_type: give a source column or a constant, not both"):
        mapping_from_table(table)
    table.loc[table["canonical column"] == "event_type", ["source column", "constant"]] = ["", "teleport"]
    with pytest.raises(IngestError, match="Valid: view, search"):
        mapping_from_table(table)
    with pytest.raises(IngestError, match="IANA time zone"):
        mapping_from_table(_table(_upload(tmp_path)), source_tz="Mars/Olympus")


def test_missing_required_column_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    path = _upload(tmp_path)
    table = _table(path)
    table.loc[table["canonical column"] == "user_id", "source column"] = ""
    with pytest.raises(IngestError, match="Required column user_id"):
        ingest_upload(store, path, mapping_from_table(table), progress=False)
    assert store.connect().execute("SELECT count(*) FROM events").fetchone()[0] == 0


US_EXPORT = """ts,kind,customer,sku,qty,unit_price,country,region,city
2026-11-13T20:15:00Z,purchase,C1,P1,1,19.90,US,Texas,Austin
2026-11-13T21:05:00Z,purchase,C2,P2,2,5.00,US,Nevada,Reno
2026-11-14T01:00:00Z,purchase,C3,P3,1,7.50,US,New York,Brooklyn
"""


def _us_export(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    path = tmp_path / "us orders.csv"
    path.write_text(US_EXPORT, encoding="utf-8")
    columns, _ = source_preview(path)
    table = initial_mapping(columns)
    sources = {"event_time": "ts", "event_type": "kind", "user_id": "customer", "product_id": "sku",
               "quantity": "qty", "price": "unit_price"}
    for canonical, source in sources.items():
        table.loc[table["canonical column"] == canonical, "source column"] = source
    return path, table


def _events(store: EventStore) -> int:
    return store.connect().execute("SELECT count(*) FROM events").fetchone()[0]


def test_new_places_take_their_zones_from_the_places_file_then_the_fallback_zone(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    store.save_profile(NORTHWIND)  # knows New York, not Texas or Nevada (the US keeps several clocks)
    path, table = _us_export(tmp_path)
    bare = ingest_upload(store, path, mapping_from_table(table), max_rejected=1.0, progress=False)
    assert bare.report.rows_accepted == 1 and "--places FILE" in " ".join(bare.reasons["reason"])
    undo_from_panel(store, bare.report.ingest_id)

    places = tmp_path / "places.csv"
    places.write_text("name,level,parent,country,time_zone\nTexas,region,,US,America/Chicago\n",
                      encoding="utf-8")
    outcome = ingest_upload(store, path, mapping_from_table(table, place_tz="America/Los_Angeles"),
                            places=read_places_file(places), progress=False)
    assert outcome.report.rows_accepted == 3
    assert set(outcome.report.places_added) >= {"region Texas (US) in America/Chicago",
                                                "region Nevada (US) in America/Los_Angeles",
                                                "city Austin (US) in America/Chicago"}
    assert store.profile().zone_of(country="US", region="Nevada", city="Reno") == "America/Los_Angeles"
    with pytest.raises(IngestError, match="IANA time zone"):
        mapping_from_table(table, place_tz="America/Gotham")


def test_past_ingests_are_listed_and_undo_from_the_panel_removes_their_rows(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    store.save_profile(NORTHWIND)
    path, table = _us_export(tmp_path)
    first = ingest_upload(store, path, mapping_from_table(table, place_tz="America/Chicago"), progress=False)
    other = tmp_path / "more.csv"
    other.write_text(US_EXPORT.replace("C1,", "C9,"), encoding="utf-8")
    second = ingest_upload(store, other, mapping_from_table(table), progress=False)
    assert _events(store) == 4 and second.report.rows_skipped == 2
    frame = ingests_frame(store)
    assert list(frame["ingest"]) == [second.report.ingest_id, first.report.ingest_id]  # newest first
    assert list(frame["events"]) == [1, 3] and list(frame["file"]) == ["more.csv", "us orders.csv"]
    assert [value for _, value in ingest_choices(store)] == list(frame["ingest"])

    message = undo_from_panel(store, first.report.ingest_id)
    assert f"Removed ingest {first.report.ingest_id}" in message and "3 events" in message
    assert _events(store) == 1
    assert list(ingests_frame(store)["ingest"]) == [second.report.ingest_id]
    with pytest.raises(IngestError, match="is not an ingest of this store"):
        undo_from_panel(store, first.report.ingest_id)
    with pytest.raises(IngestError, match="Choose the ingest to undo"):
        undo_from_panel(store, None)


def test_the_panel_shows_the_profiles_places_with_their_zones_and_its_money() -> None:
    demo = places_frame(demo_profile()).set_index(["level", "name"])
    assert demo.loc[("region", "Canary Islands"), "time zone"] == "Atlantic/Canary"
    assert demo.loc[("city", "Las Palmas"), "in"] == "Canary Islands"
    assert len(demo) == len(demo_profile().places)
    northwind = places_frame(NORTHWIND)
    assert list(northwind["level"].unique()) == ["country", "region", "city"]
    assert northwind.set_index("name").loc["Mumbai", "time zone"] == "Asia/Kolkata"
    assert "Reports in **EUR** (1 GBP = 1.16279 EUR)" in money_note(demo_profile())
    assert "AUD in USD from 2026-01-01: 0.64, 2026-05-01: 0.7" in money_note(NORTHWIND)


def test_documents_must_be_markdown_with_a_title(tmp_path: Path, embedder) -> None:
    kb = KnowledgeBase(tmp_path / "chroma", embedder, docs_dir=tmp_path / "docs")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("# Notes\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="not a Markdown file"):
        add_documents(kb, [text_file], progress=False)
    untitled = tmp_path / "untitled.md"
    untitled.write_text("Just text, no heading.\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="no title"):
        add_documents(kb, [untitled], progress=False)
    assert not (tmp_path / "docs").exists()  # nothing copied when a file is refused


def test_added_document_is_searchable_with_a_citation(tmp_path: Path, embedder) -> None:
    kb = KnowledgeBase(tmp_path / "chroma", embedder, docs_dir=tmp_path / "docs")
    upload = tmp_path / "Gift Wrapping.md"
    upload.write_text("# Gift wrapping\n\n## Price\n\n"
                      "Gift wrapping costs 3 EUR per item and is recyclable.\n", encoding="utf-8")
    report = add_documents(kb, [upload], progress=False)
    assert report.added == 1 and (tmp_path / "docs" / "uploads" / "gift-wrapping.md").is_file()
    hit = kb.search("how much is gift wrapping?", k=1).hits[0]
    assert hit.citation_id.startswith("gift-wrapping#") and "3 EUR" in hit.text
