"""The shop's LLM-facing tools and the registry that serves them to the agent.

    registry = build_registry(settings)          # ToolRegistry over the store, knowledge base and engines
    registry.schemas("customer")                  # what a customer session's model sees
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from tools.agent_tools import args as a
from tools.agent_tools import customer, operator
from tools.agent_tools.backends import ShopBackends
from tools.registry import ShopTool, ToolRegistry

if TYPE_CHECKING:
    from agent.config import Settings

CUSTOMER = frozenset({"customer"})
OPERATOR = frozenset({"operator"})
BOTH = frozenset({"customer", "operator"})

# (name, description, argument model, roles, wrapper, runs on the session's own user)
_TOOLS: tuple[tuple[str, str, type, frozenset, Callable, bool], ...] = (
    ("search_docs", ("Search the shop's policies, FAQ and product guides (shipping, returns, warranty, payment, "
     "account, care). Returns passages to cite."), a.SearchDocsArgs, BOTH, customer.search_docs, False),
    ("search_products", ("Find products in the catalogue by description, with optional category, price and stock "
     "filters."), a.SearchProductsArgs, CUSTOMER, customer.search_products, False),
    ("my_orders", "The signed-in customer's own orders: status, items, amounts, delivery estimates.",
     a.MyOrdersArgs, CUSTOMER, customer.my_orders, True),
    ("my_recommendations", "Products recommended for the signed-in customer, or that go with a product.",
     a.MyRecommendationsArgs, CUSTOMER, customer.my_recommendations, True),
    ("find_spikes", ("Which regions (or cities, countries, categories) spike in a local-time window of the week, "
     "e.g. Friday 20-24, against their own baseline."), a.FindSpikesArgs, OPERATOR, operator.find_spikes, False),
    ("compare_periods", ("Change of a metric week over week or year over year, per region, country, category or "
     "product."), a.ComparePeriodsArgs, OPERATOR, operator.compare_periods, False),
    ("top_items", ("Rank or break down a metric (revenue, orders, conversion...) by product, category, place, hour "
     "or weekday over a period, optionally in one place or category."), a.TopItemsArgs, OPERATOR, operator.top_items, False),
    ("forecast_demand", ("Forecast daily units of a product, a category or the whole shop in a region, city or "
     "country, with 80%/95% intervals and backtest accuracy."), a.ForecastDemandArgs, OPERATOR, operator.forecast_demand, False),
    ("reorder_advice", "Reorder point and quantity for a product given stock on hand and supplier lead time.",
     a.ReorderAdviceArgs, OPERATOR, operator.reorder_advice, False),
    ("detect_anomalies", "Unusual regional volume (surges, outages) and complaint waves in reviews.",
     a.DetectAnomaliesArgs, OPERATOR, operator.detect_anomalies, False),
    ("detect_fraud", ("Suspicious orders and accounts (impossible travel, card testing, shared devices, far "
     "shipping), ranked with reasons."), a.DetectFraudArgs, OPERATOR, operator.detect_fraud, False),
    ("recommend", ("Recommendations for a given customer, or what sells together with a product, optionally in "
     "a place."), a.RecommendArgs, OPERATOR, operator.recommend, False),
)


def build_registry(settings: Settings, backends: ShopBackends | None = None) -> ToolRegistry:
    """Every shop tool, bound to one set of engines."""
    backends = backends or ShopBackends(settings)
    return ToolRegistry(
        [
            ShopTool(name, description, model, roles, partial(wrapper, backends), needs_user=needs_user)
            for name, description, model, roles, wrapper, needs_user in _TOOLS
        ],
        timeout_s=settings.tool_timeout_s,
    )
