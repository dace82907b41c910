"""The places an ingest finds: known ones keep the profile's spelling, new ones join the profile with a zone.

Every distinct (country, region, city) of a file is resolved before its rows are checked:
- a country is one of the profile's, or any ISO 3166 country (by code or English name); anything else is
  an unknown country (those rows are quarantined);
- a region or city the profile knows keeps its profile name (and tells a missing country); a region the
  profile knows in another country only is refused as a likely slip, unless the places file lists it;
- a new one is added, with its zone from, in order: the places file (`--places`), its region (a city), its
  country when that keeps one clock (India, Germany: not the US or Spain), the fallback zone
  (`--place-tz`). A place whose zone none of these gives is not guessed: its rows are quarantined with a
  reason that names those two flags. Local time is never silently UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tools.events.countries import country_aliases, country_code, country_names, single_clock_zone, zones_of
from tools.events.mapping import IngestError
from tools.events.profile import LEVELS, Place, ProfileError, ShopProfile, check_place
from tools.events.table_files import read_table_file

UNKNOWN_COUNTRY = "ZZ"  # the country of a region the data names without one (ISO's "unknown" code)
PLACES_COLUMNS = ("name", "level", "parent", "country", "time_zone")
FIX = "give its zone with --places FILE (name, level, parent, country, time_zone) or --place-tz ZONE"


@dataclass(frozen=True)
class PlaceSources:
    """Where the zones of new places come from, besides their country: a places file, then one zone."""

    places: tuple[Place, ...] = ()
    tz: str | None = None


@dataclass(frozen=True)
class ResolvedPlace:
    """What a distinct raw (country, region, city) of the file becomes, or why its rows are rejected."""

    raw: tuple[str | None, str | None, str | None]
    country: str | None = None  # ISO code
    region: str | None = None
    city: str | None = None
    reason: str | None = None


@dataclass
class Resolution:
    """The profile with the new places, what was added, and the resolution of each raw place."""

    profile: ShopProfile
    added: list[Place] = field(default_factory=list)
    places: list[ResolvedPlace] = field(default_factory=list)
    unclocked: set[str] = field(default_factory=set)  # countries added here whose one clock nothing gave


def read_places_file(path: Path | str) -> tuple[Place, ...]:
    """Places from a CSV with columns name, level, parent, country, time_zone (optional: lat, lon, code, and
    aliases: other names for the place separated by ";", e.g. "Bayern;Baviera")."""
    rows = read_table_file(path, PLACES_COLUMNS, "Places file", IngestError)
    places = []
    for number, row in enumerate(rows, start=2):
        try:
            places.append(place_from_row(row))
        except ProfileError as error:
            raise IngestError(f"Places file {path}, line {number}: {error}") from None
    return tuple(places)


def place_from_row(row: Mapping[str, str | None]) -> Place:
    """One place from a places file's row (or the same fields given another way); ProfileError if unusable.

    The country may be a code or an English name ("Germany" -> "DE"); a country is also known by its code."""
    level = (row["level"] or "").strip().lower()
    country = country_code(row["country"] or "") or (row["country"] or "").strip().upper()
    own_code = (row.get("code") or "").strip() or (country if level == "country" else None)
    return check_place(Place(
        level, (row["name"] or "").strip(), country, (row["time_zone"] or "").strip(),  # type: ignore[arg-type]
        parent=(row["parent"] or "").strip() or None, code=own_code,
        lat=_number(row.get("lat")), lon=_number(row.get("lon")),
        aliases=tuple(alias.strip() for alias in (row.get("aliases") or "").split(";") if alias.strip()),
    ))


def resolve_places(
    profile: ShopProfile, raw: Iterable[tuple[str | None, str | None, str | None]], sources: PlaceSources
) -> Resolution:
    """Resolve each raw (country, region, city) against the profile, adding what is new (see the module)."""
    resolution = Resolution(profile)
    for triple in raw:
        resolution.places.append(_resolve(resolution, triple, sources))
    return resolution


def _resolve(
    resolution: Resolution, raw: tuple[str | None, str | None, str | None], sources: PlaceSources
) -> ResolvedPlace:
    raw_country, raw_region, raw_city = raw
    country, clock = None, False
    if raw_country:
        country, clock = _country(resolution, raw_country, sources)
        if country is None:
            return ResolvedPlace(raw, reason="unknown country")
    region = None
    if raw_region:
        region, country, reason = _region(resolution, raw_region, country, sources)
        if reason:
            return ResolvedPlace(raw, reason=reason)
    city = None
    if raw_city:
        city, country, reason = _city(resolution, raw_city, region, country, sources)
        if reason:
            return ResolvedPlace(raw, reason=reason)
    if raw_country and not raw_region and not raw_city and not clock:
        return ResolvedPlace(raw, reason=f"{raw_country} keeps several clocks and the row names no region or "
                                         f"city: {FIX}")
    return ResolvedPlace(raw, None if country == UNKNOWN_COUNTRY else country, region, city)


def _country(resolution: Resolution, value: str, sources: PlaceSources) -> tuple[str | None, bool]:
    """(ISO code or None, whether events naming only this country can be read on one clock)."""
    known = resolution.profile.find(value, "country")
    if known:
        code = known[0].country
        return code, code not in resolution.unclocked and len(resolution.profile.country_zones(code)) == 1
    code = country_code(value)
    if code is None:
        return None, False
    listed = [p for p in sources.places if p.level == "country" and p.country == code]
    zone = listed[0].tz if listed else single_clock_zone(code) or sources.tz
    clock = zone is not None
    if not clock:
        resolution.unclocked.add(code)
    zone = zone or (zones_of(code) or ["UTC"])[0]  # the entry needs a zone; its regions' are what count
    _add(resolution, listed[0] if listed else Place("country", country_names()[code], code, zone, code=code,
                                                    aliases=country_aliases(code)))
    return code, clock


def _region(
    resolution: Resolution, name: str, country: str | None, sources: PlaceSources
) -> tuple[str | None, str | None, str | None]:
    known = [p for p in resolution.profile.find(name, "region") if country is None or p.country == country]
    if len(known) == 1:
        return known[0].name, known[0].country, None
    if len(known) > 1:
        return None, country, f"region {name!r} is in several countries: give the row's country"
    listed = [p for p in sources.places if p.level == "region" and _same(p.name, name)
              and (country is None or p.country == country)]
    if listed:
        _add(resolution, listed[0])
        return listed[0].name, listed[0].country, None
    elsewhere = sorted({p.country for p in resolution.profile.find(name, "region")})
    if elsewhere:  # more likely a slip than a second region of that name (Limburg: add it with --places)
        return None, country, (f"region {name!r} is in {', '.join(elsewhere)}, not {country}: fix the row, "
                               "or add the region with --places FILE")
    zone = (single_clock_zone(country) if country else None) or sources.tz
    if zone is None:
        where = f" in {country}" if country else " (no country given)"
        return None, country, f"no time zone for region {name!r}{where}: {FIX}"
    _add(resolution, Place("region", name, country or UNKNOWN_COUNTRY, zone))
    return name, country, None


def _city(
    resolution: Resolution, name: str, region: str | None, country: str | None, sources: PlaceSources
) -> tuple[str | None, str | None, str | None]:
    known = [p for p in resolution.profile.find(name, "city")
             if (country is None or p.country == country)
             and (region is None or _same(p.parent or "", region))]
    if len(known) == 1:
        return known[0].name, known[0].country, None
    listed = [p for p in sources.places if p.level == "city" and _same(p.name, name)
              and (country is None or p.country == country)]
    if listed:
        _add(resolution, replace(listed[0], parent=listed[0].parent or region))
        return listed[0].name, listed[0].country, None
    parents = [p for p in resolution.profile.find(region, "region")
               if country is None or p.country == country] if region else []
    zone = parents[0].tz if parents else (single_clock_zone(country) if country else None) or sources.tz
    if zone is None:
        where = f" in {region or country}" if region or country else " (no region or country given)"
        return None, country, f"no time zone for city {name!r}{where}: {FIX}"
    _add(resolution, Place("city", name, country or (parents[0].country if parents else UNKNOWN_COUNTRY),
                           zone, parent=region))
    return name, country, None


def _add(resolution: Resolution, place: Place) -> None:
    profile = resolution.profile.with_places([place])
    if profile != resolution.profile:
        resolution.profile = profile
        resolution.added.append(place)


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def added_lines(places: Sequence[Place]) -> list[str]:
    """One line per added place, for the ingest's report: 'region Oregon (US) in America/Los_Angeles'."""
    order = {level: i for i, level in enumerate(LEVELS)}
    ordered = sorted(places, key=lambda p: (order[p.level], p.country, p.name))
    return [f"{p.level} {p.name} ({p.country}) in {p.tz}" for p in ordered]
