"""Product search over the store's products table: meaning, filters, and cheap idempotent re-indexing."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from tools.events.store import EventStore
from tools.knowledge import InvalidQuery, KnowledgeBase

PRODUCTS = [
    ("P001", "Trailblazer GTX Hiking Boot", "Boots",
     "Waterproof nubuck with a breathable membrane for muddy hill walks.", 129.0, 14),
    ("P002", "Northfell Winter Boot", "Boots",
     "Suede with a warm fleece lining for snowy pavements.", 99.0, 0),
    ("P003", "Bergmann Work Boot", "Boots",
     "Oiled leather and a steel toe cap for long days on site.", 189.0, 5),
    ("P004", "Sonique ANC Wireless Earbuds", "Headphones",
     "Noise-cancelling earbuds with silicone tips for commutes.", 149.0, 30),
    ("P005", "Hushwave Studio Over-Ear Headphones", "Headphones",
     "Memory-foam cushions for focused work at home.", 219.0, 2),
    ("P006", "Cucina Pro Blender", "Kitchen Appliances",
     "Stainless steel blades for smoothies and soups.", 89.0, 11),
    ("P007", "Brewmaster Espresso Machine", "Kitchen Appliances",
     "15-bar pump espresso machine with a steam wand.", 329.0, 3),
    ("P008", "Corefit Natural Rubber Yoga Mat", "Fitness",
     "Non-slip natural rubber mat for yoga and pilates.", 45.0, 40),
]


def _table(rows) -> pa.Table:
    names = ["product_id", "name", "category", "description", "price", "stock"]
    columns = list(zip(*rows))
    data = {name: list(values) for name, values in zip(names, columns)}
    data["currency"] = ["EUR"] * len(rows)
    return pa.table(data)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[KnowledgeBase, EventStore]:
    root = tmp_path_factory.mktemp("products")
    store = EventStore(root / "store")
    store.write_table("products", _table(PRODUCTS))
    kb = KnowledgeBase(root / "chroma", embedder)
    report = kb.index_products(store, progress=False)
    assert (report.added, report.chunks_added, report.chunks_total) == (8, 8, 8)
    return kb, store


def _ids(result) -> list[str]:
    return list(result.frame["product_id"])


def test_semantic_search_finds_products_by_meaning(catalogue):
    kb, _ = catalogue
    assert _ids(kb.search_products("something to keep my feet dry on rainy mountain trails", k=1)) == ["P001"]
    assert _ids(kb.search_products("block out noise on the train", k=2))[0] == "P004"


def test_category_price_and_stock_filters_hold_for_every_result(catalogue):
    kb, _ = catalogue
    boots = kb.search_products("boots", k=8, category="boots")
    assert set(_ids(boots)) == {"P001", "P002", "P003"}
    cheap = kb.search_products("boots", k=8, category="Boots", max_price=130)
    assert set(_ids(cheap)) == {"P001", "P002"}
    stocked = kb.search_products("boots", k=8, category="Boots", max_price=130, in_stock=True)
    assert _ids(stocked) == ["P001"]
    premium = kb.search_products("kitchen", k=8, min_price=200)  # not the 219.0 headphones: not kitchen
    assert _ids(premium) == ["P007"]
    sold_out = kb.search_products("boots", k=8, in_stock=False)
    assert _ids(sold_out) == ["P002"]


def test_result_frame_summary_and_chart_describe_the_products(catalogue):
    kb, _ = catalogue
    result = kb.search_products("yoga", k=1, category="Fitness")
    row = result.frame.iloc[0]
    assert ((row["name"], row["price"], row["currency"], row["stock"])
            == ("Corefit Natural Rubber Yoga Mat", 45.0, "EUR", 40))
    assert "Corefit Natural Rubber Yoga Mat (P008, 45.00 EUR, 40 in stock)" in result.summary()
    assert result.chart().kind == "table"


def test_a_search_for_what_the_shop_does_not_sell_finds_nothing_and_names_the_closest_categories(catalogue):
    kb, _ = catalogue
    for query in ("Do you sell snowboards?", "car tyres", "a used motorbike", "life insurance"):
        result = kb.search_products(query, k=5)
        assert result.frame.empty, (query, list(result.frame["name"]))
        assert result.closest_categories and set(result.closest_categories) <= {
            "Boots", "Headphones", "Kitchen Appliances", "Fitness"}
        assert f'No product matches "{query}". The closest categories: ' in result.summary()
    assert _ids(kb.search_products("do you sell earbuds?", k=5))[0] == "P004"  # a word of the product
    assert "P006" in _ids(kb.search_products("something to make smoothies", k=5))  # its description


def test_bad_product_filters_raise_invalid_query_with_the_fix(catalogue):
    kb, _ = catalogue
    with pytest.raises(InvalidQuery, match="categories: Boots, Fitness, Headphones, Kitchen Appliances"):
        kb.search_products("boots", category="Spaceships")
    with pytest.raises(InvalidQuery, match="Unknown category 'Shoes'"):  # a category of other shops, not this
        kb.search_products("boots", category="Shoes")
    with pytest.raises(InvalidQuery, match="min_price .* is above max_price"):
        kb.search_products("boots", min_price=100, max_price=50)
    with pytest.raises(InvalidQuery, match="non-negative"):
        kb.search_products("boots", max_price=-1)


def test_reindexing_products_embeds_only_changed_text_and_updates_prices_in_place(tmp_path: Path, embedder):
    store = EventStore(tmp_path / "store")
    store.write_table("products", _table(PRODUCTS[:3]))
    kb = KnowledgeBase(tmp_path / "chroma", embedder)
    kb.index_products(store, progress=False)
    unchanged = kb.index_products(store, progress=False)
    assert (unchanged.unchanged, unchanged.chunks_added, unchanged.wrote) == (3, 0, False)

    repriced = list(PRODUCTS[:3])
    repriced[1] = (*repriced[1][:4], 59.0, 7)  # the winter boot: new price, back in stock
    repriced[2] = (*repriced[2][:3], "Oiled leather with a composite toe cap.", *repriced[2][4:])
    store.write_table("products", _table(repriced[:3]))
    report = kb.index_products(store, progress=False)
    assert ((report.updated, report.unchanged, report.chunks_added)
            == (2, 1, 1)), "only the new description is embedded"
    assert _ids(kb.search_products("winter boot", k=3, max_price=60, in_stock=True)) == ["P002"]

    store.write_table("products", _table(repriced[:1]))
    removed = kb.index_products(store, progress=False)
    assert (removed.removed, removed.chunks_total) == (2, 1)
    assert _ids(kb.search_products("boot", k=5)) == ["P001"]


def test_a_one_word_query_in_the_questions_language_is_searched_in_english(catalogue):
    kb, _ = catalogue
    asked: list[tuple[str, str]] = []

    def translate(text: str, language: str) -> str:
        asked.append((text, language))
        return {"cafetera": "espresso machine", "Kopfhörer": "headphones"}[text]

    translated = KnowledgeBase(kb.chroma_dir, kb.embedder, translate=translate)
    found = translated.search_products("cafetera", k=1, language="es")  # one word: the question said Spanish
    assert _ids(found) == ["P007"] and found.notes == ["searched in English as 'espresso machine'"]
    assert _ids(kb.search_products("cafetera", k=1)) != ["P007"]  # the English embedder alone misses it
    assert set(_ids(translated.search_products("Kopfhörer", k=2, language="de"))) == {"P004", "P005"}
    assert _ids(translated.search_products("espresso machine", k=1, language="en")) == ["P007"]
    assert asked == [("cafetera", "es"), ("Kopfhörer", "de")]  # English is never translated


def test_product_words_in_another_language_find_the_goods_the_translation_missed(catalogue):
    """The small model copies a lone noun ("cuffie" -> "cuffie") or names another kind; the lexicon's
    English nouns are searched instead (tools/knowledge/product_nouns.py)."""
    kb, _ = catalogue
    copying = KnowledgeBase(kb.chroma_dir, kb.embedder, translate=lambda text, language: text)
    assert set(_ids(copying.search_products("cuffie", k=2, language="it"))) == {"P004", "P005"}
    assert set(_ids(copying.search_products("Wanderstiefel", k=3, language="de"))) <= {"P001", "P002", "P003"}
    assert _ids(copying.search_products("Wanderstiefel", k=3, language="de"))
    wrong = KnowledgeBase(kb.chroma_dir, kb.embedder, translate=lambda text, language: "T-shirts")
    assert _ids(wrong.search_products("tappetino da yoga", k=1, language="it")) == ["P008"]
