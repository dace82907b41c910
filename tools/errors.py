"""The one base class of the errors an engine raises for a request it cannot answer as asked."""

from __future__ import annotations


class EngineInputError(ValueError):
    """A request an engine cannot answer as asked: an unknown name, an impossible window, a missing index.

    The message says what was wrong with which input and what to do instead. The tool registry feeds these
    (and only these) back to the model, which may fix its call; any other exception from an engine is a bug,
    logged with its traceback and never passed off as bad input.
    """
