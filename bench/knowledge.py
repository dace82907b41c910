"""Knowledge-base benchmark: retrieval quality, indexing throughput and query latency, in one run.

    HF_HUB_OFFLINE=1 nice .venv/bin/python bench/knowledge.py                 # 10,000 synthetic chunks
    HF_HUB_OFFLINE=1 nice .venv/bin/python bench/knowledge.py --chunks 2000   # quicker indexing part
    HF_HUB_OFFLINE=1 nice .venv/bin/python bench/knowledge.py --only-languages  # the cross-lingual part

The product embeds with the int8 ONNX model; the baseline is the float32 sentence-transformers model
(`backend="fp32"`), measured in the same run:
1. Index the shop's documents (data/, including the ABCD import) into a temporary data dir, once per
   backend.
2. Quality on bench/knowledge_eval.jsonl (questions over the shop docs and over ABCD, each with its
   relevant sections): recall@5 (share of questions with a relevant section in the top 5) and MRR@10, for
   hybrid (BM25 + dense, reciprocal rank fusion), dense-only and BM25-only, overall and per source; the
   float32 index is scored in hybrid and dense mode for comparison.
   Cross-lingual: bench/knowledge_eval_languages.jsonl asks 30 of the shop questions' intents in German,
   French, Spanish and Italian (written for it, typos and missing accents included); recall@5 and MRR@10
   per language before (the question as asked) and after (its translation by the agent's model fused in),
   and the translation's latency (p50, p95); --translations FILE keeps them for the next run to reuse.
   What the user sees (bench/knowledge_answers.py): `answer_precision`, the share of questions whose answer,
   composed from the docs tool's result as the agent composes it, quotes a relevant section, in English (per
   source) and per language, with the docs tool's p50; `_even` / `_odd`: methods were chosen on the even half.
3. Query latency of each mode over the evaluation questions (p50, p95), after a warm-up.
   The relevance floor of search_docs: the closest passage's cosine for the shop questions and for 60
   off-topic ones, and how many of each fall below it.
4. Indexing throughput: a synthetic corpus of --chunks chunks made from the shop documents, each copy with
   its own id, its paragraphs' sentences shuffled and its numbers shifted (so the texts differ), indexed
   into a fresh collection with int8; then the unchanged corpus re-indexed (nothing to embed); then hybrid
   queries on it with each backend. The float32 indexing time is projected from embedding a sample of
   the same passages (embedding is what the backends change; the rest of indexing is the same code).

Prints `name: value unit [load1 X]` lines (timings carry the 1-minute load average when measured: the
CPU is shared); the last lines are ratios against the float32 baselines measured in this run.
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
from bench.knowledge_answers import answer_precision, section_key
from tools.embeddings import TextEmbedder
from tools.knowledge import KnowledgeBase
from tools.knowledge.chunking import chunk_document
from tools.knowledge.documents import load_corpus, parse_document, split_front_matter

MODES = ("hybrid", "dense", "bm25")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_NUMBER = re.compile(r"\b\d+\b")


def say(name: str, value: float | str, unit: str = "", load: bool = False) -> None:
    """One `name: value unit` line; `load` appends the 1-minute load average (for timings)."""
    text = f"{value:.4f}" if isinstance(value, float) else str(value)
    suffix = f" [load1 {os.getloadavg()[0]:.2f}]" if load else ""
    print(f"{name}: {text} {unit}".rstrip() + suffix, flush=True)


def say_answers(prefix: str, scores: dict[str, float]) -> None:
    """The answer_precision lines of one set of questions."""
    for name in ("all", "shop", "abcd", "even", "odd"):
        if name in scores:
            say(f"{prefix}_answer_precision_{name}", scores[name])
    say(f"{prefix}_docs_tool_p50_ms", scores["p50_ms"], "ms", load=True)


def latencies_ms(kb: KnowledgeBase, questions: list[dict], k: int, mode: str = "hybrid") -> list[float]:
    """Wall time of each search, in ms."""
    out = []
    for item in questions:
        started = time.perf_counter()
        kb.search(item["question"], k=k, mode=mode)  # type: ignore[arg-type]
        out.append((time.perf_counter() - started) * 1000)
    return out


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def load_eval(path: Path) -> list[dict]:
    """The evaluation questions (one JSON object per line: id, source, question, relevant)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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
        if not picked:
            continue
        result[f"recall@5_{source}"] = sum(1 for r in picked if r is not None and r <= 5) / len(picked)
        result[f"mrr@10_{source}"] = sum(1 / r for r in picked if r is not None) / len(picked)
    result["p50_ms"] = p50(latencies)
    result["p95_ms"] = p95(latencies)
    result["misses"] = [q["id"] for q, r in zip(questions, found_at) if r is None or r > 5]  # type: ignore[assignment]
    return result


def similarity_floor(kb: KnowledgeBase, questions: list[dict], n_off_topic: int = 60) -> None:
    """How search_docs' relevance floor separates the shop's questions from questions about the world outside.

    Off-topic questions come from the fine-tuning generator (weather, sport, prices, trivia); the floor
    should sit below every shop question, so these figures say how many off-topic ones it also catches.
    """
    from finetune.synth import unanswerable_question
    from tools.agent_tools.customer import MIN_SIMILARITY

    rng = random.Random(11)
    off_topic: set[str] = set()
    while len(off_topic) < n_off_topic:
        off_topic.add(unanswerable_question(rng))
    shop = [kb.search(q["question"], k=3).best_similarity or 0.0 for q in questions if q["source"] == "shop"]
    outside = [kb.search(q, k=3).best_similarity or 0.0 for q in sorted(off_topic)]
    say("floor_min_similarity", MIN_SIMILARITY)
    say("floor_shop_questions", len(shop))
    say("floor_shop_lowest_similarity", min(shop))
    say("floor_shop_median_similarity", p50(shop))
    say("floor_shop_below_floor", sum(s < MIN_SIMILARITY for s in shop))
    say("floor_off_topic_questions", len(outside))
    say("floor_off_topic_median_similarity", p50(outside))
    say("floor_off_topic_highest_similarity", max(outside))
    say("floor_off_topic_below_floor", sum(s < MIN_SIMILARITY for s in outside))


def cross_lingual(kb: KnowledgeBase, questions: list[dict], english: list[dict],
                  saved: Path | None = None) -> None:
    """recall@5 and MRR@10 (hybrid) per language of the questions in de/fr/es/it, searched as asked
    (before) and with their English translation by the agent's model fused in (after); the translation's
    latency. `english` holds the same intents in English (the reference the translation aims at).

    Each question is translated once, timed, and the search then reads that translation. With `saved`, the
    translations are read from that JSON file ({question: English or null}) when it has them, and written to
    it otherwise.
    """
    from agent.llm.chat_model import LocalChatModel
    from agent.query_translation import ChatModelTranslator
    from tools.language import detect_language

    stored = json.loads(saved.read_text(encoding="utf-8")) if saved is not None and saved.exists() else {}
    translations: dict[str, str | Exception] = {
        q: ValueError(f"No translation of {q!r} was saved.") if english_text is None else english_text
        for q, english_text in stored.items()
    }
    latencies: list[float] = []
    asked = [item for item in questions if item["question"] not in translations]
    if asked:
        started = time.perf_counter()
        translator = ChatModelTranslator(LocalChatModel.from_options(Settings().model_options()))
        translator("Hallo", "de")  # warm-up: the first call builds the prompt's KV cache
        say("xl_model_load_s", time.perf_counter() - started, "s", load=True)
    for item in asked:
        started = time.perf_counter()
        try:
            translations[item["question"]] = translator(item["question"], detect_language(item["question"]))
        except ValueError as exc:  # the knowledge base searches the original alone then
            translations[item["question"]] = exc
        latencies.append((time.perf_counter() - started) * 1000)
    if saved is not None and asked:
        kept = {q: None if isinstance(t, Exception) else t for q, t in translations.items()}
        saved.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")

    def cached(text: str, language: str) -> str:
        found = translations[text]
        if isinstance(found, Exception):
            raise found
        return found

    translated = KnowledgeBase(kb.chroma_dir, kb.embedder, translate=cached)
    intents = {q["intent"] for q in questions}
    reference = evaluate(kb, [q for q in english if q["id"] in intents], "hybrid")
    say("xl_en_same_intents_recall@5", reference["recall@5_all"])
    say("xl_en_same_intents_mrr@10", reference["mrr@10_all"])
    say_answers("xl_en_same_intents", answer_precision(kb, [q for q in english if q["id"] in intents]))
    totals = {"before": 0.0, "after": 0.0}
    for language in sorted({q["language"] for q in questions}):
        picked = [q for q in questions if q["language"] == language]
        say(f"xl_{language}_questions", len(picked))
        scored = {"before": evaluate(kb, picked, "hybrid"), "after": evaluate(translated, picked, "hybrid")}
        for name, result in scored.items():
            totals[name] += result["recall@5_all"] * len(picked)
            say(f"xl_{language}_recall@5_{name}", result["recall@5_all"])
            say(f"xl_{language}_mrr@10_{name}", result["mrr@10_all"])
        say_answers(f"xl_{language}", answer_precision(translated, picked))
        for miss in scored["after"]["misses"]:  # type: ignore[union-attr]
            text = next(q["question"] for q in picked if q["id"] == miss)
            print(f"# {miss} missed after: {text!r} -> {translations[text]!r}", flush=True)
    say("xl_failed_translations", sum(isinstance(translations[q["question"]], Exception) for q in questions))
    if latencies:  # none when every translation was read from --translations
        say("xl_translation_p50_ms", p50(latencies), "ms", load=True)
        say("xl_translation_p95_ms", p95(latencies), "ms", load=True)
    say("ratio_xl_recall@5_after_vs_before", totals["after"] / max(totals["before"], 1.0), "x")


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


def embedder(weights: str) -> TextEmbedder:
    """The project's embedder with these weights over the settings' model cache (int8 built there once)."""
    return TextEmbedder(Settings().model_cache_path, weights)  # type: ignore[arg-type]


def embed_rate(texts: list[str], backend: str) -> float:
    """Chunks embedded per second by `backend` (after a warm-up call)."""
    embedder(backend).encode(texts[:8])
    started = time.perf_counter()
    embedder(backend).encode(texts)
    return len(texts) / (time.perf_counter() - started)


def measure_throughput(docs: Path, tmp_path: Path, n_chunks: int, questions: list[dict]) -> dict[str, float]:
    """Index a synthetic corpus of `n_chunks` (int8), re-index it unchanged, time queries on it per backend.

    Returns the int8 index time and the float32 one projected from its embedding rate on a 256-chunk
    sample, and hybrid query p50/p95 of both backends at this size.
    """
    corpus = tmp_path / "synthetic"
    say("synthetic_chunks", synthesize_corpus(docs, corpus, n_chunks))
    sample = [c.search_text() for d in load_corpus(corpus) for c in chunk_document(d)][:256]
    rates = {backend: embed_rate(sample, backend) for backend in ("fp32", "int8")}
    say("embed_only_fp32_chunks_per_s", rates["fp32"], "chunks/s", load=True)
    say("embed_only_int8_chunks_per_s", rates["int8"], "chunks/s", load=True)

    big = KnowledgeBase(tmp_path / "synthetic-state", embedder("int8"))
    started, cpu_started = time.perf_counter(), time.process_time()
    first = big.index(corpus, progress=True)
    index_s = time.perf_counter() - started
    say("index_synthetic_int8_s", index_s, "s", load=True)
    say("index_synthetic_int8_cpu_s", time.process_time() - cpu_started, "s  (process CPU time, all threads)")
    say("index_synthetic_int8_chunks_per_s", first.chunks_total / index_s, "chunks/s")
    # Indexing minus embedding (chunking, chromadb writes, BM25) is the same code for both backends.
    other_s = max(index_s - first.chunks_total / rates["int8"], 0.0)
    fp32_s = first.chunks_total / rates["fp32"] + other_s
    say("index_synthetic_non_embedding_s", other_s, "s")
    say("index_synthetic_fp32_projected_s", fp32_s, "s  (fp32 embedding rate on a 256-chunk sample, scaled)")
    if first.chunks_total < 10_000:  # a smaller run: scale linearly, and say so
        say("index_10k_chunks_int8_projected_s", index_s * 10_000 / first.chunks_total, "s")
    started = time.perf_counter()
    again = big.index(corpus, progress=False)
    say("reindex_unchanged_s", time.perf_counter() - started, "s", load=True)
    say("reindex_unchanged_chunks_embedded", again.chunks_added)
    result = {"index_int8_s": index_s, "index_fp32_s": fp32_s}
    for backend in ("int8", "fp32"):
        kb = KnowledgeBase(tmp_path / "synthetic-state", embedder(backend))
        latencies_ms(kb, questions[:5], k=5)  # warm-up: BM25 load, query session
        latencies = latencies_ms(kb, questions, k=5)
        result[f"query_{backend}_p50_ms"], result[f"query_{backend}_p95_ms"] = p50(latencies), p95(latencies)
        say(f"hybrid_query_{backend}_p50_ms_at_synthetic_size", p50(latencies), "ms", load=True)
        say(f"hybrid_query_{backend}_p95_ms_at_synthetic_size", p95(latencies), "ms", load=True)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000,
                        help="Synthetic chunks to index for throughput (0: skip).")
    parser.add_argument("--eval", type=Path, default=ROOT / "bench" / "knowledge_eval.jsonl")
    parser.add_argument("--docs", type=Path, default=ROOT / "data")
    parser.add_argument("--languages", type=Path, default=ROOT / "bench" / "knowledge_eval_languages.jsonl",
                        help="Questions in de/fr/es/it for the eval's intents (loads the LLM to translate).")
    parser.add_argument("--translations", type=Path, default=None,
                        help="JSON file of the cross-lingual questions' translations: read when it has "
                             "them, written otherwise (compare two runs on the same translations).")
    parser.add_argument("--no-languages", action="store_true", help="Skip the cross-lingual part.")
    parser.add_argument("--only-languages", action="store_true",
                        help="Only the cross-lingual part (on the int8 index of the shop's documents).")
    args = parser.parse_args(argv)

    import torch

    say("cpu_threads", torch.get_num_threads())
    say("load_average_1min", os.getloadavg()[0])
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        tmp_path = Path(tmp)
        backends = ("int8",) if args.only_languages else ("int8", "fp32")
        for backend in backends:  # int8: built into the model cache on its first use, then loaded
            started = time.perf_counter()
            embedder(backend).encode(["warm up the model"])
            say(f"model_load_{backend}_s", time.perf_counter() - started, "s", load=True)

        questions = load_eval(args.eval)
        say("eval_questions_shop", sum(q["source"] == "shop" for q in questions))
        say("eval_questions_abcd", sum(q["source"] == "abcd" for q in questions))
        scores: dict[str, dict[str, dict[str, float]]] = {}
        if args.only_languages:
            kb = KnowledgeBase(tmp_path / "corpus-int8", embedder("int8"))
            kb.index(args.docs, progress=False)
            latencies_ms(kb, questions[:5], k=10)
            cross_lingual(kb, load_eval(args.languages), questions, args.translations)
            return
        for backend, modes in (("int8", MODES), ("fp32", ("hybrid", "dense"))):
            kb = KnowledgeBase(tmp_path / f"corpus-{backend}", embedder(backend))
            report = kb.index(args.docs, progress=False)
            say("corpus_documents", report.added)
            say("corpus_chunks", report.chunks_total)
            say(f"corpus_index_{backend}_s", report.seconds, "s", load=True)
            latencies_ms(kb, questions[:5], k=10)  # warm caches (BM25 load, tokenizer) before timing
            scores[backend] = {mode: evaluate(kb, questions, mode) for mode in modes}
            for mode in modes:
                for key in ("recall@5_all", "recall@5_shop", "recall@5_abcd", "mrr@10_all", "mrr@10_shop",
                            "mrr@10_abcd"):
                    say(f"{backend}_{mode}_{key}", scores[backend][mode][key])
                say(f"{backend}_{mode}_query_p50_ms", scores[backend][mode]["p50_ms"], "ms", load=True)
                say(f"{backend}_{mode}_query_p95_ms", scores[backend][mode]["p95_ms"], "ms", load=True)
            misses = scores[backend]["hybrid"]["misses"]
            print(f"# {backend} hybrid misses (not in top 5): {', '.join(misses) or 'none'}", flush=True)  # type: ignore[arg-type]
            if backend == "int8":
                say_answers("int8", answer_precision(kb, questions))
                similarity_floor(kb, questions)
                if not args.no_languages:
                    cross_lingual(kb, load_eval(args.languages), questions, args.translations)

        big = measure_throughput(args.docs, tmp_path, args.chunks, questions) if args.chunks > 0 else None
        int8, fp32 = scores["int8"], scores["fp32"]
        say("ratio_hybrid_vs_bm25_recall@5", int8["hybrid"]["recall@5_all"] / int8["bm25"]["recall@5_all"],
            "x")
        say("ratio_hybrid_vs_dense_recall@5", int8["hybrid"]["recall@5_all"] / int8["dense"]["recall@5_all"],
            "x")
        say("delta_int8_vs_fp32_hybrid_recall@5",
            int8["hybrid"]["recall@5_all"] - fp32["hybrid"]["recall@5_all"])
        say("delta_int8_vs_fp32_hybrid_mrr@10", int8["hybrid"]["mrr@10_all"] - fp32["hybrid"]["mrr@10_all"])
        say("delta_int8_vs_fp32_dense_recall@5",
            int8["dense"]["recall@5_all"] - fp32["dense"]["recall@5_all"])
        say("load_average_1min_end", os.getloadavg()[0])
        say("ratio_hybrid_query_p50_int8_vs_fp32", int8["hybrid"]["p50_ms"] / fp32["hybrid"]["p50_ms"], "x")
        if big is not None:
            say("ratio_hybrid_query_p50_int8_vs_fp32_at_synthetic_size",
                big["query_int8_p50_ms"] / big["query_fp32_p50_ms"], "x")
            say("ratio_hybrid_query_p95_int8_vs_fp32_at_synthetic_size",
                big["query_int8_p95_ms"] / big["query_fp32_p95_ms"], "x")
            say("ratio_index_time_int8_vs_fp32_projected", big["index_int8_s"] / big["index_fp32_s"], "x")


if __name__ == "__main__":
    main()
