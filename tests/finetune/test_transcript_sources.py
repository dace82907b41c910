"""Several transcript files of different shapes in one `finetune prepare` run, each with its own mapping
file (`--source FILE:MAPPING.toml`) beside the flags' `--transcripts`; quoted e-mail history cut; the
console's export and thumbs in the same run; transcripts kept out of the tool-choice labels."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chronotope.cli import app
from tests.finetune.transcript_exports import (
    EMAIL_ROWS,
    EMAIL_TOML,
    HELPDESK_FLAGS,
    HELPDESK_TOML,
    THREAD_FLAGS,
    THREAD_ROWS,
    THREAD_TOML,
    TICKET_FLAGS,
    TICKET_ROWS,
    TICKET_TOML,
    prepare,
    texts,
    write_csv,
    write_helpdesk_json,
)


def _sources(folder: Path) -> dict[str, tuple[Path, Path, list[str]]]:
    """Each export with its mapping file and its flags."""
    exports = {
        "tickets": (write_csv(folder / "tickets.csv", TICKET_ROWS), TICKET_TOML, TICKET_FLAGS),
        "threads": (write_csv(folder / "threads.csv", THREAD_ROWS), THREAD_TOML, THREAD_FLAGS),
        "zendesk": (write_helpdesk_json(folder / "zendesk.json"), HELPDESK_TOML, HELPDESK_FLAGS),
    }
    sources = {}
    for name, (path, toml, flags) in exports.items():
        mapping = folder / f"{name}.toml"
        mapping.write_text(toml, encoding="utf-8")
        sources[name] = (path, mapping, flags)
    return sources


def test_each_source_maps_by_its_own_file_as_its_flags_would(data_dir: Path, tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    report, together = prepare(data_dir, *[arg for path, mapping, _ in sources.values()
                                           for arg in ("--source", f"{path}:{mapping}")])
    for line in ("tickets.csv: 5 rows read, 4 kept.", "threads.csv: 10 rows read, 6 kept.",
                 "zendesk.json: 6 rows read, 4 kept."):
        assert line in report
    assert "1 rows with role 'supervisor' (not in [role_values])" in report
    one_by_one = {}
    for path, _, flags in sources.values():
        one_by_one |= prepare(data_dir, "--transcripts", str(path), *flags)[1]
    assert sorted(together) == ["5001", "5002", "A", "B", "T-1", "T-2", "T-3"]
    assert together == one_by_one


def test_flags_and_mapping_files_mix_and_quoted_mail_is_cut_and_counted(
    data_dir: Path, tmp_path: Path
) -> None:
    emails = write_csv(tmp_path / "emails.csv", EMAIL_ROWS)
    (tmp_path / "emails.toml").write_text(EMAIL_TOML, encoding="utf-8")
    tickets = write_csv(tmp_path / "tickets.csv", TICKET_ROWS)
    report, dialogues = prepare(data_dir, "--transcripts", str(tickets), *TICKET_FLAGS,
                                "--source", f"{emails}:{tmp_path / 'emails.toml'}")
    assert "emails.csv: 9 rows read, 8 kept." in report and "tickets.csv: 5 rows read, 4 kept." in report
    assert ("Cut from messages (only their authors' words are kept): 6 quoted e-mail histories, "
            "2 signatures.") in report
    assert "1 rows with empty text" in report  # M-4 only quoted
    assert texts(dialogues["M-1"]) == [
        ("user", "Hello, my order 100555111 has not arrived."),
        ("assistant", "Hi, it is with the courier and arrives tomorrow."),
        ("user", "Thanks! Can I still change the address?"),
        ("assistant", "Yes, until it ships."),
    ]
    assert texts(dialogues["M-2"]) == [("user", "Je voudrais annuler."),
                                       ("assistant", "C'est noté, la commande est annulée.")]
    assert texts(dialogues["M-3"]) == [("user", "Bitte die Rechnung schicken."),
                                       ("assistant", "Die Rechnung ist unterwegs.")]
    assert sorted(dialogues) == ["M-1", "M-2", "M-3", "T-1", "T-2", "T-3"]
    written = json.dumps([d.messages for d in dialogues.values()])
    assert "Tom Becker" not in written and "7946" not in written and "iPhone" not in written


def test_errors_name_the_transcript_file_and_its_mapping_file(data_dir: Path, tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    tickets, tickets_toml, _ = sources["tickets"]
    runner = CliRunner()

    def refused(*flags: str) -> str:
        result = runner.invoke(app, ["finetune", "prepare", "--synthetic", "0", "--bitext-per-intent", "0",
                                     *flags])
        assert result.exit_code == 2, result.output
        return " ".join(result.output.split())

    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\nbody = "message_html"\n', encoding="utf-8")
    assert (f"--source {tickets}: {bad} [columns] body: not a transcript column; map one of conversation_id"
            in refused("--source", f"{tickets}:{bad}"))
    bad.write_text('colums = {text = "body"}\n', encoding="utf-8")
    message = refused("--source", f"{tickets}:{bad}")
    assert f"--source {tickets}: Unknown key(s) colums in " in message
    assert "bad.toml. Valid keys: columns, role_values, pairs" in message
    # A mapping file that fits another export: the missing column is named with where to map it.
    message = refused("--source", f"{tickets}:{sources['threads'][1]}")
    assert (f"{tickets}: missing conversation_id (looked for column 'thread'; map it with conversation_id = "
            f'"COLUMN" under [columns] in {sources["threads"][1]})') in message
    assert "The file's columns: ticket_id, created_at, customer_message, agent_reply." in message
    two_arrays = tmp_path / "two.json"
    two_arrays.write_text(json.dumps([{"id": 1, "comments": [{"body": "hi"}], "tags": [{"name": "vip"}]}]))
    assert (f"{two_arrays}: ticket 1 has 2 arrays of objects (comments, tags); name the one holding the "
            'messages with --map comments=FIELD (comments = "FIELD" under [columns] in a mapping file)'
            in refused("--source", f"{two_arrays}:{sources['zendesk'][1]}"))
    assert "expected FILE:MAPPING.toml" in refused("--source", str(tickets))
    nope = tmp_path / "nope"
    assert f"no transcript file {nope}.csv" in refused("--source", f"{nope}.csv:{tickets_toml}")
    assert f"Mapping file {nope}.toml not found" in refused("--source", f"{tickets}:{nope}.toml")
    assert "map the --transcripts files, and none is given" in refused(
        "--source", f"{tickets}:{tickets_toml}", "--map", "text=body")


def test_console_export_and_thumbs_join_mapped_sources_and_only_known_tool_choices_are_labels(
    data_dir: Path, tmp_path: Path
) -> None:
    from agent.answer import AgentAnswer
    from tools.registry import ToolOutput, ToolStep
    from ui.conversations import ConversationStore, turn_messages

    def answer(text: str, tool: str | None = None) -> AgentAnswer:
        steps = [ToolStep(tool, {}, "done", 0.1, output=ToolOutput(tool, "Order 100234567: shipped."))]
        return AgentAnswer(text=text, steps=steps if tool else [])

    store = ConversationStore(tmp_path / "app.db")
    liked = store.start("customer", "U000001")
    index = store.add_messages(liked, turn_messages("has my blue kettle left yet?",
                                                    answer("It shipped.", "my_orders")))
    store.record_feedback(liked, index[-1], "up")
    corrected = store.start("customer", "U000002")
    index = store.add_messages(corrected, turn_messages("can I return shoes?", answer("No.")))
    store.record_feedback(corrected, index[-1], "down", correction="Yes, within 30 days.")
    rejected = store.start("customer", "U000003")
    index = store.add_messages(rejected, turn_messages("hello", answer("Bad answer.")))
    store.record_feedback(rejected, index[-1], "down")
    export = tmp_path / "console.jsonl"
    store.export_jsonl(export)
    # A chat-format transcript file that records its agent's tool calls keeps them as labels.
    chat = tmp_path / "bot.jsonl"
    chat.write_text(json.dumps({"conversation_id": "bot-1", "messages": [
        {"role": "user", "content": "Did the parcel with my kettle leave?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": "my_orders", "arguments": {}}}]},
        {"role": "tool", "content": "Order 100234567: shipped."},
        {"role": "assistant", "content": "It shipped."}]}) + "\n", encoding="utf-8")

    sources = _sources(tmp_path)
    mapped = [arg for name in ("tickets", "zendesk") for arg in ("--source", "{}:{}".format(*sources[name]))]
    report, dialogues = prepare(data_dir, "--app-export", str(export), "--transcripts", str(chat), *mapped)
    assert ("Read 8 dialogues (2 from app, 1 from bot.jsonl, 3 from tickets.csv, 2 from zendesk.json)"
            in report)
    assert "1 thumbs-down without correction" in report
    assert dialogues[liked].messages[1]["tool_calls"][0]["function"]["name"] == "my_orders"
    assert dialogues[corrected].messages[-1]["content"] == "Yes, within 30 days."
    assert rejected not in dialogues
    # The console's own tool choice is a label unless a person corrected the reply (the correction gives
    # words, not whether a tool should have been called); transcripts' replies in words are no labels.
    known = {conversation: d.tool_choice_known for conversation, d in dialogues.items()}
    assert known == {liked: True, corrected: False, "bot-1": True, "T-1": False, "T-2": False, "T-3": False,
                     "5001": False, "5002": False}
