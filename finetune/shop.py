"""The shop the model is fine-tuned for: its profile decides the categories and places the tools offer."""

from __future__ import annotations

from pathlib import Path

from tools.events.profile import ShopProfile


def shop_profile(store_path: Path) -> ShopProfile:
    """The profile of the store at `store_path`, or the demo shop's while it has no places yet: the
    synthetic dialogues are written over the demo shop, so prompts then render its tools as served there."""
    from tools.events.simulate.profile import demo_profile
    from tools.events.store import EventStore

    profile = EventStore(store_path).profile() if Path(store_path).exists() else None
    return profile if profile is not None and profile.places else demo_profile()
