"""Worker processes end with the process that started them, however it ends.

multiprocessing's own processes outlive a parent that dies without running its exit
handlers (SIGTERM or SIGKILL, ``os._exit``, the OOM killer): each worker waits forever
on a queue whose writing end it holds itself, and through the fork server it also holds
the fork server's "alive" pipe and the resource tracker's pipe, so those two wait for it
in turn. All three end up owned by init, for good.

The worker is the link to cut: once it ends, the fork server sees its "alive" pipe close
and exits, and the resource tracker sees its pipe close, removes what was registered with
it, and exits. So each worker of the library's pools (see :func:`worker_started`)

- watches the process that started the pool through a pidfd (Linux 5.3 and later; a
  check every half second elsewhere) and exits the moment it is gone; a thread blocked in
  ``poll`` costs nothing while the parent lives, and unlike ``PR_SET_PDEATHSIG`` it does
  not depend on which thread of the parent started the fork server;
- asks the kernel (``PR_SET_PDEATHSIG``) to kill it if its own parent, the fork server,
  dies first: the fork server's main thread forks every worker, so the signal is never
  sent early;
- ignores SIGINT: Ctrl-C reaches the whole process group, and the parent decides how the
  run ends (a worker would print a traceback of its own).

The fork server itself leaves its listening socket in a ``pymp-*`` directory that the
parent removes at a normal exit; :mod:`inliner.driver.forkserver_exit`, imported only in
the fork server, removes it when the server exits after the parent is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import signal
import sys
import threading
import time

from ..collector import tune_garbage_collector
from ..pids import process_alive

_PR_SET_PDEATHSIG = 1
_POLL_SECONDS = 0.5
WORKER_EXIT_CODE = 75
"""The exit status of a worker that ended because its parent had gone."""


def worker_started(parent_pid: int) -> None:
    """Initializer of each worker process of the library's process pools."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_direct_parent()
    watch_parent(parent_pid)
    tune_garbage_collector()


def _die_with_direct_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the pidfd watch below still ends the worker


def watch_parent(parent_pid: int) -> threading.Thread:
    """Start a daemon thread that ends this process as soon as ``parent_pid`` is gone."""
    try:
        descriptor: int | None = os.pidfd_open(parent_pid)
    except (AttributeError, OSError):
        descriptor = None
    if descriptor is None:
        # No pidfd: was it already gone? (os.kill(pid, 0) fails for a missing process.)
        if not process_alive(parent_pid):
            os._exit(WORKER_EXIT_CODE)
    thread = threading.Thread(target=_wait_for_exit, args=(parent_pid, descriptor),
                              name="inline-solvers-lifeline", daemon=True)
    thread.start()
    return thread


def _wait_for_exit(pid: int, descriptor: int | None) -> None:
    if descriptor is not None:
        poller = select.poll()
        poller.register(descriptor, select.POLLIN)
        while not poller.poll():  # readable once the process has exited
            pass
    else:
        while process_alive(pid):
            time.sleep(_POLL_SECONDS)
    os._exit(WORKER_EXIT_CODE)
