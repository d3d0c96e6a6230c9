"""Speed of lockstep comparison: K networks in lockstep against one network alone.

Usage::

    python benchmarks/compare_bench.py [--rounds 5] [--steps 20000]

Each round measures, in this process and alternating the order, one zheng2013 network at
N^E = 200 alone (steps/s of ``Simulation.run``) and a ``Lockstep`` of that network with
K - 1 variants for K = 2, 3 and 5 (steps/s of every network together, comparisons included).
The target of the lockstep issue is a lockstep rate of at least 1/K of the single rate:
``efficiency = K * lockstep / single`` >= 1. The variants' own networks may cost more or
less than the baseline (more spikes, more synapses), so the five networks are also run one
after another (``separate_5``): ``lockstep_5 / separate_5`` is what comparing costs. Prints
one JSON object with every round and the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sorn_studio import Simulation, load_preset
from sorn_studio.compare import Lockstep, Variant

VARIANTS = (Variant("no STDP", {"stdp": False}), Variant("no IP", {"ip": False}),
            Variant("no SP", {"sp": False}), Variant("fast STDP", {"eta_stdp": 0.008}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20_000)
    args = parser.parse_args()
    params = load_preset("zheng2013")
    start = Simulation(params, 0)
    start.run(5_000)
    snapshot = start.snapshot()
    rounds = []
    for k in range(args.rounds):
        row = {}
        kinds = ["single", "separate", 2, 3, 5]
        for kind in kinds if k % 2 == 0 else kinds[::-1]:
            if kind == "single":
                sim = Simulation.from_snapshot(snapshot)
                t0 = time.perf_counter()
                sim.run(args.steps)
                row["single"] = args.steps / (time.perf_counter() - t0)
            elif kind == "separate":
                # The five networks of the K = 5 lockstep one after another, without
                # comparing: what the lockstep costs beyond its networks' own steps.
                spent = 0.0
                for variant in (Variant("baseline"), *VARIANTS):
                    sim = Simulation.from_snapshot(snapshot)
                    sim.apply_params(**dict(variant.changes))
                    t0 = time.perf_counter()
                    sim.run(args.steps)
                    spent += time.perf_counter() - t0
                row["separate_5"] = args.steps / spent
            else:
                run = Lockstep(snapshot, VARIANTS[:kind - 1])
                t0 = time.perf_counter()
                run.run(args.steps)
                row[f"lockstep_{kind}"] = args.steps / (time.perf_counter() - t0)
        for kind in (2, 3, 5):
            row[f"efficiency_{kind}"] = kind * row[f"lockstep_{kind}"] / row["single"]
        row["lockstep_5_over_separate_5"] = row["lockstep_5"] / row["separate_5"]
        rounds.append(row)
    medians = {key: round(statistics.median(r[key] for r in rounds), 3) for key in rounds[0]}
    print(json.dumps({"steps": args.steps, "rounds": rounds, "medians": medians}, indent=1))


if __name__ == "__main__":
    main()
