"""Split documents into passages by Markdown headings, with overlapping windows for long sections.

Every `##` and `###` heading starts a section (deeper headings stay inside theirs); text before the first
one is the "Overview" (`LEAD`). A section longer than `max_chars` is cut into windows on paragraph, line,
sentence and finally word boundaries, each window repeating up to `overlap_chars` of the previous one's
end. Passages are exact substrings of the file, so what a search returns is verbatim.

Every window of a section that addresses the assistant (`tools/knowledge/planted.py`) carries the reason
in `flag`; searches for answers leave flagged passages out.

A chunk's id is the hash of everything it carries except its timestamp: an unchanged document yields the
same ids on every run, which is what makes re-indexing idempotent.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

from tools.knowledge.documents import CUSTOMER, Document
from tools.knowledge.planted import planted_instruction

LEAD = "Overview"  # the section of a page's text before its first heading: what the page is about
MAX_CHARS = 900  # about 200 MiniLM tokens; the model truncates at 256
OVERLAP_CHARS = 150

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """One passage of a document, with what is needed to cite, filter and re-index it."""

    chunk_id: str  # content hash
    citation_id: str  # "returns-and-refunds#opened-items", later windows "#opened-items/2"
    doc_id: str
    title: str
    section: str  # the heading text, e.g. "Opened items"
    section_id: str  # the heading's slug, unique within the document, e.g. "opened-items"
    section_path: str  # headings from the section's parent down, e.g. "Exceptions > Opened items"
    text: str  # verbatim passage
    source_path: str
    updated: str
    fields: dict[str, str] = field(default_factory=dict)
    flag: str = ""  # why the passage reads as an instruction to the assistant; "" when it does not

    def search_text(self) -> str:
        """What is embedded and BM25-indexed: the passage with its title and headings as context."""
        return search_text(self.title, self.section_path, self.text)

    def metadata(self) -> dict[str, str]:
        """The chunk's chromadb metadata (flat strings, filterable)."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "section": self.section,
            "section_id": self.section_id,
            "section_path": self.section_path,
            "citation_id": self.citation_id,
            "source_path": self.source_path,
            "updated": self.updated,
            "content_hash": self.chunk_id,
            "flagged": "yes" if self.flag else "no",
            "flag_reason": self.flag,
            **self.fields,
        }


def search_text(title: str, section_path: str, text: str) -> str:
    """A passage with its document title and headings in front (context for embedding and BM25)."""
    return f"{title} > {section_path}\n{text}"


def slugify(text: str) -> str:
    """'Opened items & hygiene' -> 'opened-items-hygiene' (ASCII, lower case, hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


def _content_hash(payload: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True,
                                     ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class _Section:
    heading: str
    path: str
    start: int
    end: int


def _sections(body: str) -> list[_Section]:
    """Sections of `body` as character spans, split at level-2 and level-3 headings outside code fences."""
    starts: list[tuple[int, int, str]] = []  # (offset, level, heading text)
    offset, in_fence = 0, False
    for line in body.splitlines(keepends=True):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            match = _HEADING.match(line.rstrip("\n"))
            if match and len(match.group(1)) in (2, 3):
                starts.append((offset, len(match.group(1)), match.group(2).strip()))
        offset += len(line)
    sections: list[_Section] = []
    first = starts[0][0] if starts else len(body)
    if not _is_title_only(body[:first]):  # an intro beyond the "# Title" line
        sections.append(_Section(LEAD, LEAD, 0, first))
    parent = ""
    for i, (start, level, heading) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(body)
        if level == 2:
            parent, path = heading, heading
        else:
            path = f"{parent} > {heading}" if parent else heading
        sections.append(_Section(heading, path, start, end))
    return sections


def _is_title_only(text: str) -> bool:
    """True when `text` holds nothing but headings and blank lines."""
    return all(_HEADING.match(line) for line in text.splitlines() if line.strip())


_BOUNDARIES = (re.compile(r"\n\s*\n"), re.compile(r"\n"), _SENTENCE_END)


def _pieces(text: str, start: int, end: int, separator: re.Pattern[str]) -> list[tuple[int, int]]:
    """text[start:end] split at `separator` (the separators themselves dropped)."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in separator.finditer(text, start, end):
        if match.start() > cursor:
            pieces.append((cursor, match.start()))
        cursor = match.end()
    if cursor < end:
        pieces.append((cursor, end))
    return pieces


def _split_span(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """The units windows are built from: the whole span if it fits, else its sentences (split at paragraph,
    line and sentence boundaries), a sentence longer than max_chars split into words, a longer word cut."""
    if end - start <= max_chars:
        return [(start, end)]
    spans = [(start, end)]
    for separator in _BOUNDARIES:
        spans = [piece for s, e in spans for piece in _pieces(text, s, e, separator)]
    units: list[tuple[int, int]] = []
    for s, e in spans:
        if e - s <= max_chars:
            units.append((s, e))
            continue
        for ws, we in _pieces(text, s, e, _SPACE):
            units += [(x, min(x + max_chars, we)) for x in range(ws, we, max_chars)]
    return units


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without its leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _windows(text: str, start: int, end: int, max_chars: int, overlap_chars: int) -> list[tuple[int, int]]:
    """Greedy windows over the section's units; each new window starts with the previous one's tail."""
    units = [_trim(text, s, e) for s, e in _split_span(text, start, end, max_chars) if text[s:e].strip()]
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1][1] - units[first][0] <= max_chars:
            last += 1
        windows.append((units[first][0], units[last][1]))
        if last + 1 >= len(units):
            break
        # Step back over trailing units that fit in the overlap, as long as the next window still has room
        # for the first unit it has not seen (else it would repeat the overlap and nothing else).
        nxt = last + 1
        while (
            nxt - 1 > first
            and units[last][1] - units[nxt - 1][0] <= overlap_chars
            and units[last + 1][1] - units[nxt - 1][0] <= max_chars
        ):
            nxt -= 1
        first = nxt
    return windows


def chunk_document(
    document: Document, max_chars: int = MAX_CHARS, overlap_chars: int = OVERLAP_CHARS
) -> list[Chunk]:
    """The document's passages in reading order."""
    if overlap_chars >= max_chars:
        raise ValueError(f"overlap_chars ({overlap_chars}) must be smaller than max_chars ({max_chars}).")
    body = document.body
    chunks: list[Chunk] = []
    used_slugs: dict[str, int] = {}
    for section in _sections(body):
        base = slugify(section.heading)
        used_slugs[base] = used_slugs.get(base, 0) + 1
        section_id = base if used_slugs[base] == 1 else f"{base}-{used_slugs[base]}"
        flag = planted_instruction(f"{section.path}\n{body[section.start:section.end]}",
                                   customer_facing=document.audience == CUSTOMER) or ""
        for part, (s, e) in enumerate(_windows(body, section.start, section.end, max_chars, overlap_chars),
                                      start=1):
            citation = f"{document.doc_id}#{section_id}" + (f"/{part}" if part > 1 else "")
            text = body[s:e]
            identity = {
                "doc_id": document.doc_id, "title": document.title, "citation": citation,
                "section_path": section.path, "text": text, "source_path": document.source_path,
                "fields": document.fields, "flag": flag,
            }
            chunks.append(
                Chunk(
                    chunk_id=_content_hash(identity), citation_id=citation, doc_id=document.doc_id,
                    title=document.title, section=section.heading, section_id=section_id,
                    section_path=section.path, text=text, source_path=document.source_path,
                    updated=document.updated, fields=dict(document.fields), flag=flag,
                )
            )
    return chunks
