"""What the shop's data can teach the recommender: which parts train, which are skipped, and why.

Shops export what they have. A purchase-only export (customer, product, time) has no order ids, prices,
places or browsing sessions; the recommender still learns from it (ALS on purchases, best sellers), and
every part that needs a missing column is skipped or falls back, with the reason recorded in the model's
manifest and printed by `chronotope recommend train`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from tools.recommend.interactions import FAR_FUTURE

BOUGHT_TOGETHER = "bought together"
BASKET_VALUE = "basket value"
REGIONAL = "regional context"
NEXT_ITEM = "next item"
CONTENT = "content similarity"


@dataclass(frozen=True)
class DataCoverage:
    """Counts of the events (before the cutoff, with a known product) that each part needs."""

    purchases: int
    purchases_with_order: int
    purchases_with_price: int
    events_with_region: int  # in a region of the shop's profile
    browsing_steps: int  # views and carts with a session id
    described_products: int  # catalogue rows with a name or a description

    def skipped(self, content: bool) -> dict[str, str]:
        """Part -> why it was not trained (`content`: whether product embeddings were asked for)."""
        skipped: dict[str, str] = {}
        if not self.purchases:
            skipped[BOUGHT_TOGETHER] = "no purchases to find products bought together in"
        if not self.purchases_with_price:
            skipped[BASKET_VALUE] = ("no purchase has a price, so no order has a value; map the price (or "
                                     "amount, for line totals) when ingesting and retrain")
        if not self.events_with_region:
            skipped[REGIONAL] = ("no event is in a region of the shop's profile, so there are no regional "
                                 "favourites or local-time slots; map region (with --places) when ingesting "
                                 "to get them. New visitors see the shop's best sellers")
        if not self.browsing_steps:
            skipped[NEXT_ITEM] = ("no views or carts with a session id; the next products after a visit "
                                  "are the ones popular lately")
        if content and not self.described_products:
            skipped[CONTENT] = ("the catalogue has no product names or descriptions to compare; similar "
                                "products come from shoppers' behaviour only")
        return skipped

    @property
    def basket_unit(self) -> str:
        """What a basket of bought-together is, in a customer's words: "orders" only when all have ids."""
        return "orders" if self.purchases_with_order == self.purchases else "baskets"

    def notes(self) -> list[str]:
        """Fallbacks in use: data the parts were trained on that is not what they would want."""
        notes = []
        without_order = self.purchases - self.purchases_with_order
        if without_order:
            notes.append(f"{without_order:,} of {self.purchases:,} purchases have no order id: an order "
                         "(bought together, basket value) is then the customer's purchases in one session, "
                         "else on one day (UTC)")
        without_price = self.purchases - self.purchases_with_price
        if self.purchases_with_price and without_price:
            notes.append(f"{without_price:,} of {self.purchases:,} purchases have no price: orders holding "
                         "one are left out of basket values")
        return notes


def data_coverage(con: duckdb.DuckDBPyConnection, until: datetime | None) -> DataCoverage:
    """Count what the events before `until` hold. Needs `interactions.prepare_indices` on `con`."""
    row = con.execute(
        """
        SELECT count(*) FILTER (WHERE e.event_type = 'purchase'),
               count(*) FILTER (WHERE e.event_type = 'purchase' AND e.order_id IS NOT NULL),
               count(*) FILTER (WHERE e.event_type = 'purchase' AND e.price IS NOT NULL),
               count(r.ridx),
               count(*) FILTER (WHERE e.event_type IN ('view', 'cart') AND e.session_id IS NOT NULL),
               (SELECT count(*) FROM products WHERE name IS NOT NULL OR description IS NOT NULL)
        FROM events e JOIN rec_items USING (product_id) LEFT JOIN rec_regions r USING (region)
        WHERE e.event_type IN ('view', 'cart', 'purchase') AND e.event_time < $until
        """,
        {"until": until or FAR_FUTURE},
    ).fetchone()
    return DataCoverage(*(int(value) for value in row))
