"""The second shop as a user would bring it: Northwind generated, its events exported as an awkward CSV
(Latin-1, `;` between fields, decimal commas, thousands dots, day-first dates, line totals, three currencies,
a German header with umlauts and a place name with an n-tilde), then ingested with flags only.

The generator's other tables (products, users, orders, reviews) are copied as they are: the ingest is for
events. `build_second_shop` is what the `second_shop` fixture and bench/events.py run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from tests.shops import NORTHWIND_CONFIG, northwind_settings
from tools.events.schema import GroundTruth
from tools.events.simulate import build_shop
from tools.events.store import EventStore

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
