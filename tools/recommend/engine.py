"""`Recommender`: the trained models behind one API, with ids, reasons, context and persistence.

    rec = Recommender.load_or_train(store, model_dir, embedder)
    rec.recommend_for_user("U000042", n=10, region="Auvergne-Rhone-Alpes", at=datetime(2026, 11, 13, 20))
    rec.similar_to_item("P00012"); rec.bought_together("P00012", region="Bavaria")
    rec.next_items(["P00012", "P00077"]); rec.predict_next_basket_value("U000042")

Models and data are a snapshot of the store at training time (see `is_stale`); retrain with
`Recommender.train` or `chronotope recommend train`. Stock is the catalogue's at training time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from tools.embeddings import TextEmbedder
from tools.events.profile import ShopProfile, UnknownPlace
from tools.events.store import EventStore
from tools.recommend import reasons
from tools.recommend.base import Context, top_n
from tools.recommend.basket_value import next_basket_value
from tools.recommend.content import content_similarity
from tools.recommend.context import local_time, slot_of
from tools.recommend.coverage import BASKET_VALUE, BOUGHT_TOGETHER, NEXT_ITEM, REGIONAL
from tools.recommend.interactions import DataSnapshot, snapshot
from tools.recommend.model_files import read_models, write_models
from tools.recommend.persistence import (
    Manifest,
    ModelNotFound,
    latest_current,
    latest_dir,
    read_manifest,
    save_version,
)
from tools.recommend.result import (
    RESULT_COLUMNS,
    BasketValuePrediction,
    PartNotTrained,
    RecommendationResult,
    UnknownProduct,
    UnknownUser,
    product_columns,
)
from tools.recommend.training import RecommenderParams, TrainedModels, train_models

CONTENT_SUPPORT = 50.0  # users an item needs before its co-interaction similarity outweighs its description


@dataclass
class _Visitor:
    uidx: int | None
    region: int | None  # index into the model's regions
    place: str | None  # what a customer calls where they are, e.g. their home city


class Recommender:
    """Recommendations for users, items, sessions and baskets, each with a reason a customer can read."""

    def __init__(self, models: TrainedModels, manifest: Manifest, store: EventStore | None = None):
        self.models = models
        self.manifest = manifest
        self.store = store
        data = models.data
        # Plain arrays per column: building each small result frame from them is several times faster than
        # slicing the products frame per request (measured: pandas dominated the serving time).
        self._columns = product_columns(data.products)
        self._names = self._columns["name"]
        stock = data.products["stock"]
        self._out_of_stock = np.flatnonzero(stock.notna().to_numpy() & (stock.fillna(1).to_numpy() == 0))
        self._item_support = np.diff(data.user_items.tocsc().indptr)  # users per item
        self._regions = data.regions
        self._cities = data.user_cities

    # ------------------------------------------------------------------ building
    @classmethod
    def train(
        cls,
        store: EventStore,
        model_dir: Path,
        embedder: TextEmbedder | None,
        params: RecommenderParams | None = None,
        progress: bool = False,
        save: bool = True,
    ) -> Recommender:
        """Fit every model on the store and (by default) save it as a new version under `model_dir`.

        `embedder` embeds product texts for cold-start similarity (None only with `content_embeddings=False`).
        """
        params = params or RecommenderParams()
        models = train_models(store, params, embedder, progress=progress)
        manifest = Manifest(
            store=str(store.root.resolve()), snapshot=vars(models.data.snapshot),
            params=params.model_dump(mode="json"), metrics=models.metrics, timings_s=models.timings_s,
            skipped=models.skipped, notes=models.notes,
        )
        recommender = cls(models, manifest, store)
        if save:
            folder = save_version(Path(model_dir), lambda target: write_models(models, target), manifest)
            recommender.manifest = read_manifest(folder)
        return recommender

    @classmethod
    def load(cls, folder: Path | str, store: EventStore | None = None) -> Recommender:
        """Load a saved version from its `v<N>` folder."""
        folder = Path(folder)
        manifest = read_manifest(folder)  # first: an older format is refused before its files are read
        if store is not None and not _same_store(manifest, store):
            raise ModelNotFound(f"The recommender in {folder} was trained on the store at {manifest.store}, "
                                f"not {store.root}: train one for this store (chronotope recommend train "
                                f"--store {store.root}).")
        return cls(read_models(folder), manifest, store)

    @classmethod
    def load_latest(cls, model_dir: Path, store: EventStore | None = None) -> Recommender:
        """Load the latest saved version under `model_dir`."""
        folder = latest_dir(Path(model_dir))
        if folder is None:
            raise ModelNotFound(
                f"No trained recommender under {model_dir}; run `chronotope recommend train`."
            )
        return cls.load(folder, store)

    @classmethod
    def load_or_train(
        cls,
        store: EventStore,
        model_dir: Path,
        embedder: TextEmbedder | None,
        params: RecommenderParams | None = None,
        progress: bool = False,
    ) -> Recommender:
        """The latest saved version under `model_dir` if there is one this code reads, else a freshly
        trained (and saved) one."""
        folder = latest_current(Path(model_dir))
        if folder is not None and _same_store(read_manifest(folder), store):
            return cls.load(folder, store)
        return cls.train(store, model_dir, embedder, params, progress=progress)

    def is_stale(self, store: EventStore | None = None) -> bool:
        """True when the store holds events the models have not seen (time to retrain)."""
        store = store or self.store
        if store is None:
            raise ValueError("No store to compare with; pass the EventStore.")
        seen = DataSnapshot(**self.manifest.snapshot)
        until = datetime.fromisoformat(seen.until) if seen.until else None
        return snapshot(store.connect(), until) != seen

    # ------------------------------------------------------------------ lookups
    def _item(self, product_id: str) -> int:
        index = self.models.data.items.get(product_id)
        if index is None:
            sample = ", ".join(self.models.data.items.ids[:3].tolist())
            raise UnknownProduct(
                f"Unknown product id {product_id!r}: it is not in the catalogue the recommender was trained "
                f"on (ids look like {sample}). Search the catalogue for the right id, "
                "or retrain if it is new."
            )
        return index

    def _region(self, name: str) -> int:
        """The model's index of a region named by name or code (case and punctuation ignored)."""
        key = _norm(name)
        for index, region in enumerate(self._regions):
            if _norm(region.name) == key:
                return index
        codes = {_norm(p.code): p.name for p in self._profile().at_level("region") if p.code}
        if key in codes:
            return self._region(codes[key])
        known = ", ".join(r.name for r in self._regions) or "none (the shop had no regions when trained)"
        raise UnknownPlace(f"Unknown region {name!r}. Known regions: {known}.")

    def _profile(self) -> ShopProfile:
        return self.store.profile() if self.store is not None else ShopProfile()

    def _visitor(self, user_id: str | None, region: str | None) -> _Visitor:
        data = self.models.data
        chosen = self._region(region) if region is not None else None  # UnknownPlace lists the valid ones
        if user_id is None:
            return _Visitor(None, chosen, self._regions[chosen].name if chosen is not None else None)
        uidx = data.users.get(user_id)
        if uidx is not None:
            home_index = int(data.user_regions[uidx])
            home = home_index if home_index >= 0 else None
            city = str(self._cities[uidx]) or None
        else:
            home, city = self._home_from_store(user_id)
        where = chosen if chosen is not None else home
        name = self._regions[where].name if where is not None else None
        # A customer in their home region hears about their city ("popular in Lyon"), else the region.
        place = (city or name) if where is not None and where == home else name
        return _Visitor(uidx, where, place)

    def _home_from_store(self, user_id: str) -> tuple[int | None, str | None]:
        """Home of a customer who signed up after training, from the live users table."""
        row = None
        if self.store is not None:
            row = self.store.connect().execute(
                "SELECT home_region, home_city FROM users WHERE user_id = ?", [user_id]
            ).fetchone()
        if row is None:
            sample = ", ".join(self.models.data.users.ids[:3].tolist())
            raise UnknownUser(
                f"Unknown user id {user_id!r}: no such customer in the trained data or the store's users "
                f"table (ids look like {sample}). Check the id, or ask without a user for what is popular."
            )
        names = [_norm(r.name) for r in self._regions]
        region = names.index(_norm(row[0])) if row[0] and _norm(row[0]) in names else None
        return region, row[1]

    def _context(self, visitor: _Visitor, at: datetime | None) -> Context:
        if visitor.region is None:
            return Context()
        return Context(visitor.region, slot_of(local_time(at, self._regions[visitor.region].tz)))

    def _result(self, ids: np.ndarray, scores: np.ndarray, why: list[str], title: str, strategy: str,
                notes: list[str] | None = None) -> RecommendationResult:
        columns = {name: values[ids] for name, values in self._columns.items()}
        columns |= {"score": np.round(scores.astype(np.float64), 4), "reason": np.array(why, dtype=object)}
        frame = pd.DataFrame({name: columns[name] for name in RESULT_COLUMNS})
        return RecommendationResult(frame, title, strategy, notes or [], self.models.currency)

    # ------------------------------------------------------------------ the API
    def recommend_for_user(
        self, user_id: str | None, n: int = 10, region: str | None = None, at: datetime | None = None
    ) -> RecommendationResult:
        """Top-`n` products for a customer (None = anonymous visitor), where and when they shop.

        `region` overrides the customer's home region; `at` is their time (naive = local, default now).
        Already bought and out-of-stock products are left out. New customers get regional favourites, or
        the shop's best sellers where nothing is known of their region.
        """
        _check_n(n)
        m = self.models
        visitor = self._visitor(user_id, region)
        context = self._context(visitor, at)
        when = f" on {at:%A %H:%M}" if at is not None else ""
        title = (f"Recommendations for {user_id or 'a visitor'}"
                 + (f" in {visitor.place}" if visitor.place else "") + when)
        if visitor.uidx is not None and m.data.user_items[visitor.uidx].nnz > 0:
            purchased = m.data.purchased[visitor.uidx]
            ids, scores = m.als.recommend(
                visitor.uidx, purchased, N=n, filter_items=self._out_of_stock, context=context
            )
            if len(ids) == 0:  # every product in stock already bought (a small catalogue): to buy again
                ids, scores = m.als.recommend(visitor.uidx, purchased, N=n, filter_already_liked_items=False,
                                              filter_items=self._out_of_stock, context=context)
                counts = purchased.toarray()[0]
                why = [f"bought {counts[i]:,.0f} time(s) before" for i in ids]
                return self._result(ids, scores, why, title, f"{m.als.algorithm.upper()}, to buy again",
                                    ["every product in stock was already bought"])
            why = reasons.for_user(
                ids, self._names, purchased, m.data.user_items[visitor.uidx], m.als, m.cooccurrence[None],
                context, visitor.place,
            )
            # Without places the blend's prior is the shop-wide recent share: say so.
            prior = "recent popularity" if REGIONAL in self.manifest.skipped else "context"
            return self._result(ids, scores, why, title, f"{m.als.algorithm.upper()} + {prior}")
        counts = m.regional.context_counts
        if context.region is not None and counts.has_region_data(context.region):
            # No history: what is popular where (and when) they are.
            ids, scores = top_n(counts.popularity(context.region, context.slot), n, self._out_of_stock)
            slot_lift = counts.slot_lift(context.slot) if context.slot is not None else None
            why = reasons.for_newcomer(ids, counts.region_lift(context.region), slot_lift, context,
                                       visitor.place)
            return self._result(ids, scores, why, title, "regional favourites (new customer)")
        # Nothing known of them or of their region: the shop's own best sellers lately.
        notes = []
        if context.region is not None:
            notes.append(f"no events were recorded in {self._regions[context.region].name}; "
                         "showing the shop's best sellers")
        sellers = m.best_sellers
        ids, scores = top_n(sellers.scores(counts.recent), n, self._out_of_stock)
        # Nothing sold in that time (a shop with views only): then they are only popular.
        strategy = (f"best sellers of the {sellers.days} days to {sellers.last_day}"
                    if sellers.units[ids].any() else "popular lately")
        return self._result(ids, scores, reasons.for_visitor(sellers.units[ids], sellers.days), title,
                            f"{strategy} (new visitor)", notes)

    def similar_to_item(self, product_id: str, n: int = 10) -> RecommendationResult:
        """Products like `product_id`: co-interaction similarity, leaning on text similarity for new
        products."""
        _check_n(n)
        item = self._item(product_id)
        name = self._names[item]
        m = self.models
        support = float(self._item_support[item])
        als_weight = support / (support + CONTENT_SUPPORT) if m.content is not None else 1.0
        scores = np.zeros(len(self._names))
        if als_weight > 0:
            scores += als_weight * np.nan_to_num(m.als.similarities(item), neginf=0.0)
        if m.content is not None:
            scores += (1 - als_weight) * content_similarity(m.content, item)
        if not np.any(scores):
            # Neither signal: fall back to best sellers of the same category.
            same = (m.data.products["category"] == m.data.products["category"].iloc[item]).to_numpy()
            scores = np.where(same, m.popularity.item_popularity + 1, 0.0)
        exclude = np.concatenate([[item], self._out_of_stock])
        ids, scores = top_n(scores, n, exclude)
        keep = scores > 0
        ids, scores = ids[keep], scores[keep]
        strategy = ("description similarity (new product)" if als_weight < 0.5
                    else "shoppers' behaviour + description" if m.content is not None
                    else "shoppers' behaviour")
        return self._result(ids, scores, [f"similar to {name}"] * len(ids), f"Products similar to {name}",
                            strategy)

    def bought_together(
        self, product_id: str, n: int = 10, region: str | None = None
    ) -> RecommendationResult:
        """Products most often in the same order (basket) as `product_id` (in `region`'s when given)."""
        _check_n(n)
        item = self._item(product_id)
        name = self._names[item]
        chosen = self._regions[self._region(region)] if region is not None else None
        everywhere, unit = self.models.cooccurrence[None], self.models.basket_unit
        notes: list[str] = []
        sources = [(everywhere, "")]
        if chosen is not None:
            local = self.models.cooccurrence.get(self._regions.index(chosen))
            if local is None:
                notes.append(f"{chosen.name} has too few {unit} of its own; showing all regions")
            else:
                sources = [(local, f" in {chosen.name}"), (everywhere, " (all regions)")]
        rows: list[tuple[int, float, str]] = []
        for model, where in sources:
            ids, scores = model.similar_items(item, N=n, filter_items=self._out_of_stock)
            if chosen is not None and model is not everywhere and len(ids) == 0:
                notes.append(f"no product pairs with {name} in {chosen.name}'s own {unit} yet; "
                             "showing all regions")
            for i, s in zip(ids, scores):
                if len(rows) < n and all(i != r[0] for r in rows):
                    rows.append((int(i), float(s),
                                 f"bought with {name} in {model.together_count(item, i)} {unit}{where}"))
        if not rows:
            notes.append(self.manifest.skipped.get(BOUGHT_TOGETHER) or
                         f"no product is bought together with {name} often enough yet; try similar_to_item")
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        where = f" in {chosen.name}" if chosen else ""
        return self._result(ids, np.array([r[1] for r in rows]), [r[2] for r in rows],
                            f"Bought together with {name}{where}", f"co-occurrence in {unit}", notes)

    def next_items(self, session_path: list[str], n: int = 10) -> RecommendationResult:
        """The likeliest next products after browsing `session_path` (oldest first)."""
        _check_n(n)
        if not session_path:
            raise ValueError("session_path is empty: pass the product ids viewed in this session, "
                             "oldest first.")
        path = np.array([self._item(p) for p in session_path], dtype=np.int64)
        session = self.models.session
        ids, scores = session.predict(path, n + len(self._out_of_stock))
        keep = ~np.isin(ids, self._out_of_stock)
        ids, scores = ids[keep][:n], scores[keep][:n]
        last = self._names[path[-1]]
        followed = session.first.getrow(int(path[-1])).toarray().ravel()
        # "Often next" only where the transition beats chance: twice the item's overall share, 3+ times.
        share = followed / max(followed.sum(), 1.0)
        often = (followed >= 3) & (share >= 2 * session.popularity)
        earlier = set(path[:-1].tolist())
        why = [
            "you looked at it earlier in this visit" if i in earlier
            else f"often viewed next after {last}" if often[i]
            else "popular lately"
            for i in ids
        ]
        skipped = self.manifest.skipped.get(NEXT_ITEM)
        return self._result(ids, scores, why, f"Next products after {last}",
                            "popular lately" if skipped else "session transitions with back-off",
                            [skipped] if skipped else [])

    def predict_next_basket_value(self, user_id: str) -> BasketValuePrediction:
        """The customer's likely next order value, from their order sequence (GRU), next to their average."""
        m = self.models
        if m.basket is None:
            raise PartNotTrained(
                "The recommender has no next-basket-value model: "
                + self.manifest.skipped.get(BASKET_VALUE, "it was not trained") + "."
            )
        return next_basket_value(m.basket, m.orders, self._visitor(user_id, None).uidx, user_id, m.currency)


def _check_n(n: int) -> None:
    if not 1 <= n <= 100:
        raise ValueError(f"n must be between 1 and 100, got {n}.")


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _same_store(manifest: Manifest, store: EventStore) -> bool:
    """Whether a saved version was trained on `store` (versions saved before the root was recorded count)."""
    return not manifest.store or Path(manifest.store).resolve() == store.root.resolve()
