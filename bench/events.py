"""Event-store benchmark: demo-shop generation, CSV ingestion, bytes per event, live appends, peak memory.

    nice .venv/bin/python bench/events.py                    # 10M events (the issue's scale);
                                                             # 1.3 GB CSV in /tmp
    nice .venv/bin/python bench/events.py --events 1000000   # quicker
    nice .venv/bin/python bench/events.py --generate-only    # step 1-2 only (the generator's speed)

1. Generate the demo shop (`build_demo_shop`) with --events events into a fresh store: seconds, peak memory.
2. Bytes per event of that store on disk (events only; zstd Parquet partitioned by date).
3. Export the events to one CSV file (DuckDB), then ingest it into a second fresh store with `ingest_file`
   (parse, coerce, validate every row, quarantine, partitioned write, commit): rows per second by wall
   clock and per CPU-second x cores (the machine is shared, so wall clock varies with the others' load),
   peak memory, and the bytes per event of the ingested store.
   The second shop (Northwind: US, India, Australia, USD; tests/second_shop.py) with as many events, exported
   as its awkward CSV (Latin-1, `;`, decimal commas, thousands dots, day-first dates, line totals, three
   currencies) and ingested with the CLI's flags: rows per second beside the plain CSV's.
4. Re-ingest the same file: must be skipped (content hash + mapping). Then a grown export (every row again
   plus 1% new ones): only the new rows may be stored; rows per second of reading it against the keys.
5. Live appends of 5 events each: p50/p95 latency; then one compaction folding them in.
6. Baseline in the same run: plain pandas `read_csv` (1M-row chunks, keeps memory bounded) + `to_parquet`,
   no validation, no partitioning: rows per second and CPU seconds. The last lines compare our ingest with it:
   by wall clock (depends on how busy the shared machine is) and by CPU seconds per row (depends less).

Prints `name: value unit` lines, each measured figure with its target where the issue sets one.
Peak memory is the process's resident high-water mark (VmHWM), reset before each phase.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow as pa

from tests.second_shop import (
    NORTHWIND_CONFIG,
    empty_northwind_store,
    export_awkward_csv,
    ingest_awkward_csv,
    northwind_settings,
)
from tools.events.ingest import ingest_file
from tools.events.ingests import list_ingests
from tools.events.simulate import DemoConfig, build_demo_shop, build_shop
from tools.events.store import EventStore

GIB = 1 << 30


def say(name: str, value: float | str, unit: str = "", target: str = "", met: bool | None = None) -> None:
    """One `name: value unit` line, with the target and whether it was met when there is one."""
    text = (
        f"{value:,.2f}" if isinstance(value, float) else (f"{value:,}" if isinstance(value, int) else value)
    )
    suffix = f"  [target {target}: {'met' if met else 'NOT met'}]" if target else ""
    print(f"{name}: {text} {unit}".rstrip() + suffix, flush=True)


def _reset_peak() -> None:
    # Writing 5 to clear_refs resets VmHWM (Linux), so each phase reports its own peak.
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def _peak_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmHWM not found in /proc/self/status")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Phase:
    """Wall clock, CPU time and peak memory of one block of work."""

    def __enter__(self) -> Self:
        _reset_peak()
        self.wall, self.cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = _cpu_seconds() - self.cpu
        self.peak = _peak_bytes()


def _event_bytes(store: EventStore) -> int:
    return sum(path.stat().st_size for path in store.event_files())


def _pandas_baseline(csv_path: Path, out_dir: Path) -> float:
    import pandas as pd

    out_dir.mkdir()
    rows = 0
    start = time.perf_counter()
    for i, chunk in enumerate(pd.read_csv(csv_path, chunksize=1_000_000)):
        chunk.to_parquet(out_dir / f"part-{i}.parquet", compression="zstd", index=False)
        rows += len(chunk)
    return rows / (time.perf_counter() - start)


def _second_shop(work: Path, n_events: int) -> float:
    """Northwind with `n_events` events through its awkward CSV and the CLI's flags: ingest rows/s."""
    generated = EventStore(work / "northwind-generated")
    config = DemoConfig(seed=NORTHWIND_CONFIG.seed, n_events=n_events, days=NORTHWIND_CONFIG.days,
                        end=NORTHWIND_CONFIG.end)
    build_shop(generated, northwind_settings(), config, progress=False)
    path = work / "northwind-export.csv"
    lines = export_awkward_csv(generated, path)
    shutil.rmtree(generated.root)
    say("second_shop_csv_bytes", path.stat().st_size / 1e9, "GB (Latin-1, ';', 1.234,56, dd.mm.yyyy, totals)")
    store = empty_northwind_store(work / "northwind")
    with Phase() as ing:
        ingest_awkward_csv(store, path)
    (report,) = list_ingests(store)
    rate = report.rows_read / ing.wall
    say("second_shop_ingest_rows", report.rows_read, "", f"= {lines} (rejected {report.rows_rejected})",
        report.rows_read == lines == report.rows_accepted)
    say("second_shop_ingest_seconds", ing.wall, "s")
    say("second_shop_ingest_rows_per_s", rate, "rows/s")
    say("second_shop_ingest_cpu_seconds", ing.cpu, "s")
    say("second_shop_ingest_peak_memory", ing.peak / GIB, "GiB", "<= 4 GiB", ing.peak <= 4 * GIB)
    path.unlink()  # the store goes with the work dir
    return rate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="Events to generate (default 10M).")
    parser.add_argument("--days", type=int, default=365, help="Days of history.")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="Where stores and the CSV go (default: a temp dir)."
    )
    parser.add_argument("--appends", type=int, default=500, help="Live appends to time.")
    parser.add_argument(
        "--generate-only", action="store_true",
        help="Stop after generation and bytes per event (no CSV/ingest)."
    )
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="bench-events-", dir=args.workdir))
    try:
        say("cores", cores)
        say("load_average_1min", os.getloadavg()[0], "(shared machine)")

        generated = EventStore(work / "generated")
        with Phase() as gen:
            truth = build_demo_shop(
                generated,
                DemoConfig(n_events=args.events, days=args.days, end=date(2026, 11, 15)),
                progress=False,
            )
        n = truth.n_events
        say("generate_events", n)
        say("generate_seconds", gen.wall, "s", "<= 90 s", gen.wall <= 90)
        say("generate_cpu_seconds", gen.cpu, "s")
        say("generate_peak_memory", gen.peak / GIB, "GiB", "<= 4 GiB", gen.peak <= 4 * GIB)
        size = _event_bytes(generated)
        say("generated_bytes_per_event", size / n, "B", "<= 30 B", size / n <= 30)
        say("generated_event_files", len(generated.event_files()))
        if args.generate_only:
            return

        csv_path = work / "events.csv"
        with Phase() as export, generated.connect() as con:
            con.execute(f"COPY (SELECT * FROM events) TO '{csv_path}' (HEADER)")
        say("export_csv_seconds", export.wall, "s")
        say("csv_bytes", csv_path.stat().st_size / 1e9, "GB")

        ingested = EventStore(work / "ingested")
        ingested.save_profile(generated.profile())  # the shop's places and zones travel with its data
        with Phase() as ing:
            report = ingest_file(ingested, csv_path)
        rate = report.rows_read / ing.wall
        say("ingest_rows", report.rows_read)
        say("ingest_rows_rejected", report.rows_rejected)
        say("ingest_seconds", ing.wall, "s")
        say("ingest_rows_per_s", rate, "rows/s", ">= 500,000 rows/s", rate >= 500_000)
        say("ingest_cpu_seconds", ing.cpu, "s")
        cpu_rate = report.rows_read / (ing.cpu / cores)
        say(
            "ingest_rows_per_cpu_s_x_cores",
            cpu_rate,
            "rows/s",
            ">= 500,000 rows/s if the cores were ours",
            cpu_rate >= 500_000,
        )
        say("ingest_peak_memory", ing.peak / GIB, "GiB", "<= 4 GiB", ing.peak <= 4 * GIB)
        size = _event_bytes(ingested)
        say(
            "ingested_bytes_per_event",
            size / report.events_written,
            "B",
            "<= 30 B",
            size / report.events_written <= 30,
        )

        awkward_rate = _second_shop(work, args.events)
        say("second_shop_vs_plain_ingest_ratio", awkward_rate / rate, "x (rows/s: awkward CSV / plain CSV)")

        keys = sum(p.stat().st_size for p in (ingested.snapshot / "keys").glob("*.parquet"))
        say("row_keys_bytes_per_event", keys / report.events_written, "B (what recognises re-ingested rows)")

        with Phase() as again:
            skipped = ingest_file(ingested, csv_path).already_ingested
        say("reingest_skipped", "yes" if skipped else "NO")
        say("reingest_seconds", again.wall, "s")

        grown_path, new_rows = work / "events-grown.csv", max(1, report.rows_read // 100)
        with generated.connect() as con:  # next month's export: every old row again, plus 1% new ones
            con.execute(
                f"COPY (SELECT * FROM events UNION ALL (SELECT * REPLACE (user_id || '-new' AS user_id) "
                f"FROM events LIMIT {new_rows})) TO '{grown_path}' (HEADER)"
            )
        with Phase() as grown:
            increment = ingest_file(ingested, grown_path)
        grown_rate = increment.rows_read / grown.wall
        say("grown_export_rows_new", increment.rows_accepted, "", f"= {new_rows}",
            increment.rows_accepted == new_rows)
        say("grown_export_rows_skipped", increment.rows_skipped, "", f"= {report.rows_read}",
            increment.rows_skipped == report.rows_read)
        say("grown_export_rows_per_s", grown_rate, "rows/s (every row read and checked against the keys)")
        say("grown_export_peak_memory", grown.peak / GIB, "GiB", "<= 4 GiB", grown.peak <= 4 * GIB)
        grown_path.unlink()

        latencies = []
        start = datetime(2026, 11, 16, tzinfo=UTC)
        for i in range(args.appends):
            batch = pa.Table.from_pylist(
                [
                    {
                        "event_time": start + timedelta(seconds=i * 5 + j),
                        "event_type": "view",
                        "user_id": f"live-{i}",
                        "region": "Bavaria",
                        "country": "DE",
                    }
                    for j in range(5)
                ]
            )
            t0 = time.perf_counter()
            ingested.append_events(batch)
            latencies.append(time.perf_counter() - t0)
        latencies.sort()
        say("append_p50_ms", statistics.median(latencies) * 1e3, "ms")
        say("append_p95_ms", latencies[int(0.95 * len(latencies))] * 1e3, "ms")
        with ingested.connect() as con:
            visible = con.execute("SELECT count(*) FROM events WHERE user_id LIKE 'live-%'").fetchone()[0]
        say("appended_events_visible", visible, "", f"= {5 * args.appends}", visible == 5 * args.appends)
        with Phase() as comp:
            ingested.compact()
        say("compact_seconds", comp.wall, "s")

        with Phase() as base:
            baseline = _pandas_baseline(csv_path, work / "pandas")
        say("baseline_pandas_rows_per_s", baseline, "rows/s")
        say("baseline_pandas_cpu_seconds", base.cpu, "s")
        say("baseline_pandas_peak_memory", base.peak / GIB, "GiB")
        say("ingest_vs_pandas_wall_ratio", rate / baseline, "x")
        say(
            "ingest_vs_pandas_cpu_per_row_ratio",
            base.cpu / ing.cpu,
            "x (pandas CPU / ours; > 1: ours is cheaper)",
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
