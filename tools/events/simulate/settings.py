"""What the generator needs to build a shop: its profile (places with zones and coordinates, currency and
rates, the categories it sells: any of the generator's catalogue, all of it when the profile names none) and
the generator's own settings (where shoppers live, whom they are called, what they pay in, which
places get a Friday-night spike, regional tastes, delivery times).

The demo shop is one `ShopSettings` (`simulate/profile.py`); any other profile with coordinates on its
regions and cities makes another shop. `Geography` is the resolved form the generator draws from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np

from tools.events.catalog import CATEGORIES
from tools.events.profile import Place, ShopProfile
from tools.events.regions import City


class SettingsError(ValueError):
    """Settings the generator cannot build a shop from (the message says which value and why)."""


@dataclass(frozen=True)
class People:
    """Names and streets of one country's shoppers."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]


@dataclass(frozen=True)
class Area:
    """A region the generator places shoppers in: its zone, centre, holiday subdivision and cities."""

    name: str
    country: str
    tz: str
    lat: float
    lon: float
    subdivision: str | None
    cities: tuple[City, ...]


@dataclass(frozen=True)
class ShopSettings:
    """A shop to generate: the profile plus the generator's choices (every name is a profile place)."""

    profile: ShopProfile
    city_weights: Mapping[str, float]  # city -> share of the shop's shoppers (roughly its population)
    people: Mapping[str, People]  # country code -> its shoppers' names and streets
    # business days from shipping to delivery, by country code; a region name overrides its country's
    delivery_days: Mapping[str, tuple[int, int]]
    paid_in: Mapping[str, str] = field(default_factory=dict)  # country code -> currency (default: the shop's)
    spike_places: tuple[str, ...] = ()  # regions with a planted Friday-night spike
    # each draw adds one spike region chosen among its candidates, in a country no earlier draw chose
    spike_draws: tuple[tuple[str, ...], ...] = ()
    country_taste: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # code -> category factor
    region_taste: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # region -> category factor

    @cached_property
    def categories(self) -> tuple[str, ...]:
        """The categories the shop sells, in the profile's order (checked once)."""
        chosen = self.profile.categories or CATEGORIES
        unknown = [c for c in chosen if c not in CATEGORIES]
        if unknown:
            raise SettingsError(f"The generator has no products for the categories {', '.join(unknown)}. "
                                f"It knows: {', '.join(CATEGORIES)}.")
        return tuple(chosen)

    @cached_property
    def geography(self) -> Geography:
        """The resolved regions, countries and currencies (checked once)."""
        return Geography.of(self)


@dataclass(frozen=True)
class Geography:
    """Regions (index = the generator's region code), countries and the currencies shoppers pay in."""

    regions: tuple[Area, ...]
    countries: tuple[str, ...]
    currencies: tuple[str, ...]  # the shop's own first
    region_currency: np.ndarray  # [R] index into `currencies`
    price_factor: np.ndarray  # [K] units of each currency per unit of the shop's

    @classmethod
    def of(cls, settings: ShopSettings) -> Geography:
        profile = settings.profile
        regions = tuple(_area(profile, place, settings.city_weights) for place in profile.at_level("region"))
        if not regions:
            raise SettingsError(f"The profile {profile.name!r} has no regions to place shoppers in.")
        countries = tuple(p.code or p.country for p in profile.at_level("country"))
        missing = sorted(({r.country for r in regions} | set(countries)) - set(settings.people))
        if missing:
            raise SettingsError(f"No shopper names for the countries {', '.join(missing)}: add them to "
                                "`people`.")
        currencies = (profile.currency, *sorted(set(settings.paid_in.values()) - {profile.currency}))
        region_currency = np.array([currencies.index(settings.paid_in.get(r.country, profile.currency))
                                    for r in regions], dtype=np.int64)
        factors = []
        for code in currencies:
            rate = profile.rate(code, date.max)
            if rate is None:
                raise SettingsError(f"Shoppers pay in {code} but the profile has no {code} rate.")
            factors.append(1 / rate)
        for name in (*settings.spike_places, *(c for draw in settings.spike_draws for c in draw),
                     *settings.region_taste):
            if name not in {r.name for r in regions}:
                raise SettingsError(f"{name!r} in the settings is not a region of the profile.")
        return cls(regions, countries, currencies, region_currency, np.array(factors))

    def region_index(self, name: str) -> int:
        """The generator's code of the region called `name`."""
        return [r.name for r in self.regions].index(name)


def _area(profile: ShopProfile, region: Place, weights: Mapping[str, float]) -> Area:
    cities = []
    for place in profile.children(region):
        if place.level != "city":
            continue
        if place.name not in weights:
            raise SettingsError(f"The city {place.name!r} has no weight in `city_weights`.")
        cities.append(City(place.name, _coordinate(place, place.lat), _coordinate(place, place.lon),
                           weights[place.name]))
    if not cities:
        raise SettingsError(f"The region {region.name!r} has no cities in the profile; shoppers live in "
                            "cities.")
    return Area(region.name, region.country, region.tz, _coordinate(region, region.lat),
                _coordinate(region, region.lon), region.subdivision, tuple(cities))


def _coordinate(place: Place, value: float | None) -> float:
    if value is None:
        raise SettingsError(f"The {place.level} {place.name!r} has no lat/lon in the profile; the generator "
                            "needs them (for distances: travel and shipping).")
    return value
