"""DatePartitionWriter: every row lands in its UTC date's folder whatever order batches arrive in; failures
surface."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tools.events import partitions
from tools.events.partitions import DATE_COLUMN, DatePartitionWriter
from tools.events.schema import EVENTS

START = datetime(2024, 3, 1, tzinfo=UTC)


def _batch(rows: list[tuple[datetime, str]]) -> pa.RecordBatch:
    """Canonical columns (time, type, user; the rest null) plus the UTC date, as ingest streams them."""
    times = [t for t, _ in rows]
    columns = {f.name: pa.nulls(len(rows), f.type) for f in EVENTS}
    columns["event_time"] = pa.array(times, pa.timestamp("us", tz="UTC"))
    columns["event_type"] = pa.array(["view"] * len(rows))
    columns["user_id"] = pa.array([user for _, user in rows])
    columns[DATE_COLUMN] = pa.array([t.date() for t in times], pa.date32())
    return pa.RecordBatch.from_pydict(columns)


def _rows(n: int, days: int) -> list[tuple[datetime, str]]:
    """n events spread evenly over `days` days, in time order, each with a unique user id."""
    step = timedelta(days=days) / n
    return [(START + i * step, f"u{i}") for i in range(n)]


def _written(folder: Path) -> dict[str, list[str]]:
    """Users found in each `event_date=...` folder."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.glob(f"{DATE_COLUMN}=*/part-*.parquet")):
        table = pq.read_table(path)
        assert table.schema.equals(EVENTS)
        found.setdefault(path.parent.name.split("=", 1)[1], []).extend(table["user_id"].to_pylist())
    return found


def _expected(rows: list[tuple[datetime, str]]) -> dict[str, list[str]]:
    expected: dict[str, list[str]] = {}
    for t, user in rows:
        expected.setdefault(t.date().isoformat(), []).append(user)
    return expected


def test_time_ordered_batches_give_one_file_and_one_row_group_per_date(tmp_path: Path) -> None:
    rows = _rows(3000, days=6)
    with DatePartitionWriter(tmp_path, "x") as writer:
        for i in range(0, len(rows), 700):  # batch edges fall inside dates
            writer.add(_batch(rows[i : i + 700]))
    assert writer.rows_written == 3000
    assert _written(tmp_path) == _expected(rows)  # same rows, same order within each date
    files = sorted(tmp_path.glob("*/*.parquet"))
    assert len(files) == 6 and all(pq.ParquetFile(f).num_row_groups == 1 for f in files)


def test_shuffled_rows_land_in_their_dates(tmp_path: Path) -> None:
    rows = _rows(4000, days=9)
    random.Random(3).shuffle(rows)
    with DatePartitionWriter(tmp_path, "x") as writer:
        for i in range(0, len(rows), 1000):
            writer.add(_batch(rows[i : i + 1000]))
    written = _written(tmp_path)
    assert {day: sorted(users) for day, users in written.items()} == {
        day: sorted(users) for day, users in _expected(rows).items()
    }


def test_a_date_that_returns_after_its_file_was_closed_continues_in_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(partitions, "MAX_OPEN_FILES", 1)
    first = _rows(10, days=2)
    later = [(START + timedelta(days=5), "later")]
    back = [(START + timedelta(hours=1), "back")]
    with DatePartitionWriter(tmp_path, "x") as writer:
        writer.add(_batch(first))  # March 1st and 2nd
        writer.add(_batch(later))  # both written; only one file stays open
        writer.add(_batch(back))  # March 1st again
    names = sorted(p.name for p in (tmp_path / f"{DATE_COLUMN}={date(2024, 3, 1)}").iterdir())
    assert names == ["part-x-0.parquet", "part-x-1.parquet"]
    written = [user for users in _written(tmp_path).values() for user in users]
    assert sorted(written) == sorted(user for _, user in first + later + back)


def test_more_pending_rows_than_the_budget_are_written_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(partitions, "PENDING_ROWS", 500)
    rows = _rows(2000, days=2)
    random.Random(5).shuffle(rows)  # every batch holds both dates: nothing is ever "done"
    with DatePartitionWriter(tmp_path, "x") as writer:
        for i in range(0, len(rows), 400):
            writer.add(_batch(rows[i : i + 400]))
            assert writer._pending_rows <= 500
    groups = [pq.ParquetFile(f).num_row_groups for f in sorted(tmp_path.glob("*/*.parquet"))]
    assert len(groups) == 2 and min(groups) > 1
    assert sum(len(users) for users in _written(tmp_path).values()) == 2000


def test_a_failed_write_is_raised_to_the_producer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: pq.ParquetWriter, table: pa.Table, row_group_size: int | None = None) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail)
    rows = _rows(100, days=3)
    with pytest.raises(OSError, match="disk full"), DatePartitionWriter(tmp_path, "x") as writer:
        for i in range(0, len(rows), 10):
            writer.add(_batch(rows[i : i + 10]))
