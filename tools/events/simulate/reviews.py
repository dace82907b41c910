"""Reviews of delivered orders: a rating that follows the product's quality, and a templated text whose
sentiment matches the rating and that talks about delivery, quality, price or service. A planted complaint
wave turns one product's reviews from one region negative for a week (a defective batch)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from tools.events.schema import REVIEWS
from tools.events.simulate.columns import Names, OrderCols, prefixed_ids
from tools.events.simulate.orders import RETURNED, Settled
from tools.events.simulate.sessions import Shop

DAY = 86_400
REVIEW_RATE = 0.14
RETURNED_REVIEW_RATE = 0.35
COMPLAINT_REVIEW_RATE = 0.92
COMPLAINT_NEGATIVE_SHARE = 0.85

_TEXTS = {
    ("positive", "quality"): [
        "Really happy with the {noun}. Solid build that feels like it will last for years.",
        "Excellent quality {noun}, better than I expected from the photos.",
        "Beautifully made {noun}. Five stars from me.",
        "Great {noun}: sturdy, well finished and it does exactly what it says.",
    ],
    ("positive", "delivery"): [
        "Arrived a day early and well packed. {Noun} exactly as described.",
        "Fast delivery and the {noun} came in perfect condition.",
        "Ordered on Monday, had the {noun} by Wednesday. Very impressed.",
    ],
    ("positive", "price"): [
        "Great value - this {noun} was worth every cent.",
        "Cheaper than in the shops and just as good. Love the {noun}.",
        "Bought the {noun} on offer, fantastic price for this quality.",
    ],
    ("positive", "service"): [
        "Customer service answered my question about the {noun} within the hour. Lovely experience.",
        "Had to change the size and the exchange was painless. Happy with the {noun}.",
        "Friendly support team and a lovely {noun}. Will order again.",
    ],
    ("neutral", "quality"): [
        "Fine {noun}. Does the job but nothing special.",
        "Decent {noun}, although the finish could be better for the price.",
        "OK {noun}. A few rough edges but it works.",
    ],
    ("neutral", "delivery"): [
        "Good {noun}, but delivery took longer than the estimate.",
        "Packaging was a bit battered; the {noun} survived though.",
    ],
    ("neutral", "price"): [
        "Good {noun} but a little pricey compared with similar ones.",
        "Fair enough for the money. An average {noun}, nothing more.",
    ],
    ("neutral", "service"): [
        "Had to chase customer service once, but all fine with the {noun} now.",
        "Support was slow to reply; the {noun} itself works alright.",
    ],
    ("negative", "quality"): [
        "Disappointed with the {noun}. It started falling apart after a couple of weeks.",
        "Poor quality {noun}, it feels cheap and flimsy.",
        "This {noun} did not last. Would not buy again.",
    ],
    ("negative", "delivery"): [
        "Took far longer than promised and the box was damaged. Scratches all over the {noun}.",
        "Delivery was a mess - my {noun} arrived a week late.",
    ],
    ("negative", "price"): [
        "Overpriced for what you get. This {noun} was not worth it.",
        "Way too expensive for such a basic {noun}.",
    ],
    ("negative", "service"): [
        "Customer service never replied to my emails about the {noun}.",
        "Returning the {noun} was a nightmare, nobody answers the phone.",
    ],
}
_DEFECTS = {
    "Headphones": ["the left earbud stopped charging after two days", "one side crackles and cuts out",
                   "they stopped pairing with my phone after three days"],
    "Kitchen Appliances": ["it stopped heating after the third use", "the lid cracked the first week",
                           "it leaks water from the base"],
    "Backpacks": ["the main zip broke on the first trip", "a shoulder strap tore off at the seam",
                  "the buckle snapped within a week"],
    "Outdoor Jackets": ["the seams leak in light rain", "the zip came apart after a few days",
                        "the taped seams are peeling off already"],
    "Smartwatches": ["the screen went black after a day",
                     "it will not hold a charge for more than a few hours",
                     "the heart-rate sensor gives nonsense readings"],
}
_DEFECT_CLOSINGS = ["Looks like a bad batch. Sending it back.",
                    "Clearly a faulty batch - I have asked for a refund.",
                    "Very disappointed, my friend's one has the same problem.", "Avoid this batch."]
_TOPICS = ("quality", "delivery", "price", "service")


def _sentiment(rating: int) -> str:
    return "negative" if rating <= 2 else "neutral" if rating == 3 else "positive"


def make_reviews(rng: np.random.Generator, shop: Shop, orders: OrderCols, settled: Settled, names: Names,
                 product_names: np.ndarray) -> pa.Table:
    """Reviews of delivered (or returned) orders, the planted complaint wave included."""
    complaint_product, complaint_region, wave_day = shop.plan.complaint
    wave_s = int(shop.clock.midnight(complaint_region, wave_day))  # the wave week runs on the region's days
    n = len(orders)
    delivered = settled.delivered
    rate = np.where(orders.complaint, COMPLAINT_REVIEW_RATE,
                    np.where(settled.status == RETURNED, RETURNED_REVIEW_RATE, REVIEW_RATE))
    chosen = np.flatnonzero((delivered >= 0) & (rng.random(n) < rate))
    first_line = np.searchsorted(orders.line_order, np.arange(n + 1))
    n_lines = np.diff(first_line)
    line = first_line[chosen] + (rng.random(len(chosen)) * n_lines[chosen]).astype(np.int64)
    product = orders.line_product[line]
    user = orders.user[chosen]
    home = shop.users.region[user]
    when = delivered[chosen] + ((0.3 + rng.exponential(4.0, len(chosen))) * DAY).astype(np.int64)
    # The defective batch's buyers write in the wave week, once their parcel is in.
    wave = orders.complaint[chosen]
    in_wave_time = np.maximum(delivered[chosen] + rng.integers(DAY // 5, 2 * DAY, len(chosen)),
                              wave_s + rng.integers(0, DAY, len(chosen)))
    when = np.where(wave, in_wave_time, when)
    # People write reviews in the day, not at 3 am: 07:00-22:00 at home.
    clock = shop.clock
    when = clock.utc_of(home, clock.start_s + clock.local_day(home, when) * DAY
                        + rng.integers(7 * 3600, 22 * 3600, len(chosen)))
    keep = (when < shop.end_s) & ~(wave & (when >= wave_s + 7 * DAY - 3600))
    chosen, product, user, home, when, line = (
        chosen[keep], product[keep], user[keep], home[keep], when[keep], line[keep]
    )
    returned = settled.status[chosen] == RETURNED
    rating = np.clip(
        np.rint(shop.catalog.quality[product] + rng.normal(0, 0.9, len(chosen)) - 1.6 * returned), 1, 5
    )
    rating = rating.astype(np.int64)
    defective = ((product == complaint_product) & (home == complaint_region) & (when >= wave_s)
                 & (when < wave_s + 7 * DAY) & (rng.random(len(chosen)) < COMPLAINT_NEGATIVE_SHARE))
    rating = np.where(defective, 1 + (rng.random(len(chosen)) < 0.3), rating)

    texts = []
    for k in range(len(chosen)):
        noun = str(shop.catalog.noun[product[k]])
        if defective[k]:
            defect = rng.choice(_DEFECTS.get(shop.catalog.categories[shop.catalog.category[product[k]]],
                                             ["it broke within days"]))
            texts.append(f"The {noun} arrived fine but {defect}. {rng.choice(_DEFECT_CLOSINGS)}")
            continue
        topic = _TOPICS[int(rng.integers(len(_TOPICS)))]
        template = rng.choice(_TEXTS[(_sentiment(int(rating[k])), topic)])
        texts.append(str(template).format(noun=noun, Noun=noun[0].upper() + noun[1:]))
    order = np.argsort(when, kind="stable")
    regions = np.array([r.name for r in shop.settings.geography.regions])
    return pa.Table.from_arrays([
        prefixed_ids("R", np.arange(1, len(chosen) + 1), 7),
        names.user_ids.take(pa.array(user[order])),
        names.product_ids.take(pa.array(product[order])),
        pa.array(rating[order].astype(np.int8)),
        pa.array(np.array(texts, dtype=object)[order], pa.string()),
        pa.array(when[order] * 1_000_000).cast(pa.timestamp("us", tz="UTC")),
        pa.array(regions[home[order]]),
    ], schema=REVIEWS)
