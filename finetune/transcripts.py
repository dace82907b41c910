"""Support transcripts in the shapes shops export, mapped onto dialogues by flags.

Two shapes, any file format (`finetune.transcript_files`):
- **messages**, one row per message (long thread exports, help-desk comments): `conversation_id`, `role`,
  `text`, and optionally `turn` or `timestamp` for the order; `--map canonical=COLUMN` names the columns
  and `--role-values customer=end-user,assistant=agent` the role column's values;
- **pairs**, one row per exchange (a ticket per row, Q/A files): `--pairs question=COL,answer=COL`, or
  `question=COL,intent=COL` for intent-labelled questions (the reply is the customer tool that serves the
  intent); rows that share a mapped `conversation_id` form one conversation.

Internal notes and automated messages are dropped (`--internal COLUMN=VALUE`, `--automated COLUMN=VALUE`),
bodies written in HTML become text, template placeholders (`{{Order Number}}`) plain words, and people's
names from `--names` columns are masked wherever they appear. Every dropped row is counted with its reason.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from finetune.data import Dialogue, TranscriptError, load_jsonl_transcripts, tool_call
from finetune.pii import ScrubReport, mask_names, name_words
from finetune.transcript_files import Row, columns_of, html_to_text, is_chat_jsonl, read_rows

MESSAGE_COLUMNS = ("conversation_id", "role", "text", "turn", "timestamp", "comments")
PAIR_FIELDS = ("question", "answer", "intent")
ROLE_TARGETS = {"customer": "user", "assistant": "assistant"}
DEFAULT_ROLE_VALUES = {"customer": "user", "user": "user", "end-user": "user", "agent": "assistant",
                       "assistant": "assistant"}
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


def _pairs_of(flags: list[str], what: str, flag: str) -> list[tuple[str, str]]:
    pairs = []
    for item in flags:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise TranscriptError(f"{flag} {item!r}: expected {what}.")
        pairs.append((key.strip(), value.strip()))
    return pairs


@dataclass
class TranscriptMapping:
    """How a transcript export's columns and values map onto dialogues."""

    columns: dict[str, str] = field(default_factory=dict)  # canonical -> source column
    role_values: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLE_VALUES))  # value -> role
    pairs: dict[str, str] = field(default_factory=dict)  # question/answer/intent -> source column
    internal: list[tuple[str, str]] = field(default_factory=list)  # (column, value): an internal note
    automated: list[tuple[str, str]] = field(default_factory=list)  # (column, value): an automated message
    names: list[str] = field(default_factory=list)  # columns holding people's names

    @classmethod
    def from_flags(
        cls, map_: list[str], role_values: str | None, pairs: str | None, internal: list[str],
        automated: list[str], names: str | None,
    ) -> TranscriptMapping:
        """The mapping `finetune prepare`'s flags describe; unknown names are refused with the valid ones."""
        columns = dict(_pairs_of(map_, "canonical=COLUMN", "--map"))
        unknown = sorted(set(columns) - set(MESSAGE_COLUMNS))
        if unknown:
            raise TranscriptError(f"--map {', '.join(unknown)}: not a transcript column; map one of "
                                  f"{', '.join(MESSAGE_COLUMNS)}.")
        mapping = cls(columns=columns,
                      internal=_pairs_of(internal, "COLUMN=VALUE", "--internal"),
                      automated=_pairs_of(automated, "COLUMN=VALUE", "--automated"),
                      names=[n.strip() for n in (names or "").split(",") if n.strip()])
        if role_values:
            mapping.role_values = {}
            for role, value in _pairs_of(role_values.split(","), "role=VALUE", "--role-values"):
                if role not in ROLE_TARGETS:
                    raise TranscriptError(f"--role-values {role}={value}: roles are "
                                          f"{' and '.join(ROLE_TARGETS)}.")
                mapping.role_values[value.lower()] = ROLE_TARGETS[role]
        if pairs:
            mapping.pairs = dict(_pairs_of(pairs.split(","), "question=COL,answer=COL", "--pairs"))
            bad = sorted(set(mapping.pairs) - set(PAIR_FIELDS))
            one_reply = ("answer" in mapping.pairs) != ("intent" in mapping.pairs)
            if bad or "question" not in mapping.pairs or not one_reply:
                raise TranscriptError(f"--pairs {pairs!r}: give question=COL and either answer=COL or "
                                      "intent=COL.")
        return mapping

    def column(self, canonical: str) -> str:
        """The source column of a canonical one (its own name when not mapped)."""
        return self.columns.get(canonical, canonical)


@dataclass
class TranscriptFile:
    """What one transcript file gave: dialogues, rows read and kept, drops by reason, names masked."""

    dialogues: list[Dialogue]
    rows_read: int
    rows_kept: int
    dropped: Counter
    names: ScrubReport


def cell(row: Row, column: str) -> str:
    """A row's value as text: '' when absent, JSON's false as 'False' (value matching ignores case)."""
    value = row.get(column)
    return "" if value is None else str(value).strip()


def clean_text(text: str) -> str:
    """A cell as training text: HTML to text, template placeholders to plain words."""
    return _PLACEHOLDER.sub(lambda m: m.group(1).lower(), html_to_text(text)).strip()


def _require(path: Path, rows: list[Row], wanted: dict[str, str], fix: str) -> None:
    """Fail naming each missing column, how to fix it (`fix`, with {name}) and the file's columns."""
    found = columns_of(rows)
    missing = [(name, column) for name, column in wanted.items() if column not in found]
    if missing:
        fixes = ", ".join(f"{name} (looked for column {column!r}; {fix.format(name=name)})"
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


def _messages_of_row(row: Row, mapping: TranscriptMapping, dropped: Counter) -> list[dict[str, Any]]:
    """A row's messages (one, or a pair's two); [] with the reason counted when it is dropped."""
    if _matches(row, mapping.internal):
        dropped["internal notes"] += 1
        return []
    if _matches(row, mapping.automated):
        dropped["automated messages"] += 1
        return []
    if mapping.pairs:
        question = clean_text(cell(row, mapping.pairs["question"]))
        if not question:
            dropped["rows with an empty question"] += 1
            return []
        if "intent" in mapping.pairs:
            intent = cell(row, mapping.pairs["intent"])
            if intent not in INTENT_TOOLS:
                dropped[f"rows with intent {intent!r}, which no tool serves"] += 1
                return []
            return [{"role": "user", "content": question}, _reply_for_intent(question, intent)]
        answer = clean_text(cell(row, mapping.pairs["answer"]))
        if not answer:
            dropped["rows with an empty answer"] += 1
            return []
        return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    value = cell(row, mapping.column("role"))
    role = mapping.role_values.get(value.lower())
    if role is None:
        dropped[f"rows with role {value!r} (not in --role-values)"] += 1
        return []
    text = clean_text(cell(row, mapping.column("text")))
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
        _require(path, rows, dict(mapping.pairs), "map it with --pairs {name}=COLUMN")
    else:
        _require(path, rows, {name: mapping.column(name) for name in ("conversation_id", "role", "text")},
                 "map it with --map {name}=COLUMN")
    ordering = {name: column for name, column in mapping.columns.items() if name in ("turn", "timestamp")}
    _require(path, rows, ordering, "map it with --map {name}=COLUMN")
    _require(path, rows, {f"name column {column}": column for column in mapping.names}, "fix --names")
    grouped = not mapping.pairs or mapping.column("conversation_id") in columns
    dropped: Counter = Counter()
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
        messages = _messages_of_row(row, mapping, dropped)
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
        dialogues.append(Dialogue(conversation, messages, source, "customer"))
    return TranscriptFile(dialogues, len(rows), kept, dropped, report)


def read_transcripts(path: Path, mapping: TranscriptMapping | None = None) -> TranscriptFile:
    """A transcript file as dialogues: OpenAI-style chat JSONL as it is, anything else through `mapping`."""
    mapping = mapping or TranscriptMapping()
    if is_chat_jsonl(path) and not mapping.columns and not mapping.pairs:
        dialogues = load_jsonl_transcripts(path)
        return TranscriptFile(dialogues, len(dialogues), len(dialogues), Counter(), ScrubReport())
    rows = read_rows(path, mapping.columns.get("comments"))
    return dialogues_from_rows(path, rows, mapping, path.name)


def load_bitext(path: Path, limit_per_intent: int | None = None) -> list[Dialogue]:
    """The Bitext utterances (`utterance`, `intent`) as one-turn dialogues ending in the right tool call."""
    mapping = TranscriptMapping(pairs={"question": "utterance", "intent": "intent"})
    return dialogues_from_rows(path, read_rows(path), mapping, "bitext", limit_per_intent).dialogues
