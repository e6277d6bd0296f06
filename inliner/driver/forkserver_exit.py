"""Imported in the fork server only (as its preload): it preloads the inliner, so that each
worker forks with libcst already imported, and it removes the server's socket when the
server exits.

The parent made a ``pymp-*`` directory for the fork server's listening socket and
removes it in its exit handlers, which a parent killed by a signal never runs. The fork
server exits when the last holder of its "alive" pipe (the parent, and every worker, see
:mod:`inliner.driver.lifeline`) has gone; by then nobody needs the socket, so the server
removes it, and its directory. When the parent exits normally it has already removed
them and there is nothing left to do.
"""

from __future__ import annotations

import atexit
import os
import shutil

from . import chunks  # noqa: F401 - the preload: workers fork with the inliner imported

_SERVER_PID = os.getpid()


def _remove_socket() -> None:
    if os.getpid() != _SERVER_PID:
        return
    from multiprocessing import forkserver

    address = getattr(forkserver._forkserver, "_forkserver_address", None)
    if not isinstance(address, str) or not address or address.startswith("\0"):
        return
    directory = os.path.dirname(address)
    if os.path.basename(directory).startswith("pymp-"):
        shutil.rmtree(directory, ignore_errors=True)
    else:
        try:
            os.unlink(address)
        except OSError:
            pass


atexit.register(_remove_socket)
