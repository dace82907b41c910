"""How a transcript export maps onto dialogues: `TranscriptMapping`, from `finetune prepare`'s flags (every
`--transcripts` file alike) or from a TOML file of its own per source (`--source FILE:MAPPING.toml`).

TOML form (every key optional; the flags' names):

    names = ["ticket.requester.name", "author.name"]   # columns holding people's names (--names)
    [columns]                  # canonical = source column (--map): conversation_id, role, text, turn,
    conversation_id = "ticket.id"                      # timestamp, comments
    role = "author.role"
    text = "html_body"
    timestamp = "created_at"
    [role_values]              # role = the role column's value, or a list of them (--role-values)
    customer = ["end-user", "requester"]
    assistant = "agent"
    [pairs]                    # one exchange a row (--pairs): question, and answer or intent
    question = "customer_message"
    answer = "agent_reply"
    [internal]                 # column = value (or a list) marking internal notes (--internal)
    public = false
    [automated]                # column = value (or a list) marking automated messages (--automated)
    "via.channel" = "rule"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finetune.data import TranscriptError
from tools.events.mapping import read_mapping_file

MESSAGE_COLUMNS = ("conversation_id", "role", "text", "turn", "timestamp", "comments")
PAIR_FIELDS = ("question", "answer", "intent")
ROLE_TARGETS = {"customer": "user", "assistant": "assistant"}
DEFAULT_ROLE_VALUES = {"customer": "user", "user": "user", "end-user": "user", "agent": "assistant",
                       "assistant": "assistant"}
# A mapping file's keys and the flags they stand for.
TOML_KEYS = {"columns": "--map", "role_values": "--role-values", "pairs": "--pairs", "internal": "--internal",
             "automated": "--automated", "names": "--names"}

Pairs = list[tuple[str, str]]


def _pairs_of(flags: list[str], what: str, flag: str) -> Pairs:
    pairs = []
    for item in flags:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise TranscriptError(f"{flag} {item!r}: expected {what}.")
        pairs.append((key.strip(), value.strip()))
    return pairs


def _table_pairs(data: dict[str, Any], key: str, path: Path, lists: bool) -> Pairs:
    """A mapping file's table as (name, value) pairs; a list value (where `lists`) gives one pair per item."""
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise TranscriptError(f"{path}: {key} must be a table ([{key}] with name = value lines).")
    pairs = []
    for name, value in table.items():
        values = value if lists and isinstance(value, list) else [value]
        if any(isinstance(v, dict | list) for v in values) or not all(str(v).strip() for v in values):
            kind = "a value or a list of values" if lists else "a column name"
            raise TranscriptError(f"{path} [{key}] {name}: expected {kind}, got {value!r}.")
        pairs += [(name, str(v).strip()) for v in values]
    return pairs


@dataclass
class TranscriptMapping:
    """How a transcript export's columns and values map onto dialogues."""

    columns: dict[str, str] = field(default_factory=dict)  # canonical -> source column
    role_values: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLE_VALUES))  # value -> role
    pairs: dict[str, str] = field(default_factory=dict)  # question/answer/intent -> source column
    internal: Pairs = field(default_factory=list)  # (column, value): an internal note
    automated: Pairs = field(default_factory=list)  # (column, value): an automated message
    names: list[str] = field(default_factory=list)  # columns holding people's names
    origin: Path | None = None  # the mapping file it came from (None: `finetune prepare`'s flags)

    @classmethod
    def from_flags(
        cls, map_: list[str], role_values: str | None, pairs: str | None, internal: list[str],
        automated: list[str], names: str | None,
    ) -> TranscriptMapping:
        """The mapping `finetune prepare`'s flags describe; unknown names are refused with the valid ones."""
        return cls._checked(
            _pairs_of(map_, "canonical=COLUMN", "--map"),
            _pairs_of(role_values.split(","), "role=VALUE", "--role-values") if role_values else None,
            _pairs_of(pairs.split(","), "question=COL,answer=COL", "--pairs") if pairs else [],
            _pairs_of(internal, "COLUMN=VALUE", "--internal"),
            _pairs_of(automated, "COLUMN=VALUE", "--automated"),
            [n.strip() for n in (names or "").split(",") if n.strip()],
            None,
        )

    @classmethod
    def from_toml(cls, path: Path) -> TranscriptMapping:
        """A mapping file (see the module docstring for its form); errors name the file."""
        data = read_mapping_file(path, TOML_KEYS, TranscriptError)
        names = data.get("names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise TranscriptError(f"{path}: names must be a list of column names, e.g. "
                                  'names = ["author.name"].')
        return cls._checked(
            _table_pairs(data, "columns", path, lists=False),
            _table_pairs(data, "role_values", path, lists=True) if "role_values" in data else None,
            _table_pairs(data, "pairs", path, lists=False),
            _table_pairs(data, "internal", path, lists=True),
            _table_pairs(data, "automated", path, lists=True),
            [n.strip() for n in names],
            path,
        )

    @classmethod
    def _checked(
        cls, columns: Pairs, role_values: Pairs | None, pairs: Pairs, internal: Pairs, automated: Pairs,
        names: list[str], origin: Path | None,
    ) -> TranscriptMapping:
        """A mapping from parsed entries; a wrong name is refused in the terms of the flags or of the file."""
        def where(key: str) -> str:
            return TOML_KEYS[key] if origin is None else f"{origin} [{key}]"

        unknown = sorted(set(dict(columns)) - set(MESSAGE_COLUMNS))
        if unknown:
            raise TranscriptError(f"{where('columns')} {', '.join(unknown)}: not a transcript column; map "
                                  f"one of {', '.join(MESSAGE_COLUMNS)}.")
        mapping = cls(columns=dict(columns), internal=internal, automated=automated, names=names,
                      origin=origin)
        if role_values is not None:
            mapping.role_values = {}
            for role, value in role_values:
                if role not in ROLE_TARGETS:
                    raise TranscriptError(f"{where('role_values')} {role}={value}: roles are "
                                          f"{' and '.join(ROLE_TARGETS)}.")
                mapping.role_values[value.lower()] = ROLE_TARGETS[role]
        if pairs:
            mapping.pairs = dict(pairs)
            bad = sorted(set(mapping.pairs) - set(PAIR_FIELDS))
            one_reply = ("answer" in mapping.pairs) != ("intent" in mapping.pairs)
            if bad or "question" not in mapping.pairs or not one_reply:
                given = ",".join(f"{k}={v}" for k, v in pairs)
                raise TranscriptError(f"{where('pairs')} {given!r}: give question=COL and either answer=COL "
                                      "or intent=COL.")
        return mapping

    def column(self, canonical: str) -> str:
        """The source column of a canonical one (its own name when not mapped)."""
        return self.columns.get(canonical, canonical)

    def term(self, key: str) -> str:
        """What `key` (columns, role_values, ...) is called where the mapping came from: a flag or a table."""
        return TOML_KEYS[key] if self.origin is None else f"[{key}]"

    def how_to_map(self, key: str, name: str) -> str:
        """How to name the column for `name` under `key` (columns, pairs, names), as flags or in the file."""
        if key == "names":
            return "fix --names" if self.origin is None else f"fix names in {self.origin}"
        if self.origin is None:
            return f"map it with {TOML_KEYS[key]} {name}=COLUMN"
        return f'map it with {name} = "COLUMN" under [{key}] in {self.origin}'

@dataclass
class TranscriptSource:
    """A transcript file and how its columns map."""

    path: Path
    mapping: TranscriptMapping = field(default_factory=TranscriptMapping)

    @classmethod
    def parse(cls, spec: str) -> TranscriptSource:
        """`FILE:MAPPING.toml` (`finetune prepare --source`): the file, mapped as its mapping file says."""
        file, sep, mapping = spec.rpartition(":")
        if not sep or not file or not mapping.endswith(".toml"):
            raise TranscriptError(f"--source {spec!r}: expected FILE:MAPPING.toml, e.g. "
                                  "--source tickets.csv:tickets.toml.")
        if not Path(file).is_file():
            raise TranscriptError(f"--source {spec!r}: no transcript file {file}.")
        try:
            return cls(Path(file), TranscriptMapping.from_toml(Path(mapping)))
        except TranscriptError as error:
            raise TranscriptError(f"--source {file}: {error}") from error
