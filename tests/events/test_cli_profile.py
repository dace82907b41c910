"""`chronotope data places|currency|rates` end to end: each edit shows in the query engine's answers (local
times through its cache, revenue to the cent), and a refused edit exits 2 with the fix and leaves the profile
file as it was. On Northwind (US, India, Australia; USD) and on the demo shop's profile (EUR, GBP)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from chronotope.cli import app
from tests.query.synthetic import events_at, store_with, synthetic_events
from tests.shops import NORTHWIND, NORTHWIND_FRIDAY_BUSY, northwind_events
from tools.events.store import EventStore
from tools.query import run_query

FRIDAY_NIGHT = {"metric": "orders", "group_by": ["city"],
                "comparison": {"kind": "spike", "days_of_week": ["friday"], "hour_from": 20, "hour_to": 24,
                               "min_support": 5}}
AUD_IN_USD = ((date(2026, 1, 1), 0.64), (date(2026, 5, 1), 0.70))


@pytest.fixture
def northwind(tmp_path: Path) -> tuple[EventStore, pd.DataFrame]:
    frame = northwind_events()
    store = EventStore(tmp_path / "store")
    store.save_profile(NORTHWIND)
    with store.transaction() as tx:
        store.write_events_partitioned(tx, events_at(frame.to_dict("records")))
    return store, frame


def _data(store: EventStore, *args: str):
    return CliRunner().invoke(app, ["data", *args, "--store", str(store.root)])


def _text(result) -> str:
    return " ".join(result.output.split())


def _dated(table: tuple[tuple[date, float], ...], day: date) -> float:
    return max((since, rate) for since, rate in table if since <= day)[1]


def _revenue_by_country(frame: pd.DataFrame, rate) -> dict[str, float]:
    """pandas' revenue per country: each line's amount times `rate(currency, day)`."""
    amounts = frame.apply(lambda row: row["price"] * row["quantity"]
                          * rate(row["currency"], row["event_time"].date()), axis=1)
    return frame.assign(amount=amounts).groupby("country")["amount"].sum().round(2).to_dict()


def _engine_revenue(store: EventStore) -> dict[str, float]:
    result = run_query(store, {"metric": "revenue", "group_by": ["country"]})
    return result.frame.set_index("country")["revenue"].round(2).to_dict()


def test_places_lists_each_level_with_its_zones(northwind) -> None:
    store, _ = northwind
    listing = _text(_data(store, "places"))
    assert "3 country place(s)" in listing and "4 region place(s)" in listing and "4 city place(s)" in listing
    assert re.search(r"Mumbai\W+Maharashtra\W+IN\W+Asia/Kolkata", listing)
    cities = _text(_data(store, "places", "--level", "city"))
    assert re.search(r"Perth\W+Western Australia\W+AU\W+Australia/Perth", cities)
    assert "region place(s)" not in cities
    wrong = _data(store, "places", "--level", "town")
    assert wrong.exit_code == 2 and "--level must be one of country, region, city" in _text(wrong)


def test_a_place_gets_other_names_and_the_listing_shows_them(northwind) -> None:
    store, _ = northwind
    added = _data(store, "places", "--add", "Maharashtra", "--level", "region", "--country", "IN", "--tz",
                  "Asia/Kolkata", "--alias", "Maharashtra State", "--alias", "MH")
    assert added.exit_code == 0 and "is also called Maharashtra State, MH" in _text(added)
    assert store.profile().place("MH").name == "Maharashtra"
    listing = _text(_data(store, "places", "--level", "region"))
    assert re.search(r"Maharashtra\W+IN\W+Asia/Kolkata\W+Maharashtra", listing) and "MH" in listing


def test_a_category_gets_other_names_the_agent_reads_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    from tools.agent_tools.fields import named_category

    store = EventStore(tmp_path / "store")  # Northwind's profile lists no categories: the data's count
    store.save_profile(NORTHWIND)
    with store.transaction() as tx:
        store.write_events_partitioned(tx, synthetic_events(500))
    added = _data(store, "categories", "--alias", "shoes=Schuhe", "--alias", "Shoes=zapatos",
                  "--alias", "Books=libri")
    assert added.exit_code == 0 and "Shoes is also called Schuhe, zapatos" in _text(added)
    profile = store.profile()
    assert profile.category_aliases == {"Shoes": ("Schuhe", "zapatos"), "Books": ("libri",)}
    assert named_category("Busco zapatos rojos", profile, ("Boots", "Books", "Shoes")) == "Shoes"
    listing = _text(_data(store, "categories"))
    assert re.search(r"Shoes\W+Schuhe, zapatos", listing) and re.search(r"Boots\W", listing)
    before = (store.root / "profile.json").read_text()
    refused = _data(store, "categories", "--alias", "Lamps=Lampen")
    assert refused.exit_code == 2
    assert "not one of the shop's categories: Books, Boots, Shoes" in _text(refused)
    clash = _data(store, "categories", "--alias", "Boots=zapatos")
    assert clash.exit_code == 2 and "an alias names one category" in _text(clash)
    assert (store.root / "profile.json").read_text() == before


def test_moving_a_city_to_another_zone_moves_its_friday_night(northwind) -> None:
    store, _ = northwind
    lift = run_query(store, FRIDAY_NIGHT).frame.set_index("city")["lift"]
    assert set(lift.nlargest(2).index) == NORTHWIND_FRIDAY_BUSY and lift["Brooklyn"] > 2.5
    profile_file = store.root / "profile.json"
    before = profile_file.read_bytes()

    move = ["places", "--add", "Brooklyn", "--level", "city", "--parent", "New York", "--country", "US",
            "--tz", "Asia/Kolkata"]
    refused = _data(store, *move)
    assert refused.exit_code == 2
    assert "The city Brooklyn (US, in New York) is in America/New_York in the profile, not Asia/Kolkata: " \
           "pass --replace" in _text(refused)
    assert profile_file.read_bytes() == before

    moved = _data(store, *move, "--replace")
    assert moved.exit_code == 0, moved.output
    assert "moved city Brooklyn (US, in New York) from America/New_York to Asia/Kolkata" in _text(moved)
    lift = run_query(store, FRIDAY_NIGHT).frame.set_index("city")["lift"]
    assert lift["Brooklyn"] < 1.6 and lift["Mumbai"] > 2.5, "Brooklyn's evenings are now read on Indian time"

    places = store.root.parent / "places.csv"
    places.write_text("name,level,parent,country,time_zone\nBrooklyn,city,New York,United States,"
                      "America/New_York\n", encoding="utf-8")
    back = _data(store, "places", "--import", str(places), "--replace")
    assert back.exit_code == 0 and "to America/New_York" in _text(back)
    lift = run_query(store, FRIDAY_NIGHT).frame.set_index("city")["lift"]
    assert set(lift.nlargest(2).index) == NORTHWIND_FRIDAY_BUSY


def test_a_bad_zone_or_parent_exits_2_with_the_fix_and_leaves_the_profile_file(northwind) -> None:
    store, _ = northwind
    profile_file = store.root / "profile.json"
    before = profile_file.read_bytes()
    for args, message in [
        (["--add", "Salem", "--level", "city", "--parent", "Oregon", "--country", "US", "--tz",
          "America/Salem"], "Place 'Salem': 'America/Salem' is not an IANA time zone"),
        (["--add", "Austin", "--level", "city", "--parent", "Texas", "--country", "US", "--tz",
          "America/Chicago"], "Unknown region 'Texas' in US"),
        (["--add", "Austin", "--level", "city"], "--add needs --level (country, region or city), --country"),
    ]:
        result = _data(store, "places", *args)
        assert result.exit_code == 2 and message in _text(result), result.output
    bad_file = store.root.parent / "places.csv"
    bad_file.write_text("name,level,parent,country,time_zone\nSalem,city,Oregon,US,America/Los_Angeles\n"
                        "Austin,city,Texas,US,America/Chicago\n", encoding="utf-8")
    result = _data(store, "places", "--import", str(bad_file))
    assert result.exit_code == 2 and "Unknown region 'Texas'" in _text(result)
    assert profile_file.read_bytes() == before, "a refused file adds none of its places"
    added = _data(store, "places", "--add", "Salem", "--level", "city", "--parent", "oregon", "--country",
                  "us", "--tz", "America/Los_Angeles")
    assert added.exit_code == 0 and "added city Salem (US, in Oregon) in America/Los_Angeles" in _text(added)


def test_revenue_follows_a_rate_change_to_the_cent(northwind) -> None:
    store, frame = northwind
    result = _data(store, "rates", "--set", "inr=0.0125")
    assert result.exit_code == 0 and "INR: 1 INR = 0.0125 USD (was 0.012)" in _text(result)
    table = store.root.parent / "rates.csv"
    table.write_text("currency,valid_from,rate\nAUD,2026-04-20,0.66\n", encoding="utf-8")
    result = _data(store, "rates", "--import", str(table), "--list")
    assert "AUD: 1 dated rate(s) (1 new, 0 changed, 0 unchanged)" in _text(result)
    assert "AUD in USD from 2026-01-01: 0.64, 2026-04-20: 0.66, 2026-05-01: 0.7" in _text(result)
    aud = ((date(2026, 1, 1), 0.64), (date(2026, 4, 20), 0.66), (date(2026, 5, 1), 0.70))
    rates = {"USD": lambda day: 1.0, "INR": lambda day: 0.0125, "AUD": lambda day: _dated(aud, day)}
    assert _engine_revenue(store) == _revenue_by_country(frame, lambda code, day: rates[code](day))


def test_a_new_reporting_currency_re_expresses_the_rates_and_revenue_follows(northwind) -> None:
    store, frame = northwind
    result = _data(store, "currency", "aud")
    assert result.exit_code == 0, result.output
    assert "reporting currency USD -> AUD; the rates in USD are re-expressed in AUD" in _text(result)
    assert "USD in AUD from 2026-01-01: 1.5625, 2026-05-01: 1.42857" in _text(result)
    usd = {"USD": lambda day: 1.0, "INR": lambda day: 0.012, "AUD": lambda day: _dated(AUD_IN_USD, day)}
    expected = _revenue_by_country(frame, lambda code, day: usd[code](day) / _dated(AUD_IN_USD, day))
    assert _engine_revenue(store) == expected
    summary = run_query(store, {"metric": "revenue", "group_by": ["country"]}).summary()
    assert "Revenue (AUD) by country" in summary


def test_a_currency_without_a_rate_needs_the_new_rates_and_then_takes_them(northwind) -> None:
    store, frame = northwind
    profile_file = store.root / "profile.json"
    before = profile_file.read_bytes()
    refused = _data(store, "currency", "JPY")
    assert refused.exit_code == 2
    assert "The profile has no rate for JPY in USD, so the rates of AUD, INR, USD cannot be re-expressed " \
           "in JPY: give them (--set AUD=RATE --set INR=RATE --set USD=RATE" in _text(refused)
    assert profile_file.read_bytes() == before
    assert _data(store, "currency", "YEN").exit_code == 2 and profile_file.read_bytes() == before

    table = store.root.parent / "aud.csv"
    table.write_text("currency,valid_from,rate\nAUD,2026-01-01,98.5\n", encoding="utf-8")
    result = _data(store, "currency", "JPY", "--set", "USD=151.2", "--set", "INR=1.81",
                   "--import", str(table))
    assert result.exit_code == 0, result.output
    assert "reporting currency USD -> JPY; the rates in USD are replaced by the ones given" in _text(result)
    yen = {"USD": 151.2, "INR": 1.81, "AUD": 98.5}
    assert _engine_revenue(store) == _revenue_by_country(frame, lambda code, day: yen[code])


def test_a_currency_of_the_data_without_a_rate_is_named_until_it_gets_one(northwind) -> None:
    store, _ = northwind
    kiwi = {"event_time": pd.Timestamp("2026-04-10 09:00", tz="UTC"), "event_type": "purchase",
            "user_id": "u1", "order_id": "nz1", "product_id": "p1", "quantity": 2, "price": 40.0,
            "currency": "NZD", "country": "AU", "region": "Western Australia", "city": "Perth"}
    store.append_events(events_at([kiwi]))
    result = _data(store, "rates", "--set", "INR=0.012")
    assert "warning: amounts in NZD have no rate into USD: revenue leaves them out" in _text(result)
    without = _engine_revenue(store)["AU"]
    result = _data(store, "rates", "--set", "NZD=0.6")
    assert result.exit_code == 0 and "warning" not in _text(result)
    assert _engine_revenue(store)["AU"] == round(without + 2 * 40.0 * 0.6, 2)


def test_the_demo_shop_reports_in_pounds_and_moves_the_canaries_to_madrid_time(tmp_path: Path) -> None:
    table = synthetic_events(4_000, seed=3)
    store = store_with(tmp_path / "store", table)
    frame = table.to_pandas()
    result = _data(store, "currency", "GBP")
    assert result.exit_code == 0 and "1 EUR = 0.86 GBP" in _text(result)
    unlabelled = int(frame["currency"].isna().sum())
    assert f"warning: {unlabelled:,} event(s) name no currency: they are read in the reporting currency, " \
           "so they now count as GBP, not EUR" in _text(result)
    purchases = frame[frame["event_type"] == "purchase"].dropna(subset=["country"])
    gbp = {"GBP": 1.0, "EUR": 0.86}
    expected = (purchases.assign(amount=purchases["price"] * purchases["quantity"].fillna(1)
                                 * purchases["currency"].fillna("GBP").map(gbp))
                .groupby("country")["amount"].sum().round(2).to_dict())
    revenue = _engine_revenue(store)
    assert {country: revenue[country] for country in expected} == expected

    hours = {"metric": "events", "group_by": ["hour_of_day"], "filters": {"regions": ["Canary Islands"]}}
    before = run_query(store, hours).frame.set_index("hour_of_day")["events"]
    places = tmp_path / "canaries.csv"
    places.write_text("name,level,parent,country,time_zone\nCanary Islands,region,,ES,Europe/Madrid\n"
                      "Las Palmas,city,Canary Islands,ES,Europe/Madrid\n", encoding="utf-8")
    result = _data(store, "places", "--import", str(places), "--replace")
    assert result.exit_code == 0, result.output
    assert "still in Atlantic/Canary: Santa Cruz de Tenerife (in Canary Islands)" in _text(result)
    after = run_query(store, hours).frame.set_index("hour_of_day")["events"]
    assert {(hour + 1) % 24: n for hour, n in before.items()} == after.to_dict(), "an hour later on the clock"
