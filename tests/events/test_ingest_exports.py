"""Real exports: European number formats, separators, encodings, files without a header, line totals,
malformed and empty files, the reject limit and the warnings of a report. Run on two shops (the demo's
euro profile and Northwind's dollar one)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests.shops import NORTHWIND
from tools.events.dialect import CsvDialect
from tools.events.ingest import ingest_file
from tools.events.ingests import list_ingests
from tools.events.mapping import ColumnMapping, IngestError
from tools.events.profile import ShopProfile
from tools.events.quarantine import IngestRejected
from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore

GERMAN = ColumnMapping.from_flags(
    ["event_time=Datum", "user_id=Kunde", "quantity=Menge", "amount=Betrag", "order_id=Beleg"],
    ["event_type=purchase"], time_format="%d.%m.%Y %H:%M", source_tz="Europe/Berlin",
)
# An accounting export: `;` between fields, decimal commas, `.` grouping thousands, Latin-1, a line total.
GERMAN_LINES = [
    "Datum;Kunde;Menge;Betrag;Beleg",
    "01.03.2024 10:00;Jürgen Groß;2;1.234,50;R-1",
    "01.03.2024 11:30;Anna;1;19,99;R-2",
    "02.03.2024 09:15;Anna;;5,00;R-3",  # no quantity: the line total is the unit price
]
GERMAN_DIALECT = CsvDialect(delimiter=";", decimal=",", thousands=".", encoding="latin-1")


@pytest.fixture(params=["demo", "northwind"])
def profile(request: pytest.FixtureRequest) -> ShopProfile:
    return demo_profile() if request.param == "demo" else NORTHWIND


@pytest.fixture
def store(tmp_path: Path, profile: ShopProfile) -> EventStore:
    store = EventStore(tmp_path / "store")
    store.save_profile(profile)
    return store


def _file(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _rows(store: EventStore, columns: str = "user_id, quantity, price") -> list[tuple]:
    return store.connect().execute(f"SELECT {columns} FROM events ORDER BY event_time").fetchall()


def test_an_accounting_export_reads_as_its_author_meant(store: EventStore, tmp_path: Path) -> None:
    path = _file(tmp_path / "umsatz.csv", GERMAN_LINES, "latin-1")
    report = ingest_file(store, path, GERMAN, dialect=GERMAN_DIALECT)
    assert (report.rows_read, report.rows_rejected) == (3, 0)
    assert _rows(store) == [("Jürgen Groß", 2, 617.25), ("Anna", 1, 19.99), ("Anna", None, 5.0)]
    first = _rows(store, "event_time")[0][0]
    assert first == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def test_the_same_export_read_with_the_wrong_options_is_refused_with_the_fix(
    store: EventStore, tmp_path: Path
) -> None:
    path = _file(tmp_path / "umsatz.csv", GERMAN_LINES, "utf-8")
    comma_only = CsvDialect(delimiter=";")  # decimal commas read as plain numbers: every amount fails
    with pytest.raises(IngestRejected, match=r"3 of 3 rows \(100.0%\)") as refused:
        ingest_file(store, path, GERMAN, dialect=comma_only)
    message = str(refused.value)
    assert "unparseable price: 3" in message and "--decimal ," in message
    kept = store.root / "quarantine" / "refused"
    assert len(list(kept.glob("*.csv"))) == 1 and str(next(kept.glob("*.csv"))) in message
    assert store.event_files() == [] and list_ingests(store) == []
    assert ingest_file(store, path, GERMAN, dialect=CsvDialect(";", ",", ".")).rows_accepted == 3


def test_a_file_without_a_header_takes_the_names_given(store: EventStore, tmp_path: Path) -> None:
    path = _file(tmp_path / "dump.tsv", ["2024-03-01T10:00:00Z\tu1\tview", "2024-03-01T10:05:00Z\tu2\tcart"])
    dialect = CsvDialect(delimiter="\t", header=False, column_names=("at", "who", "what"))
    mapping = ColumnMapping.from_flags(["event_time=at", "user_id=who", "event_type=what"])
    report = ingest_file(store, path, mapping, dialect=dialect)
    assert report.rows_accepted == 2
    assert _rows(store, "user_id, event_type") == [("u1", "view"), ("u2", "cart")]
    with pytest.raises(IngestError, match="Column names are for a file without a header"):
        CsvDialect(column_names=("a",))


def test_a_file_in_another_encoding_has_its_lines_quarantined_with_the_flag_that_fixes_it(
    store: EventStore, tmp_path: Path
) -> None:
    path = _file(tmp_path / "umsatz.csv", GERMAN_LINES, "latin-1")
    with pytest.raises(IngestRejected, match="--encoding latin-1"):
        ingest_file(store, path, GERMAN, dialect=CsvDialect(";", ",", "."))  # read as UTF-8


def test_a_price_and_a_line_total_are_not_both_mapped() -> None:
    with pytest.raises(IngestError, match="Map either price .* or amount"):
        ColumnMapping.from_flags(["price=a", "amount=b"])


def test_numbers_of_a_typed_parquet_column_are_not_reread_with_the_text_options(
    store: EventStore, tmp_path: Path
) -> None:
    path = tmp_path / "typed.parquet"
    pq.write_table(pa.table({"t": ["2024-03-01T10:00:00Z"], "u": ["a"], "p": [1234.5]}), path)
    mapping = ColumnMapping.from_flags(["event_time=t", "user_id=u", "price=p"], ["event_type=view"])
    ingest_file(store, path, mapping, dialect=CsvDialect(decimal=",", thousands="."))
    assert _rows(store, "price") == [(1234.5,)]
    with pytest.raises(IngestError, match="options are for CSV files only"):
        ingest_file(store, path, mapping, dialect=CsvDialect(delimiter=";"))


def test_empty_and_header_only_files_say_there_is_nothing_to_ingest(
    store: EventStore, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match="is empty"):
        ingest_file(store, empty)
    with pytest.raises(IngestError, match=r"has a header \(Datum, Kunde, Menge, Betrag, Beleg\) but no rows"):
        ingest_file(store, _file(tmp_path / "head.csv", GERMAN_LINES[:1]), GERMAN, dialect=CsvDialect(";"))


def test_the_report_warns_of_purchases_without_an_order_and_amounts_without_a_rate(
    store: EventStore, profile: ShopProfile, tmp_path: Path
) -> None:
    lines = ["when,who,kind,order,cur,price", "2024-03-01T10:00:00Z,a,purchase,,XAF,10",
             "2024-03-01T10:01:00Z,b,purchase,o-2,XAF,10", "2024-03-01T10:02:00Z,c,view,,,"]
    mapping = ColumnMapping.from_flags(
        ["event_time=when", "user_id=who", "event_type=kind", "order_id=order", "currency=cur", "price=price"]
    )
    report = ingest_file(store, _file(tmp_path / "sales.csv", lines), mapping)
    assert report.rows_accepted == 3
    orderless, unrated = report.warnings
    assert orderless.startswith("1 purchase events have no order_id") and "--map order_id=COLUMN" in orderless
    assert unrated.startswith(f"Amounts in XAF have no rate into {profile.currency}")
    assert "`chronotope data rates --set XAF=RATE`" in unrated  # what fixes it
    assert report.currency_set is None  # the shop had a profile: its currency stays
    clean = ["when,who,kind,order,cur,price", f"2024-03-01T10:00:00Z,a,purchase,o-1,{profile.currency},10"]
    assert ingest_file(store, _file(tmp_path / "clean.csv", clean), mapping).warnings == []


def test_the_reject_limit_is_a_share_and_an_accepted_file_keeps_its_quarantine(
    store: EventStore, tmp_path: Path
) -> None:
    lines = ["when,who,kind"] + [f"2024-03-01T10:{m:02d}:00Z,u{m},view" for m in range(19)] + ["soon,x,view"]
    path = _file(tmp_path / "views.csv", lines)
    mapping = ColumnMapping.from_flags(["event_time=when", "user_id=who", "event_type=kind"])
    with pytest.raises(IngestRejected, match=r"1 of 20 rows \(5.0%\)"):
        ingest_file(store, path, mapping, max_rejected=0.04)
    report = ingest_file(store, path, mapping)  # exactly 5%: within the default limit
    assert (report.rows_accepted, report.reasons) == (19, {"unparseable event_time": 1})
    assert Path(report.quarantine_path).is_file()
    with pytest.raises(IngestError, match="from 0 to 1"):
        ingest_file(store, path, mapping, max_rejected=5)


def test_the_cli_reads_a_european_export_and_exits_1_when_it_refuses_one(
    store: EventStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.config import get_settings
    from chronotope.cli import app

    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "state"))
    path = _file(tmp_path / "umsatz.csv", GERMAN_LINES, "latin-1")
    args = ["data", "ingest", str(path), "--store", str(store.root), "--map", "event_time=Datum",
            "--map", "user_id=Kunde", "--map", "quantity=Menge", "--map", "amount=Betrag",
            "--map", "order_id=Beleg", "--set", "event_type=purchase", "--time-format", "%d.%m.%Y %H:%M",
            "--tz", "Europe/Berlin", "--sep", ";", "--encoding", "latin-1"]
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
        accepted = CliRunner().invoke(app, [*args, "--decimal", ",", "--thousands", "."],
                                      env={"COLUMNS": "200"})
    finally:
        get_settings.cache_clear()
    assert refused.exit_code == 1 and "--decimal ," in refused.output
    assert accepted.exit_code == 0, accepted.output
    assert "3 accepted" in accepted.output
    assert _rows(store)[0] == ("Jürgen Groß", 2, 617.25)



ORDER_COLUMNS = ["event_time=when", "user_id=who", "order_id=order", "price=price", "quantity=qty",
                 "city=city", "country=country"]


@pytest.mark.parametrize(("currency", "country", "city"), [("PLN", "PL", "Gdańsk"), ("INR", "IN", "Mumbai")])
def test_a_new_shop_reports_in_its_first_file_s_currency(
    tmp_path: Path, currency: str, country: str, city: str
) -> None:
    from tools.query import QuerySpec, run_query

    store = EventStore(tmp_path / "store")  # no profile, no events: nobody chose the empty profile's EUR
    mapping = ColumnMapping.from_flags(ORDER_COLUMNS, ["event_type=purchase"], [f"currency={currency}"])
    lines = ["when,who,order,price,qty,city,country", f"2024-03-01T10:00:00Z,a,o-1,19.5,2,{city},{country}",
             f"2024-03-02T10:00:00Z,b,o-2,100,1,{city},{country}"]
    report = ingest_file(store, _file(tmp_path / "orders.csv", lines), mapping)
    assert report.currency_set == currency and store.profile().currency == currency
    assert f"The shop reports in {currency}, its first file's currency" in report.summary()
    assert report.warnings == []  # no "no rate" warning: its amounts are the reporting currency's
    revenue = run_query(store, QuerySpec(metric="revenue")).frame["revenue"].iloc[0]
    assert revenue == pytest.approx(139.0)  # not 0: nothing is left out for want of a rate
    later = ["when,who,order,price,qty,city,country,cur",
             f"2024-03-03T10:00:00Z,c,o-3,5,1,{city},{country},EUR"]
    second = ingest_file(store, _file(tmp_path / "more.csv", later),
                         ColumnMapping.from_flags([*ORDER_COLUMNS, "currency=cur"], ["event_type=purchase"]))
    assert second.currency_set is None and store.profile().currency == currency  # only the first file's
    unrated = (f"Amounts in EUR have no rate into {currency} in the shop's profile: sums in {currency} "
               f"leave them out until the profile gives a rate (`chronotope data rates --set EUR=RATE`, "
               f"{currency} per EUR).")
    assert second.warnings == [unrated]


def test_a_first_file_in_several_currencies_leaves_the_choice_to_the_user(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    lines = ["when,who,order,price,qty,city,country,cur", "2024-03-01T10:00:00Z,a,o-1,10,1,Gdańsk,PL,PLN",
             "2024-03-01T11:00:00Z,b,o-2,10,1,Gdańsk,PL,EUR"]
    report = ingest_file(store, _file(tmp_path / "orders.csv", lines),
                         ColumnMapping.from_flags([*ORDER_COLUMNS, "currency=cur"], ["event_type=purchase"]))
    assert report.currency_set is None and store.profile().currency == "EUR"
    assert [w for w in report.warnings if w.startswith("Amounts in PLN have no rate into EUR")]


def test_amounts_that_name_no_currency_are_said_to_be_read_in_the_reporting_one(
    store: EventStore, profile: ShopProfile, tmp_path: Path
) -> None:
    report = ingest_file(store, _file(tmp_path / "umsatz.csv", GERMAN_LINES, "latin-1"), GERMAN,
                         dialect=GERMAN_DIALECT)
    unnamed = (f"3 amounts name no currency: they are read as {profile.currency}, the shop's reporting "
               "currency. If they are not, undo this ingest and name theirs (--currency CODE, or --map "
               "currency=COLUMN).")
    assert report.warnings == [unnamed]
    other = EventStore(tmp_path / "named")
    other.save_profile(profile)
    named = ingest_file(other, _file(tmp_path / "umsatz2.csv", GERMAN_LINES, "latin-1"),
                        replace(GERMAN, defaults={"currency": profile.currency}), dialect=GERMAN_DIALECT)
    assert (named.events_written, named.warnings) == (3, [])  # the same rows with their currency named


def test_a_sum_that_leaves_out_amounts_without_a_rate_says_so(
    store: EventStore, profile: ShopProfile, tmp_path: Path
) -> None:
    from tools.query import QuerySpec, run_query

    lines = ["when,who,order,cur,price", f"2024-03-01T10:00:00Z,a,o-1,{profile.currency},10",
             "2024-03-01T11:00:00Z,b,o-2,XAF,5000"]
    mapping = ColumnMapping.from_flags(["event_time=when", "user_id=who", "order_id=order", "currency=cur",
                                        "price=price"], ["event_type=purchase"])
    ingest_file(store, _file(tmp_path / "sales.csv", lines), mapping)
    result = run_query(store, QuerySpec(metric="revenue"))
    assert result.frame["revenue"].iloc[0] == pytest.approx(10.0)
    assert result.summary().endswith(f"Amounts in XAF are left out: the shop's profile has no rate from XAF "
                                     f"into {profile.currency}.")
    assert "left out" not in run_query(store, QuerySpec(metric="orders")).summary()  # counts: nothing is
