"""The packed tables answer as the dicts they were built from."""

import pickle

import pytest

from geo.packed import PackedIndex, PackedStrings


def test_packed_strings_answer_as_their_dict_in_its_order():
    source = {"riga": "56.9\t24.1", "": "empty key", "tapa": "", "ādaži": "unicode"}
    packed = PackedStrings(source)
    assert [packed[k] for k in source] == list(source.values())
    assert list(packed.items()) == list(source.items())
    assert len(packed) == 4 and "tapa" in packed and "tap" not in packed
    assert packed.get("nowhere") is None and packed.get("nowhere", "x") == "x"
    with pytest.raises(KeyError):
        packed["nowhere"]


def test_packed_index_gives_fresh_lists_of_ids_best_first():
    packed = PackedIndex({"georgia": ["country:GE", "geonames:1", "geonames:2"], "tapa": ["geonames:3"]})
    ids = packed.get("georgia")
    assert ids == ["country:GE", "geonames:1", "geonames:2"]
    ids.append("changed")  # a caller's list is its own
    assert packed["georgia"] == ["country:GE", "geonames:1", "geonames:2"]
    assert packed.get("paldiski", []) == [] and "paldiski" not in packed
    assert dict(packed.items()) == {"georgia": ["country:GE", "geonames:1", "geonames:2"], "tapa": ["geonames:3"]}


def test_packed_tables_survive_pickling_and_compare_by_content():
    a = PackedIndex({"a": ["1"], "b": ["2", "3"]})
    b = PackedIndex({"b": ["2", "3"], "a": ["1"]})  # built in another order (hash seeds differ between processes)
    assert a == b and a != PackedIndex({"a": ["1"]})
    restored = pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))
    assert restored == a and list(restored.items()) == list(a.items())
