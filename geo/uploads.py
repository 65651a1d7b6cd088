"""Upload handling of the dashboard: store uploaded articles and phrase the outcome for the page."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import store
from geo.ingest import ingest_uploads
from geo.load import display_name
from geo.timeline import Landing, landing_of

UPLOAD_TYPES = ("txt", "md", "html")

# Streamlit renders st.error/st.info text as Markdown (with its own directives such as
# ":red[...]" and emoji shortcodes): a file name like "![x](https:evil.example).txt" would
# otherwise become an image fetched from an outside host. Every character that starts
# Markdown syntax is backslash-escaped; "." only where it would start a list or an autolink.
_MARKDOWN = re.compile(r"[\\`*_{}\[\]()<>#+!|~$@=^&:-]|(?<=www)\.", re.IGNORECASE)
_ORDERED_LIST = re.compile(r"^(\d+)\.")
LISTED_COUNTRIES = 3  # countries named in an upload's message; the rest are counted
LISTED_PLACES = 3     # places named per country


@dataclass(frozen=True)
class Message:
    """One line for the page: ``level`` is "success", "info" or "error"; ``landing`` tells where
    the stored articles' events are, so the page can widen its view to them."""

    level: str
    text: str
    landing: Landing | None = None


def escape_markdown(text: str) -> str:
    """Return ``text`` with Markdown syntax escaped, so Streamlit shows it literally (no links, images, styles)."""
    return _ORDERED_LIST.sub(r"\1\\.", _MARKDOWN.sub(lambda m: "\\" + m.group(0), text))


def _error_line(error: str, names: Iterable[str]) -> str:
    """Return an ingest error "NAME: reason" for the page, the name and reason escaped apart."""
    for name in sorted({display_name(n) for n in names}, key=len, reverse=True):  # as ingest names them
        if error.startswith(f"{name}: "):
            return f"{escape_markdown(name)}: {escape_markdown(error[len(name) + 2:])}"
    return escape_markdown(error)


def store_uploads(files: Sequence[tuple[str, bytes]], db: str | Path | None = None) -> list[Message]:
    """Ingest uploaded (name, bytes) articles into the store; return the messages to show.

    One error message per bad file (the other files are stored regardless), then one summary.
    Message texts are Markdown-safe: a hostile file name is shown as the literal text it is.
    """
    if not files:
        return []
    report = ingest_uploads(list(files), db)
    messages = [Message("error", _error_line(line, (name for name, _ in files))) for line in report.errors]
    stored = report.added + report.replaced
    if stored:
        events = store.load_events(db, store.Filters(article_ids=tuple(report.article_ids)))
        text = f"{stored} article{'s' if stored != 1 else ''} added to the map"
        if events.empty:
            text += f"; no deployment, exercise or chokepoint found in {'it' if stored == 1 else 'them'}."
        else:
            text += f": {escape_markdown(where_events_are(events))}."
        messages.append(Message("success", text, landing_of(events) if len(events) else None))
    if report.unchanged:
        messages.append(Message("info", f"{report.unchanged} article{'s' if report.unchanged != 1 else ''} "
                                        "already stored, nothing changed."))
    return messages


def where_events_are(events: pd.DataFrame) -> str:
    """Return where and when ``events`` are, as "3 events in LT (Rukla, Vilnius), PL (Orzysz), 2019".

    Countries come by number of events, each with its places (most events first); beyond
    LISTED_COUNTRIES countries or LISTED_PLACES places the rest are counted.
    """
    n = len(events)
    frame = events.assign(country=events["country"].fillna(""), place=events["place"].fillna(""))
    by_country = frame.groupby("country", sort=False).size().sort_values(ascending=False, kind="stable")
    parts = []
    for country in by_country.index[:LISTED_COUNTRIES]:
        places = frame[frame["country"] == country].groupby("place", sort=False).size() \
            .sort_values(ascending=False, kind="stable").index
        named = [p for p in places if p][:LISTED_PLACES]
        more = len([p for p in places if p]) - len(named)
        listed = ", ".join(named) + (f" and {more} more" if more else "")
        parts.append(f"{country} ({listed})" if country and listed else country or listed)
    others = len(by_country) - LISTED_COUNTRIES
    where = ", ".join(parts) + (f" and {others} more countr{'ies' if others != 1 else 'y'}" if others > 0 else "")
    years = pd.to_numeric(events["year"], errors="coerce").dropna().astype(int)
    when = "year unknown" if years.empty else str(years.min()) if years.min() == years.max() \
        else f"{years.min()}–{years.max()}"
    return f"{n} event{'s' if n != 1 else ''} in {where}, {when}"


class UploadLedger:
    """The uploads this server has stored, by the uploader's file ids, with the messages storing them gave.

    Streamlit's fast reruns can run one session's script twice at the same time, and a repeated
    run sees the same files again: without the ledger both would store them, and the second
    would report them "already stored". Each set of ids is stored once, under a lock, and every
    later run gets the first outcome.
    """

    def __init__(self, kept: int = 1_000) -> None:
        self._lock = threading.Lock()
        self._outcomes: OrderedDict[tuple[str, ...], list[Message]] = OrderedDict()
        self._kept = kept

    def store_once(self, ids: Sequence[str], files: Callable[[], Sequence[tuple[str, bytes]]],
                   db: str | Path | None = None) -> list[Message]:
        """Return the messages of storing ``files()`` (called only the first time these ``ids`` come)."""
        key = tuple(ids)
        with self._lock:
            if key not in self._outcomes:
                self._outcomes[key] = store_uploads(files(), db)
                while len(self._outcomes) > self._kept:
                    self._outcomes.popitem(last=False)
            return self._outcomes[key]
