"""`chronotope model prepare` and `chronotope model info`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.config import get_settings
from chronotope.cli import app


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CHRONOTOPE_CONFIG", str(tmp_path / "none.toml"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_prepare_accepts_a_local_model_folder(isolated_settings: Path, tiny_model_dir: Path):
    result = CliRunner().invoke(app, ["model", "prepare", "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    assert f"ready (local) at {tiny_model_dir}" in result.output


def test_prepare_of_an_unknown_model_fails_with_the_named_choices(isolated_settings: Path):
    result = CliRunner().invoke(app, ["model", "prepare", "--model", "qwen-7b"])
    assert result.exit_code == 2
    assert "qwen2.5-coder-0.5b, qwen2.5-coder-1.5b" in result.output


def test_info_lists_named_models_and_their_state(isolated_settings: Path):
    result = CliRunner().invoke(app, ["model", "info"])
    assert result.exit_code == 0, result.output
    assert "qwen2.5-coder-0.5b (named)" in result.output and "ready: False" in result.output
    assert "qwen2.5-coder-1.5b" in result.output
