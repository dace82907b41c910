"""The shop profile: places with zones at any level, money, holidays, and a file that round-trips."""

from __future__ import annotations

from datetime import date

import pytest

from tools.events.profile import DatedRate, Place, ProfileError, ShopProfile, UnknownPlace

US = ShopProfile(
    name="Northwind Outfitters",
    currency="USD",
    rates={"CAD": 0.73},
    dated_rates=(DatedRate("EUR", date(2026, 1, 1), 1.05), DatedRate("EUR", date(2026, 6, 1), 1.12)),
    places=(
        Place("country", "United States", "US", "America/New_York", code="US",
              aliases=("USA", "Estados Unidos")),
        Place("country", "India", "IN", "Asia/Kolkata", code="IN"),
        Place("region", "Oregon", "US", "America/Los_Angeles", subdivision="OR"),
        Place("region", "Maine", "US", "America/New_York", subdivision="ME"),
        Place("region", "New York", "US", "America/New_York", subdivision="NY"),
        Place("city", "Portland", "US", "America/Los_Angeles", parent="Oregon"),
        Place("city", "Portland", "US", "America/New_York", parent="Maine"),
        Place("city", "Brooklyn", "US", "America/New_York", parent="New York"),
        Place("city", "Mumbai", "IN", "Asia/Kolkata", aliases=("Bombay",)),
    ),
    week_start="sunday",
)


def test_an_events_zone_is_its_citys_else_its_regions_else_its_countrys() -> None:
    assert US.zone_of(country="US", region="Oregon", city="Portland") == "America/Los_Angeles"
    assert US.zone_of(country="US", region="Maine", city="Portland") == "America/New_York"
    assert US.zone_of(country="US", region="Oregon") == "America/Los_Angeles"
    assert US.zone_of(country="IN", city="Mumbai") == "Asia/Kolkata"  # a city straight under its country
    assert US.zone_of(country="IN") == "Asia/Kolkata"


def test_a_place_whose_zone_cannot_be_known_has_none_never_utc() -> None:
    assert US.zone_of(country="US", city="Portland") is None  # two Portlands, two zones, no region given
    assert US.zone_of(country="US", region="Nevada") is None  # not in the profile
    assert US.zone_of() is None


def test_names_resolve_within_their_parent_and_ambiguity_is_explained() -> None:
    assert US.place("brooklyn").parent == "New York"
    assert US.country("us").name == "United States" and US.country("India").code == "IN"
    several = r"names several places: Portland \(city in Oregon\), Portland \(city in Maine\)"
    with pytest.raises(UnknownPlace, match=several):
        US.place("Portland")
    with pytest.raises(UnknownPlace, match="Unknown region 'Bavaria'. Known regions: Oregon, Maine, New"):
        US.place("Bavaria", "region")
    assert [p.name for p in US.children(US.place("Oregon"))] == ["Portland"]
    assert US.levels() == ("country", "region", "city")


def test_rates_bring_any_currency_into_the_reporting_one_fixed_or_dated() -> None:
    assert US.rate(None) == US.rate("usd") == 1.0
    assert US.rate("CAD") == 0.73
    assert US.rate("EUR", on=date(2026, 3, 1)) == 1.05 and US.rate("EUR", on=date(2026, 7, 1)) == 1.12
    assert US.rate("EUR", on=date(2025, 12, 31)) is None  # before the table starts, and no fixed rate
    assert US.rate("JPY") is None  # no rate: the engines leave such amounts out and say so


def test_holidays_come_from_each_places_country_and_subdivision() -> None:
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert date(2026, 7, 4) in US.holidays(US.place("Brooklyn"), *year)
    assert date(2026, 1, 26) in US.holidays(US.place("Mumbai"), *year)  # Republic Day
    germany = ShopProfile(places=(
        Place("country", "Germany", "DE", "Europe/Berlin"),
        Place("region", "Bavaria", "DE", "Europe/Berlin", subdivision="BY"),
        Place("region", "Berlin", "DE", "Europe/Berlin", subdivision="BE"),
    ))
    epiphany = date(2026, 1, 6)
    assert epiphany in germany.holidays(germany.place("Bavaria"), *year)
    assert epiphany not in germany.holidays(germany.place("Berlin", "region"), *year)


def test_the_profile_file_round_trips_and_a_bad_one_says_what_is_wrong() -> None:
    assert ShopProfile.from_json(US.to_json()) == US
    with pytest.raises(ProfileError, match="cannot be read"):
        ShopProfile.from_json('{"places": [{"level": "city"}]}')
    with pytest.raises(ProfileError, match="cannot be read"):
        ShopProfile.from_json("not json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"currency": "dollars"}, "not an ISO 4217 currency code"),
        ({"rates": {"GBP": 0.0}}, "rate of GBP must be a positive number"),
        ({"week_start": "funday"}, "week_start must be one of monday"),
        ({"places": (Place("city", "Atlantis", "US", "Ocean/Atlantis"),)}, "'Ocean/Atlantis' is not an IANA"),
        ({"places": (Place("city", "Lyon", "France", "Europe/Paris"),)}, "ISO 3166-1 alpha-2 code"),
        ({"places": (Place("town", "Lyon", "FR", "Europe/Paris"),)}, "level must be one of country, region"),
        ({"places": (Place("region", "Texas", "US", "America/Chicago"),) * 2}, "listed twice"),
        ({"category_aliases": {"Jackets": ("Jacken", " ")}}, "must be non-empty names"),
        ({"category_aliases": {"Jackets": ("Parka",), "Coats": ("parka",)}}, "an alias names one category"),
    ],
)
def test_a_profile_that_cannot_be_used_is_refused_with_the_reason(change: dict, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        ShopProfile(**change)


def test_adding_places_keeps_known_ones_and_refuses_a_second_zone_for_one() -> None:
    grown = US.with_places([
        Place("region", "Oregon", "US", "America/Los_Angeles"),  # known, same zone: nothing to add
        Place("region", "Texas", "US", "America/Chicago"),
    ])
    assert [p.name for p in grown.at_level("region")] == ["Oregon", "Maine", "New York", "Texas"]
    with pytest.raises(ProfileError, match="is in America/Los_Angeles in the profile, not America/Denver"):
        US.with_places([Place("region", "Oregon", "US", "America/Denver")])


def test_the_store_keeps_the_profile_beside_its_data(tmp_path) -> None:
    from tools.events.store import EventStore

    store = EventStore(tmp_path / "store")
    assert store.profile() == ShopProfile() and not store.profile().places  # EUR, no places until saved
    store.save_profile(US)
    assert store.profile() == US
    other = EventStore(tmp_path / "store")  # another process's view
    other.save_profile(ShopProfile(name="Renamed", currency="USD"))
    assert store.profile().name == "Renamed", "a profile replaced by another process is read again"


def test_the_demo_shop_stores_its_own_profile(demo_shop) -> None:
    store, _ = demo_shop
    profile = store.profile()
    assert profile.currency == "EUR" and round(profile.rate("GBP"), 4) == round(1 / 0.86, 4)
    assert len(profile.at_level("country")) == 5 and len(profile.at_level("region")) == 35
    assert profile.zone_of(country="ES", region="Canary Islands") == "Atlantic/Canary"
    assert profile.place("Bavaria").subdivision == "BY"


def test_a_place_is_found_by_its_aliases_and_they_survive_the_file() -> None:
    assert US.place("Bombay").name == "Mumbai" and US.country("estados unidos").name == "United States"
    assert ShopProfile.from_json(US.to_json()).place("USA").name == "United States"
    with pytest.raises(ProfileError, match="aliases must be non-empty names"):
        ShopProfile(places=(Place("city", "Mumbai", "IN", "Asia/Kolkata", aliases=("",)),))


def test_category_aliases_survive_the_file_and_name_the_category_in_any_shop() -> None:
    from tools.agent_tools.fields import named_category, shop_aliases
    from tools.events.simulate.profile import demo_profile
    from tools.registry import CATEGORIES_SET

    outdoor = ShopProfile(currency="USD", category_aliases={"Footwear": ("Schuhe", "zapatillas"),
                                                            "Lighting": ("lampe frontale",)})
    assert ShopProfile.from_json(outdoor.to_json()) == outdoor
    sold = ("Footwear", "Lighting", "Packs")
    assert named_category("Busco zapatillas baratas", outdoor, sold) == "Footwear"
    assert named_category("une lampe frontale et des Schuhe", outdoor, sold) is None  # two categories
    assert named_category("a LIGHTING question", outdoor, sold) == "Lighting"  # its own name counts too
    only_shoes = {"Schuhe": "Footwear", "zapatillas": "Footwear"}  # the aliases of categories it sells
    assert shop_aliases(outdoor, ("Footwear",))[CATEGORIES_SET] == only_shoes
    demo = demo_profile()
    assert named_category("Je cherche une poêle", demo, demo.categories) == "Cookware"
    assert named_category("Kopfhörer unter 50 Euro", demo, demo.categories) == "Headphones"
    assert named_category("a fitness tracker", demo, demo.categories) == "Smartwatches"  # the longer name


def test_every_country_is_named_in_the_five_languages_whatever_the_profile_lists() -> None:
    """"e negli Stati Uniti in tutto?" on a profile that lists no aliases had kept the place before: a
    country's names in the five languages (CLDR) name it, short of another place called that."""
    from tools.agent_tools.fields import shop_aliases
    from tools.events.simulate.profile import demo_profile
    from tools.registry import PLACES_SET

    bare = ShopProfile(currency="USD", places=(Place("country", "United States", "US", "America/New_York"),
                                               Place("country", "India", "IN", "Asia/Kolkata")))
    places = shop_aliases(bare)[PLACES_SET]
    for alias in ("Stati Uniti", "Vereinigte Staaten", "États-Unis", "Estados Unidos", "US"):
        assert places[alias] == "United States", alias
    assert places["Indien"] == "India"
    demo = shop_aliases(demo_profile())[PLACES_SET]
    assert demo["Deutschland"] == "Germany" and demo["Spagna"] == "Spain"
    georgia = ShopProfile(currency="USD", places=(
        Place("country", "United States", "US", "America/New_York"),
        Place("region", "Georgia", "US", "America/New_York"),
        Place("country", "Georgia", "GE", "Asia/Tbilisi")))
    assert "Georgia" not in shop_aliases(georgia)[PLACES_SET]  # a place's own name is never an alias
