"""Fixtures for the LLM runtime: a tiny random Qwen2 model (fast) and the real 0.5B model (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.llm.options import ModelOptions
from finetune.tiny_model import build_tiny_model

REPO = Path(__file__).resolve().parents[2]
@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-qwen2"))


@pytest.fixture
def tiny_options(tiny_model_dir: Path, tmp_path: Path) -> ModelOptions:
    return ModelOptions(model=str(tiny_model_dir), cache_dir=tmp_path / "chronotope" / "models",
                        max_new_tokens=24)


@pytest.fixture
def tiny_runtime(tiny_options: ModelOptions):
    """A fresh runtime (own prefix cache) over the tiny model."""
    from agent.llm.load import load_model
    from agent.llm.runtime import LocalRuntime

    return LocalRuntime(load_model(tiny_options, progress=False))


@pytest.fixture(scope="session")
def real_options() -> ModelOptions:
    """The real offline 0.5B model, cached under the repo's .chronotope/models (converted once).

    The bare model: these tests check the runtime's mechanics with prompts and tools of their own, which the
    shop adapter was not trained on (the agent tests and bench/agent.py measure the adapter).
    """
    return ModelOptions(
        model="qwen2.5-coder-0.5b", cache_dir=REPO / ".chronotope" / "models", adapter=None, max_new_tokens=96
    )


@pytest.fixture(scope="session")
def real_runtime(real_options: ModelOptions):
    from agent.llm.load import get_runtime

    return get_runtime(real_options)
