"""Shops other than the demo, for tests that must not pass on the demo's facts alone."""

from __future__ import annotations

from datetime import date

from tools.events.profile import DatedRate, Place, ShopProfile

# A US outfitter selling in the US, India and Australia: USD, several zones per country (and a half-hour one),
# a fixed INR rate and a dated AUD table.
NORTHWIND = ShopProfile(
    name="Northwind Outfitters",
    currency="USD",
    rates={"INR": 0.012},
    dated_rates=(DatedRate("AUD", date(2026, 1, 1), 0.64), DatedRate("AUD", date(2026, 5, 1), 0.70)),
    places=(
        Place("country", "United States", "US", "America/New_York", code="US"),
        Place("country", "India", "IN", "Asia/Kolkata", code="IN"),
        Place("country", "Australia", "AU", "Australia/Sydney", code="AU"),
        Place("region", "New York", "US", "America/New_York"),
        Place("region", "Oregon", "US", "America/Los_Angeles"),
        Place("region", "Maharashtra", "IN", "Asia/Kolkata"),
        Place("region", "Western Australia", "AU", "Australia/Perth"),
        Place("city", "Brooklyn", "US", "America/New_York", parent="New York"),
        Place("city", "Portland", "US", "America/Los_Angeles", parent="Oregon"),
        Place("city", "Mumbai", "IN", "Asia/Kolkata", parent="Maharashtra"),
        Place("city", "Perth", "AU", "Australia/Perth", parent="Western Australia"),
    ),
)
