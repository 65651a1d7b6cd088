"""The CLI contract the shared scorer reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


def test_extract_prints_one_json_object_per_file():
    seeds = sorted(str(p) for p in (ROOT / "seeds").iterdir())
    out = run("extract", *seeds)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == len(seeds)
    first = json.loads(lines[0])
    assert {"source", "title", "published", "year", "places", "events"} <= set(first)
    place = first["places"][0]
    assert {"name", "kind", "country", "lat", "lon", "mentions"} <= set(place)
    event = first["events"][0]
    assert {"type", "place", "kind", "country", "lat", "lon", "year", "evidence"} <= set(event)


def test_bad_files_get_one_line_and_the_others_go_through(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.html"
    binary.write_bytes(bytes(range(256)) * 10)
    good = ROOT / "seeds" / "000_56a0dfdfa6f8d840.txt"
    out = run("extract", str(empty), str(good), str(binary), str(tmp_path / "missing.txt"))
    assert out.returncode == 1
    assert len(out.stdout.splitlines()) == 1
    errors = out.stderr.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("error: ") for line in errors)
    assert "Traceback" not in out.stderr
    assert any("empty.txt: empty file" in line for line in errors)
    assert any("missing.txt: no such file" in line for line in errors)
