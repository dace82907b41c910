"""A tiny random Qwen2 model and tokenizer built locally, for the `cpu-smoke` preset and tests (no
download)."""

from __future__ import annotations

from pathlib import Path

from agent.llm.wire_format import END_OF_TEXT, SPECIAL_TOKENS, TOOL_CALL_TAGS, TURN_END

# Text the tiny tokenizer learns its merges from: the shapes a shop chat with tools is made of.
CORPUS = [
    ('You are the shop assistant. # Tools <tools></tools> '
     '{"type": "function", "function": {"name": "search_docs"}}'),
    '{"name": "my_orders", "arguments": {"status": "shipped"}} <tool_response> 1 order(s) </tool_response>',
    "Where is my order? What is the return policy? Which regions spike on Friday night? Thank you!",
    "region category product metric revenue orders units place period 0123456789 true false null []{}:,\"'\n",
]


def build_tiny_model(folder: Path) -> Path:
    """Save a 2-layer random Qwen2 model and a byte-level BPE tokenizer (no chat template) to `folder`."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    if (folder / "config.json").is_file():
        return folder
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS * 20, vocab_size=400, min_frequency=2, special_tokens=list(SPECIAL_TOKENS))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token=TURN_END, pad_token=END_OF_TEXT, bos_token=None
    )
    tokenizer.add_tokens(list(TOOL_CALL_TAGS))  # added, not special, as in Qwen2.5's tokenizer
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=8192,
        tie_word_embeddings=False,  # tied random embeddings make greedy decoding repeat the last token
        initializer_range=0.2,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
