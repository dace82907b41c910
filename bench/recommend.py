"""Recommender benchmark: temporal split, four rankers in one run, timings, next item and basket value.

    python bench/recommend.py                       # builds DemoConfig.small() in a temp dir (~1M events)
    python bench/recommend.py --store .chronotope/store
    python bench/recommend.py --no-taste            # skip the taste-shop comparison

The last `--holdout-days` (14) are held out. Every model trains on the days before (the context weight is
chosen on the 14 days before that, never on the held-out days). Test users are those who bought
something new in the held-out days, in the region and at the local time of their first event there.
Recall@10, NDCG@10 and catalogue coverage for popularity, regional popularity, ALS, ALS with the overall
share as prior (the context blend without the context) and ALS + context; the gain of ALS + context over
ALS and over that control with paired standard errors (same users); how many nats per held-out item the
local slot, the region and the user's own taste carry;
train time; one-recommendation latency (p50); next item (hit rate vs popularity); next basket value
(MAE vs the user's mean). Then the same ranking comparison on the small taste shop (tests/recommend/
taste_shop.py) as a second, hand-built data set. Ends with the ratio of ALS + context to popularity on
Recall@10.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np
import scipy.sparse as sp

from tools.events.store import EventStore
from tools.recommend.als import ALSModel
from tools.recommend.base import top_n
from tools.recommend.engine import Recommender
from tools.recommend.evaluation import Holdout, holdout, paired_gain, ranking_metrics
from tools.recommend.interactions import (
    order_sequences,
    prepare_indices,
    prepare_session_steps,
    session_paths,
)
from tools.recommend.persistence import Manifest
from tools.recommend.session import evaluate_next_item
from tools.recommend.training import RecommenderParams, TrainedModels, train_models


def line(name: str, value: float | str, unit: str = "") -> None:
    print(f"{name}: {value:.4f} {unit}".rstrip() if isinstance(value, float) else f"{name}: {value} {unit}".rstrip())


def cutoff_of(store: EventStore, holdout_days: int) -> datetime:
    last = store.connect().execute("SELECT max(event_time) FROM events").fetchone()[0]
    midnight = datetime(last.year, last.month, last.day, tzinfo=last.tzinfo) + timedelta(days=1)
    return midnight - timedelta(days=holdout_days)


def rankings(models: TrainedModels, store: EventStore, cutoff: datetime, prefix: str) -> dict[str, float]:
    """Recall@10, NDCG@10, coverage of the rankers on users who bought something new after `cutoff`.

    Every ranker gets the same users, the same candidates (all known items) and the same filter (items the
    user bought before the cutoff); only ALS + context sees the region and local time of the request.
    """
    data = models.data
    con = store.connect()
    prepare_indices(con, cutoff)  # the same deterministic indices the models were trained with
    cases = holdout(con, cutoff, None, data.purchased)
    warm = sum(data.user_items[int(u)].nnz > 0 for u in cases.users)
    line(f"{prefix}test_users", len(cases))
    line(f"{prefix}test_users_with_history", int(warm))
    plain = models.als.without_context()
    rankers = {
        "popularity": (models.popularity, lambda k: None),
        "regional_popularity": (models.regional, lambda k: cases.context(k, with_slot=False)),
        "als": (plain, lambda k: None),
        # The same blend with the overall share in place of the local one: what a popularity prior alone
        # adds to ALS, so that the part due to where and when can be told apart.
        "als_popularity_prior": (models.als, lambda k: None),
        "als_context": (models.als, cases.context),
    }
    scores = {}
    for name, (model, context) in rankers.items():
        tops = [model.recommend(int(u), data.purchased[int(u)], N=10, context=context(k))[0]
                for k, u in enumerate(cases.users)]
        scores[name] = score = ranking_metrics(lambda k, tops=tops: tops[k], cases, len(data.items))
        line(f"{prefix}recall@10_{name}", score.recall)
        line(f"{prefix}recall@10_{name}_se", score.recall_se)
        line(f"{prefix}ndcg@10_{name}", score.ndcg)
        line(f"{prefix}coverage@10_{name}", score.coverage)
    line(f"{prefix}context_weight_chosen", float(models.metrics["context_weight"]))
    # Both rankers score the same users, so the standard error of their difference is the paired one (much
    # smaller than either ranker's own SE, which mostly measures how hard each user is).
    for ours, baseline in (("als_context", "als"), ("als_context", "als_popularity_prior")):
        for metric in ("recall", "ndcg"):
            gain, se = paired_gain(getattr(scores[ours], f"{metric}s"), getattr(scores[baseline], f"{metric}s"))
            line(f"{prefix}{metric}@10_{ours}_minus_{baseline}", gain)
            line(f"{prefix}{metric}@10_{ours}_minus_{baseline}_paired_se", se)
    line(f"{prefix}ratio_recall@10_als_context_vs_als", scores["als_context"].recall / max(scores["als"].recall, 1e-9), "x")
    context_information(models, cases, prefix)
    return {name: score.recall for name, score in scores.items()}


def context_information(models: TrainedModels, cases: Holdout, prefix: str) -> None:
    """How much each signal says about the held-out purchases, in nats per item (category level for taste).

    For each held-out item: its estimated log-lift at the user's own region, slot or history, minus the
    same at another test user's (shuffled); the mean is the log-likelihood a naive-Bayes ranker gains per
    item from knowing it. Taste is the user's category mix before the cutoff (smoothed towards the overall
    mix), to put the time of day on the same scale as what ALS already knows.
    """
    counts = models.data.context_counts
    known = np.flatnonzero(cases.regions >= 0)
    if len(known) < 2:
        return
    codes = counts.item_category + 1
    n_codes = int(codes.max()) + 1
    overall = np.bincount(codes, weights=counts.popularity(), minlength=n_codes)
    rows = models.data.user_items

    def taste(k: int) -> np.ndarray:
        row = rows[int(cases.users[k])]
        mass = np.bincount(codes[row.indices], weights=np.maximum(row.data, 0), minlength=n_codes)
        prior = 10.0  # one purchase's weight: a short history says little
        with np.errstate(divide="ignore", invalid="ignore"):  # codes with no items are never indexed
            return np.log((mass + prior * overall) / (mass.sum() + prior) / overall)[codes]

    signals = {
        "slot": lambda k: counts.slot_lift(int(cases.slots[k])),
        "region": lambda k: counts.region_lift(int(cases.regions[k])),
        "taste": taste,
    }
    other = dict(zip(known.tolist(), np.random.default_rng(0).permutation(known).tolist()))
    for name, lift in signals.items():
        own = np.mean([lift(k)[cases.relevant[k]].mean() for k in known])
        shuffled = np.mean([lift(other[k])[cases.relevant[k]].mean() for k in known])
        line(f"{prefix}heldout_information_{name}", float(own - shuffled), "nats/item")


def timings(models: TrainedModels, store: EventStore, train_s: float, train_cpu_s: float) -> None:
    """Train time (wall and this process's CPU), ALS at 1M pairs, and serving latency through the public API.

    CPU time is printed beside wall time because the machine may be shared: wall time then measures the
    neighbours as much as the code.
    """
    data = models.data
    line("train_events", data.snapshot.n_events)
    line("train_user_item_pairs", int(data.user_items.nnz))
    line("train_time_total", train_s, "s")
    line("train_cpu_time_total", train_cpu_s, "s")
    for step, seconds in models.timings_s.items():
        line(f"train_time_{step.replace(' ', '_')}", float(seconds), "s")
    # ALS alone on >= 1M user-item pairs: the training matrix stacked until it is that large.
    copies = int(np.ceil(1_000_000 / max(data.user_items.nnz, 1)))
    big = sp.vstack([data.user_items] * copies).tocsr()
    started, cpu = time.perf_counter(), time.process_time()
    defaults = RecommenderParams()
    ALSModel(factors=defaults.factors, regularization=defaults.als_regularization, alpha=defaults.alpha,
             iterations=defaults.iterations).fit(big)
    line("als_fit_pairs", int(big.nnz))
    line("als_fit_time_1M_pairs", time.perf_counter() - started, "s")
    line("als_fit_cpu_time_1M_pairs", time.process_time() - cpu, "s")

    recommender = Recommender(models, Manifest(), store)
    rng = np.random.default_rng(0)
    warm = np.flatnonzero(np.diff(data.user_items.indptr) > 0)
    users = [data.users[int(u)] for u in rng.choice(warm, size=min(300, len(warm)), replace=False)]
    at = datetime(2026, 11, 13, 20, 0)
    recommender.recommend_for_user(users[0], n=10, at=at)  # warm-up: first-call imports and caches
    latencies = []
    for user in users:
        started = time.perf_counter()
        recommender.recommend_for_user(user, n=10, at=at)
        latencies.append(time.perf_counter() - started)
    line("recommend_for_user_p50", float(np.median(latencies) * 1000), "ms")
    line("recommend_for_user_p95", float(np.percentile(latencies, 95) * 1000), "ms")
    items = [data.items[int(i)] for i in rng.choice(len(data.items), size=100)]
    for name, call in (("bought_together", recommender.bought_together), ("similar_to_item", recommender.similar_to_item),
                       ("next_items", lambda p, n: recommender.next_items([p], n))):
        latencies = []
        for item in items:
            started = time.perf_counter()
            call(item, 10)
            latencies.append(time.perf_counter() - started)
        line(f"{name}_p50", float(np.median(latencies) * 1000), "ms")


def next_item_and_basket(models: TrainedModels, store: EventStore, cutoff: datetime) -> None:
    con = store.connect()
    prepare_indices(con, cutoff)
    prepare_session_steps(con, None)
    paths = session_paths(con, since=cutoff)
    popular = top_n(models.data.context_counts.popularity(), 10)[0]
    ours = evaluate_next_item(lambda p, k: models.session.predict(p, k)[0], paths, max_paths=5000)
    baseline = evaluate_next_item(lambda p, k: popular, paths, max_paths=5000)
    line("next_item_predictions", ours.n_predictions)
    line("next_item_hit_rate@10_session_model", ours.hit_rate)
    line("next_item_hit_rate@10_popularity", baseline.hit_rate)
    line("next_item_mrr@10_session_model", ours.mrr)
    line("next_item_mrr@10_popularity", baseline.mrr)
    line("ratio_next_item_hit_rate_vs_popularity", ours.hit_rate / max(baseline.hit_rate, 1e-9), "x")

    orders = order_sequences(con, None)
    before = orders[orders["placed_at"] < cutoff]
    after = orders[orders["placed_at"] >= cutoff]
    first_after = after.groupby("uidx", as_index=False).first()
    first_after = first_after[first_after["uidx"].isin(before["uidx"])]
    history = before[before["uidx"].isin(first_after["uidx"])]
    score = models.basket.score(history, first_after)
    line("basket_value_test_users", score.n_users)
    line("basket_value_mae_gru", score.mae_model, "EUR/GBP")
    line("basket_value_mae_user_mean", score.mae_user_mean, "EUR/GBP")
    line("ratio_basket_value_mae_gru_vs_user_mean", score.ratio, "x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="Existing event store (default: build DemoConfig.small()).")
    parser.add_argument("--holdout-days", type=int, default=14)
    parser.add_argument("--no-taste", action="store_true", help="Skip the taste-shop comparison.")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.store is not None:
            store = EventStore(args.store)
        else:
            from tools.events.simulate import DemoConfig, build_demo_shop

            store = EventStore(Path(tmp) / "demo")
            started = time.perf_counter()
            build_demo_shop(store, DemoConfig.small(), progress=False)
            line("demo_shop_build_time", time.perf_counter() - started, "s")
        cutoff = cutoff_of(store, args.holdout_days)
        line("holdout_from", cutoff.isoformat())
        started, cpu = time.perf_counter(), time.process_time()
        models = train_models(store, RecommenderParams(until=cutoff), progress=False)
        train_s, train_cpu_s = time.perf_counter() - started, time.process_time() - cpu
        recalls = rankings(models, store, cutoff, "")
        timings(models, store, train_s, train_cpu_s)
        next_item_and_basket(models, store, cutoff)

        if not args.no_taste:
            from tests.recommend.taste_shop import build_taste_shop

            taste_store = EventStore(Path(tmp) / "taste")
            build_taste_shop(taste_store, n_users=2000, days=90, per_category=40)
            taste_cutoff = cutoff_of(taste_store, args.holdout_days)
            taste_models = train_models(taste_store, RecommenderParams(until=taste_cutoff, content_embeddings=False))
            taste = rankings(taste_models, taste_store, taste_cutoff, "taste_shop_")
            line("taste_shop_ratio_recall@10_als_context_vs_popularity",
                 taste["als_context"] / max(taste["popularity"], 1e-9), "x")

    line("ratio_recall@10_als_context_vs_popularity", recalls["als_context"] / max(recalls["popularity"], 1e-9), "x")


if __name__ == "__main__":
    main()
