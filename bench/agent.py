"""Agent benchmark: tool selection, valid arguments, grounding, refusals, leaks, latency, decode speed.

    python bench/agent.py                               # 0.5B default, constrained decoding, all cases
    python bench/agent.py --model qwen2.5-coder-1.5b    # the 1.5B option
    python bench/agent.py --unconstrained               # without grammar-constrained tool calls
    python bench/agent.py --no-decision-heads           # the model's first token picks the first reply
    python bench/agent.py --mode first                  # first model turn only (fast: no tools run)
    python bench/agent.py --limit 20 --every 3
    python bench/agent.py --set independent             # the independent set (bench/independent), demo shop
    python bench/agent.py --set independent --mode first --shop northwind --data-dir DIR
    python bench/agent.py --set dialogues               # the independent conversations, --mode full
    python bench/agent.py --set heldout                 # conversations no decision was made on, --mode full
    python bench/agent.py --set heldout2                # more of them, written later still

Runs over the demo shop in the settings' data dir, after the same preparation as `chronotope serve --prepare`
(demo data, knowledge-base and product index, model, recommender: each skipped when done), and after the
agent's warm-up (each role's system prompt and tool schemas prefilled once, as the server does at start),
so latencies are those of a running server. Per-case results go to bench/out/agent-<model>-<mode>.jsonl.
The baseline is plain `model.generate` on the same prompt, measured in the same run, for the decode-speed
ratio.

`--set independent` runs the independent set instead (bench/independent: questions written from the tool
list and the shop's profile only, in five languages and many styles, never trained on), scoring answers
against the shop's data, and prints it per role, language and style. `--shop northwind` needs a data dir
whose store holds a Northwind shop (`--data-dir`). A conversation's first tool and slots are those of the
reply to its last turn; `--mode first` and `--mode decision` ask one reply, so they judge the single-turn
cases only. `--set dialogues` runs the independent set's conversations (two or three turns: follow-ups that
keep a place, complete questions about the whole shop after one about a place, a switch to another task),
written the same way, in full mode; `--set heldout` and `--set heldout2` run conversations written later
still, each after the changes the sets before it measured, on which no change was decided.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.config import Settings
from agent.evaluation import (
    first_turn,
    full_turn,
    load_cases,
    summarize_first_turns,
    summarize_full,
    write_results,
)
from agent.llm.decision_head import HEADS_FILE
from bench.independent.cases import KINDS

CONVERSATIONS = KINDS[1:]  # the independent set's conversation files (--set NAME)


def plain_generate_tokens_per_s(settings: Settings, prompt: str, new_tokens: int = 48) -> float:
    """Baseline: `model.generate` (greedy, no tools, no grammar) on the same model."""
    import torch

    from agent.llm.load import get_runtime

    loaded = get_runtime(settings.model_options()).loaded
    ids = loaded.tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], add_generation_prompt=True, return_tensors="pt",
        return_dict=True
    )["input_ids"].to(loaded.model.device)
    with torch.no_grad():
        loaded.model.generate(ids, max_new_tokens=2, do_sample=False)  # warm up
        started = time.perf_counter()
        out = loaded.model.generate(ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                                    do_sample=False)
        return (out.shape[1] - ids.shape[1]) / (time.perf_counter() - started)


def run_independent(settings: Settings, args: argparse.Namespace) -> None:
    """The independent set (`--set independent`: its questions; `--set dialogues`: its conversations) on
one shop: every case (or a sample), scored and summarised."""
    import json

    from rich.console import Console

    from bench.independent import run
    from bench.independent.cases import load_cases as load_independent
    from chronotope.prepare import SHOP_STEPS, prepare
    from chronotope.wiring import build_agent, data_date, event_store

    if args.shop == "demo":
        prepare(settings, Console(stderr=True))
    else:
        if not settings.store_path.exists():
            from tests.bench.northwind_shop import build_northwind_store

            build_northwind_store(settings.store_path)  # the store the Northwind cases' answers come from
        prepare(settings, Console(stderr=True), SHOP_STEPS)  # its customers' policy questions: data/
    store = event_store(settings)
    profile = store.profile()
    kind = "cases" if args.set == "independent" else args.set
    if kind != "cases" and args.mode != "full":
        raise SystemExit(f"--set {kind} is judged on the reply to each conversation's last turn: use "
                         "--mode full.")
    cases = load_independent(args.shop, kind)[:: args.every][: args.limit]
    if args.mode != "full":
        conversations = len(cases) - len(run.single_turn(cases))
        cases = run.single_turn(cases)
        print(f"{args.mode} mode: {len(cases)} single-turn cases; {conversations} conversations are judged "
              "by --mode full only (their expectations are the last turn's)", flush=True)
    agent = build_agent(settings)
    agent.warm_up()
    if args.mode == "decision":
        compare_heads(agent, cases, data_date(settings), settings, args, f"independent set, {args.shop} shop")
        return
    customer = run.signed_in_customer(store)
    rows = []
    for case in cases:
        if args.mode == "first":
            row = run.first_tool_only(agent.chat_model, agent.registry, case, data_date(settings))
        else:
            row = run.run_case(agent, case, store, profile, customer)
        rows.append(row)
        print(f"case {row.case_id} [{row.language}/{row.style}] tool={row.first_tool} ok={row.tool_right} "
              f"answer={row.answer_right} {row.latency_s:.1f}s {row.reason[:80]}", flush=True)
    out = ROOT / "bench" / "out" / f"agent-{args.set}-{args.shop}-{args.mode}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r) + "\n" for r in run.as_records(rows)), encoding="utf-8")
    run.print_summary(f"{args.set} set, {args.shop} shop, {args.mode} mode ({len(rows)} cases):",
                      run.summarize(rows))


def compare_heads(agent: Any, cases: list[dict[str, Any]], today: date, settings: Settings,
                  args: argparse.Namespace, title: str) -> None:
    """The first tool each heads file picks on the same prefill states, per role, language and style."""
    from agent.llm.decision_head import DecisionHeads
    from bench.independent.decisions import decide_cases, decision_table, print_decision_table

    folders = dict(item.split("=", 1) for item in args.heads) or {"shipped": str(settings.adapter)}
    heads = {}
    for name, folder in folders.items():
        loaded = DecisionHeads.load(Path(folder))
        if loaded is None:
            raise SystemExit(f"No decision heads in {folder}: --heads {name}=FOLDER names an adapter folder.")
        heads[name] = loaded
    rows = decide_cases(agent.chat_model, agent.registry, cases, today, heads)
    names = list(heads)
    print_decision_table(f"{title}, decision mode ({len(rows)} cases): share of right first tools",
                         decision_table(rows, names), names)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="Named model, HF folder or hub id (default: settings).")
    parser.add_argument("--unconstrained", action="store_true", help="Decode tool calls without the grammar.")
    parser.add_argument("--no-decision-heads", action="store_true",
                        help="Let the model's first token decide the first reply, "
                             "not the adapter's decision heads.")
    parser.add_argument("--mode", choices=["full", "first", "decision"], default="full",
                        help="decision: the first tool each --heads file picks, prefill only.")
    parser.add_argument("--heads", action="append", default=[], metavar="NAME=FOLDER",
                        help="Decision heads to compare in decision mode (default: the shipped adapter's).")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--every", type=int, default=1, help="Take every n-th case (a spread sample).")
    parser.add_argument("--cases", type=Path, default=ROOT / "bench" / "agent_cases.jsonl")
    parser.add_argument("--set", choices=["old", "independent", *CONVERSATIONS], default="old",
                        help="old: the 95 cases (--cases); independent: bench/independent's questions; "
                             f"{', '.join(CONVERSATIONS)}: its conversations.")
    parser.add_argument("--shop", choices=["demo", "northwind"], default="demo",
                        help="The independent set's shop.")
    parser.add_argument("--data-dir", type=Path, default=None, help="Data dir (default: settings).")
    args = parser.parse_args(argv)

    overrides = {"constrained_decoding": not args.unconstrained, "decision_heads": not args.no_decision_heads}
    if args.model:
        overrides["model"] = args.model
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    settings = Settings(**overrides)
    if args.set in ("independent", *CONVERSATIONS):
        run_independent(settings, args)
        return
    cases = load_cases(args.cases)[:: args.every][: args.limit]
    adapter = f"+{Path(settings.adapter).name}" if settings.adapter else ""
    heads_file = Path(settings.adapter or "") / HEADS_FILE
    heads = "-heads" if settings.decision_heads and not args.unconstrained and heads_file.is_file() else ""
    label = f"{settings.model}{adapter}{heads}-{'unconstrained' if args.unconstrained else 'constrained'}"

    from rich.console import Console

    from chronotope.prepare import prepare
    from chronotope.wiring import build_agent, data_date

    prepare(settings, Console(stderr=True))
    agent = build_agent(settings)
    agent.warm_up()
    if args.mode == "decision":
        as_dicts = [{"id": c.id, "role": c.role, "language": "en", "style": c.kind, "turns": [c.question],
                     "expected_tool": c.expect_tool, "alternatives": []} for c in cases]
        compare_heads(agent, as_dicts, data_date(settings), settings, args, "old set (95 cases)")
        return
    if args.mode == "first":
        rows = []
        for case in cases:
            rows.append(first_turn(agent.chat_model, agent.registry, case, data_date(settings)))
            r = rows[-1]
            print(f"case {case.id} [{case.kind}/{case.role}] tool={r.predicted_tool} ok={r.tool_correct} "
                  f"valid={r.args_valid} {r.latency_s:.1f}s", flush=True)
        totals = summarize_first_turns(rows)
    else:
        rows = []
        for case in cases:
            rows.append(full_turn(agent, case))
            r = rows[-1]
            print(f"case {case.id} [{case.kind}/{case.role}] tools={r.tools} ok={r.tool_correct} "
                  f"grounded={r.grounded} {r.latency_s:.1f}s", flush=True)
        totals = summarize_full(rows)
    write_results(rows, ROOT / "bench" / "out" / f"agent-{label}-{args.mode}.jsonl")

    baseline = plain_generate_tokens_per_s(settings, cases[0].question)
    print(f"model: {label}")
    for key, value in totals.items():
        unit = "tok/s" if key.endswith("per_s") else ("s" if key.endswith("_s") else "")
        print(f"{key}: {value:.3f} {unit}".rstrip())
    print(f"baseline_plain_generate_tokens_per_s: {baseline:.2f} tok/s")
    print(f"decode_speed_ratio_vs_plain_generate: {totals['decode_tokens_per_s'] / baseline:.2f}x")


if __name__ == "__main__":
    main()
