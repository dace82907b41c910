"""bench/word_rules.py prints each word rule's agreement with the synthetic dialogues' labels, and the rules
never fire where the labels say they must not."""

from __future__ import annotations

import re

from bench.word_rules import main


def test_the_word_rules_agree_with_the_synthetic_labels(capsys) -> None:
    main(["--shops", "3", "--dialogues", "20", "--seed", "test"])
    out = capsys.readouterr().out
    found = re.search(r"task_words_named: (\d+) turns; labelled first tool: (\d+)", out)
    named, agree = map(int, found.groups())
    assert named and agree / named >= 0.9
    assert re.search(r"; 0 of \d+ labelled with a tool", out)  # no customer's own question refused
    assert re.search(r"; 0 of \d+ with one or none", out)  # no one-question message split
