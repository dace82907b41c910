"""Fixtures for the LLM runtime: a tiny random Qwen2 model (fast) and the real 0.5B model (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import Settings

REPO = Path(__file__).resolve().parents[2]
QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
QWEN_TOOL_TAGS = ["<tool_call>", "</tool_call>"]  # added, not special, as in Qwen2.5's tokenizer

# Text the tiny tokenizer learns its merges from: the shapes a chat with tools is made of.
CORPUS = [
    'You are a helpful assistant. # Tools <tools></tools> {"type": "function", "function": {"name": "get_weather"}}',
    '{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}} <tool_response> sunny </tool_response>',
    "What is the weather in Paris, Berlin and Rome? It is 21 degrees and sunny. Thank you!",
    "region north south east west metric revenue orders 0123456789 true false null []{}:,\"'\n",
]


def build_tiny_model(folder: Path) -> Path:
    """Save a 2-layer random Qwen2 model and a byte-level BPE tokenizer (no chat template) to `folder`."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS * 20, vocab_size=400, min_frequency=2, special_tokens=QWEN_SPECIALS)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>", bos_token=None
    )
    tokenizer.add_tokens(QWEN_TOOL_TAGS)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        tie_word_embeddings=False,  # tied random embeddings make greedy decoding repeat the last token
        initializer_range=0.2,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-qwen2"))


@pytest.fixture
def tiny_settings(tiny_model_dir: Path, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "chronotope", model=str(tiny_model_dir), max_new_tokens=24)


@pytest.fixture
def tiny_runtime(tiny_settings: Settings):
    """A fresh runtime (own prefix cache) over the tiny model."""
    from agent.llm.load import load_model
    from agent.llm.runtime import LocalRuntime

    return LocalRuntime(load_model(tiny_settings, progress=False))


@pytest.fixture(scope="session")
def real_settings() -> Settings:
    """Settings for the real offline 0.5B model, cached under the repo's .chronotope/models (converted once)."""
    return Settings(data_dir=REPO / ".chronotope", model="qwen2.5-coder-0.5b", max_new_tokens=96)


@pytest.fixture(scope="session")
def real_runtime(real_settings: Settings):
    from agent.llm.load import get_runtime

    return get_runtime(real_settings)
