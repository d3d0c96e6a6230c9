"""What a network costs in a Dask worker beyond what it costs in a plain process.

Runs zheng2013 networks (N^E = 200, ``--steps`` each) two at a time, as the 2-core machine
runs a sweep: in two plain worker processes (a ``ProcessPoolExecutor``, no Dask) and on a local
cluster of two single-threaded Dask workers. Per network it reports the CPU time of the thread
that ran it, the CPU time of its whole process meanwhile (in a Dask worker that adds the event
loop, heartbeats and, unless switched off, the sampling profiler) and the minor page faults.
``--dask-defaults`` makes the cluster with Dask's own settings instead of the package's
``cluster_client`` (which switches the workers' profiler off), to see what that setting does.
CPU times depend less than wall times on what else the machine does, but they still vary by
a few per cent from run to run: compare runs made one after another.

Usage::

    python benchmarks/worker_overhead.py [--steps 100000] [--rounds 3] [--dask-defaults]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import multiprocessing
import resource
import statistics
from collections.abc import Iterator
from typing import Any

from sorn_studio.ensemble import grid
from sorn_studio.ensemble.run import run_cell
from sorn_studio.ensemble.tasks import cluster_client


def measured(seed: int, steps: int) -> dict[str, float]:
    """Run one network here and return its costs (a function a worker can run)."""
    cell = grid("zheng2013", steps, {}, [seed])[0]
    process0 = resource.getrusage(resource.RUSAGE_SELF)
    thread0 = resource.getrusage(resource.RUSAGE_THREAD)
    run_cell(cell)
    process1 = resource.getrusage(resource.RUSAGE_SELF)
    thread1 = resource.getrusage(resource.RUSAGE_THREAD)
    return {"thread_cpu_s": (thread1.ru_utime + thread1.ru_stime
                             - thread0.ru_utime - thread0.ru_stime),
            "process_cpu_s": (process1.ru_utime + process1.ru_stime
                              - process0.ru_utime - process0.ru_stime),
            "minor_faults": float(process1.ru_minflt - process0.ru_minflt)}


@contextlib.contextmanager
def _dask_defaults() -> Iterator[Any]:
    """A client of a two-worker local cluster with Dask's own settings."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


def _medians(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dask-defaults", action="store_true")
    args = parser.parse_args()
    pairs = [(2 * round_, 2 * round_ + 1) for round_ in range(args.rounds)]
    spawn = multiprocessing.get_context("spawn")
    # Each process warm first (the package imported, the kernels loaded).
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=spawn, initializer=measured,
                                                initargs=(9, 1)) as pool:
        plain = [row for pair in pairs for row in pool.map(measured, pair, [args.steps] * 2)]
    cluster = _dask_defaults() if args.dask_defaults else cluster_client(2)
    with cluster as client:
        client.run(measured, 9, 1)   # on every worker
        workers = [row for pair in pairs
                   for row in client.gather(client.map(measured, pair, steps=args.steps,
                                                       pure=False))]
    report = {"steps": args.steps, "networks": len(plain),
              "cluster": "dask defaults" if args.dask_defaults else "cluster_client",
              "plain": _medians(plain), "worker": _medians(workers)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
