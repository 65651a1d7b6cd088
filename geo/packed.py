"""Read-only string tables packed into a MARISA trie, a few MB where a dict of strings takes tens.

The gazetteer's name index (180,000 keys) and its GeoNames rows (100,000) are built once and then
only read. As Python dicts of str and lists they held about 55 MB of a process's memory; packed
they take under a tenth of that, load from a prebuilt file in milliseconds and keep the dict's
insertion order (which decides ties downstream, so the output does not depend on the packing).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping

import marisa_trie

LIST_SEPARATOR = "\x1f"  # unit separator: never inside a place id


class PackedStrings:
    """A read-only ``str -> str`` mapping: keys in a MARISA trie, values in one string."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._trie = marisa_trie.Trie(mapping.keys())
        values = [""] * len(self._trie)
        self._order = array("I")
        for key, value in mapping.items():
            slot = self._trie[key]
            values[slot] = value
            self._order.append(slot)
        self._ends = array("I")
        total = 0
        for value in values:
            total += len(value)
            self._ends.append(total)
        self._blob = "".join(values)

    def _value(self, slot: int) -> str:
        return self._blob[self._ends[slot - 1] if slot else 0:self._ends[slot]]

    def get(self, key: str, default: str | None = None) -> str | None:
        """Return the value of ``key``, or ``default``."""
        slot = self._trie.get(key)
        return default if slot is None else self._value(slot)

    def __getitem__(self, key: str) -> str:
        return self._value(self._trie[key])

    def __contains__(self, key: object) -> bool:
        return key in self._trie

    def __len__(self) -> int:
        return len(self._order)

    def items(self) -> Iterator[tuple[str, str]]:
        """Yield (key, value) in the order the mapping was built in."""
        restore = self._trie.restore_key
        for slot in self._order:
            yield restore(slot), self._value(slot)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackedStrings) and dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]


class PackedIndex:
    """A read-only ``str -> list[str]`` mapping (a name key to its place ids, best first)."""

    def __init__(self, mapping: Mapping[str, list[str]]) -> None:
        self._strings = PackedStrings({key: LIST_SEPARATOR.join(ids) for key, ids in mapping.items()})

    def get(self, key: str, default: list[str] | None = None) -> list[str] | None:
        """Return a new list of the ids under ``key``, or ``default``."""
        joined = self._strings.get(key)
        return default if joined is None else joined.split(LIST_SEPARATOR)

    def __getitem__(self, key: str) -> list[str]:
        return self._strings[key].split(LIST_SEPARATOR)

    def __contains__(self, key: object) -> bool:
        return key in self._strings

    def __len__(self) -> int:
        return len(self._strings)

    def items(self) -> Iterator[tuple[str, list[str]]]:
        """Yield (key, ids) in the order the mapping was built in."""
        for key, joined in self._strings.items():
            yield key, joined.split(LIST_SEPARATOR)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackedIndex) and self._strings == other._strings

    __hash__ = None  # type: ignore[assignment]
