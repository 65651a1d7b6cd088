"""Length-preserving text normalisation shared by the gazetteer and the mention finder.

Every character maps to exactly one character, so offsets found in normalised text are
offsets into the original text.
"""

from __future__ import annotations

import unicodedata
from functools import cache

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


def _build_table() -> dict[int, str]:
    table = {}
    for cp in list(range(0x0000, 0x0250)) + list(range(0x0370, 0x0530)) + list(range(0x1E00, 0x1F00)) + list(
        range(0x2000, 0x2070)
    ):
        ch = chr(cp)
        folded = _fold_char(ch)
        if folded != ch:
            table[cp] = folded
    return table


_TABLE = _build_table()


def fold(text: str) -> str:
    """Return ``text`` lower-cased, with diacritics stripped, of exactly the same length."""
    return text.translate(_TABLE)


def name_key(name: str) -> str:
    """Return the lookup key of a place name: folded, hyphens and apostrophes as spaces, collapsed."""
    folded = fold(name).replace("-", " ").replace("'", "").replace(".", "")
    return " ".join(folded.split())
