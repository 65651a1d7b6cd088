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

from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from itertools import islice

from geo.ingest import Outcome, extract_item

# Files per task: each task costs the cluster about 15 ms of work beside the extraction, so tasks
# are as large as keeps every worker thread a few tasks to do. With 32 files a task the workers
# spent about 40 % more CPU per article than plain worker processes; with 128 to 256, about 15 %.
MIN_PARTITION, MAX_PARTITION = 32, 256
TASKS_PER_THREAD = 8
WINDOW_PER_THREAD = 4  # partitions in flight per worker thread
_GAZETTEER: list[object] = []  # the worker process's gazetteer, loaded at its first task


def _worker_gazetteer() -> object:
    if not _GAZETTEER:
        from geo.gazetteer import load_gazetteer

        _GAZETTEER.append(load_gazetteer())
    return _GAZETTEER[0]


def partition_size(files: int, threads: int) -> int:
    """Return how many files one task extracts, for ``files`` over ``threads`` worker threads."""
    return max(MIN_PARTITION, min(MAX_PARTITION, files // (threads * TASKS_PER_THREAD)))


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
            # The workers' statistical profiler samples every thread each 10 ms: extraction is
            # CPU-bound Python, and the sampling holds the GIL it needs.
            stack.enter_context(dask.config.set({"distributed.worker.profile.enabled": False}))
            # Everything listens on the loopback interface, on free ports (an analyst's own Dask
            # dashboard may hold 8787); the web dashboard is off.
            cluster = stack.enter_context(LocalCluster(
                n_workers=max(1, jobs), threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False}))
            client = stack.enter_context(Client(cluster))
        threads = max(1, sum(client.nthreads().values()))
        npartitions = max(1, -(-len(sources) // partition_size(len(sources), threads)))
        bag = db.from_sequence(list(sources), npartitions=npartitions)
        # The stored hashes travel once, as one task the partitions depend on, not once per partition.
        parts = iter(bag.map_partitions(extract_partition, dask.delayed(stored, pure=True)).to_delayed())
        # A window of partitions in flight, submitted in the files' order: the cluster keeps every
        # worker busy while this process writes, holds only the window's outcomes in memory, and
        # computes the first partitions first (submitted all at once, Dask may run the first last
        # and the writing would wait for the whole extraction).
        window = WINDOW_PER_THREAD * threads
        in_flight = deque(client.compute(part) for part in islice(parts, window))
        while in_flight:
            future = in_flight.popleft()
            outcomes = future.result()
            future.release()  # the outcomes are in hand: the cluster may forget them
            in_flight.extend(client.compute(part) for part in islice(parts, 1))
            yield from outcomes
