"""The demo shop's profile and generator settings: 5 European countries, 35 regions and their cities with
zones, EUR with a GBP rate (British shoppers pay in pounds), European names, tastes and delivery times.

The generator prices GB items at 0.86 GBP per EUR, so that is the profile's rate; holidays follow each
region's `holidays` subdivision where its country has regional ones (Germany, Spain, the UK's nations).
Four regions get the Friday-night spike: the Canary Islands (an hour behind the mainland), a British region
and two continental regions in different countries, drawn from the seed.
"""

from __future__ import annotations

from tools.events.catalog import CANARY_DELIVERY_DAYS, CATEGORIES, CATEGORY_ALIASES, STANDARD_DELIVERY_DAYS
from tools.events.profile import Place, ShopProfile
from tools.events.regions import COUNTRIES, Region, all_regions
from tools.events.simulate.place_names import PLACE_ALIASES
from tools.events.simulate.settings import People, ShopSettings

GBP_PER_EUR = 0.86
SHOP_NAME = "Chronotope Store"
_GB_SUBDIV = {"GB-LND": "ENG", "GB-NWE": "ENG", "GB-WMD": "ENG", "GB-SCT": "SCT", "GB-WLS": "WLS"}

# Regional tastes: category multipliers by country (and a few regions), on top of per-region noise.
_COUNTRY_TASTE: dict[str, dict[str, float]] = {
    "GB": {"Books": 1.5, "Garden": 1.6, "Coffee & Tea": 1.3, "Outdoor Jackets": 1.3, "Pet Supplies": 1.3},
    "DE": {"Cycling": 1.7, "Outdoor Jackets": 1.4, "Boots": 1.4, "Camping Gear": 1.3,
           "Kitchen Appliances": 1.2},
    "FR": {"Beauty": 1.6, "Cookware": 1.5, "Books": 1.2, "Home Decor": 1.3},
    "IT": {"Coffee & Tea": 1.6, "Cookware": 1.4, "Shoes": 1.4, "Beauty": 1.2},
    "ES": {"Fitness": 1.4, "Sports Nutrition": 1.3, "Home Audio": 1.3, "Shoes": 1.2, "Outdoor Jackets": 0.6,
           "Boots": 0.6},
}
_REGION_TASTE: dict[str, dict[str, float]] = {
    "Canary Islands": {"Outdoor Jackets": 0.25, "Boots": 0.3, "Beauty": 1.4},
    "Scotland": {"Outdoor Jackets": 1.6, "Boots": 1.4},
    "Bavaria": {"Boots": 1.3, "Camping Gear": 1.3},
}

_FIRST_NAMES = {
    "FR": ["Camille", "Lucas", "Chloe", "Hugo", "Manon", "Louis", "Lea", "Jules", "Ines", "Arthur", "Sarah",
           "Nathan", "Juliette", "Paul", "Clara", "Theo", "Emma", "Gabriel", "Louise", "Antoine"],
    "DE": ["Lena", "Jonas", "Anna", "Leon", "Marie", "Felix", "Sophie", "Paul", "Laura", "Lukas", "Mia",
           "Finn", "Hannah", "Elias", "Lea", "Maximilian", "Emilia", "Moritz", "Johanna", "Tim"],
    "ES": ["Lucia", "Hugo", "Sofia", "Mateo", "Martina", "Pablo", "Paula", "Daniel", "Carmen", "Alejandro",
           "Elena", "Javier", "Marta", "Diego", "Laura", "Sergio", "Claudia", "Alvaro", "Irene", "Carlos"],
    "IT": ["Giulia", "Francesco", "Sofia", "Alessandro", "Aurora", "Lorenzo", "Chiara", "Matteo", "Martina",
           "Leonardo", "Giorgia", "Andrea", "Sara", "Marco", "Elena", "Davide", "Alice", "Luca", "Federica",
           "Riccardo"],
    "GB": ["Olivia", "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Emily", "Jack", "Sophie",
           "Thomas", "Grace", "James", "Lily", "William", "Ella", "Charlie", "Freya", "Oscar"],
}
_LAST_NAMES = {
    "FR": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
           "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Fournier", "Girard", "Bonnet", "Mercier",
           "Lambert"],
    "DE": ["Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
           "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schroder", "Neumann", "Braun", "Zimmermann",
           "Hartmann", "Kruger"],
    "ES": ["Garcia", "Rodriguez", "Gonzalez", "Fernandez", "Lopez", "Martinez", "Sanchez", "Perez", "Gomez",
           "Martin", "Jimenez", "Ruiz", "Hernandez", "Diaz", "Moreno", "Alvarez", "Romero", "Navarro",
           "Torres", "Dominguez"],
    "IT": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
           "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano", "Mancini", "Rizzo", "Lombardi",
           "Moretti"],
    "GB": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
           "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
           "Clarke"],
}
STREETS = {
    "FR": ["Rue de la Republique", "Avenue Victor Hugo", "Rue Pasteur", "Boulevard Gambetta", "Rue des Lilas",
           "Rue Jean Jaures"],
    "DE": ["Hauptstrasse", "Bahnhofstrasse", "Schulstrasse", "Gartenstrasse", "Lindenweg", "Bergstrasse"],
    "ES": ["Calle Mayor", "Avenida de la Constitucion", "Calle Real", "Plaza de Espana", "Calle del Sol",
           "Paseo del Prado"],
    "IT": ["Via Roma", "Via Garibaldi", "Corso Italia", "Via Mazzini", "Via Dante", "Piazza Verdi"],
    "GB": ["High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane"],
}


def holiday_subdivision(region: Region) -> str | None:
    """The `holidays` package subdivision for a region (None where the country's holidays are national)."""
    if region.country == "GB":
        return _GB_SUBDIV[region.code]
    if region.country in ("DE", "ES"):
        return region.code.split("-")[1]
    return None


def demo_profile() -> ShopProfile:
    """The profile the demo generator stores with the demo shop's data."""
    places: list[Place] = [
        Place("country", country.name, country.code, country.tz, code=country.code,
              aliases=PLACE_ALIASES.get(country.name, ()))
        for country in COUNTRIES
    ]
    for region in all_regions():
        places.append(
            Place("region", region.name, region.country, region.tz, code=region.code, lat=region.lat,
                  lon=region.lon, subdivision=holiday_subdivision(region),
                  aliases=PLACE_ALIASES.get(region.name, ()))
        )
        for city in region.cities:
            places.append(Place("city", city.name, region.country, region.tz, parent=region.name,
                                lat=city.lat, lon=city.lon, aliases=PLACE_ALIASES.get(city.name, ())))
    return ShopProfile(name=SHOP_NAME, currency="EUR", rates={"GBP": 1 / GBP_PER_EUR}, places=tuple(places),
                       categories=CATEGORIES, category_aliases=CATEGORY_ALIASES)


def demo_settings() -> ShopSettings:
    """The demo shop's generator settings (its profile included)."""
    regions = all_regions()
    continental = tuple(r.name for r in regions if r.country in ("DE", "FR", "IT"))
    return ShopSettings(
        profile=demo_profile(),
        city_weights={c.name: c.weight for r in regions for c in r.cities},
        people={code: People(tuple(_FIRST_NAMES[code]), tuple(_LAST_NAMES[code]), tuple(STREETS[code]))
                for code in _FIRST_NAMES},
        delivery_days={**STANDARD_DELIVERY_DAYS, "Canary Islands": CANARY_DELIVERY_DAYS},
        paid_in={"GB": "GBP"},
        spike_places=("Canary Islands",),
        spike_draws=(continental, continental, tuple(r.name for r in regions if r.country == "GB")),
        country_taste=_COUNTRY_TASTE,
        region_taste=_REGION_TASTE,
    )
