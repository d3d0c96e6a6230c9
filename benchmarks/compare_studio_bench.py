"""Speed of the studio's Compare mode: K networks in the comparison's worker thread against one
network in the studio's worker thread.

Usage::

    python benchmarks/compare_studio_bench.py [--rounds 3] [--seconds 5]

Each round, alternating the order, runs for ``--seconds`` seconds in a thread of its own, with
frames built at 20 per second and taken at once (as an idle window would): the studio's
:class:`~sorn_studio.studio.runner.Runner` with one zheng2013 network at N^E = 200, and a
:class:`~sorn_studio.studio.comparison.CompareRunner` of that network and K - 1 variants for
K = 2, 3 and 5. The lockstep issue's target is ``efficiency = K * compare / single >= 1``
(K networks at no less than 1/K of one network's rate). Prints one JSON object with every
round and the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

from sorn_studio import load_preset
from sorn_studio.compare import Variant
from sorn_studio.studio.comparison import CompareRunner
from sorn_studio.studio.defaults import make_simulation
from sorn_studio.studio.runner import Runner

VARIANTS = (Variant("no STDP", {"stdp": False}), Variant("no IP", {"ip": False}),
            Variant("no SP", {"sp": False}), Variant("fast STDP", {"eta_stdp": 0.008}))


def _rate(runner, step_of, seconds: float) -> float:
    thread = threading.Thread(target=runner.run)
    thread.start()
    runner.play()
    time.sleep(1.0)                      # warm up: chunk sizes settle
    s0, t0 = step_of(), time.perf_counter()
    time.sleep(seconds)
    s1, t1 = step_of(), time.perf_counter()
    runner.stop()
    thread.join()
    return (s1 - s0) / (t1 - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    params = load_preset("zheng2013")
    start = make_simulation(params, 0)
    start.run(5_000)
    snapshot = start.snapshot()
    rounds = []
    for r in range(args.rounds):
        row: dict[str, float] = {}
        order = ["single", 2, 3, 5]
        for what in order if r % 2 == 0 else order[::-1]:
            if what == "single":
                sim = make_simulation(params, 0)
                sim.restore(snapshot)
                runner = Runner(sim, lambda frame: None, max_fps=20)
                row["single"] = _rate(runner, lambda s=sim: s.t, args.seconds)
            else:
                compare = CompareRunner(snapshot, VARIANTS[: what - 1], lambda frame: None,
                                        max_fps=20)
                row[f"compare_{what}"] = _rate(compare, lambda c=compare: c.lockstep.step,
                                               args.seconds)
        for k in (2, 3, 5):
            row[f"efficiency_{k}"] = k * row[f"compare_{k}"] / row["single"]
        rounds.append(row)
    medians = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    print(json.dumps({"rounds": rounds, "medians": medians}, indent=2))


if __name__ == "__main__":
    main()
