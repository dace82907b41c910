"""One contract for every recommender model, on tiny data with a known answer.

Ten users, six items. Users 0-4 (region 0) like items 0, 1, 2; users 5-9 (region 1) like items 3, 4, and
users 5 and 6 also item 2, which makes item 2 the most popular overall and in region 0. User 0 has items
0 and 1 but not 2, so for user 0 every model - popular, regional, collaborative, co-occurrence - should
put item 2 first: the known answer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import scipy.sparse as sp

from tools.recommend.als import ALSModel, ContextALSModel
from tools.recommend.base import Context, IndexOutOfRange, ModelNotFitted, RecommenderModel
from tools.recommend.context import N_SLOTS, ContextCounts
from tools.recommend.cooccurrence import CooccurrenceModel
from tools.recommend.popularity import PopularityModel, RegionalPopularityModel

LIKES = {0: [0, 1], 1: [0, 1, 2], 2: [0, 1, 2], 3: [0, 1, 2], 4: [0, 1, 2],
         5: [2, 3, 4], 6: [2, 3, 4], 7: [3, 4], 8: [3, 4], 9: [3, 4, 5]}
REGION_OF_USER = np.array([0] * 5 + [1] * 5)
TARGET_USER, KNOWN_ANSWER = 0, 2


def user_items() -> sp.csr_matrix:
    rows = [u for u, items in LIKES.items() for _ in items]
    cols = [i for items in LIKES.values() for i in items]
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(10, 6))


def context_counts() -> ContextCounts:
    """Each like counted in its user's region, all in slot 0; a small prior so the tiny counts speak."""
    matrix = user_items().toarray()
    counts = np.zeros((2, N_SLOTS, 6), dtype=np.float32)
    for region in (0, 1):
        counts[region, 0] = matrix[REGION_OF_USER == region].sum(axis=0)
    return ContextCounts(counts, matrix.sum(axis=0).astype(np.float32), np.zeros(6, dtype=np.int64),
                         prior=1.0, category_prior=1.0)


FACTORIES: dict[str, Callable[[], RecommenderModel]] = {
    "popularity": PopularityModel,
    "regional_popularity": lambda: RegionalPopularityModel(context_counts()),
    "als": lambda: ALSModel(factors=2, regularization=0.01, alpha=10.0, iterations=30),
    "bpr": lambda: ALSModel(factors=3, algorithm="bpr", iterations=300, learning_rate=0.05,
                            regularization=0.001),
    "als_context": lambda: ContextALSModel(context_counts(), context_weight=0.3, factors=2,
                                           regularization=0.01, alpha=10.0, iterations=30),
    "cooccurrence": lambda: CooccurrenceModel(min_count=2, shrink=0.0, min_lift=1.0),
}
COLLABORATIVE = ("als", "bpr", "als_context", "cooccurrence")


@pytest.fixture(params=list(FACTORIES), scope="module")
def fitted(request: pytest.FixtureRequest) -> tuple[str, RecommenderModel]:
    return request.param, FACTORIES[request.param]().fit(user_items())


def recommend(model: RecommenderModel, user: int, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    matrix = user_items()
    return model.recommend(user, matrix[user], context=Context(int(REGION_OF_USER[user]), 0), **kwargs)


def test_every_model_ranks_the_known_answer_first(fitted):
    name, model = fitted
    ids, _ = recommend(model, TARGET_USER, N=3)
    assert ids[0] == KNOWN_ANSWER, f"{name} ranked {ids.tolist()}"


def test_recommendations_are_unique_sorted_and_at_most_n(fitted):
    _, model = fitted
    ids, scores = recommend(model, 7, N=3)
    assert len(ids) <= 3 and len(set(ids.tolist())) == len(ids)
    assert np.all(np.diff(scores) <= 0)


def test_already_liked_items_are_filtered_unless_asked_not_to(fitted):
    _, model = fitted
    liked = set(LIKES[1])
    ids, _ = recommend(model, 1, N=6)
    assert liked.isdisjoint(ids.tolist())
    unfiltered, _ = recommend(model, 1, N=6, filter_already_liked_items=False)
    assert liked & set(unfiltered.tolist())


def test_filter_items_are_never_recommended(fitted):
    _, model = fitted
    ids, _ = recommend(model, TARGET_USER, N=6, filter_items=np.array([KNOWN_ANSWER]))
    assert KNOWN_ANSWER not in ids.tolist()


def test_similar_items_never_include_the_item_itself(fitted):
    _, model = fitted
    ids, scores = model.similar_items(3, N=5)
    assert 3 not in ids.tolist()
    assert np.all(np.diff(scores) <= 0)


@pytest.mark.parametrize("name", COLLABORATIVE)
def test_collaborative_models_find_the_item_liked_by_the_same_people(name):
    model = FACTORIES[name]().fit(user_items())
    ids, _ = model.similar_items(3, N=1)
    assert ids[0] == 4  # items 3 and 4 are always liked together


def test_save_and_load_give_the_same_recommendations(fitted, tmp_path):
    _, model = fitted
    model.save(tmp_path / "model.npz")
    loaded = type(model).load(tmp_path / "model.npz")
    for user in range(10):
        assert np.array_equal(recommend(model, user, N=4)[0], recommend(loaded, user, N=4)[0])
    assert np.array_equal(model.similar_items(0, N=3)[0], loaded.similar_items(0, N=3)[0])


def test_loading_a_file_of_another_model_is_refused(tmp_path):
    PopularityModel().fit(user_items()).save(tmp_path / "model.npz")
    with pytest.raises(ValueError, match="holds a 'popularity' model"):
        ALSModel.load(tmp_path / "model.npz")


@pytest.mark.parametrize("name", list(FACTORIES))
def test_unfitted_model_says_to_fit_first(name):
    with pytest.raises(ModelNotFitted, match="call fit"):
        FACTORIES[name]().recommend(0, user_items()[0])


def test_user_index_out_of_range_is_a_clear_error(fitted):
    _, model = fitted
    with pytest.raises(IndexOutOfRange, match="user index 10 is outside the fitted range 0..9"):
        model.recommend(10, user_items()[0])


def test_wrong_user_row_shape_is_refused(fitted):
    _, model = fitted
    with pytest.raises(ValueError, match="1 x 6 row"):
        model.recommend(0, user_items()[:2])


def test_regional_popularity_follows_the_region():
    model = RegionalPopularityModel(context_counts()).fit(user_items())
    in_region_1 = model.recommend(0, user_items()[0], N=1, context=Context(1))[0]
    assert in_region_1[0] in (3, 4)  # region 1's favourites, although user 0 lives in region 0


def test_context_weight_moves_als_towards_the_region():
    matrix = user_items()
    model = ContextALSModel(context_counts(), context_weight=0.0, factors=2, alpha=10.0,
                            iterations=30).fit(matrix)
    personal = model.recommend(TARGET_USER, matrix[TARGET_USER], N=1, context=Context(1))[0]
    model.context_weight = 1.0
    regional = model.recommend(TARGET_USER, matrix[TARGET_USER], N=1, context=Context(1))[0]
    assert personal[0] == KNOWN_ANSWER and regional[0] in (3, 4)


def test_cooccurrence_ignores_pairs_below_min_count():
    model = CooccurrenceModel(min_count=5, shrink=0.0, min_lift=1.0).fit(user_items())
    ids, _ = model.similar_items(5, N=5)
    assert len(ids) == 0  # item 5 was liked once: it is bought with nothing


def test_context_weight_zero_ranks_exactly_like_plain_als():
    matrix = user_items()
    model = ContextALSModel(context_counts(), context_weight=0.0, factors=2, alpha=10.0,
                            iterations=30).fit(matrix)
    plain = model.without_context()
    for user in range(matrix.shape[0]):
        for context in (None, Context(0), Context(1, 5)):
            ours = model.recommend(user, matrix[user], N=6, context=context)[0]
            assert ours.tolist() == plain.recommend(user, matrix[user], N=6)[0].tolist()


MORNING, EVENING = 1, 3  # Monday mornings, Monday evenings
COFFEE, HEADPHONES = (0, 1, 2), (3, 4, 5)  # item categories 0 and 1


def daytime_counts() -> ContextCounts:
    """Coffee sells three times as much as headphones in the morning, and the other way round at night."""
    counts = np.zeros((2, N_SLOTS, 6), dtype=np.float32)
    counts[0, MORNING] = [300, 300, 300, 100, 100, 100]
    counts[0, EVENING] = [100, 100, 100, 300, 300, 300]
    return ContextCounts(counts, counts.sum(axis=(0, 1)), np.array([0, 0, 0, 1, 1, 1]), prior=100.0)


def test_planted_time_of_day_mix_lifts_the_matching_category_at_that_hour():
    # Everyone likes coffee 0, 1 and headphones 3, 4 alike; the target user has 0 and 3, so ALS alone
    # cannot tell coffee 1 from headphones 4 - the hour must.
    likes = {u: [0, 1, 3, 4] for u in range(1, 9)} | {0: [0, 3]}
    rows = [u for u, items in likes.items() for _ in items]
    cols = [i for items in likes.values() for i in items]
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(9, 6))
    counts = daytime_counts()
    assert (counts.slot_lift(MORNING)[list(COFFEE)].min() > 0.2 > -0.2
            > counts.slot_lift(MORNING)[list(HEADPHONES)].max())
    model = ContextALSModel(counts, context_weight=0.2, factors=2, alpha=10.0, iterations=30).fit(matrix)
    morning = model.recommend(0, matrix[0], N=1, context=Context(0, MORNING))[0].tolist()
    evening = model.recommend(0, matrix[0], N=1, context=Context(0, EVENING))[0].tolist()
    assert morning == [1] and evening == [4]
