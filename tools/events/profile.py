"""The shop profile: every fact about one shop that the engines need, stored with its data.

    profile = store.profile()                        # what the shop's data says about itself
    profile.zone_of(country="US", region="New York", city="Brooklyn")   # "America/New_York"
    profile.rate("GBP")                              # units of the reporting currency per GBP

- **Places**: a hierarchy country > region > city, any names, any number of levels used, each place with
  its IANA time zone ("Friday night" is local time there). An event's zone is its city's, else its
  region's, else its country's; a place is known by its name within its parent, its ISO code, and the
  other names people write for it (`aliases`: "Bayern", "Baviera" for Bavaria).
- **Money**: the reporting currency (any ISO 4217 code) and the rates that bring other currencies into it,
  fixed or dated (the latest rate on or before the day).
- **Calendar**: the first day of the week and, per country, public holidays (the `holidays` package).
- **Catalogue**: the categories, in the order the shop lists them (the agent's tools offer them), and the
  other names people write for them (`category_aliases`: "Kopfhörer", "écouteurs" for Headphones; a
  product noun of the category, "poêle" for Cookware, may be one).

The demo shop is one profile among others (`tools.events.simulate` builds it). Nothing about a shop is
written in the engines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
from typing import Any, Literal, get_args
from zoneinfo import available_timezones

from tools.errors import EngineInputError
from tools.events.currencies import ISO_4217

PlaceLevel = Literal["country", "region", "city"]
LEVELS: tuple[PlaceLevel, ...] = get_args(PlaceLevel)
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
PROFILE_FILE = "profile.json"
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class ProfileError(EngineInputError):
    """A shop profile (or a change to it) that cannot be used; the message names the field and the fix."""


class UnknownPlace(EngineInputError):
    """A place name the shop profile does not know."""


@dataclass(frozen=True)
class Place:
    """One place of the shop: a country, a region in a country, or a city in a region (or country)."""

    level: PlaceLevel
    name: str
    country: str  # ISO 3166-1 alpha-2 code of the country the place is in (its own code for a country)
    tz: str  # IANA time zone
    parent: str | None = None  # the region of a city (None: directly in its country); None for regions
    code: str | None = None  # an ISO code where there is one ("DE", "DE-BY")
    lat: float | None = None
    lon: float | None = None
    subdivision: str | None = None  # the `holidays` package's subdivision with its own holidays ("BY")
    aliases: tuple[str, ...] = ()  # other names people write for it (other languages, short forms)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What tells two places apart: level, country, parent and name (case-insensitive)."""
        return (self.level, self.country, _norm(self.parent or ""), _norm(self.name))


@dataclass(frozen=True)
class DatedRate:
    """From `since` on (until a later entry), one unit of `currency` is worth `rate` reporting units."""

    currency: str
    since: date
    rate: float


@dataclass(frozen=True)
class ShopProfile:
    """Places, money and calendar of one shop (see the module docstring)."""

    name: str = "Shop"
    currency: str = "EUR"
    rates: dict[str, float] = field(default_factory=dict)  # fixed rates into `currency`
    dated_rates: tuple[DatedRate, ...] = ()  # a user's rate table; wins over `rates` where it has a rate
    places: tuple[Place, ...] = ()
    week_start: Weekday = "monday"
    tz: str | None = None  # the shop's own zone: events with no known place are read in it
    categories: tuple[str, ...] = ()  # the catalogue's categories in the shop's order (empty: from the data)
    category_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # category -> other names

    def __post_init__(self) -> None:
        check_currency(self.currency, "currency")
        for code, rate in self.rates.items():
            check_currency(code, "rates")
            if not rate > 0:
                raise ProfileError(f"The rate of {code} must be a positive number, got {rate!r}.")
        for entry in self.dated_rates:
            check_currency(entry.currency, "dated_rates")
            if not entry.rate > 0:
                raise ProfileError(
                    f"The {entry.currency} rate since {entry.since} must be positive, got {entry.rate!r}."
                )
        if self.tz is not None and self.tz not in _zones():
            raise ProfileError(f"tz: {self.tz!r} is not an IANA time zone (e.g. Europe/Berlin).")
        if self.week_start not in WEEKDAYS:
            raise ProfileError(f"week_start must be one of {', '.join(WEEKDAYS)}, got {self.week_start!r}.")
        check_category_aliases(self.category_aliases)
        keys: set[tuple[str, str, str, str]] = set()
        for place in self.places:
            check_place(place)
            if place.key in keys:
                raise ProfileError(f"The {place.level} {place.name!r} ({place.country}) is listed twice.")
            keys.add(place.key)

    # ------------------------------------------------------------------ money
    def rate(self, currency: str | None, on: date | None = None) -> float | None:
        """Reporting units per unit of `currency` (on day `on` for dated rates); None when there is no rate.

        A missing currency is the reporting currency.
        """
        code = (currency or self.currency).upper()
        if code == self.currency:
            return 1.0
        dated = [r for r in self.dated_rates if r.currency == code and (on is None or r.since <= on)]
        if dated:
            return max(dated, key=lambda r: r.since).rate
        return self.rates.get(code)

    def unrated(self, currencies: Iterable[str | None]) -> tuple[str, ...]:
        """Those of `currencies` (codes; None and "" are the reporting currency) with no rate, sorted: their
        amounts are left out of sums."""
        return tuple(sorted({code for code in currencies if code and self.rate(code) is None}))

    # ------------------------------------------------------------------ places
    @cached_property
    def _by_level(self) -> dict[str, dict[str, list[Place]]]:
        index: dict[str, dict[str, list[Place]]] = {level: {} for level in LEVELS}
        for place in self.places:
            for name in (place.name, place.code, *place.aliases):
                if name and place not in index[place.level].get(_norm(name), []):
                    index[place.level].setdefault(_norm(name), []).append(place)
        return index

    def levels(self) -> tuple[PlaceLevel, ...]:
        """The place levels this shop uses, top down."""
        return tuple(level for level in LEVELS if any(p.level == level for p in self.places))

    def at_level(self, level: PlaceLevel) -> tuple[Place, ...]:
        """Every place of one level, in the profile's order."""
        return tuple(p for p in self.places if p.level == level)

    def find(self, name: str, level: PlaceLevel | None = None) -> list[Place]:
        """Places called `name` (or with that ISO code), at one level or any, top level first."""
        levels = (level,) if level else LEVELS
        return [p for lvl in levels for p in self._by_level[lvl].get(_norm(name), [])]

    def mentioned_places(self, text: str) -> list[Place]:
        """The places `text` names by name or alias (tools.language.mentioned: whole words, one typo in a
        longer word), in the order named."""
        from tools.language import mentioned

        names = list(dict.fromkeys(name for p in self.places for name in (p.name, *p.aliases)))
        return [p for name in mentioned(names, text) for p in self.find(name)]

    def place(self, name: str, level: PlaceLevel | None = None) -> Place:
        """The one place called `name`; unknown or ambiguous names are an error that lists the choices."""
        found = list(dict.fromkeys(self.find(name, level)))
        if len(found) == 1:
            return found[0]
        what = level or "place"
        if not found:
            known = [p.name for p in self.places if level is None or p.level == level]
            shown = ", ".join(known[:40]) + (f" and {len(known) - 40} more" if len(known) > 40 else "")
            plural = {"country": "countries", "city": "cities"}.get(what, f"{what}s")
            raise UnknownPlace(f"Unknown {what} {name!r}. Known {plural}: {shown or 'none yet'}.")
        choices = ", ".join(f"{p.name} ({p.level} in {p.parent or p.country})" for p in found)
        raise UnknownPlace(f"{name!r} names several places: {choices}. Say which (e.g. with its region).")

    def country(self, code_or_name: str) -> Place:
        """The country with this ISO code or name."""
        return self.place(code_or_name, "country")

    def zone_of(
        self, country: str | None = None, region: str | None = None, city: str | None = None
    ) -> str | None:
        """The zone of an event's place: its city's, else its region's, else its country's (None: unknown).

        A country gives its zone only when all its places share one (the US has several, India one).
        """
        for level, name in (("city", city), ("region", region)):
            if not name:
                continue
            parent = region if level == "city" else None
            matches = [p for p in self.find(name, level) if _within(p, country, parent)]
            if len({p.tz for p in matches}) == 1:
                return matches[0].tz
        if country:
            zones = {z for place in self.find(country, "country") for z in self.country_zones(place.country)}
            if len(zones) == 1:
                return zones.pop()
        return None

    def children(self, parent: Place) -> tuple[Place, ...]:
        """The regions of a country, or the cities of a region."""
        if parent.level == "country":
            return tuple(p for p in self.places if p.country == parent.country and p.level == "region")
        if parent.level == "region":
            return tuple(
                p for p in self.places
                if p.level == "city"
                and p.country == parent.country
                and _norm(p.parent or "") == _norm(parent.name)
            )
        return ()

    def points(self) -> dict[str, dict[str, tuple[float, float]]]:
        """Map points per level (countries by ISO code): a place's own coordinates, else the mean of its
        children's."""
        points: dict[str, dict[str, tuple[float, float]]] = {level: {} for level in LEVELS}
        for level in ("city", "region", "country"):
            for place in self.at_level(level):
                key = place.country if level == "country" else place.name
                if place.lat is not None and place.lon is not None:
                    points[level][key] = (place.lat, place.lon)
                    continue
                inner = [points[child.level].get(child.name) for child in self.children(place)]
                inner = [point for point in inner if point is not None]
                if inner:
                    points[level][key] = (sum(p[0] for p in inner) / len(inner),
                                          sum(p[1] for p in inner) / len(inner))
        return points

    def country_zones(self, code: str) -> set[str]:
        """Every zone used by the places of a country (one zone: events with only a country get it)."""
        return {p.tz for p in self.places if p.country == code}

    def with_places(self, places: Iterable[Place]) -> ShopProfile:
        """This profile plus `places`; a place already known must keep its zone (else an error says which)."""
        merged = list(self.places)
        index = {p.key: i for i, p in enumerate(merged)}
        for place in places:
            if place.key in index:
                known = merged[index[place.key]]
                if known.tz != place.tz:
                    raise ProfileError(
                        f"The {place.level} {place.name!r} is in {known.tz} in the profile, not {place.tz}; "
                        "fix the places file or edit the profile (`chronotope data places`)."
                    )
                continue
            index[place.key] = len(merged)
            merged.append(place)
        return replace(self, places=tuple(merged))

    # ------------------------------------------------------------------ calendar
    def holidays(self, place: Place, first: date, last: date) -> set[date]:
        """Public holidays observed at `place` (its country's and its subdivision's), `first` to `last`."""
        import holidays as holidays_lib

        subdivision = place.subdivision
        if subdivision is None and place.level == "city" and place.parent:
            regions = [p for p in self.find(place.parent, "region") if p.country == place.country]
            subdivision = regions[0].subdivision if regions else None
        try:
            table = holidays_lib.country_holidays(
                place.country, subdiv=subdivision, years=range(first.year, last.year + 1)
            )
        except NotImplementedError:  # a country the package does not cover: no holidays known
            return set()
        return {day for day in table if first <= day <= last}

    # ------------------------------------------------------------------ storage
    def to_json(self) -> str:
        """The profile as JSON (what `profile.json` holds)."""
        data = asdict(self)
        data["dated_rates"] = [{**r, "since": r["since"].isoformat()} for r in data["dated_rates"]]
        return json.dumps(data, indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ShopProfile:
        """Read a profile written by `to_json`; a bad file is a `ProfileError` that says what is wrong."""
        try:
            data: dict[str, Any] = json.loads(text)
            return cls(
                name=data.get("name", "Shop"),
                currency=data.get("currency", "EUR"),
                rates={k: float(v) for k, v in data.get("rates", {}).items()},
                dated_rates=tuple(
                    DatedRate(r["currency"], date.fromisoformat(r["since"]), float(r["rate"]))
                    for r in data.get("dated_rates", [])
                ),
                places=tuple(Place(**{**p, "aliases": tuple(p.get("aliases", ()))})
                             for p in data.get("places", [])),
                week_start=data.get("week_start", "monday"),
                tz=data.get("tz"),
                categories=tuple(data.get("categories", ())),
                category_aliases={name: tuple(aliases)
                                  for name, aliases in data.get("category_aliases", {}).items()},
            )
        except ProfileError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            raise ProfileError(
                f"The shop profile cannot be read ({exc}); fix or remove {PROFILE_FILE}."
            ) from exc


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _within(place: Place, country: str | None, region: str | None) -> bool:
    """Whether `place` can be the one an event names, given the event's country (and region, for a city)."""
    if country and place.country != country.upper() and _norm(place.country) != _norm(country):
        return False
    return not (region and place.parent and _norm(place.parent) != _norm(region))


def check_currency(code: str, what: str = "currency") -> None:
    """ProfileError unless `code` is an ISO 4217 currency code; `what` names the field in the message."""
    if not isinstance(code, str) or code not in ISO_4217:
        raise ProfileError(f"{what}: {code!r} is not an ISO 4217 currency code (e.g. USD, EUR, INR).")


def check_category_aliases(aliases: dict[str, tuple[str, ...]]) -> None:
    """ProfileError unless every alias is a non-empty name of one category only (an alias of a category the
    shop does not sell is kept and unused: a shop may sell part of a catalogue)."""
    owner: dict[str, str] = {}
    for category, names in aliases.items():
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise ProfileError(f"category_aliases of {category!r} must be non-empty names, got {name!r}.")
            if owner.setdefault(_norm(name), category) != category:
                raise ProfileError(f"category_aliases: {name!r} is given for both {owner[_norm(name)]!r} and "
                                   f"{category!r}; an alias names one category.")


def check_place(place: Place) -> Place:
    """The place, or ProfileError when it cannot be used (level, name, country code, zone)."""
    if place.level not in LEVELS:
        raise ProfileError(
            f"Place {place.name!r}: level must be one of {', '.join(LEVELS)}, got {place.level!r}."
        )
    if not place.name or not place.name.strip():
        raise ProfileError(f"A {place.level} has an empty name.")
    if not all(isinstance(alias, str) and alias.strip() for alias in place.aliases):
        raise ProfileError(
            f"Place {place.name!r}: aliases must be non-empty names, got {list(place.aliases)!r}."
        )
    if not _COUNTRY.match(place.country or ""):
        raise ProfileError(
            f"Place {place.name!r}: country must be an ISO 3166-1 alpha-2 code (e.g. US), "
            f"got {place.country!r}."
        )
    if place.tz not in _zones():
        raise ProfileError(
            f"Place {place.name!r}: {place.tz!r} is not an IANA time zone (e.g. America/New_York)."
        )
    return place


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())
