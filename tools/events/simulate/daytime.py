"""What shoppers buy at which local time: category multipliers by local weekday and hour.

Real shops sell coffee at breakfast, headphones and games in the evening, garden tools on weekend mornings,
baby things during night feeds and office kit in working hours. `time_mix(categories)` turns the rules
below (those of the shop's categories) into a [168, C] table (row = local weekday x 24 + local hour) that
scales each category's demand. Every column is normalised to a traffic-weighted mean of 1, so a category
sells as much over a week as before and regional taste, favourites and planted lifts keep their size; only
*when* it sells changes.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from tools.events.simulate.calendar import DIURNAL, WEEKLY

HOURS_PER_WEEK = 7 * 24
_ALL = range(7)
_WORKDAYS = range(5)
_WEEKEND = (5, 6)
_NIGHT = (*range(22, 24), *range(3))

# (category, local weekdays (Monday = 0), local hours, factor). Factors multiply where rules overlap.
_RULES: list[tuple[str, tuple[int, ...] | range, tuple[int, ...] | range, float]] = [
    ("Coffee & Tea", _ALL, range(6, 11), 2.4),  # the breakfast restock
    ("Coffee & Tea", _ALL, range(19, 24), 0.5),
    ("Kitchen Appliances", _ALL, range(6, 10), 1.5),
    ("Kitchen Appliances", _WEEKEND, range(9, 14), 1.5),
    ("Cookware", _ALL, range(16, 20), 1.6),  # planning dinner
    ("Cookware", _WEEKEND, range(9, 14), 1.5),
    ("Headphones", _ALL, range(19, 24), 2.0),  # evening electronics and gaming
    ("Headphones", _ALL, range(6, 12), 0.6),
    ("Home Audio", _ALL, range(19, 24), 2.0),
    ("Home Audio", _ALL, range(6, 12), 0.6),
    ("Toys & Games", _ALL, range(19, 24), 2.0),
    ("Toys & Games", _WEEKEND, range(9, 18), 1.4),
    ("Phone Accessories", _ALL, _NIGHT, 1.6),
    ("Smartwatches", _ALL, range(19, 23), 1.5),
    ("Computer Accessories", _WORKDAYS, range(9, 17), 2.0),  # bought for work, at work
    ("Computer Accessories", _WEEKEND, range(24), 0.6),
    ("Garden", _WEEKEND, range(7, 13), 3.0),  # weekend mornings in the garden
    ("Garden", _ALL, (*range(21, 24), *range(6)), 0.35),
    ("Baby & Kids", _ALL, range(6), 2.5),  # night feeds
    ("Baby & Kids", _WORKDAYS, range(9, 12), 1.4),
    ("Fitness", _ALL, range(5, 9), 2.2),  # before the morning run
    ("Fitness", (0,), range(24), 1.4),  # Monday resolutions
    ("Sports Nutrition", _ALL, range(5, 9), 2.2),
    ("Sports Nutrition", (6,), range(17, 23), 1.5),
    ("Beauty", _ALL, range(20, 24), 1.7),
    ("Beauty", _WEEKEND, range(10, 17), 1.3),
    ("Books", _ALL, (*range(21, 24), 0, 1), 2.0),  # reading in bed
    ("Books", (6,), range(8, 13), 1.5),
    ("Bedding", _WEEKEND, range(10, 18), 1.7),
    ("Home Decor", _WEEKEND, range(10, 18), 1.8),
    ("Cycling", (5,), range(6, 12), 2.0),  # Saturday-morning rides
    ("Camping Gear", (3,), range(18, 24), 1.8),  # Thursday-evening weekend plans
    ("Camping Gear", (5,), range(7, 12), 1.5),
    ("Outdoor Jackets", _WEEKEND, range(8, 13), 1.4),
    ("Boots", _WEEKEND, range(8, 13), 1.4),
    ("Backpacks", (3,), range(18, 23), 1.5),
    ("Shoes", _WORKDAYS, range(12, 14), 1.8),  # the lunch break
    ("Shoes", _WEEKEND, range(11, 17), 1.3),
    ("Pet Supplies", _ALL, range(6, 9), 1.5),
    ("Pet Supplies", (6,), range(17, 22), 1.6),
]


def week_hour(weekday: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """Row of the mix table for a local weekday (Monday = 0) and hour."""
    return weekday.astype(np.int16) * 24 + hour


def traffic_share() -> np.ndarray:
    """Share of a week's sessions in each local week hour: [168] (the calendar's diurnal x weekly shape)."""
    share = (WEEKLY[:, None] * DIURNAL[None, :]).ravel()
    return share / share.sum()


@cache
def time_mix(categories: tuple[str, ...]) -> np.ndarray:
    """Category demand multiplier per local week hour: [168, C], traffic-weighted column means of 1."""
    mix = np.ones((7, 24, len(categories)))
    for category, days, hours, factor in _RULES:
        if category not in categories:
            continue
        c = categories.index(category)
        mix[np.ix_(list(days), list(hours), [c])] *= factor
    mix = mix.reshape(HOURS_PER_WEEK, len(categories))
    mix /= traffic_share() @ mix
    mix.setflags(write=False)
    return mix
