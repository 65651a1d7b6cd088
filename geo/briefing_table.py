"""The briefing table of the PDF export: every event in view with its evidence sentence and
source, wrapped into columns and paginated on A4-landscape pages."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from geo.render import ATTRIBUTION, DPI, style, wrap_lines

TABLE_PAGE_IN = (11.69, 8.27)  # A4 landscape: the table pages are read on paper
TABLE_FONT_PT = 8.0
TABLE_LINES_PER_PAGE = 52
MAX_TABLE_EVENTS = 150
TABLE_COLUMNS: tuple[tuple[str, int], ...] = (
    # (heading, wrap width in characters); the widths add up to one A4 landscape line at 8 pt
    ("Year", 6), ("Type · status", 15), ("Place", 22), ("Forces", 24), ("Evidence", 64), ("Source", 34),
)


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def table_rows(events: pd.DataFrame) -> list[tuple[str, ...]]:
    """Return one tuple of cell texts per event (columns of :data:`TABLE_COLUMNS`), by year then place."""
    frame = events.sort_values(["year", "country", "place"], kind="stable", na_position="last")
    rows = []
    for r in frame.to_dict(orient="records"):
        year = _cell(r.get("year"))
        kind = " · ".join(p for p in (_cell(r.get("type")), _cell(r.get("status"))) if p)
        place = _cell(r.get("place")) + (f" ({_cell(r.get('country'))})" if _cell(r.get("country")) else "")
        troops = pd.to_numeric(pd.Series([r.get("troops")]), errors="coerce").iloc[0]
        forces = "; ".join(p for p in (
            f"{int(troops):,} troops" if troops == troops else "",
            f"lead {_cell(r.get('lead_nation'))}" if _cell(r.get("lead_nation")) else "",
            f"with {_cell(r.get('contributors')).replace(',', ', ')}" if _cell(r.get("contributors")) else "",
            _cell(r.get("unit")), _cell(r.get("exercise")), _cell(r.get("equipment")).replace(",", ", "),
        ) if p)
        source = "; ".join(p for p in (_cell(r.get("article_title")), _cell(r.get("article_published")),
                                      _cell(r.get("article_source"))) if p)
        rows.append((year, kind, place, forces, _cell(r.get("evidence")), source))
    return rows


def paginate(rows: list[tuple[str, ...]], lines_per_page: int = TABLE_LINES_PER_PAGE) -> list[list[list[str]]]:
    """Return pages of wrapped rows: each page a list of rows, each row its cells' lines, padded alike."""
    pages: list[list[list[str]]] = [[]]
    used = 0
    for row in rows:
        cells = [wrap_lines(text, width) for text, (_, width) in zip(row, TABLE_COLUMNS, strict=True)]
        height = min(max(len(c) for c in cells) + 1, lines_per_page)  # +1: a blank line between rows
        cells = [[*(c + [""] * height)[:height - 1], ""] for c in cells]
        if used + height > lines_per_page and pages[-1]:
            pages.append([])
            used = 0
        pages[-1].append(["\n".join(c) for c in cells])
        used += height
    return pages if pages[0] else []


def render_table_pages(events: pd.DataFrame, *, heading: str) -> Iterator[Figure]:
    """Yield A4-landscape figures tabulating ``events`` with evidence sentences and sources.

    At most :data:`MAX_TABLE_EVENTS` events are listed; the last page says how many were left out.
    """
    rows = table_rows(events.head(MAX_TABLE_EVENTS))
    pages = paginate(rows)
    left_out = len(events) - len(rows)
    widths = np.array([w for _, w in TABLE_COLUMNS], dtype=float)
    x = 0.04 + 0.92 * np.concatenate([[0], np.cumsum(widths)[:-1]]) / widths.sum()
    with style():
        for number, page in enumerate(pages, start=1):
            fig = Figure(figsize=TABLE_PAGE_IN, dpi=DPI, facecolor="white")
            FigureCanvasAgg(fig)
            fig.text(0.04, 0.965, heading, fontsize=12, weight="bold", va="top")
            fig.text(0.96, 0.965, f"Events {number}/{len(pages)}", fontsize=9, ha="right", va="top", color="#555555")
            for (title, _), xi in zip(TABLE_COLUMNS, x, strict=True):
                fig.text(xi, 0.925, title, fontsize=TABLE_FONT_PT + 1, weight="bold", va="top")
            fig.add_artist(Line2D([0.04, 0.96], [0.905, 0.905], color="#333333", lw=0.8))
            for column, xi in enumerate(x):
                # One text per column: thousands of events stay fast (a text per cell does not).
                fig.text(xi, 0.895, "\n".join(row[column] for row in page), fontsize=TABLE_FONT_PT, va="top",
                         linespacing=1.25, family="DejaVu Sans")
            footer = ATTRIBUTION
            if number == len(pages) and left_out > 0:
                footer = (f"{left_out:,} more events not listed; the GeoJSON, CSV and GeoPackage exports "
                          f"hold all {len(events):,}. " + ATTRIBUTION)
            fig.text(0.04, 0.02, footer, fontsize=8, color="#555555")
            yield fig
