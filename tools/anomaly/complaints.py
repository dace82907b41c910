"""Complaint waves: the share of negative reviews for a product, category or region rising above its usual.

Each review's sentiment comes from the text (`tools.anomaly.sentiment`, trained on the ratings). For every
group at five levels, finest first (product in a region, product, category in a region, category, region),
windows of several lengths inside the period are tested against the group's usual negative share (its
baseline before the period, shrunk towards the shop-wide share) with an exact binomial tail. A wave found
at a fine level "explains" its reviews, so a coarser group is only reported if it is still unusual without
them: one defective batch in London is one alert, not five.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tools.anomaly.errors import AnomalyInputError
from tools.anomaly.period import Period, parse_since, resolve_period
from tools.anomaly.sentiment import Embedder, EmbeddingCache, ReviewClassifier
from tools.events.store import EventStore
from tools.results import FULL_ROWS, NAMED_ROWS, ChartSpec

DAY = pd.Timedelta(days=1)
LEVELS: dict[str, tuple[str, ...]] = {
    "product_region": ("product_id", "region"),
    "product": ("product_id",),
    "category_region": ("category", "region"),
    "category": ("category",),
    "region": ("region",),
}
ALERT_COLUMNS = [
    "alert_id",
    "level",
    "product_id",
    "product",
    "category",
    "region",
    "start",
    "end",
    "reviews",
    "negatives",
    "negative_share",
    "usual_share",
    "severity",
    "topic",
    "example",
]


@dataclass(frozen=True)
class WaveConfig:
    """How unusual a window must be to count as a complaint wave."""

    windows_days: tuple[int, ...] = (3, 7, 14)  # plus the whole period
    threshold: float = 4.0  # normal score of the binomial tail
    min_negatives: int = 5
    min_lift: float = 2.0  # share at least this multiple of the usual share
    min_excess: float = 0.15  # and at least this much above it (absolute)
    prior_reviews: float = 20.0  # the usual share is shrunk towards the shop-wide one by this many reviews
    baseline: str = "180d"  # history before the period that sets each group's usual share


@dataclass
class ComplaintReport:
    """Complaint waves in a period, most severe first, and the classified reviews behind them."""

    frame: pd.DataFrame
    reviews: pd.DataFrame = field(repr=False)  # every review of baseline + period with sentiment and topic
    period: Period
    holdout_accuracy: float  # the sentiment model's accuracy on held-out rated reviews

    def summary(self) -> str:
        n = int((self.reviews["review_time"] >= self.period.start).sum())
        if self.frame.empty:
            return f"No complaint waves among {n:,} reviews from {self.period.describe()}."
        rows = list(self.frame.itertuples())
        full = [
            f"{_group_name(row._asdict())} {row.start:%Y-%m-%d} to {row.end:%Y-%m-%d}: {row.negatives} of "
            f"{row.reviews} reviews negative ({row.negative_share:.0%} vs usual {row.usual_share:.0%}), "
            f'mostly about {row.topic} ("{row.example}")'
            for row in rows[:FULL_ROWS]
        ]
        named = [
            f"{_group_name(row._asdict())} from {row.start:%Y-%m-%d}" for row in rows[FULL_ROWS:NAMED_ROWS]
        ]
        return (
            f"{len(rows)} complaint wave(s) from {self.period.describe()}: "
            + "; ".join(full)
            + (f"; also {', '.join(named)}" if named else "")
            + (f"; {len(rows) - NAMED_ROWS} more in the table" if len(rows) > NAMED_ROWS else "")
            + "."
        )

    def chart(self) -> ChartSpec | None:
        """Daily negative share of the top wave's group, its usual share as the band, the wave as a span."""
        if self.frame.empty:
            return None
        top = self.frame.iloc[0]
        mask = np.ones(len(self.reviews), dtype=bool)
        for column in LEVELS[top["level"]]:
            mask &= (self.reviews[column] == top[column]).to_numpy()
        chosen = self.reviews[mask & (self.reviews["review_time"] >= self.period.start).to_numpy()]
        days = pd.date_range(
            self.period.start.floor("D"), (self.period.end - pd.Timedelta(microseconds=1)).floor("D")
        )
        daily = (
            chosen.groupby(chosen["review_time"].dt.floor("D"))["negative"]
            .agg(["sum", "count"])
            .reindex(days, fill_value=0)
        )
        share = top["usual_share"]
        sd = np.sqrt(share * (1 - share) / np.maximum(daily["count"], 1))
        data = pd.DataFrame(
            {
                "day": days,
                "negative_share": np.where(
                    daily["count"] > 0, daily["sum"] / np.maximum(daily["count"], 1), np.nan
                ),
                "expected": share,
                "lo": np.clip(share - 3 * sd, 0, 1),
                "hi": np.clip(share + 3 * sd, 0, 1),
                "reviews": daily["count"].to_numpy(),
            }
        )
        spans = [
            {
                "start": top["start"].isoformat(),
                "end": (top["end"] + DAY).isoformat(),
                "label": "complaint wave",
            }
        ]
        return ChartSpec.from_frame(
            "series",
            f"Negative review share, {_group_name(top)}",
            data,
            x="day",
            y="negative_share",
            extra={"expected": "expected", "lo": "lo", "hi": "hi", "spans": spans},
        )


def _group_name(row: Mapping[str, Any]) -> str:
    """'Aurora Headphones (P0535) in Greater London', 'Headphones', 'all products in Lazio'."""
    level = row["level"]
    if level in ("product_region", "product"):
        what = f"{row['product']} ({row['product_id']})" if row.get("product") else str(row["product_id"])
    elif level in ("category_region", "category"):
        what = str(row["category"])
    else:
        what = "all products"
    return what + (f" in {row['region']}" if level in ("product_region", "category_region", "region") else "")


def _most_common(values: pd.Series) -> str | None:
    known = values.dropna()
    return str(known.mode().iloc[0]) if len(known) else None


def _load_reviews(store: EventStore, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    with store.connect() as con:
        return con.execute(
            """
            SELECT r.review_id, r.product_id, r.rating, r.text, r.review_time, r.region,
                   p.name AS product, p.category
            FROM reviews r LEFT JOIN products p USING (product_id)
            WHERE r.review_time >= ? AND r.review_time < ? AND r.text IS NOT NULL
            """,
            [start.to_pydatetime(), end.to_pydatetime()],
        ).df()


def _binomial_z(negatives: np.ndarray, totals: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Normal score of seeing at least `negatives` of `totals` at probability `share`."""
    from scipy import stats

    tail = stats.binom.sf(negatives - 1, totals, share)
    return stats.norm.isf(np.clip(tail, np.finfo(float).tiny, 1.0))


def _scan_level(
    reviews: pd.DataFrame, keys: tuple[str, ...], period: Period, config: WaveConfig, shop_share: float
) -> list[dict]:
    """Alerts of one level from the reviews not yet explained by a finer level."""
    base = reviews[reviews["review_time"] < period.start]
    now = reviews[(reviews["review_time"] >= period.start) & ~reviews["explained"]]
    if now.empty:
        return []
    usual = base.groupby(list(keys))["negative"].agg(["sum", "count"])
    days = pd.date_range(period.start.floor("D"), (period.end - pd.Timedelta(microseconds=1)).floor("D"))
    day_index = (now["review_time"].dt.floor("D") - days[0]).dt.days.to_numpy()
    groups = now.groupby(list(keys)).indices
    n_days = len(days)
    widths = sorted({w for w in config.windows_days if w < n_days} | {n_days})
    alerts = []
    for key, rows in groups.items():
        key = key if isinstance(key, tuple) else (key,)
        neg_day = np.bincount(day_index[rows], weights=now["negative"].to_numpy()[rows], minlength=n_days)
        tot_day = np.bincount(day_index[rows], minlength=n_days).astype(float)
        past = usual.loc[key] if key in usual.index else None
        past_neg, past_tot = (float(past["sum"]), float(past["count"])) if past is not None else (0.0, 0.0)
        share0 = (past_neg + config.prior_reviews * shop_share) / (past_tot + config.prior_reviews)
        candidates = []
        for width in widths:
            kernel = np.ones(width)
            neg = np.convolve(neg_day, kernel, mode="valid")
            tot = np.convolve(tot_day, kernel, mode="valid")
            share = np.divide(neg, tot, out=np.zeros_like(neg), where=tot > 0)
            ok = (
                (neg >= config.min_negatives)
                & (share >= config.min_lift * share0)
                & (share - share0 >= config.min_excess)
            )
            if not ok.any():
                continue
            z = _binomial_z(neg[ok], tot[ok], share0)
            for first, score in zip(np.flatnonzero(ok)[z >= config.threshold], z[z >= config.threshold]):
                candidates.append((float(score), int(first), int(first) + width - 1))
        taken = np.zeros(n_days, dtype=bool)
        for score, first, last in sorted(candidates, reverse=True):
            if taken[first : last + 1].any():
                continue
            active = np.flatnonzero(neg_day[first : last + 1] > 0)
            first, last = first + active[0], first + active[-1]  # trim quiet edge days
            taken[first : last + 1] = True
            alerts.append(
                {
                    **dict(zip(keys, key)),
                    "start": days[first],
                    "end": days[last],
                    "reviews": int(tot_day[first : last + 1].sum()),
                    "negatives": int(neg_day[first : last + 1].sum()),
                    "usual_share": round(share0, 4),
                    "severity": round(score, 2),
                }
            )
    return alerts


def detect_complaint_waves(
    store: EventStore,
    embed: Embedder,
    since: str = "30d",
    as_of: pd.Timestamp | str | None = None,
    state_dir: Path | str | None = None,
    config: WaveConfig | None = None,
) -> ComplaintReport:
    """Complaint waves among the reviews of the `since` period before `as_of` (default: latest review).

    Sentiment is learned from the ratings of the reviews up to `as_of`; each group's usual negative share
    comes from the `config.baseline` before the period. `embed` embeds review texts (e.g. a
    `tools.embeddings.TextEmbedder`); the vectors are cached in `state_dir` if given.
    """
    config = config or WaveConfig()
    with store.connect() as con:
        period = resolve_period(con, since, as_of, table="reviews", column="review_time")
    start = period.start - parse_since(config.baseline)
    reviews = _load_reviews(store, start, period.end)
    if not (reviews["review_time"] >= period.start).any():
        raise AnomalyInputError(
            f"No reviews from {period.describe()}; use a longer since or load reviews first."
        )
    cache = EmbeddingCache(
        Path(state_dir) / "review_embeddings.npz" if state_dir is not None else None,
        embed,
    )
    rated = reviews.dropna(subset=["rating"])
    classifier = ReviewClassifier.train(rated["text"].tolist(), rated["rating"].astype(int).to_numpy(), cache)
    predicted = classifier.predict(reviews["text"].tolist())
    reviews = pd.concat([reviews.reset_index(drop=True), predicted], axis=1)
    reviews["negative"] = (reviews["sentiment"] == "negative").astype(float)
    reviews["explained"] = False
    for column in ("category", "region", "product_id"):
        reviews[column] = reviews[column].fillna("(unknown)")
    base = reviews[reviews["review_time"] < period.start]
    shop_share = float(base["negative"].mean()) if len(base) else float(reviews["negative"].mean())

    found = []
    for level, keys in LEVELS.items():
        alerts = _scan_level(reviews, keys, period, config, shop_share)
        for alert in alerts:
            inside = (reviews["review_time"] >= alert["start"]) & (
                reviews["review_time"] < alert["end"] + DAY
            )
            for column in keys:
                inside &= reviews[column] == alert[column]
            wave = reviews[inside & (reviews["negative"] > 0)]
            reviews.loc[inside, "explained"] = True
            example = wave.loc[wave["p_negative"].idxmax()] if len(wave) else None
            found.append(
                {
                    **alert,
                    "level": level,
                    "product": _most_common(wave["product"]) if "product_id" in keys else None,
                    "topic": _most_common(wave["topic"]),
                    "example": example["text"] if example is not None else None,
                    "negative_share": round(alert["negatives"] / max(alert["reviews"], 1), 4),
                }
            )
    frame = pd.DataFrame(found, columns=[c for c in ALERT_COLUMNS if c != "alert_id"])
    if "product_id" in frame:
        lookup = reviews.drop_duplicates("product_id").set_index("product_id")["category"]
        frame["category"] = frame["category"].fillna(frame["product_id"].map(lookup))
    frame = frame.sort_values("severity", ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "alert_id", [f"CW-{i + 1}" for i in range(len(frame))])
    return ComplaintReport(
        frame=frame,
        reviews=reviews.drop(columns=["explained"]),
        period=period,
        holdout_accuracy=classifier.holdout_accuracy,
    )
