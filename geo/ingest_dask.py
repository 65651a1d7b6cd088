"""Ingest past one machine: the extraction runs on a Dask cluster, the writing stays here.

A Dask bag over the article files, one partition per few dozen files, is extracted by the
cluster's workers (each loads the gazetteer once); this process takes the partitions back in
the files' order and writes them as a one-job ingest does, so the store's guarantees (atomic
per batch, idempotent by content hash, one writer) hold unchanged. With no scheduler address a
local cluster of ``jobs`` single-threaded worker processes on the loopback interface is
started and stopped around the ingest.

The workers read the files by their paths: on a cluster of several machines the paths must
name the same files on every machine (a shared or replicated folder), as with any Dask bag
over files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack

from geo.ingest import Outcome, extract_item

PARTITION = 32  # files per task: big enough that scheduling costs little, small enough to spread
_GAZETTEER: list[object] = []  # the worker process's gazetteer, loaded at its first task


def _worker_gazetteer() -> object:
    if not _GAZETTEER:
        from geo.gazetteer import load_gazetteer

        _GAZETTEER.append(load_gazetteer())
    return _GAZETTEER[0]


def extract_partition(sources: Sequence[str], stored: frozenset[str]) -> list[Outcome]:
    """Return the outcome of every file of one partition, in order (runs on a worker)."""
    gaz = _worker_gazetteer()
    return [extract_item(source, None, stored.__contains__, gaz) for source in sources]


def dask_outcomes(sources: Sequence[str], stored: frozenset[str], scheduler: str | None,
                  jobs: int) -> Iterator[Outcome]:
    """Yield the outcome of every file, in the files' order, extracted on a Dask cluster.

    ``scheduler`` is a scheduler address (``tcp://host:8786``); ``None`` starts a local
    cluster of ``jobs`` worker processes for the duration of the ingest.
    """
    import dask
    import dask.bag as db
    from distributed import Client, LocalCluster

    with ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(LocalCluster(
                n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None))  # no web dashboard: nothing listens beyond the scheduler
            client = stack.enter_context(Client(cluster))
        npartitions = max(1, -(-len(sources) // PARTITION))
        bag = db.from_sequence(list(sources), npartitions=npartitions)
        # The stored hashes travel once, as one task the partitions depend on, not once per partition.
        parts = bag.map_partitions(extract_partition, dask.delayed(stored, pure=True)).to_delayed()
        futures = client.compute(parts)
        for future in futures:
            yield from future.result()
            future.release()  # the outcomes are written: the cluster may forget them
