"""Errors the anomaly tools raise for bad input (the agent turns them into a sentence)."""

from __future__ import annotations


class AnomalyInputError(ValueError):
    """An argument the detector cannot use (bad period, empty data, unknown case or category)."""
