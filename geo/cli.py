"""Command line: ``python -m geo extract|ingest|export|assets ...``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from geo.errors import GeoError


def _error(message: object) -> None:
    """Print ``error: MESSAGE`` on stderr as exactly one line (line breaks in file names are escaped)."""
    from geo.load import display_name

    print(f"error: {display_name(str(message))}", file=sys.stderr)


def _cmd_extract(args: argparse.Namespace) -> int:
    from geo.extract import extract_file
    from geo.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    status = 0
    for path in args.files:
        try:
            record = extract_file(path, gaz)
        except GeoError as exc:
            _error(exc)
            status = 1
            continue
        except Exception as exc:
            _error(f"{path}: unexpected {type(exc).__name__}: {str(exc)[:200]}")
            status = 1
            continue
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return status


def _cmd_ingest(args: argparse.Namespace) -> int:
    from geo.ingest import ingest_paths

    report = ingest_paths(args.paths, db=args.db, progress=sys.stderr.isatty() and not args.quiet,
                          jobs=args.jobs, dask=args.dask, scheduler=args.scheduler)
    for line in report.errors:
        _error(line)
    print(f"{report.added} added, {report.replaced} replaced, {report.unchanged} unchanged, "
          f"{len(report.errors)} failed; store: {report.db}", file=sys.stderr)
    return 1 if report.errors else 0


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.export import export_cli

    return export_cli(args)


def _cmd_assets(args: argparse.Namespace) -> int:
    from geo.assets import install_assets

    folder = install_assets()
    print(f"assets in {folder}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m geo``."""
    parser = argparse.ArgumentParser(prog="python -m geo", description="NATO eastern-flank article mapper")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="print one JSON object per article")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_cmd_extract)
    p = sub.add_parser("ingest", help="store articles, places and events (GeoPackage or PostGIS)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--db", default=None,
                   help="GeoPackage file or postgresql:// URL (default: $FLANKMAP_DB or var/events.gpkg)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--jobs", type=int, default=0,
                   help="processes that extract (default 0: one per core); one process always writes")
    p.add_argument("--dask", action="store_true",
                   help="extract on a local Dask cluster of --jobs workers (this process writes)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="extract on the Dask cluster at ADDRESS, e.g. tcp://10.0.0.5:8786 (implies --dask)")
    p.set_defaults(func=_cmd_ingest)
    p = sub.add_parser("export", help="export the events in view as a map or data file")
    p.add_argument("--format", required=True, choices=["png", "svg", "pdf", "html", "geojson", "csv", "gpkg"])
    p.add_argument("--year", type=int)
    p.add_argument("--from", dest="year_from", type=int)
    p.add_argument("--to", dest="year_to", type=int)
    p.add_argument("--country", nargs="*", default=[])
    p.add_argument("--type", dest="types", nargs="*", default=[],
                   choices=["deployment", "exercise", "chokepoint"])
    p.add_argument("--db", default=None, help="GeoPackage file or postgresql:// URL (default: $FLANKMAP_DB or "
                                               "var/events.gpkg)")
    p.add_argument("--title", default=None)
    p.add_argument("--caption", default=None)
    p.add_argument("--banner", default=None, help="classification banner, e.g. UNCLASSIFIED")
    p.add_argument("--output", required=True)
    p.set_defaults(func=_cmd_export)
    p = sub.add_parser("assets", help="copy Leaflet assets from installed packages into static/vendor")
    p.set_defaults(func=_cmd_assets)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except GeoError as exc:
        _error(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (``... | head``): stop quietly, as other filters do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
