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
