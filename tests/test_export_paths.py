"""Exports write the file the user named and nothing else.

Every case lists the directory trees it could touch (a "work" folder the user exports into
and an "elsewhere" folder that links point to) before and after, and compares them: a
successful export adds or replaces exactly the named file, a refused one changes nothing
and says why in one line ``PATH: reason``.

Decisions shown here (see geo/export.py):
* a target that is a symbolic link is *replaced* by the export; the file it pointed to is
  left untouched (writing through a link would write outside the named path);
* a target inside a linked folder is written there (that is the named path);
* a target that exists but is not a regular file (FIFO, device, /dev/stdout) is refused,
  since renaming over it would replace the node itself.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from geo import export
from geo.cli import main
from geo.errors import ExportError
from geo.load import display_name

ROOT = Path(__file__).resolve().parents[1]


def tree(root: Path) -> dict[str, str]:
    """Every entry under ``root`` (links not followed): relative path -> kind and content digest."""
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                kind = f"link -> {os.readlink(path)}"
            elif stat.S_ISDIR(info.st_mode):
                kind = "dir"
            elif stat.S_ISREG(info.st_mode):
                kind = f"file {hashlib.sha256(path.read_bytes()).hexdigest()[:16]} {oct(info.st_mode & 0o777)}"
            elif stat.S_ISFIFO(info.st_mode):
                kind = "fifo"
            else:
                kind = "other"
            found[str(path.relative_to(root))] = kind
    return found


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    """What differs between two trees: path -> (before, after)."""
    return {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """work/ (where the user exports) and elsewhere/ (what links point to)."""
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    (work / "sub").mkdir(parents=True)
    (elsewhere / "dir").mkdir(parents=True)
    (elsewhere / "real.csv").write_text("precious", encoding="utf-8")
    (work / "file.txt").write_text("notes", encoding="utf-8")
    (work / "previous.geojson").write_text("old export", encoding="utf-8")
    (work / "link.csv").symlink_to("../elsewhere/real.csv")
    (work / "dangling.geojson").symlink_to("../elsewhere/none.geojson")
    (work / "linkdir").symlink_to("../elsewhere/dir")
    (work / "devnull.csv").symlink_to("/dev/null")
    os.mkfifo(work / "pipe.csv")
    return tmp_path


OK_CASES = {
    # target (relative to the sandbox) -> the entries the export may change
    "work/out.csv": ["work/out.csv"],
    "work/sub/../up.csv": ["work/up.csv"],
    "work/previous.geojson": ["work/previous.geojson"],
    "work/link.csv": ["work/link.csv"],  # the link becomes the export; elsewhere/real.csv stays "precious"
    "work/dangling.geojson": ["work/dangling.geojson"],  # elsewhere/none.geojson is not created
    "work/linkdir/out.csv": ["elsewhere/dir/out.csv"],
    "work/" + "n" * 250 + ".csv": ["work/" + "n" * 250 + ".csv"],
    "work/-x 'q\"\n.csv": ["work/-x 'q\"\n.csv"],
}
ERROR_CASES = {
    "work/missing/x.csv": "directory",
    "work/missing/../x.csv": "does not exist",
    "work/sub": "is a directory",
    "work/linkdir": "is a directory",
    "work/file.txt/out.csv": "is not a directory",
    "work/pipe.csv": "not a regular file",
    "work/devnull.csv": "not a regular file",
    "work/" + "n" * 300 + ".csv": "file name too long",
    "/proc/flankmap-export.csv": "cannot write",
    "/proc/version": "cannot write",  # (or "permission denied" when not root)
}


def _target(sandbox: Path, name: str) -> Path:
    return Path(name) if name.startswith("/") else sandbox / name


@pytest.mark.parametrize("name", list(OK_CASES), ids=range(len(OK_CASES)))
def test_export_writes_only_the_named_file(sandbox: Path, events: pd.DataFrame, name: str) -> None:
    target = _target(sandbox, name)
    before = tree(sandbox)
    fmt = target.suffix.lstrip(".")
    assert export.export_events(events, fmt, target) == target
    changed = changes(before, tree(sandbox))
    assert sorted(changed) == OK_CASES[name], changed
    written = sandbox / OK_CASES[name][0]
    assert written.is_file() and not written.is_symlink()
    assert changed[OK_CASES[name][0]][1].endswith("0o644")  # type: ignore[union-attr]
    assert (sandbox / "elsewhere" / "real.csv").read_text(encoding="utf-8") == "precious"
    if fmt == "csv":
        assert len(pd.read_csv(written, encoding="utf-8-sig")) == len(events)


@pytest.mark.parametrize("name", list(ERROR_CASES), ids=range(len(ERROR_CASES)))
def test_refused_export_writes_nothing_and_says_why(sandbox: Path, events: pd.DataFrame, name: str) -> None:
    target = _target(sandbox, name)
    if name.startswith("/proc") and not Path("/proc/version").exists():
        pytest.skip("no /proc")
    before = tree(sandbox)
    with pytest.raises(ExportError) as caught:
        export.export_events(events, "csv", target)
    message = str(caught.value)
    reason = ERROR_CASES[name] if os.geteuid() == 0 or name != "/proc/version" else "permission denied"
    assert message.startswith(f"{target}: ") and reason in message and "\n" not in message
    assert message.count(str(target)) == 1, message
    assert changes(before, tree(sandbox)) == {}
    assert stat.S_ISFIFO((sandbox / "work" / "pipe.csv").lstat().st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_temp_file_is_a_sibling_and_is_removed_on_failure(sandbox: Path, events: pd.DataFrame, fmt: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = sandbox / "work" / f"view.{fmt}"
    target.write_bytes(b"previous export")
    before = tree(sandbox)
    seen: list[Path] = []
    real = export.WRITERS[fmt]

    def full_then_fail(frame: pd.DataFrame, tmp: Path, options: export.ExportOptions) -> None:
        seen.append(tmp)
        real(frame, tmp, options)  # the whole file is written, then the disk "fills up"
        assert tmp.exists() and tmp.stat().st_size > 0
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(export.WRITERS, fmt, full_then_fail)
    with pytest.raises(ExportError, match=f"^{target}: cannot write: no space left on device$"):
        export.export_events(events, fmt, target)
    assert len(seen) == 1
    assert seen[0].parent == target.parent and seen[0].name.startswith(f".{target.name}.")
    assert changes(before, tree(sandbox)) == {}
    assert target.read_bytes() == b"previous export"


def test_interrupted_export_leaves_no_temp_file(sandbox: Path, events: pd.DataFrame,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(frame: pd.DataFrame, tmp: Path, options: export.ExportOptions) -> None:
        tmp.write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setitem(export.WRITERS, "csv", interrupted)
    before = tree(sandbox)
    with pytest.raises(KeyboardInterrupt):
        export.export_events(events, "csv", sandbox / "work" / "x.csv")
    assert changes(before, tree(sandbox)) == {}


def test_gpkg_failure_midway_leaves_no_side_files(sandbox: Path, events: pd.DataFrame,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import pyogrio

    real: Callable[..., None] = pyogrio.write_dataframe
    calls: list[str] = []

    def second_layer_fails(frame: object, path: object, **kwargs: object) -> None:
        calls.append(str(kwargs.get("layer")))
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        real(frame, path, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", second_layer_fails)
    before = tree(sandbox)
    with pytest.raises(ExportError, match="input/output error"):
        export.export_events(events, "gpkg", sandbox / "work" / "view.gpkg")
    assert calls == ["events", "articles"]
    assert changes(before, tree(sandbox)) == {}


# ----- the command line ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["work/missing/x.csv", "work/pipe.csv", "work/file.txt/out.csv",
                                  "work/missing/new\nline.csv", "/proc/flankmap.csv"])
def test_cli_refusal_is_one_line_and_writes_nothing(sandbox: Path, db: Path, name: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = _target(sandbox, name)
    before = tree(sandbox)
    assert main(["export", "--format", "csv", "--db", str(db), "--output", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {display_name(str(target))}: ")
    assert changes(before, tree(sandbox)) == {}


@pytest.mark.parametrize("content", [b"", b"notes"])
def test_cli_does_not_turn_another_file_into_a_store(sandbox: Path, content: bytes,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    fake = sandbox / "work" / "notes.gpkg"
    fake.write_bytes(content)
    before = tree(sandbox)
    assert main(["export", "--format", "csv", "--db", str(fake), "--output", str(sandbox / "work" / "x.csv")]) == 1
    assert capsys.readouterr().err == f"error: {fake}: not an event store (not a GeoPackage/SQLite file)\n"
    assert changes(before, tree(sandbox)) == {}


def test_cli_export_in_a_clean_home_writes_only_the_output(sandbox: Path, db: Path) -> None:
    """End to end: every format through ``python -m geo export`` with an empty HOME and the
    work folder as the current directory. Besides the outputs, only matplotlib's own font
    cache and config folder may appear (in HOME, built once per machine)."""
    home = sandbox / "home"
    home.mkdir()
    before = tree(sandbox)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MPL"))}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT))
    script = "; ".join(
        f"main(['export', '--format', '{fmt}', '--db', {str(db)!r}, '--output', 'view.{fmt}'])"
        for fmt in export.FORMATS)
    out = subprocess.run([sys.executable, "-c", f"from geo.cli import main; {script}"], cwd=sandbox / "work",
                         env=env, capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0 and "error" not in out.stderr, out.stderr
    changed = changes(before, tree(sandbox))
    outputs = {f"work/view.{fmt}" for fmt in export.FORMATS}
    assert outputs <= set(changed)
    caches = ("home/.cache/matplotlib", "home/.config/matplotlib")
    stray = [p for p in set(changed) - outputs if p not in ("home/.cache", "home/.config") and not p.startswith(caches)]
    assert stray == [], stray
    assert all(changed[p][0] is None for p in changed)  # only additions: nothing replaced or removed
