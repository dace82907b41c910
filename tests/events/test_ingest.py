"""File ingestion: mapping, coercion, validation with quarantine, idempotency, atomicity, formats."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tools.events.ingest import file_format_of, ingest_file
from tools.events.ingests import IngestReport, list_ingests
from tools.events.mapping import ColumnMapping, IngestError
from tools.events.simulate.profile import demo_profile
from tools.events.snapshots import Transaction
from tools.events.store import EventStore

HEADER = ["ts", "kind", "user", "price", "qty", "country", "region", "lat", "lon", "channel"]
# (row, reason or None): one row per validation rule, each failing only that rule.
ROWS: list[tuple[list[str], str | None]] = [
    (
        ["2024-03-01 10:00:00", "purchase", "u1", "10.5", "2", "FR", "Ile-de-France", "48.8", "2.3", "web"],
        None,
    ),
    (["not a time", "purchase", "u2", "1", "1", "", "", "", "", ""], "unparseable event_time"),
    (["", "view", "u3", "", "", "", "", "", "", ""], "missing event_time"),
    (["1899-12-31 10:00:00", "view", "u3b", "", "", "", "", "", "", ""], "event_time out of range"),
    (["2024-03-01 11:00:00", "teleport", "u4", "", "", "", "", "", "", ""], "unknown event_type"),
    (["2024-03-01 11:00:00", "", "u4b", "", "", "", "", "", "", ""], "missing event_type"),
    (["2024-03-01 11:00:00", "view", "", "", "", "", "", "", "", ""], "missing user_id"),
    (["2024-03-01 11:00:00", "purchase", "u5", "-3", "1", "", "", "", "", ""], "negative price"),
    (["2024-03-01 11:00:00", "purchase", "u5b", "three", "1", "", "", "", "", ""], "unparseable price"),
    (["2024-03-01 11:00:00", "purchase", "u6", "3", "-1", "", "", "", "", ""], "negative quantity"),
    (["2024-03-01 11:00:00", "cart", "u6b", "3", "2.5", "", "", "", "", ""], "quantity not a whole number"),
    (["2024-03-01 11:00:00", "refund", "u7", "3", "-2", "", "Bavaria", "", "", ""], None),
    (["2024-03-01 11:00:00", "view", "u8", "", "", "XX", "", "", "", ""], "unknown country"),
    (["2024-03-01 11:00:00", "view", "u9", "", "", "FR", "Bavaria", "", "", ""],
     "region 'Bavaria' is in DE, not FR: fix the row, or add the region with --places FILE"),
    (["2024-03-01 11:00:00", "view", "u10", "", "", "", "Atlantis", "", "", ""],
     ("no time zone for region 'Atlantis' (no country given): give its zone with --places FILE (name, level, "
      "parent, country, time_zone) or --place-tz ZONE")),
    (["2024-03-01 11:00:00", "view", "u11", "", "", "", "", "91", "0", ""], "lat out of range"),
    (["2024-03-01 11:00:00", "view", "u12", "", "", "", "", "0", "181", ""], "lon out of range"),
    (["2024-03-01 11:00:00", "view", "u13", "", "", "", "", "north", "0", ""], "unparseable lat"),
    (["2024-03-01 11:00:00", "view", "u14", "", "", "", "", "", "", "fax"], "unknown channel"),
    (["2024-03-01T23:30:00+00:00", "VIEW", " u15 ", "", "", "germany", "de-by", "", "", "App"], None),
]
MAPPING = ColumnMapping.from_flags(
    ["event_time=ts", "event_type=kind", "user_id=user", "quantity=qty"], source_tz="Europe/Paris"
)


def _write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _write_lines(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _events(store: EventStore) -> list[tuple]:
    return store.connect().execute("SELECT * FROM events ORDER BY user_id").fetchall()


@pytest.fixture
def store(tmp_path: Path) -> EventStore:
    """A shop whose profile already holds the demo's places (France, Bavaria, ...)."""
    store = EventStore(tmp_path / "store")
    store.save_profile(demo_profile())
    return store


@pytest.fixture
def messy_csv(tmp_path: Path) -> Path:
    return _write_csv(tmp_path / "messy.csv", [row for row, _ in ROWS])


def test_each_invalid_row_is_quarantined_with_its_reason_and_original_values(
    store: EventStore, messy_csv: Path
) -> None:
    report = ingest_file(store, messy_csv, MAPPING, max_rejected=1.0)
    expected = {i + 1: reason for i, (_, reason) in enumerate(ROWS) if reason}
    with open(report.quarantine_path, newline="", encoding="utf-8") as handle:
        quarantined = list(csv.DictReader(handle))
    assert {int(r["_row"]): r["_reason"] for r in quarantined} == expected
    assert [r["ts"] for r in quarantined if r["_reason"] == "unparseable event_time"] == ["not a time"]
    assert Path(report.quarantine_path) == store.root / "quarantine" / f"{report.ingest_id}.csv"


def test_report_arithmetic_rows_read_equals_accepted_plus_rejected(
    store: EventStore, messy_csv: Path
) -> None:
    report = ingest_file(store, messy_csv, MAPPING, max_rejected=1.0)
    assert report.rows_read == len(ROWS) == report.rows_accepted + report.rows_rejected
    assert report.rows_rejected == sum(report.reasons.values()) == sum(1 for _, r in ROWS if r)
    assert report.events_written == report.rows_accepted == 3
    assert len(_events(store)) == 3
    assert report.places_added == []  # every accepted place was the profile's already


def test_accepted_rows_are_coerced_to_canonical_values(store: EventStore, messy_csv: Path) -> None:
    ingest_file(store, messy_csv, MAPPING, max_rejected=1.0)
    rows = (
        store.connect()
        .execute(
            "SELECT user_id, event_time, event_type, quantity, price, country, region, lat, channel "
            "FROM events ORDER BY user_id"
        )
        .fetchall()
    )
    assert rows == [
        # 10:00 in Paris (source_tz) is 09:00 UTC.
        (
            "u1",
            datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
            "purchase",
            2,
            10.5,
            "FR",
            "Ile-de-France",
            48.8,
            "web",
        ),
        # An explicit offset wins over source_tz; names and codes normalise; text is trimmed; case is folded.
        ("u15", datetime(2024, 3, 1, 23, 30, tzinfo=UTC), "view", None, None, "DE", "Bavaria", None, "app"),
        # Refunds carry the positive quantity; a known region fills in its country.
        ("u7", datetime(2024, 3, 1, 10, 0, tzinfo=UTC), "refund", 2, 3.0, "DE", "Bavaria", None, None),
    ]


def test_reingesting_the_same_file_adds_nothing(store: EventStore, messy_csv: Path) -> None:
    first = ingest_file(store, messy_csv, MAPPING, max_rejected=1.0)
    before = _events(store)
    again = ingest_file(store, messy_csv, MAPPING, max_rejected=1.0)
    assert again.already_ingested and again.ingest_id == first.ingest_id
    assert _events(store) == before
    assert len(list_ingests(store)) == 1
    copy = messy_csv.with_name("copy.csv")
    copy.write_bytes(messy_csv.read_bytes())  # same content under another name is still the same data
    assert ingest_file(store, copy, MAPPING).already_ingested


def test_same_file_with_one_more_constant_is_a_new_ingest_that_stores_no_row_twice(
    store: EventStore, messy_csv: Path
) -> None:
    first = ingest_file(store, messy_csv, MAPPING, max_rejected=1.0)
    other = MAPPING.overridden_by(ColumnMapping(constants={"currency": "EUR"}))
    report = ingest_file(store, messy_csv, other, max_rejected=1.0)
    assert not report.already_ingested and report.ingest_id != first.ingest_id
    assert (report.rows_accepted, report.rows_skipped, report.rows_rejected) == (0, 3, first.rows_rejected)
    assert report.rows_read == report.rows_accepted + report.rows_rejected + report.rows_skipped
    assert len(_events(store)) == 3
    assert "3 already in the store" in report.summary()


def test_ingest_failing_half_way_leaves_the_store_as_it_was(
    store: EventStore, messy_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _write_csv(tmp_path / "good.csv", [ROWS[0][0]])
    ingest_file(store, good, MAPPING)
    before_rows, before_files = _events(store), store.event_files()

    def fail(self: Transaction, relative_dir: str) -> list[str]:
        assert any((self.staging / relative_dir).rglob("*.parquet"))  # the partitions were written: half-way
        raise OSError("disk full")

    monkeypatch.setattr(Transaction, "adopt", fail)
    with pytest.raises(OSError, match="disk full"):
        ingest_file(store, messy_csv, MAPPING, max_rejected=1.0)
    monkeypatch.undo()
    store.wait_for_trash()
    assert _events(store) == before_rows and store.event_files() == before_files
    assert len(list_ingests(store)) == 1
    assert list(store.root.glob("quarantine/*")) == []
    assert not any((store.root / "staging").iterdir())
    again = ingest_file(store, messy_csv, MAPPING, max_rejected=1.0)
    assert not again.already_ingested  # the failed ingest left no record


def test_missing_required_column_names_it_and_lists_available_columns(
    store: EventStore, messy_csv: Path
) -> None:
    mapping = ColumnMapping.from_flags(["event_time=ts", "event_type=kind"])
    with pytest.raises(
        IngestError,
        match=r"Required column user_id is missing .*--map user_id=COLUMN.*Available columns: ts, kind, user",
    ):
        ingest_file(store, messy_csv, mapping)


def test_mapped_column_not_in_file_names_it(store: EventStore, messy_csv: Path) -> None:
    mapping = MAPPING.overridden_by(ColumnMapping(columns={"product_id": "StockCode"}))
    with pytest.raises(
        IngestError, match=r"'StockCode' \(mapped to product_id\) is not in .*Available columns: ts,"
    ):
        ingest_file(store, messy_csv, mapping)


def test_unreadable_files_raise_ingest_error(store: EventStore, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not found"):
        ingest_file(store, tmp_path / "nope.csv", MAPPING)
    garbage = tmp_path / "broken.parquet"
    garbage.write_bytes(b"this is not parquet")
    with pytest.raises(IngestError, match=r"Could not read .*broken.parquet as parquet"):
        ingest_file(store, garbage, MAPPING)
    assert store.event_files() == []


def test_malformed_csv_lines_past_the_sniffed_sample_are_quarantined_with_their_line_and_text(
    store: EventStore, tmp_path: Path
) -> None:
    rows = [",".join(ROWS[0][0])] * 30_000  # DuckDB sniffs the first 20,480 rows; the bad ones come later
    rows.append(",".join(ROWS[0][0] + ["one too many"]))  # line 30,002 of the file, counting the header
    rows.append(",".join(ROWS[0][0][:3]))  # line 30,003: too few fields
    path = _write_lines(tmp_path / "torn.csv", [",".join(HEADER), *rows])
    report = ingest_file(store, path, MAPPING)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (30_002, 30_000, 2)
    assert report.reasons == {
        "malformed line: too many columns (expected 10, found 11)": 1,
        "malformed line: missing columns (expected 10, found 3)": 1,
    }
    with open(report.quarantine_path, newline="", encoding="utf-8") as handle:
        quarantined = list(csv.DictReader(handle))
    assert [(r["_line"], r["_text"], r["_row"], r["ts"]) for r in quarantined] == [
        ("30002", rows[-2], "", ""), ("30003", rows[-1], "", "")
    ]
    assert store.connect().execute("SELECT count(*) FROM events").fetchone()[0] == 30_000


def test_format_comes_from_suffix_or_is_explicit() -> None:
    assert file_format_of(Path("a.CSV")) == "csv"
    assert file_format_of(Path("a.ndjson")) == "jsonl"
    assert file_format_of(Path("a.dat"), "parquet") == "parquet"
    with pytest.raises(IngestError, match="Valid formats: csv, jsonl, parquet"):
        file_format_of(Path("a.dat"))


def test_jsonl_with_mixed_value_types_is_read_as_text_then_validated(
    store: EventStore, tmp_path: Path
) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        {"t": 1709287200000, "type": "view", "user": 42, "price": 3},
        {"t": 1709287260000, "type": "cart", "user": "u-7", "price": "abc"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    mapping = ColumnMapping(
        columns={"event_time": "t", "event_type": "type", "user_id": "user"}, time_format="epoch_ms"
    )
    report = ingest_file(store, path, mapping, max_rejected=0.5)
    assert (report.rows_accepted, report.reasons) == (1, {"unparseable price": 1})
    assert store.connect().execute("SELECT event_time, user_id, price FROM events").fetchall() == [
        (datetime(2024, 3, 1, 10, 0, tzinfo=UTC), "42", 3.0)
    ]


def test_parquet_naive_timestamps_are_read_in_the_source_zone(store: EventStore, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(
        pa.table(
            {"when": pa.array([datetime(2024, 7, 1, 12, 0)], pa.timestamp("ms")), "uid": ["a"], "qty": [3]}
        ),
        path,
    )
    mapping = ColumnMapping(
        columns={"event_time": "when", "user_id": "uid", "quantity": "qty"},
        constants={"event_type": "purchase"},
        source_tz="Europe/London",
    )
    ingest_file(store, path, mapping)
    assert store.connect().execute("SELECT event_time, quantity FROM events").fetchall() == [
        (datetime(2024, 7, 1, 11, 0, tzinfo=UTC), 3)  # BST is UTC+1
    ]


def test_strptime_format_and_defaults(store: EventStore, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "shop.csv",
        [["1/2/2024 8:05", "c1", "", "4.5"], ["1/2/2024 9:05", "c2", "GBP", "1"]],
        header=["InvoiceDate", "CustomerID", "cur", "UnitPrice"],
    )
    mapping = ColumnMapping.from_flags(
        ["event_time=InvoiceDate", "user_id=CustomerID", "currency=cur", "price=UnitPrice"],
        ["event_type=purchase"],
        ["currency=EUR"],
        time_format="%m/%d/%Y %H:%M",
    )
    ingest_file(store, path, mapping)
    assert store.connect().execute("SELECT event_time, currency FROM events ORDER BY user_id").fetchall() == [
        (datetime(2024, 1, 2, 8, 5, tzinfo=UTC), "EUR"),
        (datetime(2024, 1, 2, 9, 5, tzinfo=UTC), "GBP"),
    ]


def test_canonical_columns_are_picked_up_by_name_without_a_mapping(store: EventStore, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "canon.csv",
        [["2024-05-05T10:00:00Z", "login", "u1"]],
        header=["event_time", "event_type", "user_id"],
    )
    assert ingest_file(store, path).rows_accepted == 1


def test_mapping_from_toml_equals_mapping_from_flags(tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    path.write_text(
        'time_format = "%m/%d/%Y %H:%M"\nsource_tz = "Europe/London"\n'
        '[columns]\nevent_time = "InvoiceDate"\nuser_id = "CustomerID"\n'
        '[constants]\nevent_type = "purchase"\n[defaults]\ncurrency = "GBP"\n',
        encoding="utf-8",
    )
    flags = ColumnMapping.from_flags(
        ["event_time=InvoiceDate", "user_id=CustomerID"],
        ["event_type=purchase"],
        ["currency=GBP"],
        time_format="%m/%d/%Y %H:%M",
        source_tz="Europe/London",
    )
    assert ColumnMapping.from_toml(path) == flags
    assert ColumnMapping.from_toml(path).fingerprint() == flags.fingerprint()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: ColumnMapping.from_flags(["time=ts"]),
            r"Unknown canonical column 'time'.*Canonical columns: event_time",
        ),
        (
            lambda: ColumnMapping.from_flags(sets=["event_type=purchse"]),
            r"not an event type. Valid: view, search",
        ),
        (lambda: ColumnMapping.from_flags(sets=["country=Narnia"]), r"Unknown country 'Narnia'"),
        (
            lambda: ColumnMapping.from_flags(["event_type=k"], ["event_type=view"]),
            "both mapped to a column and set",
        ),
        (lambda: ColumnMapping.from_flags(["event_time"]), r"must look like canonical=value"),
        (lambda: ColumnMapping(source_tz="Mars/Olympus"), "not an IANA time zone"),
        (lambda: ColumnMapping(time_format="dd/mm/yyyy"), "neither a strptime format"),
    ],
)
def test_bad_mappings_are_refused_before_reading(build, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        build()


def test_unknown_toml_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    path.write_text('[colums]\nevent_time = "t"\n', encoding="utf-8")
    with pytest.raises(IngestError, match=r"Unknown key\(s\) colums.*Valid keys: columns, constants"):
        ColumnMapping.from_toml(path)


def test_report_summary_quotes_counts_and_top_reasons() -> None:
    report = IngestReport(
        "id", "/x/f.csv", "csv", None, rows_read=10, rows_accepted=7, rows_rejected=3, events_written=7,
        reasons={"negative price": 2, "missing user_id": 1},
    )
    assert report.summary() == (
        "Read 10 rows from f.csv: 7 accepted (7 events), 3 rejected (negative price: 2, missing user_id: 1)."
    )
