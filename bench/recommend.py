"""Recommender benchmark: temporal split, five rankers in one run, timings, next item and basket value.

    python bench/recommend.py                       # DemoConfig.small() (~1M events) and 7 more seeds of it
    python bench/recommend.py --shops 1             # one demo shop only
    python bench/recommend.py --store .chronotope/store
    python bench/recommend.py --no-taste            # skip the taste-shop comparison
    python bench/recommend.py --public-only         # only the public data: UCI Online Retail, ALS vs BPR

The last `--holdout-days` (14) are held out. Every model trains on the days before (the context weight is
chosen on the 14 days before that, never on the held-out days). Test users are those who bought
something new in the held-out days, in the region and at the local time of their first event there.
Recall@10, NDCG@10 and catalogue coverage for popularity, regional popularity, ALS, ALS with the overall
share as prior (the context blend without the context) and ALS + context; the gain of ALS + context over
ALS and over that control with paired standard errors (same users), for all test users and for those with
history (plain ALS has nothing to go on for a new customer); how many nats per held-out item the local
slot, the region and the user's own taste carry; train time; one-recommendation latency (p50); next item
(hit rate vs popularity); next basket value (MAE vs the user's mean).
One shop has ~800 test users, too few to tell gains of a few thousandths from noise, so the rankers are
also scored on `--shops` - 1 more demo shops with the next seeds, and all their test users are pooled
(`pooled_*` lines, with Recall@10 by history size). Then the same ranking comparison on the small taste
shop (tests/recommend/taste_shop.py) as a hand-built data set. Then popularity, ALS and BPR on public data
(UCI Online Retail, per-customer time split: bench/recommend_public.py). Ends with the ratio of ALS +
context to popularity on Recall@10.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np
import scipy.sparse as sp

from agent.config import Settings
from bench.recommend_public import public_retail_figures
from tools.embeddings import TextEmbedder
from tools.events.money import Money
from tools.events.simulate import DemoConfig, build_demo_shop
from tools.events.store import EventStore
from tools.recommend.als import ALSModel
from tools.recommend.base import top_n
from tools.recommend.engine import Recommender
from tools.recommend.evaluation import Holdout, RankingScore, holdout, paired_gain, ranking_metrics
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
    print(f"{name}: {value:.4f} {unit}".rstrip()
          if isinstance(value, float) else f"{name}: {value} {unit}".rstrip())


def cutoff_of(store: EventStore, holdout_days: int) -> datetime:
    last = store.connect().execute("SELECT max(event_time) FROM events").fetchone()[0]
    midnight = datetime(last.year, last.month, last.day, tzinfo=last.tzinfo) + timedelta(days=1)
    return midnight - timedelta(days=holdout_days)


# Test users by how many items they touched before the cutoff: new customers, light, ..., heavy.
HISTORY_BUCKETS = ((0, 0), (1, 5), (6, 15), (16, 40), (41, None))


@dataclass
class ShopScores:
    """Every ranker's per-user scores on one shop's held-out days, with each test user's history size."""

    scores: dict[str, RankingScore]
    history: np.ndarray  # items each test user touched before the cutoff


def score_rankers(models: TrainedModels, store: EventStore, cutoff: datetime) -> tuple[Holdout, ShopScores]:
    """Recall@10, NDCG@10, coverage of the rankers on users who bought something new after `cutoff`.

    Every ranker gets the same users, the same candidates (all known items) and the same filter (items the
    user bought before the cutoff); only ALS + context sees the region and local time of the request.
    """
    data = models.data
    con = store.connect()
    prepare_indices(con, data.regions, cutoff)  # the same deterministic indices the models were trained with
    cases = holdout(con, cutoff, None, data.purchased)
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
        scores[name] = ranking_metrics(lambda k, tops=tops: tops[k], cases, len(data.items))
    history = np.array([data.user_items[int(u)].nnz for u in cases.users], dtype=np.int64)
    return cases, ShopScores(scores, history)


def print_rankings(shop: ShopScores, prefix: str) -> None:
    """Each ranker's metrics, then the gains of ALS + context over ALS and over the control, paired."""
    line(f"{prefix}test_users", len(shop.history))
    line(f"{prefix}test_users_with_history", int((shop.history > 0).sum()))
    for name, score in shop.scores.items():
        line(f"{prefix}recall@10_{name}", score.recall)
        line(f"{prefix}recall@10_{name}_se", score.recall_se)
        line(f"{prefix}ndcg@10_{name}", score.ndcg)
        if not np.isnan(score.coverage):
            line(f"{prefix}coverage@10_{name}", score.coverage)
    print_gains(shop, prefix)


def print_gains(shop: ShopScores, prefix: str) -> None:
    """Gains of ALS + context over ALS and over the control, for all test users and for those with history.

    Both rankers score the same users, so the standard error of their difference is the paired one (much
    smaller than either ranker's own SE, which mostly measures how hard each user is). Plain ALS has nothing
    to go on for a new customer, so the gain over it is also shown on the users with history alone.
    """
    warm = shop.history > 0
    for ours, baseline in (("als_context", "als"), ("als_context", "als_popularity_prior")):
        for metric in ("recall", "ndcg"):
            per_user = (getattr(shop.scores[ours], f"{metric}s"),
                        getattr(shop.scores[baseline], f"{metric}s"))
            for users, suffix in ((slice(None), ""), (warm, "_users_with_history")):
                gain, se = paired_gain(per_user[0][users], per_user[1][users])
                line(f"{prefix}{metric}@10_{ours}_minus_{baseline}{suffix}", gain)
                line(f"{prefix}{metric}@10_{ours}_minus_{baseline}{suffix}_paired_se", se)
    line(f"{prefix}ratio_recall@10_als_context_vs_als",
         shop.scores["als_context"].recall / max(shop.scores["als"].recall, 1e-9), "x")


def print_history_breakdown(shop: ShopScores, prefix: str) -> None:
    """Recall@10 of ALS, the control and ALS + context by how much history the test users have."""
    for low, high in HISTORY_BUCKETS:
        users = (shop.history >= low) & (shop.history <= (high if high is not None else np.inf))
        label = f"{low}" if low == high else f"{low}_plus" if high is None else f"{low}_{high}"
        line(f"{prefix}history_{label}_test_users", int(users.sum()))
        for name in ("als", "als_popularity_prior", "als_context"):
            line(f"{prefix}history_{label}_recall@10_{name}", float(shop.scores[name].recalls[users].mean())
                 if users.any() else float("nan"))


def pool(shops: list[ShopScores]) -> ShopScores:
    """The test users of several independent shops as one sample (coverage is per catalogue: left out)."""
    scores = {}
    for name in shops[0].scores:
        recalls = np.concatenate([s.scores[name].recalls for s in shops])
        ndcgs = np.concatenate([s.scores[name].ndcgs for s in shops])
        scores[name] = RankingScore(
            recall=float(recalls.mean()), recall_se=float(recalls.std(ddof=1) / np.sqrt(len(recalls))),
            ndcg=float(ndcgs.mean()), coverage=float("nan"), n_users=len(recalls),
            recalls=recalls, ndcgs=ndcgs,
        )
    return ShopScores(scores, np.concatenate([s.history for s in shops]))


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
    factors, regularization, iterations = RecommenderParams().factorisation
    ALSModel(factors=factors, regularization=regularization, alpha=RecommenderParams().alpha,
             iterations=iterations).fit(big)
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
    for name, call in (("bought_together", recommender.bought_together),
                       ("similar_to_item", recommender.similar_to_item),
                       ("next_items", lambda p, n: recommender.next_items([p], n))):
        latencies = []
        for item in items:
            started = time.perf_counter()
            call(item, 10)
            latencies.append(time.perf_counter() - started)
        line(f"{name}_p50", float(np.median(latencies) * 1000), "ms")


def next_item_and_basket(models: TrainedModels, store: EventStore, cutoff: datetime) -> None:
    con = store.connect()
    prepare_indices(con, models.data.regions, cutoff)
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

    orders = order_sequences(con, Money.of(store.profile()), None)
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


def gain_over_popularity(shop: ShopScores) -> float:
    """Recall@10 of ALS + context over that of popularity."""
    return shop.scores["als_context"].recall / max(shop.scores["popularity"].recall, 1e-9)


def demo_store(root: Path, seed: int) -> EventStore:
    """`DemoConfig.small()` with this seed, built under `root`."""
    store = EventStore(root / f"demo-{seed}")
    build_demo_shop(store, replace(DemoConfig.small(), seed=seed), progress=False)
    return store


def more_shops(root: Path, n: int, holdout_days: int) -> list[ShopScores]:
    """The rankers on `n` more demo shops, seeded after the first: more test users, smaller standard errors.

    Each shop is trained (without content embeddings, which no ranking here uses), scored, then deleted.
    """
    shops = []
    for seed in range(DemoConfig.small().seed + 1, DemoConfig.small().seed + 1 + n):
        store = demo_store(root, seed)
        cutoff = cutoff_of(store, holdout_days)
        models = train_models(store, RecommenderParams(until=cutoff, content_embeddings=False))
        _, shop = score_rankers(models, store, cutoff)
        line(f"seed{seed}_test_users", len(shop.history))
        line(f"seed{seed}_context_weight_chosen", float(models.metrics["context_weight"]))
        for name in ("popularity", "als", "als_context"):
            line(f"seed{seed}_recall@10_{name}", shop.scores[name].recall)
        shops.append(shop)
        shutil.rmtree(store.root)
    return shops


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path,
                        help="Existing event store (default: build DemoConfig.small()).")
    parser.add_argument("--shops", type=int, default=8,
                        help="Demo shops (seeds 7, 8, ...) whose test users are pooled for the ranking "
                        "gains; timings, next item and basket value use the first. Ignored with --store.")
    parser.add_argument("--holdout-days", type=int, default=14)
    parser.add_argument("--no-taste", action="store_true", help="Skip the taste-shop comparison.")
    parser.add_argument("--public-only", action="store_true",
                        help="Only the public data (UCI Online Retail).")
    args = parser.parse_args(argv)
    if args.shops < 1:
        parser.error(f"--shops must be at least 1, got {args.shops}.")
    retail = public_retail_figures()
    for name, value in retail.items():
        line(name, value)
    line("retail_ratio_ndcg@10_bpr_vs_als", retail["retail_ndcg@10_bpr"] / retail["retail_ndcg@10_als"], "x")
    if args.public_only:
        return

    with tempfile.TemporaryDirectory() as tmp:
        if args.store is not None:
            store = EventStore(args.store)
        else:
            started = time.perf_counter()
            store = demo_store(Path(tmp), DemoConfig.small().seed)
            line("demo_shop_build_time", time.perf_counter() - started, "s")
        cutoff = cutoff_of(store, args.holdout_days)
        line("holdout_from", cutoff.isoformat())
        started, cpu = time.perf_counter(), time.process_time()
        embedder = TextEmbedder(Settings().model_cache_path)
        models = train_models(store, RecommenderParams(until=cutoff), embedder, progress=False)
        train_s, train_cpu_s = time.perf_counter() - started, time.process_time() - cpu
        cases, shop = score_rankers(models, store, cutoff)
        print_rankings(shop, "")
        line("context_weight_chosen", float(models.metrics["context_weight"]))
        context_information(models, cases, "")
        timings(models, store, train_s, train_cpu_s)
        next_item_and_basket(models, store, cutoff)

        shops = [shop]
        if args.store is None and args.shops > 1:
            shops += more_shops(Path(tmp), args.shops - 1, args.holdout_days)
            print_rankings(pool(shops), "pooled_")
        print_history_breakdown(pool(shops), "pooled_" if len(shops) > 1 else "")

        if not args.no_taste:
            from tests.recommend.taste_shop import build_taste_shop

            taste_store = EventStore(Path(tmp) / "taste")
            build_taste_shop(taste_store, n_users=2000, days=90, per_category=40)
            taste_cutoff = cutoff_of(taste_store, args.holdout_days)
            taste_models = train_models(taste_store,
                                        RecommenderParams(until=taste_cutoff, content_embeddings=False))
            _, taste = score_rankers(taste_models, taste_store, taste_cutoff)
            print_rankings(taste, "taste_shop_")
            line("taste_shop_context_weight_chosen", float(taste_models.metrics["context_weight"]))
            line("taste_shop_ratio_recall@10_als_context_vs_popularity", gain_over_popularity(taste), "x")

    line("ratio_recall@10_als_context_vs_popularity", gain_over_popularity(shop), "x")
    if len(shops) > 1:
        line("pooled_ratio_recall@10_als_context_vs_popularity", gain_over_popularity(pool(shops)), "x")


if __name__ == "__main__":
    main()
