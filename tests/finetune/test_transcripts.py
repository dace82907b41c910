"""`chronotope finetune prepare` on the exports shops have, with flags only: a ticket per row, a long thread
export with other column names, a help-desk JSON export, and the real Bitext file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chronotope.cli import app
from tests.finetune.transcript_exports import (
    HELPDESK_FLAGS,
    THREAD_FLAGS,
    THREAD_ROWS,
    TICKET_FLAGS,
    TICKET_ROWS,
    prepare,
    texts,
    write_csv,
    write_helpdesk_json,
)

BITEXT = Path("bitext") / "Bitext_Sample_Customer_Service_Training_Dataset_8k.csv"


def test_ticket_per_row_csv_pairs_ordered_by_time_with_pii_masked_and_order_numbers_kept(
    data_dir: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "tickets.csv", TICKET_ROWS)
    report, dialogues = prepare(data_dir, "--transcripts", str(path), *TICKET_FLAGS)
    assert "tickets.csv: 5 rows read, 4 kept." in report
    assert "dropped 1 rows with an empty answer;" in report
    assert "Masked 1 addresses, 1 emails, 1 names, 1 phones." in report
    assert sorted(dialogues) == ["T-1", "T-2", "T-3"]
    assert texts(dialogues["T-2"]) == [
        ("user", "My parcel ORD-2024-001234 is late. Call me on [PHONE]."),
        ("assistant", "Sorry about that! It is with the courier and arrives Friday."),
        ("user", "Thanks. Can you also send the invoice?"),
        ("assistant", "Of course, the invoice for ORD-2024-001234 is attached."),
    ]
    assert texts(dialogues["T-1"]) == [
        ("user", "Hi, where is my order #100234567? My email is [EMAIL]"),
        ("assistant", "Hi [NAME], order #100234567 left our warehouse yesterday."),
    ]
    assert "[ADDRESS]" in dialogues["T-3"].messages[0]["content"]
    # A person can check the masking: a masked line of each kind, never the original.
    assert "Masked lines to check:" in report
    assert "  names: Hi [NAME], order #100234567 left our warehouse yesterday." in report
    assert "ana.lopez" not in report and "7700" not in report


def test_long_thread_csv_with_html_internal_notes_bots_and_unmapped_roles(
    data_dir: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "threads.csv", THREAD_ROWS)
    report, dialogues = prepare(data_dir, "--transcripts", str(path), *THREAD_FLAGS)
    assert "threads.csv: 10 rows read, 6 kept." in report
    for reason in ("1 automated messages", "1 conversations without an agent reply to the customer",
                   "1 internal notes", "1 rows with empty text",
                   "1 rows with role 'supervisor' (not in --role-values)"):
        assert reason in report
    assert "Masked 3 names, 1 phones." in report
    assert sorted(dialogues) == ["A", "B"]
    assert texts(dialogues["A"]) == [
        ("user", "Hello,\nmy blender arrived broken.\n[NAME]"),
        ("assistant", "Dear [NAME], sorry to hear that! A replacement is on its way.\n[NAME]"),
    ]
    # The customer's two messages in a row are one turn; the supervisor's aside is gone.
    assert texts(dialogues["B"]) == [
        ("user", "Can I pay with PayPal? Reach me at [PHONE].\n\nAlso: do you take gift cards?"),
        ("assistant", "Yes to both: PayPal and gift cards work at checkout."),
    ]
    written = json.dumps([d.messages for d in dialogues.values()])
    assert "<" not in written and "&nbsp;" not in written and "SKU B-220" not in written


def test_helpdesk_json_export_through_the_same_mapping(data_dir: Path, tmp_path: Path) -> None:
    path = write_helpdesk_json(tmp_path / "zendesk.json")
    report, dialogues = prepare(data_dir, "--transcripts", str(path), *HELPDESK_FLAGS)
    assert "zendesk.json: 6 rows read, 4 kept." in report
    assert "dropped 1 automated messages, 1 internal notes;" in report
    assert "Masked 2 names." in report
    assert texts(dialogues["5001"]) == [
        ("user", "I got the shoes in size 40, I ordered 41. Order 100987654."),
        ("assistant", "Hi [NAME],\nprint the return label\nwe send size 41"),
    ]
    assert texts(dialogues["5002"])[1] == (
        "assistant", "Sorry [NAME]! SPRING10 ended on March 1st; here is SPRING15 instead.")
    assert {d.role for d in dialogues.values()} == {"customer"}


def test_bitext_intent_pairs_become_tool_calls(data_dir: Path, shared_data: Path) -> None:
    path = shared_data / BITEXT
    report, dialogues = prepare(data_dir, "--transcripts", str(path),
                                "--pairs", "question=utterance,intent=intent")
    assert f"{path.name}: 8175 rows read, 8175 kept." in report
    assert "Read 8175 dialogues" in report
    replies = [d.messages[1] for d in dialogues.values()]
    assert {c["function"]["name"] for r in replies for c in r.get("tool_calls") or []} == {"my_orders",
                                                                                          "search_docs"}
    assert not any("{{" in d.messages[0]["content"] for d in dialogues.values())


def test_missing_column_names_the_flag_and_the_files_columns(data_dir: Path, shared_data: Path) -> None:
    result = CliRunner().invoke(app, ["finetune", "prepare", "--synthetic", "0", "--bitext-per-intent", "0",
                                      "--transcripts", str(shared_data / BITEXT),
                                      "--pairs", "question=utterance,answer=response"])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "missing answer (looked for column 'response'; map it with --pairs answer=COLUMN)" in message
    assert "The file's columns: flags, utterance, category, intent." in message


def test_unknown_mapping_names_and_roles_are_refused(data_dir: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "threads.csv", THREAD_ROWS)
    runner = CliRunner()
    bad_map = runner.invoke(app, ["finetune", "prepare", "--synthetic", "0", "--bitext-per-intent", "0",
                                  "--transcripts", str(path), "--map", "body=message_html"])
    assert bad_map.exit_code == 2 and "--map body: not a transcript column" in bad_map.output
    bad_role = runner.invoke(app, ["finetune", "prepare", "--synthetic", "0", "--bitext-per-intent", "0",
                                   "--transcripts", str(path), "--role-values", "agent=staff"])
    assert bad_role.exit_code == 2 and "roles are customer and assistant" in bad_role.output


APP_EXPORT = [  # the operator console's export (ui/conversations.py): thumbs up kept, a correction used
    {"conversation_id": "app-1", "role": "customer",
     "messages": [{"role": "user", "content": "Can I return opened earbuds? I live at 12 Rue de Rivoli"},
                  {"role": "assistant", "content": "Yes, within 30 days."}],
     "feedback": [{"message_index": 1, "rating": "up"}]},
    {"conversation_id": "app-2", "role": "customer",
     "messages": [{"role": "user", "content": "Do you sell tents?"},
                  {"role": "assistant", "content": "No idea."}],
     "feedback": [{"message_index": 1, "rating": "down", "correction": "Yes: see the Outdoor category."}]},
    {"conversation_id": "app-3", "role": "customer",
     "messages": [{"role": "user", "content": "Where is my parcel?"},
                  {"role": "assistant", "content": "Bad answer."}],
     "feedback": [{"message_index": 1, "rating": "down"}]},
]


def test_prepare_train_evaluate_end_to_end_on_a_ticket_export_with_app_feedback(
    data_dir: Path, tmp_path: Path
) -> None:
    tickets = write_csv(tmp_path / "tickets.csv", TICKET_ROWS)
    export = tmp_path / "app.jsonl"
    export.write_text("\n".join(json.dumps(c) for c in APP_EXPORT), encoding="utf-8")
    # Seed 13 holds out app-1 and ticket T-1.
    report, dialogues = prepare(data_dir, "--transcripts", str(tickets), *TICKET_FLAGS,
                                "--app-export", str(export), "--validation-fraction", "0.4", "--seed", "13")
    assert "Read 5 dialogues (2 from app, 3 from tickets.csv)" in report
    assert "1 thumbs-down without correction" in report and "Masked 2 addresses" in report
    assert dialogues["app-2"].messages[1]["content"] == "Yes: see the Outdoor category."
    assert dialogues["app-1"].messages[0]["content"] == "Can I return opened earbuds? I live at [ADDRESS]"

    runner = CliRunner()
    trained = runner.invoke(app, ["finetune", "train", "--preset", "cpu-smoke", "--threads", "1",
                                  "--max-steps", "3", "--eval-steps", "0", "--save-steps", "0"])
    assert trained.exit_code == 0, trained.output
    adapter = data_dir / "finetune" / "runs" / "cpu-smoke" / "adapter"
    assert "train_examples: 3" in trained.output and (adapter / "adapter_model.safetensors").is_file()

    tiny = data_dir / "finetune" / "tiny-model"
    evaluated = runner.invoke(app, ["finetune", "evaluate", "--model", str(tiny), "--adapter", str(adapter),
                                    "--roles", "customer", "--limit", "1", "--loss-examples", "2",
                                    "--max-new-tokens", "4"])
    assert evaluated.exit_code == 0, evaluated.output
    scores = {side: json.loads((data_dir / "finetune" / "eval" / f"{side}.json").read_text())
              for side in ("before", "after")}
    # The app's held-out dialogue is a tool-choice case; the ticket is not (its agent's choice is unknown).
    assert [case["case_id"] for case in scores["after"]["per_case"]] == ["app-1"]
    assert "completion_loss_ratio_after_before" in evaluated.output
    # The held-out agent replies (a ticket's, or the app's) are likelier after training on the others.
    assert scores["after"]["completion_loss"] < scores["before"]["completion_loss"]


def test_freshdesk_style_boolean_flags_map_roles_and_notes_and_a_mistyped_order_column_is_named(
    tmp_path: Path,
) -> None:
    from finetune.data import TranscriptError
    from finetune.transcript_mapping import TranscriptMapping
    from finetune.transcripts import read_transcripts

    # Freshdesk-like: one ticket a line, "conversations" with incoming (customer) and private (note) flags.
    ticket = {"id": 77, "conversations": [
        {"body_text": "Refund please", "incoming": True, "private": False, "created_at": "2026-03-01 10:00"},
        {"body_text": "Refunded.", "incoming": False, "private": False, "created_at": "2026-03-01 11:00"},
        {"body_text": "OK by Kim", "incoming": False, "private": True, "created_at": "2026-03-01 10:30"},
    ]}
    path = tmp_path / "freshdesk.jsonl"
    path.write_text(json.dumps(ticket) + "\n", encoding="utf-8")
    flags = ["conversation_id=ticket.id", "role=incoming", "text=body_text", "timestamp=created_at"]
    mapping = TranscriptMapping.from_flags(flags, "customer=true,assistant=false", None, ["private=true"], [],
                                           None)
    read = read_transcripts(path, mapping)
    assert (read.rows_read, read.rows_kept, dict(read.dropped)) == (3, 2, {"internal notes": 1})
    assert [(m["role"], m["content"]) for m in read.dialogues[0].messages] == [
        ("user", "Refund please"), ("assistant", "Refunded.")]
    mistyped = TranscriptMapping.from_flags([*flags[:3], "timestamp=created"],
                                            "customer=true,assistant=false", None, [], [], None)
    with pytest.raises(TranscriptError, match="missing timestamp \\(looked for column 'created'; map it with "
                                              "--map timestamp=COLUMN\\)"):
        read_transcripts(path, mistyped)
