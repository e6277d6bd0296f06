"""A Dask cluster as the batch's executor, from a scheduler's address (what the command
line's ``--scheduler`` will call)::

    with connect_scheduler("tcp://10.0.0.5:8786") as cluster:
        results = inline_many(sources, executor=cluster.executor, parallel=cluster.workers)

Dask is optional (``pip install 'inline-solvers[dask]'``); the workers need the same
versions of inline-solvers, Python and libcst installed (the batch checks, and works in
this process if they differ). Nothing here starts a cluster: see the README's *Scaling
out* section for that.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CONNECT_TIMEOUT = 10.0
"""Seconds to reach the scheduler before giving up."""


class SchedulerUnavailable(RuntimeError):
    """The scheduler cannot be used: Dask is not installed, or it does not answer."""


@dataclass(frozen=True)
class Cluster:
    """A connected cluster: ``executor`` for ``inline_many``/``InlineBatch``, and how many
    workers and worker threads it had when connected (``workers`` is a good ``parallel``)."""

    address: str
    executor: Executor
    workers: int
    threads: int


def _client_class() -> Any:
    try:
        from distributed import Client
    except ImportError as error:
        raise SchedulerUnavailable(
            "a scheduler needs Dask: pip install 'inline-solvers[dask]'") from error
    return Client


@contextmanager
def connect_scheduler(address: str, *, timeout: float = CONNECT_TIMEOUT) -> Iterator[Cluster]:
    """Connect to the Dask scheduler at ``address`` for the duration of the block; the
    connection (not the cluster) is closed at the end. Raises
    :class:`SchedulerUnavailable` when Dask is missing or the scheduler does not answer
    within ``timeout`` seconds."""
    client_class = _client_class()
    try:
        client = client_class(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise SchedulerUnavailable(f"cannot reach the scheduler at {address}: {error}") from error
    try:
        info = client.scheduler_info()
        workers = info.get("workers", {})
        threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
        yield Cluster(address, client.get_executor(), max(1, len(workers)), max(1, threads))
    finally:
        client.close()
