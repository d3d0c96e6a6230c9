"""Cost of per-rule attribution: steps/s with ``track_attribution`` off and on.

Usage::

    python benchmarks/attribution_bench.py [--rounds 7] [--steps 20000]

Two zheng2013 networks at N^E = 200, one tracking attribution and one not, start from the
same state (after 5 000 steps) and run ``--steps`` steps each per round, alternating which
goes first; attribution is taken (and its window restarted) after every run, as a user of it
would. Tracking does not change the run, so both networks do the same work. The target of
the lockstep issue is ``on / off`` >= 0.7 (attribution costs at most 30 %). Prints one JSON
object with every round, the medians and the median of the per-round ratios.

That attribution off costs nothing is measured against a checkout without the feature, in
separate processes: ``python benchmarks/engine_ab.py MAIN_CHECKOUT THIS_CHECKOUT``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sorn_studio import Simulation, load_preset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=20_000)
    args = parser.parse_args()
    start = Simulation(load_preset("zheng2013"), 0)
    start.run(5_000)
    snapshot = start.snapshot()
    sims = {"off": Simulation.from_snapshot(snapshot), "on": Simulation.from_snapshot(snapshot)}
    sims["on"].track_attribution()
    for sim in sims.values():      # compile both kernels and warm the caches
        sim.run(500)
    sims["on"].take_attribution()
    rounds = []
    for k in range(args.rounds):
        row = {}
        for kind in ("off", "on") if k % 2 == 0 else ("on", "off"):
            sim = sims[kind]
            t0 = time.perf_counter()
            sim.run(args.steps)
            if sim.tracks_attribution:
                sim.take_attribution()
            row[kind] = args.steps / (time.perf_counter() - t0)
        row["on_over_off"] = row["on"] / row["off"]
        rounds.append(row)
    assert sims["on"].state.equals(sims["off"].state), "tracking changed the run"
    medians = {key: round(statistics.median(r[key] for r in rounds), 3) for key in rounds[0]}
    print(json.dumps({"steps": args.steps, "rounds": rounds, "medians": medians}, indent=1))


if __name__ == "__main__":
    main()
