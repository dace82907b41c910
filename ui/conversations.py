"""Both apps' conversations and feedback in SQLite (WAL), exported as the JSONL that `finetune/` reads.

Messages are stored in the training format (OpenAI-style: user, assistant tool calls, tool results, final
assistant answer), so the export is a straight read: one line per conversation,
`{"conversation_id", "role", "messages": [...], "feedback": [{"message_index", "rating", "comment"?,
"correction"?}]}`, exactly what `finetune.data.load_app_export` expects.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from agent.answer import AgentAnswer

Rating = Literal["up", "down"]
RATINGS: tuple[Rating, ...] = ("up", "down")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    conversation_id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    user_id TEXT,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(conversation_id),
    message_index INTEGER NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, message_index)
);
CREATE TABLE IF NOT EXISTS feedback (
    conversation_id TEXT NOT NULL REFERENCES conversations(conversation_id),
    message_index INTEGER NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT,
    correction TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, message_index)
);
"""


class ConversationError(ValueError):
    """A conversation, message or feedback the store cannot accept; the message says what was wrong."""


@dataclass(frozen=True)
class ConversationRow:
    """One conversation in the operator's list."""

    conversation_id: str
    role: str
    user_id: str | None
    started_at: str
    updated_at: str
    messages: int
    thumbs_up: int
    thumbs_down: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ConversationStore:
    """Conversations, their messages and feedback in one SQLite file (WAL: readers never block the writer)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection per operation (handlers run on many threads); commits or rolls back."""
        con = sqlite3.connect(self.path, timeout=30)
        try:
            con.execute("PRAGMA foreign_keys=ON")
            with con:
                yield con
        finally:
            con.close()

    # ------------------------------------------------------------------ writing
    def start(self, role: Literal["customer", "operator"], user_id: str | None = None) -> str:
        """Open a new conversation and return its id."""
        if role not in ("customer", "operator"):
            raise ConversationError(f"Unknown role {role!r}. Roles: customer, operator.")
        conversation_id = uuid.uuid4().hex
        now = _now()
        with self._connect() as con:
            con.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?)", (conversation_id, role, user_id, now, now)
            )
        return conversation_id

    def add_messages(self, conversation_id: str, messages: list[dict[str, Any]]) -> list[int]:
        """Append messages (one transaction) and return their indexes in the conversation."""
        for message in messages:
            if message.get("role") not in ("system", "user", "assistant", "tool"):
                raise ConversationError(
                    f"Message role {message.get('role')!r} is not one of system, user, assistant, tool."
                )
        now = _now()
        with self._connect() as con:
            self._require(con, conversation_id)
            start = con.execute(
                "SELECT coalesce(max(message_index) + 1, 0) FROM messages WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()[0]
            indexes = list(range(start, start + len(messages)))
            con.executemany(
                "INSERT INTO messages VALUES (?, ?, ?, ?)",
                [(conversation_id, i, json.dumps(m, ensure_ascii=False), now)
                 for i, m in zip(indexes, messages)],
            )
            con.execute("UPDATE conversations SET updated_at = ? WHERE conversation_id = ?",
                        (now, conversation_id))
        return indexes

    def drop_from(self, conversation_id: str, message_index: int) -> None:
        """Forget messages from `message_index` on, and their feedback (a retried turn replaces them)."""
        with self._connect() as con:
            self._require(con, conversation_id)
            for table in ("feedback", "messages"):
                con.execute(
                    f"DELETE FROM {table} WHERE conversation_id = ? AND message_index >= ?",
                    (conversation_id, message_index),
                )

    def record_feedback(
        self,
        conversation_id: str,
        message_index: int,
        rating: Rating,
        comment: str | None = None,
        correction: str | None = None,
    ) -> None:
        """Thumbs up/down on one assistant message; a later call updates it (None keeps an earlier
        comment)."""
        if rating not in RATINGS:
            raise ConversationError(f"Rating {rating!r} is not valid. Ratings: {', '.join(RATINGS)}.")
        with self._connect() as con:
            self._require(con, conversation_id)
            row = con.execute(
                "SELECT message FROM messages WHERE conversation_id = ? AND message_index = ?",
                (conversation_id, message_index),
            ).fetchone()
            if (
                row is None
                or json.loads(row[0]).get("role") != "assistant"
                or json.loads(row[0]).get("tool_calls")
            ):
                raise ConversationError(
                    f"Message {message_index} of conversation {conversation_id} is not an assistant answer; "
                    "feedback rates answers only."
                )
            con.execute(
                """INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (conversation_id, message_index) DO UPDATE SET rating = excluded.rating,
                   comment = coalesce(excluded.comment, feedback.comment),
                   correction = coalesce(excluded.correction, feedback.correction),
                   created_at = excluded.created_at""",
                (conversation_id, message_index, rating, _blank_to_none(comment),
                 _blank_to_none(correction), _now()),
            )

    @staticmethod
    def _require(con: sqlite3.Connection, conversation_id: str) -> None:
        if con.execute("SELECT 1 FROM conversations WHERE conversation_id = ?",
                       (conversation_id,)).fetchone() is None:
            raise ConversationError(f"No conversation {conversation_id!r}; start one first.")

    # ------------------------------------------------------------------ reading
    def owner(self, conversation_id: str) -> tuple[str, str | None] | None:
        """The (role, user id) of a stored conversation; None when there is no such conversation."""
        with self._connect() as con:
            row = con.execute("SELECT role, user_id FROM conversations WHERE conversation_id = ?",
                              (conversation_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's messages in order."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT message FROM messages WHERE conversation_id = ? ORDER BY message_index",
                (conversation_id,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def feedback(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's feedback records, in export form."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT message_index, rating, comment, correction FROM feedback WHERE conversation_id = ? "
                "ORDER BY message_index",
                (conversation_id,),
            ).fetchall()
        return [_feedback_record(*row) for row in rows]

    def recent(self, limit: int = 50) -> list[ConversationRow]:
        """The most recently active conversations with their message and feedback counts."""
        with self._connect() as con:
            rows = con.execute(
                """SELECT c.conversation_id, c.role, c.user_id, c.started_at, c.updated_at,
                          (SELECT count(*) FROM messages m WHERE m.conversation_id = c.conversation_id),
                          (SELECT count(*) FROM feedback f
                           WHERE f.conversation_id = c.conversation_id AND rating = 'up'),
                          (SELECT count(*) FROM feedback f
                           WHERE f.conversation_id = c.conversation_id AND rating = 'down')
                   FROM conversations c ORDER BY c.updated_at DESC, c.rowid DESC LIMIT ?""",
                (limit,),
            ).fetchall()
        return [ConversationRow(*row) for row in rows]

    def export_jsonl(self, path: Path | str) -> int:
        """Write every conversation that has messages as one JSONL line (atomically); returns the count."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            conversations = con.execute(
                "SELECT conversation_id, role FROM conversations ORDER BY started_at, rowid"
            ).fetchall()
            messages: dict[str, list[dict[str, Any]]] = {}
            for conversation_id, text in con.execute(
                "SELECT conversation_id, message FROM messages ORDER BY conversation_id, message_index"
            ):
                messages.setdefault(conversation_id, []).append(json.loads(text))
            feedback: dict[str, list[dict[str, Any]]] = {}
            for conversation_id, *row in con.execute(
                "SELECT conversation_id, message_index, rating, comment, correction FROM feedback "
                "ORDER BY conversation_id, message_index"
            ):
                feedback.setdefault(conversation_id, []).append(_feedback_record(*row))
        temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        written = 0
        with open(temporary, "w", encoding="utf-8") as handle:
            for conversation_id, role in conversations:
                if conversation_id not in messages:
                    continue
                record = {
                    "conversation_id": conversation_id,
                    "role": role,
                    "messages": messages[conversation_id],
                    "feedback": feedback.get(conversation_id, []),
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
        os.replace(temporary, path)
        return written


def _blank_to_none(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def _feedback_record(
    message_index: int, rating: str, comment: str | None, correction: str | None
) -> dict[str, Any]:
    record: dict[str, Any] = {"message_index": message_index, "rating": rating}
    if comment:
        record["comment"] = comment
    if correction:
        record["correction"] = correction
    return record


def turn_messages(question: str, answer: AgentAnswer) -> list[dict[str, Any]]:
    """One answered turn in training form: the question, each tool call and its result, the final answer."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    for step in answer.steps:
        messages.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"type": "function",
                                "function": {"name": step.name, "arguments": step.arguments}}],
            }
        )
        if step.status == "done" and step.output is not None:
            result = step.output.as_message_text()
        else:
            result = f"Error executing tool '{step.name}': {step.error}"
        messages.append({"role": "tool", "name": step.name, "content": result})
    messages.append({"role": "assistant", "content": answer.text})
    return messages
