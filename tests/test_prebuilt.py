"""Prebuilt indexes: built once, reloaded identical, rebuilt when their sources change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo import prebuilt
from geo.extract import extract_bytes
from geo.gazetteer import DATA_DIR, Gazetteer, load_gazetteer


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "places.csv").write_text("id,name\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    prebuilt.digest.cache_clear()
    yield tmp_path
    prebuilt.digest.cache_clear()


def test_a_value_is_built_once_then_loaded(data_dir: Path):
    calls = []

    def build() -> dict[str, list[int]]:
        calls.append(1)
        return {"a": [1, 2]}

    assert prebuilt.cached("thing", data_dir, build) == {"a": [1, 2]}
    assert prebuilt.cached("thing", data_dir, build) == {"a": [1, 2]}
    assert len(calls) == 1
    assert len(list((data_dir / ".cache").glob("thing-*.pickle"))) == 1


def test_a_changed_data_file_builds_anew_and_removes_the_stale_file(data_dir: Path):
    prebuilt.cached("thing", data_dir, lambda: 1)
    (data_dir / "catalogue" / "places.csv").write_text("id,name\nx,X\n", encoding="utf-8")
    prebuilt.digest.cache_clear()
    assert prebuilt.cached("thing", data_dir, lambda: 2) == 2
    assert len(list((data_dir / ".cache").glob("thing-*.pickle"))) == 1


def test_a_torn_file_is_rebuilt(data_dir: Path):
    prebuilt.cached("thing", data_dir, lambda: 1)
    (path,) = (data_dir / ".cache").glob("thing-*.pickle")
    path.write_bytes(path.read_bytes()[:3])
    assert prebuilt.cached("thing", data_dir, lambda: 5) == 5
    assert prebuilt.cached("thing", data_dir, lambda: 6) == 5


def test_an_unwritable_data_folder_falls_back_to_the_user_cache_then_to_none(data_dir: Path,
                                                                              monkeypatch: pytest.MonkeyPatch):
    blocker = data_dir / "not-a-folder"
    blocker.write_text("", encoding="utf-8")  # a folder below a file cannot be made, even by root
    user = data_dir / "user"
    monkeypatch.setattr(prebuilt, "cache_dirs", lambda _d: [blocker / "cache", user])
    assert prebuilt.cached("thing", data_dir, lambda: 3) == 3
    assert len(list(user.glob("thing-*.pickle"))) == 1
    monkeypatch.setattr(prebuilt, "cache_dirs", lambda _d: [blocker / "a", blocker / "b"])
    calls = []
    assert prebuilt.cached("other", data_dir, lambda: calls.append(1) or 4) == 4
    assert prebuilt.cached("other", data_dir, lambda: calls.append(1) or 4) == 4
    assert len(calls) == 2  # nothing cached, nothing broken


def test_the_prebuilt_gazetteer_answers_as_a_freshly_built_one():
    restored, fresh = load_gazetteer(), Gazetteer(DATA_DIR)
    assert restored.prebuilt and not fresh.prebuilt
    assert restored.index == fresh.index
    for name in ("Rukla", "Orzysz", "Sulwaki Gap", "Vilnius", "Kilo"):
        assert restored.lookup(name) == fresh.lookup(name)
    text = (b"June 20, 2017 - NATO troops arrived at the Bemowo Piskie training area near Orzysz, close to the "
            b"Polish-Lithuanian border and the Sulwaki Gap.")
    assert extract_bytes(text, "a.txt", restored) == extract_bytes(text, "a.txt", fresh)


def test_the_content_hash_is_remembered_under_the_files_signature_and_redone_when_a_file_changes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(prebuilt.PACKAGE_DIR.parent / "data" / "catalogue", data / "catalogue")
    first = prebuilt.digest.__wrapped__(data)
    memos = list((data / ".cache").glob("digest-*.txt"))
    assert len(memos) == 1 and memos[0].read_text() == first
    assert prebuilt.digest.__wrapped__(data) == first  # from the memo
    target = data / "catalogue" / "groups.csv"
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = prebuilt.digest.__wrapped__(data)
    assert changed != first and len(list((data / ".cache").glob("digest-*.txt"))) == 1
