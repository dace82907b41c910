"""The shop's LLM-facing tools, each declared once beside its function, and the registry that serves them.

    registry = build_registry(engines)             # ToolRegistry over the store, knowledge base and engines
    registry.schemas("customer")                   # what a customer session's model sees
    build_registry(None, profile=demo_profile())   # schemas of a shop, without engines to run them

A tool is its `@shop_tool` declaration in `customer.py` or `operator.py`; the registry collects them in the
order they are declared there (customer tools first), which is the order the model sees.
"""

from __future__ import annotations

from types import ModuleType

from tools.agent_tools import customer, operator
from tools.agent_tools.engines import ShopEngines
from tools.agent_tools.fields import shop_aliases, shop_sets
from tools.events.profile import ShopProfile
from tools.registry import ShopTool, ToolRegistry


def _declared(module: ModuleType) -> list[ShopTool]:
    return [value for value in vars(module).values() if isinstance(value, ShopTool)]


TOOLS: tuple[ShopTool, ...] = (*_declared(customer), *_declared(operator))


def build_registry(
    engines: ShopEngines | None, timeout_s: float = 60.0, profile: ShopProfile | None = None
) -> ToolRegistry:
    """Every shop tool, run on `engines` (None: list and validate only), offering the shop's categories and
    places: `profile`'s, by default those of the engines' store, and the store's products (none with a
    profile alone: the product is then a free string). Without either, the schemas cannot be rendered (the
    tools still list and validate)."""
    sets, aliases = None, None
    if profile is not None:
        sets, aliases = shop_sets(profile), shop_aliases(profile)
    elif engines is not None:
        shop = engines.profile()
        categories, products = engines.categories(), engines.products()
        sets, aliases = shop_sets(shop, categories, products), shop_aliases(shop, categories, products)
    return ToolRegistry(list(TOOLS), engines=engines, timeout_s=timeout_s, closed_sets=sets,
                        set_aliases=aliases)


__all__ = ["TOOLS", "ShopEngines", "build_registry"]
