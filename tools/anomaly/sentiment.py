"""Review sentiment (trained here on the reviews' own ratings, on MiniLM sentence embeddings) and topic.

Sentiment: a logistic regression from the shared embedder's vectors (a `tools.embeddings.TextEmbedder`) to
the rating's class (1-2 negative, 3 neutral, 4-5 positive), so texts without a rating (support messages,
imported reviews) get one too. Topic (delivery, quality, price, service): no topic labels exist to learn
from, so it is the topic whose words the text mentions most.
Embeddings of review texts are cached by text hash under the anomaly state dir when one is given.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tools.anomaly.errors import AnomalyInputError

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
# Words that name each topic (regular expressions, matched in lower case). Zero-shot nearest-description
# matching on MiniLM embeddings was tried and got 58% right on the demo shop's review templates; counting
# these words gets 89% (ties go to the earlier topic; quality first, as defects are the usual complaint).
TOPIC_WORDS: dict[str, str] = {
    "quality": r"broke|broken|defect|faulty|quality|stopped|cheap|flimsy|sturdy|solid|well made|crack|leak"
    r"|falling apart|finish|\blast|batch|works|made",
    "delivery": r"deliver|arriv|\blate\b|ship|parcel|package|courier|tracking|packag|\bbox\b|on time",
    "price": r"price|pric|expensive|value|cheaper|money|cost|offer|discount|worth|\bcent\b",
    "service": r"service|support|repl|answer|refund|return|exchange|phone|email|nobody|chase",
}
TOPICS: tuple[str, ...] = (*TOPIC_WORDS, "other")
MIN_PER_CLASS = 5  # a sentiment class needs this many rated reviews to be learned

Embedder = Callable[[Sequence[str]], np.ndarray]


def rating_sentiment(rating: np.ndarray) -> np.ndarray:
    """1-2 -> negative, 3 -> neutral, 4-5 -> positive."""
    rating = np.asarray(rating)
    return np.where(rating <= 2, "negative", np.where(rating == 3, "neutral", "positive"))


class EmbeddingCache:
    """Text embeddings stored by text hash in one .npz file (rewritten atomically)."""

    def __init__(self, path: Path | None, embed: Embedder):
        self.path, self.embed = path, embed
        self._vectors: dict[str, np.ndarray] = {}
        if path is not None and path.exists():
            with np.load(path) as saved:
                self._vectors = dict(zip(saved["keys"].tolist(), saved["vectors"]))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One embedding per text; only texts never seen before are embedded (each distinct text once)."""
        keys = [self._key(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts) if k not in self._vectors}
        if missing:
            fresh = self.embed(list(missing.values()))
            self._vectors.update(zip(missing.keys(), fresh))
            self._save()
        return np.vstack([self._vectors[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, keys=np.array(list(self._vectors)), vectors=np.vstack(list(self._vectors.values())))
        os.replace(tmp, self.path)


@dataclass
class ReviewClassifier:
    """Sentiment model trained on rated reviews (over one embedding cache), plus the word-based topic."""

    cache: EmbeddingCache
    pipeline: object
    classes: tuple[str, ...]
    holdout_accuracy: float  # sentiment accuracy on reviews whose texts (20% of them) were held out

    @classmethod
    def train(
        cls, texts: Sequence[str], ratings: Sequence[int], cache: EmbeddingCache, seed: int = 0
    ) -> ReviewClassifier:
        """Fit on rated review texts. Raises if a sentiment class has too few examples to learn from."""
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        labels = rating_sentiment(np.asarray(ratings))
        counts = pd.Series(labels).value_counts()
        if counts.get("negative", 0) < MIN_PER_CLASS or counts.get("positive", 0) < MIN_PER_CLASS:
            raise AnomalyInputError(
                f"Too few rated reviews to learn sentiment: {counts.to_dict()}; "
                f"need {MIN_PER_CLASS} negative "
                "(1-2 stars) and positive (4-5 stars) ones. Use a longer period."
            )
        # Reviews repeat (templates, "Great!"): fit on distinct (text, class) pairs weighted by their count,
        # and hold out whole texts, so the accuracy is measured on texts the model never saw.
        pairs = pd.DataFrame({"text": list(texts), "label": labels}).value_counts().reset_index(name="n")
        X = cache.vectors(pairs["text"].tolist())
        y, weight = pairs["label"].to_numpy(), pairs["n"].to_numpy(dtype=float)
        model = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
        accuracy = float("nan")
        # One thread: the fit is small, and OpenMP workers spinning against other processes make it crawl.
        with threadpool_limits(1):
            distinct = pairs["text"].drop_duplicates()
            if len(distinct) >= 20:
                held_out = set(distinct.sample(frac=0.2, random_state=seed))
                test = pairs["text"].isin(held_out).to_numpy()
                if len(set(y[~test])) == len(set(y)):
                    model.fit(X[~test], y[~test], sample_weight=weight[~test])
                    hits = model.predict(X[test]) == y[test]
                    accuracy = float(np.sum(hits * weight[test]) / np.sum(weight[test]))
            model.fit(X, y, sample_weight=weight)
        return cls(cache, model, tuple(model.classes_), accuracy)

    def predict(self, texts: Sequence[str]) -> pd.DataFrame:
        """sentiment, p_negative and topic for each text."""
        distinct = list(dict.fromkeys(texts))
        row = {text: i for i, text in enumerate(distinct)}
        proba = self.pipeline.predict_proba(self.cache.vectors(distinct))[[row[text] for text in texts]]
        negative = proba[:, self.classes.index("negative")]
        return pd.DataFrame(
            {
                "sentiment": np.array(self.classes)[np.argmax(proba, axis=1)],
                "p_negative": negative,
                "topic": review_topics(texts),
            }
        )


def review_topics(texts: Sequence[str]) -> list[str]:
    """The topic whose words a text mentions most ("other" when it mentions none)."""
    patterns = [re.compile(pattern) for pattern in TOPIC_WORDS.values()]
    topics = []
    for text in texts:
        hits = [len(pattern.findall(text.lower())) for pattern in patterns]
        topics.append(TOPICS[int(np.argmax(hits))] if max(hits) > 0 else "other")
    return topics
