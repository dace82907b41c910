"""What a local model's warm-up computes, kept on disk so that the next process starts warm.

What it keeps, under one folder per model:
- the model with its adapter merged in, as a model folder (the merge needs peft and seconds; as it is as
  large as the model, only the MAX_MODELS most recently used models' copies are kept);
- the int8 decode layers' weights (quantising them is most of the int8 start-up; packing them remains);
- the KV caches of pinned prompt prefixes (each role's system prompt and tools: a 2.9k-token prefill, half a
  minute on a quiet CPU and minutes on a busy one), as safetensors with the token ids they hold;
- the grammar compiler's artefacts (the tokenizer's xgrammar info, the ids of tokens that open a call, the
  compiled grammars): seconds for a 150k vocabulary.

Every file name is a hash of all its content depends on: the fingerprint of the model's and the adapter's
files (names, sizes, modification times), the weights' dtype and device and the library versions, plus the
content's own input (the prompt's token ids, the grammar's structural tag). A changed model, adapter,
prompt or tool list therefore gives another name, and a stale file is never read. Files are written to a
temporary name and renamed, so a crash leaves no partial file under a real name; a file that does not load
anyway (truncated, corrupt, another layout) is deleted and rebuilt, with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from agent.llm.load import LoadedModel

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Libraries whose numbers or formats the files depend on.
_LIBRARIES = ("torch", "transformers", "xgrammar", "peft")
# Prompt prefixes kept per model, the most recently used (a prompt holds the data's date, so a live shop's
# prompts change daily; each is tens of MB).
MAX_PREFIXES = 8
# Models whose merged weights and int8 weights are kept (each about as large as the model): the adapted model
# and the bare one that replies when tools the adapter never saw are bound (unseen_tools.py).
MAX_MODELS = 2



def folder_fingerprint(folder: Path) -> list[tuple[str, int, int]]:
    """(name, size, modification time in ns) of every file under `folder`, sorted: what changes when any
    file is rewritten, read without hashing gigabytes of weights."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        return []
    rows = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            stat = path.stat()
            rows.append((str(path.relative_to(root)), stat.st_size, stat.st_mtime_ns))
    return rows


def model_fingerprint(model_dir: str, adapter: str | None, device: str, weights: str) -> str:
    """A hash of everything a warm-up result of this model depends on (see the module docstring): its
    folder, its adapter's, the device and weights' dtype it runs with, the libraries' versions."""
    versions = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    described = {
        "model": folder_fingerprint(Path(model_dir)) or model_dir,
        "adapter": folder_fingerprint(Path(adapter)) if adapter else None,
        "device": device,
        "dtype": weights,
        "versions": versions,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


class WarmStore:
    """One model's persisted warm-up results; with `folder` None nothing is kept and everything is built."""

    def __init__(self, folder: Path | None, fingerprint: str):
        self.folder = Path(folder) / fingerprint[:16] if folder is not None else None
        self.fingerprint = fingerprint

    @classmethod
    def for_model(cls, folder: Path | None, loaded: LoadedModel) -> WarmStore:
        """The store of `loaded`'s results under `folder` (None: keep nothing)."""
        return cls.for_files(folder, loaded.source.location, loaded.adapter, loaded.device, loaded.dtype)

    @classmethod
    def for_files(cls, folder: Path | None, model_dir: str, adapter: str | None, device: str,
                  weights: str) -> WarmStore:
        """The store of this model's results under `folder` (None: keep nothing), before it is loaded."""
        if folder is None:
            return cls(None, "")
        return cls(folder, model_fingerprint(model_dir, adapter, device, weights))

    def cached_folder(self, kind: str, load: Callable[[Path], T]) -> T | None:
        """`load` of the stored folder `kind`; None when there is none (or it does not load)."""
        path = self.path(kind, "", "")
        if path is None or not path.is_dir():
            return None
        _mark_used(path)
        return self._read(path, lambda: load(path))

    def save_folder(self, kind: str, write: Callable[[Path], Any]) -> None:
        """Store the folder `write` fills, in place of any other model's folder of this `kind`."""
        path = self.path(kind, "", "")
        if path is None:
            return
        self._drop_other_models(kind)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
            try:
                write(tmp)
                tmp.rename(path)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError as error:
            logger.warning("Could not keep the warm-up result %s (%s); the next start computes it again.",
                           path, error)

    def path(self, kind: str, key: str, suffix: str) -> Path | None:
        """Where the `kind` result for the input `key` lives; None when nothing is kept."""
        if self.folder is None:
            return None
        digest = hashlib.sha256(f"{self.fingerprint}\n{kind}\n{key}".encode()).hexdigest()[:32]
        return self.folder / f"{kind}-{digest}{suffix}"

    def cached_text(self, kind: str, key: str, build: Callable[[], T], dump: Callable[[T], str],
                    load: Callable[[str], T]) -> T:
        """`load` of the stored text for (`kind`, `key`); else `build()`, stored as `dump` of it."""
        path = self.path(kind, key, ".json")
        if path is not None and path.is_file():
            value = self._read(path, lambda: load(path.read_text(encoding="utf-8")))
            if value is not None:
                return value
        value = build()
        if path is not None:
            self._write(path, lambda tmp: tmp.write_text(dump(value), encoding="utf-8"))
        return value

    def cached_tensors(self, kind: str, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The stored tensors `kind` (safetensors); else `build()`, stored."""
        path = self.path(kind, "", ".safetensors")
        if path is not None and path.is_file():
            from safetensors.torch import load_file

            _mark_used(path)
            tensors = self._read(path, lambda: load_file(str(path)))
            if tensors is not None:
                return tensors
        tensors = build()
        if path is not None:
            from safetensors.torch import save_file

            self._drop_other_models(kind)
            self._write(path, lambda tmp: save_file(tensors, str(tmp)))
        return tensors

    def load_prefix(self, prompt_ids: Sequence[int], config: Any) -> tuple[list[int], Any] | None:
        """(token ids, KV cache holding them) stored for a pinned prefix decoded from `prompt_ids`; None when
        there is none (or it does not load)."""
        path = self.path("prefix", _ids_key(prompt_ids), ".safetensors")
        if path is None or not path.is_file():
            return None
        _mark_used(path)
        return self._read(path, lambda: _read_prefix(path, list(prompt_ids), config))

    def save_prefix(self, prompt_ids: Sequence[int], ids: Sequence[int], cache: Any) -> None:
        """Store `cache` (holding `ids`, which start with `prompt_ids`) for `load_prefix(prompt_ids)`."""
        path = self.path("prefix", _ids_key(prompt_ids), ".safetensors")
        if path is not None:
            self._write(path, lambda tmp: _write_prefix(tmp, list(ids), cache))
            kept = sorted(path.parent.glob("prefix-*.safetensors"), key=lambda p: p.stat().st_mtime_ns)
            for stale in kept[:-MAX_PREFIXES]:
                stale.unlink(missing_ok=True)

    def _drop_other_models(self, kind: str) -> None:
        """Make room for this model's `kind` result: remove other models' (other models, adapters or library
        versions) but the MAX_MODELS - 1 most recently used."""
        others = [path for path in Path(self.folder or ".").parent.glob(f"*/{kind}-*")
                  if path.parent != self.folder]
        others.sort(key=lambda path: path.stat().st_mtime_ns, reverse=True)
        for older in others[MAX_MODELS - 1 :]:
            if older.is_dir():
                shutil.rmtree(older, ignore_errors=True)
            else:
                older.unlink(missing_ok=True)

    def _read(self, path: Path, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except Exception as error:  # noqa: BLE001 - a damaged file may fail in any library's own way
            logger.warning("Ignoring the unreadable warm-up file %s (%s: %s); it is rebuilt.",
                           path, type(error).__name__, error)
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            return None

    def _write(self, path: Path, write: Callable[[Path], Any]) -> None:
        """Write through a temporary file in the same folder, then rename: readers see all or nothing."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(handle)
            tmp = Path(name)
            try:
                write(tmp)
                tmp.replace(path)
            finally:
                tmp.unlink(missing_ok=True)
        except OSError as error:  # a read-only or full disk costs the next start its warm-up, nothing else
            logger.warning("Could not keep the warm-up result %s (%s); the next start computes it again.",
                           path, error)


def _mark_used(path: Path) -> None:
    """Recently used files and folders are kept longest (see MAX_PREFIXES and MAX_MODELS)."""
    with contextlib.suppress(OSError):  # a read-only store is still read
        path.touch()


def _ids_key(ids: Sequence[int]) -> str:
    return ",".join(map(str, ids))


def _write_prefix(path: Path, ids: list[int], cache: Any) -> None:
    import torch
    from safetensors.torch import save_file

    tensors = {"ids": torch.tensor(ids, dtype=torch.int64)}
    for index, layer in enumerate(cache.layers):
        tensors[f"keys.{index}"] = layer.keys.contiguous()
        tensors[f"values.{index}"] = layer.values.contiguous()
    save_file(tensors, str(path), metadata={"layers": str(len(cache.layers))})


def _read_prefix(path: Path, prompt_ids: list[int], config: Any) -> tuple[list[int], Any]:
    from safetensors import safe_open
    from transformers import DynamicCache

    with safe_open(str(path), framework="pt") as handle:
        layers = int(handle.metadata()["layers"])
        ids = handle.get_tensor("ids").tolist()
        pairs = [(handle.get_tensor(f"keys.{i}"), handle.get_tensor(f"values.{i}")) for i in range(layers)]
    if layers != getattr(config, "num_hidden_layers", layers):
        raise ValueError(f"the file holds {layers} layers, the model has {config.num_hidden_layers}")
    if ids[: len(prompt_ids)] != prompt_ids:
        raise ValueError("the stored token ids are not those of the prompt")
    if any(k.shape[-2] != len(ids) or v.shape != k.shape for k, v in pairs):
        raise ValueError(f"the stored keys/values do not hold {len(ids)} tokens")
    return ids, DynamicCache(pairs, config=config)
