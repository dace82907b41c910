"""Money in the shop's reporting currency: the rates of a profile as a small hashable table for queries.

A missing currency is the reporting currency. A currency without a rate has no value in the reporting
currency (NULL): engines leave such amounts out of sums and say so, never count them as 0 or at par.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tools.events.profile import ShopProfile
from tools.events.sql import sql_string


@dataclass(frozen=True)
class Money:
    """The reporting currency and the rates into it: fixed per currency, or dated (latest on or before)."""

    currency: str
    rates: tuple[tuple[str, float], ...] = ()
    dated: tuple[tuple[str, date, float], ...] = ()  # (currency, since, rate), oldest first per currency

    @classmethod
    def of(cls, profile: ShopProfile) -> Money:
        """The money table of a shop profile."""
        dated = sorted((r.currency, r.since, r.rate) for r in profile.dated_rates)
        return cls(profile.currency, tuple(sorted(profile.rates.items())), tuple(dated))

    def currencies(self) -> set[str]:
        """The currencies with a rate (the reporting one included)."""
        return {self.currency} | {code for code, _ in self.rates} | {code for code, _, _ in self.dated}

    def sql(self, currency: str, when: str) -> str:
        """A SQL CASE giving each row's rate into the reporting currency (NULL when it has none).

        `currency` and `when` are SQL expressions: the row's currency code and its time (dated rates).
        """
        branches = [f"WHEN {currency} IS NULL OR {currency} = {sql_string(self.currency)} THEN 1.0"]
        for code, since, rate in sorted(self.dated, key=lambda r: (r[0], r[1]), reverse=True):
            branches.append(f"WHEN {currency} = {sql_string(code)} AND {when} >= DATE '{since.isoformat()}' "
                            f"THEN {rate!r}")
        for code, rate in self.rates:
            branches.append(f"WHEN {currency} = {sql_string(code)} THEN {rate!r}")
        return f"CASE {' '.join(branches)} END"

