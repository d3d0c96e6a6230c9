"""How much faster a sweep runs on a local Dask cluster than one network after another.

Each round runs the same ``--networks`` Zheng 2013 networks (N^E = 200, ``--steps`` each,
seeds 0, 1, ...) with ``--workers 1`` (in this process, without Dask) and on a warm local
cluster of ``--workers`` single-threaded processes, alternating which goes first, and
measures:

- throughput: networks per second of wall time, and its ratio cluster / one worker;
- overhead per network beyond its simulation (``seconds`` in its record): for the cluster
  ``(wall x workers - sum of seconds) / networks``, which also counts idle workers at the end;
- the workers' memory (resident set) after the round.

Once, before the rounds, it also measures what a new cluster costs: the time to start one
of a single worker and to get the first result of a 1-step network from it (importing the
package and loading the compiled kernels from numba's on-disk cache), against the same
network on the then warm worker. Both ways are warmed up before the rounds. The medians over
``--rounds`` go into one JSON object.

Usage::

    python benchmarks/sweep_bench.py [--networks 8] [--steps 200000] [--workers 2] \
        [--rounds 3] [--out benchmarks/results/DATE/sweep_bench.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sorn_studio.ensemble import grid, run_sweep
from sorn_studio.ensemble.tasks import cluster_client, worker_slots


def _round(cells: list, client: Any, folder: Path, cluster_first: bool) -> dict[str, float]:
    """One network after another here and on the cluster (fresh output folders)."""
    out: dict[str, float] = {}
    order = [("one", {"workers": 1}), ("cluster", {"client": client})]
    for name, where in reversed(order) if cluster_first else order:
        start = time.perf_counter()
        records = run_sweep(cells, folder / f"{name}-{time.monotonic_ns()}", **where)
        wall = time.perf_counter() - start
        assert all(r["status"] == "done" for r in records), records
        seconds = sum(r["seconds"] for r in records)
        slots = 1 if name == "one" else worker_slots(client)
        out[f"{name}_wall_s"] = wall
        out[f"{name}_networks_per_s"] = len(cells) / wall
        out[f"{name}_overhead_per_network_s"] = (wall * slots - seconds) / len(cells)
    out["ratio"] = out["cluster_networks_per_s"] / out["one_networks_per_s"]
    return out


def _first_cell(folder: Path) -> dict[str, float]:
    """What a new cluster (of one worker, so that the second cell surely finds it warm) costs
    before its first network, and the same cell on the warm worker."""
    cell = grid("zheng2013", 1, {}, [0])
    start = time.perf_counter()
    with cluster_client(1) as client:
        started = time.perf_counter()
        run_sweep(cell, folder / "first", client=client)
        first = time.perf_counter()
        run_sweep(grid("zheng2013", 1, {}, [1]), folder / "warm", client=client)
        warm = time.perf_counter()
    return {"cluster_start_s": started - start, "first_cell_s": first - started,
            "warm_cell_s": warm - first}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--networks", type=int, default=8)
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    cells = grid("zheng2013", args.steps, {}, args.networks)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = _first_cell(folder)
        rounds = []
        with cluster_client(args.workers) as client:
            # Warm: every worker has imported the package and loaded the kernels.
            run_sweep(grid("zheng2013", 10, {}, args.workers), folder / "warmup", client=client)
            run_sweep(grid("zheng2013", 10, {}, [99]), folder / "warmup-here", workers=1)
            for k in range(args.rounds):
                result = _round(cells, client, folder, cluster_first=bool(k % 2))
                memory = client.run(lambda: __import__("psutil").Process().memory_info().rss)
                result["worker_rss_mb"] = max(memory.values()) / 2**20
                rounds.append(result)
                print(f"round {k + 1}: {json.dumps(result)}", flush=True)
    medians = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    report = {"networks": args.networks, "steps": args.steps, "workers": args.workers,
              "preset": "zheng2013", "first_cell": first, "rounds": rounds, "median": medians}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
