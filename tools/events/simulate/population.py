"""A shop's customers: a name, a fake example.com address, a home city (weighted by the settings'
city weights), a home point near it, devices and a signup time, drawn from a seeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tools.events.simulate.settings import Area, Geography, ShopSettings


@dataclass
class Population:
    """Users as parallel arrays (index i is user id U{i+1:06d})."""

    ids: pa.Array
    names: pa.Array
    emails: pa.Array
    region: np.ndarray  # index into the geography's regions
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

    def table(self, cities: CityTable, regions: tuple[Area, ...]) -> pa.Table:
        return pa.table({
            "user_id": self.ids, "name": self.names, "email": self.emails,
            "home_country": np.array([r.country for r in regions])[self.region],
            "home_region": np.array([r.name for r in regions])[self.region],
            "home_city": cities.name[self.city], "home_lat": self.lat, "home_lon": self.lon,
            "signup_at": pa.array(self.signup.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
        })


@dataclass
class CityTable:
    """Every city of the shop as arrays (global city index)."""

    name: np.ndarray
    region: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    weight: np.ndarray


def city_table(regions: tuple[Area, ...]) -> CityTable:
    """The regions' cities flattened, in region order."""
    rows = [(c.name, ri, c.lat, c.lon, c.weight) for ri, r in enumerate(regions) for c in r.cities]
    name, region, lat, lon, weight = zip(*rows)
    return CityTable(np.array(name), np.array(region), np.array(lat), np.array(lon), np.array(weight))


def region_shares(regions: tuple[Area, ...]) -> np.ndarray:
    """Share of shoppers per region: city weights, evened out so small regions still have a real audience."""
    weights = np.array([sum(c.weight for c in r.cities) for r in regions])
    weights = weights / weights.sum()
    return 0.6 * weights + 0.4 / len(weights)


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def make_population(
    rng: np.random.Generator, settings: ShopSettings, n_users: int,
    signup_span: tuple[np.datetime64, np.datetime64],
) -> Population:
    """`n_users` shoppers; about 60% signed up before the span starts, the rest during it (the shop grows)."""
    world: Geography = settings.geography
    regions = world.regions
    cities = city_table(regions)
    region = rng.choice(len(regions), size=n_users, p=region_shares(regions))
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
    country_codes = list(world.countries)
    country = np.array([country_codes.index(c) for c in country_of_region])[region]
    first_names = np.empty(n_users, dtype=object)
    last_names = np.empty(n_users, dtype=object)
    streets = np.empty(n_users, dtype=object)
    for ci, code in enumerate(country_codes):
        members = np.flatnonzero(country == ci)
        people = settings.people[code]
        first_names[members] = rng.choice(list(people.first_names), size=len(members))
        last_names[members] = rng.choice(list(people.last_names), size=len(members))
        streets[members] = rng.choice(list(people.streets), size=len(members))
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
