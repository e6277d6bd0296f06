"""A Dask cluster as the batch's executor, from a scheduler's address (what the command
line's ``--scheduler`` calls)::

    with connect_scheduler("tcp://10.0.0.5:8786") as cluster:
        results = inline_many(sources, executor=cluster.executor, parallel=cluster.workers)

Dask is optional (``pip install 'inline-solvers[dask]'``); the workers need the same
versions of inline-solvers, Python and libcst installed (the batch checks, and works in
this process if they differ). Nothing here starts a cluster: see the README's *Scaling
out* section for that.

An address that cannot name a scheduler (no port, an unknown scheme) is refused before any
connection is tried: Dask's client, given one, fails inside its own event loop and then
spends twice its timeout closing itself, printing a traceback as it is collected. A
cluster that asks for TLS is reached with ``security=`` (a
``distributed.security.Security``), passed to the client as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_DASK_LOGGERS = ("distributed", "distributed.client", "distributed.core", "tornado.application", "asyncio")

CONNECT_TIMEOUT = 10.0
"""Seconds to reach the scheduler before giving up."""


class SchedulerUnavailable(RuntimeError):
    """The scheduler cannot be used: Dask is not installed, it does not answer, or the
    address names no scheduler (:class:`BadSchedulerAddress`)."""


class BadSchedulerAddress(SchedulerUnavailable, ValueError):
    """The address cannot name a scheduler (the caller's mistake: nothing was tried)."""


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


def check_address(address: str) -> None:
    """Raise :class:`BadSchedulerAddress` unless ``address`` names a host and port under
    a scheme this Dask knows (``tcp://10.0.0.5:8786``, ``tls://...``; no scheme means
    ``tcp``)."""
    _client_class()  # without Dask, say that first
    from distributed.comm.addressing import get_address_host_port

    if not isinstance(address, str) or not address.strip():
        raise BadSchedulerAddress(f"{address!r} is no scheduler address (tcp://host:port)")
    try:
        host, port = get_address_host_port(address)
    except (ValueError, TypeError) as error:
        raise BadSchedulerAddress(f"{address} is no scheduler address (tcp://host:port): {error}") from None
    if not host:
        raise BadSchedulerAddress(f"{address} is no scheduler address (tcp://host:port): no host")
    if not 0 < port < 65536:
        raise BadSchedulerAddress(f"{address} is no scheduler address (tcp://host:port): "
                                  f"port {port} is out of range")


def _drop_hand_over_errors(record: logging.LogRecord) -> bool:
    """A filter for tornado's log of failed callbacks. Dask's executor hands each
    result to its ``concurrent.futures`` future in a callback, which fails, and is logged
    as an error with its traceback, when that future was cancelled (the run resent the
    chunk, did it here, or ended) or the connection closed under it (the chunk is then
    resent or done here). The run accounts for every chunk itself: those reports go."""
    traceback = record.exc_info[2] if record.exc_info else None
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_name == "_cascade_future" and code.co_filename.endswith("cfexecutor.py"):
            return False
        traceback = traceback.tb_next
    return True


@contextmanager
def _quiet(names: tuple[str, ...]) -> Iterator[None]:
    """Silence these loggers for the length of the block."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _discard(client: Any) -> None:
    """Let go of a client whose start failed. Dask would close it when it is collected,
    by running its close on an event loop that the failure left unable to finish it:
    twice the timeout of waiting, then a traceback. It has nothing open to close; only
    the thread of its event loop is ended here."""
    runner = getattr(client, "_loop_runner", None)
    try:
        client.status = "closed"
    except AttributeError:
        pass
    if runner is not None:
        try:
            runner.stop()
        except Exception:  # noqa: BLE001 - the loop may never have started
            pass


@contextmanager
def connect_scheduler(address: str, *, timeout: float = CONNECT_TIMEOUT,
                      security: Any = None) -> Iterator[Cluster]:
    """Connect to the Dask scheduler at ``address`` for the duration of the block; the
    connection (not the cluster) is closed at the end. ``security`` (a
    ``distributed.security.Security``) is what a TLS cluster needs, passed to Dask's
    client as it is. Raises :class:`BadSchedulerAddress` at once for an address that
    names no scheduler, and :class:`SchedulerUnavailable` when Dask is missing or the
    scheduler does not answer within ``timeout`` seconds (or refuses the connection)."""
    client_class = _client_class()
    check_address(address)
    # Made in two steps so that a client whose start failed is still in hand: see _discard.
    client = client_class.__new__(client_class)
    try:
        client.__init__(address, timeout=timeout, set_as_default=False, security=security)
    except Exception as error:  # noqa: BLE001 - whatever the client met, the cluster cannot be used
        _discard(client)
        raise SchedulerUnavailable(f"cannot reach the scheduler at {address}: {error}") from None
    hand_over_reports = logging.getLogger("tornado.application")
    hand_over_reports.addFilter(_drop_hand_over_errors)
    try:
        info = client.scheduler_info()
        workers = info.get("workers", {})
        threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
        yield Cluster(address, client.get_executor(), max(1, len(workers)), max(1, threads))
    except BaseException:
        # Ended early (Ctrl-C, an error): Dask may log the connections it loses as it
        # closes. Nothing is lost; the run says why it ended.
        with _quiet(_DASK_LOGGERS):
            client.close()
        raise
    else:
        client.close()
    finally:
        hand_over_reports.removeFilter(_drop_hand_over_errors)
