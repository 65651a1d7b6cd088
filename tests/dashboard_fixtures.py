"""Shared helpers of the dashboard tests: a small store built from seeds/ and a test article."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geo import store
from geo.ingest import ingest_paths

GOOD_ARTICLE = (
    "US troops arrive in Rukla\n\nVilnius, 3 March 2017. About 500 US soldiers arrived in Rukla, Lithuania, "
    "on Friday for a NATO deployment that will last several months, the defence ministry said.\n"
)
# An article of a year the seeds' narrowest views leave out (they run 2015-2022).
ARTICLE_2019 = (
    "US troops arrive in Estonia\n\nTallinn, 12 April 2019. About 300 US soldiers arrived in Tapa, Estonia, "
    "on Friday for a NATO deployment that will last several months, the defence ministry said.\n"
)
BAD_ARTICLE = b"\x00\x01\x02 not text"


def build_seed_store(folder: Path) -> Path:
    """Return a store in ``folder`` holding the events extracted from seeds/."""
    db = folder / "events.gpkg"
    report = ingest_paths([store.SEEDS_DIR], db=db)
    assert not report.errors, report.errors
    return db


def build_empty_store(folder: Path) -> Path:
    """Return an existing store with no articles (so the page does not build the default one)."""
    db = folder / "empty.gpkg"
    store.connect(db).close()
    return db


def filter_widget(at: Any, label: str) -> Any:
    """Return the AppTest multiselect of the sidebar filter labelled ``label`` (its key follows its counts)."""
    return next(m for m in at.multiselect if m.label == label)
