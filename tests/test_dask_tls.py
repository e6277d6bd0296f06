"""A Dask cluster that speaks TLS only: a scheduler and a worker, each its own process on
127.0.0.1, with credentials from ``Security.temporary()`` written to files (the processes
read PEM files; ``temporary()`` keeps them in memory). ``connect_scheduler`` given a
``Security`` reaches it and a batch runs on its worker; without one it is refused at once,
in one exception. Everything started here is stopped by pid.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="needs the dask extra: pip install '.[dask]'")
pytest.importorskip("cryptography", reason="Security.temporary() needs cryptography")

from distributed.security import Security  # noqa: E402

from inliner import inline_many, inline_source  # noqa: E402
from inliner.driver import SchedulerUnavailable, connect_scheduler  # noqa: E402
from inliner.driver.chunks import RemoteOptions  # noqa: E402

HOST = "127.0.0.1"
SMALL = [f"def f{k}(a):\n    x = g(a, {k})\n    y = x * {k}\n    return h(y)\n" for k in range(60)]
CHUNKS = RemoteOptions(chunk_characters=1500, chunk_deadline=120, probe_deadline=60)
STARTS_WITHIN = 60.0
"""Seconds a scheduler may take to write its address file (a bound on a loaded machine)."""


@dataclass(frozen=True)
class Credentials:
    ca: Path
    cert: Path
    key: Path

    def security(self) -> Security:
        return Security(tls_ca_file=str(self.ca), tls_client_cert=str(self.cert),
                        tls_client_key=str(self.key), require_encryption=True)

    def arguments(self) -> list[str]:
        return ["--tls-ca-file", str(self.ca), "--tls-cert", str(self.cert), "--tls-key", str(self.key)]


def write_credentials(directory: Path) -> Credentials:
    temporary = Security.temporary()  # one self-signed certificate, its own authority
    files = Credentials(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    files.ca.write_text(temporary.tls_ca_file)
    files.cert.write_text(temporary.tls_scheduler_cert)
    files.key.write_text(temporary.tls_scheduler_key)
    files.key.chmod(0o600)
    return files


def stop(process: subprocess.Popen) -> None:
    """By pid: SIGTERM, then SIGKILL if it does not end in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def read_address(scheduler_file: Path, scheduler: subprocess.Popen) -> str:
    """The scheduler's address, once it has written its file (a bounded poll on that)."""
    end = time.monotonic() + STARTS_WITHIN
    while time.monotonic() < end:
        assert scheduler.poll() is None, "the scheduler ended"
        try:
            return json.loads(scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.05)  # a poll interval, not a synchronisation
    pytest.fail(f"no scheduler file within {STARTS_WITHIN:g} s")


@dataclass
class TlsCluster:
    address: str
    credentials: Credentials


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory) -> Iterator[TlsCluster]:
    work = tmp_path_factory.mktemp("dask-tls")
    credentials = write_credentials(work)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path),
                   "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    started: list[subprocess.Popen] = []

    def start(module: str, *arguments: str, log: str) -> subprocess.Popen:
        with open(work / log, "wb") as out:
            process = subprocess.Popen([sys.executable, "-m", module, *arguments], stdout=out,
                                       stderr=subprocess.STDOUT, env=environment, cwd=work)
        started.append(process)
        return process

    try:
        scheduler = start("distributed.cli.dask_scheduler", "--protocol", "tls", "--host", HOST, "--port", "0",
                          "--no-dashboard", "--scheduler-file", str(work / "scheduler.json"),
                          *credentials.arguments(), log="scheduler.log")
        address = read_address(work / "scheduler.json", scheduler)
        assert address.startswith("tls://")
        start("distributed.cli.dask_worker", address, "--host", HOST, "--nthreads", "1", "--no-nanny",
              "--no-dashboard", "--local-directory", str(work / "worker"), "--death-timeout", "60",
              *credentials.arguments(), log="worker.log")
        with distributed.Client(address, security=credentials.security(), timeout=60,
                                set_as_default=False) as client:
            client.wait_for_workers(1, timeout=60)
        yield TlsCluster(address, credentials)
    finally:
        for process in reversed(started):
            stop(process)


def test_a_batch_runs_on_a_tls_cluster_through_connect_scheduler(tls_cluster):
    with connect_scheduler(tls_cluster.address, security=tls_cluster.credentials.security()) as cluster:
        assert cluster.workers == 1
        results = inline_many(SMALL, executor=cluster.executor, parallel=cluster.workers, remote=CHUNKS)
    assert [r.code for r in results] == [inline_source(s).code for s in SMALL]
    assert results.stats.executor == "external" and results.stats.chunks_done_here == 0
    assert results.stats.jobs_done_remotely == len(SMALL)


def test_a_tls_cluster_without_credentials_is_refused_in_one_exception(tls_cluster):
    with pytest.raises(SchedulerUnavailable, match="cannot reach the scheduler"):
        with connect_scheduler(tls_cluster.address, timeout=5):
            pass
