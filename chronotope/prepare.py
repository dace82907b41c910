"""Everything the apps need before the first question, on a fresh machine: demo data, the knowledge-base
index, the local model's weights, the recommender. Each step is skipped when already done, and long steps
show their own progress bars.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.config import Settings

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class PrepareStep:
    """One preparation step: how to tell it is done, and how to do it (returns a one-line result)."""

    name: str
    is_done: Callable[[Settings], bool]
    run: Callable[[Settings], str]


def store_has_events(settings: Settings) -> bool:
    """Whether the shop's store holds any events (the demo's, or data imported with `chronotope data`)."""
    from tools.events.store import EventStore

    return bool(EventStore(settings.store_path).event_files())


def _build_demo_data(settings: Settings) -> str:
    from tools.events.simulate import DemoConfig, build_demo_shop
    from tools.events.store import EventStore

    config = DemoConfig()
    truth = build_demo_shop(EventStore(settings.store_path), config, progress=True)
    return (f"demo shop with {config.n_events:,} events over {config.days} days ({len(truth.friday_spikes)} "
            "planted Friday spikes)")


def _profile_known(settings: Settings) -> bool:
    """A store that is not the demo's (its profile comes from its own ingests), or a demo store whose
    profile has the demo's category aliases (older demo stores have no profile, or one without them)."""
    from tools.events.profile import PROFILE_FILE
    from tools.events.simulate.shop import MANIFEST
    from tools.events.store import EventStore

    root = settings.store_path
    if not (root / MANIFEST).exists():
        return True
    return (root / PROFILE_FILE).exists() and bool(EventStore(root).profile().category_aliases)


def _store_demo_profile(settings: Settings) -> str:
    """Demo shops built before profiles existed get the demo's profile (places, zones, currency); those
    built before category aliases get the demo's aliases, the rest of their profile kept."""
    from dataclasses import replace

    from chronotope.wiring import event_store
    from tools.events.profile import PROFILE_FILE
    from tools.events.profile_edits import ProfileEdit
    from tools.events.simulate.profile import demo_profile

    demo, store = demo_profile(), event_store(settings)
    if not (settings.store_path / PROFILE_FILE).exists():
        store.save_profile(demo)
        return f"the demo shop's profile: {len(demo.places)} places, {demo.currency}"
    store.edit_profile(lambda profile: ProfileEdit(replace(profile, category_aliases=demo.category_aliases),
                                                   ("the demo's category aliases",)))
    return f"the demo shop's category aliases: {len(demo.category_aliases)} categories"


def _index_knowledge(settings: Settings) -> str:
    from chronotope.wiring import event_store, knowledge_base

    kb = knowledge_base(settings)
    documents = kb.index(progress=True)
    products = kb.index_products(event_store(settings), progress=True)
    return f"{documents.summary()}; {products.summary()}"


def _model_ready(settings: Settings) -> bool:
    if settings.openai_base_url:
        return True  # answers come from a server; nothing to prepare here
    from agent.llm.errors import ModelSourceError
    from agent.llm.sources import resolve_source

    try:
        return resolve_source(settings.model, settings.model_cache_path).ready
    except ModelSourceError:
        return False


def _prepare_model(settings: Settings) -> str:
    from agent.llm.sources import prepare_model

    source = prepare_model(settings.model, settings.model_cache_path, progress=True)
    return f"{source.name} ready at {source.location}"


def _recommender_trained(settings: Settings) -> bool:
    from tools.recommend.persistence import latest_current

    return latest_current(settings.recommender_path) is not None


def _train_recommender(settings: Settings) -> str:
    from chronotope.wiring import event_store, text_embedder
    from tools.recommend.engine import Recommender

    Recommender.load_or_train(event_store(settings), settings.recommender_path, text_embedder(settings),
                              progress=True)
    return f"recommender saved under {settings.recommender_path}"


# What any shop's data dir needs beside its store: documents and products indexed, the model, the recommender.
SHOP_STEPS: tuple[PrepareStep, ...] = (
    # Indexing is incremental: a second run embeds nothing, so it always runs to pick up edited documents.
    PrepareStep("Knowledge base index", lambda settings: False, _index_knowledge),
    PrepareStep("Local model", _model_ready, _prepare_model),
    PrepareStep("Recommender", _recommender_trained, _train_recommender),
)
STEPS: tuple[PrepareStep, ...] = (
    PrepareStep("Demo data (1M events)", store_has_events, _build_demo_data),
    PrepareStep("Shop profile", _profile_known, _store_demo_profile),
    *SHOP_STEPS,
)


def prepare(
    settings: Settings, console: Console, steps: tuple[PrepareStep, ...] = STEPS
) -> list[tuple[str, str]]:
    """Run every step that is not done yet, printing what happens; returns (step, outcome) pairs."""
    outcomes: list[tuple[str, str]] = []
    for number, step in enumerate(steps, start=1):
        heading = f"[bold][{number}/{len(steps)}] {step.name}[/]"
        if step.is_done(settings):
            console.print(f"{heading}: already done")
            outcomes.append((step.name, "already done"))
            continue
        console.print(f"{heading}...")
        started = time.perf_counter()
        result = step.run(settings)
        console.print(f"    {result} [dim]({time.perf_counter() - started:.0f} s)[/]")
        outcomes.append((step.name, result))
    return outcomes
