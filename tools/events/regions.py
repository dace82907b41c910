"""Regions registry: countries > regions > cities with real names, centroids and IANA time zones.

"Friday night" always means local time in the event's region, so every region carries its zone (Spain's
Canary Islands sit an hour behind the mainland; Great Britain and Portugal likewise behind the continent).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tools.errors import EngineInputError


class UnknownRegion(EngineInputError):
    """A country, region or city name that the registry does not know."""


@dataclass(frozen=True)
class City:
    name: str
    lat: float
    lon: float
    weight: float  # share of the region's shoppers (roughly population)


@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-2 code, e.g. "DE-BY"
    name: str  # e.g. "Bavaria"
    country: str  # ISO 3166-1 alpha-2, e.g. "DE"
    tz: str  # IANA time zone
    lat: float
    lon: float
    cities: tuple[City, ...]


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    currency: str
    tz: str  # the zone of events that carry this country but no known region (imported data)


COUNTRIES: tuple[Country, ...] = (
    Country("FR", "France", "EUR", "Europe/Paris"),
    Country("DE", "Germany", "EUR", "Europe/Berlin"),
    Country("ES", "Spain", "EUR", "Europe/Madrid"),
    Country("IT", "Italy", "EUR", "Europe/Rome"),
    Country("GB", "United Kingdom", "GBP", "Europe/London"),
)

# (code, name, country, tz, lat, lon, [(city, lat, lon, weight), ...])
_REGIONS: tuple[tuple, ...] = (
    ("FR-IDF", "Ile-de-France", "FR", "Europe/Paris", 48.71, 2.50,
     [("Paris", 48.857, 2.352, 5.0), ("Versailles", 48.805, 2.120, 0.6),
      ("Saint-Denis", 48.936, 2.357, 0.8)]),
    ("FR-ARA", "Auvergne-Rhone-Alpes", "FR", "Europe/Paris", 45.45, 4.39,
     [("Lyon", 45.764, 4.836, 3.0), ("Grenoble", 45.188, 5.724, 1.0),
      ("Clermont-Ferrand", 45.778, 3.087, 0.8)]),
    ("FR-PAC", "Provence-Alpes-Cote d'Azur", "FR", "Europe/Paris", 43.93, 6.07,
     [("Marseille", 43.296, 5.370, 3.0), ("Nice", 43.710, 7.262, 1.5), ("Toulon", 43.124, 5.928, 0.8)]),
    ("FR-OCC", "Occitanie", "FR", "Europe/Paris", 43.70, 2.14,
     [("Toulouse", 43.605, 1.444, 2.5), ("Montpellier", 43.611, 3.877, 1.5)]),
    ("FR-NAQ", "Nouvelle-Aquitaine", "FR", "Europe/Paris", 45.19, 0.20,
     [("Bordeaux", 44.838, -0.579, 2.5), ("Limoges", 45.834, 1.262, 0.6), ("Poitiers", 46.580, 0.340, 0.5)]),
    ("FR-HDF", "Hauts-de-France", "FR", "Europe/Paris", 49.97, 2.80,
     [("Lille", 50.629, 3.057, 2.0), ("Amiens", 49.894, 2.296, 0.7)]),
    ("FR-GES", "Grand Est", "FR", "Europe/Paris", 48.70, 5.61,
     [("Strasbourg", 48.573, 7.752, 1.8), ("Reims", 49.258, 4.032, 0.8), ("Metz", 49.119, 6.176, 0.7)]),
    ("FR-BRE", "Brittany", "FR", "Europe/Paris", 48.18, -2.84,
     [("Rennes", 48.117, -1.678, 1.5), ("Brest", 48.390, -4.486, 0.8)]),
    ("FR-PDL", "Pays de la Loire", "FR", "Europe/Paris", 47.47, -0.82,
     [("Nantes", 47.218, -1.554, 2.0), ("Angers", 47.478, -0.563, 0.7)]),
    ("DE-BY", "Bavaria", "DE", "Europe/Berlin", 48.95, 11.40,
     [("Munich", 48.137, 11.576, 3.0), ("Nuremberg", 49.452, 11.077, 1.5),
      ("Augsburg", 48.371, 10.898, 0.8)]),
    ("DE-BE", "Berlin", "DE", "Europe/Berlin", 52.52, 13.40,
     [("Berlin", 52.520, 13.405, 4.0)]),
    ("DE-HH", "Hamburg", "DE", "Europe/Berlin", 53.55, 10.00,
     [("Hamburg", 53.551, 9.994, 2.5)]),
    ("DE-NW", "North Rhine-Westphalia", "DE", "Europe/Berlin", 51.48, 7.55,
     [("Cologne", 50.938, 6.960, 2.5), ("Dusseldorf", 51.228, 6.773, 1.5), ("Dortmund", 51.514, 7.466, 1.5)]),
    ("DE-BW", "Baden-Wurttemberg", "DE", "Europe/Berlin", 48.54, 9.04,
     [("Stuttgart", 48.776, 9.183, 2.0), ("Karlsruhe", 49.007, 8.404, 1.0),
      ("Freiburg", 47.999, 7.842, 0.8)]),
    ("DE-HE", "Hesse", "DE", "Europe/Berlin", 50.61, 9.03,
     [("Frankfurt", 50.110, 8.682, 2.0), ("Wiesbaden", 50.078, 8.240, 0.7)]),
    ("DE-SN", "Saxony", "DE", "Europe/Berlin", 51.05, 13.20,
     [("Dresden", 51.050, 13.737, 1.5), ("Leipzig", 51.340, 12.375, 1.5)]),
    ("DE-NI", "Lower Saxony", "DE", "Europe/Berlin", 52.64, 9.85,
     [("Hanover", 52.375, 9.732, 1.5), ("Brunswick", 52.269, 10.521, 0.7)]),
    ("ES-MD", "Madrid", "ES", "Europe/Madrid", 40.42, -3.70,
     [("Madrid", 40.417, -3.704, 4.0), ("Alcala de Henares", 40.482, -3.364, 0.5)]),
    ("ES-CT", "Catalonia", "ES", "Europe/Madrid", 41.59, 1.52,
     [("Barcelona", 41.387, 2.170, 3.5), ("Girona", 41.979, 2.822, 0.5), ("Tarragona", 41.119, 1.245, 0.4)]),
    ("ES-AN", "Andalusia", "ES", "Europe/Madrid", 37.54, -4.73,
     [("Seville", 37.389, -5.984, 2.0), ("Malaga", 36.721, -4.421, 1.5), ("Granada", 37.177, -3.599, 0.8)]),
    ("ES-VC", "Valencian Community", "ES", "Europe/Madrid", 39.48, -0.75,
     [("Valencia", 39.470, -0.376, 2.0), ("Alicante", 38.345, -0.481, 1.0)]),
    ("ES-PV", "Basque Country", "ES", "Europe/Madrid", 43.04, -2.62,
     [("Bilbao", 43.263, -2.935, 1.2), ("San Sebastian", 43.318, -1.981, 0.6)]),
    ("ES-CN", "Canary Islands", "ES", "Atlantic/Canary", 28.29, -16.63,
     [("Las Palmas", 28.124, -15.430, 1.0), ("Santa Cruz de Tenerife", 28.464, -16.252, 0.9)]),
    ("IT-25", "Lombardy", "IT", "Europe/Rome", 45.59, 9.93,
     [("Milan", 45.464, 9.190, 3.5), ("Bergamo", 45.698, 9.677, 0.7), ("Brescia", 45.541, 10.212, 0.7)]),
    ("IT-62", "Lazio", "IT", "Europe/Rome", 41.98, 12.77,
     [("Rome", 41.903, 12.496, 4.0), ("Latina", 41.467, 12.904, 0.4)]),
    ("IT-72", "Campania", "IT", "Europe/Rome", 40.86, 14.84,
     [("Naples", 40.852, 14.268, 2.5), ("Salerno", 40.683, 14.768, 0.6)]),
    ("IT-82", "Sicily", "IT", "Europe/Rome", 37.60, 14.02,
     [("Palermo", 38.116, 13.361, 1.5), ("Catania", 37.507, 15.083, 1.0)]),
    ("IT-21", "Piedmont", "IT", "Europe/Rome", 45.05, 7.92,
     [("Turin", 45.070, 7.687, 2.0)]),
    ("IT-52", "Tuscany", "IT", "Europe/Rome", 43.45, 11.13,
     [("Florence", 43.770, 11.256, 1.5), ("Pisa", 43.716, 10.402, 0.5)]),
    ("IT-34", "Veneto", "IT", "Europe/Rome", 45.65, 11.85,
     [("Venice", 45.441, 12.316, 1.0), ("Verona", 45.438, 10.992, 1.0), ("Padua", 45.406, 11.877, 0.8)]),
    ("GB-LND", "Greater London", "GB", "Europe/London", 51.51, -0.13,
     [("London", 51.507, -0.128, 6.0)]),
    ("GB-SCT", "Scotland", "GB", "Europe/London", 56.49, -4.20,
     [("Edinburgh", 55.953, -3.189, 1.5), ("Glasgow", 55.864, -4.252, 2.0),
      ("Aberdeen", 57.150, -2.094, 0.6)]),
    ("GB-NWE", "North West England", "GB", "Europe/London", 53.77, -2.70,
     [("Manchester", 53.481, -2.243, 2.5), ("Liverpool", 53.408, -2.991, 1.5)]),
    ("GB-WLS", "Wales", "GB", "Europe/London", 52.13, -3.78,
     [("Cardiff", 51.481, -3.179, 1.2), ("Swansea", 51.621, -3.944, 0.6)]),
    ("GB-WMD", "West Midlands", "GB", "Europe/London", 52.48, -1.89,
     [("Birmingham", 52.486, -1.890, 2.5), ("Coventry", 52.407, -1.512, 0.8)]),
)


@lru_cache(maxsize=1)
def all_regions() -> tuple[Region, ...]:
    """Every region in the registry, in a stable order."""
    return tuple(
        Region(code, name, country, tz, lat, lon, tuple(City(*c) for c in cities))
        for code, name, country, tz, lat, lon, cities in _REGIONS
    )


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@lru_cache(maxsize=1)
def _region_index() -> dict[str, Region]:
    index: dict[str, Region] = {}
    for region in all_regions():
        index[_norm(region.code)] = region
        index[_norm(region.name)] = region
    return index


def get_region(name_or_code: str) -> Region:
    """Look a region up by name or ISO code, ignoring case, spaces and punctuation ("bavaria", "DE-BY")."""
    region = _region_index().get(_norm(name_or_code))
    if region is None:
        raise UnknownRegion(
            f"Unknown region {name_or_code!r}. Valid regions: {', '.join(r.name for r in all_regions())}."
        )
    return region


def get_country(name_or_code: str) -> Country:
    """Look a country up by ISO code or English name ("DE", "germany")."""
    key = _norm(name_or_code)
    for country in COUNTRIES:
        if key in (_norm(country.code), _norm(country.name)):
            return country
    raise UnknownRegion(
        f"Unknown country {name_or_code!r}. Valid countries: "
        f"{', '.join(f'{c.name} ({c.code})' for c in COUNTRIES)}."
    )


def region_of_city(city: str) -> Region:
    """The region a city belongs to."""
    key = _norm(city)
    for region in all_regions():
        if any(_norm(c.name) == key for c in region.cities):
            return region
    raise UnknownRegion(f"Unknown city {city!r}. Cities are listed per region in tools/events/regions.py.")


def region_timezones() -> dict[str, str]:
    """Region name -> IANA time zone."""
    return {r.name: r.tz for r in all_regions()}
