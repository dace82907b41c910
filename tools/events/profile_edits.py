"""Edits of a shop profile: places added or moved to another zone, rates set, the reporting currency changed.

    edit = store.edit_profile(lambda profile: add_places(profile, places))
    edit.changes        # ("added city Salem (US, in Oregon) in America/Los_Angeles", ...)

Each edit is a function from a profile to a `ProfileEdit` (the new profile and one line per change) that
raises ProfileError, naming the fix, for an edit that cannot be made; `EventStore.edit_profile` saves the
result atomically, so a refused edit leaves the profile as it was.

- **Places** need their parents: a region or city its country, a city named with a parent that region. A
  place already in the profile keeps its zone unless the edit says to move it (`replace_zones`), and gains
  the aliases the edit gives it.
- **Rates**: a fixed rate for a currency replaces its dated table; dated rates are merged by (currency,
  day). A currency's fixed rate applies before its dated table starts.
- **The reporting currency**: every rate is re-expressed in the new currency when the profile has a rate for
  it (exactly, day by day), else the rates must be given anew.
- **Category aliases**: other names of the shop's categories ("Kopfhörer" for Headphones) are added to
  those it has; a category the shop does not sell is refused with the list of those it does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from tools.events.countries import country_code, country_names
from tools.events.profile import DatedRate, Place, ProfileError, ShopProfile, check_currency
from tools.events.table_files import read_table_file

RATES_COLUMNS = ("currency", "valid_from", "rate")


@dataclass(frozen=True)
class ProfileEdit:
    """An edited profile and what changed, one line each (what the operator is told)."""

    profile: ShopProfile
    changes: tuple[str, ...]


# ---------------------------------------------------------------------------------------------- places
def add_places(profile: ShopProfile, places: Sequence[Place], replace_zones: bool = False) -> ProfileEdit:
    """The profile with `places` added; a place it knows keeps everything but its zone, which changes only
    with `replace_zones`. Refused: an unknown country or parent region, a city named without its parent
    where the country has one of that name, one place given two zones."""
    batch = _one_each([_normalised(place) for place in places])
    index = {place.key: i for i, place in enumerate(profile.places)}
    merged = list(profile.places)
    changes: list[str] = []
    added: list[Place] = []
    moved: list[Place] = []
    unchanged = 0
    for place in batch:
        if place.key not in index:
            added.append(place)
            continue
        known = merged[index[place.key]]
        new_aliases = [alias for alias in place.aliases if alias not in known.aliases]
        if new_aliases:
            known = merged[index[place.key]] = replace(known, aliases=(*known.aliases, *new_aliases))
            changes.append(f"{_describe(known)} is also called {', '.join(new_aliases)}")
        if known.tz == place.tz:
            unchanged += int(not new_aliases)
        elif not replace_zones:
            raise ProfileError(
                f"The {_describe(known)} is in {known.tz} in the profile, not {place.tz}: pass --replace to "
                "move it (the local times of its events change with it), or fix the zone."
            )
        else:
            merged[index[place.key]] = replace(known, tz=place.tz)
            moved.append(known)
            changes.append(f"moved {_describe(known)} from {known.tz} to {place.tz}")
    with_new = replace(profile, places=(*merged, *added))
    added = [_checked(with_new, place) for place in added]
    edited = replace(profile, places=(*merged, *added))
    changes += [f"added {_describe(place)} in {place.tz}" for place in added]
    for known in moved:  # places inside a moved one keep their own zones: say which stayed behind
        stayed = [child.name for child in edited.children(known) if child.tz == known.tz]
        if stayed:
            changes.append(f"still in {known.tz}: {', '.join(stayed)} (in {known.name}); --replace them too "
                           "where they use the new zone")
    if unchanged:
        changes.append(f"{unchanged} place(s) already in the profile in the same zone")
    return ProfileEdit(edited, tuple(changes))


def _normalised(place: Place) -> Place:
    """A country has no parent; a region's parent, if given, must be its country (then dropped)."""
    if place.level == "city" or not place.parent:
        return place
    if place.level == "region" and country_code(place.parent) == place.country:
        return replace(place, parent=None)
    raise ProfileError(
        f"The {place.level} {place.name!r} has the parent {place.parent!r}: only a city has a parent (its "
        f"region){'' if place.level == 'country' else '; a region is in its country'}. Leave parent empty."
    )


def _one_each(places: list[Place]) -> list[Place]:
    """The places without repeats; one place given in two zones is refused."""
    seen: dict[tuple[str, str, str, str], Place] = {}
    for place in places:
        first = seen.setdefault(place.key, place)
        if first.tz != place.tz:
            raise ProfileError(f"The {_describe(place)} is given twice, in {first.tz} and {place.tz}: "
                               "keep one.")
    return list(seen.values())


def _checked(profile: ShopProfile, place: Place) -> Place:
    """The new place with its parent region spelled as the profile spells it; refused without its parents."""
    name = country_names().get(place.country)
    if name is None:
        raise ProfileError(f"The {place.level} {place.name!r}: {place.country!r} is not an ISO 3166 country "
                           "code (e.g. US, IN, AU).")
    if place.level == "country":
        return place
    if not any(p.country == place.country for p in profile.at_level("country")):
        raise ProfileError(
            f"Unknown country {place.country} for the {place.level} {place.name!r}: add the country first "
            f"(--add '{name}' --level country --country {place.country} --tz ZONE) or list it in the file."
        )
    if place.level != "city":
        return place
    cities = [p for p in profile.find(place.name, "city")
              if p.country == place.country and p.key != place.key]
    if cities and (place.parent is None or any(p.parent is None for p in cities)):
        where = ", ".join(f"in {p.parent}" if p.parent else f"directly in {p.country}" for p in cities)
        raise ProfileError(
            f"The profile already has a city {place.name!r} in {place.country} ({where}): give each its "
            "region (--parent) so that events can tell them apart, or --replace to move the one it has."
        )
    if not place.parent:
        return place
    regions = [p for p in profile.find(place.parent, "region") if p.country == place.country]
    if not regions:
        known = ", ".join(p.name for p in profile.at_level("region") if p.country == place.country)
        raise ProfileError(
            f"Unknown region {place.parent!r} in {place.country} (the parent of the city {place.name!r}; "
            f"known: {known or 'none'}): add the region first (--add '{place.parent}' --level region "
            f"--country {place.country} --tz ZONE), or leave the parent out for a city right in its country."
        )
    return replace(place, parent=regions[0].name)


def _describe(place: Place) -> str:
    inside = f", in {place.parent}" if place.parent else ""
    return f"{place.level} {place.name} ({place.country}{inside})"


# ---------------------------------------------------------------------------------------------- money
def set_rates(
    profile: ShopProfile, fixed: Mapping[str, float] | None = None, dated: Sequence[DatedRate] = ()
) -> ProfileEdit:
    """The profile with fixed rates set (each replacing its currency's dated table) and dated rates merged
    by (currency, day). Rates are reporting-currency units per unit of the currency."""
    fixed = dict(fixed or {})
    given = set(fixed) | {r.currency for r in dated}
    for code in sorted(given):
        check_currency(code)
        if code == profile.currency:
            raise ProfileError(f"{code} is the reporting currency: its rate is 1 by definition. Give the "
                               "rates of the other currencies in it.")
    both = sorted(set(fixed) & {r.currency for r in dated})
    if both:
        raise ProfileError(f"{', '.join(both)}: give a currency a fixed rate or a dated table, not both.")
    rates = dict(profile.rates)
    table = {(r.currency, r.since): r for r in profile.dated_rates}
    changes = []
    for code, rate in sorted(fixed.items()):
        was = rates.get(code)
        rates[code] = rate
        dropped = [key for key in table if key[0] == code]
        for key in dropped:
            del table[key]
        change = "unchanged" if was == rate else f"was {was:.6g}" if was is not None else "new"
        changes.append(f"{code}: 1 {code} = {rate:.6g} {profile.currency} ({change})"
                       + (f"; its {len(dropped)} dated rate(s) are dropped" if dropped else ""))
    for code in sorted({r.currency for r in dated}):
        entries = [r for r in dated if r.currency == code]
        new = sum((r.currency, r.since) not in table for r in entries)
        changed = sum(table.get((r.currency, r.since), r).rate != r.rate for r in entries)
        table.update({(r.currency, r.since): r for r in entries})
        first = min(r.since for r in table.values() if r.currency == code)
        fallback = (f"; the fixed rate {rates[code]:.6g} still applies before {first}" if code in rates
                    else f"; no rate before {first}")
        changes.append(f"{code}: {len(entries)} dated rate(s) ({new} new, {changed} changed, "
                       f"{len(entries) - new - changed} unchanged){fallback}")
    edited = replace(profile, rates=rates, dated_rates=tuple(sorted(table.values(), key=_by_day)))
    return ProfileEdit(edited, tuple(changes))


def change_currency(
    profile: ShopProfile, code: str, fixed: Mapping[str, float] | None = None,
    dated: Sequence[DatedRate] = (), used: Collection[str] = (),
) -> ProfileEdit:
    """The profile reporting in `code`: its rates re-expressed in `code` when it has a rate for `code`, else
    replaced by `fixed` and `dated`, which must then cover every currency it had a rate for (and the old
    reporting currency, when it is among the data's currencies `used`). Given rates win over re-expressed
    ones."""
    code = code.strip().upper()
    check_currency(code)
    old = profile.currency
    if code == old:
        edit = set_rates(profile, fixed, dated)
        return ProfileEdit(edit.profile, (f"the profile already reports in {code}", *edit.changes))
    if profile.rate(code) is not None:
        rates, table = _reexpressed(profile, code)
        lines = [f"reporting currency {old} -> {code}; the rates in {old} are re-expressed in {code}:"]
        moved = replace(profile, currency=code, rates=rates, dated_rates=table)
        lines += [f"  {line}" for line in rate_lines(moved)]
    else:
        rated = {*profile.rates, *(r.currency for r in profile.dated_rates)}
        needed = (rated | ({old} & set(used))) - {code}
        missing = sorted(needed - set(fixed or {}) - {r.currency for r in dated})
        if missing:
            flags = " ".join(f"--set {c}=RATE" for c in missing)
            raise ProfileError(
                f"The profile has no rate for {code} in {old}, so the rates of {', '.join(sorted(needed))} "
                f"cannot be re-expressed in {code}: give them ({flags}, units of {code} per unit, or "
                f"--import a dated table), or first give the rate of {code} in {old} (`chronotope data rates "
                f"--set {code}=RATE`) and change the currency again."
            )
        lines = [f"reporting currency {old} -> {code}; the rates in {old} are replaced by the ones given"]
        moved = replace(profile, currency=code, rates={}, dated_rates=())
    edit = set_rates(moved, fixed, dated)
    return ProfileEdit(edit.profile, (*lines, *edit.changes))


def _reexpressed(profile: ShopProfile, code: str) -> tuple[dict[str, float], tuple[DatedRate, ...]]:
    """Every rate (the old reporting currency's included) in `code`: on each day, the old rate over the old
    rate of `code`. Both change only on their tables' days, so those days give the new table exactly."""
    bridge_days = {r.since for r in profile.dated_rates if r.currency == code}
    currencies = ({*profile.rates, *(r.currency for r in profile.dated_rates)} | {profile.currency}) - {code}
    rates: dict[str, float] = {}
    table: list[DatedRate] = []
    for currency in sorted(currencies):
        own = 1.0 if currency == profile.currency else profile.rates.get(currency)
        if own is not None and code in profile.rates:
            rates[currency] = own / profile.rates[code]
        days = bridge_days | {r.since for r in profile.dated_rates if r.currency == currency}
        for day in sorted(days):
            rate, bridge = profile.rate(currency, day), profile.rate(code, day)
            if rate is not None and bridge is not None:
                table.append(DatedRate(currency, day, rate / bridge))
    return rates, tuple(table)


def rate_lines(profile: ShopProfile) -> list[str]:
    """One line per currency with a rate: '1 GBP = 1.16279 EUR', 'AUD in USD from 2026-01-01: 0.64, ...'."""
    lines = [f"1 {code} = {rate:.6g} {profile.currency}" for code, rate in sorted(profile.rates.items())]
    for code in sorted({r.currency for r in profile.dated_rates}):
        entries = [r for r in profile.dated_rates if r.currency == code]
        shown = ", ".join(f"{r.since}: {r.rate:.6g}" for r in entries)
        before = f"; before: {profile.rates[code]:.6g}" if code in profile.rates else ""
        lines.append(f"{code} in {profile.currency} from {shown}{before}")
    return lines


def read_rates_file(path: Path | str) -> tuple[DatedRate, ...]:
    """Dated rates from a CSV with the columns currency, valid_from (YYYY-MM-DD) and rate (reporting units per
    unit); ProfileError naming the line of a bad row."""
    rows = read_table_file(path, RATES_COLUMNS, "Rates file", ProfileError)
    entries: dict[tuple[str, date], DatedRate] = {}
    for number, row in enumerate(rows, start=2):
        code = (row["currency"] or "").strip().upper()
        try:
            check_currency(code)
        except ProfileError as error:
            raise ProfileError(f"Rates file {path}, line {number}: {error}") from None
        try:
            since = date.fromisoformat((row["valid_from"] or "").strip())
            rate = float((row["rate"] or "").strip())
        except ValueError:
            raise ProfileError(f"Rates file {path}, line {number}: valid_from must be a date (YYYY-MM-DD) "
                               f"and rate a number with a decimal point; got {row['valid_from']!r}, "
                               f"{row['rate']!r}.") from None
        if not rate > 0:
            raise ProfileError(f"Rates file {path}, line {number}: the rate must be positive, got {rate!r}.")
        if (code, since) in entries:
            raise ProfileError(f"Rates file {path}, line {number}: {code} from {since} is given twice.")
        entries[(code, since)] = DatedRate(code, since, rate)
    return tuple(sorted(entries.values(), key=_by_day))


def _by_day(rate: DatedRate) -> tuple[str, date]:
    return rate.currency, rate.since


def add_category_aliases(profile: ShopProfile, given: Mapping[str, Sequence[str]],
                         categories: Sequence[str]) -> ProfileEdit:
    """The profile with the `given` aliases (category -> names) added to its categories' own; `categories`
    are the ones the shop sells (the profile's, else its catalogue's)."""
    known = {category.casefold(): category for category in categories}
    aliases = {category: list(names) for category, names in profile.category_aliases.items()}
    added: dict[str, list[str]] = {}  # per category as the shop spells it ("shoes" is Shoes)
    for category, names in given.items():
        name = known.get(category.strip().casefold())
        if name is None:
            raise ProfileError(f"{category!r} is not one of the shop's categories: {', '.join(categories)}.")
        for alias in (alias.strip() for alias in names):
            if alias not in (*aliases.get(name, []), *added.get(name, [])):
                added.setdefault(name, []).append(alias)
    for name, new in added.items():
        aliases[name] = [*aliases.get(name, []), *new]
    changes = [f"{name} is also called {', '.join(new)}" for name, new in added.items()]
    edited = replace(profile, category_aliases={k: tuple(v) for k, v in aliases.items()})  # checks them
    return ProfileEdit(edited, tuple(changes))
