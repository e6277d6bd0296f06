"""The command line's handling of SIGINT and SIGTERM (cli.stopping), with real signals
sent to this process: each becomes an ``Interrupted`` in the main thread, except where
that would be wrong (a file's write and its count) or lost (a ``__del__``)."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from inline_solvers_cli.stopping import Interrupted, StopSignals, exit_status

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def wait_for_interrupt(seconds: float = 10.0) -> None:
    """Run Python code (where handlers run) until an interrupt arrives, for a bounded time."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.001)


@pytest.mark.parametrize(("how", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_each_signal_stops_with_its_own_status(how, status):
    before = signal.getsignal(how)
    with StopSignals():
        with pytest.raises(Interrupted) as stopped:
            os.kill(os.getpid(), how)
            wait_for_interrupt()
    assert stopped.value.signal_number == how and exit_status(stopped.value) == status
    assert signal.getsignal(how) is before  # the previous handler is back


def test_a_signal_inside_a_held_block_takes_effect_when_it_ends():
    reached_the_end = False
    with StopSignals() as stops:
        with pytest.raises(Interrupted):
            with stops.held():
                os.kill(os.getpid(), signal.SIGINT)
                for _ in range(1000):  # Python code: the handler has run by now
                    pass
                reached_the_end = True
    assert reached_the_end


class Finalised:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs in here, inside __del__
            pass


def test_a_signal_that_lands_in_a_finaliser_is_not_lost(monkeypatch):
    lost = []
    monkeypatch.setattr(sys, "unraisablehook", lost.append)
    with StopSignals():
        with pytest.raises(Interrupted) as stopped:
            Finalised()  # collected at once
            wait_for_interrupt()
    assert lost == [] and stopped.value.signal_number == signal.SIGTERM


def test_a_signal_the_process_ignores_stays_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with StopSignals():
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):
                pass
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
