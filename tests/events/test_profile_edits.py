"""Edits of a shop profile: places with their parents and zones, rates, and the reporting currency, on the
demo shop's profile and on Northwind's (US, India, Australia; USD with fixed and dated rates)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.shops import NORTHWIND
from tools.events.place_registration import place_from_row
from tools.events.profile import DatedRate, Place, ProfileError, ShopProfile
from tools.events.profile_edits import add_places, change_currency, read_rates_file, set_rates
from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore

DEMO = demo_profile()


def test_a_region_and_its_city_join_together_and_say_where() -> None:
    edit = add_places(NORTHWIND, [
        Place("city", "Austin", "US", "America/Chicago", parent="Texas"),  # its region comes later
        Place("region", "Texas", "US", "America/Chicago", parent="United States"),  # its country: dropped
    ])
    assert edit.changes == ("added city Austin (US, in Texas) in America/Chicago",
                            "added region Texas (US) in America/Chicago")
    assert edit.profile.zone_of(country="US", region="Texas", city="Austin") == "America/Chicago"
    assert edit.profile.place("Texas", "region").parent is None
    assert NORTHWIND.find("Texas") == [], "the edit returns a new profile; the old one is unchanged"


def test_a_country_given_by_name_is_known_by_its_code_and_takes_its_regions() -> None:
    rows = [("Japan", "country", "", "Japan"), ("Kanto", "region", "", "jp"),
            ("Yokohama", "city", "kanto", "JP")]
    edit = add_places(NORTHWIND, [
        place_from_row({"name": name, "level": level, "parent": parent, "country": country,
                        "time_zone": "Asia/Tokyo"}) for name, level, parent, country in rows
    ])
    assert edit.profile.country("jp").name == "Japan" and edit.profile.zone_of(country="JP") == "Asia/Tokyo"
    assert edit.changes[-1] == "added city Yokohama (JP, in Kanto) in Asia/Tokyo", "the profile's spelling"


def test_a_place_needs_a_known_country_and_parent_region() -> None:
    with pytest.raises(ProfileError, match=r"Unknown region 'Texas' in US .*known: New York, Oregon.*"
                                           r"--add 'Texas' --level region --country US --tz ZONE"):
        add_places(NORTHWIND, [Place("city", "Austin", "US", "America/Chicago", parent="Texas")])
    with pytest.raises(ProfileError, match=r"Unknown country JP .*--add 'Japan' --level country"):
        add_places(NORTHWIND, [Place("region", "Kanto", "JP", "Asia/Tokyo")])
    with pytest.raises(ProfileError, match="'XX' is not an ISO 3166 country code"):
        add_places(NORTHWIND, [Place("country", "Nowhere", "XX", "UTC")])
    with pytest.raises(ProfileError, match="only a city has a parent"):
        add_places(NORTHWIND, [Place("region", "Texas", "US", "America/Chicago", parent="Oregon")])


def test_a_known_place_moves_to_another_zone_only_when_asked() -> None:
    moved = Place("region", "Oregon", "US", "America/Denver")
    with pytest.raises(ProfileError, match="is in America/Los_Angeles in the profile, not America/Denver: "
                                           "pass --replace"):
        add_places(NORTHWIND, [moved])
    edit = add_places(NORTHWIND, [moved, Place("region", "New York", "US", "America/New_York")],
                      replace_zones=True)
    assert edit.changes == (
        "moved region Oregon (US) from America/Los_Angeles to America/Denver",
        "still in America/Los_Angeles: Portland (in Oregon); --replace them too where they use the new zone",
        "1 place(s) already in the profile in the same zone",
    )
    assert edit.profile.zone_of(country="US", region="Oregon") == "America/Denver"
    assert edit.profile.zone_of(country="US", region="Oregon", city="Portland") == "America/Los_Angeles"
    assert [p.name for p in edit.profile.places] == [p.name for p in NORTHWIND.places], "moved in place"


def test_a_city_whose_name_the_country_has_needs_its_region() -> None:
    with pytest.raises(ProfileError, match=r"already has a city 'Portland' in US \(in Oregon\): give each "
                                           "its region"):
        add_places(NORTHWIND, [Place("city", "Portland", "US", "America/New_York")])
    maine = add_places(NORTHWIND, [
        Place("region", "Maine", "US", "America/New_York"),
        Place("city", "Portland", "US", "America/New_York", parent="Maine"),
    ]).profile
    assert maine.zone_of(country="US", region="Maine", city="Portland") == "America/New_York"
    assert maine.zone_of(country="US", region="Oregon", city="Portland") == "America/Los_Angeles"


def test_one_place_given_two_zones_is_refused() -> None:
    with pytest.raises(ProfileError, match="given twice, in America/Chicago and America/Denver"):
        add_places(NORTHWIND, [Place("region", "Texas", "US", "America/Chicago"),
                               Place("region", "texas", "US", "America/Denver")])


def test_the_demo_shop_takes_a_new_city_in_its_region() -> None:
    edit = add_places(DEMO, [Place("city", "Regensburg", "DE", "Europe/Berlin", parent="Bavaria")])
    assert edit.changes == ("added city Regensburg (DE, in Bavaria) in Europe/Berlin",)
    assert edit.profile.zone_of(country="DE", region="Bavaria", city="Regensburg") == "Europe/Berlin"
    by_alias = add_places(DEMO, [Place("city", "Passau", "DE", "Europe/Berlin", parent="Bayern")])
    assert by_alias.profile.place("Passau").parent == "Bavaria"  # the region as the profile spells it
    with pytest.raises(ProfileError, match="Unknown region 'Bohemia' in DE"):
        add_places(DEMO, [Place("city", "Passau", "DE", "Europe/Berlin", parent="Bohemia")])


def test_a_fixed_rate_replaces_a_dated_table_and_dated_rates_merge_by_day() -> None:
    edit = set_rates(NORTHWIND, {"AUD": 0.66, "INR": 0.0125})
    assert edit.profile.rate("AUD", date(2026, 5, 2)) == 0.66 and edit.profile.dated_rates == ()
    assert edit.changes == ("AUD: 1 AUD = 0.66 USD (new); its 2 dated rate(s) are dropped",
                            "INR: 1 INR = 0.0125 USD (was 0.012)")
    merged = set_rates(NORTHWIND, dated=[DatedRate("AUD", date(2026, 5, 1), 0.71),
                                         DatedRate("AUD", date(2026, 6, 1), 0.69)])
    assert [(r.since, r.rate) for r in merged.profile.dated_rates] == [
        (date(2026, 1, 1), 0.64), (date(2026, 5, 1), 0.71), (date(2026, 6, 1), 0.69)]
    assert merged.changes == (
        "AUD: 2 dated rate(s) (1 new, 1 changed, 0 unchanged); no rate before 2026-01-01",)
    with pytest.raises(ProfileError, match="USD is the reporting currency"):
        set_rates(NORTHWIND, {"USD": 1.0})
    with pytest.raises(ProfileError, match="'ABC' is not an ISO 4217 currency code"):
        set_rates(NORTHWIND, {"ABC": 1.0})
    with pytest.raises(ProfileError, match="AUD: give a currency a fixed rate or a dated table, not both"):
        set_rates(NORTHWIND, {"AUD": 0.7}, [DatedRate("AUD", date(2026, 1, 1), 0.6)])
    with pytest.raises(ProfileError, match="rate of GBP must be a positive number"):
        set_rates(NORTHWIND, {"GBP": 0.0})


@pytest.mark.parametrize(("profile", "code"), [(NORTHWIND, "AUD"), (NORTHWIND, "INR"), (DEMO, "GBP")])
def test_a_new_reporting_currency_re_expresses_every_rate_exactly_on_every_day(
    profile: ShopProfile, code: str
) -> None:
    edit = change_currency(profile, code.lower())
    moved = edit.profile
    assert moved.currency == code and moved.rate(code) == 1.0
    assert edit.changes[0] == f"reporting currency {profile.currency} -> {code}; the rates in " \
                              f"{profile.currency} are re-expressed in {code}:"
    currencies = {profile.currency, *profile.rates, *(r.currency for r in profile.dated_rates)} - {code}
    for day in (date(2025, 12, 1) + timedelta(days=d) for d in range(0, 240, 3)):
        for currency in currencies:
            old, bridge = profile.rate(currency, day), profile.rate(code, day)
            got = moved.rate(currency, day)
            if old is None or bridge is None:
                assert got is None, (currency, day)
            else:
                assert got == pytest.approx(old / bridge, rel=1e-12), (currency, day)


def test_the_demo_shop_reporting_in_gbp_values_a_euro_at_its_rate() -> None:
    moved = change_currency(DEMO, "GBP").profile
    assert moved.rates == {"EUR": pytest.approx(0.86)} and moved.dated_rates == ()


def test_a_currency_the_profile_has_no_rate_for_needs_the_new_rates() -> None:
    with pytest.raises(ProfileError, match=r"no rate for JPY in USD, so the rates of AUD, INR cannot be "
                                           r"re-expressed in JPY: give them \(--set AUD=RATE --set INR=RATE"):
        change_currency(NORTHWIND, "JPY")
    with pytest.raises(ProfileError, match="the rates of AUD, INR, USD cannot"):
        change_currency(NORTHWIND, "JPY", used={"USD", "INR"})  # the data has amounts in the old currency
    edit = change_currency(NORTHWIND, "JPY", {"USD": 150.0, "INR": 1.8},
                           [DatedRate("AUD", date(2026, 1, 1), 98.0)], used={"USD", "INR"})
    assert edit.profile.rate("USD") == 150.0 and edit.profile.rate("AUD", date(2026, 7, 1)) == 98.0
    assert edit.changes[0] == "reporting currency USD -> JPY; the rates in USD are replaced by the ones given"
    with pytest.raises(ProfileError, match="'DOLLARS' is not an ISO 4217 currency code"):
        change_currency(NORTHWIND, "dollars")


def test_given_rates_win_over_re_expressed_ones() -> None:
    edit = change_currency(DEMO, "GBP", {"EUR": 0.85})
    assert edit.profile.rate("EUR") == 0.85
    assert edit.changes[-1] == "EUR: 1 EUR = 0.85 GBP (was 0.86)"


def test_a_rates_file_is_read_with_the_line_of_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("currency,valid_from,rate\naud,2026-06-01,0.66\nNZD,2026-01-01,0.6\n", encoding="utf-8")
    assert read_rates_file(path) == (DatedRate("AUD", date(2026, 6, 1), 0.66),
                                     DatedRate("NZD", date(2026, 1, 1), 0.6))
    for body, message in [
        ("currency,valid_from,rate\nAUD,01/06/2026,0.66\n", "line 2: valid_from must be a date"),
        ("currency,valid_from,rate\nAUD,2026-06-01,0.6\nXYZ,2026-06-01,1\n", "line 3: .*'XYZ' is not"),
        ("currency,valid_from,rate\nAUD,2026-06-01,0\n", "line 2: the rate must be positive"),
        ("currency,valid_from,rate\nAUD,2026-06-01,0.6\nAUD,2026-06-01,0.7\n", "line 3: AUD from .* twice"),
        ("currency,day,rate\nAUD,2026-06-01,0.6\n", "needs the columns .*; it lacks valid_from"),
    ]:
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ProfileError, match=message):
            read_rates_file(path)


def test_a_refused_edit_leaves_the_stored_profile_as_it_was(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    store.save_profile(NORTHWIND)
    before = (tmp_path / "store" / "profile.json").read_bytes()
    with pytest.raises(ProfileError):
        store.edit_profile(lambda p: add_places(p, [Place("region", "Oregon", "US", "Asia/Tokyo")]))
    assert (tmp_path / "store" / "profile.json").read_bytes() == before
    assert not list((tmp_path / "store" / "staging").iterdir()), "nothing staged is left behind"
    store.edit_profile(lambda profile: set_rates(profile, {"GBP": 1.27}))
    assert EventStore(tmp_path / "store").profile().rate("GBP") == 1.27


@pytest.mark.parametrize("profile", [DEMO, NORTHWIND], ids=["demo", "northwind"])
def test_a_known_place_gains_the_aliases_an_edit_gives_it(profile: ShopProfile) -> None:
    known = profile.at_level("region")[0]
    row = {"name": known.name, "level": "region", "parent": "", "country": known.country,
           "time_zone": known.tz, "aliases": " Heimat ; Terra;"}
    edit = add_places(profile, [place_from_row(row)])
    assert edit.profile.place("Heimat") == edit.profile.place(known.name)
    assert edit.profile.place(known.name).aliases == (*known.aliases, "Heimat", "Terra")
    assert edit.changes == (f"region {known.name} ({known.country}) is also called Heimat, Terra",)
    again = add_places(edit.profile, [place_from_row(row)])
    assert again.profile == edit.profile
    assert again.changes == ("1 place(s) already in the profile in the same zone",)
