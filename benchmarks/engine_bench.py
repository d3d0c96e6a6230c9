"""Engine benchmark: steps/s and memory growth, beside sorn 0.7.4 run on the same machine.

Usage::

    python benchmarks/engine_bench.py [--repeats 5] [--steps 20000] [--long-steps 1000000]
                                      [--reference-steps 500] [--no-reference]

Prints one JSON object. Every rate is the median of ``--repeats`` runs; the reference is
``../shared/bench/reference-sorn`` (sorn 0.7.4), run ``--repeats`` times in the same process of
measurement, so the ratio compares like with like on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from sorn_studio import RecordingSpec, Simulation, load_preset

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "reference-sorn"


def rss_mb() -> float:
    """Current resident set size of this process in MB."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def steps_per_s(make, steps: int, repeats: int) -> dict:
    rates = []
    for r in range(repeats):
        sim = make(r)
        sim.step(100)   # compile (first time) and warm caches outside the timing
        t0 = time.perf_counter()
        sim.step(steps)
        rates.append(steps / (time.perf_counter() - t0))
    return {"median_steps_per_s": round(statistics.median(rates), 1),
            "runs": [round(r, 1) for r in rates]}


def fixed_indegree(ne: int):
    """All projections at a fixed in-degree that does not grow with N (cost ~ synapses)."""
    return load_preset("zheng2013", ne=ne, ni=ne // 5, ee_connectivity="fixed", lambda_ee=20,
                       ei_connectivity="fixed", lambda_ei=8, ie_connectivity="fixed",
                       lambda_ie=200)


def memory_growth(steps: int) -> dict:
    sim = Simulation(load_preset("zheng2013"), seed=0)
    sim.step(20_000)            # fill the default 10 000-step recording window first
    before = rss_mb()
    t0 = time.perf_counter()
    sim.step(steps)
    elapsed = time.perf_counter() - t0
    after = rss_mb()
    return {"steps": steps, "rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1),
            "growth_mb": round(after - before, 2), "seconds": round(elapsed, 1)}


def gil_responsiveness(steps: int) -> dict:
    """Lateness of a 10 ms sleep loop in the main thread while the kernel runs in another."""
    sim = Simulation(load_preset("zheng2013"), seed=0)
    sim.step(10)
    worker = threading.Thread(target=sim.step, args=(steps,))
    lateness = []
    worker.start()
    while worker.is_alive():
        t0 = time.perf_counter()
        time.sleep(0.01)
        lateness.append((time.perf_counter() - t0 - 0.01) * 1000)
    worker.join()
    return {"ticks": len(lateness), "late_ms_p50": round(float(np.percentile(lateness, 50)), 2),
            "late_ms_p99": round(float(np.percentile(lateness, 99)), 2)}


def reference(steps: int, repeats: int, ne: int = 200) -> dict:
    if not REFERENCE.exists():
        return {"error": f"{REFERENCE} not found"}
    runs = []
    for _ in range(repeats):
        # The script's "is sorn installed" check imports sorn, which writes sorn.log into the
        # working folder: run it from a scratch folder.
        with tempfile.TemporaryDirectory() as scratch:
            out = subprocess.run([str(REFERENCE), str(ne), str(steps)], capture_output=True,
                                 text=True, check=True, cwd=scratch)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    rates = [r["steps_per_s"] for r in runs]
    return {"median_steps_per_s": statistics.median(rates), "runs": rates,
            "rss_growth_mb_per_step": statistics.median(r["rss_growth_mb_per_step"]
                                                        for r in runs)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--long-steps", type=int, default=1_000_000)
    ap.add_argument("--reference-steps", type=int, default=500)
    ap.add_argument("--no-reference", action="store_true")
    args = ap.parse_args()

    raw = np.random.default_rng(0).random((10, args.steps + 100))
    result: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    result["ne200_all_mechanisms_zheng2013"] = steps_per_s(
        lambda r: Simulation(load_preset("zheng2013"), seed=r), args.steps, args.repeats)
    result["ne200_sorn074_preset_raw_input"] = steps_per_s(
        lambda r: Simulation(load_preset("sorn-0.7.4"), seed=r, raw_input=raw), args.steps,
        args.repeats)
    result["ne200_fixed_indegree"] = steps_per_s(
        lambda r: Simulation(fixed_indegree(200), seed=r), args.steps, args.repeats)
    result["ne1000_fixed_indegree"] = steps_per_s(
        lambda r: Simulation(fixed_indegree(1000), seed=r), args.steps // 2, args.repeats)
    result["scaling_1000_over_200"] = round(
        result["ne1000_fixed_indegree"]["median_steps_per_s"]
        / result["ne200_fixed_indegree"]["median_steps_per_s"], 3)
    result["memory_default_recording"] = memory_growth(args.long_steps)
    result["gil_sleep_loop_beside_kernel"] = gil_responsiveness(200_000)
    result["recording_window"] = RecordingSpec().window
    if not args.no_reference:
        ref = reference(args.reference_steps, args.repeats)
        result["reference_sorn_0_7_4_ne200"] = ref
        if "median_steps_per_s" in ref:
            ours = result["ne200_all_mechanisms_zheng2013"]["median_steps_per_s"]
            result["speedup_vs_sorn_0_7_4"] = round(ours / ref["median_steps_per_s"], 1)
            ours_raw = result["ne200_sorn074_preset_raw_input"]["median_steps_per_s"]
            result["speedup_vs_sorn_0_7_4_same_preset"] = round(
                ours_raw / ref["median_steps_per_s"], 1)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
