"""Gather the fine-tuning data: synthetic tool dialogues, Bitext, transcripts and app exports ->
train/validation.

Every source is PII-scrubbed (with a report of what was masked), de-duplicated and split by conversation;
the result is two JSONL files of dialogues under `<data_dir>/finetune/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from agent.config import Settings
from finetune.data import (
    Dialogue,
    PrepareReport,
    TranscriptError,
    decontaminate,
    deduplicate,
    load_app_export,
    question_key,
    scrub_dialogues,
    split_by_conversation,
    write_jsonl,
)
from finetune.transcript_mapping import TranscriptSource
from finetune.transcripts import load_bitext, read_transcripts

BITEXT_FILE = Path("bitext") / "Bitext_Sample_Customer_Service_Training_Dataset_8k.csv"
# The agent benchmark's questions: never trained on, so bench/agent.py measures what the model learned.
BENCHMARK_CASES = Path(__file__).resolve().parents[1] / "bench" / "agent_cases.jsonl"
# The independent evaluation set (bench/independent/cases-<shop>.jsonl): written apart from all training data
# and kept out of it (and so out of the decision heads, fitted on the training data), whatever the options.
INDEPENDENT_CASES = Path(__file__).resolve().parents[1] / "bench" / "independent"


@dataclass
class PrepareOptions:
    """Which sources to read and how to split them."""

    synthetic: int = 1200  # synthetic tool-use dialogues (both roles)
    bitext_per_intent: int = 40  # Bitext utterances per intent (0: none)
    transcripts: list[TranscriptSource] = field(default_factory=list)  # support transcripts, each mapped
    app_exports: list[Path] = field(default_factory=list)  # the apps' exported conversations with feedback
    validation_fraction: float = 0.1
    seed: int = 0
    held_out_cases: Path | None = BENCHMARK_CASES  # questions to keep out of the data (None: keep everything)
    random_shops: int = 0  # synthetic dialogues written over random shop profiles (none of this shop's names)


def held_out_questions(path: Path) -> set[str]:
    """The `question_key`s of a benchmark case file (JSONL with a "question" per line)."""
    from agent.evaluation import load_cases

    return {question_key(case.question) for case in load_cases(path)}


def independent_questions(folder: Path = INDEPENDENT_CASES) -> set[str]:
    """The `question_key`s of every turn of the independent evaluation set."""
    keys = set()
    for path in sorted(folder.glob("cases-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                keys |= {question_key(turn) for turn in json.loads(line)["turns"]}
    return keys


def prepare(settings: Settings, options: PrepareOptions, out_dir: Path | None = None) -> PrepareReport:
    """Read every source, scrub, dedup, split by conversation; write train.jsonl and validation.jsonl."""
    report = PrepareReport()
    dialogues: list[Dialogue] = []
    if options.synthetic > 0:
        from finetune.shop import shop_profile
        from finetune.synth import ShopFacts, synthesize
        from tools.agent_tools import build_registry

        profile = shop_profile(settings.store_path)
        facts = ShopFacts.load(settings.store_path, settings.docs_dir, profile)
        registry = build_registry(None, profile=profile)
        dialogues += synthesize(registry, facts, options.synthetic, seed=options.seed)
    if options.random_shops > 0:
        from finetune.synth import synthesize_random_shops

        dialogues += synthesize_random_shops(options.random_shops, seed=options.seed)
    if options.bitext_per_intent > 0:
        bitext = settings.shared_data_dir / BITEXT_FILE
        if not bitext.is_file():
            raise TranscriptError(f"Bitext data not found at {bitext}; "
                                  "set shared_data_dir or pass --bitext-per-intent 0.")
        dialogues += load_bitext(bitext, options.bitext_per_intent)
    for source in options.transcripts:
        transcripts = read_transcripts(source.path, source.mapping)
        dialogues += transcripts.dialogues
        report.rows_read[source.path.name] += transcripts.rows_read
        report.rows_kept[source.path.name] += transcripts.rows_kept
        report.dropped.update(transcripts.dropped)
        report.trimmed.update(transcripts.trimmed)
        report.pii.add(transcripts.names)
    for path in options.app_exports:
        kept, dropped = load_app_export(path)
        dialogues += kept
        report.dropped.update(dropped)
    for dialogue in dialogues:
        report.read[dialogue.source] += 1
    dialogues, scrubbed = scrub_dialogues(dialogues)
    report.pii.add(scrubbed)
    dialogues, duplicates = deduplicate(dialogues)
    if duplicates:
        report.dropped["duplicates"] += duplicates
    held_out = independent_questions()
    if options.held_out_cases is not None and options.held_out_cases.is_file():
        held_out |= held_out_questions(options.held_out_cases)
    dialogues, matches = decontaminate(dialogues, held_out)
    if matches:
        report.dropped["benchmark questions"] += matches
    train, validation = split_by_conversation(dialogues, options.validation_fraction, options.seed)
    out_dir = out_dir or settings.data_dir / "finetune"
    write_jsonl(train, out_dir / "train.jsonl")
    write_jsonl(validation, out_dir / "validation.jsonl")
    report.train, report.validation = len(train), len(validation)
    return report
