"""`chronotope data demo|ingest|info|compact|presets` end to end on a temporary data dir."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from agent.config import get_settings
from chronotope.cli import app
from tools.events.profile import ShopProfile
from tools.events.store import EventStore

CSV = (
    "when,who,what,amount\n"
    "2024-05-01 10:00,c1,purchase,12.5\n"
    "2024-05-02 11:00,c2,purchase,-4\n"
    "2024-05-03 12:00,c3,refund,7\n"
)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "state"))
    get_settings.cache_clear()
    yield tmp_path / "state" / "store"
    get_settings.cache_clear()


@pytest.fixture
def sales(tmp_path: Path) -> Path:
    path = tmp_path / "sales.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _text(result) -> str:
    """The command's output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def _ingest(path: Path, *extra: str):
    args = [
        "data",
        "ingest",
        str(path),
        "--map",
        "event_time=when",
        "--map",
        "user_id=who",
        "--map",
        "event_type=what",
        "--map",
        "price=amount",
        "--max-rejected",
        "1",
        *extra,
    ]
    return CliRunner().invoke(app, args)


def test_ingest_prints_the_report_and_the_quarantine_path(cli_env: Path, sales: Path) -> None:
    result = _ingest(sales, "--tz", "Europe/Berlin")
    assert result.exit_code == 0, result.output
    assert "Read 3 rows from sales.csv: 2 accepted (2 events), 1 rejected (negative price: 1)." in _text(
        result
    )
    quarantine = next((cli_env / "quarantine").glob("*.csv"))
    assert str(quarantine) in result.output.replace("\n", "")
    times = EventStore(cli_env).connect().execute("SELECT event_time FROM events ORDER BY 1").fetchall()
    assert times[0][0] == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)  # CEST is UTC+2


def test_second_ingest_of_the_same_file_says_nothing_was_added(cli_env: Path, sales: Path) -> None:
    _ingest(sales)
    result = _ingest(sales)
    assert result.exit_code == 0
    assert "was already ingested" in _text(result) and "nothing added" in _text(result)


def test_ingest_with_a_missing_column_exits_2_listing_the_columns(cli_env: Path, sales: Path) -> None:
    result = CliRunner().invoke(app, ["data", "ingest", str(sales), "--map", "event_time=when"])
    assert result.exit_code == 2
    assert "Required column event_type is missing" in _text(result)
    assert "Available columns: when, who, what, amount" in _text(result)


def test_ingest_with_a_mapping_file_and_a_flag_on_top(cli_env: Path, sales: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[columns]\nevent_time = "when"\nuser_id = "who"\nprice = "amount"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(
        app, ["data", "ingest", str(sales), "--map-file", str(mapping), "--set", "event_type=cart",
              "--max-rejected", "0.5"]
    )
    assert result.exit_code == 0, result.output
    types = EventStore(cli_env).connect().execute("SELECT DISTINCT event_type FROM events").fetchall()
    assert types == [("cart",)]


def test_info_shows_counts_by_type_place_and_date_range(cli_env: Path, sales: Path) -> None:
    _ingest(sales, "--set", "country=DE")
    result = CliRunner().invoke(app, ["data", "info"])
    assert result.exit_code == 0, result.output
    assert "2 events from 2024-05-01 10:00 to 2024-05-03 12:00 UTC" in _text(result)
    assert "purchase" in result.output and "refund" in result.output
    assert "1 country value(s); top 1" in _text(result) and "DE" in result.output
    assert "1 file(s) ingested" in _text(result)


def test_info_on_an_empty_store_suggests_the_demo(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["data", "info"])
    assert result.exit_code == 0
    assert "holds no events yet" in _text(result)


def test_compact_folds_live_batches(cli_env: Path) -> None:
    store = EventStore(cli_env)
    for hour in range(3):
        store.append_events(
            pa.Table.from_pylist(
                [{"event_time": datetime(2024, 6, 1, hour, tzinfo=UTC), "event_type": "view", "user_id": "u"}]
            )
        )
    result = CliRunner().invoke(app, ["data", "compact"])
    assert result.exit_code == 0, result.output
    assert "Compacted 3 live event(s); event files 3 -> 1." in _text(result)
    assert store.live_files() == []


def test_demo_builds_a_small_shop_and_refuses_too_few_events(cli_env: Path) -> None:
    refused = CliRunner().invoke(app, ["data", "demo", "--events", "500"])
    assert refused.exit_code == 2 and "n_events must be >= 10000" in _text(refused)
    result = CliRunner().invoke(app, ["data", "demo", "--events", "10000", "--days", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    count = EventStore(cli_env).connect().execute("SELECT count(*) FROM events").fetchone()[0]
    assert f"Demo shop: {count:,} events" in _text(result) and count >= 10_000
    profile = CliRunner().invoke(app, ["data", "profile"])
    assert profile.exit_code == 0, profile.output
    text = _text(profile)
    assert "Chronotope Store: reports in EUR (1 GBP = 1.163 EUR)" in text and "weeks start on Monday" in text
    assert "Atlantic/Canary" in text and "Europe/London" in text
    stored = CliRunner().invoke(app, ["data", "profile", "--json"])
    assert ShopProfile.from_json(stored.output) == EventStore(cli_env).profile()
    assert len(EventStore(cli_env).profile().at_level("region")) == 35


def test_presets_are_listed_with_their_credit(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["data", "presets"])
    assert result.exit_code == 0
    assert (
        "online-retail" in result.output
        and "online-shoppers" in result.output
        and "CC BY 4.0" in _text(result)
    )


def test_profile_lists_fixed_and_dated_rates_of_another_shop(cli_env: Path) -> None:
    from dataclasses import replace

    from tests.shops import NORTHWIND

    EventStore(cli_env).save_profile(NORTHWIND)
    text = _text(CliRunner().invoke(app, ["data", "profile"]))
    assert "Northwind Outfitters: reports in USD (1 INR = 0.012 USD; 2 dated rate(s))" in text
    EventStore(cli_env).save_profile(replace(NORTHWIND, rates={}))
    text = _text(CliRunner().invoke(app, ["data", "profile"]))
    assert "reports in USD (2 dated rate(s))" in text and "Asia/Kolkata" in text
