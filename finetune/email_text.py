"""What the author of an e-mail wrote: the quoted history and the signature cut from a message body.

Desks that take e-mail store each message with the thread below it: an attribution ("On Mon, 3 Jun 2024,
Anna <a@b.c> wrote:", "Am 03.06.2024 um 10:00 schrieb ...:", "Le ... a écrit :") over "> " lines, Outlook's
"-----Original Message-----" or its header block ("From: ... Sent: ...", "Von: ... Gesendet: ..."), and the
sender's signature ("-- " on its own line, "Sent from my iPhone"). Trained on as they are, a model learns to
repeat old messages and strangers' signatures; `author_text` keeps only what the message's author wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Attributions in English, German, French, Spanish, Dutch and Italian; they carry a date, so a digit.
_ATTRIBUTION = re.compile(
    r"^(?:on|am|le|el|op|il)\s(?=[^\n]*\d)[^\n]{0,300}?"
    r"\b(?:wrote|schrieb|a\s+écrit|escribió|schreef|ha\s+scritto)\b[^\n]{0,200}?:$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|"
    r"oorspronkelijk bericht|messaggio originale|forwarded message|weitergeleitete nachricht|"
    r"message transféré|mensaje reenviado|doorgestuurd bericht|messaggio inoltrato)\s*-{2,}$"
    r"|^begin forwarded message:$",
    re.IGNORECASE,
)
# A quoted message's header block: its sender, then (on the same line or the next three) when it was sent or
# what it was about.
_HEADER_FROM = re.compile(r"^\*?(?:from|von|de|van|da)\s?\*?:\s*\S", re.IGNORECASE)
_HEADER_FIELD = re.compile(
    r"(?:^|\s)\*?(?:sent|date|subject|gesendet|datum|betreff|envoyé|objet|enviado|fecha|asunto|verzonden|"
    r"onderwerp|inviato|data|oggetto)\s?\*?:",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^--$"
    r"|^(?:sent from (?:my|mail for|yahoo mail|outlook)|get outlook for|von meinem\s.{0,40}gesendet|"
    r"envoyé de mon|enviado desde mi|verzonden (?:vanaf|met) mijn|inviato da(?:l mio)?\s)[^\n]{0,60}$",
    re.IGNORECASE,
)
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class AuthorText:
    """A message body reduced to its author's words, and what was cut from it."""

    text: str
    quoted_history: bool  # an attribution, "> " lines, an original-message separator or a header block
    signature: bool  # a "-- " signature or a mobile client's line ("Sent from my iPhone")


def _attribution_lines(lines: list[str], start: int) -> int:
    """How many lines (1 to 3: clients wrap long ones) the attribution at `start` spans; 0 if none."""
    joined = ""
    for count, line in enumerate(lines[start:start + 3], 1):
        if count > 1 and joined.endswith((".", "!", "?")):
            return 0  # a sentence ended: the next lines are another thought, not a wrapped attribution
        joined = f"{joined} {line.strip()}".strip()
        if _ATTRIBUTION.match(joined):
            return count
    return 0


def _is_header_block(lines: list[str], start: int) -> bool:
    """Whether a quoted message's header block ("From: ...", then "Sent: ..." or "Subject: ...") starts
    at `start`."""
    line = lines[start].strip()
    if not _HEADER_FROM.match(line):
        return False
    after_sender = line.split(":", 1)[1]
    return bool(_HEADER_FIELD.search(after_sender)) or any(
        _HEADER_FIELD.match(following.strip()) for following in lines[start + 1:start + 4]
    )


def _quotes_from(lines: list[str], start: int) -> bool:
    """Whether quoted history starts at `start`: a "> " line, attribution, separator or header block."""
    line = lines[start].strip()
    return (line.startswith(">") or _attribution_lines(lines, start) > 0 or bool(_SEPARATOR.match(line))
            or _is_header_block(lines, start))


def _next_text_line(lines: list[str], start: int) -> str:
    return next((line.strip() for line in lines[start:] if line.strip()), "")


def author_text(text: str) -> AuthorText:
    """The part of `text` its author wrote: quoted history ("> " lines, the thread below an attribution,
    separator or header block) and the signature removed."""
    lines = text.splitlines()
    kept: list[str] = []
    quoted = signature = False
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        span = _attribution_lines(lines, index)
        if span and _next_text_line(lines, index + span).startswith(">"):
            quoted = True  # a reply written below the quote: only the attribution goes, the quote below
            index += span
            continue
        if span or _SEPARATOR.match(line) or _is_header_block(lines, index):
            quoted = True  # the rest is the thread this message answers
            break
        if _SIGNATURE.match(line):
            signature = True
            quoted = quoted or any(_quotes_from(lines, at) for at in range(index + 1, len(lines)))
            break
        if line.startswith(">"):
            quoted = True
        else:
            kept.append(lines[index].rstrip())
        index += 1
    return AuthorText(_BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip(), quoted, signature)
