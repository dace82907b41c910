"""What the recommender returns: ranked products with customer-readable reasons, and basket predictions."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tools.errors import EngineInputError
from tools.results import ChartSpec

RESULT_COLUMNS = ["product_id", "name", "category", "price", "score", "reason"]


class UnknownUser(EngineInputError):
    """A user id the recommender has never seen and the store does not know."""


class UnknownProduct(EngineInputError):
    """A product id that is not in the catalogue."""


class PartNotTrained(EngineInputError):
    """A question for a part of the recommender the shop's data could not train (say, no prices)."""


def product_columns(products: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per item index, what a result shows: id, name (the id where the catalogue has none), category and
    price (None where unknown: never a NaN or "None" on a customer's screen)."""
    columns = {"product_id": products["product_id"].to_numpy(dtype=object)}
    named = products["name"].notna().to_numpy()
    columns["name"] = np.where(named, products["name"].to_numpy(dtype=object), columns["product_id"])
    for column in ("category", "price"):
        values = products[column].to_numpy(dtype=object)
        values[products[column].isna().to_numpy()] = None
        columns[column] = values
    return columns


@dataclass
class RecommendationResult:
    """Ranked products: `.frame` has product_id, name, category, price, score, reason (best first)."""

    frame: pd.DataFrame
    title: str  # what was asked, e.g. "Recommendations for U000042 in Lyon, Friday evening"
    strategy: str  # which model answered, e.g. "ALS + context", "regional favourites (new customer)"
    notes: list[str] = field(default_factory=list)
    currency: str | None = None  # what the prices are in (the shop's reporting currency)

    def summary(self) -> str:
        """One line an LLM can quote: the ask, the strategy and the top items with their reasons."""
        if self.frame.empty:
            return f"{self.title}: nothing to recommend ({'; '.join(self.notes) or 'no candidates'})."
        top = "; ".join(
            # A product the catalogue has no name for is named by its id, once.
            f"{row.name} ({row.product_id}, {row.reason})" if row.name != row.product_id
            else f"{row.product_id} ({row.reason})"
            for row in self.frame.head(3).itertuples(index=False)
        )
        more = f" and {len(self.frame) - 3} more" if len(self.frame) > 3 else ""
        notes = f" Note: {'; '.join(self.notes)}." if self.notes else ""
        return f"{self.title} [{self.strategy}]: {top}{more}.{notes}"

    def chart(self) -> ChartSpec | None:
        """Bars of scores by product name, or None when empty."""
        if self.frame.empty:
            return None
        return ChartSpec.from_frame(
            "bar", self.title, self.frame[["name", "score", "reason"]], x="name", y="score",
            extra={"strategy": self.strategy},
        )


@dataclass
class BasketValuePrediction:
    """A user's predicted next basket value next to their order history.

    `.frame` lists past orders (placed_at, amount) and a last row "next (predicted)".
    """

    frame: pd.DataFrame
    user_id: str
    predicted: float
    user_mean: float | None
    n_orders: int
    currency: str
    basis: str  # how the number was made, e.g. "GRU over 7 orders"

    def summary(self) -> str:
        """One line an LLM can quote."""
        mean = (f"; their average so far is {self.user_mean:.2f} {self.currency}"
                if self.user_mean is not None else "")
        return (
            f"Predicted next basket of {self.user_id}: {self.predicted:.2f} {self.currency} "
            f"({self.basis}, {self.n_orders} past orders{mean})."
        )

    def chart(self) -> ChartSpec | None:
        """Bars of past order amounts and the predicted next one."""
        data = self.frame.assign(label=self.frame["placed_at"].astype(str).str[:10])
        return ChartSpec.from_frame(
            "bar", f"Order values of {self.user_id} and the next one predicted",
            data[["label", "amount", "kind"]], x="label", y="amount", color="kind",
        )
