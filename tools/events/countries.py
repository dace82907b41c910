"""Every country of the world, offline: ISO 3166 codes and names, and the clocks its places keep.

Read from the IANA time zone database as the `tzdata` package ships it (`iso3166.tab`, `zone.tab`), and the
countries' names in the shop's five languages from CLDR as `babel` ships it ("Deutschland", "Allemagne"). A
country "keeps one clock" when all its zones give the same UTC offsets over the years around now (Germany's
Europe/Berlin and Europe/Busingen do; Spain's Madrid and Canary Islands zones do not): its places can then
be read on that clock without being told.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from tools.language import LANGUAGES


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English name."""
    names = {}
    for line in _tab("iso3166.tab"):
        code, name = line.split("\t", 1)
        names[code] = name
    return names


# Names people and exports use beside the database's own ("Britain (UK)", "Korea (South)").
ALIASES: dict[str, str] = {
    "United Kingdom": "GB", "UK": "GB", "Great Britain": "GB", "England": "GB", "Scotland": "GB",
    "Wales": "GB", "Northern Ireland": "GB", "USA": "US", "United States of America": "US", "America": "US",
    "South Korea": "KR", "Korea": "KR", "North Korea": "KP", "Czechia": "CZ", "Eire": "IE", "Holland": "NL",
    "UAE": "AE", "RSA": "ZA", "Ivory Coast": "CI", "Burma": "MM", "Macedonia": "MK", "Vatican": "VA",
}


@lru_cache(maxsize=1)
def _local_names() -> dict[str, tuple[str, ...]]:
    """ISO code -> the country's names in the five languages (CLDR), in LANGUAGES order, each once."""
    from babel import Locale

    names: dict[str, list[str]] = {}
    for language in LANGUAGES:
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(code, []).append(name)
    return {code: tuple(dict.fromkeys(found)) for code, found in names.items()}


def country_aliases(code: str) -> tuple[str, ...]:
    """What people write for a country in the five languages besides its database name: "Deutschland",
    "Allemagne", "Alemania", "Germania" for DE ("Germany" is the name). A country that joins a shop's
    profile from its data takes them, so "Umsatz in Deutschland?" asks about Germany."""
    own = country_names().get(code)
    return tuple(name for name in _local_names().get(code, ()) if name != own)


@lru_cache(maxsize=1)
def _codes_by_key() -> dict[str, str]:
    keys = {_key(alias): code for alias, code in ALIASES.items()}
    for code, name in country_names().items():
        keys[_key(code)] = keys[_key(name)] = code
    for code, names in _local_names().items():  # the database's names and the aliases above come first
        for name in names:
            keys.setdefault(_key(name), code)
    return keys


def country_code(value: str) -> str | None:
    """The ISO code of a country given by code or name, in English or another of the five languages ("de",
    "Germany", "Deutschland", "Allemagne" -> "DE"); None if none."""
    return _codes_by_key().get(_key(value))


@lru_cache(maxsize=1)
def _zones() -> dict[str, list[str]]:
    zones: dict[str, list[str]] = {}
    for line in _tab("zone.tab"):
        code, _, zone = line.split("\t")[:3]
        zones.setdefault(code, []).append(zone)
    return zones


def zones_of(code: str) -> list[str]:
    """The zones the database lists for a country, its main one first."""
    return list(_zones().get(code, []))


@lru_cache(maxsize=512)
def single_clock_zone(code: str) -> str | None:
    """The zone of a country whose places all keep one clock (its first listed zone), else None."""
    zones = _zones().get(code, [])
    if not zones:
        return None
    first = _offsets(zones[0])
    return zones[0] if all(_offsets(zone) == first for zone in zones[1:]) else None


def _offsets(zone: str) -> tuple[timedelta | None, ...]:
    """UTC offsets at the start of each fortnight over the last three and the next two years."""
    tz = ZoneInfo(zone)
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return tuple((now + timedelta(days=14 * k)).astimezone(tz).utcoffset() for k in range(-78, 53))


def _tab(name: str) -> list[str]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())
