"""Run the built int8 MiniLM model with ONNX Runtime: tokenise, batch by length, embed.

Texts are sorted by token count before batching, so a batch pads to its own longest text rather than to
the longest of the whole call, and the vectors are put back in the caller's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tools.embeddings import EMBEDDING_DIM

if TYPE_CHECKING:
    from tools.embedding_build import BuiltModel


class OnnxEmbedder:
    """One ONNX Runtime session over a built int8 model, with its tokenizer."""

    def __init__(self, built: BuiltModel, threads: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle workers sleep instead of spinning: on a shared CPU spinning steals time from everyone else.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(
            str(built.model_path), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(built.tokenizer_path))
        self.tokenizer.enable_truncation(max_length=built.max_seq_length)
        self.tokenizer.no_padding()  # padded per batch below

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors of `texts`, shape (len(texts), 384), in the order given."""
        from tqdm import tqdm

        encoded = self.tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encoded])
        order = np.argsort(-lengths, kind="stable")
        vectors = np.empty((len(encoded), EMBEDDING_DIM), dtype=np.float32)
        with tqdm(total=len(encoded), desc="embedding", unit="text", disable=not progress) as bar:
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                width = int(lengths[batch].max())
                ids = np.zeros((len(batch), width), dtype=np.int64)
                mask = np.zeros((len(batch), width), dtype=np.int64)
                for row, index in enumerate(batch):
                    n = lengths[index]
                    ids[row, :n] = encoded[index].ids
                    mask[row, :n] = 1
                vectors[batch] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
                bar.update(len(batch))
        return vectors
