"""A scheduler address that names no scheduler is refused at once, in one line (exit 2,
a usage error), and a scheduler that cannot be reached costs one line (exit 123): no
traceback, neither from the run nor from Dask's client as it is collected."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

pytest.importorskip("distributed", reason="needs the dask extra: pip install '.[dask]'")

from helpers import INLINED, SOURCE  # noqa: E402
from inliner.driver import BadSchedulerAddress, SchedulerUnavailable, connect_scheduler  # noqa: E402
from inliner.driver.scheduler import check_address  # noqa: E402

BAD_ADDRESSES = [
    ("tcp://127.0.0.1", "missing port"),
    ("127.0.0.1", "missing port"),
    ("foo://127.0.0.1:8786", "unknown address scheme"),
    ("tcp://:8786", "no host"),
    ("tcp://127.0.0.1:99999", "out of range"),
    ("tcp://127.0.0.1:port", "no scheduler address"),
    ("", "no scheduler address"),
]


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(("address", "why"), BAD_ADDRESSES)
def test_an_address_that_names_no_scheduler_is_refused_before_connecting(address, why):
    with pytest.raises(BadSchedulerAddress, match=why):
        check_address(address)
    with pytest.raises(BadSchedulerAddress, match=why):
        with connect_scheduler(address):
            pass


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "127.0.0.1:8786", "tls://10.0.0.5:8786",
                                     "tcp://[::1]:8786", "tcp://scheduler.example:1"])
def test_an_address_with_host_and_port_is_accepted(address):
    check_address(address)


LIBRARY_RUN = """
import sys
from inliner.driver import SchedulerUnavailable, connect_scheduler

try:
    with connect_scheduler(sys.argv[1], timeout=2):
        pass
except SchedulerUnavailable as error:
    print(type(error).__name__)
"""


def test_a_client_that_failed_to_start_leaves_nothing_behind_at_exit(tmp_path):
    """tls:// without credentials fails inside Dask's client as it starts. The process
    that caught the error must then exit cleanly: Dask would otherwise close the client
    at exit on an event loop that can no longer finish it, wait twice the timeout and
    print a traceback."""
    script = tmp_path / "connect.py"
    script.write_text(LIBRARY_RUN)
    done = subprocess.run([sys.executable, str(script), f"tls://127.0.0.1:{closed_port()}"],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "SchedulerUnavailable\n", "")


def run_cli(tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    target = tmp_path / "m.py"
    target.write_text(SOURCE)
    return subprocess.run([sys.executable, "-m", "inline_solvers_cli", "--no-cache", *arguments, str(target)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_the_command_line_refuses_an_address_without_a_port_in_one_line(tmp_path):
    done = run_cli(tmp_path, "--scheduler", "tcp://127.0.0.1")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "error: --scheduler: tcp://127.0.0.1 is no scheduler address (tcp://host:port): "
        "missing port number in address '127.0.0.1'"]
    assert (tmp_path / "m.py").read_text() == SOURCE != INLINED


def test_the_command_line_says_in_one_line_that_a_scheduler_cannot_be_reached(tmp_path):
    done = run_cli(tmp_path, "--scheduler", f"tls://127.0.0.1:{closed_port()}")
    assert done.returncode == 123, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "cannot reach the scheduler" in done.stderr, done.stderr
    assert (tmp_path / "m.py").read_text() == SOURCE
