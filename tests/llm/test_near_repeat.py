"""Near-repeats: a line said again with only a counter changing is a loop; real listings are not."""

from __future__ import annotations

from agent.llm.near_repeat import ends_in_a_near_repeat


def numbered(item: str, n: int, start: int = 1) -> str:
    return "".join(f"{i}. {item}\n" for i in range(start, start + n))


def test_a_numbered_list_repeating_one_item_is_a_near_repeat():
    assert ends_in_a_near_repeat("Here are the steps:\n" + numbered("Check the order status.", 5))
    assert ends_in_a_near_repeat(numbered("foo", 5, start=8))  # 9 -> 10 changes the digit count
    assert ends_in_a_near_repeat("".join(f"Step {i}: call the tool\n\n" for i in range(1, 6)))  # blank lines
    assert ends_in_a_near_repeat("- same\n" * 5)


def test_fewer_lines_an_unfinished_line_or_a_broken_run_are_not():
    assert not ends_in_a_near_repeat(numbered("foo", 4))
    assert not ends_in_a_near_repeat(numbered("foo", 4) + "5. foo")  # the fifth line is not complete yet
    assert not ends_in_a_near_repeat(numbered("foo", 5) + "6. bar\n")  # the run has to reach the end


def test_listings_whose_numbers_move_otherwise_or_whose_text_differs_are_content():
    forecast = "".join(f"Day {day}: {units} units\n" for day, units in enumerate([34, 36, 31, 40, 38], 1))
    assert not ends_in_a_near_repeat(forecast)
    assert not ends_in_a_near_repeat("".join(f"{i}. item {name}\n" for i, name in enumerate("abcde", 1)))
    assert not ends_in_a_near_repeat("| 1 | 2 |\n" * 6)  # no words: a table's rows, not items
    assert not ends_in_a_near_repeat(numbered("foo", 5).replace("3. foo", "7. foo"))  # counter jumps
