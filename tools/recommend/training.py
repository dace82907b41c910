"""Training: every recommender model from the event store in one pass, with metrics and timings.

    from tools.recommend import Recommender, RecommenderParams
    rec = Recommender.train(store, model_dir, embedder)            # all events, saved as a new version
    rec = Recommender.train(store, model_dir, embedder, RecommenderParams(algorithm="bpr"))

Validation happens on the way, always on the most recent data the run may see:
- the weight of context against ALS (`context_weight`) is chosen on the last `validation_days`
  (ALS fit on the days before, Recall@10 of each candidate weight), unless set explicitly;
- the session model is scored on the last 7 days of browsing after fitting on the days before;
- the basket-value model is scored on each user's last order after fitting on the orders before it.
The numbers go into the version's manifest and the `train` command's output, with the parts the data could
not train (no prices: no basket value; no places: no regional context; see `coverage`) and why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from rich.progress import Progress

from tools.embeddings import TextEmbedder
from tools.events.money import Money
from tools.events.store import EventStore
from tools.recommend.als import ContextALSModel
from tools.recommend.base import top_n
from tools.recommend.basket_value import BasketValueModel, split_last_order
from tools.recommend.context import context_regions
from tools.recommend.cooccurrence import CooccurrenceModel
from tools.recommend.coverage import BASKET_VALUE, CONTENT, data_coverage
from tools.recommend.evaluation import holdout, ranking_metrics
from tools.recommend.interactions import (
    EventWeights,
    Interactions,
    load_interactions,
    order_sequences,
    prepare_session_steps,
    session_paths,
    transition_counts,
)
from tools.recommend.popularity import BestSellers, PopularityModel, RegionalPopularityModel, best_sellers
from tools.recommend.session import SessionModel, evaluate_next_item

# (factors, regularisation, iterations) per algorithm, each chosen on validation splits, never on held-out
# data: ALS's squared loss over every cell needs far more regularisation than BPR's SGD steps, and BPR,
# which samples one (liked, not liked) pair per step, needs many more epochs and factors (measured:
# docs/recommender.md, "ALS and BPR").
FACTORISATION_DEFAULTS: dict[str, tuple[int, float, int]] = {"als": (24, 1.0, 15), "bpr": (64, 0.01, 100)}


class RecommenderParams(BaseModel):
    """Every knob of a training run (saved in the version's manifest)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    until: datetime | None = Field(None,
                                   description="Train on events before this UTC time; None = all events.")
    view_weight: float = Field(1.0, description="Interaction weight of a product view.")
    cart_weight: float = Field(4.0, description="Interaction weight of an add-to-cart.")
    purchase_weight: float = Field(10.0, description="Interaction weight of a purchased line.")
    refund_weight: float = Field(-10.0, description="Weight of a refund (takes the purchase back).")
    algorithm: Literal["als", "bpr"] = Field("als", description="Matrix factorisation: implicit ALS or BPR.")
    factors: int | None = Field(None, ge=2, le=512,
                                description="Latent factors; None = 24 for ALS, 64 for BPR.")
    regularization: float | None = Field(
        None, ge=0,
        description="L2 regularisation of the factors; None = 1.0 for ALS, 0.01 for BPR (per SGD step)."
    )
    alpha: float = Field(2.0, gt=0, description="ALS confidence scale (confidence = alpha x log1p(weight)).")
    iterations: int | None = Field(None, ge=1, le=500,
                                   description="ALS sweeps, or BPR epochs; None = 15 for ALS, 100 for BPR.")
    learning_rate: float = Field(0.01, gt=0, description="BPR learning rate.")
    context_weight: float | None = Field(
        None, ge=0, le=1,
        description="Weight of the log local share against ALS (0 = plain ALS, 1 = local popularity only); "
        "None = choose on validation days.",
    )
    validation_days: int = Field(14, ge=1, le=90,
                                 description="Most recent days used to choose context_weight.")
    half_life_days: float = Field(90.0, gt=0, description="Recency half-life of the context counts.")
    context_prior: float = Field(3000.0, gt=0,
                                 description="Pseudo-counts pulling sparse regions to their parent.")
    cooccurrence_min_count: int = Field(2, ge=1,
                                        description="Orders a pair needs to count as bought together.")
    cooccurrence_shrink: float = Field(5.0, ge=0, description="Shrinks similarities of rarely bought items.")
    cooccurrence_min_lift: float = Field(2.0, ge=0, description="How many times chance a pair must co-occur.")
    min_region_orders: int = Field(300, ge=1,
                                   description="Orders a region needs for its own bought-together.")
    session_backoff: float = Field(1000.0, gt=0,
                                   description="Next-item back-off (higher = lean on shorter paths).")
    session_revisit_weight: float = Field(0.2, ge=0,
                                          description="Next-item weight of going back to earlier items.")
    basket_hidden: int = Field(24, ge=4, le=256, description="GRU hidden size of the basket-value model.")
    basket_epochs: int = Field(8, ge=1, le=200, description="Basket-value training epochs.")
    content_embeddings: bool = Field(True, description="Embed product texts for cold-start similarity.")
    best_seller_days: int = Field(30, ge=1, le=365,
                                  description="Days (to the last event) whose purchases rank best sellers.")
    seed: int = Field(0, description="Seed of every random step.")

    def event_weights(self) -> EventWeights:
        return EventWeights(self.view_weight, self.cart_weight, self.purchase_weight, self.refund_weight)

    @property
    def factorisation(self) -> tuple[int, float, int]:
        """(factors, regularization, iterations) in effect: those set, else the algorithm's defaults."""
        factors, regularization, iterations = FACTORISATION_DEFAULTS[self.algorithm]
        if self.regularization is not None:
            regularization = self.regularization
        return self.factors or factors, regularization, self.iterations or iterations

    def als_model(self, data: Interactions, context_weight: float) -> ContextALSModel:
        """An unfitted ALS + context model with these settings.

        Factors are capped at a quarter of the catalogue: with about as many factors as items, ALS
        reproduces each user's own history and stops generalising.
        """
        factors, regularization, iterations = self.factorisation
        return ContextALSModel(
            data.context_counts, context_weight=context_weight,
            factors=min(factors, max(2, len(data.items) // 4)), regularization=regularization,
            alpha=self.alpha, iterations=iterations, algorithm=self.algorithm,
            learning_rate=self.learning_rate, seed=self.seed,
        )


# On the log scale of the blend (ALS / best is 0..1, a log share spans several units) a little weight goes
# far.
CONTEXT_WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)
DEFAULT_CONTEXT_WEIGHT = 0.1  # when there are too few validation users to choose
MIN_VALIDATION_USERS = 30


@dataclass
class TrainedModels:
    """Everything a `Recommender` serves from."""

    data: Interactions
    popularity: PopularityModel
    regional: RegionalPopularityModel
    best_sellers: BestSellers
    als: ContextALSModel
    cooccurrence: dict[int | None, CooccurrenceModel]  # None = all regions
    session: SessionModel
    basket: BasketValueModel | None  # None: skipped (see `skipped`)
    orders: pd.DataFrame  # uidx, placed_at, amount (in `currency`), n_items
    content: np.ndarray | None  # unit-length product embeddings, or None
    metrics: dict[str, float]
    timings_s: dict[str, float]
    currency: str  # the shop's reporting currency when trained: what order amounts and prices are in
    basket_unit: str  # "orders", or "baskets" where some are sessions or days (`coverage`)
    skipped: dict[str, str]  # part -> why the data could not train it (`coverage`)
    notes: list[str]  # fallbacks the data made necessary


def load_training_data(
    store: EventStore, params: RecommenderParams, until: datetime | None
) -> tuple[duckdb.DuckDBPyConnection, Interactions]:
    """(connection with the index tables, interactions) for events before `until`."""
    con = store.connect()
    profile = store.profile()
    data = load_interactions(con, context_regions(profile), Money.of(profile), until, params.event_weights(),
                             params.context_prior, params.half_life_days)
    return con, data


def choose_context_weight(
    store: EventStore, params: RecommenderParams, last_event: datetime
) -> dict[str, float]:
    """Pick the context weight with the best Recall@10 on the last `validation_days` before the cutoff.

    Returns the metrics of the choice; "context_weight" is the pick.
    """
    split = last_event - timedelta(days=params.validation_days)
    con, data = load_training_data(store, params, split)
    cases = holdout(con, split, params.until, data.purchased)
    if data.user_items.nnz == 0 or len(cases) < MIN_VALIDATION_USERS:
        return {"context_weight": DEFAULT_CONTEXT_WEIGHT, "validation_users": len(cases)}
    model = params.als_model(data, 0.0).fit(data.user_items)
    rows = [data.purchased[int(u)] for u in cases.users]
    # The blend is linear in the weight, so score each case twice (all ALS, all context) and mix.
    personal = np.stack([model.scores(int(u), row, cases.context(k))
                         for k, (u, row) in enumerate(zip(cases.users, rows))])
    model.context_weight = 1.0
    local = np.stack([model.scores(int(u), row, cases.context(k))
                      for k, (u, row) in enumerate(zip(cases.users, rows))])
    popularity = PopularityModel().fit(data.user_items).item_popularity

    def recall(scores: np.ndarray) -> float:
        return ranking_metrics(lambda k: top_n(scores[k], 10, rows[k].indices)[0], cases,
                               len(data.items)).recall

    scores = {w: recall((1 - w) * personal + w * local) for w in CONTEXT_WEIGHTS}
    best = max(CONTEXT_WEIGHTS, key=lambda w: (round(scores[w], 6), -w))  # ties go to more personalisation
    return {
        "context_weight": best,
        "validation_users": len(cases),
        "validation_recall@10_popularity": round(recall(np.broadcast_to(popularity, personal.shape)), 4),
        "validation_recall@10_als": round(scores[0.0], 4),
        "validation_recall@10_als_context": round(scores[best], 4),
    }


def fit_session_model(
    con: duckdb.DuckDBPyConnection, data: Interactions, params: RecommenderParams,
    until: datetime | None = None
) -> SessionModel:
    """A next-item model from the browsing transitions before `until` (`prepare_session_steps` first)."""
    first, second = transition_counts(con, until=until)
    return SessionModel(backoff=params.session_backoff, revisit_weight=params.session_revisit_weight).fit(
        first, second, len(data.items), data.context_counts.popularity()
    )


def session_metrics(
    con: duckdb.DuckDBPyConnection, data: Interactions, params: RecommenderParams, last_event: datetime
) -> dict[str, float]:
    """Next-item hit rate and MRR at 10 on the last 7 days, model vs popularity."""
    split = last_event - timedelta(days=7)
    held_out = session_paths(con, since=split)
    if not held_out:
        return {}
    model = fit_session_model(con, data, params, until=split)
    popular = top_n(data.context_counts.popularity(), 10)[0]
    ours = evaluate_next_item(lambda p, k: model.predict(p, k)[0], held_out)
    baseline = evaluate_next_item(lambda p, k: popular, held_out)
    return {
        "next_item_hit_rate@10": round(ours.hit_rate, 4),
        "next_item_hit_rate@10_popularity": round(baseline.hit_rate, 4),
        "next_item_mrr@10": round(ours.mrr, 4),
        "next_item_mrr@10_popularity": round(baseline.mrr, 4),
    }


def train_models(
    store: EventStore, params: RecommenderParams, embedder: TextEmbedder | None = None, progress: bool = False
) -> TrainedModels:
    """Fit every model on the store's events before `params.until`."""
    timings: dict[str, float] = {}
    metrics: dict[str, float] = {}
    steps = ("interactions", "context weight", "als", "cooccurrence", "session", "basket value", "content")
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("recommender", total=len(steps))
        clock = time.perf_counter()

        def done(name: str) -> None:
            nonlocal clock
            timings[name] = round(time.perf_counter() - clock, 3)
            bar.update(task, advance=1, description=f"recommender: {name} done")
            clock = time.perf_counter()

        con, data = load_training_data(store, params, params.until)
        if data.user_items.nnz == 0:
            raise ValueError(
                "The event store has no view/cart/purchase events with product ids"
                + (f" before {params.until.isoformat()}" if params.until else "")
                + "; ingest events (or build the demo shop) before training the recommender."
            )
        last_event = datetime.fromisoformat(data.snapshot.last_event)
        coverage = data_coverage(con, params.until)
        skipped, notes = coverage.skipped(params.content_embeddings), coverage.notes()
        popularity = PopularityModel().fit(data.user_items)
        regional = RegionalPopularityModel(data.context_counts).fit(data.user_items)
        sellers = best_sellers(con, len(data.items), last_event, params.best_seller_days)
        done("interactions")

        if params.context_weight is None:
            metrics |= choose_context_weight(store, params, last_event)
        else:
            metrics["context_weight"] = params.context_weight
        done("context weight")

        als = params.als_model(data, metrics["context_weight"]).fit(data.user_items)
        done("als")

        cooccurrence = fit_cooccurrence(data, params)
        done("cooccurrence")

        prepare_session_steps(con, params.until)
        metrics |= session_metrics(con, data, params, last_event)
        session = fit_session_model(con, data, params, until=params.until)
        done("session")

        orders = order_sequences(con, Money.of(store.profile()), params.until)
        if orders.empty and BASKET_VALUE not in skipped:
            skipped[BASKET_VALUE] = ("no order has a known value (every one has a line without a price or "
                                     "in a currency without a rate); add the rates to the shop's profile")
        basket = None if BASKET_VALUE in skipped else fit_basket_value(orders, params, metrics)
        done("basket value")

        content = None
        if params.content_embeddings and CONTENT not in skipped:
            from tools.recommend.content import embed_products

            if embedder is None:
                raise ValueError("content_embeddings needs a TextEmbedder: pass one, "
                                 "or set content_embeddings=False.")
            content = embed_products(data.products, embedder)
        done("content")

    return TrainedModels(data, popularity, regional, sellers, als, cooccurrence, session, basket, orders,
                         content, metrics, timings, store.profile().currency, coverage.basket_unit, skipped,
                         notes)


def fit_basket_value(
    orders: pd.DataFrame, params: RecommenderParams, metrics: dict[str, float]
) -> BasketValueModel:
    """The next-basket-value model on `orders`, scored on each user's last order (into `metrics`)."""
    history, last = split_last_order(orders)
    basket = BasketValueModel(hidden=params.basket_hidden, epochs=params.basket_epochs, seed=params.seed)
    basket.fit(history if len(history) else orders)
    if len(last):
        score = basket.score(history, last)
        metrics |= {
            "basket_value_mae": round(score.mae_model, 3),
            "basket_value_mae_user_mean": round(score.mae_user_mean, 3),
            "basket_value_users": score.n_users,
        }
    return basket


def fit_cooccurrence(data: Interactions, params: RecommenderParams) -> dict[int | None, CooccurrenceModel]:
    """Bought-together over all baskets, and per region for regions with enough baskets of their own."""
    def model() -> CooccurrenceModel:
        return CooccurrenceModel(
            min_count=params.cooccurrence_min_count,
            shrink=params.cooccurrence_shrink,
            min_lift=params.cooccurrence_min_lift,
        )

    models: dict[int | None, CooccurrenceModel] = {None: model().fit(data.baskets)}
    for region in range(len(data.regions)):
        rows = np.flatnonzero(data.basket_regions == region)
        if len(rows) >= params.min_region_orders:
            models[region] = model().fit(data.baskets[rows])
    return models
