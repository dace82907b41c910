"""The second shop arrives as a user's awkward export and reads back exactly: every row counted, the planted
Friday nights on top in each place's own clock, revenue in USD to the cent, and a grown export adding only its
new rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.second_shop import HEADER, NORTHWIND_SPIKES, SecondShop, empty_northwind_store, ingest_awkward_csv
from tests.shops import NORTHWIND
from tools.events.ingests import list_ingests
from tools.query import QuerySpec, Spike, run_query


def test_the_awkward_export_is_read_with_flags_only_and_every_row_is_accounted_for(second_shop_build):
    shop: SecondShop = second_shop_build
    raw = shop.export.read_bytes()
    assert b";" in raw and "Währung".encode("latin-1") in raw and "Cañon City".encode("latin-1") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really Latin-1
    lines = raw.count(b"\n") - 1
    (report,) = list_ingests(shop.store)
    assert report.rows_read == lines == shop.truth.n_events
    assert report.rows_read == report.rows_accepted + report.rows_rejected + report.rows_skipped
    assert (report.rows_rejected, report.rows_skipped, report.warnings, report.places_added) == (0, 0, [], [])
    span = "SELECT count(*), min(event_time), max(event_time) FROM events"
    # day-first dates read as days, to the second
    assert shop.store.connect().execute(span).fetchone() == shop.generated.connect().execute(span).fetchone()


def test_planted_friday_night_places_come_out_on_top_in_their_local_time(second_shop):
    store, truth = second_shop
    planted = {s.region for s in truth.friday_spikes}
    assert planted == set(NORTHWIND_SPIKES)
    # four clocks: UTC-8/-7, UTC-6/-5, UTC+5:30 and UTC+9:30/+10:30
    assert len({store.profile().place(r, "region").tz for r in planted}) == 4
    spec = QuerySpec(metric="orders", group_by=["region"],
                     comparison=Spike(days_of_week=["friday"], hour_from=20, hour_to=24))
    frame = run_query(store, spec, cache=False).frame
    assert set(frame["region"].head(len(planted))) == planted
    assert frame[~frame["region"].isin(planted)]["lift"].max() < 1.6
    assert frame[frame["region"].isin(planted)]["lift"].min() > 2.0


@pytest.mark.parametrize("level", ["country", "region", "city"])
def test_revenue_by_place_matches_pandas_on_the_generated_events_to_the_cent_in_usd(second_shop_build, level):
    shop: SecondShop = second_shop_build
    purchases = shop.generated.connect().execute(
        f"SELECT event_time, {level}, price, quantity, currency FROM events WHERE event_type = 'purchase'"
    ).df()
    assert set(purchases["currency"]) == {"USD", "INR", "AUD"}
    day = purchases["event_time"].dt.date
    rate = [NORTHWIND.rate(c, d) for c, d in zip(purchases["currency"], day)]
    assert {r for c, r in zip(purchases["currency"], rate) if c == "AUD"} == {0.64, 0.70}
    expected = (purchases["price"] * purchases["quantity"] * rate).groupby(purchases[level]).sum()
    result = run_query(shop.store, {"metric": "revenue", "group_by": [level]})
    got = result.frame.set_index(level)["revenue"]
    assert set(got.index) == set(expected.index)
    # to the cent: under half a cent apart before rounding (line totals are divided back into unit prices)
    assert (got - expected.loc[got.index]).abs().max() < 0.005
    assert "USD" in result.summary()


def test_a_grown_export_re_ingested_adds_only_its_new_rows(second_shop_build, tmp_path: Path):
    shop: SecondShop = second_shop_build
    header, *rows = shop.export.read_bytes().split(b"\n")[:40_001]
    last_month, this_month = tmp_path / "export-2026-10.csv", tmp_path / "export-2026-11.csv"
    last_month.write_bytes(b"\n".join([header, *rows[:30_000]]) + b"\n")
    this_month.write_bytes(b"\n".join([header, *rows]) + b"\n")
    store = empty_northwind_store(tmp_path / "store")
    ingest_awkward_csv(store, last_month)
    ingest_awkward_csv(store, this_month)
    first, second = sorted(list_ingests(store), key=lambda r: r.ingested_at)
    assert first.rows_read == first.rows_accepted == 30_000 and second.rows_read == 40_000
    assert (second.rows_accepted, second.rows_skipped, second.rows_rejected) == (10_000, 30_000, 0)
    count = store.connect().execute("SELECT count(*) FROM events").fetchone()[0]
    assert count == 40_000
    assert HEADER["amount"].encode("latin-1") in header
