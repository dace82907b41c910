"""EventStore: live appends visible at once, atomic compaction that survives crashes, snapshot isolation."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from tools.events import snapshots
from tools.events.schema import EVENTS
from tools.events.snapshots import Snapshots, StoreConflict, StoreError
from tools.events.store import EventStore

T0 = datetime(2024, 3, 1, 22, 0, tzinfo=UTC)


def _events(
    n: int, start: datetime = T0, step: timedelta = timedelta(minutes=30), user: str = "u1"
) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "event_time": start + i * step,
                "event_type": "view" if i % 3 else "purchase",
                "user_id": f"{user}-{i % 4}",
                "product_id": f"P{i % 7}",
                "quantity": 1,
                "price": 9.5,
                "currency": "EUR",
                "country": "FR",
                "region": "Ile-de-France",
            }
            for i in range(n)
        ]
    )


def _count(store: EventStore, con=None) -> int:
    con = con or store.connect()
    return con.execute("SELECT count(*) FROM events").fetchone()[0]


class _Crash(BaseException):
    """Stands in for the process dying at a chosen point."""


def test_connection_made_on_empty_store_sees_later_appends_and_compactions(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    con = store.connect()
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    store.append_events(_events(3))
    assert _count(store, con) == 3
    store.compact()
    store.append_events(_events(2, start=T0 + timedelta(days=5)))
    assert _count(store, con) == 5
    store.write_table("products", pa.table({"product_id": ["P1", "P2"], "name": ["a", "b"]}))
    assert con.execute("SELECT count(*) FROM products").fetchone()[0] == 2


def test_views_have_canonical_types_when_empty(tmp_path: Path) -> None:
    con = EventStore(tmp_path).connect()
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE events)").fetchall())
    assert list(types) == EVENTS.names
    assert types["event_time"] == "TIMESTAMP WITH TIME ZONE"
    assert types["quantity"] == "INTEGER"


def test_compact_moves_live_batches_into_utc_date_partitions_without_loss(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    for i in range(5):
        store.append_events(_events(4, start=T0 + timedelta(hours=i)))  # 22:00 UTC onwards crosses midnight
    before = sorted(store.connect().execute("SELECT * FROM events").fetchall())
    assert store.compact() == 20
    assert store.live_files() == []
    dates = sorted({p.parent.name for p in store.event_files()})
    assert dates == ["event_date=2024-03-01", "event_date=2024-03-02"]
    assert sorted(store.connect().execute("SELECT * FROM events").fetchall()) == before
    # Rows of each file are in time order, and each file holds only its own UTC date.
    for path in store.event_files():
        times = pa.parquet.read_table(path)["event_time"].to_pylist()
        assert times == sorted(times)
        assert {t.date().isoformat() for t in times} == {path.parent.name.split("=")[1]}


def test_compacting_again_merges_new_rows_into_one_file_per_date(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    store.append_events(_events(2))
    store.compact()
    store.append_events(_events(2, start=T0 + timedelta(minutes=5)))
    store.compact()
    files = store.event_files()
    assert len(files) == 1 and _count(store) == 4
    assert store.compact() == 0


def test_merge_partitions_folds_parts_written_by_separate_commits(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    for offset in range(3):
        with store.transaction() as tx:
            store.write_events_partitioned(
                tx, _events(2, start=T0 - timedelta(hours=5) + timedelta(minutes=offset))
            )
    assert len(store.event_files()) == 3
    store.compact(merge_partitions=True)
    assert len(store.event_files()) == 1 and _count(store) == 6


def test_crash_before_journal_leaves_previous_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = EventStore(tmp_path)
    store.append_events(_events(3))
    before = sorted(store.connect().execute("SELECT * FROM events").fetchall())

    def crash(*_args: object) -> None:
        raise _Crash()

    monkeypatch.setattr(snapshots, "_atomic_write_text", crash)
    with pytest.raises(_Crash):
        store.compact()
    monkeypatch.undo()
    store.close()
    reopened = EventStore(tmp_path)
    assert sorted(reopened.connect().execute("SELECT * FROM events").fetchall()) == before
    assert len(reopened.live_files()) == 1
    assert not any((tmp_path / "staging").iterdir())
    assert not any((tmp_path / "journal").iterdir())


@pytest.mark.parametrize("crash_point", ["_apply", "_swap_current"])
def test_crash_after_journal_is_rolled_forward_on_next_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_point: str
) -> None:
    store = EventStore(tmp_path)
    store.append_events(_events(3))
    store.append_events(_events(2, start=T0 + timedelta(days=1)))
    before = sorted(store.connect().execute("SELECT * FROM events").fetchall())

    def crash(*_args: object) -> None:
        raise _Crash()

    # `_apply`: the journal is on disk, nothing applied. `_swap_current`: the new snapshot is fully built.
    monkeypatch.setattr(Snapshots, crash_point, crash)
    with pytest.raises(_Crash):
        store.compact()
    monkeypatch.undo()
    assert len(list((tmp_path / "journal").glob("*.json"))) == 1
    store.close()
    reopened = EventStore(tmp_path)
    assert not any((tmp_path / "journal").iterdir())
    assert reopened.live_files() == []
    assert sorted(reopened.connect().execute("SELECT * FROM events").fetchall()) == before
    assert [p.name for p in (tmp_path / "snapshots").iterdir()] == [reopened.snapshot.name]


def test_failed_transaction_discards_everything_staged(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    with pytest.raises(RuntimeError, match="half-way"), store.transaction() as tx:
        store.write_events_partitioned(tx, _events(5))
        tx.write_text("manifest.json", "{}")
        raise RuntimeError("failed half-way")
    assert _count(store) == 0
    assert not (tmp_path / "manifest.json").exists()
    assert not any((tmp_path / "staging").iterdir())


def test_commit_conflicts_instead_of_deleting_twice(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    store.append_events(_events(1))
    live = store.live_files()[0].relative_to(store.snapshot)
    store.compact()
    with pytest.raises(StoreConflict, match="already gone"), store.transaction() as tx:
        tx.delete(str(live))
    with store.transaction() as tx:
        tx.write_text("ingests/x.json", "{}", create_only=True)
    with pytest.raises(StoreConflict, match="already exists"), store.transaction() as tx:
        tx.write_text("ingests/x.json", "{}", create_only=True)


def test_reader_keeps_a_consistent_view_while_a_commit_replaces_files(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    store.append_events(_events(4))
    con = store.connect()
    old_snapshot = store.snapshot
    store.compact()
    assert store.snapshot != old_snapshot and not old_snapshot.exists()
    assert (
        _count(store, con) == 4
    )  # never 8: the compacted rows and their live batches are never both visible


def test_write_table_replace_and_append(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    store.write_table("users", pa.table({"user_id": ["a", "b"]}))
    store.write_table("users", pa.table({"user_id": ["c"]}), mode="append")
    assert store.connect().execute("SELECT count(*) FROM users").fetchone()[0] == 3
    store.write_table("users", pa.table({"user_id": ["d"]}))
    assert store.connect().execute("SELECT user_id FROM users").fetchall() == [("d",)]
    with pytest.raises(ValueError, match="Tables: orders, products, reviews, users"):
        store.write_table("events", pa.table({"user_id": ["x"]}))


def test_background_compactor_folds_batches_past_threshold(tmp_path: Path) -> None:
    with EventStore(tmp_path, auto_compact_batches=4) as store:
        for i in range(4):
            store.append_events(_events(1, start=T0 + timedelta(minutes=i)))
        deadline = time.monotonic() + 10
        while store.live_files() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert store.live_files() == []
        assert _count(store) == 4


def test_old_layout_is_refused_with_advice(tmp_path: Path) -> None:
    (tmp_path / "events").mkdir()
    with pytest.raises(StoreError, match="older layout"):
        EventStore(tmp_path)


def test_second_process_sees_appends_of_the_first(tmp_path: Path) -> None:
    writer, reader = EventStore(tmp_path), EventStore(tmp_path)
    con = reader.connect()
    writer.append_events(_events(2))
    writer.compact()
    writer.append_events(_events(1, start=T0 + timedelta(days=3)))
    assert _count(reader, con) == 3
    assert os.readlink(tmp_path / "current") == f"snapshots/{reader.snapshot.name}"


def test_partition_files_are_zstd_with_delta_encoded_times(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    store.append_events(_events(50, step=timedelta(seconds=7)))
    store.compact()
    column = pa.parquet.ParquetFile(store.event_files()[0]).metadata.row_group(0).column(0)
    assert column.path_in_schema == "event_time"
    assert "DELTA_BINARY_PACKED" in column.encodings and column.compression == "ZSTD"
