"""A query result's summary in the operator's language (tools/query/words.py): the same groups, in the same
order, with the same values written as the language writes numbers, on both shops; English is what the
model reads and stays as it was; spikes stay in English."""

from __future__ import annotations

import re

import pytest

from tools.query import Filters, PeriodOverPeriod, QuerySpec, Spike, run_query
from tools.query.words import WEEKDAYS, format_value, number, percent

LANGUAGES = ("de", "fr", "es", "it")


def _values(text: str, language: str) -> list[float]:
    """The numbers of a summary written in `language`, dates left out."""
    text = re.sub(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", " ", text)
    grouping, decimal = (",", ".") if language == "en" else ("\u00a0" if language == "fr" else ".", ",")
    found = re.findall(rf"[-+]?\d{{1,3}}(?:{re.escape(grouping)}\d{{3}})*(?:{re.escape(decimal)}\d+)?", text)
    return [float(n.replace(grouping, "").replace(decimal, ".")) for n in found]


@pytest.mark.parametrize("metric, group_by", [("revenue", ["region"]), ("orders", ["city"]),
                                              ("units", ["day_of_week"]), ("conversion_rate", ["country"]),
                                              ("average_order_value", [])])
def test_each_language_says_the_same_groups_and_values_as_english_on_either_shop(each_shop, metric,
                                                                                  group_by) -> None:
    store, _ = each_shop
    result = run_query(store, QuerySpec(metric=metric, group_by=group_by,
                                        filters=Filters(period="last_30_days")))
    english = result.summary()
    assert result.summary("en") == english
    names = [str(v) for v in result.frame[group_by[0]] if str(v) in english] if group_by else []
    for language in LANGUAGES:
        said = result.summary(language)
        assert said != english and _values(said, language) == _values(english, "en"), (language, said)
        for name in names:
            if group_by == ["day_of_week"]:
                name = WEEKDAYS[language][WEEKDAYS["en"].index(name)]
            assert name in said, (language, name, said)
        if group_by == ["day_of_week"]:
            assert not any(day in said for day in WEEKDAYS["en"]), said


def test_a_change_and_an_empty_result_are_said_in_the_language_and_spikes_stay_english(each_shop) -> None:
    store, _ = each_shop
    change = run_query(store, QuerySpec(metric="orders", group_by=["region"], order_by="pct_change",
                                        comparison=PeriodOverPeriod(shift="week")))
    assert " gegenüber " in change.summary("de") and " vs " in change.summary()
    assert _values(change.summary("it"), "it") == _values(change.summary(), "en")
    with store.connect() as con:  # a product and a category it is not in: no event has both
        product, category = con.execute("SELECT p.product_id, q.category FROM products p, products q "
                                        "WHERE p.category <> q.category LIMIT 1").fetchone()
    empty = run_query(store, QuerySpec(metric="orders", group_by=["region"],
                                       filters=Filters(products=[product], categories=[category])))
    said = f"Ningún evento: pedidos por región (categoría {category}; producto {product})"
    assert empty.frame.empty and empty.summary("es").startswith(said)
    spike = run_query(store, QuerySpec(metric="orders", group_by=["region"],
                                       comparison=Spike(days_of_week=["friday"], hour_from=20, hour_to=24)))
    assert spike.summary("fr") == spike.summary()


def test_numbers_are_written_as_each_language_writes_them() -> None:
    assert format_value("revenue", 28080.77) == "28,080.77"
    assert format_value("revenue", 28080.77, "de") == "28.080,77"
    assert format_value("revenue", 28080.77, "fr") == "28\u00a0080,77"
    assert format_value("orders", 1261, "it") == "1.261"
    assert format_value("conversion_rate", 0.0757, "es") == "7,6\u00a0%"
    assert format_value("conversion_rate", 0.0757) == "7.6%"
    assert percent(0.123, "it", signed=True) == "+12,3%" and number(-1234.5, 1, "de") == "-1.234,5"
