"""Stage 1b, dates: the publication date of an article (printed, in HTML metadata, "© 2019"
only, or inferred from dated anchor events) and the year of a sentence's event.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from dateutil import parser as dateparser

from geo.fastregex import PatternSet, compile_fast
from geo.load import Article

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
MONTH_RE = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
            r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DAY_NAME = r"(?:(?:" + "|".join(w[:3].capitalize() for w in WEEKDAYS) + r")[a-z]*\.?,?\s+)?"
PRINTED_DATE = compile_fast(
    rf"\b(?P<a>{DAY_NAME}{MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d)\b"
    rf"|\b(?P<b>{DAY_NAME}\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_RE},?\s+(?:19|20)\d\d)\b"
    r"|\b(?P<c>(?:19|20)\d\d-[01]\d-[0-3]\d)(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d)?(?:Z|[+-]\d\d:?\d\d)?)?\b"
    r"|\b(?P<d>[0-3]?\d\.[01]?\d\.(?:19|20)\d\d)\b"
    r"|\b(?P<f>[0-3]?\d\.[01]?\d\.\d\d)\b"  # "Posted 12.11.18": day first, two-digit year
    r"|\b(?P<e>[0-3]?\d/[01]?\d/(?:19|20)\d\d)\b",
    re.I,
)
PUBLISHED_ON = re.compile(r"\b(?:first\s+)?(?:published|posted)\s+(?:on\s+|:\s*)?", re.I)  # a printed date follows
PRINTED_DATE_REACH = 40  # characters a printed date takes at most
# "© 2014", "Copyright 2014-2025", "(c) ITAR-TASS 2014": the holder's name, if any, is capitalised.
COPYRIGHT_YEAR = compile_fast(r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?-i:[A-Z][\w&.'-]*\s+){0,4}?"
                              r"((?:19|20)\d\d)(?:\s*[-–—]\s*((?:19|20)\d\d))?\b", re.I)
# An exercise's edition keeps its year before a comma: "In September, during Zapad-2025, battalions"
YEAR = re.compile(r"(?<![\d,.$€£])\b(19[5-9]\d|20[0-4]\d)\b(?!\d)(?:(?!,)|(?<=[A-Za-z]-\d\d\d\d))")
# For dating the article a year before a comma counts too ("in the first weeks of 2026, and"); an
# event's own year keeps the stricter form, where "since 1992, Russian troops" would misdate it.
ANY_YEAR = re.compile(r"(?<![\d,.$€£])\b(19[5-9]\d|20[0-4]\d)\b(?!\d|,\d)")  # not "2,026" or "2026,000"
EDITION = re.compile(r"\b([A-Z][A-Za-z]+(?:[ -][A-Z][A-Za-z]+)?)[ -](?:'|’)?(\d{2}|(?:19|20)\d\d)\b")
SINCE_BEFORE = re.compile(r"\bsince\s+(?:(?:early|late|mid|the end of|the start of|spring|summer|autumn|fall|winter|"
                          + "|".join(MONTHS) + r")\s+)?$", re.I)
NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10}
# "reopened in December 2016, nearly three years ago": the article is three years on
YEARS_AGO_AFTER = re.compile(r"\s*,\s*(?:nearly|almost|about|some|over|more than|just over|roughly|exactly)?\s*"
                             r"(" + "|".join(NUMBER_WORDS) + r"|\d{1,2})\s+years?\s+ago\b")


def _count(word: str) -> int:
    """The number a count word or numeral stands for ("three", "12")."""
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


# the second of two target years: "by 2022 or 2023"
DEADLINE_LIST_BEFORE = re.compile(r"\b(?:until|till|by|through|beyond|before)\s+(?:19|20)\d\d\s*(?:or|and|to|-|–)\s*$",
                                  re.I)
# "by 2030", "a deployment planned for 2018": a target, not a year the article has seen
DEADLINE_CONTEXT = re.compile(r"\b(until|till|by|through|beyond|before|(?:planned|scheduled|slated|earmarked|"
                              r"pencilled in|penciled in) for)\s+$", re.I)
# "will run ... in March 2024": a month may stand between the preposition and the year
FUTURE_YEAR_CONTEXT = re.compile(r"\b(until|till|by|through|before|to|beyond|in|"
                                 r"(?:the )?(?:end|start|beginning|middle) of|early|late|mid-?)\s+"
                                 r"(?:(?:\d{1,2}\s+)?(?:" + "|".join(MONTHS) + r")(?:\s+\d{1,2},?)?\s+)?$", re.I)
ORDINAL_EDITION = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+(?:edition|iteration|annual)\b|"
                             r"\bedition\b[^.]{0,40}?\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b", re.I)
SHORT_DOTTED = re.compile(r"\d{1,2}\.\d{1,2}\.\d\d")
PRINTED_DATE_ZONE = 1500  # characters from the top where a printed date line is looked for
# A wire dateline without its year: "OSLO, Oct 24 (Nordic Wire) -", "VISBY, Sweden, Sept 14 -"
YEARLESS_DATELINE = re.compile(rf"\b[A-Z][A-Z .'-]+,(?:\s+[A-Z][\w .'-]*,)?\s+(?P<m>{MONTH_RE})\s+(?P<d>\d{{1,2}})"
                               r"(?!\d|,?\s*(?:19|20)\d\d)\s*(?:\(|[-–—])")
# the weekday its lead gives the news ("said on Monday") is the dateline's day
LEAD_WEEKDAY = re.compile(r"\b(?:on|this|last)\s+(" + "|".join(WEEKDAYS) + r")\b", re.I)
LEAD_REACH = 400  # characters after a dateline searched for its weekday
DATELINE_YEARS = 12  # years after the content's latest one a yearless dateline may fall in


@dataclass(frozen=True)
class Anchor:
    """A dated anchor event (a NATO summit, an invasion...) read from data/catalogue/summits.csv."""

    name: str
    aliases: tuple[str, ...]
    city: str
    year: int
    month: int


@dataclass(frozen=True)
class Published:
    """The article's publication date (None when only the year is known) and year."""

    date: date | None
    year: int | None
    how: str  # printed | metadata | copyright | dateline | inferred | unknown


@lru_cache(maxsize=1)
def anchors() -> tuple[Anchor, ...]:
    """Return the catalogue of dated anchor events."""
    path = DATA_DIR / "catalogue" / "summits.csv"
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            aliases = tuple(a.strip() for a in (r.get("aliases") or "").split("|") if a.strip())
            out.append(Anchor(r["name"], aliases, r.get("city", ""), int(r["year"]), int(r.get("month") or 0)))
    return tuple(out)


ISO_DATE = re.compile(r"((?:19|20)\d\d)-([01]\d)-([0-3]\d)(?:[T ]|$)")
WRITTEN_DATE = re.compile(
    rf"{DAY_NAME}(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{MONTH_RE})"
    rf"|(?P<m2>{MONTH_RE})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?),?\s+(?P<y>(?:19|20)\d\d)", re.I)
MONTH_ABBREVIATIONS = [m[:3] for m in MONTHS]


def _common_date(text: str) -> date | None:
    """The date of an ISO or written ("20 June 2017", "June 20, 2017") date string; None for any other form.

    dateutil takes about 0.1 ms a string; these two forms are nearly all that pages print.
    """
    if m := ISO_DATE.match(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := WRITTEN_DATE.fullmatch(text):
        year, day = int(m.group("y")), int(m.group("d1") or m.group("d2"))
        month = MONTH_ABBREVIATIONS.index((m.group("m1") or m.group("m2"))[:3].lower()) + 1
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """Return the calendar date in a printed date string, or None."""
    text = text.strip()
    if (common := _common_date(text)) is not None:
        return common
    dayfirst = bool(re.match(r"^\d{1,2}[./]\d{1,2}[./](?:\d\d){1,2}$", text))
    try:
        return dateparser.parse(text, dayfirst=dayfirst, fuzzy=True, default=None).date()  # type: ignore[union-attr]
    except (ValueError, OverflowError, AttributeError, TypeError):
        return None


def publication(article: Article) -> Published:
    """Return the publication date and year of an article."""
    for raw in article.meta_dates:
        d = parse_date(raw[:25])
        if d and 1990 <= d.year <= 2100:
            return Published(d, d.year, "metadata")
    head = _non_furniture_text(article, PRINTED_DATE_ZONE)
    for m in PRINTED_DATE.finditer(head):
        raw = next(g for g in m.groups() if g)
        if _is_amendment(head, m.start()) or (SHORT_DOTTED.fullmatch(raw) and _inside_number(head, m.start(), m.end())):
            continue
        d = parse_date(raw)
        if d and 1990 <= d.year <= 2100:
            return Published(d, d.year, "printed")
    # A page's own statement of when it was published, wherever it stands (a footer's "This article
    # was first published on 10/02/2026"), before its copyright line.
    for m in PUBLISHED_ON.finditer(article.text):
        printed = PRINTED_DATE.match(article.text[m.end():m.end() + PRINTED_DATE_REACH])
        d = parse_date(next(g for g in printed.groups() if g)) if printed else None
        if d and 1990 <= d.year <= 2100:
            return Published(d, d.year, "printed")
    single, ranges = [], []
    for m in COPYRIGHT_YEAR.finditer(article.text):
        (ranges if m.group(2) else single).append(int(m.group(2) or m.group(1)))
    if single:
        return Published(None, max(single), "copyright")
    inferred = infer_year(article)
    # "© 2014–2025" dates the site, not the article: its last year only bounds the content's.
    if ranges and not (inferred and inferred <= max(ranges)):
        return Published(None, max(ranges), "copyright")
    if inferred and (dated := _yearless_dateline(head, inferred)) is not None:
        return Published(dated, dated.year, "dateline")
    return Published(None, inferred, "inferred" if inferred else "unknown")


def _yearless_dateline(head: str, floor: int) -> date | None:
    """The date of a dateline that prints no year ("OSLO, Oct 24 (Reuters) - ... said on Monday"):
    the first year from ``floor`` (the content's latest year) on which that day is the weekday the
    lead names; None without a dateline or a weekday."""
    line = YEARLESS_DATELINE.search(head)
    if line is None:
        return None
    weekday = LEAD_WEEKDAY.search(head, line.end(), line.end() + LEAD_REACH)
    if weekday is None:
        return None
    month = MONTH_ABBREVIATIONS.index(line.group("m")[:3].lower()) + 1
    wanted = WEEKDAYS.index(weekday.group(1).lower())
    for year in range(floor, floor + DATELINE_YEARS):
        try:
            day = date(year, month, int(line.group("d")))
        except ValueError:
            return None
        if day.weekday() == wanted:
            return day
    return None


def _inside_number(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is part of a longer dotted number ("1.12.11.18", "12.11.18.3")."""
    return text[start - 1:start] == "." or bool(re.match(r"\.\d", text[end:end + 2]))


def _is_amendment(text: str, pos: int) -> bool:
    return bool(re.search(r"(amended|updated|corrected) on\s*$", text[max(0, pos - 30):pos], re.I))


def _non_furniture_text(article: Article, limit: int) -> str:
    """The first ``limit`` characters with furniture blanked out (same length)."""
    chars = list(article.text[:limit])
    for seg in article.segments:
        if seg.role == "furniture" and seg.start < limit:
            for i in range(seg.start, min(seg.end, limit)):
                chars[i] = " "
    return "".join(chars)


def body_text(article: Article) -> str:
    """The article text with furniture and captions blanked out (same length, so offsets hold)."""
    chars = list(article.text)
    for seg in article.segments:
        if seg.role in ("furniture", "caption"):
            for i in range(seg.start, seg.end):
                chars[i] = " "
    return "".join(chars)


def infer_year(article: Article) -> int | None:
    """Infer the publication year from content: anchors, relative phrases, explicit years."""
    text = body_text(article)
    lowered = text.lower()
    evidence: list[int] = []
    # Edition years of named exercises ("Zapad-2021", "Saber Strike 17", or one the catalogue lacks
    # but the text calls an exercise: "exercise Arrow 22"), not of aircraft ("MiG-29") or dates
    # ("Sept 20"). An edition still to come ("a Zapad-2025 is already on the calendar") counts only
    # when nothing else dates the article; "last year's Saber Guardian 17" dates it a year later.
    exercise_names = _exercise_names()
    upcoming: list[int] = []
    edition_years: set[int] = set()  # offsets of the years read here, which the next loop skips
    for m in EDITION.finditer(text):
        name = m.group(1)
        called = EXERCISE_BEFORE_NAME.search(text, max(0, m.start() - 12), m.start()) or \
            name.lower().startswith("exercise ")
        if name.lower() in exercise_names or called:
            edition_years.add(m.start(2))
            y = int(m.group(2))
            y = (y if y > 100 else 2000 + y) + _relative_offset(lowered, m.start())
            (upcoming if UPCOMING_WORDS.search(_sentence_around(text, m.start(), m.end())) else evidence).append(y)
    # Explicit years, except those in forward-looking phrases ("until 2019").
    for m in ANY_YEAR.finditer(text):
        before = text[max(0, m.start() - 20):m.start()]
        if m.start() in edition_years or DEADLINE_CONTEXT.search(before) or \
                DEADLINE_LIST_BEFORE.search(text, max(0, m.start() - 25), m.start()) or (
                FUTURE_YEAR_CONTEXT.search(before) and _future_tense_near(lowered, m.start())):
            continue
        y = int(m.group(1))
        ago = YEARS_AGO_AFTER.match(lowered, m.end())
        evidence.append(y + (_count(ago.group(1)) if ago else _relative_offset(lowered, m.start())))
    # Named exercises: none can be reported before its first edition ("Nordic Response" was
    # first held in 2024), and "the 53rd edition" of an annual one since 1972 is 2024.
    for m in _exercise_pattern().finditer(text):
        first, annual = _exercise_editions()[m.group(1).lower()]
        # "the Nordic Response 2024 exercise, which will run in March": a first edition still to come
        (upcoming if UPCOMING_WORDS.search(_sentence_around(text, m.start(), m.end())) else evidence).append(first)
        if annual:
            ordinal = ORDINAL_EDITION.search(text, max(0, m.start() - 300), m.end() + 300)
            if ordinal:
                evidence.append(first + int(ordinal.group(1) or ordinal.group(2)) - 1)
    # Anchor events ("the upcoming NATO summit in Warsaw", "last year's Madrid summit"). A name
    # shared by several editions (Brussels, Washington) takes the first edition not before the
    # other evidence.
    by_name, pattern = _anchor_index()
    ambiguous: list[tuple[list[int], int]] = []
    ahead: list[int] = []  # anchors still to come: "the next summit in Vilnius"
    for m in pattern.finditer(lowered):
        years = by_name[m.group(1)]
        offset = _relative_offset(lowered, m.start()) or _relative_offset_after(lowered, m.end())
        if len(set(years)) == 1 and UPCOMING_ANCHOR_BEFORE.search(lowered, max(0, m.start() - 30), m.start()):
            ahead.append(years[0])
        elif len(set(years)) == 1:
            evidence.append(years[0] + offset)
        else:
            ambiguous.append((sorted(set(years)), offset))
    # "Zapad, held last September", "last year's Zapad": a year after one of its listed editions,
    # read like a summit's name that several editions share.
    listed = _listed_editions()
    for m in _listed_exercise_pattern().finditer(lowered):
        if EDITION_NUMBER_AFTER.match(lowered, m.end()):
            continue  # "last summer's Saber Guardian 17": the edition loop read it
        offset = _relative_offset(lowered, m.start()) or _relative_offset_after(lowered, m.end())
        if offset:
            ambiguous.append((list(listed[m.group(1)]), offset))
    # An anchor still to come falls in the year of writing or the next: it dates the article only
    # when the rest is older ("the upcoming summit in Warsaw" beside the annexation of Crimea is 2016's).
    for year in ahead:
        if not evidence or max(evidence) < year - 1:
            evidence.append(year)
    if not evidence:
        evidence = upcoming
    floor = max(evidence) if evidence else None
    for years, offset in ambiguous:
        later = [y for y in years if floor is None or y >= floor]
        evidence.append((later[0] if later else years[-1]) + offset)
    return max(evidence) if evidence else None


@lru_cache(maxsize=1)
def _anchor_index() -> tuple[dict[str, list[int]], re.Pattern[str]]:
    """Anchor names (lower case) -> years, and one alternation that finds them all."""
    by_name: dict[str, list[int]] = {}
    for anchor in anchors():
        names = {anchor.name.lower(), *(a.lower() for a in anchor.aliases)}
        if anchor.city:
            names |= {f"summit in {anchor.city.lower()}", f"{anchor.city.lower()} summit"}
        for n in names:
            by_name.setdefault(n, []).append(anchor.year)
    keys = sorted(by_name, key=len, reverse=True)
    return by_name, re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b")


@lru_cache(maxsize=1)
def _exercise_catalogue() -> tuple[frozenset[str], dict[str, tuple[int, bool]], dict[str, tuple[int, ...]]]:
    """Every exercise name and alias (lower case); for the exercises whose first edition the
    catalogue knows, name -> (first edition year, held every year); for those it lists the
    editions of, name -> their years."""
    names: set[str] = set()
    editions: dict[str, tuple[int, bool]] = {}
    listed: dict[str, tuple[int, ...]] = {}
    with (DATA_DIR / "catalogue" / "exercises.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            row_names = {n.strip().lstrip("=").lower() for n in (r["name"], *(r.get("aliases") or "").split("|"))
                         if n.strip()}
            names |= row_names
            # Only a known first edition bounds the year: "annual:1972" or "first:2024"; a bare list
            # of editions may be incomplete.
            tokens = (r.get("editions") or "").strip().split("|")
            first = next((t.split(":", 1)[1] for t in tokens if t.startswith(("annual:", "first:"))), "")
            if first.isdigit():
                annual = any(t.startswith("annual:") for t in tokens)
                editions.update(dict.fromkeys(row_names, (int(first), annual)))
            elif tokens and all(t.isdigit() for t in tokens):
                listed.update(dict.fromkeys(row_names, tuple(sorted(map(int, tokens)))))
    return frozenset(names), editions, listed


def _exercise_names() -> frozenset[str]:
    """Every exercise name and alias of the catalogue, lower case."""
    return _exercise_catalogue()[0]


def _exercise_editions() -> dict[str, tuple[int, bool]]:
    """Exercise names and aliases (lower case) -> (first edition year, held every year), for the
    exercises whose first edition the catalogue knows."""
    return _exercise_catalogue()[1]


def _listed_editions() -> dict[str, tuple[int, ...]]:
    """Exercise names and aliases (lower case) -> the years of their editions the catalogue lists."""
    return _exercise_catalogue()[2]


EDITION_NUMBER_AFTER = re.compile(r"[\s-]*'?(?:19|20)?\d\d\b")


@lru_cache(maxsize=1)
def _listed_exercise_pattern() -> re.Pattern[str]:
    """One alternation of the names in ``_listed_editions`` (lower case, four letters or more)."""
    keys = sorted((k for k in _listed_editions() if len(k) >= 4), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b")


@lru_cache(maxsize=1)
def _exercise_pattern() -> re.Pattern[str]:
    keys = sorted((k for k in _exercise_editions() if len(k) >= 4), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b", re.I)


UPCOMING_ANCHOR_BEFORE = re.compile(r"\b(?:next|upcoming|forthcoming|coming|ahead of(?: the)?)\s+"
                                    r"(?:(?:nato|alliance)(?:'s)?\s+)?$")
# a sentence about an edition still to come: "Zapad-2025 is already on the calendar", "ahead of BALTOPS 25"
UPCOMING_WORDS = re.compile(r"\b(?:will|shall|scheduled|expected|due|plans?|planned|planning|upcoming|forthcoming|"
                            r"calendar|next|ahead of|prepar(?:e|es|ing|ations?) for|in preparation)\b", re.I)
EXERCISE_BEFORE_NAME = re.compile(r"\bexercises?\s+$", re.I)
SENTENCE_END = re.compile(r"[.!?\n]")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of text holding ``start:end`` (up to 300 characters each side)."""
    lo = max(0, start - 300)
    before = [m.end() for m in SENTENCE_END.finditer(text, lo, start)]
    after = SENTENCE_END.search(text, end, end + 300)
    return text[before[-1] if before else lo:after.start() if after else end + 300]


FUTURE_WORD = re.compile(r"\b(will|scheduled|expected|due|plans?|planned|until|stay|extend)\b")
DOCUMENT_BEFORE = re.compile(r"(founding act|treaty|agreement|document)\s*$")
DOCUMENT_AFTER = re.compile(r"\s*(nato-russia )?(founding act|agreement|treaty)")


def _future_tense_near(lowered: str, pos: int) -> bool:
    window = lowered[max(0, pos - 80):pos]
    return bool(FUTURE_WORD.search(window))


RELATIVE_BEFORE = (
    (re.compile(r"(a little over|more than|over|about|almost|nearly)?\s*a year (?:after|into|since) "
                r"(the )?[^.]{0,40}$"), 1),
    # "two years after the invasion", "two years into Russia's full-scale war"
    (re.compile(r"\b(\w+) years (?:after|into|since) (the )?[^.]{0,40}$"), "n"),
    (re.compile(r"last year'?s\s+[^.]{0,30}$"), 1),
    # "last summer's Saber Guardian 17": a summer or autumn already called "last" is the year before's
    (re.compile(r"last (?:summer|autumn|fall)'?s\s+[^.]{0,30}$"), 1),
    (re.compile(r"next year'?s\s+[^.]{0,30}$"), -1),
)
# "the summit in Wales last September", "Zapad, held last year", "the Vilnius summit next year"
RELATIVE_AFTER = re.compile(r"\s*,?\s*(?:(?:held|staged|hosted|in|on)\s+)?(?:\w+\s+)?(last|next)\s+(year|"
                            + "|".join(MONTHS) + r")\b")


def _relative_offset_after(lowered: str, end: int) -> int:
    """Years to add to an anchor ending at ``end`` that the words after it date: "... last September" -> +1."""
    m = RELATIVE_AFTER.match(lowered, end, end + 40)
    if m is None or (m.group(2) != "year" and m.group(1) == "next"):
        return 0  # "next March" may fall in the year of writing
    return 1 if m.group(1) == "last" else -1


def _relative_offset(lowered: str, pos: int) -> int:
    """Years to add to an anchor at ``pos`` to reach the time of writing ("last year's" -> +1)."""
    window = lowered[max(0, pos - 60):pos]
    for pattern, offset in RELATIVE_BEFORE:
        m = pattern.search(window)
        if m:
            if offset == "n":
                return NUMBER_WORDS.get(m.group(1), 0)
            return int(offset)
    return 0


# ----- event years ---------------------------------------------------------------------------
# "last autumn" is the year before's (as "last September" is), "next spring" the year after's;
# a winter may be this one.
RELATIVE_YEAR = PatternSet([r"\blast year\b|\bprevious year\b|\ba year ago\b|\blast (?:spring|summer|autumn|fall)\b",
                            r"\bnext year\b|\bcoming year\b|\bnext (?:spring|summer|autumn|fall)\b",
                            r"\btwo years ago\b"])
RELATIVE_YEAR_DELTAS = (-1, 1, -2)
PAST_TENSE = re.compile(r"\b(?:was|were|had|held|took place|exercised|fired|conducted|staged|carried out|ended|"
                        r"began|arrived|deployed|moved|sent|launched|practised|practiced|rehearsed|trained)\b")
FUTURE_TENSE = re.compile(r"\b(?:will|would|plans?|planned|due|expected|next|upcoming|is to|are to)\b")
MONTH_WORD = re.compile(r"\b(?i:last|this|in|since|from|early|late|mid|until|by|on|of)\s+(-?\s*)?(" +
                        "|".join(m.capitalize() for m in MONTHS) + r")\b(?!\s+\d{1,2}\b,?\s+(?:19|20)\d\d)")


def _names_a_document(sentence: str, m: re.Match[str]) -> bool:
    """"the 1997 NATO-Russia Founding Act": the year dates a document, not the event."""
    before = sentence[max(0, m.start() - 25):m.start()].lower()
    after = sentence[m.end():m.end() + 30].lower()
    return bool(DOCUMENT_BEFORE.search(before) or DOCUMENT_AFTER.match(after))


def sentence_year(sentence: str, published: Published, anchor_offset: int | None = None) -> int | None:
    """Return the year a sentence's event happened in, resolving relative dates.

    ``anchor_offset`` is the trigger's position in the sentence; the explicit year
    nearest to it wins when several are given.
    """
    pub_year = published.year
    years = _years_in(sentence)
    if years:
        if anchor_offset is None or len(years) == 1:
            return years[0][1] if len(years) == 1 else max(y for _, y in years)
        return min(years, key=lambda t: abs(t[0] - anchor_offset))[1]
    if pub_year is None:
        return None
    relative, m = _relative_cues(sentence)
    if relative is not None:
        return pub_year + RELATIVE_YEAR_DELTAS[relative]
    if m and m.group(0).lower().startswith("last"):
        return pub_year - 1  # "last March" in an April article is the year before's, as anchors read it
    if m and published.date is not None:
        month = MONTHS.index(m.group(2).lower()) + 1
        # "In September, ... battalions exercised at ranges in Karelia" in a January article: last September
        if month > published.date.month and m.group(0).lower().startswith("in") and \
                PAST_TENSE.search(sentence) and not FUTURE_TENSE.search(sentence):
            return pub_year - 1
    return pub_year


MONTH_NAME = "|".join(m.capitalize() for m in MONTHS)
# A month the sentence dates something by: "in June", "on 3 March", "June 20, 2017", "since
# September 2016". "May" only with a day, a year or a preposition, since it is also a verb.
MONTH_NAME_ANY = re.compile(MONTH_NAME)
MONTH_MENTION = re.compile(
    rf"\b(?:(?:in|on|since|from|until|by|early|late|mid|this|last|next|of)[\s-]+(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?"
    rf"(?P<m1>{MONTH_NAME})|(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)(?P<m2>{MONTH_NAME})|(?P<m3>{MONTH_NAME})"
    rf"(?=\s+\d{{1,2}}\b|,?\s+(?:19|20)\d\d))\b(?:\s+\d{{1,2}}(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<year>(?:19|20)\d\d))?"
)


def sentence_month(sentence: str, year: int | None, anchor_offset: int | None = None) -> int | None:
    """Return the month (1-12) a sentence dates its event in, or None.

    The month mention nearest ``anchor_offset`` counts; a month printed with a year
    other than the event's ``year`` ("since June 2016" for a 2017 event) does not.
    """
    if year is None:
        return None
    found = [(start, month) for start, month, printed_year in _months_in(sentence)
             if printed_year is None or printed_year == year]
    if not found:
        return None
    if anchor_offset is None:
        return found[0][1]
    return min(found, key=lambda t: abs(t[0] - anchor_offset))[1]


# Each clause of a sentence asks for its year and month: the scans of the sentence are done
# once (a sentence is one object during classification, so its hash and lookup are cheap).
@lru_cache(maxsize=8)
def _years_in(sentence: str) -> list[tuple[int, int]]:
    # "since 2006" dates a start, not the event reported: "the series Norway has hosted since 2006"
    return [(m.start(), int(m.group(1))) for m in YEAR.finditer(sentence)
            if not _names_a_document(sentence, m) and not SINCE_BEFORE.search(sentence, max(0, m.start() - 24),
                                                                                m.start())]


@lru_cache(maxsize=8)
def _relative_cues(sentence: str) -> tuple[int | None, re.Match[str] | None]:
    return RELATIVE_YEAR.first(sentence.lower()), MONTH_WORD.search(sentence) if _names_a_month(sentence) else None


def _names_a_month(sentence: str) -> bool:
    """Whether a capitalised month name occurs, as MONTH_WORD and MONTH_MENTION need (a cheap first test)."""
    return MONTH_NAME_ANY.search(sentence) is not None


@lru_cache(maxsize=8)
def _months_in(sentence: str) -> list[tuple[int, int, int | None]]:
    found: list[tuple[int, int, int | None]] = []
    if not _names_a_month(sentence):
        return found
    for m in MONTH_MENTION.finditer(sentence):
        name = m.group("m1") or m.group("m2") or m.group("m3")
        found.append((m.start(), MONTHS.index(name.lower()) + 1, int(m.group("year")) if m.group("year") else None))
    return found
