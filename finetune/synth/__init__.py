"""Synthetic tool-use dialogues: the shop's five languages, the styles people ask in, one shop or many random
ones. `synthesize` writes them over one shop's facts, `synthesize_random_shops` over random shop profiles."""

from finetune.synth.dialogues import (
    LANGUAGES,
    SynthesisError,
    dialogue_tags,
    synthesize,
    synthesize_random_shops,
    unanswerable_question,
)
from finetune.synth.facts import ShopFacts
from finetune.synth.styles import STYLES

__all__ = [
    "LANGUAGES",
    "STYLES",
    "ShopFacts",
    "SynthesisError",
    "dialogue_tags",
    "synthesize",
    "synthesize_random_shops",
    "unanswerable_question",
]
