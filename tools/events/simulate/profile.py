"""The demo shop's profile: its 5 countries, 35 regions and their cities with zones, EUR with a GBP rate.

The generator prices GB items at 0.86 GBP per EUR, so that is the profile's rate; holidays follow each
region's `holidays` subdivision where its country has regional ones (Germany, Spain, the UK's nations).
"""

from __future__ import annotations

from tools.events.catalog import CATEGORIES
from tools.events.profile import Place, ShopProfile
from tools.events.regions import COUNTRIES, all_regions
from tools.events.simulate.calendar import holiday_subdivision

GBP_PER_EUR = 0.86
SHOP_NAME = "Chronotope Store"


def demo_profile() -> ShopProfile:
    """The profile the demo generator stores with the demo shop's data."""
    places: list[Place] = [
        Place("country", country.name, country.code, country.tz, code=country.code) for country in COUNTRIES
    ]
    for region in all_regions():
        places.append(
            Place("region", region.name, region.country, region.tz, code=region.code, lat=region.lat,
                  lon=region.lon, subdivision=holiday_subdivision(region))
        )
        for city in region.cities:
            places.append(Place("city", city.name, region.country, region.tz, parent=region.name,
                                lat=city.lat, lon=city.lon))
    return ShopProfile(name=SHOP_NAME, currency="EUR", rates={"GBP": 1 / GBP_PER_EUR}, places=tuple(places),
                       categories=CATEGORIES)
