"""Upload handling of the dashboard: store uploaded articles and phrase the outcome for the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.ingest import ingest_uploads

UPLOAD_TYPES = ("txt", "md", "html")


@dataclass(frozen=True)
class Message:
    """One line for the page: ``level`` is "success", "info" or "error"."""

    level: str
    text: str


def store_uploads(files: Sequence[tuple[str, bytes]], db: str | Path | None = None) -> list[Message]:
    """Ingest uploaded (name, bytes) articles into the store; return the messages to show.

    One error message per bad file (the other files are stored regardless), then one summary.
    """
    if not files:
        return []
    report = ingest_uploads(list(files), db)
    messages = [Message("error", line) for line in report.errors]
    stored = report.added + report.replaced
    if stored:
        messages.append(Message("success", f"{stored} article{'s' if stored != 1 else ''} added to the map."))
    if report.unchanged:
        messages.append(Message("info", f"{report.unchanged} article{'s' if report.unchanged != 1 else ''} "
                                        "already stored, nothing changed."))
    return messages
