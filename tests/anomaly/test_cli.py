"""`chronotope anomalies`, `chronotope fraud` and `chronotope fraud label` on the planted shop."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.config import get_settings
from chronotope.cli import app
from tests.anomaly.shop import PlantedShop
from tests.conftest import MODEL_CACHE
from tools.anomaly.fraud.labels import LabelStore


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("CHRONOTOPE_MODEL_CACHE_DIR", str(MODEL_CACHE))  # the embedder built once, shared
    get_settings.cache_clear()
    yield get_settings().anomaly_path
    get_settings.cache_clear()


def _text(result) -> str:
    return " ".join(result.output.split())


def test_anomalies_command_prints_the_outage(planted_shop: PlantedShop, state_dir: Path) -> None:
    result = CliRunner().invoke(app, ["anomalies", "--since", "7d", "--store", str(planted_shop.store.root)])
    assert result.exit_code == 0, result.output
    assert "outage in Bavaria" in _text(result)


def test_anomalies_command_explains_a_bad_region(planted_shop: PlantedShop, state_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["anomalies", "--region", "Atlantis", "--store", str(planted_shop.store.root)]
    )
    assert result.exit_code == 2
    assert "Unknown region 'Atlantis'" in _text(result)


def test_fraud_then_label_stores_the_decision(planted_shop: PlantedShop, state_dir: Path) -> None:
    result = CliRunner().invoke(app, ["fraud", "--since", "7d", "--store", str(planted_shop.store.root)])
    assert result.exit_code == 0, result.output
    assert "FC-DCT0001" in result.output
    unlabelled = CliRunner().invoke(app, ["fraud", "label", "FC-DCT0001", "--fraud"])  # the settings' store
    assert unlabelled.exit_code == 2 and "pass the same --store" in _text(unlabelled)
    labelled = CliRunner().invoke(app, ["fraud", "label", "FC-DCT0001", "--fraud", "--note", "chargebacks",
                                        "--store", str(planted_shop.store.root)])
    assert labelled.exit_code == 0, labelled.output
    assert "Labelled FC-DCT0001 as fraud (12 orders)" in _text(labelled)
    beside = planted_shop.store.root.resolve().parent / "anomaly"  # another store's state stays beside it
    assert [(label.case_id, label.fraud, label.note) for label in LabelStore(beside).all()] == [
        ("FC-DCT0001", True, "chargebacks")
    ]
    assert LabelStore(state_dir).all() == []


def test_labelling_before_any_report_says_what_to_run(state_dir: Path) -> None:
    result = CliRunner().invoke(app, ["fraud", "label", "FC-X", "--not-fraud"])
    assert result.exit_code == 2
    assert "Unknown fraud case 'FC-X'. Run `chronotope fraud` first." in _text(result)


def test_complaints_command_prints_the_wave(planted_shop: PlantedShop, state_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["complaints", "--since", "30d", "--store", str(planted_shop.store.root)]
    )
    assert result.exit_code == 0, result.output
    assert "1 complaint wave(s)" in _text(result) and "in Lombardy" in _text(result)
