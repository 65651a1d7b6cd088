"""Start-up, extraction and ingest throughput on a synthetic corpus built from the sample articles.

Prints the wall time and peak memory of ``python -m geo extract`` on one file (median of 3
runs after one that may build the prebuilt index), then articles per second on one core and
peak memory (max RSS) for extract and for ingest of N articles (default 10,000), and the same
for geotext 0.4.0 (its plain ``GeoText(text)`` per article, on the same files) with the ratio
of the two. Targets: one file in <= 0.5 s and <= 150 MB; >= 1,000 articles/s per core for
extract and >= 0.6x geotext's rate (geotext finds country and city names only, no events);
ingest of 10,000 articles under 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORKER = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
mode, corpus, db = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
files = sorted(corpus.iterdir())
t0, c0 = time.perf_counter(), time.process_time()
if mode == "extract":
    from geo.extract import extract_file
    from geo.gazetteer import load_gazetteer
    gaz = load_gazetteer()
    extract_file(files[0], gaz)
    t0, c0 = time.perf_counter(), time.process_time()
    for f in files:
        extract_file(f, gaz)
elif mode == "geotext":
    from geotext import GeoText
    GeoText(files[0].read_text(encoding="utf-8", errors="replace"))
    t0, c0 = time.perf_counter(), time.process_time()
    for f in files:
        GeoText(f.read_text(encoding="utf-8", errors="replace"))
else:
    from geo.ingest import ingest_paths
    report = ingest_paths([corpus], db=db)
    assert not report.errors, report.errors[:3]
elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({{"seconds": elapsed, "cpu_seconds": cpu, "n": len(files),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def build_corpus(folder: Path, n: int) -> None:
    texts = [p.read_bytes() for p in sorted((ROOT / "seeds").iterdir())]
    dev = ROOT.parent / "shared" / "eval" / "dev"
    if dev.exists():
        texts += [p.read_bytes() for p in sorted(dev.glob("d*"))]
    for i in range(n):
        src = texts[i % len(texts)]
        suffix = ".html" if src.lstrip().startswith(b"<") else ".txt"
        (folder / f"a{i:05d}{suffix}").write_bytes(src + f"\n\nVariant {i}.\n".encode())


def run(mode: str, corpus: Path, db: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", WORKER.format(root=str(ROOT)), mode, str(corpus), str(db)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


GEOTEXT_ONE_FILE = ("import sys; from geotext import GeoText; "
                    "GeoText(open(sys.argv[1], encoding='utf-8', errors='replace').read())")


def startup(path: Path, runs: int = 3, command: tuple[str, ...] = ("-m", "geo", "extract")) -> tuple[float, float]:
    """Return the median wall seconds and the peak RSS (MB) of ``python COMMAND path``."""
    timings, peaks = [], []
    for i in range(runs + 1):
        code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
                "subprocess.run([sys.executable, *sys.argv[2:], sys.argv[1]], check=True, "
                "stdout=subprocess.DEVNULL); print(time.perf_counter() - t, "
                "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
        out = subprocess.run([sys.executable, "-c", code, str(path), *command], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        wall, rss = map(float, out.stdout.split())
        if i:  # the first run may build the prebuilt index
            timings.append(wall)
            peaks.append(rss)
    return sorted(timings)[len(timings) // 2], max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        build_corpus(corpus, args.n)
        db = Path(tmp) / "bench.gpkg"
        rows = []
        for mode in ("extract", "geotext", "ingest"):
            t = time.perf_counter()
            r = run(mode, corpus, db)
            rows.append((mode, r["n"], r["seconds"], r["n"] / r["seconds"], r["n"] / r["cpu_seconds"], r["max_rss_mb"],
                         time.perf_counter() - t))
    seed = sorted((ROOT / "seeds").iterdir())[0]
    wall, rss = startup(seed)
    geotext_wall, geotext_rss = startup(seed, command=("-c", GEOTEXT_ONE_FILE))
    print(f"start-up: python -m geo extract on one seed article: {wall:.2f} s, peak RSS {rss:.0f} MB "
          "(median of 3; targets <= 0.5 s, <= 150 MB)")
    print(f"start-up: geotext 0.4.0 on the same file (import + GeoText(text)): {geotext_wall:.2f} s, "
          f"peak RSS {geotext_rss:.0f} MB")
    print(f"synthetic corpus: {args.n} articles built from the seeds and dev samples; one process (one core)")
    print("| stage | articles | seconds | articles/s | articles per CPU-second | peak RSS MB | wall incl. start-up s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode, n, sec, rate, cpu_rate, rss, wall in rows:
        print(f"| {mode} | {n} | {sec:.1f} | {rate:.0f} | {cpu_rate:.0f} | {rss:.0f} | {wall:.1f} |")
    rate = {mode: (r, c) for mode, _, _, r, c, _, _ in rows}
    print(f"extract / geotext: {rate['extract'][0] / rate['geotext'][0]:.2f}x articles/s, "
          f"{rate['extract'][1] / rate['geotext'][1]:.2f}x per CPU-second "
          "(target >= 0.6x; geotext finds countries and cities only, no events or dates)")
    print("targets: extract >= 1,000 articles/s per core; ingest of 10,000 under 120 s")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other processes slow the wall clock; CPU-seconds are less affected)")


if __name__ == "__main__":
    main()
