"""Run the built int8 MiniLM model with ONNX Runtime: tokenise, batch by length, embed.

Texts are sorted by token count before batching, so a batch pads to its own longest text rather than to
the longest of the whole call, and the vectors are put back in the caller's order. Batches run in
parallel on single-threaded sessions, one per core, rather than one session splitting each operator
over threads: on a shared 2-core CPU that was faster (measured at load ~8: 20-24 versus 17-19 chunks/s,
and ~15% less CPU per chunk), and a query (one batch) runs on one thread. Batches are small (BATCH_SIZE):
a batch's activations then stay in the core's cache (measured CPU per chunk, 512 chunks of ~80 tokens:
19.1-19.7 ms at 4 or 8 per batch, 20.7 at 16, 22.2 at 32, 27.7 at 128).
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING

import numpy as np

from tools.embeddings.embedder import EMBEDDING_DIM

if TYPE_CHECKING:
    from tools.embeddings.int8_build import BuiltModel

BATCH_SIZE = 8  # texts per ONNX Runtime call (see the module docstring)


class OnnxEmbedder:
    """Single-threaded ONNX Runtime sessions (`workers` of them) over a built int8 model, with its
    tokenizer."""

    def __init__(self, built: BuiltModel, workers: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._sessions: queue.SimpleQueue = queue.SimpleQueue()  # idle sessions; a batch takes one
        for _ in range(max(1, workers)):
            self._sessions.put(
                onnxruntime.InferenceSession(str(built.model_path), options,
                                             providers=["CPUExecutionProvider"])
            )
        self.workers = max(1, workers)
        self.tokenizer = Tokenizer.from_file(str(built.tokenizer_path))
        self.tokenizer.enable_truncation(max_length=built.max_seq_length)
        self.tokenizer.no_padding()  # padded per batch below

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        session = self._sessions.get()
        try:
            return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        finally:
            self._sessions.put(session)

    def encode(
        self, texts: Sequence[str], batch_size: int = BATCH_SIZE, progress: bool = False
    ) -> np.ndarray:
        """L2-normalised float32 vectors of `texts`, shape (len(texts), 384), in the order given."""
        from tqdm import tqdm

        encoded = self.tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encoded])
        order = np.argsort(-lengths, kind="stable")
        batches = [order[start:start + batch_size] for start in range(0, len(order), batch_size)]
        inputs = []
        for batch in batches:
            width = int(lengths[batch].max())
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                ids[row, :lengths[index]] = encoded[index].ids
                mask[row, :lengths[index]] = 1
            inputs.append((ids, mask))
        vectors = np.empty((len(encoded), EMBEDDING_DIM), dtype=np.float32)
        with tqdm(total=len(encoded), desc="embedding", unit="text", disable=not progress) as bar:
            if len(batches) == 1 or self.workers == 1:
                for batch, (ids, mask) in zip(batches, inputs):
                    vectors[batch] = self._run(ids, mask)
                    bar.update(len(batch))
            else:
                with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="embed") as pool:
                    futures = {pool.submit(self._run, ids, mask): batch
                               for batch, (ids, mask) in zip(batches, inputs)}
                    for future in as_completed(futures):
                        vectors[futures[future]] = future.result()
                        bar.update(len(futures[future]))
        return vectors
