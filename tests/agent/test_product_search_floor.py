"""Product search on each shop's own catalogue: what the shop sells is found, what it does not sell is not
listed, and the agent says so in the shopper's language with the closest categories."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from agent.graph import ShopAgent
from agent.phrases import CLOSEST_CATEGORIES, phrase
from tests.agent.scripted_model import ScriptedChatModel, call
from tools.registry import Session, ShopTool, ToolArgs, ToolOutput, ToolRegistry


def product_registry(store, embedder, tmp_path: Path) -> ToolRegistry:
    """The real tools over `store`, its products indexed in a fresh knowledge base."""
    from tools.agent_tools import ShopEngines, build_registry
    from tools.knowledge import KnowledgeBase

    kb = KnowledgeBase(tmp_path / "chroma", embedder)
    kb.index_products(store, progress=False)
    engines = ShopEngines(store=store, embedder=embedder, anomaly_dir=tmp_path / "anomaly",
                          open_knowledge_base=lambda: kb, open_recommender=lambda: pytest.fail("no recs"))
    return build_registry(engines)


@pytest.mark.slow
def test_each_shop_finds_what_it_sells_and_lists_nothing_for_what_it_does_not(
    each_shop, embedder, tmp_path: Path
) -> None:
    from tools.knowledge.products import read_products

    store, _ = each_shop
    registry = product_registry(store, embedder, tmp_path)
    products = read_products(store)
    session = Session("customer", "U000001")
    for category in sorted(products["category"].unique()):
        found = registry.call("search_products", {"query": f"do you have {category.lower()}?",
                                                  "in_stock_only": False}, session)
        assert found.cards, category
    for name in products.sample(10, random_state=3)["name"]:
        found = registry.call("search_products", {"query": name, "in_stock_only": False}, session)
        assert name in [card["name"] for card in found.cards]
    for query in ("Do you sell snowboards?", "car tyres", "life insurance", "a used motorbike", "surfboard"):
        nothing = registry.call("search_products", {"query": query, "in_stock_only": False}, session)
        assert not nothing.cards, (query, [card["name"] for card in nothing.cards])
        closest = nothing.facts["closest_categories"]
        assert closest and set(closest) <= set(products["category"]) and nothing.facts["query"] == query



@pytest.mark.slow
def test_a_name_the_shops_profile_gives_a_category_searches_that_category(
    each_shop, embedder, tmp_path: Path
) -> None:
    """"Je cherche une poêle" found nothing (the embedder reads English); the profile says a poêle is
    cookware. The second shop's profile has no aliases: it is given its own, as its owner would."""
    from dataclasses import replace

    from tools.agent_tools import ShopEngines, build_registry
    from tools.knowledge import KnowledgeBase
    from tools.knowledge.products import read_products

    store, _ = each_shop
    kb = KnowledgeBase(tmp_path / "chroma", embedder)
    kb.index_products(store, progress=False)
    sold = read_products(store).groupby("category")["price"].min()
    cookware = sold.index[0] if "Cookware" not in sold.index else "Cookware"
    aliases = store.profile().category_aliases or {cookware: ("poêle", "Bratpfanne")}

    class Engines(ShopEngines):
        def profile(self):
            return replace(store.profile(), category_aliases=aliases)

    engines = Engines(store=store, embedder=embedder, anomaly_dir=tmp_path / "anomaly",
                      open_knowledge_base=lambda: kb, open_recommender=lambda: pytest.fail("no recs"))
    registry = build_registry(engines)
    session = Session("customer", "U000001")
    for query in ("Je cherche une poêle", "Ich suche eine Bratpfanne" if "Bratpfanne" in aliases[cookware]
                  else "Ich suche eine Pfanne"):
        found = registry.call("search_products", {"query": query, "in_stock_only": False}, session)
        assert found.cards and {card["category"] for card in found.cards} == {cookware}, query
    cheap = registry.call("search_products", {"query": "une poêle", "max_price": float(sold[cookware]) + 1,
                                              "in_stock_only": False}, session)
    assert cheap.cards and all(card["price"] <= sold[cookware] + 1 for card in cheap.cards)


@pytest.mark.slow
def test_goods_the_category_does_not_take_are_searched_without_it_on_each_shop(
    each_shop, embedder, tmp_path: Path
) -> None:
    """"und habt ihr auch Stirnlampen?" after backpacks was searched in Backpacks (the model kept the
    category) and found nothing: goods named in the query that a category does not take drop it; goods it
    does take keep it."""
    from tools.knowledge.product_nouns import covers, goods_named, lexicon
    from tools.knowledge.products import read_products

    store, _ = each_shop
    registry = product_registry(store, embedder, tmp_path)
    categories = sorted(read_products(store)["category"].unique())
    named = [(category, noun) for category in categories for noun in goods_named(category)]
    wanted, noun = named[0]  # a category whose name says its goods ("Backpacks": backpack)
    other = next(c for c in categories if not covers([c], noun))
    asked = f"und habt ihr auch {lexicon()[noun]['de'][-1]}?"
    session = Session("customer", "U000001", language="de")
    found = registry.call("search_products", {"query": asked, "category": other, "in_stock_only": False},
                          session)
    assert found.cards and wanted in {card["category"] for card in found.cards}, (asked, other)
    kept = registry.call("search_products", {"query": asked, "category": wanted, "in_stock_only": False},
                         session)
    assert kept.cards and {card["category"] for card in kept.cards} == {wanted}


class SearchArgs(ToolArgs):
    query: str


def _nothing(engines: object, args: SearchArgs, session: Session) -> ToolOutput:
    return ToolOutput("search_products", f'No product matches "{args.query}".',
                      facts={"query": args.query, "closest_categories": ["Boots", "Outdoor Jackets"]})


def test_the_agent_says_nothing_matched_in_the_shoppers_language_with_the_closest_categories() -> None:
    registry = ToolRegistry([ShopTool("search_products", "Products.", SearchArgs, frozenset({"customer"}),
                                      _nothing)], engines=object())
    model = ScriptedChatModel(replies=[call("search_products", query="snowboards"),
                                       AIMessage("Wir haben Protein Bars P0042 für 2,99.")],
                              prompts=[], invocation_kwargs=[], bound_tools=[])
    answer = ShopAgent(model, registry).ask("Verkauft ihr Snowboards?", Session("customer", "U1"))
    assert answer.composed and "P0042" not in answer.text
    assert answer.text == "\n".join([phrase("nothing_matched", "de", query="snowboards"),
                                     CLOSEST_CATEGORIES["de"].format(categories="Boots, Outdoor Jackets")])
