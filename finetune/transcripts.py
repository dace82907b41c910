"""Support transcripts in the shapes shops export, mapped onto dialogues by flags or a mapping file per source
(`finetune.transcript_mapping`).

Two shapes, any file format (`finetune.transcript_files`):
- **messages**, one row per message (long thread exports, help-desk comments): `conversation_id`, `role`,
  `text`, and optionally `turn` or `timestamp` for the order; `--map canonical=COLUMN` names the columns
  and `--role-values customer=end-user,assistant=agent` the role column's values;
- **pairs**, one row per exchange (a ticket per row, Q/A files): `--pairs question=COL,answer=COL`, or
  `question=COL,intent=COL` for intent-labelled questions (the reply is the customer tool that serves the
  intent); rows that share a mapped `conversation_id` form one conversation.

Internal notes and automated messages are dropped (`--internal COLUMN=VALUE`, `--automated COLUMN=VALUE`),
bodies written in HTML become text and lose the e-mail history they quote and their signature
(`finetune.email_text`, counted), template placeholders (`{{Order Number}}`) become plain words, and people's
names from `--names` columns are masked wherever they appear. Every dropped row is counted with its reason.

A transcript's replies are the words its agent wrote after looking things up elsewhere, so which tool (or
none) its first reply takes is not known (`Dialogue.tool_choice_known`); intent-labelled pairs reply with
the tool that serves the intent, and chat JSONL that records tool calls keeps them, so theirs is.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from finetune.data import Dialogue, TranscriptError, load_jsonl_transcripts, tool_call
from finetune.email_text import author_text
from finetune.pii import ScrubReport, mask_names, name_words
from finetune.transcript_files import Row, columns_of, html_to_text, is_chat_jsonl, read_rows
from finetune.transcript_mapping import TranscriptMapping

# Intents of customer-service questions -> the customer tool that serves them (None: answered in words).
# The labels are Bitext's 27 customer-service intents (CDLA-Sharing-1.0, Bitext Innovations).
INTENT_TOOLS: dict[str, str | None] = {
    "track_order": "my_orders", "check_invoice": "my_orders", "get_invoice": "my_orders",
    "track_refund": "my_orders",
    "cancel_order": "search_docs", "change_order": "search_docs", "check_cancellation_fee": "search_docs",
    "change_shipping_address": "search_docs", "set_up_shipping_address": "search_docs",
    "delivery_options": "search_docs", "delivery_period": "search_docs", "check_refund_policy": "search_docs",
    "get_refund": "search_docs", "check_payment_methods": "search_docs", "payment_issue": "search_docs",
    "create_account": "search_docs", "delete_account": "search_docs", "edit_account": "search_docs",
    "recover_password": "search_docs", "registration_problems": "search_docs",
    "switch_account": "search_docs", "newsletter_subscription": "search_docs", "place_order": "search_docs",
    "complaint": "search_docs", "contact_customer_service": "search_docs",
    "contact_human_agent": "search_docs", "review": None,
}
REVIEW_REPLY = ("Thank you for your feedback! You can leave a review from the product page once your order "
                "has been delivered.")
_PLACEHOLDER = re.compile(r"\{\{\s*([^}]+?)\s*\}\}")


@dataclass
class TranscriptFile:
    """What one transcript file gave: dialogues, rows read and kept, drops by reason, names masked, and
    quoted histories and signatures cut from messages."""

    dialogues: list[Dialogue]
    rows_read: int
    rows_kept: int
    dropped: Counter
    names: ScrubReport
    trimmed: Counter


def cell(row: Row, column: str) -> str:
    """A row's value as text: '' when absent, JSON's false as 'False' (value matching ignores case)."""
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _own_words(text: str, trimmed: Counter) -> str:
    """Only the author's words of a message: quoted e-mail history and signature cut, and counted."""
    own = author_text(text)
    if own.quoted_history:
        trimmed["quoted e-mail histories"] += 1
    if own.signature:
        trimmed["signatures"] += 1
    return own.text


def clean_text(text: str, trimmed: Counter) -> str:
    """A cell as training text: HTML to text, only its author's words (counted in `trimmed` when something
    was cut), template placeholders to plain words."""
    return _PLACEHOLDER.sub(lambda m: m.group(1).lower(), _own_words(html_to_text(text), trimmed)).strip()


def _require(
    path: Path, rows: list[Row], wanted: dict[str, str], mapping: TranscriptMapping, key: str
) -> None:
    """Fail naming each missing column, how to map it (under `key` of the mapping) and the file's columns."""
    found = columns_of(rows)
    missing = [(name, column) for name, column in wanted.items() if column not in found]
    if missing:
        fixes = ", ".join(f"{name} (looked for column {column!r}; {mapping.how_to_map(key, name)})"
                          for name, column in missing)
        raise TranscriptError(f"{path}: missing {fixes}. The file's columns: {', '.join(found) or 'none'}.")


def _matches(row: Row, conditions: list[tuple[str, str]]) -> bool:
    return any(cell(row, column).lower() == value.lower() for column, value in conditions)


def _order_key(row: Row, mapping: TranscriptMapping, columns: list[str]) -> tuple[float, ...] | None:
    """The row's place in its conversation: its turn or timestamp (None when unreadable), or () if neither."""
    for canonical in ("turn", "timestamp"):
        column = mapping.column(canonical)
        if column not in columns:
            continue
        value = cell(row, column)
        try:
            if canonical == "turn":
                return (float(value),)
            moment = datetime.fromisoformat(value)
            return ((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp(),)
        except ValueError:
            return None
    return ()


def _names_in(rows: list[Row], columns: list[str]) -> set[str]:
    return {cell(row, c) for row in rows for c in columns} - {""}


def _reply_for_intent(question: str, intent: str) -> dict[str, Any]:
    tool = INTENT_TOOLS[intent]
    if tool == "my_orders":
        return tool_call("my_orders", {})
    if tool == "search_docs":
        return tool_call("search_docs", {"query": question[:200]})
    return {"role": "assistant", "content": REVIEW_REPLY}


def _messages_of_row(
    row: Row, mapping: TranscriptMapping, dropped: Counter, trimmed: Counter
) -> list[dict[str, Any]]:
    """A row's messages (one, or a pair's two); [] with the reason counted when it is dropped."""
    if _matches(row, mapping.internal):
        dropped["internal notes"] += 1
        return []
    if _matches(row, mapping.automated):
        dropped["automated messages"] += 1
        return []
    if mapping.pairs:
        question = clean_text(cell(row, mapping.pairs["question"]), trimmed)
        if not question:
            dropped["rows with an empty question"] += 1
            return []
        if "intent" in mapping.pairs:
            intent = cell(row, mapping.pairs["intent"])
            if intent not in INTENT_TOOLS:
                dropped[f"rows with intent {intent!r}, which no tool serves"] += 1
                return []
            return [{"role": "user", "content": question}, _reply_for_intent(question, intent)]
        answer = clean_text(cell(row, mapping.pairs["answer"]), trimmed)
        if not answer:
            dropped["rows with an empty answer"] += 1
            return []
        return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    value = cell(row, mapping.column("role"))
    role = mapping.role_values.get(value.lower())
    if role is None:
        dropped[f"rows with role {value!r} (not in {mapping.term('role_values')})"] += 1
        return []
    text = clean_text(cell(row, mapping.column("text")), trimmed)
    if not text:
        dropped["rows with empty text"] += 1
        return []
    return [{"role": role, "content": text}]


def _merged(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive plain messages of one role joined (a customer writing twice is one turn)."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        previous = merged[-1] if merged else None
        if (previous is not None and previous["role"] == message["role"]
                and not previous.get("tool_calls") and not message.get("tool_calls")):
            merged[-1] = {**previous, "content": f"{previous['content']}\n\n{message['content']}"}
        else:
            merged.append(message)
    return merged


def _has_reply(messages: list[dict[str, Any]]) -> bool:
    roles = [m["role"] for m in messages]
    return "user" in roles and "assistant" in roles[roles.index("user"):]


def dialogues_from_rows(
    path: Path, rows: list[Row], mapping: TranscriptMapping, source: str, per_intent: int | None = None
) -> TranscriptFile:
    """Group, order, clean and filter `rows` into dialogues as `mapping` says."""
    columns = columns_of(rows)
    if mapping.pairs:
        _require(path, rows, dict(mapping.pairs), mapping, "pairs")
    else:
        _require(path, rows, {name: mapping.column(name) for name in ("conversation_id", "role", "text")},
                 mapping, "columns")
    ordering = {name: column for name, column in mapping.columns.items() if name in ("turn", "timestamp")}
    _require(path, rows, ordering, mapping, "columns")
    _require(path, rows, {f"name column {column}": column for column in mapping.names}, mapping, "names")
    grouped = not mapping.pairs or mapping.column("conversation_id") in columns
    dropped: Counter = Counter()
    trimmed: Counter = Counter()
    per_intent_seen: Counter = Counter()
    conversations: dict[str, list[tuple[tuple[float, ...], int, dict[str, Any]]]] = {}
    kept = 0
    # Rows are numbered as their lines in a CSV file (the header is line 1), else from 1.
    for number, row in enumerate(rows, 2 if path.suffix == ".csv" else 1):
        if per_intent is not None and "intent" in mapping.pairs:
            intent = cell(row, mapping.pairs["intent"])
            if per_intent_seen[intent] >= per_intent:
                continue
            per_intent_seen[intent] += 1
        key = _order_key(row, mapping, columns)
        if key is None:
            dropped["rows with an unreadable turn or timestamp"] += 1
            continue
        messages = _messages_of_row(row, mapping, dropped, trimmed)
        if not messages:
            continue
        kept += 1
        conversation = cell(row, mapping.column("conversation_id")) if grouped else f"{source}-{number}"
        conversations.setdefault(conversation, []).extend((key, number, m) for m in messages)
    names = name_words(_names_in(rows, mapping.names))
    report = ScrubReport()
    dialogues = []
    for conversation, items in conversations.items():
        messages = _merged([m for _, _, m in sorted(items, key=lambda item: item[:2])])
        if not _has_reply(messages):
            dropped["conversations without an agent reply to the customer"] += 1
            continue
        for message in messages:
            if names and message.get("content"):
                message["content"], masked = mask_names(message["content"], names)
                report.add(masked)
        dialogues.append(Dialogue(conversation, messages, source, "customer",
                                  tool_choice_known="intent" in mapping.pairs))
    return TranscriptFile(dialogues, len(rows), kept, dropped, report, trimmed)


def _chat_transcripts(path: Path) -> TranscriptFile:
    """OpenAI-style chat JSONL: its messages less quoted e-mail history and signatures; the first replies'
    tool choice is known when the file records tool calls (its agent's lookups are in it)."""
    dialogues = load_jsonl_transcripts(path)
    trimmed: Counter = Counter()
    records_tools = any(m.get("tool_calls") or m["role"] == "tool" for d in dialogues for m in d.messages)
    for dialogue in dialogues:
        dialogue.tool_choice_known = records_tools
        for message in dialogue.messages:
            if message["role"] in ("user", "assistant") and isinstance(message.get("content"), str):
                message["content"] = _own_words(message["content"], trimmed)
    return TranscriptFile(dialogues, len(dialogues), len(dialogues), Counter(), ScrubReport(), trimmed)


def read_transcripts(path: Path, mapping: TranscriptMapping | None = None) -> TranscriptFile:
    """A transcript file as dialogues: OpenAI-style chat JSONL as it is (less quoted history and
    signatures), anything else through `mapping`."""
    mapping = mapping or TranscriptMapping()
    if is_chat_jsonl(path) and not mapping.columns and not mapping.pairs:
        return _chat_transcripts(path)
    rows = read_rows(path, mapping.columns.get("comments"))
    return dialogues_from_rows(path, rows, mapping, path.name)


def load_bitext(path: Path, limit_per_intent: int | None = None) -> list[Dialogue]:
    """The Bitext utterances (`utterance`, `intent`) as one-turn dialogues ending in the right tool call."""
    mapping = TranscriptMapping(pairs={"question": "utterance", "intent": "intent"})
    return dialogues_from_rows(path, read_rows(path), mapping, "bitext", limit_per_intent).dialogues
