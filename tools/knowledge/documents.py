"""The knowledge base's documents: Markdown files with optional front matter, loaded from a folder.

A document is one `.md` file (README.md files describe folders and are skipped). Its id is the front
matter's `id` or the file name without `.md`; its title is the front matter's `title` or its first
`# ` heading. Front matter is a leading block of `key: value` lines between `---` lines.

Every document has an audience: `customer` (the shop's customer-facing policies and guides, quoted to
customers) or `internal` (guidelines and playbooks for the shop's staff, shown to operators only). It is
the front matter's `audience`; a document without one is `internal`, the safe side, and the index report
names it with the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tools.knowledge.errors import DocumentError

FRONT_MATTER_KEYS: tuple[str, ...] = (
    "id", "title", "updated", "source", "audience", "doc_type", "category", "country", "licence", "origin",
)
# Front-matter fields stored on every chunk, so searches can filter on them.
DOCUMENT_FIELDS: tuple[str, ...] = ("source", "audience", "doc_type", "category", "country")
CUSTOMER = "customer"  # quoted to customers as the shop's policy
INTERNAL = "internal"  # staff guidelines and playbooks: operators only
AUDIENCES: tuple[str, ...] = (CUSTOMER, INTERNAL)
_DOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Document:
    """One Markdown document: its body verbatim plus the fields that identify and describe it."""

    doc_id: str
    title: str
    body: str  # everything after the front matter, exactly as in the file
    source_path: str  # e.g. "data/policies/returns-and-refunds.md"
    updated: str  # ISO 8601: front matter `updated`, else the file's modification time
    # source, audience (always), doc_type, category, country (when set)
    fields: dict[str, str] = field(default_factory=dict)
    audience_defaulted: bool = False  # no `audience:` in the front matter: indexed as internal

    @property
    def audience(self) -> str:
        """`customer` or `internal`."""
        return self.fields["audience"]


def split_front_matter(text: str, where: str) -> tuple[dict[str, str], str]:
    """Split `---`-delimited `key: value` front matter from the body; `where` names the file in errors."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 3)
    if end < 0:
        raise DocumentError(f"{where}: front matter opened with '---' is never closed; "
                            "add a '---' line after it.")
    meta: dict[str, str] = {}
    for number, line in enumerate(text[4:end].splitlines(), start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key:
            raise DocumentError(f"{where} line {number}: front matter lines must be 'key: value', "
                                f"got {line!r}.")
        if key not in FRONT_MATTER_KEYS:
            raise DocumentError(
                f"{where} line {number}: unknown front matter key {key!r}. Valid keys: "
                f"{', '.join(FRONT_MATTER_KEYS)}."
            )
        meta[key] = value.strip().strip('"').strip("'")
    return meta, text[end + len("\n---\n"):]


def parse_document(text: str, doc_id: str, source_path: str, mtime: float) -> Document:
    """Build a Document from a file's text; `doc_id` is the default id (front matter `id` wins)."""
    meta, body = split_front_matter(text, source_path)
    doc_id = meta.get("id", doc_id)
    if not _DOC_ID.match(doc_id):
        raise DocumentError(
            f"{source_path}: document id {doc_id!r} must be lower-case letters, digits and hyphens "
            "(rename the file or set 'id:' in its front matter)."
        )
    heading = _H1.search(body)
    title = meta.get("title") or (heading.group(1).strip() if heading else "")
    if not title:
        raise DocumentError(f"{source_path}: no title; start the document with a '# Title' line or set "
                            "'title:'.")
    updated = meta.get("updated") or datetime.fromtimestamp(mtime, tz=UTC).isoformat(timespec="seconds")
    fields = {key: meta[key] for key in DOCUMENT_FIELDS if meta.get(key)}
    fields.setdefault("source", "shop")
    if fields.setdefault("audience", INTERNAL) not in AUDIENCES:
        raise DocumentError(f"{source_path}: audience {fields['audience']!r} is not one of "
                            f"{', '.join(AUDIENCES)}; set 'audience: customer' for what customers may read.")
    return Document(doc_id=doc_id, title=title, body=body, source_path=source_path, updated=updated,
                    fields=fields, audience_defaulted="audience" not in meta)


def with_audience(text: str, audience: str, where: str) -> str:
    """The document's text with its front matter's `audience` set (front matter added when it has none)."""
    if audience not in AUDIENCES:
        raise DocumentError(f"Audience {audience!r} is not one of {', '.join(AUDIENCES)}.")
    meta, body = split_front_matter(text, where)
    meta["audience"] = audience
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in meta.items()) + "---\n" + body


def load_corpus(root: Path) -> list[Document]:
    """Every Markdown document under `root` (recursively), in path order; ids must be unique."""
    root = Path(root)
    if not root.is_dir():
        raise DocumentError(f"Document folder {str(root)!r} does not exist or is not a folder; "
                            "pass a folder of .md files.")
    base = root.resolve().parent
    documents: list[Document] = []
    seen: dict[str, str] = {}
    for path in sorted(root.rglob("*.md")):
        if path.name.lower() == "readme.md" or not path.is_file():
            continue
        source_path = path.resolve().relative_to(base).as_posix()
        document = parse_document(
            path.read_text(encoding="utf-8"), path.stem.lower(), source_path, path.stat().st_mtime
        )
        if document.doc_id in seen:
            raise DocumentError(
                f"Duplicate document id {document.doc_id!r} in {seen[document.doc_id]} and {source_path}; "
                "rename one file or give it another 'id:' in its front matter."
            )
        seen[document.doc_id] = source_path
        documents.append(document)
    return documents
