"""The importer presets on the real UCI files in ../shared/data (CC BY 4.0; see tools/events/importers.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from tools.events.importers import PRESETS, get_preset
from tools.events.ingest import ingest_file
from tools.events.ingests import IngestReport
from tools.events.mapping import ColumnMapping, IngestError
from tools.events.store import EventStore


@pytest.fixture(scope="module")
def retail(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> tuple[EventStore, dict[str, IngestReport]]:
    store = EventStore(tmp_path_factory.mktemp("retail") / "store")
    reports = {
        country: ingest_file(
            store, shared_data / "online_retail_uci" / f"{country}.csv", preset=get_preset("online-retail")
        )
        for country in ("france", "germany")
    }
    return store, reports


@pytest.fixture(scope="module")
def shoppers(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[EventStore, IngestReport]:
    store = EventStore(tmp_path_factory.mktemp("shoppers") / "store")
    path = shared_data / "online_shoppers_uci" / "online_shoppers_intention.csv"
    return store, ingest_file(store, path, preset=get_preset("online-shoppers"))


@pytest.mark.parametrize("country", ["france", "germany"])
def test_online_retail_accounts_for_every_line(retail, shared_data: Path, country: str) -> None:
    source = pd.read_csv(shared_data / "online_retail_uci" / f"{country}.csv", dtype=str)
    report = retail[1][country]
    guests = int(source["CustomerID"].isna().sum())  # France has 66 lines without a customer, Germany none
    assert report.rows_read == len(source) == report.rows_accepted + report.rows_rejected
    assert report.rows_rejected == guests
    assert report.reasons == ({"missing user_id": guests} if guests else {})


@pytest.mark.parametrize(("country", "code"), [("france", "FR"), ("germany", "DE")])
def test_online_retail_cancellations_become_refunds(
    retail, shared_data: Path, country: str, code: str
) -> None:
    source = pd.read_csv(shared_data / "online_retail_uci" / f"{country}.csv", dtype=str).dropna(
        subset=["CustomerID"]
    )
    cancelled = source["InvoiceNo"].str.startswith("C")
    counts = dict(
        retail[0]
        .connect()
        .execute("SELECT event_type, count(*) FROM events WHERE country = ? GROUP BY 1", [code])
        .fetchall()
    )
    assert counts == {"refund": int(cancelled.sum()), "purchase": int((~cancelled).sum())}
    refunded_units = (
        retail[0]
        .connect()
        .execute("SELECT sum(quantity) FROM events WHERE country = ? AND event_type = 'refund'", [code])
        .fetchone()[0]
    )
    assert refunded_units == -source.loc[cancelled, "Quantity"].astype(int).sum() > 0


def test_a_ranking_by_a_level_the_export_lacks_says_it_was_not_recorded(retail) -> None:
    """UCI retail names countries only: "revenue in Germany by region" had read "(none) 28,025.02"."""
    from tools.query import QuerySpec, run_query

    spec = QuerySpec(metric="orders", group_by=["region"], filters={"countries": ["DE"]})
    summary = run_query(retail[0], spec, cache=False).summary()
    assert "by region (in DE)" in summary and ": (no region recorded) " in summary


def test_online_retail_times_are_uk_local_and_prices_sterling(retail, shared_data: Path) -> None:
    con = retail[0].connect()
    # First line of france.csv: 536370, 12/1/2010 8:45 (GMT = UTC in winter), 24 x 22728 at 3.75.
    assert con.execute(
        "SELECT event_time, quantity, price, currency, user_id FROM events "
        "WHERE order_id = '536370' AND product_id = '22728'"
    ).fetchall() == [(datetime(2010, 12, 1, 8, 45, tzinfo=UTC), 24, 3.75, "GBP", "12583")]
    # Every line: InvoiceDate read as Europe/London wall time (BST in summer), as pandas does it.
    source = pd.read_csv(shared_data / "online_retail_uci" / "germany.csv", dtype=str)
    expected = (
        pd.to_datetime(source["InvoiceDate"], format="%m/%d/%Y %H:%M")
        .dt.tz_localize("Europe/London")
        .dt.tz_convert("UTC")
    )
    stored = con.execute("SELECT event_time FROM events WHERE country = 'DE'").df()["event_time"]
    assert sorted(stored.dt.tz_convert("UTC")) == sorted(expected)


def test_online_shoppers_sessions_become_views_and_purchases(shoppers, shared_data: Path) -> None:
    source = pd.read_csv(shared_data / "online_shoppers_uci" / "online_shoppers_intention.csv")
    store, report = shoppers
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (len(source), len(source), 0)
    assert report.events_written == len(source) + int(source["Revenue"].sum())
    con = store.connect()
    by_region = dict(
        con.execute("SELECT region, count(*) FROM events WHERE event_type = 'view' GROUP BY 1").fetchall()
    )
    expected = source["Region"].value_counts()
    assert by_region == {f"UCI region {code}": int(n) for code, n in expected.items()}
    purchases = con.execute("SELECT count(*) FROM events WHERE event_type = 'purchase'").fetchone()[0]
    assert purchases == int(source["Revenue"].sum())


def test_online_shoppers_times_keep_month_and_weekend(shoppers, shared_data: Path) -> None:
    source = pd.read_csv(shared_data / "online_shoppers_uci" / "online_shoppers_intention.csv")
    views = (
        shoppers[0]
        .connect()
        .execute(
            "SELECT monthname(event_time)[:3] AS month, dayofweek(event_time) IN (0, 6) AS weekend, count(*) "
            "FROM events WHERE event_type = 'view' GROUP BY 1, 2"
        )
        .fetchall()
    )
    expected = source.assign(month=source["Month"].str[:3]).groupby(["month", "Weekend"]).size()
    assert {(m, bool(w)): n for m, w, n in views} == {(m, bool(w)): int(n) for (m, w), n in expected.items()}


def test_online_shoppers_times_are_deterministic(shoppers, shared_data: Path, tmp_path: Path) -> None:
    # A session's synthetic time depends only on its row, Month and Weekend: the first 300 rows ingested
    # again, alone, into another store get exactly the times they got in the full file.
    lines = (
        (shared_data / "online_shoppers_uci" / "online_shoppers_intention.csv").read_text().splitlines()[:301]
    )
    head = tmp_path / "head.csv"
    head.write_text("\n".join(lines) + "\n")
    other = EventStore(tmp_path / "again")
    ingest_file(other, head, preset=get_preset("online-shoppers"))
    query = "SELECT session_id, event_type, event_time FROM events"
    again = set(other.connect().execute(query).fetchall())
    sessions = {f"uci-session-{row}" for row in range(1, 301)}
    full = {event for event in shoppers[0].connect().execute(query).fetchall() if event[0] in sessions}
    assert len(again) >= 300 and again == full


def test_presets_are_idempotent_and_refinable_by_flags(retail, shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "online_retail_uci" / "germany.csv"
    assert ingest_file(retail[0], path, preset=get_preset("online-retail")).already_ingested
    head = tmp_path / "germany-head.csv"
    head.write_text("\n".join(path.read_text(encoding="utf-8-sig").splitlines()[:51]) + "\n",
                    encoding="utf-8")
    store = EventStore(tmp_path / "store")
    flags = ColumnMapping.from_flags(sets=["channel=email"])
    refined = ingest_file(store, head, flags, preset=get_preset("online-retail"))
    assert (refined.rows_read, refined.rows_accepted) == (50, 50)
    assert (store.connect().execute("SELECT DISTINCT channel, currency FROM events").fetchall()
            == [("email", "GBP")])


def test_unknown_preset_lists_the_presets() -> None:
    with pytest.raises(IngestError, match="Presets: online-retail, online-shoppers"):
        get_preset("online-retial")
    assert all("CC BY 4.0" in preset.credit for preset in PRESETS.values())
