"""Hostile and broken input at scale: a generated corpus of more than 1,000 files through the
three ways articles come in (``python -m geo extract``, ``python -m geo ingest``, dashboard
uploads), plus the documented size limit.

The corpus is built deterministically (``random.Random(SEED)``) in a temporary folder:
empty and binary files, truncated UTF-8, UTF-16 with and without BOM, Windows code pages,
a 30 MB file, one enormous line, deeply nested HTML, zip and gzip bombs named .html,
HTML full of scripts, NUL bytes, lone surrogates, RTL and combining characters, FIFOs and
devices, and file names with spaces, quotes, non-ASCII, leading dashes, line breaks,
bidirectional overrides and bytes that are not UTF-8; about one file in eight is a good
article (a variant of one in ``seeds/``).

Every file has an expectation: ``ok`` (must give a record and be stored once), ``error``
(must give exactly one line ``error: FILE: reason``) or ``any`` (random fuzz: either, but the
same outcome on every path). The figures are printed (``pytest -s``) so they can be quoted.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import hashlib
import io
import json
import lzma
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo.errors import ArticleError
from geo.load import MAX_BYTES, display_name, load_article, parse_bytes
from geo.uploads import store_uploads
from tests.store_checks import assert_store_whole

ROOT = Path(__file__).resolve().parents[1]
SEED = 20240229
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").iterdir())]
PAYLOAD = "PWNED-7f3a"  # planted in scripts, styles and event handlers: must never reach a record
SAMPLE = "NATO troops arrived in Tapa, Estonia, on June 1, 2017 for exercises near the Suwałki Gap."
UPLOAD_BATCH = 25
ERROR_LINE = re.compile(r"^error: (.+): ([^\n]+)$")
MARKDOWN_ESCAPE = re.compile(r"\\(.)", re.S)


def unescape_markdown(text: str) -> str:
    """Undo geo.uploads.escape_markdown: the page shows upload messages as literal text."""
    return MARKDOWN_ESCAPE.sub(r"\1", text)


@dataclass(frozen=True)
class Item:
    """One corpus file: where it is, what kind of hostile it is, and what must happen to it."""

    path: Path
    kind: str
    expect: str  # "ok", "error" or "any"
    reason: str = ""  # a word the error line must contain, when the reason is known

    @property
    def shown(self) -> str:
        """The name the product prints and stores for this file (see geo.load.display_name)."""
        return display_name(str(self.path))

    @property
    def upload_name(self) -> str:
        """The name a browser would send: the file's own name."""
        return self.path.name

    @property
    def uploadable(self) -> bool:
        """Whether a user could upload it (a regular file, not a FIFO, device, folder or missing path)."""
        return os.path.isfile(self.path) and not os.path.islink(self.path)


# ----- the corpus ------------------------------------------------------------------------------
def _seed_variant(rng: random.Random, i: int) -> str:
    """A seed article with a unique editor's note, so every good file has its own content hash."""
    text = SEED_TEXTS[i % len(SEED_TEXTS)]
    return f"{text.rstrip()}\n\nEditor's note {i}-{rng.randrange(10**9)}: this copy was filed again.\n"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _html_page(rng: random.Random, i: int) -> str:
    paras = _paragraphs(_seed_variant(rng, i))
    hostile = [
        f"<script>document.title='{PAYLOAD}';</script>",
        f"<script>var s = '</scr' + 'ipt><p>{PAYLOAD}</p>';</script>",
        f"<style>p::after{{content:'{PAYLOAD}'}}</style>",
        f"<img src=x onerror=\"alert('{PAYLOAD}')\">",
        f"<noscript>{PAYLOAD}</noscript>",
        f"<iframe srcdoc='<p>{PAYLOAD}</p>'></iframe>",
        f"<svg><script>alert('{PAYLOAD}')</script></svg>",
        f"<template><p>{PAYLOAD}</p></template>",
        f"<textarea>{PAYLOAD}</textarea>",
    ]
    rng.shuffle(hostile)
    body = "".join(f"<p>{p}</p>{hostile[k % len(hostile)]}" for k, p in enumerate(paras[1:]))
    return (f"<!DOCTYPE html><html><head><title>{paras[0]} | News</title>{hostile[0]}</head><body>"
            f"<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article><h1>{paras[0]}</h1>"
            f"{body}</article><footer>© News</footer></body></html>")


def _fsname(raw: bytes) -> str:
    return os.fsdecode(raw)


NAME_STYLES: list[Callable[[str, int, str], str]] = [
    lambda k, i, e: f"{k}-{i:04d}{e}",
    lambda k, i, e: f"{k} {i:04d} (copy) final{e}",
    lambda k, i, e: f"{k}'{i:04d}\"quoted`{e}",
    lambda k, i, e: f"ārtikuls-ąčęėįšųūž-Łódź-{k}-{i:04d}{e}",
    lambda k, i, e: f"-{k}-{i:04d}{e}",
    lambda k, i, e: f"--{k}={i:04d}{e}",
    lambda k, i, e: f"{k}-{i:04d}\u202egnp.exe{e}",
    lambda k, i, e: f"{k}\n{i:04d}\r{e}",
    lambda k, i, e: _fsname(f"{k}-{i:04d}-caf".encode() + b"\xe9\xff" + e.encode()),
    lambda k, i, e: f"$(touch pwned) {k} *?[{i:04d}]{e}",
    lambda k, i, e: f"{k}\\{i:04d}\t;|&{e}",
    lambda k, i, e: f"שלום-مرحبا-{k}-{i:04d}{e}",
    lambda k, i, e: f"{k}-{i:04d}-" + "e\u0301" * 40 + e,
]


def _bomb_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("index.html", b"\0" * 40_000_000)  # 40 MB from about 40 KB
        archive.writestr("more.html", b"<p>" * 3_000_000)
    return buf.getvalue()


def _bomb_gzip() -> bytes:
    return gzip.compress(b"<div>" * 8_000_000, compresslevel=9, mtime=0)  # 40 MB from about 40 KB


def build_corpus(folder: Path, seed: int = SEED) -> list[Item]:
    """Write the hostile corpus into ``folder`` and return its items (deterministic for ``seed``)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    counter = iter(range(10**6))
    seen: set[bytes] = set()

    def add(kind: str, data: bytes, expect: str, ext: str = ".txt", reason: str = "", style: int | None = None) -> None:
        # Readable files must differ: ingest stores the same text once, whatever its name.
        if expect != "error":
            digest = hashlib.sha256(data).digest()
            if digest in seen:
                assert expect == "any", f"two {kind} files with the same content"
                return
            seen.add(digest)
        i = next(counter)
        name_of = NAME_STYLES[style if style is not None else (i % len(NAME_STYLES) if i % 3 == 0 else 0)]
        path = folder / name_of(kind, i, ext)
        path.write_bytes(data)
        items.append(Item(path, kind, expect, reason))

    zip_bomb, gzip_bomb = _bomb_zip(), _bomb_gzip()
    assert len(zip_bomb) < 200_000 and len(gzip_bomb) < 200_000

    # Good articles (about one in eight): variants of the seeds in the ways articles really arrive.
    for _ in range(70):
        add("good-txt", _seed_variant(rng, rng.randrange(100)).encode(), "ok")
    for _ in range(22):
        add("good-html", _html_page(rng, rng.randrange(100)).encode(), "ok", ".html")
    for _ in range(8):
        paras = _paragraphs(_seed_variant(rng, rng.randrange(100)))
        md = f"# {paras[0]}\n\n" + "\n\n".join(f"**{p}** [link](https://x.org/{k})" for k, p in enumerate(paras[1:]))
        add("good-md", md.encode(), "ok", ".md")
    for _ in range(8):
        add("good-utf16-bom", _seed_variant(rng, rng.randrange(100)).encode("utf-16"), "ok")
    for k in range(8):
        text = _seed_variant(rng, rng.randrange(100))
        add("good-utf16-nobom", text.encode("utf-16-le" if k % 2 else "utf-16-be"), "ok")
    for k in range(12):
        enc = ("cp1257", "cp1250", "cp1252", "cp1251")[k % 4]
        add(f"good-{enc}", _seed_variant(rng, rng.randrange(100)).encode(enc, errors="replace"), "ok")
    for _ in range(5):
        add("good-utf8-bom", codecs.BOM_UTF8 + _seed_variant(rng, rng.randrange(100)).encode(), "ok")
    for _ in range(5):
        add("good-crlf", _seed_variant(rng, rng.randrange(100)).replace("\n", "\r\n").encode(), "ok")

    # Hostile but readable: must still give a record.
    for _ in range(25):
        add("html-scripts", _html_page(rng, rng.randrange(100)).encode(), "ok", ".html")
    for k in range(20):
        para = _paragraphs(_seed_variant(rng, k))[rng.randrange(2, 5)]
        text = (f"Troops on the flank {k}\n\n\u202e{para}\u202c\n\nمرحبا بالعالم. שלום עולם. "
                + "Z\u0351\u0308\u0300a\u0489l\u0300g\u0302o " * rng.randrange(5, 200) + "\u200f\u200e\u2066x\u2069\n\n"
                + "e\u0301" * 500 + "\u0300" * 3000 + "\n\n" + SAMPLE)
        add("rtl-combining", text.encode(), "ok")
    add("nested-div-5MB", b"<div>" * ((MAX_BYTES - 200) // 5) + SAMPLE.encode(), "ok", ".html")
    add("nested-aside", b"<div><aside><figure>" * 150_000 + SAMPLE.encode(), "ok", ".html")
    add("nested-span", b"<span>" * 200_000 + SAMPLE.encode() + b"</span>" * 200_000, "ok", ".html")
    add("nested-closed", b"<div><section>" * 40_000 + SAMPLE.encode() + b"</section></div>" * 40_000, "ok", ".htm")
    words = ["the", "of", "and", "a", "to", "in", "is", "was", "that", "for", "with", "as", "at", "by", "from"]
    filler = " ".join(rng.choice(words) for _ in range(450_000))
    add("enormous-line", (filler[:1_900_000] + " " + SAMPLE + " " + filler[:1_900_000]).encode(), "ok")
    add("exactly-max-bytes", (SAMPLE + " " * (MAX_BYTES - len(SAMPLE.encode()))).encode(), "ok")
    for k in range(15):
        data = (_seed_variant(rng, k) + "Reported from Łódź.").encode()
        cut = next(j for j in range(len(data) - 1, 0, -1) if data[j] >= 0xC0)  # inside a multibyte letter
        add("truncated-utf8", data[: cut + 1], "ok")

    # Bad files: each must give exactly one error line with this reason.
    for k in range(30):
        add("empty", b"", "error", (".txt", ".html", ".md")[k % 3], "empty file")
    for _ in range(20):
        add("whitespace", b" \t\r\n\f\v" * rng.randrange(1, 2000), "error", ".txt", "empty file")
    for _ in range(140):
        blob = bytearray(rng.randbytes(rng.randrange(16, 20_000)))
        blob[rng.randrange(min(len(blob), 4096))] = 0
        add("binary", bytes(blob), "error", rng.choice([".txt", ".html", ".md", ".bin", ""]), "binary")
    for _ in range(35):
        add("zip-bomb", zip_bomb, "error", ".html", "archive")
    for _ in range(35):
        add("gzip-bomb", gzip_bomb, "error", rng.choice([".html", ".txt"]), "archive")
    for _ in range(10):
        add("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + rng.randbytes(500), "error", ".html", "PDF")
    for _ in range(30):
        add("script-only", (f"<html><head><script>alert('{PAYLOAD}')</script><style>b{{}}</style></head>"
                            f"<body><script>{PAYLOAD}</script><!-- {SAMPLE} --></body></html>").encode(),
            "error", ".html", "no readable text")
    for _ in range(20):
        markup = b"<html><body>" + b"<div><span></span><br/></div>" * rng.randrange(1, 500) + b"</body></html>"
        add("markup-only", markup, "error", ".html", "no readable text")
    for _ in range(15):
        add("punctuation", ("12 34 !? ... -- 2017 " * rng.randrange(1, 300)).encode(), "error", ".txt",
            "no readable text")
    for _ in range(30):
        data = bytearray(_seed_variant(rng, rng.randrange(100)).encode())
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(min(len(data), 4000))] = 0
        add("nul-bytes", bytes(data), "error", ".txt", "NUL")
    for _ in range(15):
        body = _seed_variant(rng, rng.randrange(100)).encode("utf-16-le")
        cut = rng.randrange(0, len(body) // 2) & ~1
        add("utf16-lone-surrogate", codecs.BOM_UTF16_LE + body[:cut] + b"\x00\xd8" + body[cut:], "error", ".txt",
            "utf-16")
    for _ in range(10):
        body = _seed_variant(rng, rng.randrange(100)).encode("utf-16-le")
        add("utf16-lone-surrogate-nobom", body[:200] + b"\x00\xdc" + body[200:], "error", ".txt")
    for _ in range(10):
        add("utf16-odd-length", codecs.BOM_UTF16_LE + _seed_variant(rng, 1).encode("utf-16-le")[:-1], "error",
            ".txt", "utf-16")
    big = folder / "thirty MB article.html"
    with big.open("wb") as fh:  # sparse: 30 MB on paper, nothing written
        fh.truncate(30 * 1024 * 1024)
    items.append(Item(big, "30MB", "error", "too large"))
    add("over-limit-by-one", b"a" * (MAX_BYTES + 1), "error", ".txt", "too large")
    add("six-MB-text", (SAMPLE + "\n").encode() * (6 * 1024 * 1024 // len(SAMPLE)), "error", ".txt", "too large")

    # Fuzz: either outcome, but the same on every path and always one line.
    for _ in range(140):
        data = _seed_variant(rng, rng.randrange(100)).encode()
        start = rng.randrange(len(data))
        add("fragment", data[start : start + rng.randrange(1, 700)], "any", rng.choice([".txt", ".html", ".md"]))
    for _ in range(120):
        data = bytearray(_seed_variant(rng, rng.randrange(100)).encode()[: rng.randrange(200, 1500)])
        for _ in range(rng.randrange(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        add("mutated", bytes(data), "any", rng.choice([".txt", ".html"]))
    for _ in range(60):
        ranges = [(0x20, 0x7F), (0xA0, 0x3000), (0xD800, 0xE000), (0x300, 0x370), (0x590, 0x700)]  # with surrogates
        chars = [chr(rng.randrange(*rng.choice(ranges))) for _ in range(rng.randrange(1, 600))]
        add("unicode-garbage", "".join(chars).encode("utf-8", "surrogatepass"), "any")
    for _ in range(40):
        add("high-bytes", bytes(rng.randrange(0x80, 0x100) if rng.random() < 0.6 else rng.randrange(0x20, 0x7F)
                                for _ in range(rng.randrange(1, 2000))), "any")
    for _ in range(20):
        text = f"\x1b[31m{SAMPLE} {rng.random()}" + "\x07\x08\x1b]0;title\x07" * rng.randrange(1, 50)
        add("ansi-control", text.encode(), "any")
    raw = b"<p>" * 1_000_000 + SAMPLE.encode() * 10_000
    packed = [bz2.compress(raw), lzma.compress(raw)]
    for k in range(12):
        data = packed[k % 2] if k % 3 else b"\x28\xb5\x2f\xfd" + rng.randbytes(300)
        add("other-compressed", data + rng.randbytes(8), "any", ".html")
    for _ in range(10):
        add("late-nul", _seed_variant(rng, rng.randrange(100)).encode() * 2 + b"\x00" * 50, "any")
    for _ in range(20):
        add("html-then-binary", b"<html><body><p>" + SAMPLE.encode() + b"</p>" + rng.randbytes(3000), "any", ".html")
    for k in range(10):
        add("cesu-surrogates", SAMPLE.encode() + b"\xed\xa0\x80\xed\xb0\x80" + f"{SAMPLE} {k}".encode(), "any")

    # Not files a user could upload: FIFO, device, folder, missing path, symlink loop.
    fifo = folder / "named pipe.txt"
    os.mkfifo(fifo)
    items.append(Item(fifo, "fifo", "error", "not a regular file"))
    zero = folder / "zero device.html"
    zero.symlink_to("/dev/zero")
    items.append(Item(zero, "dev-zero", "error", "not a regular file"))
    directory = folder / "folder.html"
    directory.mkdir()
    items.append(Item(directory, "directory", "error", "is a directory"))
    items.append(Item(folder / "missing article.txt", "missing", "error", "no such file"))
    loop = folder / "loop.txt"
    loop.symlink_to(loop.name)
    items.append(Item(loop, "symlink-loop", "error", "symbolic links"))
    items.append(Item(folder / ("n" * 300 + ".txt"), "name-too-long", "error", "file name too long"))
    items.append(Item(items[0].path / "inside.txt", "under-a-file", "error", "not a directory"))
    return items


# ----- checks shared by the three paths ----------------------------------------------------------
def check_store(db: Path) -> dict[str, int]:
    """Assert the store is whole and consistent; return its row counts."""
    return assert_store_whole(db)


def stored_sources(db: Path) -> Counter[str]:
    """Return how many times each source is stored."""
    conn = sqlite3.connect(db)
    try:
        return Counter(row[0] for row in conn.execute("SELECT source FROM articles"))
    finally:
        conn.close()


def errors_by_file(lines: list[str], names: dict[str, Item]) -> dict[str, str]:
    """Map each ``error: NAME: reason`` line to its file's shown name; fail on a line naming no file."""
    found: dict[str, str] = {}
    for line in lines:
        match = ERROR_LINE.match(line)
        assert match, f"not an error line: {line!r}"
        owner = next((n for n in names if line.startswith(f"error: {n}: ")), None)
        assert owner is not None, f"error line names no corpus file: {line!r}"
        assert owner not in found, f"two error lines for {owner!r}"
        found[owner] = line[len(f"error: {owner}: "):]
    return found


def check_reasons(items: list[Item], reasons: dict[str, str], key: Callable[[Item], str] = lambda i: i.shown) -> None:
    """Assert that each file whose reason is known failed for that reason (``key`` gives its printed name)."""
    for item in items:
        if item.reason and key(item) in reasons:
            assert item.reason.lower() in reasons[key(item)].lower(), (item.kind, reasons[key(item)])


# ----- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Item]:
    started = time.monotonic()
    items = build_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    assert len(items) >= 1000
    assert len({i.shown for i in items}) == len(items) and len({i.upload_name for i in items}) == len(items)
    good = sum(i.kind.startswith("good") for i in items)
    assert 0.10 <= good / len(items) <= 0.20
    print(f"\n[hostile] corpus: {len(items)} files, {len(Counter(i.kind for i in items))} kinds, {good} good "
          f"articles, {sum(i.expect == 'ok' for i in items)} expected readable, "
          f"{sum(i.expect == 'error' for i in items)} expected refused, {sum(i.expect == 'any' for i in items)} fuzz; "
          f"built in {time.monotonic() - started:.1f} s")
    return items


@dataclass
class Run:
    """A finished ``python -m geo`` subprocess."""

    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float


class Background:
    """Subprocesses started together (the machine has two cores) and collected on demand."""

    def __init__(self, db: Path) -> None:
        self.db = db  # the store the ingest run writes
        self.procs: dict[str, tuple[subprocess.Popen[bytes], float]] = {}
        self.done: dict[str, Run] = {}

    def start(self, key: str, args: list[str]) -> None:
        """Start ``python -m geo ARGS`` in a UTF-8 locale (so bad names cannot hide behind escapes)."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
        env.update(PYTHONPATH=str(ROOT), LC_ALL="C.UTF-8")
        proc = subprocess.Popen([sys.executable, "-m", "geo", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        self.procs[key] = (proc, time.monotonic())

    def result(self, key: str) -> Run:
        """Wait (bounded) for the run ``key`` and return it."""
        if key not in self.done:
            proc, started = self.procs[key]
            try:
                out, err = proc.communicate(timeout=600)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
            self.done[key] = Run(proc.returncode, out, err, time.monotonic() - started)
        return self.done[key]

    def stop(self) -> None:
        """Kill whatever is still running."""
        for proc, _ in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def cli_runs(corpus: list[Item], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Background]:
    """``extract`` and ``ingest`` over the whole corpus, started at once and run alongside the upload test."""
    db = tmp_path_factory.mktemp("hostile-store") / "store.gpkg"
    files = [str(i.path) for i in corpus]
    runs = Background(db)
    runs.start("extract", ["extract", "--", *files])
    runs.start("ingest", ["ingest", "--db", str(db), "--quiet", "--", *files])
    yield runs
    runs.stop()


# ----- (c) uploads, in batches as a user would drop them -----------------------------------------
@pytest.mark.slow
def test_uploads_in_batches_store_the_good_and_name_the_bad(corpus: list[Item], cli_runs: Background,
                                                            tmp_path: Path) -> None:
    db = tmp_path / "uploads.gpkg"
    uploads = [(i.upload_name, i.path.read_bytes(), i) for i in corpus if i.uploadable]
    assert len(uploads) >= 1000
    by_name = {display_name(name): item for name, _, item in uploads}
    started = time.monotonic()
    reasons: dict[str, str] = {}
    stored_messages = 0
    for start in range(0, len(uploads), UPLOAD_BATCH):
        batch = uploads[start : start + UPLOAD_BATCH]
        messages = store_uploads([(name, data) for name, data, _ in batch], db)
        errors = [unescape_markdown(m.text) for m in messages if m.level == "error"]
        assert all("\n" not in m.text and "\r" not in m.text for m in messages)
        reasons.update(errors_by_file([f"error: {e}" for e in errors], by_name))
        for m in messages:
            if m.level == "success":
                stored_messages += int(m.text.split()[0])
        assert [m.level for m in messages if m.level != "error"] in ([], ["success"], ["info"], ["success", "info"])
    seconds = time.monotonic() - started

    failed = set(reasons)
    readable = set(by_name) - failed
    for shown, item in by_name.items():
        if item.expect == "ok":
            assert shown not in failed, f"{item.kind} refused: {reasons.get(shown)}"
        elif item.expect == "error":
            assert shown in failed, f"{item.kind} was accepted"
    check_reasons([i for _, _, i in uploads], reasons, key=lambda i: display_name(i.upload_name))
    counts = check_store(db)
    sources = stored_sources(db)
    assert set(sources) == readable and set(sources.values()) == {1}
    assert counts["articles"] == len(readable) == stored_messages
    print(f"\n[hostile] uploads: {len(uploads)} files in {-(-len(uploads) // UPLOAD_BATCH)} batches of "
          f"{UPLOAD_BATCH}: {len(failed)} refused with one message each, {len(readable)} stored "
          f"({counts['events']} events, {counts['places']} places, {counts['mentions']} mentions) "
          f"in {seconds:.1f} s")


# ----- (a) python -m geo extract ----------------------------------------------------------------
@pytest.mark.slow
def test_cli_extract_prints_a_record_or_one_error_line_per_file(corpus: list[Item], cli_runs: Background) -> None:
    run = cli_runs.result("extract")
    stderr = run.stderr.decode("utf-8")  # strict: names that are not UTF-8 are escaped, never passed through
    stdout = run.stdout.decode("utf-8")
    assert "Traceback" not in stderr
    assert run.returncode == 1
    names = {i.shown: i for i in corpus}
    reasons = errors_by_file(stderr.splitlines(), names)
    records = [json.loads(line) for line in stdout.splitlines()]
    printed = Counter(r["source"] for r in records)
    assert set(printed.values()) <= {1}, "a file printed twice"
    assert not set(printed) & set(reasons), "a file both printed and refused"
    assert set(printed) | set(reasons) == set(names), "a file neither printed nor refused"
    for item in corpus:
        if item.expect == "ok":
            assert item.shown in printed, f"{item.kind} refused: {reasons.get(item.shown)}"
        elif item.expect == "error":
            assert item.shown in reasons, f"{item.kind} was accepted"
    check_reasons(corpus, reasons)
    for record in records:
        assert PAYLOAD not in json.dumps(record, ensure_ascii=False), record["source"]
        if names[record["source"]].kind.startswith("good"):
            assert record["places"] and record["events"], record["source"]
    kinds = Counter(names[n].kind for n in reasons)
    print(f"\n[hostile] extract: {len(corpus)} files, {len(records)} records, {len(reasons)} one-line errors, "
          f"exit {run.returncode}, {run.seconds:.1f} s; refused by kind: {dict(sorted(kinds.items()))}")


# ----- (b) python -m geo ingest -----------------------------------------------------------------
@pytest.mark.slow
def test_cli_ingest_stores_good_files_once_and_refuses_the_rest(corpus: list[Item], cli_runs: Background) -> None:
    run = cli_runs.result("ingest")
    extract = cli_runs.result("extract")
    stderr = run.stderr.decode("utf-8")
    assert "Traceback" not in stderr
    assert run.returncode == 1
    *error_lines, summary = stderr.splitlines()
    # ingest searches a folder for articles instead of refusing it; the corpus's folder holds none.
    folders = {i.shown for i in corpus if i.kind == "directory"}
    names = {i.shown: i for i in corpus if i.shown not in folders}
    reasons = errors_by_file(error_lines, names)
    check_reasons(corpus, reasons)
    readable = set(names) - set(reasons)
    match = re.fullmatch(r"(\d+) added, 0 replaced, 0 unchanged, (\d+) failed; store: .+", summary)
    assert match, summary
    assert int(match.group(1)) == len(readable) and int(match.group(2)) == len(reasons)
    db = cli_runs.db
    counts = check_store(db)
    sources = stored_sources(db)
    assert set(sources) == readable and set(sources.values()) == {1}
    assert counts["articles"] == len(readable)
    for item in names.values():
        if item.expect == "ok":
            assert item.shown in sources, f"{item.kind} not stored: {reasons.get(item.shown)}"
        elif item.expect == "error":
            assert item.shown in reasons
    # The same bytes get the same verdict whichever way they come in.
    extract_failed = set(errors_by_file(extract.stderr.decode("utf-8").splitlines(), {i.shown: i for i in corpus}))
    assert extract_failed == set(reasons) | folders
    print(f"\n[hostile] ingest: {len(corpus)} files, {len(readable)} stored once each ({counts['events']} events), "
          f"{len(reasons)} one-line errors, integrity ok, exit {run.returncode}, {run.seconds:.1f} s")


@pytest.mark.slow
def test_uploads_and_command_line_agree(corpus: list[Item], cli_runs: Background, tmp_path: Path) -> None:
    extract = cli_runs.result("extract")
    names = {i.shown: i for i in corpus}
    failed = {names[n].upload_name for n in errors_by_file(extract.stderr.decode("utf-8").splitlines(), names)}
    fuzz = [i for i in corpus if i.expect == "any" and i.uploadable]
    verdicts = set()
    for item in fuzz:
        try:
            parse_bytes(item.path.read_bytes(), item.upload_name)
            verdicts.add((item.upload_name, "ok" if item.upload_name not in failed else "MISMATCH"))
        except ArticleError:
            verdicts.add((item.upload_name, "error" if item.upload_name in failed else "MISMATCH"))
    assert not [v for v in verdicts if v[1] == "MISMATCH"]
    outcome = Counter(v for _, v in verdicts)
    assert outcome["ok"] and outcome["error"], "the fuzz should produce both outcomes"


# ----- the size limit ----------------------------------------------------------------------------
def test_size_limit_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert MAX_BYTES == 5 * 1024 * 1024
    assert "**5 MB**" in readme and "geo.load.MAX_BYTES" in readme
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert re.search(r"^maxUploadSize\s*=\s*5\b", config, re.M), "the dashboard's upload limit differs"


def test_oversized_file_is_refused_from_its_size_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(30 * 1024 * 1024)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ArticleError, match=r"file too large \(30\.0 MB > 5 MB limit\)") as caught:
            load_article(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 1.0
    assert peak < 1_000_000, f"{peak} bytes allocated: the file was read"
    assert str(caught.value).startswith(f"{big}: ")


def test_limit_is_exact_for_uploads_and_files(tmp_path: Path) -> None:
    at_limit = (SAMPLE + " " * (MAX_BYTES - len(SAMPLE.encode()))).encode()
    assert len(at_limit) == MAX_BYTES
    assert parse_bytes(at_limit, "at-limit.txt").text.startswith("NATO")
    with pytest.raises(ArticleError, match="too large"):
        parse_bytes(at_limit + b" ", "over.txt")
    messages = store_uploads([("thirty.html", b" " * (30 * 1024 * 1024)), ("ok.txt", SAMPLE.encode())],
                             tmp_path / "s.gpkg")
    assert [m.level for m in messages] == ["error", "success"]
    assert unescape_markdown(messages[0].text) == "thirty.html: file too large (30.0 MB > 5 MB limit)"
    growing = tmp_path / "grows.txt"  # a file whose size the system under-reports is still cut off
    growing.write_bytes(b"a" * (MAX_BYTES + 10))
    real_stat = os.stat

    def lying_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        result = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        return os.stat_result((result.st_mode, *result[1:6], 0, *result[7:]))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "stat", lying_stat)
        with pytest.raises(ArticleError, match=r"file too large \(more > 5 MB limit\)"):
            load_article(growing)


def test_bombs_are_refused_without_being_decompressed(tmp_path: Path) -> None:
    tracemalloc.start()
    try:
        for name, bomb in (("bomb.html", _bomb_zip()), ("bomb.txt", _bomb_gzip())):
            tracemalloc.reset_peak()
            base, _ = tracemalloc.get_traced_memory()
            path = tmp_path / name
            path.write_bytes(bomb)
            with pytest.raises(ArticleError, match="archive"):
                load_article(path)
            _, peak = tracemalloc.get_traced_memory()
            assert peak - base < 2_000_000, f"{name}: {peak - base} bytes allocated, it was expanded"
    finally:
        tracemalloc.stop()


def test_cli_refuses_oversized_file_with_one_line(tmp_path: Path) -> None:
    big = tmp_path / "-big article.txt"
    with big.open("wb") as fh:
        fh.truncate(30 * 1024 * 1024)
    good = tmp_path / "good.txt"
    good.write_text(f"Troops in Tapa\n\n{SAMPLE}\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "geo", "extract", "--", str(big), str(good)], cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
                         check=False)
    assert out.returncode == 1
    assert out.stderr == f"error: {big}: file too large (30.0 MB > 5 MB limit)\n"
    assert [json.loads(line)["source"] for line in out.stdout.splitlines()] == [str(good)]


# ----- single hazards behind the corpus ----------------------------------------------------------
def test_display_name_makes_any_name_one_printable_line() -> None:
    assert display_name("plain name-ąč 'q\".txt") == "plain name-ąč 'q\".txt"
    assert display_name("a\nb\r\tc.txt") == "a\\nb\\r\\tc.txt"
    assert display_name(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"
    assert display_name("x\u202etxt.exe\u2028\x1b[31m") == "x\\u202etxt.exe\\u2028\\x1b[31m"
    assert display_name("") == "(no name)"
    for name in ("a\nb", os.fsdecode(b"\xff\xfe"), "\u2029\x85"):
        shown = display_name(name)
        assert len(shown.splitlines()) == 1 and shown.encode("utf-8") and display_name(shown) == shown


def test_deeply_nested_html_parses_in_bounded_time() -> None:
    from geo.load import MAX_TAG_DEPTH, _limit_nesting

    page = _html_page(random.Random(1), 0)
    assert _limit_nesting(page) is page  # real pages are parsed as they are
    nested = "<div>" * MAX_TAG_DEPTH + "<p>x</p>" + "</div>" * MAX_TAG_DEPTH
    assert _limit_nesting(nested) is nested
    started = time.monotonic()
    article = parse_bytes(b"<div>" * 1_000_000 + SAMPLE.encode(), "deep.html")  # 5 MB: minutes before the limit
    assert time.monotonic() - started < 20
    assert SAMPLE in article.text


def test_truncated_utf8_keeps_its_text() -> None:
    data = "Troops arrived in Šiauliai and Łódź".encode()
    article = parse_bytes(data[:-1], "cut.txt")  # cut inside the last letter
    assert article.text == "Troops arrived in Šiauliai and Łód"


def test_closed_stdout_ends_extract_quietly(tmp_path: Path) -> None:
    files = [str(p) for p in sorted((ROOT / "seeds").iterdir())] * 4
    proc = subprocess.Popen([sys.executable, "-m", "geo", "extract", *files], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10)  # like `| head -c 10`
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "Exception ignored" not in err, err


@pytest.mark.parametrize("kind", ["text file", "folder", "under a file"])
def test_ingest_into_a_bad_store_is_one_line_and_changes_nothing(tmp_path: Path, kind: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from geo.cli import main

    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 100, encoding="utf-8")
    db = {"text file": notes, "folder": tmp_path, "under a file": notes / "store.gpkg"}[kind]
    article = tmp_path / "a.txt"
    article.write_text(f"Troops in Tapa\n\n{SAMPLE}\n", encoding="utf-8")
    before = sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir())
    assert main(["ingest", "--db", str(db), str(article)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {db}: ") and "Traceback" not in err
    assert sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir()) == before
    assert notes.read_text(encoding="utf-8") == "my notes\n" * 100
