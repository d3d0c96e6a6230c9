"""What a network costs in a Dask worker beyond what it costs in a plain process.

Runs the same zheng2013 networks (N^E = 200, ``--steps`` each) in this process and on a local
cluster of two single-threaded workers, and reports per network: the CPU time of the thread
that ran it, the CPU time of its whole process meanwhile (in a worker that adds the event
loop, heartbeats and, unless switched off, the sampling profiler) and the minor page faults.
``--dask-defaults`` makes the cluster with Dask's own settings instead of the package's
``cluster_client`` (which switches the workers' profiler off), to see what that setting does.
CPU times, unlike wall times, barely depend on what else the machine is doing.

Usage::

    python benchmarks/worker_overhead.py [--steps 100000] [--rounds 3] [--dask-defaults]
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
    measured(9, 1)   # compiled kernels loaded, the package imported
    here = [measured(seed, args.steps) for seed in range(2 * args.rounds)]
    cluster = _dask_defaults() if args.dask_defaults else cluster_client(2)
    with cluster as client:
        client.gather(client.map(measured, [7, 8], steps=1, pure=False))
        workers = []
        for round_ in range(args.rounds):
            seeds = [2 * round_, 2 * round_ + 1]
            workers += client.gather(client.map(measured, seeds, steps=args.steps, pure=False))
    report = {"steps": args.steps, "networks": len(here),
              "cluster": "dask defaults" if args.dask_defaults else "cluster_client",
              "here": _medians(here), "worker": _medians(workers)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
