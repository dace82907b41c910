"""Next-purchase value: a small GRU over a user's order sequence, against the user's mean as baseline.

Each order is a step with features (log amount, log item count, log days since the previous order, log
order number, running mean of log amounts). The GRU predicts the next order's log amount as a correction
to the running mean (the head starts at zero, so an untrained model is the geometric-mean baseline), and
is trained with L1 loss: the median in log space is the median amount, which is what minimises MAE.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from tools.recommend.base import ModelNotFitted
from tools.recommend.result import BasketValuePrediction

N_FEATURES = 5


@dataclass(frozen=True)
class BasketValueScore:
    """MAE of the next order's amount: the sequence model vs the user's mean of earlier orders."""

    mae_model: float
    mae_user_mean: float
    n_users: int

    @property
    def ratio(self) -> float:
        """model MAE / user-mean MAE (below 1 = the model is better)."""
        return self.mae_model / self.mae_user_mean if self.mae_user_mean else float("nan")


def _features(orders: pd.DataFrame) -> pd.DataFrame:
    """Per-order features in sequence order; `orders` is sorted by uidx, placed_at."""
    frame = orders[["uidx", "placed_at", "amount", "n_items"]].copy()
    frame["log_amount"] = np.log1p(frame["amount"].clip(lower=0).astype(float))
    by_user = frame.groupby("uidx", sort=False)
    frame["step"] = by_user.cumcount()
    gap_days = by_user["placed_at"].diff().dt.total_seconds().fillna(0) / 86400.0
    frame["f_gap"] = np.log1p(gap_days.clip(lower=0))
    frame["f_items"] = np.log1p(frame["n_items"].astype(float))
    frame["f_number"] = np.log1p(frame["step"].astype(float))
    frame["running_mean"] = by_user["log_amount"].cumsum() / (frame["step"] + 1)
    return frame


_FEATURE_COLUMNS = ["log_amount", "f_items", "f_gap", "f_number", "running_mean"]


def split_last_order(orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every order but each user's last, each user's last order) for users with two orders or more."""
    counts = orders.groupby("uidx")["uidx"].transform("size")
    multi = orders[counts >= 2]
    is_last = multi.groupby("uidx").cumcount(ascending=False) == 0
    return multi[~is_last], multi[is_last]


class BasketValueModel:
    """GRU next-basket-value regressor over per-user order sequences (`interactions.order_sequences`)."""

    def __init__(self, hidden: int = 24, epochs: int = 8, learning_rate: float = 0.01, max_orders: int = 16,
                 batch_size: int = 512, seed: int = 0):
        self.hidden, self.epochs, self.learning_rate = hidden, epochs, learning_rate
        self.max_orders, self.batch_size, self.seed = max_orders, batch_size, seed
        self._net = None

    def params(self) -> dict[str, float | int]:
        return {"hidden": self.hidden, "epochs": self.epochs, "learning_rate": self.learning_rate,
                "max_orders": self.max_orders, "batch_size": self.batch_size, "seed": self.seed}

    def _tensors(
        self, orders: pd.DataFrame
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Left-aligned padded (users, steps, features), running means, next targets, mask, user ids.

        Only each user's last `max_orders` orders are kept: older ones say little about the next basket.
        """
        frame = _features(orders)
        from_end = frame.groupby("uidx", sort=False).cumcount(ascending=False)
        frame = frame[from_end < self.max_orders].copy()
        users, row_user = np.unique(frame["uidx"].to_numpy(), return_inverse=True)
        step = frame.groupby("uidx", sort=False).cumcount().to_numpy()
        x = np.zeros((len(users), self.max_orders, N_FEATURES), dtype=np.float32)
        x[row_user, step] = (frame[_FEATURE_COLUMNS].to_numpy(np.float32) - self.mean) / self.std
        base = np.zeros((len(users), self.max_orders), dtype=np.float32)
        base[row_user, step] = frame["running_mean"].to_numpy(np.float32)
        # The target at step t is the log amount of order t + 1 of the same user.
        target = np.zeros_like(base)
        mask = np.zeros_like(base)
        has_next = np.r_[frame["uidx"].to_numpy()[1:] == frame["uidx"].to_numpy()[:-1], False]
        target[row_user[has_next], step[has_next]] = (
            frame["log_amount"].to_numpy(np.float32)[1:][has_next[:-1]]
        )
        mask[row_user[has_next], step[has_next]] = 1.0
        return x, base, target, mask, users

    def _build(self):
        import torch
        from torch import nn

        class Net(nn.Module):
            def __init__(self, hidden: int):
                super().__init__()
                self.gru = nn.GRU(N_FEATURES, hidden, batch_first=True)
                self.head = nn.Linear(hidden, 1)
                nn.init.zeros_(self.head.weight)
                nn.init.zeros_(self.head.bias)

            def forward(self, x: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
                out, _ = self.gru(x)  # (users, steps, hidden); step t has seen orders 0..t only
                return base + self.head(out).squeeze(-1)  # (users, steps) predicted next log amount

        return Net(self.hidden)

    def fit(self, orders: pd.DataFrame, show_progress: bool = False) -> Self:
        """Train on every (orders so far -> next order) pair in `orders`."""
        import torch
        from tqdm.auto import tqdm

        features = _features(orders)[_FEATURE_COLUMNS].to_numpy(np.float64)
        if len(features) == 0:
            raise ValueError("No orders to learn basket values from; the store has no purchases before the "
                             "cutoff.")
        self.mean = features.mean(axis=0).astype(np.float32)
        self.std = (features.std(axis=0) + 1e-6).astype(np.float32)
        x, base, target, mask, _ = self._tensors(orders)
        keep = mask.sum(axis=1) > 0
        x, base, target, mask = (torch.from_numpy(a[keep]) for a in (x, base, target, mask))
        torch.manual_seed(self.seed)
        net = self._build()
        optimiser = torch.optim.Adam(net.parameters(), lr=self.learning_rate)
        generator = torch.Generator().manual_seed(self.seed)
        threads = torch.get_num_threads()
        # A GRU this small spends its time synchronising threads, badly so on a shared machine: one is faster.
        torch.set_num_threads(1)
        try:
            for _ in tqdm(range(self.epochs), desc="basket value GRU", disable=not show_progress,
                          leave=False):
                for batch in torch.randperm(len(x), generator=generator).split(self.batch_size):
                    predicted = net(x[batch], base[batch])
                    loss = (((predicted - target[batch]).abs() * mask[batch]).sum()
                            / mask[batch].sum().clamp(min=1))
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
        finally:
            torch.set_num_threads(threads)
        self._net = net.eval()
        return self

    def predict(self, orders: pd.DataFrame) -> pd.DataFrame:
        """Per user in `orders`: predicted next amount, the user-mean baseline and the order count."""
        import torch

        if self._net is None:
            raise ModelNotFitted("BasketValueModel is not fitted; call fit(orders) or load(path) first.")
        x, base, _, _, users = self._tensors(orders)
        with torch.no_grad():
            predicted = self._net(torch.from_numpy(x), torch.from_numpy(base)).numpy()
        stats = orders.groupby("uidx")["amount"].agg(["mean", "size"])
        last_step = np.minimum(stats.loc[users, "size"].to_numpy(), self.max_orders) - 1
        return pd.DataFrame(
            {
                "uidx": users,
                "predicted": np.expm1(predicted[np.arange(len(users)), last_step]),
                "user_mean": stats.loc[users, "mean"].to_numpy(),
                "n_orders": stats.loc[users, "size"].to_numpy(),
            }
        )

    def score(self, history: pd.DataFrame, actual_next: pd.DataFrame) -> BasketValueScore:
        """MAE of predicting each user's `actual_next` order (uidx, amount) from `history`."""
        predicted = self.predict(history).merge(actual_next[["uidx", "amount"]], on="uidx")
        if predicted.empty:
            raise ValueError("No user has both a history and a next order to score.")
        return BasketValueScore(
            mae_model=float((predicted["predicted"] - predicted["amount"]).abs().mean()),
            mae_user_mean=float((predicted["user_mean"] - predicted["amount"]).abs().mean()),
            n_users=len(predicted),
        )

    def save(self, path: Path | str) -> None:
        """Write weights and feature scaling to a .pt file (tensors only, loadable with weights_only)."""
        import torch

        if self._net is None:
            raise ModelNotFitted("BasketValueModel is not fitted; nothing to save.")
        torch.save({"net": self._net.state_dict(), "mean": torch.from_numpy(self.mean),
                    "std": torch.from_numpy(self.std), "params": self.params()}, Path(path))

    @classmethod
    def load(cls, path: Path | str) -> BasketValueModel:
        """Read a model written by `save`."""
        import torch

        saved = torch.load(Path(path), weights_only=True)
        model = cls(**saved["params"])
        model.mean, model.std = saved["mean"].numpy(), saved["std"].numpy()
        net = model._build()
        net.load_state_dict(saved["net"])
        model._net = net.eval()
        return model


def next_basket_value(
    model: BasketValueModel, orders: pd.DataFrame, uidx: int | None, user_id: str, currency: str
) -> BasketValuePrediction:
    """The likely next order value of user `uidx` from their orders in `orders` (every user's), next to their
    average; the shop's median first order for a customer with none."""
    history = orders[orders["uidx"] == uidx] if uidx is not None else orders.iloc[:0]
    if history.empty:
        firsts = orders.groupby("uidx")["amount"].first()
        predicted = float(firsts.median()) if len(firsts) else 0.0
        frame = pd.DataFrame({"placed_at": ["next"], "amount": [predicted], "kind": ["predicted"]})
        return BasketValuePrediction(frame, user_id, predicted, None, 0, currency,
                                     "no orders yet: the shop's median first order")
    row = model.predict(history).iloc[0]
    past = history[["placed_at", "amount"]].assign(kind="past")
    following = pd.DataFrame({"placed_at": ["next"], "amount": [float(row.predicted)], "kind": ["predicted"]})
    frame = pd.concat([past, following], ignore_index=True)
    return BasketValuePrediction(
        frame, user_id, round(float(row.predicted), 2), round(float(row.user_mean), 2), int(row.n_orders),
        currency, f"GRU over the last {min(int(row.n_orders), model.max_orders)} orders",
    )
