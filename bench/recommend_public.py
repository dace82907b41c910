"""The recommender's rankers on public data nobody here prepared: UCI Online Retail, France and Germany
(../shared/data/online_retail_uci, CC BY 4.0), run by `bench/recommend.py` (`--public-only` for just this).

Per-customer time split: each customer's invoices in time order, the last quarter (at least one; customers
with two invoices or more) held out. Cancellations (invoice "C...", negative quantities) and postage lines
are left out. Purchases weigh as in the engine (confidence log1p(10 x lines)); test items are the ones the
customer had not bought before (every ranker filters those). Popularity, ALS and BPR use the engine's
defaults (`RecommenderParams(algorithm=...).factorisation`); ALS and BPR are fit with five seeds and each
customer's NDCG@10 averaged over them, so one lucky seed decides nothing, and BPR - ALS is paired over the
same customers with its standard error. With about 120 test customers, differences under ~2 SE are noise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tools.recommend.als import ALSModel
from tools.recommend.base import RecommenderModel
from tools.recommend.evaluation import Holdout, RankingScore, paired_gain, ranking_metrics
from tools.recommend.popularity import PopularityModel
from tools.recommend.training import RecommenderParams

RETAIL = Path(__file__).resolve().parents[2] / "shared" / "data" / "online_retail_uci"
SEEDS = range(5)
HELD_OUT = 0.25


def read_retail(folder: Path = RETAIL) -> pd.DataFrame:
    """Purchase lines of the France and Germany files: customer, item, invoice, time."""
    frame = pd.concat([pd.read_csv(folder / name, dtype={"InvoiceNo": str, "StockCode": str})
                       for name in ("france.csv", "germany.csv")])
    frame = frame[frame["CustomerID"].notna() & (frame["Quantity"] > 0) & (frame["StockCode"] != "POST")
                  & ~frame["InvoiceNo"].str.startswith("C")]
    return pd.DataFrame({"customer": frame["CustomerID"].astype(int), "item": frame["StockCode"],
                         "invoice": frame["InvoiceNo"],
                         "at": pd.to_datetime(frame["InvoiceDate"], format="%m/%d/%Y %H:%M")})


def split_by_customer(lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training lines, held-out lines): each customer's last quarter of invoices held out."""
    invoices = lines.groupby(["customer", "invoice"], as_index=False)["at"].min()
    invoices = invoices.sort_values(["customer", "at", "invoice"])
    count = invoices.groupby("customer")["invoice"].transform("size")
    from_end = invoices.groupby("customer").cumcount(ascending=False)
    held = invoices[(count >= 2) & (from_end < np.maximum(1, np.floor(count * HELD_OUT)))]
    key = ["customer", "invoice"]
    is_held = lines.set_index(key).index.isin(held.set_index(key).index)
    return lines[~is_held], lines[is_held]


def matrices(train: pd.DataFrame, test: pd.DataFrame) -> tuple[sp.csr_matrix, Holdout]:
    """The customer x item confidences of `train` and the new items each customer bought in `test`."""
    users = {u: k for k, u in enumerate(sorted(train["customer"].unique()))}
    items = {i: k for k, i in enumerate(sorted(train["item"].unique()))}
    lines = train.groupby(["customer", "item"]).size()
    rows = [users[u] for u in lines.index.get_level_values(0)]
    cols = [items[i] for i in lines.index.get_level_values(1)]
    confidence = np.log1p(RecommenderParams().purchase_weight * lines.to_numpy()).astype(np.float32)
    user_items = sp.csr_matrix((confidence, (rows, cols)), shape=(len(users), len(items)))
    cases, relevant = [], []
    for customer, bought in test.groupby("customer")["item"]:
        if customer in users:
            new = np.setdiff1d([items[i] for i in bought if i in items], user_items[users[customer]].indices)
            if len(new):
                cases.append(users[customer])
                relevant.append(new)
    unknown = np.full(len(cases), -1)
    return user_items, Holdout(np.array(cases, dtype=np.int64), relevant, unknown, unknown)


def score(model: RecommenderModel, user_items: sp.csr_matrix, cases: Holdout) -> RankingScore:
    """NDCG@10 and Recall@10 of `model` (fitted) on the held-out customers."""
    def top(k: int) -> np.ndarray:
        user = int(cases.users[k])
        return model.recommend(user, user_items[user], N=10)[0]

    return ranking_metrics(top, cases, user_items.shape[1])


def public_retail_figures() -> dict[str, float | int]:
    """Named figures: customers, NDCG@10 and Recall@10 per ranker, the BPR - ALS gain and its paired SE."""
    user_items, cases = matrices(*split_by_customer(read_retail()))
    figures: dict[str, float | int] = {
        "retail_customers": user_items.shape[0], "retail_items": user_items.shape[1],
        "retail_test_customers": len(cases),
    }
    ndcgs = {}
    popularity = score(PopularityModel().fit(user_items), user_items, cases)
    figures["retail_ndcg@10_popularity"] = popularity.ndcg
    figures["retail_recall@10_popularity"] = popularity.recall
    for algorithm in ("als", "bpr"):
        factors, regularization, iterations = RecommenderParams(algorithm=algorithm).factorisation
        runs = [score(ALSModel(factors=factors, regularization=regularization, iterations=iterations,
                               algorithm=algorithm, learning_rate=RecommenderParams().learning_rate,
                               seed=seed).fit(user_items), user_items, cases) for seed in SEEDS]
        ndcgs[algorithm] = np.mean([run.ndcgs for run in runs], axis=0)
        figures[f"retail_ndcg@10_{algorithm}"] = float(ndcgs[algorithm].mean())
        figures[f"retail_recall@10_{algorithm}"] = float(np.mean([run.recall for run in runs]))
    for ours, baseline in (("bpr", ndcgs["als"]), ("als", popularity.ndcgs)):
        name = f"retail_ndcg@10_{ours}_minus_{'als' if ours == 'bpr' else 'popularity'}"
        figures[name], figures[f"{name}_paired_se"] = paired_gain(ndcgs[ours], baseline)
    return figures
