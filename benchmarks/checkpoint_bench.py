"""Time to restore a checkpoint (a full snapshot) at N^E = 200, the time-travel target.

Usage::

    python benchmarks/checkpoint_bench.py [--repeats 30]

Runs the zheng2013 preset 20 000 steps, snapshots it, and restores that snapshot
``--repeats`` times, 200 steps apart. Prints one JSON object: median and largest restore
time in ms and the snapshot's size in MB (what a checkpoint costs in the ring).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sorn_studio import Simulation, load_preset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    sim = Simulation(load_preset("zheng2013"), 0)
    sim.run(20_000)
    snap = sim.snapshot()
    times = []
    for _ in range(args.repeats):
        sim.run(200)
        t0 = time.perf_counter()
        sim.restore(snap)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"restore_ms_median": round(1000 * statistics.median(times), 3),
                      "restore_ms_max": round(1000 * max(times), 3),
                      "snapshot_mb": round(snap.nbytes / 2**20, 3)}))


if __name__ == "__main__":
    main()
