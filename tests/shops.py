"""Shops other than the demo, for tests that must not pass on the demo's facts alone.

Northwind is both a profile (tests that only need places, zones and rates) and, with `northwind_settings`,
a whole generated shop: the second shop every engine test runs on (`second_shop` in tests/conftest.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tools.events.catalog import CATEGORIES
from tools.events.profile import DatedRate, Place, ShopProfile
from tools.events.simulate import DemoConfig, People, ShopSettings

_US, _IN, _AU = "America/New_York", "Asia/Kolkata", "Australia/Sydney"
_LA, _CHICAGO, _PERTH = "America/Los_Angeles", "America/Chicago", "Australia/Perth"

# (region, country, zone, holidays subdivision, lat, lon, [(city, lat, lon, share of shoppers), ...])
_REGIONS: tuple[tuple, ...] = (
    (
        "New York",
        "US",
        _US,
        "NY",
        42.9,
        -75.5,
        [
            ("Brooklyn", 40.678, -73.944, 2.5),
            ("Manhattan", 40.783, -73.971, 2.0),
            ("Buffalo", 42.886, -78.878, 0.8),
        ],
    ),
    (
        "Oregon",
        "US",
        _LA,
        "OR",
        44.0,
        -120.5,
        [("Portland", 45.515, -122.679, 2.0), ("Eugene", 44.052, -123.087, 0.6)],
    ),
    (
        "California",
        "US",
        _LA,
        "CA",
        36.8,
        -119.4,
        [
            ("Los Angeles", 34.052, -118.244, 4.0),
            ("San Francisco", 37.775, -122.419, 2.0),
            ("San Diego", 32.716, -117.161, 1.5),
        ],
    ),
    (
        "Texas",
        "US",
        _CHICAGO,
        "TX",
        31.0,
        -99.0,
        [
            ("Houston", 29.760, -95.370, 2.5),
            ("Austin", 30.267, -97.743, 1.5),
            ("Dallas", 32.777, -96.797, 2.0),
        ],
    ),
    ("Illinois", "US", _CHICAGO, "IL", 40.0, -89.2, [("Chicago", 41.878, -87.630, 3.0)]),
    (
        "Florida",
        "US",
        _US,
        "FL",
        28.0,
        -81.7,
        [("Miami", 25.762, -80.192, 2.0), ("Orlando", 28.538, -81.379, 1.0)],
    ),
    ("Washington", "US", _LA, "WA", 47.4, -120.7, [("Seattle", 47.606, -122.332, 2.0)]),
    (
        "Colorado",
        "US",
        "America/Denver",
        "CO",
        39.0,
        -105.5,
        [("Denver", 39.739, -104.990, 1.5), ("Cañon City", 38.441, -105.242, 0.3)],
    ),
    ("Arizona", "US", "America/Phoenix", "AZ", 34.2, -111.6, [("Phoenix", 33.448, -112.074, 1.8)]),
    (
        "Maharashtra",
        "IN",
        _IN,
        None,
        19.7,
        75.7,
        [("Mumbai", 19.076, 72.878, 4.0), ("Pune", 18.520, 73.857, 2.0)],
    ),
    ("Karnataka", "IN", _IN, None, 15.3, 75.7, [("Bengaluru", 12.972, 77.595, 3.0)]),
    ("Delhi", "IN", _IN, None, 28.7, 77.1, [("New Delhi", 28.614, 77.209, 3.5)]),
    ("Tamil Nadu", "IN", _IN, None, 11.1, 78.7, [("Chennai", 13.083, 80.271, 2.0)]),
    ("West Bengal", "IN", _IN, None, 23.0, 87.9, [("Kolkata", 22.573, 88.364, 2.0)]),
    ("Western Australia", "AU", _PERTH, "WA", -27.7, 121.6, [("Perth", -31.951, 115.861, 1.5)]),
    ("New South Wales", "AU", _AU, "NSW", -32.0, 147.0, [("Sydney", -33.869, 151.209, 3.5)]),
    ("Victoria", "AU", "Australia/Melbourne", "VIC", -37.0, 144.0, [("Melbourne", -37.814, 144.963, 3.0)]),
    ("Queensland", "AU", "Australia/Brisbane", "QLD", -22.6, 144.1, [("Brisbane", -27.470, 153.026, 1.8)]),
    # half an hour off the hour, with daylight saving time
    (
        "South Australia",
        "AU",
        "Australia/Adelaide",
        "SA",
        -30.0,
        135.0,
        [("Adelaide", -34.929, 138.601, 1.0)],
    ),
)


def _places() -> tuple[Place, ...]:
    places = [
        Place("country", "United States", "US", _US, code="US"),
        Place("country", "India", "IN", _IN, code="IN"),
        Place("country", "Australia", "AU", _AU, code="AU"),
    ]
    for name, country, tz, subdivision, lat, lon, cities in _REGIONS:
        places.append(Place("region", name, country, tz, lat=lat, lon=lon, subdivision=subdivision))
        places.extend(
            Place("city", city, country, tz, parent=name, lat=c_lat, lon=c_lon)
            for city, c_lat, c_lon, _ in cities
        )
    return tuple(places)


# A US outfitter selling in the US, India and Australia: USD, several zones per country (and half-hour ones),
# a fixed INR rate and a dated AUD table.
NORTHWIND = ShopProfile(
    name="Northwind Outfitters",
    currency="USD",
    rates={"INR": 0.012},
    dated_rates=(DatedRate("AUD", date(2026, 1, 1), 0.64), DatedRate("AUD", date(2026, 5, 1), 0.70)),
    places=_places(),
)

# The generated Northwind shop: test-sized like DemoConfig.small(), within the AUD rate table (2026-01-01 on).
NORTHWIND_CONFIG = DemoConfig(seed=11, n_events=800_000, days=330, end=date(2026, 11, 26))
NORTHWIND_SPIKES = ("Maharashtra", "Oregon", "South Australia", "Texas")


# An outfitter's range: 19 of the generator's 24 categories (no books, beauty, bedding, pets or baby things).
NORTHWIND_CATEGORIES = tuple(c for c in CATEGORIES if c not in ("Books", "Beauty", "Bedding", "Pet Supplies",
                                                                 "Baby & Kids"))


def northwind_settings() -> ShopSettings:
    """Northwind as a generated shop selling NORTHWIND_CATEGORIES: Indians pay in rupees, Australians in
    Australian dollars; Friday nights spike in Maharashtra (UTC+5:30), Oregon, South Australia
    (UTC+9:30/+10:30) and Texas."""
    return ShopSettings(
        profile=replace(NORTHWIND, categories=NORTHWIND_CATEGORIES),
        city_weights={city: weight for *_, cities in _REGIONS for city, _, _, weight in cities},
        people={
            "US": People(
                (
                    "James",
                    "Mary",
                    "Michael",
                    "Patricia",
                    "Robert",
                    "Jennifer",
                    "David",
                    "Linda",
                    "Maria",
                    "Daniel",
                    "Ashley",
                    "Kevin",
                ),
                (
                    "Smith",
                    "Johnson",
                    "Williams",
                    "Brown",
                    "Jones",
                    "Garcia",
                    "Miller",
                    "Davis",
                    "Rodriguez",
                    "Martinez",
                    "Lee",
                    "Nguyen",
                ),
                ("Main Street", "Oak Avenue", "Maple Drive", "Elm Street", "Pine Road", "Cedar Lane"),
            ),
            "IN": People(
                ("Aarav", "Priya", "Vivaan", "Ananya", "Arjun", "Diya", "Rohan", "Isha", "Kabir", "Meera"),
                ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Singh", "Das", "Mehta", "Rao"),
                ("MG Road", "Station Road", "Nehru Marg", "Park Street", "Gandhi Nagar", "Lake View"),
            ),
            "AU": People(
                (
                    "Jack",
                    "Charlotte",
                    "Oliver",
                    "Amelia",
                    "William",
                    "Isla",
                    "Noah",
                    "Mia",
                    "Lachlan",
                    "Chloe",
                ),
                (
                    "Smith",
                    "Jones",
                    "Williams",
                    "Brown",
                    "Wilson",
                    "Taylor",
                    "Nguyen",
                    "Kelly",
                    "Ryan",
                    "Walker",
                ),
                ("George Street", "King Street", "Beach Road", "Queen Street", "Bay Parade", "High St"),
            ),
        },
        delivery_days={"US": (3, 6), "IN": (4, 8), "AU": (5, 9), "Western Australia": (7, 11)},
        paid_in={"IN": "INR", "AU": "AUD"},
        spike_places=NORTHWIND_SPIKES,
        country_taste={
            "US": {"Camping Gear": 1.4, "Home Audio": 1.3, "Cycling": 1.2, "Garden": 1.2},
            "IN": {
                "Phone Accessories": 1.6,
                "Coffee & Tea": 1.4,
                "Books": 1.3,
                "Outdoor Jackets": 0.5,
                "Boots": 0.6,
            },
            "AU": {"Fitness": 1.4, "Sports Nutrition": 1.3, "Outdoor Jackets": 0.7, "Garden": 1.3},
        },
        region_taste={
            "Washington": {"Outdoor Jackets": 1.6, "Boots": 1.3},
            "Arizona": {"Outdoor Jackets": 0.4, "Boots": 0.6},
        },
    )
