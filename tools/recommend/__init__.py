"""The recommender: collaborative filtering with space-time context, bought-together, next item, basket value.

Public API (what the agent and UI call):

    rec = Recommender.load_or_train(store, model_dir, embedder)
    rec.recommend_for_user(user_id, n=10, region=None, at=None) -> RecommendationResult
    rec.similar_to_item(product_id, n=10)                       -> RecommendationResult
    rec.bought_together(product_id, n=10, region=None)          -> RecommendationResult
    rec.next_items(session_path, n=10)                          -> RecommendationResult
    rec.predict_next_basket_value(user_id)                      -> BasketValuePrediction
    Recommender.train(store, model_dir, embedder, RecommenderParams(...))  # `chronotope recommend train`

Unknown ids raise `UnknownUser` / `UnknownProduct` (EngineInputErrors saying what to do); unknown regions
raise `tools.events.profile.UnknownPlace`.

Modules: `interactions` (DuckDB SQL data preparation), `base` (the model contract), `popularity`, `als`
(implicit ALS/BPR and context re-ranking), `context` (local time slots, regional/recency lifts),
`cooccurrence`, `session` (next item), `basket_value` (GRU), `content` (text embeddings), `reasons`,
`training`, `persistence` (versioned folders), `engine` (the `Recommender`), `result`.

Beyond one machine. Data preparation is already set-based SQL (GROUP BYs and window functions over the
events view), so it moves unchanged to Spark SQL or any engine ibis targets; only the result crosses into
Python as arrays. For catalogues and user bases too large for one host, replace `ALSModel.fit` with
`pyspark.ml.recommendation.ALS(implicitPrefs=True, rank=factors, regParam=regularization, alpha=alpha,
maxIter=iterations, userCol="uidx", itemCol="iidx", ratingCol="confidence")` on the same
(uidx, iidx, confidence) table and collect `userFactors` / `itemFactors` into the same arrays: scoring,
context re-ranking, reasons and persistence do not change. Co-occurrence becomes a Spark self-join of
order lines grouped by (a, b) with the same min-count and shrunk cosine; transition counts are already a
GROUP BY. Serving stays a dot product over item factors per request; past ~10^6 items, put the item
factors in an approximate nearest-neighbour index (implicit's `ann` wrappers or FAISS) and re-rank the
top few hundred with the context terms. See docs/recommender.md.
"""

from tools.recommend.engine import Recommender
from tools.recommend.result import BasketValuePrediction, RecommendationResult, UnknownProduct, UnknownUser
from tools.recommend.training import RecommenderParams

__all__ = [
    "BasketValuePrediction",
    "RecommendationResult",
    "Recommender",
    "RecommenderParams",
    "UnknownProduct",
    "UnknownUser",
]
