"""Complaint waves on the planted shop, with the real offline MiniLM embedder (its sentiment is the point)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.anomaly.shop import PlantedShop
from tools.anomaly import AnomalyInputError, detect_complaint_waves
from tools.anomaly.sentiment import review_topics


@pytest.fixture(scope="module")
def month(planted_shop: PlantedShop, tmp_path_factory: pytest.TempPathFactory, embedder):
    return detect_complaint_waves(
        planted_shop.store, embedder, since="30d", state_dir=tmp_path_factory.mktemp("anomaly")
    )


def test_planted_wave_is_one_alert_for_its_product_and_region(month, planted_shop):
    wave = planted_shop.truth.complaint_waves[0]
    assert len(month.frame) == 1, month.frame.drop(columns=["example"]).to_string()
    alert = month.frame.iloc[0]
    assert (alert["level"], alert["product_id"], alert["region"]) == (
        "product_region",
        wave.product_id,
        wave.region,
    )
    # An ordinary bad review just before the wave may join it; the wave itself is covered.
    assert wave.start - pd.Timedelta(days=3) <= alert["start"].date() <= wave.start + pd.Timedelta(days=1)
    assert wave.end - pd.Timedelta(days=1) <= alert["end"].date() <= wave.end
    assert alert["negative_share"] > 0.8 > 3 * alert["usual_share"]
    assert alert["topic"] == "quality"


def test_sentiment_learned_from_ratings_reads_the_texts(month, planted_shop, embedder):
    reviews = month.reviews
    agree = (reviews["sentiment"] == "negative") == (reviews["rating"] <= 2)
    assert agree.mean() > 0.95
    assert 0.0 <= month.holdout_accuracy <= 1.0
    # Texts it never saw, in other words.
    from tools.anomaly.sentiment import EmbeddingCache, ReviewClassifier

    with planted_shop.store.connect() as con:
        rated = con.execute("SELECT text, rating FROM reviews").df()
    model = ReviewClassifier.train(rated["text"], rated["rating"], EmbeddingCache(None, embedder))
    unseen = [
        "Total junk, it died on the second day.",
        "Absolutely love it, works perfectly and looks great.",
    ]
    assert model.predict(unseen)["sentiment"].tolist() == ["negative", "positive"]


def test_summary_and_chart_show_the_wave(month):
    assert "Lombardy" in month.summary() and "mostly about quality" in month.summary()
    chart = month.chart()
    assert chart.kind == "series" and chart.y == "negative_share"
    assert chart.extra["spans"][0]["label"] == "complaint wave"


def test_review_topics_follow_their_words():
    texts = [
        "The parcel arrived a week late",
        "Way too expensive for what it is",
        "Support never replied",
        "It broke after two days",
        "Lovely colour",
    ]
    assert review_topics(texts) == ["delivery", "price", "service", "quality", "other"]


def test_period_without_reviews_is_an_error(planted_shop, embedder):
    with pytest.raises(AnomalyInputError, match="No reviews from"):
        detect_complaint_waves(planted_shop.store, embedder, since="7d",
                               as_of=pd.Timestamp("2026-01-01", tz="UTC"))
