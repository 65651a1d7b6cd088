"""Hostile and broken input: no crash, no traceback, one reason per bad file."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import ArticleError
from geo.extract import extract_bytes
from geo.gazetteer import load_gazetteer
from geo.ingest import ingest_uploads
from geo.load import MAX_BYTES

GAZ = load_gazetteer()
SAMPLE = "NATO troops arrived in Tapa, Estonia, on June 1, 2017 for exercises near the Suwałki Gap."


def outcome(data: bytes, name: str) -> str:
    try:
        record = extract_bytes(data, name, GAZ)
    except ArticleError as exc:
        line = str(exc)
        assert line.startswith(f"{name}: ") and "\n" not in line
        return "error"
    assert isinstance(record["places"], list) and isinstance(record["events"], list)
    return "ok"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "b.html", "c.md", "d e 'q\".htm", "é ü.txt"]))
def test_any_bytes_give_a_record_or_a_one_line_error(data, name):
    assert outcome(data, name) in ("ok", "error")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_any_text_in_any_encoding(text):
    for enc in ("utf-8", "utf-16", "cp1252"):
        try:
            data = text.encode(enc)
        except UnicodeEncodeError:
            continue
        assert outcome(data, "t.txt") in ("ok", "error")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", b"", "error"),
        ("truncated.txt", SAMPLE.encode("utf-8")[:-1] + "ł".encode()[:1], "ok"),
        ("utf16.txt", codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "ok"),
        ("huge.txt", b"a" * (MAX_BYTES + 1), "error"),
        ("one-line.txt", (SAMPLE + " ") .encode() * 20_000, "ok"),
        ("nested.html", b"<div>" * 50_000 + SAMPLE.encode() + b"</div>" * 50_000, "ok"),
        ("bomb.html", b"PK\x03\x04" + b"\x00" * 5000, "error"),
        ("gzip.html", b"\x1f\x8b\x08\x00" + b"\x00" * 500, "error"),
        ("script-only.html", b"<html><script>alert(1)</script></html>", "error"),
    ],
)
def test_generated_hostile_files(name, data, expected):
    assert outcome(data, name) == expected


def test_uploads_keep_good_files_and_name_bad_ones(tmp_path):
    db = tmp_path / "s.gpkg"
    uploads = [("good one.txt", f"A title here\n\n{SAMPLE}".encode()), ("bad.html", b"\x00" * 64),
               ("émpty 'q'.md", b"")]
    report = ingest_uploads(uploads, db=db)
    assert report.added == 1
    assert [e.split(":")[0] for e in report.errors] == ["bad.html", "émpty 'q'.md"]
