"""Narrow exception classes whose messages name the file and the reason."""

from __future__ import annotations


class GeoError(Exception):
    """Base class of the product's expected errors (shown as one line, never a traceback)."""


class ArticleError(GeoError, ValueError):
    """An input file that cannot be read as an article."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class StoreError(GeoError, OSError):
    """The event store cannot be opened or written."""


class ExportError(GeoError, OSError):
    """An export cannot be written where the user asked."""
