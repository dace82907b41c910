"""Tools the adapter never saw: a reply with such a tool bound is decoded by the bare model.

A LoRA adapter trained on the shop's own tools learns when *those* tools are called, and with it that other
tools are not: on public function-calling cases (tools bound, heads off) the shipped adapter called the
right function with the right arguments for 5% of single-call and 20% of choose-one cases, the bare model
for 70% and 70%, while a forced call gave 19/20 and 16/20 (argument filling was fine; the call-or-not
decision broke). A tool added tomorrow must work before any retraining, so when any bound tool is one the
adapter was not trained on, the whole reply (the decision and the arguments) comes from the bare model.
The shop's own tools, and any subset of them, keep the adapter and its decision heads unchanged.

Which tools an adapter was trained on is read from its decision heads (`decision_heads.safetensors`: each
head's labels are a role's tools); an adapter without heads records none, and all its replies use it.
The bare model is a second runtime (`get_runtime` with no adapter), loaded on the first reply that needs it:
the adapter is merged into the weights at load (no decode slowdown), so it cannot be switched off in place.
On the CPU that is a second copy of the weights: +2.48 GiB resident for the 0.5B model with its int8
layers (3.02 GiB with the adapted model alone).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from agent.llm.decision_head import DecisionHeads
from agent.llm.options import ModelOptions

if TYPE_CHECKING:
    from agent.llm.runtime import LocalRuntime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnseenToolsFallback:
    """The tools an adapter was trained on, and the bare model that replies when others are bound."""

    trained: frozenset[str]
    bare: ModelOptions  # the adapted model's options without the adapter
    adapter: str = ""  # the adapter's folder, for the message
    _told: set[frozenset[str]] = field(default_factory=set, compare=False, repr=False)  # said once per set

    def unseen(self, tool_names: Collection[str]) -> frozenset[str]:
        """The bound tools the adapter was not trained on."""
        return frozenset(tool_names) - self.trained

    def runtime_for(self, tool_names: Collection[str]) -> LocalRuntime | None:
        """The bare model's runtime when any of `tool_names` is unseen; None when the adapter knows all."""
        unseen = self.unseen(tool_names)
        if not unseen:
            return None
        if unseen not in self._told:
            self._told.add(unseen)
            logger.warning(
                f"Adapter {self.adapter} was not trained on {', '.join(sorted(unseen))}: replies with them "
                "bound come from the bare model. To use the adapter with them, train it on dialogues that "
                "call them (`chronotope finetune train`) and refit its heads (`chronotope finetune heads`)."
            )
        from agent.llm.load import get_runtime

        return get_runtime(self.bare, progress=False)


def trained_tools(adapter: str) -> frozenset[str] | None:
    """The tools `adapter` was trained on, from its decision heads; None when it has no heads."""
    heads = DecisionHeads.load(Path(adapter))
    if heads is None:
        return None
    return frozenset().union(*(head.tools for head in heads.heads))


def unseen_tools_fallback(options: ModelOptions) -> UnseenToolsFallback | None:
    """The fallback for `options`' adapter; None without an adapter, or when it does not say what it knows."""
    if not options.adapter:
        return None
    trained = trained_tools(options.adapter)
    if trained is None:
        return None
    return UnseenToolsFallback(trained, replace(options, adapter=None), options.adapter)
