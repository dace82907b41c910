"""Turn support transcripts into chat(+tools) training examples.

Sources: JSONL chat transcripts, the apps' exported conversations with feedback, and (through
`finetune.transcripts`) the exports support desks have, mapped by flags. Every text is PII-scrubbed with
a report of what was masked; duplicates are dropped; the train/validation split is by conversation, so no
conversation leaks across it.

A `Dialogue` is OpenAI-style messages: {"role": "system"|"user"|"assistant"|"tool", "content": str} and,
for assistant tool calls, {"tool_calls": [{"type": "function", "function": {"name", "arguments": {...}}}]}.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from finetune.pii import ScrubReport, scrub

ROLES = ("system", "user", "assistant", "tool")


class TranscriptError(ValueError):
    """A transcript file that cannot be read as training data."""


@dataclass
class Dialogue:
    """One conversation as training data."""

    conversation_id: str
    messages: list[dict[str, Any]]
    source: str
    role: Literal["customer", "operator"] = "customer"
    # Whether the first reply's tool (or none) is the right choice, so a label for tool choice: False for
    # support transcripts, whose agents looked orders up elsewhere and replied in words.
    tool_choice_known: bool = True

    def fingerprint(self) -> str:
        """Hash of the normalised messages, for de-duplication."""
        norm = [
            (m["role"], re.sub(r"\s+", " ", str(m.get("content") or "")).strip().lower(),
             json.dumps(m.get("tool_calls"), sort_keys=True))
            for m in self.messages
        ]
        return hashlib.sha256(json.dumps(norm).encode()).hexdigest()


@dataclass
class PrepareReport:
    """What preparation read, dropped, masked and wrote."""

    read: Counter = field(default_factory=Counter)  # dialogues per source
    rows_read: Counter = field(default_factory=Counter)  # rows per transcript file
    rows_kept: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)  # rows, conversations or dialogues, by reason
    trimmed: Counter = field(default_factory=Counter)  # messages that lost quoted e-mail history, a signature
    pii: ScrubReport = field(default_factory=ScrubReport)
    train: int = 0
    validation: int = 0

    def summary(self) -> str:
        """What was read, kept, dropped (with reasons), masked (per kind, with lines to check) and written."""
        read = ", ".join(f"{n} from {src}" for src, n in sorted(self.read.items()))
        dropped = ", ".join(f"{n} {why}" for why, n in sorted(self.dropped.items())) or "none"
        lines = [f"{name}: {n} rows read, {self.rows_kept[name]} kept." for name, n in self.rows_read.items()]
        if self.trimmed:
            cut = ", ".join(f"{n} {what}" for what, n in sorted(self.trimmed.items()))
            lines.append(f"Cut from messages (only their authors' words are kept): {cut}.")
        lines.append(
            f"Read {sum(self.read.values())} dialogues ({read}); dropped {dropped}; {self.pii.summary()} "
            f"Wrote {self.train} train and {self.validation} validation dialogues."
        )
        samples = self.pii.sample_lines()
        if samples:
            lines += ["Masked lines to check:", *(f"  {line}" for line in samples)]
        return "\n".join(lines)


def _check_messages(messages: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise TranscriptError(f"{where}: 'messages' must be a non-empty list of {{role, content}} objects.")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise TranscriptError(
                f"{where}: message {i} has role "
                f"{message.get('role') if isinstance(message, dict) else message!r}; "
                f"roles must be one of {', '.join(ROLES)}."
            )
    return messages


def load_jsonl_transcripts(path: Path, source: str | None = None) -> list[Dialogue]:
    """JSONL, one conversation a line: {"conversation_id"?, "role"?, "messages": [...]}."""
    dialogues = []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TranscriptError(f"{path}:{line_no}: not valid JSON ({exc.msg}).") from exc
            messages = _check_messages(record.get("messages"), f"{path}:{line_no}")
            dialogues.append(
                Dialogue(
                    str(record.get("conversation_id") or f"{path.stem}-{line_no}"),
                    messages,
                    source or path.name,
                    record.get("role", "customer"),
                )
            )
    return dialogues


def load_app_export(path: Path) -> tuple[list[Dialogue], Counter]:
    """The apps' JSONL export with feedback: thumbs-up answers kept, thumbs-down replaced by the correction.

    Each line: {"conversation_id", "role", "messages": [...], "feedback": [{"message_index", "rating":
    "up"|"down", "comment"?, "correction"?}]}. A conversation with a thumbs-down and no correction is
    dropped (its answer is known to be bad and we have no better one). A corrected one's tool choice is
    unknown: the correction gives the right words, not whether a tool should have been called first.
    """
    kept: list[Dialogue] = []
    dropped: Counter = Counter()
    for dialogue_record in _read_jsonl(path):
        messages = _check_messages(dialogue_record.get("messages"), str(path))
        bad = corrected = False
        for fb in dialogue_record.get("feedback", []):
            index = fb.get("message_index")
            if (
                not isinstance(index, int)
                or not 0 <= index < len(messages)
                or messages[index]["role"] != "assistant"
            ):
                raise TranscriptError(f"{path}: feedback points at message {index!r}, "
                                      "which is not an assistant message.")
            if fb.get("rating") == "down":
                if fb.get("correction"):
                    messages[index] = {"role": "assistant", "content": fb["correction"]}
                    corrected = True
                else:
                    bad = True
        if bad:
            dropped["thumbs-down without correction"] += 1
            continue
        kept.append(
            Dialogue(str(dialogue_record["conversation_id"]), messages, "app",
                     dialogue_record.get("role", "customer"), tool_choice_known=not corrected)
        )
    return kept, dropped


def _read_jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise TranscriptError(f"{path}:{line_no}: not valid JSON ({exc.msg}).") from exc


def tool_call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """An assistant message that calls one tool."""
    return {"role": "assistant", "content": "",
            "tool_calls": [{"type": "function", "function": {"name": name, "arguments": arguments}}]}


def scrub_dialogues(dialogues: list[Dialogue]) -> tuple[list[Dialogue], ScrubReport]:
    """Mask PII in every message's content; tool-call arguments are scrubbed too."""
    total = ScrubReport()
    for dialogue in dialogues:
        for message in dialogue.messages:
            if message.get("content"):
                message["content"], report = scrub(str(message["content"]))
                total.add(report)
            for call in message.get("tool_calls") or []:
                args = call["function"]["arguments"]
                for key, value in list(args.items()):
                    if isinstance(value, str):
                        args[key], report = scrub(value)
                        total.add(report)
    return dialogues, total


def deduplicate(dialogues: list[Dialogue]) -> tuple[list[Dialogue], int]:
    """Drop dialogues whose normalised messages repeat an earlier one."""
    seen: set[str] = set()
    unique = []
    for dialogue in dialogues:
        key = dialogue.fingerprint()
        if key not in seen:
            seen.add(key)
            unique.append(dialogue)
    return unique, len(dialogues) - len(unique)


def question_key(text: str) -> str:
    """A question reduced to its words, with every number and id as '#', for matching near-verbatim copies."""
    return " ".join(re.sub(r"\d+", "#", re.sub(r"[^\w\s]", " ", text.lower())).split())


def decontaminate(dialogues: list[Dialogue], held_out: set[str]) -> tuple[list[Dialogue], int]:
    """Drop dialogues whose user turns match a held-out (benchmark) question by `question_key`."""
    kept = [
        d for d in dialogues
        if not any(m["role"] == "user" and question_key(str(m.get("content") or "")) in held_out
                   for m in d.messages)
    ]
    return kept, len(dialogues) - len(kept)


def split_by_conversation(
    dialogues: list[Dialogue], validation_fraction: float = 0.1, seed: int = 0
) -> tuple[list[Dialogue], list[Dialogue]]:
    """Deterministic split by a hash of the conversation id, so a conversation never spans both sides."""
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be between 0 and 1, got {validation_fraction}.")
    train, validation = [], []
    for dialogue in dialogues:
        digest = hashlib.sha256(f"{seed}:{dialogue.source}:{dialogue.conversation_id}".encode()).digest()
        (validation if digest[0] / 256 < validation_fraction else train).append(dialogue)
    return train, validation


def write_jsonl(dialogues: list[Dialogue], path: Path) -> None:
    """Write dialogues atomically, one JSON object a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(asdict(dialogue), ensure_ascii=False) + "\n" for dialogue in dialogues)
    os.replace(tmp, path)


def read_dialogues(path: Path) -> list[Dialogue]:
    """Read dialogues written by `write_jsonl`."""
    return [Dialogue(**record) for record in _read_jsonl(path)]
