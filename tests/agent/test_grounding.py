"""Numbers and identifiers in an answer must come from tool results; citations are read back from the text."""

from agent.grounding import (
    citations_in,
    identifiers_in,
    numbers_in,
    ungrounded_identifiers,
    ungrounded_numbers,
)


def test_numbers_are_canonical_across_spellings() -> None:
    assert numbers_in("1,830 orders, 2.40x, +18%") == {"1830", "2.4", "18"}


def test_answer_quoting_tool_numbers_is_grounded() -> None:
    tool = "Lyon: Friday-night orders 2.4x its baseline (z=11.2, 1,830 orders)"
    assert ungrounded_numbers("Lyon leads with 1830 orders, 2.4x its baseline.", [tool]) == []


def test_invented_number_is_flagged() -> None:
    tool = "Expect 1,240 units (80%: 1,100-1,390) over the next 28 days"
    assert ungrounded_numbers("Expect about 1,500 units in 28 days.", [tool]) == ["1500"]


def test_rounding_a_tool_value_is_accepted_but_changing_it_is_not() -> None:
    tool = "MASE 0.8734"
    assert ungrounded_numbers("MASE was 0.87", [tool]) == []
    assert ungrounded_numbers("MASE was 0.9", [tool]) == ["0.9"]


def test_numbers_from_the_question_count_as_known() -> None:
    assert ungrounded_numbers("Over the next 14 days: 300 units.", ["300 units", "forecast 14 days"]) == []


def test_citations_are_read_in_order_without_repeats() -> None:
    text = ("You have 30 days [returns#window]. Opened earbuds only if defective [returns#opened-items] "
            "[returns#window].")
    assert citations_in(text) == ["returns#window", "returns#opened-items"]


def test_ids_and_field_names_are_identifiers_but_words_and_units_are_not() -> None:
    text = "Order O0001234 (user U000001, my_order_id) ships in 2 days: 10kg, MP3, Q3, the 2nd box."
    assert identifiers_in(text) == {"O0001234", "U000001", "my_order_id"}


def test_an_identifier_absent_from_every_source_is_ungrounded() -> None:
    tool = "2 orders for U000001: O0000007 (shipped), O0000009 (delivered)."
    assert ungrounded_identifiers("O0000007 has shipped.", [tool]) == []
    assert ungrounded_identifiers("O0001234 has shipped, O0000009 too.", [tool, "where is my order?"]) == [
        "O0001234"]
