"""Ingest with one and with several extracting processes (issue 13).

Builds N real-length articles (default 10,000) from the seeds and dev samples, runs
``python -m geo ingest --jobs J`` for J = 1 and J = 2 (or ``--jobs`` given), then
``--dask --jobs 2`` (a local Dask cluster of 2 workers; ``--no-dask`` skips it), into fresh
stores, prints wall time, articles/s and the speed-up, and checks that every store holds
exactly the rows of the one-job store. Target: >= 1.8x on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_extract import ROOT, build_corpus  # the same corpus as the extract bench


def store_rows(db: Path) -> dict[str, list[tuple]]:
    """Every row of the four tables in insertion order, without the ingest time."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for table in ("articles", "places", "mentions", "events"):
            names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "ingested_at"]
            out[table] = conn.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY fid").fetchall()
        return out
    finally:
        conn.close()


def ingest(corpus: Path, db: Path, jobs: int, dask: bool = False) -> float:
    """Return the wall seconds of one whole ``python -m geo ingest`` process."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(db), "--quiet",
                    "--jobs", str(jobs), *(["--dask"] if dask else [])], check=True, cwd=ROOT,
                   capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--no-dask", action="store_true", help="skip the run on a local Dask cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        build_corpus(corpus, args.n)
        results = []
        reference = None
        runs = [(f"{jobs}", jobs, False) for jobs in args.jobs]
        if not args.no_dask:
            runs.append(("2 (Dask, local cluster)", 2, True))
        for label, jobs, dask in runs:
            db = Path(tmp) / f"jobs{jobs}{'-dask' if dask else ''}.gpkg"
            seconds = ingest(corpus, db, jobs, dask)
            rows = store_rows(db)
            if reference is None:
                reference = rows
            results.append((label, seconds, rows == reference, len(rows["events"])))
    print(f"ingest of {args.n} real-length articles (seeds and dev samples) into a fresh GeoPackage, "
          f"whole CLI process; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print("| jobs | seconds | articles/s | speed-up | events | store identical to the first |")
    print("|---:|---:|---:|---:|---:|---|")
    base = results[0][1]
    for label, seconds, same, n_events in results:
        print(f"| {label} | {seconds:.1f} | {args.n / seconds:.0f} | {base / seconds:.2f}x | {n_events} | "
              f"{'yes' if same else 'NO'} |")
    print("target: >= 1.8x with 2 jobs on 2 cores")


if __name__ == "__main__":
    main()
