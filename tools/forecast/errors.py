"""Errors the forecaster raises for input it cannot use; each message says what was wrong and what to do.

Places the shop profile does not know raise `tools.events.profile.UnknownPlace` (an EngineInputError too).
"""

from __future__ import annotations

from tools.errors import EngineInputError


class ForecastInputError(EngineInputError):
    """An argument the forecaster cannot use (bad horizon, frequency, metric, service level, ...)."""


class UnknownProduct(ForecastInputError):
    """A product id or name that is not in the catalogue."""


class UnknownCategory(ForecastInputError):
    """A category name that is not in the catalogue."""


class NoSalesHistory(ForecastInputError):
    """The asked series never sold anything in the store's history: there is nothing to forecast from."""


class SeriesTooShort(ForecastInputError):
    """The series has too little history to fit even the simplest model."""


class HorizonTooLong(ForecastInputError):
    """The horizon is longer than the history it would be forecast from; `longest`: the longest allowed."""

    def __init__(self, message: str, longest: int) -> None:
        super().__init__(message)
        self.longest = longest
