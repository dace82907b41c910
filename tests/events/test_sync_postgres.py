"""`data sync` from a real PostgreSQL server (Debian's, started for these tests): incremental by watermark,
safe when the connection drops mid-copy, read-only, with clear errors. Run on two shops (the demo's profile
and Northwind's)."""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from tests.postgres_server import PASSWORD, PostgresServer
from tests.shops import NORTHWIND
from tools.events.db_sync import DbSource, last_watermark, sync_postgres
from tools.events.ingests import list_ingests, undo_ingest
from tools.events.mapping import ColumnMapping, IngestError
from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore

MAPPING = ColumnMapping.from_flags(
    ["event_time=created_at", "user_id=customer", "order_id=order_no", "product_id=sku", "quantity=qty",
     "amount=line_total", "currency=currency", "city=city"],
    ["event_type=purchase"],
    key=["line_id"],
)
# Cities each shop knows, so every row has a place with a zone.
CITIES = {"demo": ["Munich", "Lyon", "Madrid"], "northwind": ["Brooklyn", "Portland", "Mumbai"]}
CURRENCY = {"demo": "EUR", "northwind": "USD"}


@pytest.fixture
def server(postgres: PostgresServer) -> PostgresServer:
    return postgres


@pytest.fixture(params=["demo", "northwind"])
def shop(request: pytest.FixtureRequest, server: PostgresServer, tmp_path: Path) -> tuple[EventStore, str]:
    """A fresh store with the shop's profile, and a fresh `orders` table in the server."""
    store = EventStore(tmp_path / "store")
    store.save_profile(demo_profile() if request.param == "demo" else NORTHWIND)
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS orders")
        conn.execute(
            "CREATE TABLE orders (line_id serial PRIMARY KEY, order_no text, customer text, sku text, "
            "qty int, line_total numeric(12, 2), currency text, city text, created_at timestamptz, "
            "updated_at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
    return store, request.param


def _insert(server: PostgresServer, shop: str, first: int, count: int) -> None:
    cities = CITIES[shop]
    rows = [
        (f"O{i // 2}", f"c{i % 17}", f"SKU-{i % 9}", 1 + i % 3, Decimal(f"{10 + i % 50}.{i % 100:02d}"),
         CURRENCY[shop], cities[i % len(cities)], f"2026-03-{1 + i % 28:02d} {i % 24:02d}:15:00+00")
        for i in range(first, first + count)
    ]
    with psycopg.connect(server.url) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO orders (order_no, customer, sku, qty, line_total, currency, city, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows
        )


def _purchases(store: EventStore) -> tuple[int, Decimal]:
    count, revenue = store.connect().execute(
        "SELECT count(*), sum(round(price * quantity, 2)) FROM events WHERE event_type = 'purchase'"
    ).fetchone()
    return count, Decimal(str(round(revenue or 0, 2)))


def _source_totals(server: PostgresServer) -> tuple[int, Decimal]:
    with psycopg.connect(server.url) as conn:
        count, total = conn.execute("SELECT count(*), coalesce(sum(line_total), 0) FROM orders").fetchone()
    return count, total


def test_a_second_sync_brings_only_the_rows_inserted_since(shop, server: PostgresServer) -> None:
    store, name = shop
    source = DbSource(server.url, table="public.orders", watermark="updated_at")
    _insert(server, name, 0, 200)
    first = sync_postgres(store, source, MAPPING)
    assert (first.ingest.rows_accepted, first.ingest.rows_rejected) == (200, 0)
    assert _purchases(store) == _source_totals(server)  # every line, revenue to the cent

    _insert(server, name, 200, 35)
    second = sync_postgres(store, source, MAPPING)
    # Rows at the last watermark are read again and skipped by their keys; only the 35 new ones are stored.
    assert second.since == first.ingest.watermark
    assert second.ingest.rows_accepted == 35
    assert second.ingest.rows_read == second.ingest.rows_accepted + second.ingest.rows_skipped
    assert _purchases(store) == _source_totals(server)
    assert last_watermark(store, source) == second.ingest.watermark > first.ingest.watermark

    quiet = sync_postgres(store, source, MAPPING)  # nothing new: nothing stored
    assert quiet.ingest is None or quiet.ingest.events_written == 0
    assert _purchases(store) == _source_totals(server)


def test_a_connection_dropped_mid_copy_leaves_the_last_good_state(shop, server: PostgresServer) -> None:
    store, name = shop
    source = DbSource(server.url, table="orders", watermark="updated_at")
    _insert(server, name, 0, 50)
    sync_postgres(store, source, MAPPING)
    before, ingests_before = _purchases(store), len(list_ingests(store))
    _insert(server, name, 50, 5_000)

    killed: list[int] = []

    def cut_off(rows: int) -> None:
        if rows >= 100 and not killed:  # kill the sync's backend from another session, as a network would
            killed.append(rows)
            with psycopg.connect(server.url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE query LIKE 'COPY%' AND pid <> pg_backend_pid()")

    with pytest.raises(IngestError, match="connection .* was lost .* nothing was stored"):
        sync_postgres(store, source, MAPPING, on_rows=cut_off)
    assert killed
    assert (_purchases(store), len(list_ingests(store))) == (before, ingests_before)
    assert not any((store.root / "sync").iterdir())  # the partial copy is gone

    killed_copy = store.root / "sync" / "killed"  # what a sync killed with -9 leaves: removed when stale
    killed_copy.mkdir()
    os.utime(killed_copy, (time.time() - 7 * 3600,) * 2)
    again = sync_postgres(store, source, MAPPING)  # the next sync starts where the good state ends
    assert not killed_copy.exists()
    assert again.ingest.rows_accepted == 5_000
    assert _purchases(store) == _source_totals(server)


def test_undoing_a_sync_makes_the_next_sync_read_its_rows_again(shop, server: PostgresServer) -> None:
    store, name = shop
    source = DbSource(server.url, table="orders", watermark="line_id")  # a serial id as the watermark
    _insert(server, name, 0, 40)
    sync_postgres(store, source, MAPPING)
    _insert(server, name, 40, 10)
    second = sync_postgres(store, source, MAPPING)
    assert (second.since, second.ingest.watermark) == ("40", "50")
    undo_ingest(store, second.ingest.ingest_id)
    assert _purchases(store)[0] == 40 and last_watermark(store, source) == "40"
    assert sync_postgres(store, source, MAPPING).ingest.rows_accepted == 10
    assert _purchases(store) == _source_totals(server)


def test_a_query_source_is_read_only_and_its_password_is_never_recorded(shop, server: PostgresServer) -> None:
    store, name = shop
    _insert(server, name, 0, 30)
    half = DbSource(server.url, query="SELECT * FROM orders WHERE line_id % 2 = 0;", watermark="line_id")
    report = sync_postgres(store, half, MAPPING)
    assert report.ingest.rows_accepted == 15
    record = (store.root / "ingests" / f"{report.ingest.ingest_id}.json").read_text()
    assert PASSWORD not in record and PASSWORD not in report.summary()
    assert "chronotope@127.0.0.1" in report.ingest.sync_source
    # The same source with the password given apart (a form's field) continues the same sync.
    apart = DbSource(server.url_without_password, query=half.query, watermark="line_id", password=PASSWORD)
    assert apart.label == half.label and PASSWORD not in repr(apart)
    assert sync_postgres(store, apart, MAPPING).since == report.ingest.watermark
    with pytest.raises(IngestError, match="Could not connect .*password"):
        sync_postgres(store, DbSource(server.url_without_password, table="orders", password="wrong"), MAPPING)

    writes = DbSource(server.url, query="SELECT *, nextval('orders_line_id_seq') AS n FROM orders")
    with pytest.raises(IngestError, match="read-only.*only reads"):
        sync_postgres(store, writes, MAPPING)
    with psycopg.connect(server.url) as conn:  # the sequence did not move: nothing was written
        assert conn.execute("SELECT last_value FROM orders_line_id_seq").fetchone()[0] == 30


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"table": "ordres"}, r"ordres.*Check the table's name"),
        ({"table": "orders", "watermark": "changed"}, r"changed.*watermark column"),
        ({"query": "DELETE FROM orders"}, r"one SELECT statement"),
        ({"query": "SELECT 1; DROP TABLE orders"}, r"one statement"),
        ({}, r"a table .* or a SELECT"),
    ],
)
def test_bad_sources_name_the_problem(shop, server: PostgresServer, source: dict, message: str) -> None:
    store, _ = shop
    with pytest.raises(IngestError, match=message):
        sync_postgres(store, DbSource(server.url, **source), MAPPING)
    assert _purchases(store)[0] == 0


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    with pytest.raises(IngestError, match="Could not connect to postgresql://shop@127.0.0.1:9/db"):
        sync_postgres(store, DbSource("postgresql://shop:pw@127.0.0.1:9/db", table="orders"), MAPPING)
    with pytest.raises(IngestError, match="postgresql:// URL"):
        DbSource("mysql://shop@localhost/db", table="orders")


def test_the_cli_syncs_and_exits_2_naming_a_missing_table(shop, server: PostgresServer) -> None:
    from chronotope.cli import app

    store, name = shop
    _insert(server, name, 0, 12)
    flags = ["--map", "event_time=created_at", "--map", "user_id=customer", "--map", "order_id=order_no",
             "--map", "product_id=sku", "--map", "quantity=qty", "--map", "amount=line_total",
             "--map", "city=city", "--set", "event_type=purchase", "--key", "line_id",
             "--currency", CURRENCY[name], "--store", str(store.root)]
    done = CliRunner().invoke(app, ["data", "sync", server.url, "--table", "orders", "--watermark",
                                    "updated_at", *flags])
    assert done.exit_code == 0, done.output
    assert "Copied 12 rows" in done.output and "12 accepted" in done.output
    assert _purchases(store) == _source_totals(server)
    missing = CliRunner().invoke(app, ["data", "sync", server.url, "--table", "nope", *flags])
    assert missing.exit_code == 2 and "nope" in missing.output
