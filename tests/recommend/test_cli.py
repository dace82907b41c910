"""`chronotope recommend` against the trained taste shop (no retraining: it loads the saved version)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agent.config import get_settings
from chronotope.cli import app


@pytest.fixture
def cli_env(taste, monkeypatch):
    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(taste.settings.data_dir))
    monkeypatch.setenv("CHRONOTOPE_STORE_DIR", str(taste.store.root))
    get_settings.cache_clear()
    yield taste
    get_settings.cache_clear()


def run(*args: str):
    return CliRunner().invoke(app, ["recommend", *args], env={"COLUMNS": "200"})


def test_recommend_for_a_user_prints_products_with_reasons(cli_env):
    result = run("--user", "C0001", "--region", "Madrid", "--at", "2026-11-13T20:00", "-n", "3")
    assert result.exit_code == 0, result.output
    assert "Recommendations for C0001 in Madrid on Friday 20:00" in result.output
    assert result.output.count("\n│ ") >= 3


def test_recommend_for_an_item_prints_bought_together_and_similar(cli_env):
    a, b = cli_env.truth.pair
    result = run("--item", a, "-n", "3")
    assert result.exit_code == 0, result.output
    assert "Bought together with Trailblazer Hiking Boot" in result.output and b in result.output
    assert "Products similar to Trailblazer Hiking Boot" in result.output


def test_session_and_basket_options(cli_env):
    a, b = cli_env.truth.pair
    assert b in run("--session", a, "-n", "2").output
    basket = run("--user", "C0001", "--basket")
    assert basket.exit_code == 0 and "Predicted next basket of C0001" in basket.output


def test_unknown_user_exits_with_the_explanation(cli_env):
    result = run("--user", "NOPE")
    assert result.exit_code == 2
    assert "Unknown user id 'NOPE'" in result.output


def test_no_target_is_a_usage_error(cli_env):
    result = run()
    assert result.exit_code != 0 and "Give --user, --item or --session" in result.output


def test_train_saves_a_new_version_and_prints_metrics(taste, monkeypatch, tmp_path):
    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CHRONOTOPE_STORE_DIR", str(taste.store.root))
    get_settings.cache_clear()
    try:
        result = run("train", "--no-content", "--context-weight", "0.5", "--factors", "8")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "saved recommender v1" in result.output
    assert "basket_value_mae:" in result.output and "train_time_als:" in result.output
    assert (tmp_path / "recommender" / "latest").read_text() == "v1"
