"""The demo shop's customers: a name, a fake example.com address, a home city (weighted by the registry's
city weights), a home point near it, devices and a signup time, drawn from a seeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tools.events.regions import COUNTRIES, all_regions

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



@dataclass
class Population:
    """Users as parallel arrays (index i is user id U{i+1:06d})."""

    ids: pa.Array
    names: pa.Array
    emails: pa.Array
    region: np.ndarray  # index into all_regions()
    city: np.ndarray  # global city index (see city_table)
    lat: np.ndarray
    lon: np.ndarray
    address: pa.Array
    signup: np.ndarray  # datetime64[s]
    activity: np.ndarray  # relative session rate
    n_devices: np.ndarray  # 1 or 2
    device_base: np.ndarray  # device ids are D{device_base + k:07d}

    def __len__(self) -> int:
        return len(self.region)

    def table(self, cities: CityTable) -> pa.Table:
        regions = all_regions()
        return pa.table({
            "user_id": self.ids, "name": self.names, "email": self.emails,
            "home_country": np.array([r.country for r in regions])[self.region],
            "home_region": np.array([r.name for r in regions])[self.region],
            "home_city": cities.name[self.city], "home_lat": self.lat, "home_lon": self.lon,
            "signup_at": pa.array(self.signup.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
        })


@dataclass
class CityTable:
    """Every city of the registry as arrays (global city index)."""

    name: np.ndarray
    region: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    weight: np.ndarray


def city_table() -> CityTable:
    """The registry's cities flattened, in registry order."""
    rows = [(c.name, ri, c.lat, c.lon, c.weight) for ri, r in enumerate(all_regions()) for c in r.cities]
    name, region, lat, lon, weight = zip(*rows)
    return CityTable(np.array(name), np.array(region), np.array(lat), np.array(lon), np.array(weight))


def region_shares() -> np.ndarray:
    """Share of shoppers per region: city weights, evened out so small regions still have a real audience."""
    weights = np.array([sum(c.weight for c in r.cities) for r in all_regions()])
    weights = weights / weights.sum()
    return 0.6 * weights + 0.4 / len(weights)


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def make_population(
    rng: np.random.Generator, n_users: int, signup_span: tuple[np.datetime64, np.datetime64]
) -> Population:
    """`n_users` shoppers; about 60% signed up before the span starts, the rest during it (the shop grows)."""
    cities = city_table()
    regions = all_regions()
    region = rng.choice(len(regions), size=n_users, p=region_shares())
    # city within region by the registry's city weights
    city = np.empty(n_users, dtype=np.int64)
    for ri in range(len(regions)):
        members = np.flatnonzero(region == ri)
        options = np.flatnonzero(cities.region == ri)
        city[members] = rng.choice(options, size=len(members),
                                   p=cities.weight[options] / cities.weight[options].sum())
    # Home point: a few km around the city centre (per user, so a user's events share one point).
    lat = np.round(cities.lat[city] + rng.normal(0, 0.025, n_users), 4)
    lon = np.round(cities.lon[city] + rng.normal(0, 0.035, n_users), 4)
    country_of_region = np.array([r.country for r in regions])
    country_codes = [c.code for c in COUNTRIES]
    country = np.array([country_codes.index(c) for c in country_of_region])[region]
    first_names = np.empty(n_users, dtype=object)
    last_names = np.empty(n_users, dtype=object)
    streets = np.empty(n_users, dtype=object)
    for ci, code in enumerate(country_codes):
        members = np.flatnonzero(country == ci)
        first_names[members] = rng.choice(_FIRST_NAMES[code], size=len(members))
        last_names[members] = rng.choice(_LAST_NAMES[code], size=len(members))
        streets[members] = rng.choice(STREETS[code], size=len(members))
    first_arr, last_arr = pa.array(first_names, pa.string()), pa.array(last_names, pa.string())
    names = _join(first_arr, " ", last_arr)
    number = pa.array(rng.integers(1, 999, n_users)).cast(pa.string())
    email_local = pc.utf8_lower(pc.replace_substring(_join(first_arr, ".", last_arr), " ", ""))
    emails = _join(email_local, number, "@example.com")
    house = pa.array(rng.integers(1, 180, n_users)).cast(pa.string())
    address = _join(house, " ", pa.array(streets, pa.string()), ", ", pa.array(cities.name[city]))
    ids = _join("U", pc.utf8_lpad(pa.array(np.arange(1, n_users + 1)).cast(pa.string()), 6, "0"))
    first, last = signup_span
    span_s = int((last - first) / np.timedelta64(1, "s"))
    before = rng.random(n_users) < 0.6
    offset = np.where(before, -rng.integers(1, 3 * 365 * 86400, n_users), rng.integers(0, span_s, n_users))
    signup = first.astype("datetime64[s]") + offset.astype("timedelta64[s]")
    activity = np.minimum(rng.lognormal(0.0, 0.8, n_users), 12.0)
    n_devices = 1 + (rng.random(n_users) < 0.35)
    device_base = np.concatenate([[0], np.cumsum(n_devices)[:-1]]) + 1
    return Population(ids, names, emails, region, city, lat, lon, address, signup, activity, n_devices,
                      device_base)
