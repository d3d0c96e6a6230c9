"""Sweeps on a real Dask cluster (a scheduler and workers started here as processes on
127.0.0.1), a worker killed in the middle of a cell, Ctrl-C, and imports that start nothing."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from sorn_studio.ensemble import SweepStore, grid, run_sweep

SMALL = {"ne": 40, "ni": 8, "lambda_ee": 8, "lambda_ei": 4, "lambda_ie": 40}
#: Every wait here ends: a cluster that does not come up fails the test, it does not hang it.
TIMEOUT = 90.0


def _wait_for(condition, what: str, timeout: float = TIMEOUT) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A ``dask scheduler`` and two single-threaded ``dask worker`` processes (no nanny, so a
    killed worker stays dead); their address and the worker processes."""
    file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                   "--no-dashboard", "--scheduler-file", str(file)], **quiet)]
    try:
        _wait_for(lambda: file.exists() and "address" in file.read_text(), "the scheduler")
        address = json.loads(file.read_text())["address"]
        workers = [subprocess.Popen([*dask, "worker", address, "--nthreads", "1", "--no-nanny",
                                     "--host", "127.0.0.1", "--no-dashboard",
                                     "--death-timeout", "60"], **quiet) for _ in range(2)]
        processes += workers
        from distributed import Client

        with Client(address, timeout=TIMEOUT) as client:
            client.wait_for_workers(2, timeout=TIMEOUT)
        yield address, workers
    finally:
        _stop(processes)


def _without_times(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def test_a_sweep_on_a_scheduler_and_workers_in_processes_of_their_own(cluster, tmp_path):
    address, _ = cluster
    cells = grid("zheng2013", 300, {"eta_stdp": [0.002, 0.004]}, 2, changes=SMALL)
    there = run_sweep(cells, tmp_path / "cluster", scheduler=address)
    here = run_sweep(cells, tmp_path / "here", workers=1)
    assert all(r["status"] == "done" for r in there)
    assert _without_times(there) == _without_times(here)


def test_the_cell_of_a_killed_worker_is_run_again_on_another(cluster, tmp_path):
    from distributed import Client

    address, workers = cluster
    # Cells of a few seconds, so that one is surely running when its worker is killed.
    cells = grid("zheng2013", 60_000, {}, 2)
    killed: list[int] = []
    with Client(address, timeout=TIMEOUT) as client:
        pids = client.run(os.getpid)

        def kill_a_busy_worker(progress) -> None:
            _wait_for(lambda: any(client.processing().values()), "a cell to start")
            busy = next(w for w, keys in client.processing().items() if keys)
            os.kill(pids[busy], signal.SIGKILL)
            killed.append(pids[busy])

        records = run_sweep(cells, tmp_path / "out", client=client, on_start=kill_a_busy_worker)
        assert len(client.scheduler_info()["workers"]) == 1
    dead = next(w for w in workers if w.pid == killed[0])
    assert dead.wait(timeout=TIMEOUT) == -signal.SIGKILL
    assert [r["status"] for r in records] == ["done", "done"]
    assert _without_times(records) == _without_times(
        run_sweep(cells, tmp_path / "here", workers=1))


@pytest.mark.parametrize(("workers", "stop"), [
    ("1", "ctrl-c"), ("2", "ctrl-c"), ("1", "input ends"), ("2", "input ends"),
    # Started with SIGINT ignored (as a program started in the background is): the end of
    # its input still stops it.
    ("2", "input ends, sigint ignored")])
def test_ctrl_c_stops_a_sweep_keeps_what_finished_and_leaves_no_process(tmp_path, workers,
                                                                         stop):
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "sorn_studio.cli", "sweep", "--preset", "zheng2013",
            "--steps", "40000", "--seeds", "6", "--workers", workers, "--out", str(out)]
    if stop.startswith("input ends"):
        # How the studio stops a sweep, on every platform.
        argv.append("--stop-when-input-closes")
    ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if "ignored" in stop else None
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=ignore)
    try:
        lines = []
        while not any(line.startswith("[1/6]") for line in lines):
            line = process.stdout.readline()
            assert line, f"the sweep ended early: {process.stderr.read()}"
            lines.append(line)
        children = psutil.Process(process.pid).children(recursive=True)
        if stop == "ctrl-c":
            process.send_signal(signal.SIGINT)
        else:
            process.stdin.close()
        assert process.wait(timeout=TIMEOUT) == 130
        stderr = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
    assert "stopped; the finished networks are in" in stderr and "Traceback" not in stderr
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, f"left running: {alive}"
    kept = [json.loads(p.read_text()) for p in (out / "cells").glob("*.json")]
    assert 1 <= len(kept) < 6 and all(r["status"] == "done" for r in kept)
    # What finished is what a second run skips.
    resumed = SweepStore(out).records(grid("zheng2013", 40_000, {}, 6))
    assert sorted(resumed) == sorted(r["key"] for r in kept)


@pytest.mark.parametrize("delay", [0.0, 0.5, 0.8, 1.1])
def test_a_sweep_stopped_while_its_cluster_starts_ends_cleanly(tmp_path, delay):
    # The studio's Stop right after Start: the interrupt waits until the local cluster is
    # made, so that it can be closed (interrupted half made, Dask's exit handler fails).
    argv = [sys.executable, "-m", "sorn_studio.cli", "sweep", "--preset", "zheng2013",
            "--steps", "40000", "--seeds", "4", "--workers", "2", "--stop-when-input-closes",
            "--out", str(tmp_path / "out")]
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    seen: set[psutil.Process] = set()
    try:
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            seen.update(psutil.Process(process.pid).children(recursive=True))
            time.sleep(0.05)
        process.stdin.close()
        deadline = time.monotonic() + TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(psutil.NoSuchProcess):
                seen.update(psutil.Process(process.pid).children(recursive=True))
            time.sleep(0.05)
        assert process.wait(timeout=TIMEOUT) == 130
        stderr = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
    assert "stopped; the finished networks are in" in stderr
    assert "Traceback" not in stderr, stderr
    _, alive = psutil.wait_procs(list(seen), timeout=30)
    assert not alive, f"left running: {alive}"


def test_importing_the_ensemble_or_running_one_network_starts_no_dask(tmp_path):
    dask = "sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'})"
    code = ("import sys, sorn_studio.ensemble as e, sorn_studio.experiments, sorn_studio.cli; "
            f"print({dask}); "
            f"e.run_sweep(e.grid('zheng2013', 10, None, 1, changes={SMALL!r}), {str(tmp_path)!r}); "
            f"print({dask})")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=TIMEOUT, check=True)
    assert done.stdout.split() == ["[]", "[]"]
    assert len(list((tmp_path / "cells").glob("*.json"))) == 1
