"""The embedder's own error."""

from __future__ import annotations


class EmbedderBuildError(RuntimeError):
    """The int8 embedding model could not be built or failed its check against the float32 model."""
