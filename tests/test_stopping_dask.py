"""Ctrl-C and SIGTERM stop a command-line run whose work is on a Dask cluster as they
stop a local one (see test_stopping_cli): at once, every file whole, the count written in
the summary, no process of the run left; the cluster itself lives on."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator

import pytest

distributed = pytest.importorskip("distributed", reason="needs the dask extra: pip install '.[dask]'")

from test_dask import LocalCluster  # noqa: E402
from test_process_death import make_tree  # noqa: E402
from test_stopping_cli import FILES, files_written, stop_once_working  # noqa: E402


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[LocalCluster]:
    local = LocalCluster(tmp_path_factory.mktemp("dask"))
    try:
        local.start()
        with distributed.Client(local.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield local
    finally:
        local.stop()


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_a_signal_stops_a_run_on_a_cluster_at_once(tmp_path, cluster, how):
    originals = make_tree(tmp_path / "tree", FILES)
    status, errors, left = stop_once_working(tmp_path, tmp_path / "tree", ["--scheduler", cluster.address], how)
    assert status == (130 if how == "SIGINT" else -signal.SIGTERM), errors[-2000:] + cluster.logs()
    assert left == set()
    assert "Traceback" not in errors, errors[-2000:]
    word = "interrupted" if how == "SIGINT" else "terminated"
    summary = re.findall(rf"^{word}: (\d+) files? written, (\d+) not processed$", errors, re.MULTILINE)
    assert len(summary) == 1, errors[-2000:]
    written = int(summary[0][0])
    assert written == files_written(originals) and 0 < written < FILES
    assert all(process.poll() is None for process in [cluster.scheduler, *cluster.workers.values()])
