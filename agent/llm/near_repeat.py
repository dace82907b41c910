"""Near-repeats: lines that say the same thing again with only a counter changing ("1. foo", "2. foo", ...).

The runtime's exact loop guard (`runtime.ends_in_a_loop`) needs the same tokens back to back; a numbered list
repeating one item changes its number each line, so it ran on to max_new_tokens (9 of 40 plain answers on
public function-calling questions hit the 384-token cap, 60-96 s each). Lines count as one repeated line
when they are equal once their numbers are set aside and each number is the previous line's, or one more;
a listing whose numbers move otherwise ("Day 1: 34 units", "Day 2: 36 units") is real content, not a loop.
"""

from __future__ import annotations

import re
from itertools import pairwise

NUMBER = re.compile(r"\d+")
MIN_REPEATED_LINES = 5  # enough for a short list that legitimately repeats, few enough to stop a loop early
MIN_LINE_LETTERS = 2  # lines of numbers and punctuation alone (a table's rules, blank lines) are not items


def ends_in_a_near_repeat(text: str, min_lines: int = MIN_REPEATED_LINES) -> bool:
    """Whether `text`'s last `min_lines` complete lines repeat one line with at most a counter changing."""
    # the last piece is not a complete line yet; blank lines between items do not break a repeat
    lines = [line.strip() for line in text.split("\n")[:-1] if line.strip()]
    if len(lines) < min_lines:
        return False
    tail = lines[-min_lines:]
    if sum(char.isalpha() for char in tail[0]) < MIN_LINE_LETTERS:
        return False
    return all(_repeats(before, after) for before, after in pairwise(tail))


def _repeats(before: str, after: str) -> bool:
    """`after` is `before` again, each of its numbers equal to or one more than `before`'s."""
    if NUMBER.sub("#", before) != NUMBER.sub("#", after):
        return False
    old, new = NUMBER.findall(before), NUMBER.findall(after)
    return all(int(b) - int(a) in (0, 1) for a, b in zip(old, new))
