"""The shop's reporting currency and the fixed rates that bring other currencies into it.

Every engine that adds up money (revenue, order values, fraud amounts) converts with these rates, so the
figures agree across tools. The demo shop prices GB items at 0.86 GBP per EUR. A missing currency is taken
as the reporting currency; an unknown one has no rate (engines leave such amounts out rather than guess).
"""

from __future__ import annotations

REPORTING_CURRENCY = "EUR"
# Units of the reporting currency per unit of each currency.
RATES: dict[str, float] = {"EUR": 1.0, "GBP": 1 / 0.86}


def rate_sql(currency_column: str) -> str:
    """A SQL expression: the rate of `currency_column` into the reporting currency (NULL when unknown)."""
    cases = " ".join(f"WHEN '{code}' THEN {rate!r}" for code, rate in RATES.items())
    return f"CASE coalesce({currency_column}, '{REPORTING_CURRENCY}') {cases} END"
