"""Where an event came from, told by its file's name, and what compaction may merge.

Events files are `part-<origin>-<id>.parquet`: the origin is the ingest that brought the rows, or `local`
(generated, or appended live). Compaction merges files of one origin only, so an ingest's events always
sit in files of their own and undoing it is deleting them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

LOCAL = "local"  # the origin of events no ingest brought: generated, or appended live


def origin_of(path: Path) -> str:
    """The origin of an events file `part-<origin>-<id>.parquet`: an ingest id, or LOCAL."""
    parts = path.stem.split("-")
    return parts[1] if len(parts) > 2 else LOCAL


def compaction_work(
    parts: dict[date, list[Path]], live_dates: set[date], merge_partitions: bool
) -> dict[date, dict[str, list[Path]]]:
    """Per date, the origins whose parts compaction rewrites as one file each, with those parts: the local
    parts of dates with live rows, and with `merge_partitions` every origin with more than one part."""
    work: dict[date, dict[str, list[Path]]] = {day: {LOCAL: []} for day in live_dates}
    for day, files in parts.items():
        by_origin: dict[str, list[Path]] = {}
        for path in files:
            by_origin.setdefault(origin_of(path), []).append(path)
        for origin, group in by_origin.items():
            if (origin == LOCAL and day in live_dates) or (merge_partitions and len(group) > 1):
                work.setdefault(day, {})[origin] = group
    return work


def groups_by_size(days: list[date], parts: dict[date, list[Path]], budget: int) -> Iterator[list[date]]:
    """Consecutive runs of `days` whose partition files add up to about `budget` bytes (read together)."""
    group: list[date] = []
    size = 0
    for day in days:
        day_size = sum(p.stat().st_size for p in parts.get(day, []))
        if group and size + day_size > budget:
            yield group
            group, size = [], 0
        group.append(day)
        size += day_size
    if group:
        yield group
