"""Versioned model folders: `root/v<N>/` with a manifest, and a `latest` pointer, all written atomically.

A version is written into a hidden temporary folder, then renamed into place (a rename is atomic), then
`latest` is replaced (write-then-rename). A crash leaves either the old version current or the new one,
never half of one; stray temporary folders are swept on the next save. Old versions beyond `keep` go.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

# 2: shop.json (the shop's regions and currency at training time); 3: best sellers, shop-wide recent counts,
# parts skipped for lack of data.
FORMAT = 3
_VERSION = re.compile(r"^v(\d+)$")


class ModelNotFound(FileNotFoundError):
    """No saved recommender version where one was expected."""


class Manifest(BaseModel):
    """What a saved version holds and how it was made."""

    format: int = FORMAT
    version: int = 0
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())
    store: str = Field("", description="Event store root the data came from.")
    snapshot: dict[str, Any] = Field(default_factory=dict,
                                     description="Events seen: count, time range, cutoff.")
    params: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    timings_s: dict[str, float] = Field(default_factory=dict)
    skipped: dict[str, str] = Field(default_factory=dict,
                                    description="Parts the data could not train, and why.")
    notes: list[str] = Field(default_factory=list, description="Fallbacks the data made necessary.")

    def training_notes(self) -> list[str]:
        """One line per skipped part and fallback, for people: "skipped basket value: no purchase has ..."."""
        return [f"skipped {part}: {why}" for part, why in self.skipped.items()] + [f"note: {note}"
                                                                                   for note in self.notes]


def versions(root: Path) -> list[int]:
    """Saved version numbers under `root`, ascending."""
    if not root.exists():
        return []
    found = (_VERSION.match(p.name) for p in root.iterdir() if p.is_dir())
    return sorted(int(m.group(1)) for m in found if m)


def latest_dir(root: Path) -> Path | None:
    """The folder `latest` points at, or None when nothing was saved."""
    pointer = root / "latest"
    if not pointer.exists():
        return None
    folder = root / pointer.read_text(encoding="utf-8").strip()
    return folder if (folder / "manifest.json").exists() else None


def latest_current(root: Path) -> Path | None:
    """The latest version if this code can read it (None: nothing saved, or saved in an older format)."""
    folder = latest_dir(root)
    if folder is None:
        return None
    try:
        read_manifest(folder)
    except ModelNotFound:
        return None
    return folder


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a saved version."""
    path = folder / "manifest.json"
    if not path.exists():
        raise ModelNotFound(f"No recommender manifest at {path}; run `chronotope recommend train`.")
    manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    if manifest.format != FORMAT:
        raise ModelNotFound(f"{folder} uses format {manifest.format}, this code reads {FORMAT}; retrain.")
    return manifest


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def save_version(root: Path, write: Callable[[Path], None], manifest: Manifest, keep: int = 3) -> Path:
    """Write a new version: `write(folder)` fills the folder; returns the final `root/v<N>` path."""
    root.mkdir(parents=True, exist_ok=True)
    for stray in root.glob(".tmp-*"):
        shutil.rmtree(stray, ignore_errors=True)
    staging = root / f".tmp-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    try:
        write(staging)
        number = (versions(root) or [0])[-1] + 1
        manifest = manifest.model_copy(update={"version": number})
        (staging / "manifest.json").write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        final = root / f"v{number}"
        os.rename(staging, final)  # fails rather than overwrites if a concurrent save took the number
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _write_text_atomic(root / "latest", final.name)
    for old in versions(root)[:-keep]:
        shutil.rmtree(root / f"v{old}", ignore_errors=True)
    return final
