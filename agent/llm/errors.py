"""Errors of the LLM runtime. Each message says what was wrong and what to do about it."""

from __future__ import annotations


class LLMError(Exception):
    """Base of every error raised by `agent.llm`."""


class ModelSourceError(LLMError):
    """The configured model cannot be found or used (unknown name, missing package, offline hub id)."""


class MissingModelPart(ModelSourceError):
    """A PyPI package holding one part of a split offline model is not installed."""


class ModelIntegrityError(ModelSourceError):
    """The joined model file does not have the pinned sha256; nothing was kept."""


class ToolChoiceError(LLMError, ValueError):
    """`tool_choice` names a mode or tool that does not exist."""


class ToolSchemaError(LLMError, ValueError):
    """A bound tool's argument schema cannot be enforced by the call grammar (no type, a raw dict, ...)."""
