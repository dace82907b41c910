"""A shop elsewhere ingests its own places: new ones join the profile with a zone that is known, never UTC by
default; the rest are quarantined with the flags that fix them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tools.events.ingest import ingest_file
from tools.events.mapping import ColumnMapping, IngestError
from tools.events.place_registration import read_places_file
from tools.events.store import EventStore
from tools.query import run_query

ROWS = [  # ts (UTC), user, country, region, city
    ("2026-03-06T04:30:00+00:00", "u1", "USA", "Oregon", "Portland"),  # Thursday 20:30 in Portland
    ("2026-03-06T15:00:00+00:00", "u2", "India", "Maharashtra", "Mumbai"),  # Friday 20:30 in Mumbai
    ("2026-03-06T12:00:00+00:00", "u3", "Germany", "Bavaria", "Munich"),  # Friday 13:00 in Munich
    ("2026-03-07T01:30:00+00:00", "u4", "US", "New York", "Brooklyn"),  # Friday 20:30 in Brooklyn
    ("2026-03-07T02:00:00+00:00", "u5", "United States", "", ""),  # a country of several clocks, no place
    ("2026-03-07T03:00:00+00:00", "u6", "Atlantis", "", ""),
]
MAPPING = ColumnMapping.from_flags(["event_time=ts", "user_id=user"], ["event_type=purchase"])


def _csv(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ts", "user", "country", "region", "city"])
        writer.writerows(ROWS)
    return path


def _places(path: Path) -> Path:
    path.write_text("name,level,parent,country,time_zone\nOregon,region,,US,America/Los_Angeles\n"
                    "New York,region,,US,America/New_York\n", encoding="utf-8")
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return _csv(tmp_path / "orders.csv")


def test_places_whose_country_keeps_one_clock_join_the_profile_and_the_rest_say_which_flag(
    tmp_path: Path, export: Path
) -> None:
    store = EventStore(tmp_path / "store")
    report = ingest_file(store, export, MAPPING, max_rejected=1.0)
    assert report.places_added == [
        "country Germany (DE) in Europe/Berlin", "country India (IN) in Asia/Kolkata",
        "country United States (US) in America/New_York", "region Bavaria (DE) in Europe/Berlin",
        "region Maharashtra (IN) in Asia/Kolkata", "city Munich (DE) in Europe/Berlin",
        "city Mumbai (IN) in Asia/Kolkata",
    ]
    assert report.rows_accepted == 2 and report.rows_read == 6
    assert report.reasons == {
        "no time zone for region 'Oregon' in US: give its zone with --places FILE (name, level, parent, "
        "country, time_zone) or --place-tz ZONE": 1,
        "no time zone for region 'New York' in US: give its zone with --places FILE (name, level, parent, "
        "country, time_zone) or --place-tz ZONE": 1,
        "United States keeps several clocks and the row names no region or city: give its zone with --places "
        "FILE (name, level, parent, country, time_zone) or --place-tz ZONE": 1,
        "unknown country": 1,
    }
    profile = store.profile()
    assert profile.zone_of(country="IN", region="Maharashtra", city="Mumbai") == "Asia/Kolkata"
    assert all(place.tz != "UTC" for place in profile.places), "no place is put on UTC unasked"


def test_a_places_file_gives_the_rest_their_zones_and_local_time_follows(tmp_path: Path, export: Path):
    store = EventStore(tmp_path / "store")
    places = read_places_file(_places(tmp_path / "places.csv"))
    report = ingest_file(store, export, MAPPING, places=places, max_rejected=1.0)
    assert report.rows_accepted == 4  # the US-only row still needs a zone; Atlantis is no country
    assert "region Oregon (US) in America/Los_Angeles" in report.places_added
    # A city takes its region's zone.
    assert "city Portland (US) in America/Los_Angeles" in report.places_added
    result = run_query(store, {"metric": "orders", "group_by": ["city"],
                               "filters": {"days_of_week": ["friday"], "hour_from": 20, "hour_to": 24}})
    assert set(result.frame["city"]) == {"Mumbai", "Brooklyn"}  # Portland's order was Thursday night there


def test_a_fallback_zone_places_what_nothing_else_does(tmp_path: Path, export: Path) -> None:
    store = EventStore(tmp_path / "store")
    mapping = MAPPING.overridden_by(ColumnMapping(place_tz="America/Chicago"))
    report = ingest_file(store, export, mapping, max_rejected=1.0)
    assert report.rows_accepted == 5 and report.reasons == {"unknown country": 1}
    assert store.profile().zone_of(country="US", region="Oregon") == "America/Chicago"


def test_a_bad_places_file_says_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "places.csv"
    bad.write_text("name,level,country\nOregon,region,US\n", encoding="utf-8")
    with pytest.raises(IngestError, match="needs the columns name, level, parent, country, time_zone; it"):
        read_places_file(bad)
    bad.write_text("name,level,parent,country,time_zone\nOregon,region,,US,Pacific/Nowhere\n",
                   encoding="utf-8")
    with pytest.raises(IngestError, match="line 2: .*'Pacific/Nowhere' is not an IANA time zone"):
        read_places_file(bad)


def test_the_cli_lists_the_places_it_added(tmp_path: Path, export: Path, monkeypatch) -> None:
    from agent.config import get_settings
    from chronotope.cli import app

    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "state"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, [
            "data", "ingest", str(export), "--map", "event_time=ts", "--map", "user_id=user",
            "--set", "event_type=purchase", "--places", str(_places(tmp_path / "places.csv")),
            "--max-rejected", "0.5",
        ], env={"COLUMNS": "200"})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "added region Oregon (US) in America/Los_Angeles" in result.output
    assert "Added 11 place(s) to the shop's profile" in result.output


def test_places_past_the_first_rows_are_resolved_as_well(tmp_path: Path, export: Path, monkeypatch) -> None:
    from tools.events import ingest

    full = ingest_file(EventStore(tmp_path / "full"), export, MAPPING, max_rejected=1.0)
    monkeypatch.setattr(ingest, "PLACE_SAMPLE_ROWS", 1)  # the sample sees only Portland's row
    sampled = ingest_file(EventStore(tmp_path / "sampled"), export, MAPPING, max_rejected=1.0)
    assert (sampled.rows_accepted, sampled.reasons, sampled.places_added) == (
        full.rows_accepted, full.reasons, full.places_added
    )
    assert len(_events_of(tmp_path / "sampled")) == sampled.rows_accepted == 2


def _events_of(root: Path) -> list[tuple]:
    return EventStore(root).connect().execute("SELECT user_id FROM events").fetchall()


def test_a_country_joins_with_its_names_in_the_five_languages_and_an_export_may_use_them(tmp_path: Path):
    """A German export writes "Deutschland" and "Österreich"; a German operator asks about "Deutschland"."""
    path = tmp_path / "bestellungen.csv"
    path.write_text("ts,user,country\n2026-03-06T12:00:00+00:00,u1,Deutschland\n"
                    "2026-03-06T13:00:00+00:00,u2,Österreich\n2026-03-06T14:00:00+00:00,u3,Germany\n",
                    encoding="utf-8")
    store = EventStore(tmp_path / "store")
    report = ingest_file(store, path, MAPPING)
    assert report.rows_accepted == 3
    assert report.places_added == ["country Austria (AT) in Europe/Vienna",
                                   "country Germany (DE) in Europe/Berlin"]
    germany, = store.profile().find("Allemagne", "country")
    assert germany.name == "Germany" and {"Deutschland", "Alemania", "Germania"} <= set(germany.aliases)
    assert "Germany" not in germany.aliases
    assert [p.name for p in store.profile().find("Österreich")] == ["Austria"]
