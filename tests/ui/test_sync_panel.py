"""The data panel's database sync, against a real PostgreSQL: the form's fields make the same sync as the
CLI, the password field is used and kept nowhere, a malformed field is named."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.postgres_server import PASSWORD
from tests.shops import NORTHWIND
from tools.events.mapping import IngestError
from tools.events.store import EventStore
from ui.sync_panel import sync_from_panel

COLUMNS = "event_time=sold_at\nuser_id=buyer, product_id=sku\nquantity=qty\namount=total\ncity=city"


@pytest.fixture
def sales(postgres) -> None:
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS panel_sales")
        conn.execute("CREATE TABLE panel_sales (id serial, sold_at timestamptz, buyer text, sku text, "
                     "qty int, total numeric(10, 2), city text)")
        conn.execute("INSERT INTO panel_sales (sold_at, buyer, sku, qty, total, city) "
                     "SELECT timestamptz '2026-06-01 18:00+00' + i * interval '1 hour', 'c' || i % 7, "
                     "'SKU-' || i % 5, 1 + i % 2, 10 + i, (ARRAY['Mumbai', 'Portland', 'Perth'])[1 + i % 3] "
                     "FROM generate_series(1, 30) AS i")


def test_the_form_syncs_new_rows_with_the_password_field(postgres, sales, tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    store.save_profile(NORTHWIND)
    fields = {"url": postgres.url_without_password, "password": PASSWORD, "table": "panel_sales", "query": "",
              "watermark": "id", "columns": COLUMNS, "constants": "event_type=purchase", "key": "id",
              "currency": "USD"}
    first = sync_from_panel(store, **fields)
    assert first.ingest.rows_accepted == 30 and first.ingest.watermark == "30"
    with store.connect() as con:
        revenue = con.execute("SELECT sum(price * quantity) FROM events").fetchone()[0]
    assert round(revenue, 2) == sum(10 + i for i in range(1, 31))
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute("INSERT INTO panel_sales (sold_at, buyer, sku, qty, total, city) VALUES "
                     "('2026-06-03 09:00+00', 'c1', 'SKU-1', 1, 99.50, 'Perth')")
    second = sync_from_panel(store, **fields)
    assert second.ingest.rows_accepted == 1 and "Watermark now 31" in second.summary()
    assert PASSWORD not in (store.root / "ingests" / f"{second.ingest.ingest_id}.json").read_text()


def test_a_malformed_field_is_named(postgres, tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    with pytest.raises(IngestError, match="Columns: 'user_id' is not canonical=value"):
        sync_from_panel(store, postgres.url, "", "panel_sales", "", "", "event_time=sold_at\nuser_id", "",
                        "", "")
