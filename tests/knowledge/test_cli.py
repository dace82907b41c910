"""`chronotope kb index` and `chronotope kb search` end to end on a tiny corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.config import get_settings
from chronotope.cli import app

# The project's model cache: the int8 embedder is built there once, not again in every temporary data dir.
MODEL_CACHE = Path(__file__).resolve().parents[2] / ".chronotope" / "models"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("CHRONOTOPE_MODEL_CACHE_DIR", str(MODEL_CACHE))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_index_then_search_prints_citations_and_a_second_index_changes_nothing(cli_env: Path, write_docs):
    docs = write_docs({"returns.md": "# Returns\n\n## Opened items\n\nOpened earbuds only if defective.\n"})
    runner = CliRunner()
    first = runner.invoke(app, ["kb", "index", str(docs), "--quiet"])
    assert first.exit_code == 0, first.output
    assert "1 added" in first.output
    second = runner.invoke(app, ["kb", "index", str(docs), "--quiet"])
    assert "0 added, 0 updated, 0 removed, 1 unchanged" in second.output
    found = runner.invoke(app, ["kb", "search", "can I return opened earbuds?", "--k", "1", "--filter",
                                "source=shop"])
    assert found.exit_code == 0, found.output
    assert "[returns#opened-items]" in found.output and "Opened earbuds only if defective." in found.output


def test_search_with_an_unknown_filter_exits_with_the_valid_choices(cli_env: Path, write_docs):
    runner = CliRunner()
    runner.invoke(app, ["kb", "index", str(write_docs({"a.md": "# A\n\nText.\n"})), "--quiet"])
    result = runner.invoke(app, ["kb", "search", "text", "--filter", "colour=red"])
    assert result.exit_code == 2
    assert "Valid filters: source, doc_id" in result.output
