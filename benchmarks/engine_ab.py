"""Interleaved A/B of the engine's speed in two checkouts (e.g. before and after a change).

Usage::

    python benchmarks/engine_ab.py CHECKOUT_A CHECKOUT_B [--pairs 6] [--steps 20000]

Each pair runs one process per checkout, A then B, and each process measures the zheng2013
and sorn-0.7.4 (raw input) presets at N^E = 200: the median of three ``--steps``-step runs after
2 000 warm-up steps. Interleaving matters on our machines, whose speed changes by up to 1.8x
from one minute to the next: only ratios of neighbouring runs and medians mean anything.
Prints one JSON object with every run, the medians and the median of the pair ratios B / A.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

# Run in each checkout's own interpreter path; prints {"zheng": steps/s, "raw": steps/s}.
_MEASURE = r"""
import json, sys, time
import numpy as np
from sorn_studio import Simulation, load_preset
steps = int(sys.argv[1])
out = {}
for name, preset, raw in (("zheng", "zheng2013", False), ("raw", "sorn-0.7.4", True)):
    p = load_preset(preset)
    inputs = np.random.default_rng(0).random((p.nu, 2000 + 3 * steps)) if raw else None
    sim = Simulation(p, seed=0, raw_input=inputs)
    sim.run(2000)
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        sim.run(steps)
        rates.append(steps / (time.perf_counter() - t0))
    out[name] = sorted(rates)[1]
print(json.dumps(out))
"""


def measure(checkout: str, steps: int) -> dict[str, float]:
    """One process's rates in ``checkout`` (its ``sorn_studio`` first on the path)."""
    env = {**os.environ, "PYTHONPATH": os.path.abspath(checkout)}
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(steps)], env=env, check=True,
                         capture_output=True, text=True, cwd=checkout)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--pairs", type=int, default=6)
    ap.add_argument("--steps", type=int, default=20_000)
    args = ap.parse_args()
    runs = [(measure(args.a, args.steps), measure(args.b, args.steps))
            for _ in range(args.pairs)]
    report = {"a": args.a, "b": args.b, "runs": runs}
    for case in ("zheng", "raw"):
        report[case] = {
            "median_a": statistics.median(a[case] for a, _ in runs),
            "median_b": statistics.median(b[case] for _, b in runs),
            "median_pair_ratio_b_over_a": statistics.median(b[case] / a[case] for a, b in runs),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
