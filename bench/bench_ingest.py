"""Ingest with one and with several extracting processes (issue 13).

Builds N real-length articles (default 10,000) from the seeds and dev samples, runs
``python -m geo ingest --jobs J`` for J = 1 and J = 2 (or ``--jobs`` given), then
``--dask --jobs 2`` (a local Dask cluster of 2 workers; ``--no-dask`` skips it), into fresh
GeoPackages, then the same jobs into fresh databases of a throwaway PostGIS server (fsync on,
as in production; ``--no-postgis`` skips it, and it is skipped without PostgreSQL and PostGIS
installed). Prints wall time, articles/s and the speed-up, and checks that every store holds
exactly the rows of the one-job GeoPackage. Target: >= 1.8x on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_extract import ROOT, build_corpus  # the same corpus as the extract bench

from geo import store
from tests.postgis_server import TemporaryPostgis, postgres_bin


def ingest(corpus: Path, db: store.StoreLocation, jobs: int, dask: bool = False) -> float:
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
    parser.add_argument("--no-postgis", action="store_true", help="skip the runs into PostGIS")
    args = parser.parse_args()
    postgis = not args.no_postgis and postgres_bin() is not None
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        build_corpus(corpus, args.n)
        results = []
        reference = None
        runs = [("GeoPackage", f"{jobs}", jobs, False) for jobs in args.jobs]
        if not args.no_dask:
            runs.append(("GeoPackage", "2 (Dask, local cluster)", 2, True))
        if postgis:
            runs += [("PostGIS", f"{jobs}", jobs, False) for jobs in args.jobs]
        server = TemporaryPostgis(durable=True).start() if postgis else None
        try:
            for back_end, label, jobs, dask in runs:
                db: store.StoreLocation = Path(tmp) / f"jobs{jobs}{'-dask' if dask else ''}.gpkg"
                if back_end == "PostGIS":
                    db = server.new_database(f"jobs{jobs}")
                seconds = ingest(corpus, db, jobs, dask)
                rows = store.table_rows(db)
                if reference is None:
                    reference = rows
                results.append((back_end, label, seconds, rows == reference, len(rows["events"])))
        finally:
            if server is not None:
                server.stop()
    print(f"ingest of {args.n} real-length articles (seeds and dev samples) into a fresh store, "
          f"whole CLI process; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
          + ("" if postgis else "; PostGIS skipped"))
    print("| store | jobs | seconds | articles/s | speed-up | events | rows identical to the first |")
    print("|---|---:|---:|---:|---:|---:|---|")
    base = {}
    for back_end, label, seconds, same, n_events in results:
        base.setdefault(back_end, seconds)
        print(f"| {back_end} | {label} | {seconds:.1f} | {args.n / seconds:.0f} | {base[back_end] / seconds:.2f}x | "
              f"{n_events} | {'yes' if same else 'NO'} |")
    print("target: >= 1.8x with 2 jobs on 2 cores")


if __name__ == "__main__":
    main()
