"""Errors the anomaly tools raise for bad input (the agent turns them into a sentence)."""

from __future__ import annotations

from tools.errors import EngineInputError


class AnomalyInputError(EngineInputError):
    """An argument the detector cannot use (bad period, empty data, unknown case or category)."""
