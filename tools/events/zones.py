"""Which time zone each event is read in, as a small hashable table the engines compile into their queries.

An event's zone is its city's, else its region's, else its country's (when the country has one zone), else
the shop's own zone (`ShopProfile.tz`). A city is listed only where its zone differs from its region's,
and a name is qualified by its parent only where the profile uses it twice: the table, and the CASE
expressions built from it, stay as small as the shop's geography allows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tools.events.profile import ShopProfile
from tools.events.sql import sql_string


@dataclass(frozen=True)
class ZoneRule:
    """Events at this place are read in `tz`; None fields match any value (the name is unambiguous)."""

    level: str  # "city", "region" or "country"
    name: str  # the city or region name, or the country code
    tz: str
    country: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class ZoneTable:
    """The rules, most specific first, and the zone of events that match none."""

    rules: tuple[ZoneRule, ...]
    default: str | None = None

    @classmethod
    def of(cls, profile: ShopProfile) -> ZoneTable:
        """The zone rules of a shop profile."""
        names = Counter((p.level, p.name.casefold()) for p in profile.places)
        region_zone = {(p.country, p.name.casefold()): p.tz for p in profile.at_level("region")}
        rules: list[ZoneRule] = []
        for city in profile.at_level("city"):
            parent_tz = region_zone.get((city.country, (city.parent or "").casefold()))
            if city.tz == parent_tz:
                continue
            unique = names[("city", city.name.casefold())] == 1
            rules.append(ZoneRule("city", city.name, city.tz, None if unique else city.country,
                                  None if unique else city.parent))
        for region in profile.at_level("region"):
            unique = names[("region", region.name.casefold())] == 1
            rules.append(ZoneRule("region", region.name, region.tz, None if unique else region.country))
        for country in profile.at_level("country"):
            zones = profile.country_zones(country.country)
            if len(zones) == 1:
                rules.append(ZoneRule("country", country.country, zones.pop()))
        return cls(tuple(rules), profile.tz)

    def zones(self) -> set[str]:
        """Every zone the table can give an event."""
        return {rule.tz for rule in self.rules} | ({self.default} if self.default else set())

    def sql(self, country: str = "country", region: str = "region", city: str = "city") -> str:
        """A SQL CASE giving each row's zone name from its place columns (NULL where none is known)."""
        columns = {"country": country, "region": region, "city": city}
        branches = []
        for rule in self.rules:
            conditions = [f"{columns[rule.level]} = {sql_string(rule.name)}"]
            if rule.country:
                conditions.append(f"{country} = {sql_string(rule.country)}")
            if rule.region:
                conditions.append(f"{region} = {sql_string(rule.region)}")
            branches.append(f"WHEN {' AND '.join(conditions)} THEN {sql_string(rule.tz)}")
        default = sql_string(self.default) if self.default else "NULL"
        return f"CASE {' '.join(branches)} ELSE {default} END" if branches else default
