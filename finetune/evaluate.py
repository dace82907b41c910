"""Before/after: the base model against the base model plus a LoRA adapter, on held-out dialogues.

Uses the agent benchmark's own harness (`agent.evaluation.first_turn`): each held-out dialogue's first user
message is asked once with the role's system prompt and tools; the first tool call (or none) is scored
for tool selection, validity and arguments. Plus the loss on the held-out assistant turns.

    python -m finetune.evaluate --adapter .chronotope/finetune/runs/cpu-0.5b/adapter
    python -m finetune.evaluate --adapter finetune/adapters/qwen2.5-coder-0.5b-shop --limit 40 \\
        --loss-examples 0
    python -m finetune.evaluate --which before --results-dir bench/out/finetune   # one side at a time
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from agent.config import Settings, get_settings
from agent.evaluation import EvalCase, first_turn, summarize_first_turns
from finetune.data import Dialogue, read_dialogues
from finetune.render import TRAINING_TODAY

METRICS = ("tool_selection_accuracy", "valid_call_rate", "argument_accuracy", "completion_loss")


class EvaluationError(ValueError):
    """Evaluation inputs that cannot be used."""


def case_from_dialogue(dialogue: Dialogue) -> EvalCase | None:
    """The dialogue's first question and the first reply's tool call (or none); None if it opens otherwise."""
    messages = [m for m in dialogue.messages if m["role"] != "system"]
    if len(messages) < 2 or messages[0]["role"] != "user" or messages[1]["role"] != "assistant":
        return None
    calls = messages[1].get("tool_calls") or []
    function = calls[0].get("function", calls[0]) if calls else None
    arguments = (function or {}).get("arguments") or {}
    if isinstance(arguments, str):
        arguments = json.loads(arguments)
    return EvalCase(
        id=dialogue.conversation_id,
        role=dialogue.role,  # type: ignore[arg-type]
        question=str(messages[0]["content"]),
        expect_tool=function["name"] if function else None,
        expect_args=arguments,
        expect_refusal=function is None,
        kind=dialogue.source,
    )


def held_out_cases(
    dialogues: list[Dialogue], per_source: int | None, roles: tuple[str, ...] = ("customer", "operator")
) -> list[EvalCase]:
    """Up to `per_source` cases from each source, for `roles`, in a fixed order; dialogues whose first
    reply's tool choice is unknown (support transcripts) are no tool-choice case."""
    cases: list[EvalCase] = []
    taken: dict[str, int] = {}
    # A hash order: a fixed sample that mixes the generator's kinds (ids are in generation order).
    order = sorted(dialogues,
                   key=lambda d: (d.source, hashlib.sha256(d.conversation_id.encode()).hexdigest()))
    for dialogue in order:
        case = case_from_dialogue(dialogue)
        if (case is None or not dialogue.tool_choice_known or case.role not in roles
                or (per_source is not None and taken.get(case.kind, 0) >= per_source)):
            continue
        taken[case.kind] = taken.get(case.kind, 0) + 1
        cases.append(case)
    return cases


def completion_loss(
    runtime: Any, settings: Settings, validation: Path, examples: int, roles: tuple[str, ...]
) -> float | None:
    """Mean loss on the first assistant turn of `examples` held-out dialogues (None when 0)."""
    if examples <= 0:
        return None
    from finetune.config import TrainConfig
    from finetune.shared_prefix import evaluate_loss, group_by_prefix
    from finetune.train import build_examples

    config = TrainConfig(first_turn_only=True, max_length=4096, roles=",".join(roles))
    tokenized = build_examples(validation, runtime.tokenizer, settings, config, examples)
    return evaluate_loss(runtime.model, group_by_prefix(tokenized.rows, tokenized.roles))


def measure(
    settings: Settings, cases: list[EvalCase], validation: Path, loss_examples: int, label: str,
    roles: tuple[str, ...] = ("customer", "operator"),
) -> dict[str, Any]:
    """Scores of one model (settings.adapter applied or not) over `cases`, plus the held-out loss."""
    from tqdm import tqdm

    from agent.llm.chat_model import LocalChatModel
    from finetune.shop import shop_profile
    from tools.agent_tools import build_registry

    chat = LocalChatModel.from_options(settings.model_options())
    registry = build_registry(None, profile=shop_profile(settings.store_path))
    started = time.perf_counter()
    scores = [first_turn(chat, registry, case, TRAINING_TODAY)
              for case in tqdm(cases, desc=f"first turns ({label})")]
    summary: dict[str, Any] = summarize_first_turns(scores)
    for source in sorted({c.kind for c in cases}):
        mine = [s for s in scores if s.kind == source]
        summary[f"{source}_tool_selection_accuracy"] = summarize_first_turns(mine)["tool_selection_accuracy"]
    summary["completion_loss"] = completion_loss(chat.runtime, settings, validation, loss_examples, roles)
    summary["eval_wall_s"] = round(time.perf_counter() - started, 1)
    summary["adapter"] = settings.adapter
    summary["per_case"] = [asdict(s) for s in scores]
    return summary


def comparison_lines(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """`name: value` lines for both sides and the after/before ratio of each metric."""
    keys = [k for k in after if k.endswith("accuracy") or k in METRICS]
    lines = [f"cases: {after['cases']}"]
    for key in dict.fromkeys([*METRICS, *keys]):
        b, a = before.get(key), after.get(key)
        if b is None or a is None:
            continue
        ratio = f"{a / b:.3f}" if b else "inf"
        lines += [f"{key}_before: {b:.4f}", f"{key}_after: {a:.4f}", f"{key}_ratio_after_before: {ratio}"]
    return lines


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure before and/or after, save each side's JSON, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", help="LoRA adapter folder (default: settings.adapter).")
    parser.add_argument("--model", help="Base model (default: settings.model).")
    parser.add_argument("--validation-file", type=Path,
                        help="Held-out dialogues (default: <data_dir>/finetune/validation.jsonl).")
    parser.add_argument("--limit", type=int, default=24, help="Cases per source (synth, bitext, ...).")
    parser.add_argument("--roles", default="customer,operator", help="Comma-separated roles to evaluate.")
    parser.add_argument("--loss-examples", type=int, default=8, help="Held-out turns for the loss (0: skip).")
    parser.add_argument("--max-new-tokens", type=int, default=96,
                        help="Reply budget: enough for any tool call; a text reply is scored as 'no call' "
                             "either way.")
    parser.add_argument("--which", choices=["before", "after", "both"], default="both")
    parser.add_argument("--results-dir", type=Path,
                        help="Where before.json/after.json go (default: <data_dir>/finetune/eval).")
    args = parser.parse_args(argv)

    settings = get_settings().model_copy(update={"max_new_tokens": args.max_new_tokens})
    if args.model:
        settings = settings.model_copy(update={"model": args.model})
    adapter = args.adapter or settings.adapter
    if args.which != "before" and not adapter:
        raise EvaluationError("No adapter to evaluate: pass --adapter FOLDER or set CHRONOTOPE_ADAPTER.")
    validation = args.validation_file or settings.data_dir / "finetune" / "validation.jsonl"
    if not validation.is_file():
        raise EvaluationError(f"No held-out dialogues at {validation}; run `chronotope finetune prepare` "
                              "first.")
    roles = tuple(r.strip() for r in args.roles.split(",") if r.strip())
    cases = held_out_cases(read_dialogues(validation), args.limit, roles)
    results_dir = args.results_dir or settings.data_dir / "finetune" / "eval"
    results_dir.mkdir(parents=True, exist_ok=True)
    sides = {"before": None, "after": adapter}
    for side in ("before", "after") if args.which == "both" else (args.which,):
        result = measure(settings.model_copy(update={"adapter": sides[side]}), cases, validation,
                         args.loss_examples, side, roles)
        (results_dir / f"{side}.json").write_text(json.dumps(result, indent=2, default=str))
    loaded = {s: json.loads((results_dir / f"{s}.json").read_text())
              for s in sides if (results_dir / f"{s}.json").is_file()}
    if len(loaded) == 2:
        for line in comparison_lines(loaded["before"], loaded["after"]):
            print(line)
    else:
        for side, result in loaded.items():
            for key in METRICS:
                print(f"{key}_{side}: {result.get(key)}")
    return loaded


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except EvaluationError as error:
        print(f"Error: {error}", file=sys.stderr)
        raise SystemExit(2) from error
