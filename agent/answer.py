"""What the agent gives back for a question: the answer and the events streamed on the way to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tools.registry import Citation, ToolStep
from tools.results import ChartSpec


@dataclass
class AgentAnswer:
    """The answer to one question, with everything the UI and the benchmark need."""

    text: str
    steps: list[ToolStep] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    draft: str = ""  # what the model wrote before grounding checks
    grounded: bool = True  # False when the model's draft was replaced
    composed: bool = False  # the text was composed from the tools' own summaries (no draft, or one replaced)
    # the question and every tool result: where numbers may come from
    sources: list[str] = field(default_factory=list)
    latency_s: float = 0.0
    model_calls: list[dict[str, Any]] = field(default_factory=list)  # response metadata of each model call


@dataclass
class AgentEvent:
    """One streamed event: a token of the draft, a finished tool step, or the final answer."""

    kind: Literal["token", "step", "answer"]
    token: str = ""
    step: ToolStep | None = None
    answer: AgentAnswer | None = None


def joined(answers: Sequence[AgentAnswer]) -> AgentAnswer:
    """One answer made of the answers to a message's parts, in order (a text said twice is said once)."""
    texts = list(dict.fromkeys(a.text for a in answers))
    return AgentAnswer(
        text="\n\n".join(texts),
        steps=[s for a in answers for s in a.steps],
        citations=[c for a in answers for c in a.citations],
        charts=[c for a in answers for c in a.charts],
        cards=[c for a in answers for c in a.cards],
        draft="\n\n".join(a.draft for a in answers if a.draft),
        grounded=all(a.grounded for a in answers),
        composed=any(a.composed for a in answers),
        sources=list(dict.fromkeys(s for a in answers for s in a.sources)),
        latency_s=sum(a.latency_s for a in answers),
        model_calls=[m for a in answers for m in a.model_calls],
    )
