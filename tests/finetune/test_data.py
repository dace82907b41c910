"""Transcript importers, PII scrubbing, de-duplication and the split by conversation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finetune.data import (
    TranscriptError,
    deduplicate,
    load_app_export,
    load_jsonl_transcripts,
    read_dialogues,
    scrub_dialogues,
    split_by_conversation,
    write_jsonl,
)
from finetune.pii import SAMPLES_PER_KIND, ScrubReport, mask_names, name_words, scrub
from finetune.transcripts import load_bitext, read_transcripts


def test_planted_pii_is_masked_and_counted() -> None:
    text = (
        "I'm ana.lopez@example.org, call me on +33 6 12 34 56 78. Card 4111 1111 1111 1111. "
        "Send it to 12 Rue de Rivoli or Hauptstraße 5. Order 12345678, 3 items."
    )
    clean, report = scrub(text)
    for secret in ("ana.lopez@example.org", "6 12 34 56 78", "4111 1111 1111 1111", "Rue de Rivoli",
                   "Hauptstraße 5"):
        assert secret not in clean
    assert report.counts == {"emails": 1, "phones": 1, "cards": 1, "addresses": 2}
    assert "Order 12345678, 3 items" in clean  # not a card (fails Luhn), not a phone: kept


def test_names_after_greetings_and_sign_offs_are_masked_and_order_numbers_kept() -> None:
    text = ("Hi Sarah, order #100234567 and invoice no. 2024 555 1234 are fine. Dear Mr. Jones, "
            "my name is Ana Lopez. Hello there, I am Very happy. Best Regards,\nJohn")
    clean, report = scrub(text)
    assert clean == ("Hi [NAME], order #100234567 and invoice no. 2024 555 1234 are fine. Dear Mr. [NAME], "
                     "my name is [NAME]. Hello there, I am Very happy. Best Regards,\n[NAME]")
    assert report.counts == {"names": 4}
    (sample,) = report.samples["names"]  # around the first masked place, for a person to check
    assert sample.startswith("Hi [NAME], order #100234567") and sample.endswith("...")


def test_listed_names_are_masked_wherever_they_appear_and_samples_are_capped() -> None:
    assert name_words({"x", "", "Ana Lopez"}) == {"Ana", "Lopez"}  # capitalised parts only
    text = "Ana Lopez wrote; Lopez's again; Anabel is someone else"
    clean, report = mask_names(text, name_words({"Ana Lopez"}))
    assert clean == "[NAME] wrote; [NAME]'s again; Anabel is someone else" and report.counts == {"names": 2}
    total = ScrubReport()
    for i in range(5):
        total.add(scrub(f"write to me{i}@mail.com about order {i}")[1])
    assert total.counts == {"emails": 5} and len(total.samples["emails"]) == SAMPLES_PER_KIND


def test_csv_transcripts_are_ordered_by_turn(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("conversation_id,turn,role,text\nc1,2,agent,Sure.\nc1,1,customer,Hi\nc2,1,customer,Yo\n")
    dialogues = {d.conversation_id: d for d in read_transcripts(path).dialogues}
    assert [m["content"] for m in dialogues["c1"].messages] == ["Hi", "Sure."]
    assert [m["role"] for m in dialogues["c1"].messages] == ["user", "assistant"]


def test_csv_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("conversation_id,turn,role,body\nc1,1,agent,hi\n")
    with pytest.raises(TranscriptError, match=r"missing text \(looked for column 'text'; map it with "
                                              r"--map text=COLUMN\)\. The file's columns: conversation_id, "
                                              r"turn, role, body"):
        read_transcripts(path)


def test_jsonl_bad_role_is_rejected_with_line(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "a"}]}) + "\n"
                    + json.dumps({"messages": [{"role": "bot", "content": "b"}]}) + "\n")
    with pytest.raises(TranscriptError, match="t.jsonl:2: message 0 has role 'bot'"):
        load_jsonl_transcripts(path)


def test_app_export_feedback_keeps_up_uses_correction_drops_uncorrected_down(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    convs = [
        {"conversation_id": "a",
         "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "good"}],
         "feedback": [{"message_index": 1, "rating": "up"}]},
        {"conversation_id": "b",
         "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "wrong"}],
         "feedback": [{"message_index": 1, "rating": "down", "correction": "right"}]},
        {"conversation_id": "c",
         "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "bad"}],
         "feedback": [{"message_index": 1, "rating": "down", "comment": "meh"}]},
    ]
    path.write_text("\n".join(json.dumps(c) for c in convs))
    kept, dropped = load_app_export(path)
    assert {d.conversation_id: d.messages[1]["content"] for d in kept} == {"a": "good", "b": "right"}
    assert dropped == {"thumbs-down without correction": 1}


def test_bitext_intents_map_to_tools(shared_data: Path) -> None:
    dialogues = load_bitext(shared_data / "bitext" / "Bitext_Sample_Customer_Service_Training_Dataset_8k.csv",
                            limit_per_intent=5)
    assert len(dialogues) == 27 * 5
    calls = [d.messages[-1].get("tool_calls") for d in dialogues]
    names = {c[0]["function"]["name"] for c in calls if c}
    assert names == {"my_orders", "search_docs"}
    assert not any("{{" in d.messages[0]["content"] for d in dialogues)


def test_scrub_dedup_split_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    rows = (["conversation_id,turn,role,text"]
            + [f"c{i},1,customer,my email is x{i % 50}@mail.com\nc{i},2,agent,Noted!" for i in range(200)])
    path.write_text("\n".join(rows))
    dialogues, report = scrub_dialogues(read_transcripts(path).dialogues)
    assert report.counts["emails"] == 200
    unique, dropped = deduplicate(dialogues)
    assert len(unique) == 1 and dropped == 199  # identical once the email is masked
    train, val = split_by_conversation(dialogues, 0.2)
    assert {d.conversation_id for d in train}.isdisjoint({d.conversation_id for d in val})
    assert 20 <= len(val) <= 60
    write_jsonl(train, tmp_path / "train.jsonl")
    assert ([d.conversation_id for d in read_dialogues(tmp_path / "train.jsonl")]
            == [d.conversation_id for d in train])


def test_benchmark_questions_are_kept_out_of_training_data() -> None:
    from finetune.data import Dialogue, decontaminate, question_key
    from finetune.prepare import BENCHMARK_CASES, held_out_questions

    held_out = held_out_questions(BENCHMARK_CASES)
    assert question_key("Any fraud this week?") in held_out
    # Same question up to case, punctuation and numbers: caught; a different question: kept.
    copies = [Dialogue("a", [{"role": "user", "content": "any FRAUD this week"}], "synth", "operator"),
              Dialogue("b", [{"role": "user", "content": "I need headphones under 250 euros!"}], "synth",
                       "customer"),
              Dialogue("c", [{"role": "user", "content": "Is there fraud in the last 30 days?"}], "synth",
                       "operator")]
    kept, dropped = decontaminate(copies, held_out)
    assert dropped == 2
    assert [d.conversation_id for d in kept] == ["c"]


def test_independent_questions_stay_out_of_training_whatever_the_options(tmp_path: Path, settings) -> None:
    import json

    from bench.independent.cases import load_cases
    from finetune.prepare import PrepareOptions, prepare
    from finetune.transcript_mapping import TranscriptSource

    asked = [turn for case in load_cases("northwind")[:30] for turn in case["turns"]]
    lines = [{"conversation_id": f"t{i}", "messages": [{"role": "user", "content": text},
                                                       {"role": "assistant", "content": "Let me check."}]}
             for i, text in enumerate([*asked, "Where can I buy a gift card for my aunt in Lisbon?"])]
    transcripts = tmp_path / "transcripts.jsonl"
    transcripts.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    options = PrepareOptions(synthetic=0, bitext_per_intent=0, transcripts=[TranscriptSource(transcripts)],
                             held_out_cases=None)
    report = prepare(settings, options, tmp_path / "out")
    kept = "".join((tmp_path / "out" / name).read_text(encoding="utf-8")
                   for name in ("train.jsonl", "validation.jsonl"))
    assert report.dropped["benchmark questions"] + report.dropped["duplicates"] == len(asked)
    assert "gift card" in kept and not any(json.dumps(text)[1:-1] in kept for text in asked)
