"""What the documents index holds, for the operator: passages per audience and source, the passages flagged
as instructions to the assistant, and whether the index predates audiences (then it must be rebuilt)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tools.knowledge.errors import KnowledgeBaseError
from tools.knowledge.planted import FlaggedPassage

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

REBUILD = "run `chronotope kb index` to rebuild it (every passage is embedded again, once)"


class IndexOutdated(KnowledgeBaseError):
    """The index was built before documents had an audience: nobody can tell which passages customers
    may read."""


@dataclass
class KnowledgeStatus:
    """The documents index at a glance."""

    chunks: int
    documents: int
    by_audience: dict[str, int]  # passages per audience ("unknown": indexed before audiences)
    by_source: dict[str, int]  # passages per source
    flagged: list[FlaggedPassage] = field(default_factory=list)

    @property
    def outdated(self) -> bool:
        """True when passages carry no audience: the index must be rebuilt before customers search it."""
        return bool(self.by_audience.get("unknown"))

    def summary(self) -> str:
        """A few lines for the operator."""
        def counts(by: dict[str, int]) -> str:
            return ", ".join(f"{key} {n}" for key, n in sorted(by.items())) or "none"

        lines = [(f"{self.chunks} passages from {self.documents} documents; by audience: "
                 f"{counts(self.by_audience)}; by source: {counts(self.by_source)}")]
        if self.outdated:
            lines.append(f"The index predates audiences; {REBUILD}.")
        lines.append(f"{len(self.flagged)} passage(s) flagged as instructions to the assistant, kept out of "
                     "answers" + (":" if self.flagged else "."))
        lines += [f"  {passage.line()}" for passage in self.flagged]
        return "\n".join(lines)


def read_status(collection: Collection) -> KnowledgeStatus:
    """The status of a documents collection, read from its metadata."""
    stored = collection.get(include=["metadatas", "documents"])
    metas, texts = stored["metadatas"] or [], stored["documents"] or []
    return KnowledgeStatus(
        chunks=len(metas),
        documents=len({m.get("doc_id") for m in metas}),
        by_audience=dict(Counter(str(m.get("audience", "unknown")) for m in metas)),
        by_source=dict(Counter(str(m.get("source", "unknown")) for m in metas)),
        flagged=sorted(
            (FlaggedPassage.from_metadata(m, t) for m, t in zip(metas, texts) if m.get("flagged") == "yes"),
            key=lambda p: p.citation_id,
        ),
    )


def check_current(collection: Collection) -> None:
    """Raise IndexOutdated when the collection's passages carry no audience."""
    sample = collection.get(limit=1, include=["metadatas"])["metadatas"] or []
    if sample and "audience" not in sample[0]:
        raise IndexOutdated(f"The knowledge base was indexed before documents had an audience; {REBUILD}.")
