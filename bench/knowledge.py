"""Knowledge-base benchmark: retrieval quality, indexing throughput and query latency, in one run.

    HF_HUB_OFFLINE=1 nice .venv/bin/python bench/knowledge.py                 # 10,000 synthetic chunks
    HF_HUB_OFFLINE=1 nice .venv/bin/python bench/knowledge.py --chunks 2000   # quicker indexing part

1. Index the shop's documents (data/, including the ABCD import) into a temporary data dir.
2. Quality on bench/knowledge_eval.jsonl (questions over the shop docs and over ABCD, each with its
   relevant sections): recall@5 (share of questions with a relevant section in the top 5) and MRR@10, for
   hybrid (BM25 + dense, reciprocal rank fusion), dense-only and BM25-only, overall and per source.
3. Query latency of each mode over the evaluation questions (p50, p95), after a warm-up.
4. Indexing throughput: a synthetic corpus of --chunks chunks made from the shop documents, each copy with
   its own id, its paragraphs' sentences shuffled and its numbers shifted (so the texts differ), indexed
   into a fresh collection; then the unchanged corpus re-indexed (nothing to embed). The baseline is
   embedding a sample of the same passages directly with `embed_texts`.

Prints `name: value unit` lines; the last lines are ratios against the baselines measured in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.config import Settings
from tools.embeddings import embed_texts
from tools.knowledge import KnowledgeBase
from tools.knowledge.chunking import chunk_document
from tools.knowledge.documents import load_corpus, parse_document, split_front_matter

MODES = ("hybrid", "dense", "bm25")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_NUMBER = re.compile(r"\b\d+\b")


def say(name: str, value: float | str, unit: str = "") -> None:
    """One `name: value unit` line."""
    text = f"{value:.4f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text} {unit}".rstrip(), flush=True)


def load_eval(path: Path) -> list[dict]:
    """The evaluation questions (one JSON object per line: id, source, question, relevant)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def section_key(citation_id: str) -> str:
    """'returns#opened-items/2' -> 'returns#opened-items' (windows of one section count as that section)."""
    return citation_id.split("/", 1)[0]


def evaluate(kb: KnowledgeBase, questions: list[dict], mode: str) -> dict[str, float]:
    """recall@5, MRR@10 and per-query latencies of one mode."""
    found_at: list[int | None] = []
    latencies: list[float] = []
    sources: list[str] = []
    for item in questions:
        started = time.perf_counter()
        hits = kb.search(item["question"], k=10, mode=mode).hits  # type: ignore[arg-type]
        latencies.append((time.perf_counter() - started) * 1000)
        relevant = set(item["relevant"])
        ranks = [h.rank for h in hits if section_key(h.citation_id) in relevant]
        found_at.append(ranks[0] if ranks else None)
        sources.append(item["source"])
    result: dict[str, float] = {}
    for source in ("all", "shop", "abcd"):
        picked = [r for r, s in zip(found_at, sources) if source in ("all", s)]
        result[f"recall@5_{source}"] = sum(1 for r in picked if r is not None and r <= 5) / len(picked)
        result[f"mrr@10_{source}"] = sum(1 / r for r in picked if r is not None) / len(picked)
    result["p50_ms"] = statistics.median(latencies)
    result["p95_ms"] = sorted(latencies)[int(0.95 * (len(latencies) - 1))]
    result["misses"] = [q["id"] for q, r in zip(questions, found_at) if r is None or r > 5]  # type: ignore[assignment]
    return result


def _perturb(body: str, copy: int, rng: random.Random) -> str:
    """Shuffle the sentences of each prose paragraph, shift numbers, and tag headings with the copy number."""
    paragraphs = body.split("\n\n")
    out = []
    for paragraph in paragraphs:
        if paragraph.lstrip().startswith("#"):
            out.append(f"{paragraph.rstrip()} ({copy})")  # headings name their copy
            continue
        if paragraph.lstrip().startswith(("-", "1.")):
            out.append(_NUMBER.sub(lambda m: str(int(m.group()) + copy), paragraph))
            continue
        sentences = _SENTENCE.split(paragraph)
        rng.shuffle(sentences)
        out.append(_NUMBER.sub(lambda m: str(int(m.group()) + copy), " ".join(sentences)))
    return "\n\n".join(out)


def synthesize_corpus(source: Path, out: Path, n_chunks: int, seed: int = 7) -> int:
    """Write copies of the shop documents under `out` until they hold at least `n_chunks` chunks."""
    rng = random.Random(seed)
    documents = [d for d in load_corpus(source) if d.fields.get("source") == "shop"]
    total, copy = 0, 0
    while total < n_chunks:
        copy += 1
        for document in documents:
            if total >= n_chunks:
                break
            path = out / f"copy-{copy:03d}" / f"{document.doc_id}-c{copy}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            text = (source.resolve().parent / document.source_path).read_text(encoding="utf-8")
            meta, body = split_front_matter(text, document.source_path)
            meta["id"] = f"{document.doc_id}-c{copy}"
            head = "".join(f"{k}: {v}\n" for k, v in meta.items())
            text = f"---\n{head}---\n{_perturb(body, copy, rng)}"
            path.write_text(text, encoding="utf-8")
            total += len(chunk_document(parse_document(text, meta["id"], path.name, 0.0)))
    return total


def measure_throughput(docs: Path, tmp_path: Path, n_chunks: int, questions: list[dict]) -> float:
    """Index a synthetic corpus of `n_chunks`, re-index it unchanged, time queries on it.

    Returns the indexing throughput relative to embedding alone (the baseline, on a 256-passage sample).
    """
    corpus = tmp_path / "synthetic"
    say("synthetic_chunks", synthesize_corpus(docs, corpus, n_chunks))
    sample = [c.search_text() for d in load_corpus(corpus) for c in chunk_document(d)][:256]
    started = time.perf_counter()
    embed_texts(sample)
    baseline_rate = len(sample) / (time.perf_counter() - started)
    say("baseline_embed_only_chunks_per_s", baseline_rate, "chunks/s")

    big = KnowledgeBase(Settings(data_dir=tmp_path / "synthetic-state"))
    started = time.perf_counter()
    first = big.index(corpus, progress=True)
    index_s = time.perf_counter() - started
    say("index_synthetic_s", index_s, "s")
    say("index_synthetic_chunks_per_s", first.chunks_total / index_s, "chunks/s")
    if first.chunks_total < 10_000:  # a smaller run: scale linearly, and say so
        say("index_10k_chunks_projected_s", 10_000 * index_s / first.chunks_total, "s")
    started = time.perf_counter()
    again = big.index(corpus, progress=False)
    say("reindex_unchanged_s", time.perf_counter() - started, "s")
    say("reindex_unchanged_chunks_embedded", again.chunks_added)
    latencies = []
    for question in questions:
        started = time.perf_counter()
        big.search(question["question"], k=5)
        latencies.append((time.perf_counter() - started) * 1000)
    say("hybrid_query_p50_ms_at_synthetic_size", statistics.median(latencies), "ms")
    return (first.chunks_total / index_s) / baseline_rate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000, help="Synthetic chunks to index for throughput (0: skip).")
    parser.add_argument("--eval", type=Path, default=ROOT / "bench" / "knowledge_eval.jsonl")
    parser.add_argument("--docs", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)

    import torch

    say("cpu_threads", torch.get_num_threads())
    say("load_average_1min", os.getloadavg()[0])
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        tmp_path = Path(tmp)
        started = time.perf_counter()
        embed_texts(["warm up the model"])
        say("model_load_s", time.perf_counter() - started, "s")

        kb = KnowledgeBase(Settings(data_dir=tmp_path / "corpus-state"))
        report = kb.index(args.docs, progress=False)
        say("corpus_documents", report.added)
        say("corpus_chunks", report.chunks_total)
        say("corpus_index_s", report.seconds, "s")

        questions = load_eval(args.eval)
        say("eval_questions_shop", sum(q["source"] == "shop" for q in questions))
        say("eval_questions_abcd", sum(q["source"] == "abcd" for q in questions))
        for question in questions[:5]:  # warm caches (BM25 load, tokenizer) before timing
            kb.search(question["question"], k=10)
        scores = {mode: evaluate(kb, questions, mode) for mode in MODES}
        for mode in MODES:
            for key in ("recall@5_all", "recall@5_shop", "recall@5_abcd", "mrr@10_all", "mrr@10_shop", "mrr@10_abcd"):
                say(f"{mode}_{key}", scores[mode][key])
            say(f"{mode}_query_p50_ms", scores[mode]["p50_ms"], "ms")
            say(f"{mode}_query_p95_ms", scores[mode]["p95_ms"], "ms")
        print(f"# hybrid misses (not in top 5): {', '.join(scores['hybrid']['misses']) or 'none'}", flush=True)

        throughput_ratio = measure_throughput(args.docs, tmp_path, args.chunks, questions) if args.chunks > 0 else None
        say("ratio_hybrid_vs_bm25_recall@5", scores["hybrid"]["recall@5_all"] / scores["bm25"]["recall@5_all"], "x")
        say("ratio_hybrid_vs_dense_recall@5", scores["hybrid"]["recall@5_all"] / scores["dense"]["recall@5_all"], "x")
        say("load_average_1min_end", os.getloadavg()[0])
        if throughput_ratio is not None:
            say("ratio_index_vs_embed_only_throughput", throughput_ratio, "x")


if __name__ == "__main__":
    main()
