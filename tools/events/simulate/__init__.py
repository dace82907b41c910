"""The demo shop: a seeded, deterministic generator of a believable European online shop with planted truth.

    store = EventStore(settings.store_path)
    truth = build_demo_shop(store, DemoConfig(n_events=1_000_000))
    truth = load_ground_truth(store)          # later, from manifest.json

Pieces: catalogue and users (`catalog`), traffic over local time (`calendar`), the planted plan (`plan`),
ordinary sessions (`sessions`) with personal taste (`taste`) and a local time-of-day product mix (`daytime`),
fraud and complaint orders (`planted`), order life cycle (`orders`), reviews (`reviews`); `shop` puts them
together and writes them to the store.
"""

from tools.events.simulate.shop import DemoConfig, GroundTruthMissing, build_demo_shop, load_ground_truth

__all__ = ["DemoConfig", "GroundTruthMissing", "build_demo_shop", "load_ground_truth"]
