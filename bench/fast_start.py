"""Benchmark of `chronotope ask`'s start: time to the first answer with an empty warm cache, then with the one
that first run left (the role prompt's KV cache and the compiled grammars, agent/llm/warm_start.py).

    nice .venv/bin/python bench/fast_start.py
    nice .venv/bin/python bench/fast_start.py --question "can I return opened earbuds?" --role customer \
        --user U000001 --warm-runs 2

Each run is a fresh process (`chronotope ask`, the settings' shop and model), timed from its start to its
exit after printing the answer; the warm cache lives in a temporary folder, so the shop's own is untouched.
Also prints each run's CPU time (user + system; on a busy machine it scales less with the load than the
wall time, and with one torch thread it is about what the run takes on a quiet machine), the stages each run
said on stderr, the warm cache's size, whether the answers are the same, and the machine's load (the wall
times scale with it). Ends with the ratio of the cold time to the warm time.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGE = re.compile(r"^\[\s*([\d.]+)s\] (.+)$")
# a run that passes this is not a start worth timing
TIMEOUT_S = 1800


def line(name: str, value: float | str, unit: str = "") -> None:
    print(f"{name}: {value:.2f} {unit}".rstrip() if isinstance(value, float) else f"{name}: {value}",
          flush=True)


def run_ask(
    question: str, role: str, user: str | None, warm_dir: Path
) -> tuple[float, float, str, list[str]]:
    """(seconds from start to exit, CPU seconds, the answer as printed, the stages it said on stderr) of one
    `ask`."""
    command = [sys.executable, "-c", "from chronotope.cli import main; main()", "ask", question,
               "--role", role, "--no-trace"]
    if user:
        command += ["--user", user]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CHRONOTOPE_WARM_CACHE_DIR": str(warm_dir)}
    cpu_before = _children_cpu_s()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=False)
    elapsed = time.perf_counter() - started
    cpu = _children_cpu_s() - cpu_before
    if done.returncode != 0:
        raise SystemExit(f"`chronotope ask` failed ({done.returncode}):\n{done.stderr[-3000:]}")
    stages = [f"{m.group(1)} s {m.group(2)}" for m in map(STAGE.match, done.stderr.splitlines()) if m]
    answer = "\n".join(row for row in done.stdout.splitlines() if row.startswith("│"))
    return elapsed, cpu, answer, stages


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--question", default="which regions spike on Friday night?")
    parser.add_argument("--role", default="operator", choices=["operator", "customer"])
    parser.add_argument("--user", default=None, help="customer id for --role customer")
    parser.add_argument("--warm-runs", type=int, default=1, help="warm starts to time (median reported)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="chronotope-warm-") as folder:
        warm_dir = Path(folder)
        line("load_average_1min_before", os.getloadavg()[0])
        cold_s, cold_cpu, cold_answer, stages = run_ask(args.question, args.role, args.user, warm_dir)
        line("load_average_1min_after_cold", os.getloadavg()[0])
        for stage in stages:
            print(f"  cold stage: {stage}")
        size = sum(path.stat().st_size for path in warm_dir.rglob("*") if path.is_file())
        line("warm_cache_size", size / 2**20, "MiB")
        warm, warm_cpu = [], []
        for _ in range(args.warm_runs):
            warm_s, cpu_s, warm_answer, stages = run_ask(args.question, args.role, args.user, warm_dir)
            warm.append(warm_s)
            warm_cpu.append(cpu_s)
            line("load_average_1min_after_warm", os.getloadavg()[0])
            for stage in stages:
                print(f"  warm stage: {stage}")
            line("same_answer_cold_and_warm", "yes" if warm_answer == cold_answer else "NO")
    line("cpu_time_cold", cold_cpu, "s")
    line("cpu_time_warm_cache", statistics.median(warm_cpu), "s")
    line("time_to_first_answer_cold", cold_s, "s")
    line("time_to_first_answer_warm_cache", statistics.median(warm), "s")
    line("ratio_cold_over_warm", cold_s / statistics.median(warm), "x")


if __name__ == "__main__":
    main()
