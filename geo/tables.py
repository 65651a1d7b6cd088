"""Markdown tables in an article: each row with the words that say what the table lists.

A row such as "| Estonia | Tapa | United Kingdom | 2,000 |" has no verb; what it reports
comes from the table's header and the heading or paragraph just above it ("NATO's
battlegroups ... look like this:"). The event stage reads a row together with that
context, and skips the cells of columns that name contributors rather than hosts
("Framework nation", "Who", "Forces").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.M)
SEPARATOR = re.compile(r"^[ \t]*\|?[\s:|-]+\|?[ \t]*$")
# Columns whose cells name who takes part, not where: their places host nothing.
CONTRIBUTOR_HEADER = re.compile(r"\b(?:framework|lead|leading|nations?|contributors?|contributing|from|who|forces|"
                                r"units?|participants?|troops|personnel|allies|partners|origin|home)\b", re.I)
# A column of the forces at each site ("Units / assets", "Garrison") makes the table a list of
# deployments, whatever its free-text cells say ("sailed for spring drills"); a column of
# exercises makes it a list of exercises.
FORCES_HEADER = re.compile(r"\b(?:units?|assets|forces|garrisons?|based|stationed|aircraft|equipment|troops|"
                           r"battalions?|battle ?groups?|brigades?|squadrons?)\b", re.I)
EXERCISES_HEADER = re.compile(r"\b(?:exercises?|drills?|manoeuvres|maneuvers)\b", re.I)
# A column of distances names anchors, not sites ("~120 km to Norway").
DISTANCE_HEADER = re.compile(r"\b(?:distance|km|kilometres|miles)\b", re.I)
CONTEXT_LINES = 3  # non-empty lines above a table read as its caption


@dataclass(frozen=True)
class TableRow:
    """A body row of a table: its context text and the spans of cells that host nothing."""

    context: str
    skipped: tuple[tuple[int, int], ...]
    kind: str | None = None  # "deployment" or "exercise" when the header's columns say so

    def skips(self, offset: int) -> bool:
        """Return True when ``offset`` lies in a cell of a contributor column."""
        return any(lo <= offset < hi for lo, hi in self.skipped)


def table_rows(text: str) -> dict[int, TableRow]:
    """Return the body rows of the text's pipe tables, keyed by the offset where each row starts."""
    if "|" not in text:
        return {}
    rows: dict[int, TableRow] = {}
    block: list[re.Match[str]] = []
    for m in ROW.finditer(text):
        if block and text[block[-1].end():m.start()].strip("\n") != "":
            _add_table(text, block, rows)
            block = []
        block.append(m)
    if block:
        _add_table(text, block, rows)
    return rows


def _add_table(text: str, block: list[re.Match[str]], rows: dict[int, TableRow]) -> None:
    if len(block) < 2 or not SEPARATOR.match(block[1].group()):
        return
    header = block[0]
    columns = [c.strip() for c in header.group().strip().strip("|").split("|")]
    skip_columns = {i for i, name in enumerate(columns) if CONTRIBUTOR_HEADER.search(name)
                    or DISTANCE_HEADER.search(name)}
    exercises, forces = any(map(EXERCISES_HEADER.search, columns)), any(map(FORCES_HEADER.search, columns))
    kind = "exercise" if exercises else "deployment" if forces else None
    context = " ".join([*_lines_above(text, header.start()), " ; ".join(columns)])
    for row in block[2:]:
        start = row.start() + len(row.group()) - len(row.group().lstrip())
        skipped = tuple(span for i, span in enumerate(_cells(row)) if i in skip_columns)
        rows[start] = TableRow(context=context, skipped=skipped, kind=kind)


def _cells(row: re.Match[str]) -> list[tuple[int, int]]:
    """The (start, end) of each cell of a row, without the outer pipes."""
    line = row.group()
    pipes = [i for i, ch in enumerate(line) if ch == "|"]
    return [(row.start() + a + 1, row.start() + b) for a, b in pairwise(pipes)]


def _lines_above(text: str, start: int) -> list[str]:
    """Up to CONTEXT_LINES non-empty lines before ``start``, in text order, stopping at another table."""
    lines = []
    for line in reversed(text[:start].split("\n")):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("|") or len(lines) == CONTEXT_LINES:
            break
        lines.append(stripped)
    return lines[::-1]
