"""A seeded, deterministic generator of believable online shops with planted truth; the demo shop (a
European shop in EUR) is one configuration of it.

    store = EventStore(settings.store_path)
    truth = build_demo_shop(store, DemoConfig(n_events=1_000_000))
    truth = build_shop(store, ShopSettings(profile=..., city_weights=..., people=..., ...), DemoConfig())
    truth = load_ground_truth(store)          # later, from manifest.json

Pieces: the shop's settings (`settings`; the demo's in `profile`), catalogue and users (`catalog`,
`population`), traffic over local time (`calendar`), the planted plan (`plan`), ordinary sessions (`sessions`)
with personal taste (`taste`) and a local time-of-day product mix (`daytime`), fraud and complaint orders
(`planted`), order life cycle (`orders`), reviews (`reviews`); `shop` puts them together and writes them to
the store.
"""

from tools.events.simulate.settings import People, SettingsError, ShopSettings
from tools.events.simulate.shop import (
           DemoConfig,
           GroundTruthMissing,
           build_demo_shop,
           build_shop,
           load_ground_truth,
)

__all__ = ["DemoConfig", "GroundTruthMissing", "People", "SettingsError", "ShopSettings", "build_demo_shop",
           "build_shop", "load_ground_truth"]
