"""A product the user names (by its name or its id) is the forecast's product, on either shop: asked to
"forecast demand for P0232" or for "the Trekmate Family Headlamp", the model left the product out and the
answer forecast the whole shop. Only the user's own words name it: a tool result lists products nobody
asked about."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.llm.mentions import Mentions, conversation_mentions
from agent.llm.tool_schema import prompt_tools
from agent.llm.turn_values import narrowed_tools
from tools.agent_tools import TOOLS, build_registry
from tools.agent_tools.engines import shop_products
from tools.agent_tools.fields import product_kinds, shop_aliases, shop_sets
from tools.events.categories import shop_categories
from tools.registry import ToolRegistry


def categories_of(store) -> tuple[str, ...]:
    with store.connect() as con:
        return shop_categories(con, store.profile())


def _forecast_product(store, mentions: Mentions) -> tuple[dict, bool]:
    """The forecast tool's product property as the grammar holds it for `mentions`, and whether required."""
    profile, categories, products = store.profile(), categories_of(store), shop_products(store)
    registry = ToolRegistry(list(TOOLS), closed_sets=shop_sets(profile, categories, products),
                            set_aliases=shop_aliases(profile, categories, products))
    (tool,) = [t for t in narrowed_tools(registry.schemas("operator"), mentions)
               if t["function"]["name"] == "forecast_demand"]
    parameters = tool["function"]["parameters"]
    return parameters["properties"]["product"], "product" in parameters.get("required", [])


def _asked(question: str) -> Mentions:
    return Mentions(question, "", question, "")


def _names(product: dict) -> list[str]:
    """The product names the grammar allows (none: no string at all)."""
    return [name for option in product.get("anyOf", [product]) for name in option.get("x-grammar-enum", [])]


def test_a_product_named_by_id_or_name_is_the_forecasts_product_on_either_shop(each_shop):
    store, _ = each_shop
    (pid, name), (_, other) = shop_products(store)[:2]
    by_id, required = _forecast_product(store, _asked(f"Forecast demand for {pid} over the next 3 weeks"))
    assert required and _names(by_id) == [name]
    by_name, required = _forecast_product(store, _asked(f"How will {other} sell next month?"))
    assert required and _names(by_name) == [other]


def test_no_product_named_leaves_the_forecast_without_one(each_shop):
    store, _ = each_shop
    product, required = _forecast_product(store, _asked("Forecast demand for the whole shop next week"))
    assert not required and _names(product) == [] and "string" not in str(product)


def test_products_a_tool_result_lists_do_not_name_the_forecasts_product(each_shop):
    store, _ = each_shop
    names = [name for _, name in shop_products(store)[:5]]
    messages = [HumanMessage("Top products last week, and the forecast for the whole shop next week?"),
                AIMessage("", tool_calls=[{"name": "top_items", "args": {}, "id": "c1"}]),
                ToolMessage("\n".join(names), tool_call_id="c1")]
    product, required = _forecast_product(store, conversation_mentions(messages))
    assert not required and _names(product) == [] and "string" not in str(product)


def test_a_registry_from_a_profile_alone_takes_any_product_string(each_shop):
    store, _ = each_shop
    schemas = build_registry(None, profile=store.profile()).schemas("operator")
    (tool,) = [t for t in schemas if t["function"]["name"] == "forecast_demand"]
    assert "x-grammar-enum" not in str(tool["function"]["parameters"]["properties"]["product"])


def test_the_products_set_leaves_the_prompt_as_it_is(each_shop):
    """The names are the grammar's only: the prompt (and its stored KV cache) is the same with them."""
    store, _ = each_shop
    profile, categories, products = store.profile(), categories_of(store), shop_products(store)
    with_products = ToolRegistry(list(TOOLS), closed_sets=shop_sets(profile, categories, products),
                                 set_aliases=shop_aliases(profile, categories, products))
    without = ToolRegistry(list(TOOLS), closed_sets=shop_sets(profile, categories),
                           set_aliases=shop_aliases(profile, categories))
    for role in ("operator", "customer"):
        assert prompt_tools(with_products.schemas(role)) == prompt_tools(without.schemas(role))


def test_a_kind_of_goods_names_the_products_whose_names_end_with_it_on_either_shop(each_shop):
    """"forecast demand for headlamps" was the whole shop's forecast: "headlamps" is no product's name."""
    store, _ = each_shop
    profile, categories = store.profile(), categories_of(store)
    category = categories[0]
    products = (("X1", "Trekmate Family Headlamp"), ("X2", "Lumen Headlamp"),
                ("X3", "Aurafon Studio Over-Ear"), ("X4", "Nimbus Over-Ear"),
                ("X5", f"Brand One {category}"), ("X6", f"Brand Two {category}"),
                ("X7", "Vitalis Protein Powder 1kg"), ("X8", "Zest Protein Powder 500g"))
    assert product_kinds([name for _, name in products], [category]) == ["Headlamp", "Powder"]
    registry = ToolRegistry(list(TOOLS), closed_sets=shop_sets(profile, categories, products),
                            set_aliases=shop_aliases(profile, categories, products))

    def product(question: str, tool: str = "forecast_demand") -> tuple[list[str], bool]:
        (parameters,) = [t["function"]["parameters"] for t in narrowed_tools(registry.schemas("operator"),
                                                                             _asked(question))
                         if t["function"]["name"] == tool]
        return _names(parameters["properties"]["product"]), "product" in parameters.get("required", [])

    assert product("forecast demand for headlamps over the next 2 weeks") == (["Headlamp"], True)
    # a ranking takes it too, though its prompt never shows the property
    assert product("how many headlamps did we sell last month?", "top_items") == (["Headlamp"], True)
    assert product("top products last month", "top_items") == ([], False)
    (shown,) = [t for t in prompt_tools(registry.schemas("operator")) if t["function"]["name"] == "top_items"]
    assert "product" not in shown["function"]["parameters"]["properties"]
    assert product("Prognose für Lumen Headlamp nächste Woche") == (["Lumen Headlamp"], True)  # the name wins
    assert product("forecast demand over the next 2 weeks") == ([], False)
    assert product(f"forecast {category} next month")[0] == []  # a category, not a kind
