"""The files of a saved recommender version: every model plus the data it was trained on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tools.recommend.als import ContextALSModel
from tools.recommend.basket_value import BasketValueModel
from tools.recommend.context import ContextRegion
from tools.recommend.cooccurrence import CooccurrenceModel
from tools.recommend.interactions import DataSnapshot, IdIndex, Interactions
from tools.recommend.popularity import BestSellers, PopularityModel, RegionalPopularityModel
from tools.recommend.session import SessionModel
from tools.recommend.training import TrainedModels


def write_models(models: TrainedModels, folder: Path) -> None:
    """Write every model and the data they were trained on into the new version folder `folder`."""
    m, data = models, models.data
    np.save(folder / "users.npy", data.users.ids)
    np.save(folder / "items.npy", data.items.ids)
    np.save(folder / "user_regions.npy", data.user_regions)
    np.save(folder / "user_cities.npy", data.user_cities)
    sp.save_npz(folder / "user_items.npz", data.user_items)
    sp.save_npz(folder / "purchased.npz", data.purchased)
    data.products.to_parquet(folder / "products.parquet", index=False)
    m.orders.to_parquet(folder / "orders.parquet", index=False)
    m.popularity.save(folder / "popularity.npz")
    m.regional.save(folder / "regional_popularity.npz")
    m.best_sellers.save(folder / "best_sellers.npz")
    m.als.save(folder / "als_context.npz")
    (folder / "cooccurrence").mkdir()
    for region, model in m.cooccurrence.items():
        model.save(folder / "cooccurrence" / f"{'all' if region is None else region}.npz")
    m.session.save(folder / "session.npz")
    if m.basket is not None:
        m.basket.save(folder / "basket_value.pt")
    if m.content is not None:
        np.save(folder / "content.npy", m.content)
    (folder / "snapshot.json").write_text(json.dumps(vars(data.snapshot)), encoding="utf-8")
    shop = {"currency": m.currency, "regions": [vars(region) for region in data.regions],
            "basket_unit": m.basket_unit}
    (folder / "shop.json").write_text(json.dumps(shop), encoding="utf-8")


def read_models(folder: Path) -> TrainedModels:
    """The models saved in a version folder by `write_models`."""
    snapshot_data = DataSnapshot(**json.loads((folder / "snapshot.json").read_text(encoding="utf-8")))
    shop = json.loads((folder / "shop.json").read_text(encoding="utf-8"))
    popularity = PopularityModel.load(folder / "popularity.npz")
    regional = RegionalPopularityModel.load(folder / "regional_popularity.npz")
    data = Interactions(
        users=IdIndex(np.load(folder / "users.npy")),
        items=IdIndex(np.load(folder / "items.npy")),
        user_items=sp.load_npz(folder / "user_items.npz").tocsr(),
        purchased=sp.load_npz(folder / "purchased.npz").tocsr(),
        baskets=sp.csr_matrix((0, popularity.n_items), dtype=np.float32),  # only needed to fit
        basket_regions=np.empty(0, dtype=np.int16),
        user_regions=np.load(folder / "user_regions.npy"),
        user_cities=np.load(folder / "user_cities.npy"),
        context_counts=regional.context_counts,
        regions=tuple(ContextRegion(**region) for region in shop["regions"]),
        products=pd.read_parquet(folder / "products.parquet"),
        snapshot=snapshot_data,
    )
    cooccurrence: dict[int | None, CooccurrenceModel] = {}
    for path in sorted((folder / "cooccurrence").glob("*.npz")):
        cooccurrence[None if path.stem == "all" else int(path.stem)] = CooccurrenceModel.load(path)
    content_path, basket_path = folder / "content.npy", folder / "basket_value.pt"
    return TrainedModels(
        data=data,
        popularity=popularity,
        regional=regional,
        best_sellers=BestSellers.load(folder / "best_sellers.npz"),
        als=ContextALSModel.load(folder / "als_context.npz"),
        cooccurrence=cooccurrence,
        session=SessionModel.load(folder / "session.npz"),
        basket=BasketValueModel.load(basket_path) if basket_path.exists() else None,
        orders=pd.read_parquet(folder / "orders.parquet"),
        content=np.load(content_path) if content_path.exists() else None,
        metrics={},
        timings_s={},
        currency=shop["currency"],
        basket_unit=shop["basket_unit"],
        skipped={},  # like the metrics: in the version's manifest
        notes=[],
    )
