"""The int8 ONNX embedder: close to the float32 model, built offline into the cache, rebuilt when damaged."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import MODEL_CACHE
from tools.embeddings import TextEmbedder, int8_build, int8_quantise
from tools.embeddings.int8_build import (
    MANIFEST_FILE,
    MODEL_FILE,
    BuiltModel,
    ensure_int8_model,
    read_complete,
)
from tools.embeddings.onnx_model import OnnxEmbedder
from tools.knowledge.chunking import chunk_document
from tools.knowledge.documents import load_corpus


@pytest.fixture(scope="module")
def passages(slice_docs: Path) -> list[str]:
    """What the index embeds for the slice of real shop documents."""
    return [c.search_text() for d in load_corpus(slice_docs) for c in chunk_document(d)][:32]


@pytest.fixture(scope="module")
def built_model() -> BuiltModel:
    """The int8 model in the project's model cache (what the `embedder` fixture uses; built there once)."""
    return ensure_int8_model(MODEL_CACHE, progress=False)


def test_int8_vectors_stay_within_cosine_099_of_float32_on_shop_passages(passages):
    questions = ["Can I return opened earbuds?", "shipping to the canary islands",
                 "change my delivery address"]
    texts = passages + questions
    int8 = TextEmbedder(MODEL_CACHE, "int8").encode(texts)
    fp32 = TextEmbedder(MODEL_CACHE, "fp32").encode(texts)
    assert int8.shape == fp32.shape == (len(texts), 384) and int8.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-4)
    cosines = (int8 * fp32).sum(axis=1)
    assert cosines.min() >= 0.99, f"worst text: {texts[int(cosines.argmin())][:80]!r} at {cosines.min():.4f}"


def test_int8_vectors_come_back_in_the_order_the_texts_were_given(passages, embedder):
    texts = [passages[0], "reset password", passages[3], "Is there a fee for gift wrapping?"]
    texts = texts + texts[::-1]  # more than a query, so the bulk path sorts by length
    forward = embedder.encode(texts)
    backward = embedder.encode(texts[::-1])
    np.testing.assert_allclose(forward, backward[::-1], atol=1e-5)
    assert float(forward[0] @ forward[1]) < 0.9, "different texts must get different vectors"


def test_embedding_refuses_unknown_weights_and_lists_the_valid_ones():
    with pytest.raises(ValueError, match="int8, fp32"):
        TextEmbedder(MODEL_CACHE, "fp16")  # type: ignore[arg-type]


@pytest.mark.slow  # a real export, fusion and quantisation (about 10 s of CPU)
def test_first_use_builds_the_model_offline_and_publishes_only_a_complete_folder(
    tmp_path: Path, monkeypatch, embedder
):
    def refuse(*args, **kwargs):
        raise AssertionError(f"the embedder build tried to reach the network: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    import torch

    fresh = TextEmbedder(tmp_path / "models").encode(["Can I return opened earbuds?"])
    assert torch.is_grad_enabled(), "building the embedder must not switch off autograd for the whole process"
    built = [p for p in (tmp_path / "models").rglob(MANIFEST_FILE)]
    assert len(built) == 1, "the model is built in the embedder's own cache folder, nowhere else"
    folder = built[0].parent
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST_FILE, MODEL_FILE, "tokenizer.json"]
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    assert manifest["min_cosine_vs_float32"] >= 0.99 and manifest["max_seq_length"] == 256
    assert [p.name for p in folder.parent.iterdir()] == [folder.name], "no staging folders left behind"
    assert float(fresh[0] @ embedder.encode(["Can I return opened earbuds?"])[0]) > 0.999
    reread = OnnxEmbedder(read_complete(folder)).encode(["Can I return opened earbuds?"])
    assert float(reread[0] @ fresh[0]) > 0.9999


@pytest.mark.parametrize("damage", ["truncated model", "missing manifest", "missing model"])
def test_a_damaged_cached_model_is_detected_and_rebuilt(
    built_model: BuiltModel, tmp_path: Path, monkeypatch, damage
):
    good = built_model.folder
    root = tmp_path / "cache"
    folder = root / good.relative_to(good.parent.parent)
    shutil.copytree(good, folder)
    if damage == "truncated model":
        (folder / MODEL_FILE).write_bytes((folder / MODEL_FILE).read_bytes()[:1000])
    else:
        (folder / (MANIFEST_FILE if damage == "missing manifest" else MODEL_FILE)).unlink()
    assert read_complete(folder) is None
    builds: list[Path] = []

    def rebuild(target: Path, progress: bool = True) -> None:  # the real build has its own test above
        builds.append(target)
        shutil.copytree(good, target)

    monkeypatch.setattr(int8_build, "build_int8_model", rebuild)
    built = ensure_int8_model(root, progress=False)
    assert len(builds) == 1 and built.folder == folder and read_complete(folder) is not None
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]
    assert (ensure_int8_model(root, progress=False).folder == folder
            and len(builds) == 1), "a sound cache is reused"


def test_a_model_that_drifts_from_float32_is_refused(built_model: BuiltModel, monkeypatch):
    monkeypatch.setattr(int8_build, "MIN_COSINE", 1.01)  # no int8 model passes this
    with pytest.raises(int8_build.EmbedderBuildError, match="CHRONOTOPE_EMBEDDING_WEIGHTS=fp32"):
        int8_build._check(int8_build._load_torch_model(int8_build.source_path()), built_model)


def test_a_failed_build_publishes_nothing_and_leaves_no_staging_folder(monkeypatch, tmp_path: Path):
    def fail_half_way(target: Path, progress: bool = True) -> None:
        target.mkdir(parents=True)
        (target / MODEL_FILE).write_bytes(b"half a model")
        raise int8_build.EmbedderBuildError("drifted")

    monkeypatch.setattr(int8_build, "build_int8_model", fail_half_way)
    with pytest.raises(int8_build.EmbedderBuildError):
        ensure_int8_model(tmp_path / "cache", progress=False)
    assert list((tmp_path / "cache" / "embeddings").iterdir()) == []


def test_every_linear_layer_of_the_built_model_runs_in_int8(built_model: BuiltModel):
    import onnx

    ops = [node.op_type
           for node in onnx.load(str(built_model.model_path), load_external_data=False).graph.node]
    assert "MatMul" not in ops, "a float32 MatMul is left in the int8 model"
    assert (ops.count("MatMulInteger") == 18
            and ops.count("QAttention") == 6), "6 layers x (attention out, FFN in, FFN out)"
    assert ops.count("QuantizeLinear") == 6, "the FFN output projections are quantised per token"


def _per_token_error(rows: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Relative error per row of the per-token int8 rewrite of `rows @ weight`, run in ONNX Runtime."""
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    k, n = weight.shape
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="ffn_out")],
        "ffn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, None, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, None, n])],
        [numpy_helper.from_array(weight, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    int8_quantise.quantise_per_token(model, {"ffn_out"}, k, n)
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run(None, {"x": rows[None]})[0][0]
    want = rows @ weight
    return np.linalg.norm(got - want, axis=1) / np.linalg.norm(want, axis=1)


def test_per_token_quantisation_keeps_ordinary_tokens_precise_beside_an_outlier_token():
    rng = np.random.default_rng(0)
    weight = rng.normal(0, 0.05, (256, 48)).astype(np.float32)
    # GELU outputs as MiniLM's: floor -0.17, most tokens below ~2, one token with a value of 25.
    pre = rng.normal(-0.6, 0.8, (12, 256))
    rows = (0.5 * pre * (1 + np.tanh(0.7978845608 * (pre + 0.044715 * pre**3)))).astype(np.float32)
    rows[5, 3] = 25.0
    errors = _per_token_error(rows, weight)
    assert np.delete(errors, 5).max() < 0.02 and errors[5] < 0.05, errors
    # One uint8 range for all tokens would round the ordinary ones to steps of ~0.1; per token they keep
    # theirs.
    step = (25.0 + int8_quantise.GELU_FLOOR) / 255
    per_tensor = np.round(rows / step) * step
    coarse = (np.linalg.norm(per_tensor @ weight - rows @ weight, axis=1)
              / np.linalg.norm(rows @ weight, axis=1))
    assert np.delete(errors, 5).max() < np.delete(coarse, 5).min() / 3
