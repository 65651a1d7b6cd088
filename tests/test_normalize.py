"""Length-preserving normalisation: folding and the word form the mention finder searches."""

from __future__ import annotations

import random
import re

from geo.fastregex import PatternSet, compile_fast
from geo.normalize import _TABLE, _WORD_TABLE, fold, word_form

LONG = "Łódź — the Suwałki Gap's “corridor”: O'Brien visited Šiauliai, Россия and Zapad-2021. " * 8


def test_fold_is_same_length_and_strips_diacritics() -> None:
    assert fold("Šiauliai Łódź Suwałki") == "siauliai lodz suwalki"
    assert len(fold(LONG)) == len(LONG)


def test_long_texts_fold_exactly_as_the_translate_table() -> None:
    rng = random.Random(7)
    noise = "".join(chr(rng.randrange(0x20, 0x2100)) for _ in range(3000))
    for text in (LONG, noise, LONG + "\ud800" + LONG):  # a lone surrogate takes the fallback path
        assert fold(text) == text.translate(_TABLE)


def test_word_form_keeps_only_words_and_joining_apostrophes() -> None:
    for text in ("Russia's O'Brien 'quoted' Zapad-2021.", LONG):
        form = word_form(text)
        assert len(form) == len(text)
        slow = text.translate(_WORD_TABLE)
        assert set(form) <= set(slow) | {" ", "\x01"}
    assert word_form("Russia's O'Brien 'quoted' Zapad-2021.") == "russia\x01s o\x01brien  quoted\x01 zapad 2021 "
    assert word_form(LONG).startswith("lodz   the suwalki gap\x01s  corridor   o\x01brien")


def test_pattern_set_reports_the_first_pattern_in_order() -> None:
    statuses = PatternSet([r"\bended\b", r"\bwill\b", r"\barrived\b"])
    assert statuses.first("troops arrived and will stay until it ended") == 0
    assert statuses.first("troops arrived") == 2
    assert statuses.first("nothing here") is None


def test_fast_patterns_are_linear_on_hostile_text() -> None:
    pattern = compile_fast(r"(a+)+$")  # catastrophic for a backtracking engine
    assert pattern.search("a" * 50_000 + "!") is None


def test_fast_patterns_match_as_re_does_on_any_text() -> None:
    pattern = r"\b([A-Z][a-z]+)-([A-Z][a-z]+)\s+(border)\b|(Gap)"
    texts = (LONG, LONG.encode("ascii", "ignore").decode(), "the Polish-Lithuanian border, “the Suwałki Gap”", "")
    for text in texts:
        want = [(m.span(), m.span(1), m.span(4), m.groups()) for m in re.finditer(pattern, text, re.ASCII)]
        got = [(m.span(), m.span(1), m.span(4), m.groups()) for m in compile_fast(pattern).finditer(text)]
        assert got == want
        first, want_first = compile_fast(pattern).search(text), re.search(pattern, text, re.ASCII)
        assert (first and (first.span(), first.group(0))) == (want_first and (want_first.span(), want_first.group(0)))
    assert compile_fast(r"gap", re.IGNORECASE).match("Gap years").span() == (0, 3)
    assert compile_fast(r"gap").match("a gap") is None
    assert [m.span() for m in compile_fast(r"x*").finditer("ax€y")] == [m.span() for m in re.finditer(r"x*", "ax€y")]
