"""Length-preserving text normalisation shared by the gazetteer and the mention finder.

Every character maps to exactly one character, so offsets found in normalised text are
offsets into the original text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np

# Letters NFKD does not decompose into a base letter plus a mark.
_SPECIAL = {
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "s", "æ": "a", "Æ": "a",
    "ı": "i", "İ": "i", "ħ": "h", "þ": "t", "ð": "d", "œ": "o", "Œ": "o",
    "ё": "е", "Ё": "е", "й": "и", "Й": "и",
    "’": "'", "‘": "'", "`": "'", "ʼ": "'", "´": "'",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "\u00ad": "-",
    "\u00a0": " ", "\t": " ", "\n": " ", "\r": " ", "\u2009": " ", "\u202f": " ",
}


@cache
def _fold_char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    low = ch.lower()
    if len(low) != 1:
        low = ch
    base = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
    return base[0] if len(base) >= 1 else low


# Latin, Greek, Cyrillic, Latin Extended Additional and general punctuation.
_FOLDED_RANGES = [*range(0x0000, 0x0250), *range(0x0370, 0x0530), *range(0x1E00, 0x1F00), *range(0x2000, 0x2070)]


def _build_table() -> dict[int, str]:
    table = {}
    for cp in _FOLDED_RANGES:
        ch = chr(cp)
        folded = _fold_char(ch)
        if folded != ch:
            table[cp] = folded
    return table


_TABLE = _build_table()


def _build_word_table() -> dict[int, str]:
    table = {}
    for cp, folded in ((cp, _TABLE.get(cp, chr(cp))) for cp in _FOLDED_RANGES):
        word_char = folded if folded.isalnum() or folded == "'" else " "
        if word_char != chr(cp):
            table[cp] = word_char
    return table


_WORD_TABLE = _build_word_table()
# After the word table, anything but a space or an apostrophe is a letter or digit (or beyond the table).
_JOINED_APOSTROPHE = re.compile(r"(?<=[^ '])'")


# str.translate leaves its fast path at the first non-ASCII character, so long texts
# (whole articles) go through a code-point lookup array instead; same result.
_ARRAY_FROM = 256
_LIMIT = max(_FOLDED_RANGES) + 1


def _as_array(table: dict[int, str]) -> np.ndarray:
    codes = np.arange(_LIMIT, dtype=np.uint32)
    for cp, ch in table.items():
        codes[cp] = ord(ch)
    return codes


_FOLD_ARRAY = _as_array(_TABLE)
_WORD_ARRAY = _as_array(_WORD_TABLE)


def _codes(text: str) -> np.ndarray | None:
    try:
        return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:  # lone surrogates: the caller falls back to str.translate
        return None


def _lookup(codes: np.ndarray, array: np.ndarray) -> np.ndarray:
    return np.where(codes < _LIMIT, array[np.minimum(codes, _LIMIT - 1)], codes).astype(np.uint32)


def _translate(text: str, table: dict[int, str], array: np.ndarray) -> str:
    codes = _codes(text) if len(text) >= _ARRAY_FROM else None
    if codes is None:
        return text.translate(table)
    return _lookup(codes, array).tobytes().decode("utf-32-le")


def fold(text: str) -> str:
    """Return ``text`` lower-cased, with diacritics stripped, of exactly the same length."""
    return _translate(text, _TABLE, _FOLD_ARRAY)


def name_key(name: str) -> str:
    """Return the lookup key of a place name: folded, hyphens and apostrophes as spaces, collapsed."""
    folded = fold(name).replace("-", " ").replace("'", "").replace(".", "")
    return " ".join(folded.split())


# How English-language texts write letters that folding would drop a mark from: "Grafenwoehr",
# "Muenster", "Roenne". Used for extra lookup keys only (it changes lengths).
_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss",
                              "ø": "oe", "Ø": "Oe", "æ": "ae", "Æ": "Ae", "å": "aa", "Å": "Aa"})


def spelled_out_key(name: str) -> str | None:
    """Return the key of ``name`` with umlauts, ß, ø, æ and å written out ("grafenwoehr"), or None if the same."""
    spelled = name.translate(_SPELLED_OUT)
    return name_key(spelled) if spelled != name else None


def word_form(text: str) -> str:
    """Return ``text`` folded, with every character but letters, digits and word-joining
    apostrophes ("o'brien", "russia's", shown as ``\\x01``) turned into a space; same length."""
    codes = _codes(text) if len(text) >= _ARRAY_FROM else None
    if codes is None:
        out = text.translate(_WORD_TABLE)
        return _JOINED_APOSTROPHE.sub("\x01", out).replace("'", " ") if "'" in out else out
    mapped = _lookup(codes, _WORD_ARRAY)
    apostrophes = mapped == ord("'")
    if apostrophes.any():
        previous = np.concatenate(([ord(" ")], mapped[:-1]))
        joined = apostrophes & (previous != ord(" ")) & (previous != ord("'"))
        mapped[apostrophes] = ord(" ")
        mapped[joined] = 1
    return mapped.tobytes().decode("utf-32-le")
