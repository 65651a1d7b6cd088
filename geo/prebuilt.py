"""Prebuilt indexes: the gazetteer's tables and the name trie, pickled beside the data.

Building both from the CSV files takes over a second at every start of a process; loading
them from a pickle takes about a fifth of that. Each file is named by a content hash of the
data files and of the code that builds them, so a change to either builds a new one on
next use and a stale file is never read (the content hash itself is remembered under the
files' sizes and modification times, see :func:`digest`). Files are written atomically (temporary file,
then rename) into ``data/.cache``, or the user's cache directory when ``data/`` is
read-only; when neither is writable nothing is cached and every process builds.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import BinaryIO, TypeVar

FORMAT = 1  # bump when the pickled layout changes without a change to the files hashed below
PACKAGE_DIR = Path(__file__).resolve().parent
BUILD_SOURCES = ("gazetteer.py", "normalize.py", "mentions.py", "packed.py", "prebuilt.py")
DATA_FOLDERS = ("gazetteer", "catalogue", "boundaries")
T = TypeVar("T")


def _sources(data_dir: Path) -> list[Path]:
    files = [PACKAGE_DIR / name for name in BUILD_SOURCES]
    return files + sorted(p for folder in DATA_FOLDERS for p in (data_dir / folder).glob("*") if p.is_file())


@cache
def digest(data_dir: Path) -> str:
    """Return the content hash of what the indexes are built from: data files, code, versions.

    Reading and hashing the 10 MB of sources costs a tenth of a process's start, so the hash is
    remembered beside the indexes under a signature of the files' names, sizes and modification
    times (nanoseconds): a changed file has a new signature, and its content is hashed again.
    """
    files = _sources(data_dir)
    head = f"{FORMAT} {sys.version} {version('marisa-trie')}"
    signature = hashlib.blake2b(head.encode(), digest_size=16)
    for path in files:
        stat = path.stat()
        signature.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    memo = f"digest-{signature.hexdigest()}.txt"
    for folder in cache_dirs(data_dir):
        try:
            known = (folder / memo).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if len(known) == 32:
            return known
    h = hashlib.blake2b(head.encode(), digest_size=16)
    for path in files:
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
    content = h.hexdigest()
    for folder in cache_dirs(data_dir):
        if _store_text(content, folder, "digest", memo):
            break
    return content


def cache_dirs(data_dir: Path) -> list[Path]:
    """Return where prebuilt files may live, in order of preference."""
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "flankmap"
    return [data_dir / ".cache", user]


def cached(name: str, data_dir: Path, build: Callable[[], T]) -> T:
    """Return the prebuilt ``name`` for ``data_dir``, building and storing it when absent or stale."""
    file_name = f"{name}-{digest(data_dir)}.pickle"
    for folder in cache_dirs(data_dir):
        path = folder / file_name
        if path.is_file():
            try:
                return _load(path)
            except Exception:  # a torn or foreign file: rebuild it
                break
    value = build()
    for folder in cache_dirs(data_dir):
        if _store(value, folder, name, file_name):
            break
    return value


def _load(path: Path) -> T:
    # Hundreds of thousands of containers: the cyclic collector would rescan them many times over.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as fh:  # streamed: the file's bytes and its objects never peak together
            return pickle.load(fh)
    finally:
        if enabled:
            gc.enable()


def _store_text(text: str, folder: Path, name: str, file_name: str) -> bool:
    """Write ``text`` atomically; remove older files of ``name``. Return False if not writable."""
    return _write_atomic(folder, name, file_name, lambda fh: fh.write(text.encode("ascii")))


def _store(value: object, folder: Path, name: str, file_name: str) -> bool:
    """Write ``value`` atomically; remove older builds of ``name``. Return False if not writable."""
    return _write_atomic(folder, name, file_name,
                         lambda fh: pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL))


def _write_atomic(folder: Path, name: str, file_name: str, write: Callable[[BinaryIO], object]) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; other users of the install read it too
        os.replace(tmp, folder / file_name)
    except OSError:
        return False
    suffix = Path(file_name).suffix
    for old in folder.glob(f"{name}-*{suffix}"):
        if old.name != file_name:
            old.unlink(missing_ok=True)
    return True
