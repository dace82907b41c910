"""Product words in the customer's language name the goods of an English catalogue: the lexicon's nouns
stand in for a translation that names none of them, and a shop's English category names take the lexicon's
words as aliases, on the demo shop and on a second one."""

from __future__ import annotations

import pytest

from tests.shops import NORTHWIND
from tools.agent_tools.fields import shop_aliases
from tools.events.simulate.profile import demo_profile
from tools.knowledge.product_nouns import category_aliases, english_nouns, lexicon, product_queries
from tools.language import language_scores, plain_words
from tools.registry import CATEGORIES_SET


def test_the_lexicon_holds_each_word_under_one_noun_with_english_and_four_other_languages() -> None:
    nouns: dict[str, set[str]] = {}
    for noun, forms in lexicon().items():
        assert set(forms) == {"en", "de", "fr", "es", "it"} and all(forms.values()), noun
        for language, words in forms.items():
            for word in words if language != "en" else ():
                nouns.setdefault(" ".join(plain_words(word)), set()).add(noun)
    assert len(lexicon()) >= 150 and not {word: n for word, n in nouns.items() if len(n) > 1}
    # names match without accents and in the singular, so no word may then be an everyday one ("thés": "the")
    everyday = [word for word in nouns if " " not in word and any(
        any(language_scores(form).values()) for form in (word, word.removesuffix("s")))]
    assert not everyday and not [word for word in nouns if len(word) <= 2]


@pytest.mark.parametrize(("text", "nouns"), [
    ("Habt ihr Jacken unter 80 Euro?", ["jacket"]), ("Habt ihr auch Fahrradhelme?", ["bicycle helmet"]),
    ("Ich suche Wanderschuhe", ["shoe"]),
    ("Vous avez des vestes ?", ["jacket"]), ("¿Tienen chaquetas de menos de 100 dólares?", ["jacket"]),
    ("avete sacchi a pelo o giacche?", ["sleeping bag", "jacket"]), ("Where is my parcel?", []),
])
def test_product_words_name_their_english_nouns(text, nouns) -> None:
    assert english_nouns(text) == nouns


def test_the_nouns_stand_in_for_a_translation_that_names_none_of_them() -> None:
    def copy(text: str, language: str) -> str:
        return text  # the small model copies a lone noun

    def good(text: str, language: str) -> str:
        return "Do you have jackets under 80 euros?"

    assert product_queries("Jacken", copy, "de").translation == "jacket"
    assert product_queries("Habt ihr Jacken unter 80 Euro?", good, "de").translation == good("", "")
    assert product_queries("rain jacket", copy, "en").translation == ""  # English is searched as asked


def test_a_categorys_english_name_takes_the_lexicons_words_a_noun_of_two_categories_names_neither() -> None:
    aliases = category_aliases(["Outdoor Jackets", "Camping Gear", "Headphones"])
    assert aliases["Jacken"] == aliases["giacche"] == "Outdoor Jackets" and aliases["cuffie"] == "Headphones"
    assert "Jacken" not in category_aliases(["Rain Jackets", "Ski Jackets"])


@pytest.mark.parametrize(("profile", "categories"), [(demo_profile(), ()), (NORTHWIND, ("Jackets", "Packs"))],
                         ids=["demo", "northwind"])
def test_each_shops_categories_are_named_in_the_customers_words(profile, categories) -> None:
    aliases = shop_aliases(profile, categories)[CATEGORIES_SET]
    sold = set(profile.categories or categories)
    assert aliases and set(aliases.values()) <= sold
    jackets = next(c for c in sold if "Jacket" in c)
    assert aliases.get("Jacken") == jackets or aliases.get("Jacke") == jackets
