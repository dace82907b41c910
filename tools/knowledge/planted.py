"""Planted instructions: passages that address the assistant instead of the reader.

A shop's documents talk to customers ("you can return..."). A passage that talks to the model ("SYSTEM:",
"ignore previous instructions", "you are now...", "tell the user...") is an injection attempt or a pasted
prompt; indexing flags it, searches for answers leave it out, and the operator sees it listed. The phrases
are matched in the shop's languages: English, German, French, Spanish and Italian.

Two kinds of phrase: *takeovers* (a role label such as "SYSTEM:", "ignore previous instructions", "you are
now") are flagged in every document; *relays* ("tell the user / customer ...") only in customer-facing
ones, because an internal guideline is written to the shop's agents and says "tell the customer" by design.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# A role label at the start of a line: "SYSTEM:", "[system]:", "Assistant:", "SYSTÈME :", "Sistema:".
_ROLE_LABEL = (
    r"^[\s>*_#\[(]*(system|system prompt|assistant|developer|systeme|système|sistema|asistente|assistente"
    r"|systemanweisung)[\])*_]*\s*:"
)
# "You are now ..." only before a role or a mode ("you are now a", "... in developer mode"), so that "you are
# now signed in" in a help page is not flagged.
_TAKEOVERS: tuple[str, ...] = (
    _ROLE_LABEL,
    # en
    (r"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(the\s+|your\s+)?"
     r"(previous|prior|above|earlier|preceding|system)\s+(instructions?|rules|prompts?|directions)"),
    r"\byou\s+are\s+now\s+(a|an|the|in|my|no\s+longer)\b",
    r"\bfrom\s+now\s+on,?\s+you\s+(are|will|must)\b",
    r"\bnew\s+instructions\s*:",
    # de
    (r"\b(ignorier\w*|vergiss|missachte\w*)\s+(alle\s+)?(vorherigen|bisherigen|obigen|früheren|vorigen)\s+"
     r"(anweisungen|instruktionen|regeln)"),
    r"\b(du\s+bist|sie\s+sind)\s+(jetzt|nun|ab\s+sofort)\s+(ein|eine|der|die|im)\b",
    # fr
    (r"\b(ignore[rsz]?|oublie[rsz]?)\s+(toutes\s+)?(les\s+|tes\s+|vos\s+)?(instructions|consignes|règles)\s+"
     r"(précédentes|precedentes|antérieures|anterieures|ci-dessus)"),
    r"\b(tu\s+es|vous\s+êtes|vous\s+etes)\s+(maintenant|désormais|desormais)\s+(un|une|le|la|en)\b",
    # es
    r"\b(ignora[r]?|olvida[r]?)\s+(todas\s+)?(las\s+)?(instrucciones|reglas)\s+(anteriores|previas)",
    r"\bahora\s+(eres|es\s+usted)\s+(un|una|el|la|en)\b",
    # it
    r"\b(ignora(re)?|dimentica(re)?)\s+(tutte\s+)?(le\s+)?(istruzioni|regole)\s+(precedenti|sopra)",
    r"\b(ora|adesso)\s+sei\s+(un|una|il|la|in)\b",
)
_RELAYS: tuple[str, ...] = (
    r"\b(tell|inform)\s+(the\s+)?(user|customer|client)s?\b",
    r"\b(sag|sage|sagen\s+sie|teile|teilen\s+sie)\s+(dem|der|den)\s+(nutzer|benutzer|kunden|kundin)",
    r"\b(dis|dites)\s+(à|a)\s+l['’]?\s*(utilisateur|client|cliente)",
    r"\b(di|dile|dígale|digale)\s+al\s+(usuario|cliente)",
    r"\b(di['’]?|dì|dite)\s+(al\s+|all['’]?\s*)(utente|cliente)",
)
_FLAGS = re.IGNORECASE | re.MULTILINE
_TAKEOVER = [re.compile(pattern, _FLAGS) for pattern in _TAKEOVERS]
_RELAY = [re.compile(pattern, _FLAGS) for pattern in _RELAYS]


def planted_instruction(text: str, customer_facing: bool) -> str | None:
    """Why `text` reads as an instruction to the assistant (the phrase found), or None when it does not."""
    patterns = _TAKEOVER + _RELAY if customer_facing else _TAKEOVER
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return f'addresses the assistant: "{" ".join(match.group(0).split())}"'
    return None


@dataclass(frozen=True)
class FlaggedPassage:
    """A stored passage flagged as an instruction to the assistant, as the operator sees it."""

    citation_id: str
    source_path: str
    audience: str
    reason: str
    text: str

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any], text: str) -> FlaggedPassage:
        """The flagged passage described by a chunk's metadata and text."""
        return cls(str(metadata["citation_id"]), str(metadata["source_path"]),
                   str(metadata.get("audience", "")), str(metadata.get("flag_reason", "")), text)

    def line(self) -> str:
        """One line for the operator: citation, file, audience, why."""
        return f"[{self.citation_id}] {self.source_path} ({self.audience}): {self.reason}"
