"""The second shop as a user would bring it: Northwind (tests/shops.py) generated with `northwind_settings`,
its events exported as an awkward CSV (Latin-1, `;` between fields, decimal commas, thousands dots, day-first
dates, line totals, three currencies, a German header with umlauts and a place name with an n-tilde), then
ingested with flags only. Its profile keeps NORTHWIND's name, currency, rates and places and adds 15 regions,
their cities and coordinates.

The generator's other tables (products, users, orders, reviews) are copied as they are: the ingest is for
events. `build_second_shop` is what the `second_shop` fixture and bench/events.py run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from tests.shops import NORTHWIND
from tools.events.profile import Place
from tools.events.schema import GroundTruth
from tools.events.simulate import DemoConfig, People, ShopSettings, build_shop
from tools.events.store import EventStore

_US, _IN, _AU = "America/New_York", "Asia/Kolkata", "Australia/Sydney"
_LA, _CHICAGO, _PERTH = "America/Los_Angeles", "America/Chicago", "Australia/Perth"

# (region, country, zone, holidays subdivision, lat, lon, [(city, lat, lon, share of shoppers), ...])
_REGIONS: tuple[tuple, ...] = (
    ("New York", "US", _US, "NY", 42.9, -75.5,
     [("Brooklyn", 40.678, -73.944, 2.5), ("Manhattan", 40.783, -73.971, 2.0),
      ("Buffalo", 42.886, -78.878, 0.8)]),
    ("Oregon", "US", _LA, "OR", 44.0, -120.5,
     [("Portland", 45.515, -122.679, 2.0), ("Eugene", 44.052, -123.087, 0.6)]),
    ("California", "US", _LA, "CA", 36.8, -119.4,
     [("Los Angeles", 34.052, -118.244, 4.0), ("San Francisco", 37.775, -122.419, 2.0),
      ("San Diego", 32.716, -117.161, 1.5)]),
    ("Texas", "US", _CHICAGO, "TX", 31.0, -99.0,
     [("Houston", 29.76, -95.37, 2.5), ("Austin", 30.267, -97.743, 1.5), ("Dallas", 32.777, -96.797, 2.0)]),
    ("Illinois", "US", _CHICAGO, "IL", 40.0, -89.2, [("Chicago", 41.878, -87.63, 3.0)]),
    ("Florida", "US", _US, "FL", 28.0, -81.7,
     [("Miami", 25.762, -80.192, 2.0), ("Orlando", 28.538, -81.379, 1.0)]),
    ("Washington", "US", _LA, "WA", 47.4, -120.7, [("Seattle", 47.606, -122.332, 2.0)]),
    ("Colorado", "US", "America/Denver", "CO", 39.0, -105.5,
     [("Denver", 39.739, -104.99, 1.5), ("Cañon City", 38.441, -105.242, 0.3)]),
    ("Arizona", "US", "America/Phoenix", "AZ", 34.2, -111.6, [("Phoenix", 33.448, -112.074, 1.8)]),
    ("Maharashtra", "IN", _IN, None, 19.7, 75.7,
     [("Mumbai", 19.076, 72.878, 4.0), ("Pune", 18.52, 73.857, 2.0)]),
    ("Karnataka", "IN", _IN, None, 15.3, 75.7, [("Bengaluru", 12.972, 77.595, 3.0)]),
    ("Delhi", "IN", _IN, None, 28.7, 77.1, [("New Delhi", 28.614, 77.209, 3.5)]),
    ("Tamil Nadu", "IN", _IN, None, 11.1, 78.7, [("Chennai", 13.083, 80.271, 2.0)]),
    ("West Bengal", "IN", _IN, None, 23.0, 87.9, [("Kolkata", 22.573, 88.364, 2.0)]),
    ("Western Australia", "AU", _PERTH, "WA", -27.7, 121.6, [("Perth", -31.951, 115.861, 1.5)]),
    ("New South Wales", "AU", _AU, "NSW", -32.0, 147.0, [("Sydney", -33.869, 151.209, 3.5)]),
    ("Victoria", "AU", "Australia/Melbourne", "VIC", -37.0, 144.0, [("Melbourne", -37.814, 144.963, 3.0)]),
    ("Queensland", "AU", "Australia/Brisbane", "QLD", -22.6, 144.1, [("Brisbane", -27.47, 153.026, 1.8)]),
    # half an hour off the hour, with daylight saving time
    ("South Australia", "AU", "Australia/Adelaide", "SA", -30.0, 135.0,
     [("Adelaide", -34.929, 138.601, 1.0)]),
)


def _places() -> tuple[Place, ...]:
    """The generated Northwind's places: NORTHWIND's and more, with coordinates and holiday subdivisions."""
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


# The generated Northwind shop: test-sized like DemoConfig.small(), within the AUD rate table (2026-01-01 on).
NORTHWIND_CONFIG = DemoConfig(seed=11, n_events=1_000_000, days=330, end=date(2026, 11, 26))
NORTHWIND_SPIKES = ("Maharashtra", "Oregon", "South Australia", "Texas")


def northwind_settings() -> ShopSettings:
    """Northwind as a generated shop: Indians pay in rupees, Australians in Australian dollars; Friday nights
    spike in Maharashtra (UTC+5:30), Oregon, South Australia (UTC+9:30/+10:30) and Texas."""
    return ShopSettings(
        profile=replace(NORTHWIND, places=_places()),
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


# canonical column -> the export's header
HEADER = {
    "event_time": "Zeitpunkt", "event_type": "Vorgang", "user_id": "Kunde", "session_id": "Sitzung",
    "product_id": "Artikel", "category": "Warengruppe", "quantity": "Menge", "amount": "Betrag",
    "currency": "Währung", "country": "Land", "region": "Bundesstaat", "city": "Ort", "lat": "Breite",
    "lon": "Länge", "device_id": "Gerät", "channel": "Kanal", "order_id": "Beleg",
}
TIME_FORMAT = "%d.%m.%Y %H:%M:%S"
DIALECT_FLAGS = ["--sep", ";", "--decimal", ",", "--thousands", ".", "--encoding", "latin-1",
                 "--time-format", TIME_FORMAT]
TABLES = ("products", "users", "orders", "reviews")


def ingest_flags() -> list[str]:
    """The flags that read the awkward export: its dialect and one --map per column."""
    maps = [flag for canonical, column in HEADER.items() for flag in ("--map", f"{canonical}={column}")]
    return [*DIALECT_FLAGS, *maps]


def export_awkward_csv(source: EventStore, path: Path) -> int:
    """Write the events of `source` as the awkward export, in time order; returns the number of data rows."""
    con = source.connect()
    con.execute("SET TimeZone = 'UTC'")
    amount = "round(price * quantity, 2)"
    columns = {
        "event_time": f"strftime(event_time, '{TIME_FORMAT}')",
        "quantity": "CAST(quantity AS VARCHAR)",
        "amount": f"translate(format('{{:,.2f}}', {amount}), ',.', '.,')",
        "lat": "translate(format('{:.4f}', lat), '.', ',')",
        "lon": "translate(format('{:.4f}', lon), '.', ',')",
    }
    select = ", ".join(f'{columns.get(c, c)} AS "{column}"' for c, column in HEADER.items())
    utf8 = path.with_suffix(".utf8")
    con.execute(f"COPY (SELECT {select} FROM events ORDER BY event_time, session_id, event_type, product_id, "
                f"order_id, user_id) TO '{utf8}' (DELIMITER ';', HEADER)")
    lines = 0
    with utf8.open(encoding="utf-8") as text, path.open("w", encoding="latin-1", newline="") as target:
        while chunk := text.read(1 << 24):  # re-encoded in pieces: a 10M-row export is over 1 GB
            target.write(chunk)
            lines += chunk.count("\n")
    utf8.unlink()
    return lines - 1


def ingest_awkward_csv(store: EventStore, path: Path) -> str:
    """Run `chronotope data ingest` on the export with flags only; returns its output (exit code checked)."""
    from agent.config import get_settings
    from chronotope.cli import app

    args = ["data", "ingest", str(path), "--store", str(store.root), *ingest_flags()]
    # the CLI's own state goes beside the store, never into the checkout's data dir
    env = {"COLUMNS": "200", "CHRONOTOPE_DATA_DIR": str(Path(store.root).parent / "state")}
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, args, env=env)
    finally:
        get_settings.cache_clear()
    if result.exit_code != 0:
        raise RuntimeError(f"ingest exited {result.exit_code}: {result.output}")
    return result.output


@dataclass
class SecondShop:
    """The ingested shop, the generator's own store it came from, its ground truth and the export."""

    store: EventStore
    generated: EventStore
    truth: GroundTruth
    export: Path


def empty_northwind_store(root: Path) -> EventStore:
    """A store with Northwind's profile and nothing else (what a user has before the first ingest)."""
    store = EventStore(root)
    store.save_profile(northwind_settings().profile)
    return store


def build_second_shop(root: Path) -> SecondShop:
    """Generate Northwind under `root`, export its events as the awkward CSV and ingest that into a fresh
    store beside the generator's tables."""
    generated = EventStore(root / "generated")
    truth = build_shop(generated, northwind_settings(), NORTHWIND_CONFIG, progress=False)
    path = root / "northwind-export.csv"
    export_awkward_csv(generated, path)
    store = empty_northwind_store(root / "store")
    for name in TABLES:
        store.write_table(name, pa.concat_tables(pq.read_table(f) for f in generated.table_files(name)))
    ingest_awkward_csv(store, path)
    return SecondShop(store, generated, truth, path)
