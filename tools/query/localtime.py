"""Local time of each event, as portable ibis arithmetic.

"Friday night" is read on the wall clock of the event's place: its city's zone, else its region's, else its
country's, else the shop's own (`tools.events.zones.ZoneTable`, from the shop profile). Backends disagree
on time-zone functions, so instead of calling them we precompute each zone's UTC offsets from zoneinfo over
the queried span and compile them into a CASE on (place, UTC epoch seconds): integer arithmetic that DuckDB,
Spark, Trino and ClickHouse all run the same way, and that honours DST, half-hour zones (Asia/Kolkata) and
zones that differ within a country (the Canary Islands are an hour behind mainland Spain).

Local day numbers count days since 1970-01-01 on the local calendar; weekday 0 is Monday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from tools.events.zones import ZoneRule, ZoneTable

SECONDS_PER_DAY = 86_400
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)



def _offset_minutes(zone: ZoneInfo, epoch_s: int) -> int:
    moment = datetime.fromtimestamp(epoch_s, tz=UTC).astimezone(zone)
    return int(moment.utcoffset().total_seconds() // 60)


@lru_cache(maxsize=256)
def offset_intervals(tz: str, first_day: date, last_day: date) -> tuple[tuple[int, int], ...]:
    """The zone's UTC offsets over the UTC dates [first_day, last_day], padded a day each side.

    Returns ((start_epoch_s, offset_minutes), ...) in time order: each offset holds from its start until the
    next start; the first also holds before its start and the last after the span.
    """
    zone = ZoneInfo(tz)
    start = int(datetime.combine(first_day - timedelta(days=1), datetime.min.time(), UTC).timestamp())
    end = int(datetime.combine(last_day + timedelta(days=2), datetime.min.time(), UTC).timestamp())
    intervals = [(start, _offset_minutes(zone, start))]
    # Zones change offset a few times a year at most, never twice in a day: scan daily, then bisect each
    # change to the second.
    for day_start in range(start, end, SECONDS_PER_DAY):
        day_end = min(day_start + SECONDS_PER_DAY, end)
        if _offset_minutes(zone, day_end) == intervals[-1][1]:
            continue
        lo, hi = day_start, day_end  # offset(lo) is the old one, offset(hi) the new one
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if _offset_minutes(zone, mid) == intervals[-1][1]:
                lo = mid
            else:
                hi = mid
        intervals.append((hi, _offset_minutes(zone, hi)))
    return tuple(intervals)


def utc_offset_minutes(
    table: ir.Table, epoch_s: ir.IntegerValue, first_day: date, last_day: date, zones: ZoneTable
) -> ir.IntegerValue:
    """Each event's UTC offset in minutes, from the zone its place is read in (see `ZoneTable`)."""

    def offsets(tz: str) -> tuple[tuple[int, int], ...]:
        return offset_intervals(tz, first_day, last_day)

    def offset_expr(intervals: tuple[tuple[int, int], ...]) -> ir.IntegerValue:
        if len(intervals) == 1:
            return ibis.literal(intervals[0][1])
        branches = [(epoch_s < start, ibis.literal(prev[1])) for prev, (start, _) in pairwise(intervals)]
        return ibis.cases(*branches, else_=ibis.literal(intervals[-1][1]))

    # Places with the same offsets over the span (Paris, Berlin, Madrid, Rome) share one branch: a shorter
    # expression compiles and runs faster. Qualified rules (a name used twice in the profile) keep their own.
    branches = []
    for level in ("city", "region", "country"):  # the most specific place decides
        grouped: dict[tuple, list[str]] = {}
        for rule in (r for r in zones.rules if r.level == level):
            if rule.country or rule.region:
                branches.append((_matches(table, rule), offset_expr(offsets(rule.tz))))
            else:
                grouped.setdefault(offsets(rule.tz), []).append(rule.name)
        branches += [(table[level].isin(names), offset_expr(iv)) for iv, names in grouped.items()]
    # No place and no shop zone: UTC. Ingest refuses events whose zone it cannot know, so only data written
    # around it (or a profile without places) gets here.
    default = offset_expr(offsets(zones.default)) if zones.default else ibis.literal(0)
    return ibis.cases(*branches, else_=default) if branches else default


def _matches(table: ir.Table, rule: ZoneRule) -> ir.BooleanValue:
    condition = table[rule.level] == rule.name
    if rule.country:
        condition &= table.country == rule.country
    if rule.region:
        condition &= table.region == rule.region
    return condition


def with_local_time(table: ir.Table, first_day: date, last_day: date, zones: ZoneTable) -> ir.Table:
    """`table` plus local_seconds, local_day (days since epoch), local_hour (0-23), local_weekday (0=Monday).

    `first_day`..`last_day` is the UTC date span the query reads; offsets are exact inside it.
    """
    # floor, not cast: some backends return fractional epoch seconds and a cast would round 19:59:59.7 up.
    epoch_s = table.event_time.epoch_seconds().floor()
    offset = utc_offset_minutes(table, epoch_s, first_day, last_day, zones)
    local = table.mutate(local_seconds=epoch_s + offset * 60)
    local = local.mutate(
        local_day=local.local_seconds // SECONDS_PER_DAY,
        local_hour=(local.local_seconds // 3600) % 24,
    )
    return local.mutate(local_weekday=(local.local_day + EPOCH_WEEKDAY) % 7)


def day_number(day: date) -> int:
    """Days since 1970-01-01 (the local_day of that calendar date)."""
    return (day - date(1970, 1, 1)).days


def day_from_number(number: int) -> date:
    """The calendar date of a local day number."""
    return date(1970, 1, 1) + timedelta(days=number)
