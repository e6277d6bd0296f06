"""A real Dask cluster on 127.0.0.1: a scheduler and two workers, each its own process
(``dask scheduler``, ``dask worker``), stopped by pid at the end whatever happened.

``inline_many`` through ``Client.get_executor()`` returns the sequential results with the
work visibly done on both workers; a worker killed with SIGKILL in the middle of a run
loses nothing and makes nothing come back twice.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="needs the dask extra: pip install '.[dask]'")

from fixture_runner import fixture_modules  # noqa: E402
from inliner import InlineBatch, InlineOptions, inline_many, inline_source  # noqa: E402
from inliner.driver.chunks import RemoteOptions  # noqa: E402
from inliner.driver.scheduler import SchedulerUnavailable, connect_scheduler  # noqa: E402

HOST = "127.0.0.1"
SMALL = [f"def f{k}(a):\n    x = g(a, {k})\n    y = x * {k}\n    return h(y)\n" for k in range(200)]
CHUNKS = RemoteOptions(chunk_characters=1500, chunk_deadline=120, probe_deadline=60)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """By pid: SIGTERM, then SIGKILL if it does not end in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class LocalCluster:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.address = f"tcp://{HOST}:{free_port()}"
        self.scheduler: subprocess.Popen | None = None
        self.workers: dict[str, subprocess.Popen] = {}
        self.environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path),
                            "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}

    def _start(self, module: str, *arguments: str, log: str) -> subprocess.Popen:
        with open(self.work / log, "wb") as out:
            return subprocess.Popen([sys.executable, "-m", module, *arguments], stdout=out,
                                    stderr=subprocess.STDOUT, env=self.environment, cwd=self.work)

    def start(self) -> None:
        port = self.address.rsplit(":", 1)[1]
        self.scheduler = self._start("distributed.cli.dask_scheduler", "--host", HOST, "--port", port,
                                     "--no-dashboard", log="scheduler.log")
        for name in ("w1", "w2"):
            # No nanny: the worker is the process we kill, and nothing restarts it.
            self.workers[name] = self._start(
                "distributed.cli.dask_worker", self.address, "--name", name, "--nthreads", "1",
                "--no-nanny", "--no-dashboard", "--local-directory", str(self.work / name),
                "--death-timeout", "60", log=f"{name}.log")

    def stop(self) -> None:
        for process in [*self.workers.values(), self.scheduler]:
            if process is not None:
                stop(process)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                         for p in sorted(self.work.glob("*.log")))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[LocalCluster]:
    work = tmp_path_factory.mktemp("dask")
    local = LocalCluster(work)
    try:
        local.start()
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="module")
def sequential() -> dict[str, str]:
    return {s: inline_source(s).code for s in [*SMALL, *(p.read_text() for p in fixture_modules())]}


def test_results_equal_sequential_with_the_work_done_on_both_workers(cluster, sequential):
    items = [*(p.read_text() for p in fixture_modules()), *SMALL]
    with distributed.Client(cluster.address, timeout=60, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
        workers = {info["name"]: address for address, info in client.scheduler_info()["workers"].items()}
        with distributed.get_task_stream(client) as stream:
            results = inline_many(items, parallel=2, executor=client.get_executor(), remote=CHUNKS)
        used = {task["worker"] for task in stream.data if "run_chunk" in task["key"]}
    assert [r.code for r in results] == [sequential[s] for s in items], cluster.logs()
    assert results.stats.executor == "external" and results.stats.chunks_done_here == 0
    assert results.stats.jobs_done_remotely >= len(items)
    assert used == set(workers.values()) and set(workers) == {"w1", "w2"}


def _command_line(*arguments: str, cwd: Path | None = None, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inline_solvers_cli", *arguments], capture_output=True,
                          text=True, timeout=300, cwd=cwd, env={**os.environ, **environment})


def _fixture_tree(root: Path) -> Path:
    root.mkdir()
    for path in fixture_modules():
        (root / path.name).write_text(path.read_text())
    return root


def test_the_command_line_on_the_cluster_writes_what_a_local_run_writes(cluster, tmp_path):
    """--scheduler: files read and written here, the work done on the workers, every file
    byte for byte as a local run writes it."""
    local, remote = _fixture_tree(tmp_path / "local"), _fixture_tree(tmp_path / "remote")
    telemetry = tmp_path / "telemetry.jsonl"
    assert _command_line("--no-cache", "-q", str(local)).returncode == 0
    done = _command_line("--no-cache", "-q", "--scheduler", cluster.address, "--telemetry", str(telemetry),
                         str(remote))
    assert done.returncode == 0, done.stderr + cluster.logs()
    for path in sorted(local.iterdir()):
        assert (remote / path.name).read_bytes() == path.read_bytes(), path.name
    import json

    stats = json.loads(telemetry.read_text().splitlines()[-1])
    assert stats["executor"] == "external" and stats["chunks_done_here"] == 0
    assert stats["jobs_done_remotely"] > 0


def test_a_worker_killed_mid_run_loses_nothing_and_doubles_nothing(cluster, sequential):
    items = SMALL * 2  # 400 items, about 60 chunks
    with connect_scheduler(cluster.address, timeout=60) as connected:
        assert connected.workers == 2
        batch = InlineBatch(InlineOptions(), parallel=connected.workers, executor=connected.executor,
                            remote=CHUNKS, warn=lambda message: None)
        seen: list[int] = []
        codes: dict[int, str] = {}
        after_kill = 0
        for index, result in batch.run(items):
            seen.append(index)
            codes[index] = result.code
            if len(seen) == 20:
                victim = cluster.workers["w1"]
                victim.send_signal(signal.SIGKILL)  # by pid, as the OOM killer would
                victim.wait(timeout=30)
            elif len(seen) > 20:
                after_kill += 1
    assert cluster.workers["w1"].returncode == -signal.SIGKILL
    assert after_kill > 0, "the run ended before the kill: nothing was proven"
    assert sorted(seen) == list(range(len(items)))  # every item, exactly once
    assert [codes[i] for i in range(len(items))] == [sequential[s] for s in items], cluster.logs()


def test_an_unreachable_scheduler_is_reported():
    with pytest.raises(SchedulerUnavailable):
        with connect_scheduler(f"tcp://{HOST}:{free_port()}", timeout=1):
            pass


def test_an_unreachable_scheduler_from_pyproject_stops_the_run_before_any_file(tmp_path):
    """``scheduler`` in [tool.inline-solvers] is read like the flag; a scheduler that does
    not answer: one error line, exit 123, every file as it was."""
    tree = _fixture_tree(tmp_path / "tree")
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.inline-solvers]\nscheduler = "tcp://{HOST}:{free_port()}"\n')
    before = {p.name: p.read_bytes() for p in tree.iterdir()}
    done = _command_line("--no-cache", str(tree), cwd=tmp_path)
    assert done.returncode == 123
    assert done.stderr.count("error:") == 1 and "--scheduler tcp://" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert {p.name: p.read_bytes() for p in tree.iterdir()} == before


def test_without_dask_the_scheduler_option_says_how_to_install_it(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "distributed.py").write_text("raise ImportError('no dask here')\n")
    tree = _fixture_tree(tmp_path / "tree")
    done = _command_line("--no-cache", "--scheduler", f"tcp://{HOST}:1", str(tree),
                         PYTHONPATH=os.pathsep.join([str(blocker), *sys.path]))
    assert done.returncode == 123
    assert "pip install 'inline-solvers[dask]'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
