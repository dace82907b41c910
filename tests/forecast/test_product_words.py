"""A product named by words its name has ("headlamps", "trekmate headlamp"), on either shop: words that fit
one product are that product, words that fit several forecast them summed, and reorder advice (stock is one
product's) refuses them with the products listed. `forecast --product headlamp` used to say "Unknown
product" where four headlamps sell."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from tools.agent_tools.engines import shop_products
from tools.forecast import reorder_suggestion
from tools.forecast.errors import UnknownProduct
from tools.forecast.grain import get_frequency
from tools.forecast.scope import resolve_scope
from tools.forecast.series import load_series


def _kind(store) -> tuple[str, list[str]]:
    """A last word that several products' names end with, and those products' ids."""
    products = shop_products(store)
    ends = Counter(name.split()[-1] for _, name in products if name.split()[-1].isalpha())
    word = next(word for word, n in ends.most_common() if n >= 2 and len(word) >= 4)
    return word, [pid for pid, name in products if name.split()[-1] == word]


def _daily(store, product: str) -> tuple[pd.Series, object]:
    con, profile = store.connect(), store.profile()
    scope = resolve_scope(con, profile, product=product)
    series = load_series(con, scope, get_frequency("D"), profile)
    return series.history.groupby("ds")["y"].sum(), scope


def test_words_several_names_share_forecast_those_products_summed(each_shop):
    store, _ = each_shop
    word, ids = _kind(store)
    group, scope = _daily(store, f"{word.lower()}s")  # as a user writes it: lower case, plural
    assert set(scope.product_ids) >= set(ids) and scope.product_id is None
    assert scope.what.startswith(f"{len(scope.product_ids)} products named like '{word.lower()}s' (")
    alone = pd.concat([_daily(store, pid)[0] for pid in scope.product_ids]).groupby(level=0).sum()
    summed = alone.reindex(group.index, fill_value=0.0)
    assert group.sum() > 0 and (group - summed).abs().max() < 1e-9


def test_words_one_name_has_are_that_product_and_reorder_refuses_words_several_have(each_shop):
    store, _ = each_shop
    products = shop_products(store)
    ends = Counter(name.split()[-1].lower() for _, name in products)
    pid, name = next((pid, name) for pid, name in products if ends[name.split()[-1].lower()] == 1
                     and name.split()[-1].isalpha() and len(name.split()[-1]) >= 4)
    _, scope = _daily(store, name.split()[-1].upper())
    assert scope.product_id == pid and scope.product_ids == ()
    word, ids = _kind(store)
    with pytest.raises(UnknownProduct, match=rf"'{word.lower()}' fits \d+ products \({ids[0]} .*name one of"):
        reorder_suggestion(store, word.lower(), None, stock_on_hand=10, model_set="fast")
