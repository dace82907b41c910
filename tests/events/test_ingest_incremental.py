"""Incremental and reversible ingests: row keys skip what an earlier ingest stored, `undo` removes one
ingest atomically, compaction keeps ingests apart. Run on two shops (the demo's profile and Northwind's)."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests.shops import NORTHWIND
from tools.events.ingest import ingest_file
from tools.events.ingests import list_ingests, undo_ingest
from tools.events.mapping import ColumnMapping, IngestError
from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore

HEADER = ["when", "who", "what", "sku", "qty"]
MAPPING = ColumnMapping.from_flags(
    ["event_time=when", "user_id=who", "event_type=what", "product_id=sku", "quantity=qty"]
)


def _row(i: int) -> list[str]:
    kind = ("view", "cart", "purchase")[i % 3]
    when = f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
    return [when, f"u{i % 50}", kind, f"P{i % 40:03d}", str(1 + i % 4)]


def _export(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(params=["demo", "northwind"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> EventStore:
    store = EventStore(tmp_path / "store")
    store.save_profile(demo_profile() if request.param == "demo" else NORTHWIND)
    return store


def _count(store: EventStore) -> int:
    return store.connect().execute("SELECT count(*) FROM events").fetchone()[0]


def test_an_export_that_grew_adds_only_its_new_rows_whatever_it_is_called(
    store: EventStore, tmp_path: Path
) -> None:
    january = _export(tmp_path / "export-jan.csv", [_row(i) for i in range(300)])
    first = ingest_file(store, january, MAPPING)
    assert (first.rows_accepted, first.rows_skipped) == (300, 0)
    # The next export: the old rows reordered, 120 new ones, its columns in another order.
    order = [4, 2, 0, 3, 1]
    rows = [[r[i] for i in order] for r in reversed([_row(i) for i in range(420)])]
    february = _export(tmp_path / "export-feb.csv", rows, [HEADER[i] for i in order])
    second = ingest_file(store, february, MAPPING)
    counts = (second.rows_read, second.rows_accepted, second.rows_skipped, second.rows_rejected)
    assert counts == (420, 120, 300, 0)
    assert _count(store) == 420
    assert ingest_file(store, february, MAPPING).already_ingested  # the same file: not read at all


def test_rows_identical_in_every_column_are_all_kept_once_and_skipped_after(
    store: EventStore, tmp_path: Path
) -> None:
    twice = [_row(1), _row(1), _row(2)]
    ingest_file(store, _export(tmp_path / "a.csv", twice), MAPPING)
    again = ingest_file(store, _export(tmp_path / "b.csv", [*twice, _row(3)]), MAPPING)
    assert (again.rows_accepted, again.rows_skipped, _count(store)) == (1, 3, 4)


def test_a_key_column_identifies_rows_whose_other_values_changed(store: EventStore, tmp_path: Path) -> None:
    header = ["line", *HEADER]
    keyed = MAPPING.overridden_by(ColumnMapping(key=("line",)))
    ingest_file(store, _export(tmp_path / "a.csv", [[f"L{i}", *_row(i)] for i in range(10)], header), keyed)
    changed = [[f"L{i}", *_row(i)[:4], "9"] for i in range(12)]  # every quantity rewritten, two new lines
    path = _export(tmp_path / "b.csv", changed, header)
    report = ingest_file(store, path, keyed)
    assert (report.rows_accepted, report.rows_skipped) == (2, 10)
    with pytest.raises(IngestError, match=r"Key column 'order_line' \(--key\) is not in .*columns: line"):
        ingest_file(store, path, MAPPING.overridden_by(ColumnMapping(key=("order_line",))))


def test_undo_removes_one_ingest_with_its_keys_even_after_compaction(
    store: EventStore, tmp_path: Path
) -> None:
    when = pa.array([1_709_280_000_000_000], pa.timestamp("us", tz="UTC"))
    store.append_events(pa.table({"event_time": when, "event_type": ["view"], "user_id": ["live-visitor"]}))
    a = ingest_file(store, _export(tmp_path / "a.csv", [_row(i) for i in range(200)]), MAPPING)
    b_rows = [_row(i) for i in range(200, 260)] + [["not a time", "u1", "view", "P001", "1"]]
    b = ingest_file(store, _export(tmp_path / "b.csv", b_rows), MAPPING, max_rejected=0.5)
    c = ingest_file(store, _export(tmp_path / "c.csv", [_row(i) for i in range(150, 400)]), MAPPING)
    assert (c.rows_accepted, c.rows_skipped) == (140, 110)
    store.compact(merge_partitions=True)  # merges each origin's files, never two origins
    assert _count(store) == 1 + 200 + 60 + 140
    record, removed = undo_ingest(store, b.ingest_id[:6])  # a unique start of the id will do
    assert (record.ingest_id, removed, _count(store)) == (b.ingest_id, 60, 341)
    assert [r.ingest_id for r in list_ingests(store)] == [a.ingest_id, c.ingest_id]
    assert not (store.root / "quarantine" / f"{b.ingest_id}.csv").exists()
    assert not (store.snapshot / "keys" / f"{b.ingest_id}.parquet").exists()
    users = store.connect().execute("SELECT count(*) FROM events WHERE user_id = 'live-visitor'").fetchone()
    assert users == (1,)
    again = ingest_file(store, Path(b.path), MAPPING, max_rejected=0.5)  # c skipped those rows: new again
    assert (again.rows_accepted, again.rows_skipped, _count(store)) == (60, 0, 401)


def test_undo_names_the_recent_ingests_when_the_id_is_not_one(store: EventStore, tmp_path: Path) -> None:
    a = ingest_file(store, _export(tmp_path / "a.csv", [_row(1)]), MAPPING)
    b = ingest_file(store, _export(tmp_path / "b.csv", [_row(2)]), MAPPING)
    known = rf"Recent ingests: {a.ingest_id} \(a.csv\), {b.ingest_id} \(b.csv\)"
    for wrong in ("zz", ""):
        with pytest.raises(IngestError, match=rf"'{wrong}' is not an ingest of this store. {known}"):
            undo_ingest(store, wrong)
    assert _count(store) == 2


def test_keys_made_by_another_hash_are_refused_not_silently_missed(store: EventStore, tmp_path: Path) -> None:
    first = ingest_file(store, _export(tmp_path / "a.csv", [_row(1)]), MAPPING)
    keys = store.snapshot / "keys" / f"{first.ingest_id}.parquet"
    table = pq.read_table(keys)
    pq.write_table(table.replace_schema_metadata({b"chronotope.hash_probe": b"12345"}), keys)
    with pytest.raises(IngestError, match="made by a DuckDB whose hash differs"):
        ingest_file(store, _export(tmp_path / "b.csv", [_row(1), _row(2)]), MAPPING)


def test_the_cli_lists_ingests_and_undoes_one(store: EventStore, tmp_path: Path) -> None:
    from chronotope.cli import app

    report = ingest_file(store, _export(tmp_path / "orders.csv", [_row(i) for i in range(5)]), MAPPING)
    listed = CliRunner().invoke(app, ["data", "ingests", "--store", str(store.root)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and report.ingest_id in listed.output and "orders.csv" in listed.output
    unknown = CliRunner().invoke(app, ["data", "undo", "nope", "--store", str(store.root)])
    assert unknown.exit_code == 2 and "is not an ingest of this store" in unknown.output
    undone = CliRunner().invoke(app, ["data", "undo", report.ingest_id, "--store", str(store.root)],
                                env={"COLUMNS": "200"})
    assert undone.exit_code == 0 and "5 events" in undone.output
    assert _count(store) == 0 and list_ingests(store) == []
