"""Versioned model folders: numbering, the latest pointer, pruning, and nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.recommend import Recommender
from tools.recommend.persistence import (
    Manifest,
    ModelNotFound,
    latest_dir,
    read_manifest,
    save_version,
    versions,
)


def write_marker(text: str):
    def write(folder: Path) -> None:
        (folder / "model.txt").write_text(text)
    return write


def test_versions_count_up_and_latest_points_at_the_newest(tmp_path):
    for text in ("a", "b", "c"):
        save_version(tmp_path, write_marker(text), Manifest(metrics={"text": text}))
    assert versions(tmp_path) == [1, 2, 3]
    assert latest_dir(tmp_path) == tmp_path / "v3"
    assert read_manifest(tmp_path / "v3").version == 3
    assert (tmp_path / "v3" / "model.txt").read_text() == "c"


def test_old_versions_beyond_keep_are_removed(tmp_path):
    for text in "abcde":
        save_version(tmp_path, write_marker(text), Manifest(), keep=2)
    assert versions(tmp_path) == [4, 5]


def test_a_failed_save_leaves_the_previous_version_current_and_no_debris(tmp_path):
    save_version(tmp_path, write_marker("good"), Manifest())

    def broken(folder: Path) -> None:
        (folder / "half.bin").write_bytes(b"xx")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        save_version(tmp_path, broken, Manifest())
    assert latest_dir(tmp_path) == tmp_path / "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "v1"]


def test_loading_without_any_saved_version_says_how_to_train(tmp_path):
    with pytest.raises(ModelNotFound, match="chronotope recommend train"):
        Recommender.load_latest(tmp_path / "recommender")


def test_load_or_train_trains_once_then_loads(taste):
    first = Recommender.load_or_train(taste.store, taste.model_dir, None)
    assert first.manifest.version == taste.recommender.manifest.version  # loaded, not retrained
    assert versions(taste.model_dir) == [first.manifest.version]


def test_a_version_trained_on_another_store_is_never_loaded_for_this_one(taste, demo_recommender, tmp_path):
    """`recommend train --store OTHER` once replaced the shop's model, and the agent then recommended the
    other shop's products; now a version answers only for the store it was trained on."""
    import shutil

    from tests.recommend.conftest import DEMO_PARAMS

    with pytest.raises(ModelNotFound, match="was trained on the store at .* train one for this store"):
        Recommender.load(latest_dir(taste.model_dir), demo_recommender.store)
    model_dir = tmp_path / "recommender"
    shutil.copytree(taste.model_dir, model_dir)
    mine = Recommender.load_or_train(demo_recommender.store, model_dir, None, DEMO_PARAMS)
    assert Path(mine.manifest.store) == demo_recommender.store.root.resolve()
    assert len(versions(model_dir)) == 2  # retrained for this store, beside the other's version
    assert set(mine.models.data.items.ids) == set(demo_recommender.recommender.models.data.items.ids)


def test_the_cli_keeps_another_stores_state_beside_that_store(tmp_path, monkeypatch):
    from agent.config import get_settings
    from chronotope.cli.app import state_dir

    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert state_dir(None, settings.recommender_path) == settings.recommender_path
        assert state_dir(settings.store_path, settings.anomaly_path) == settings.anomaly_path
        other = tmp_path / "elsewhere" / "store"
        beside = (tmp_path / "elsewhere" / "recommender").resolve()
        assert state_dir(other, settings.recommender_path) == beside
    finally:
        get_settings.cache_clear()
