"""Benchmark of the sorn 0.7.4-compatible API (``sorn_studio.Simulator`` / ``Trainer``).

Usage::

    python benchmarks/compat_bench.py [--calls 2000] [--steps 10000] [--repeats 3]
                                      [--reference] [--reference-calls 30]

Prints one JSON object:

* ``trainer_call_ms``: cost of one ``Trainer.run(timesteps=1)`` call in a loop that feeds the
  returned state back in (sorn 0.7.4's reinforcement-learning usage), N^E = 200, for the
  plasticity and the training phase; median over ``--repeats`` loops of ``--calls`` calls.
* ``simulator_steps_per_s``: ``Simulator.run`` for ``--steps`` steps with default
  hyperparameters, with no callbacks and with the reference benchmark's callbacks
  (``ExcitatoryActivation``, ``EEConnectionCounts``); median over ``--repeats`` runs.
* with ``--reference``: the same two figures for the published sorn 0.7.4 on this machine,
  run with the private environment that ``../shared/bench/reference-sorn`` builds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from sorn_studio import Simulator, Trainer

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "reference-sorn"

# Run by the sorn 0.7.4 interpreter; prints {"trainer_call_ms": ..., "simulator_steps_per_s": ..}
_REFERENCE_CODE = r"""
import json, logging, sys, time
import numpy as np
logging.disable(logging.CRITICAL)
import sorn.sorn as ref
ref.tqdm = lambda it, *a, **k: it          # no progress bar in the timing
from sorn import Simulator, Trainer
calls, steps = int(sys.argv[1]), int(sys.argv[2])
np.random.seed(0)
t0 = time.perf_counter()
state, _ = Simulator.run(inputs=np.random.rand(10, steps), phase="plasticity", state=None,
                         noise=True, timesteps=steps,
                         callbacks=["ExcitatoryActivation", "EEConnectionCounts"])
sim_rate = steps / (time.perf_counter() - t0)
out = {"simulator_steps_per_s": round(sim_rate, 1), "simulator_steps": steps}
for phase in ("plasticity", "training"):
    s = state
    t0 = time.perf_counter()
    for _ in range(calls):
        s, _ = Trainer.run(inputs=np.random.rand(10, 1), phase=phase, state=s, noise=True,
                           timesteps=1)
    out[f"trainer_call_ms_{phase}"] = round((time.perf_counter() - t0) / calls * 1e3, 3)
out["trainer_calls"] = calls
print(json.dumps(out))
"""


def trainer_loop_ms(phase: str, calls: int) -> float:
    """Mean milliseconds per ``Trainer.run(timesteps=1)`` over ``calls`` chained calls."""
    np.random.seed(0)
    state, _ = Simulator.run(inputs=np.random.rand(10, 100), timesteps=100)
    inputs = np.random.rand(calls, 10, 1)
    for k in range(20):       # warm caches (kernel, parameters, simulation) outside the timing
        state, _ = Trainer.run(inputs=inputs[k], phase=phase, state=state, timesteps=1)
    t0 = time.perf_counter()
    for k in range(calls):
        state, _ = Trainer.run(inputs=inputs[k], phase=phase, state=state, timesteps=1)
    return (time.perf_counter() - t0) / calls * 1e3


def simulator_rate(steps: int, callbacks: list[str]) -> float:
    """Steps per second of one ``Simulator.run`` of ``steps`` steps."""
    np.random.seed(0)
    inputs = np.random.rand(10, steps)
    Simulator.run(inputs=inputs[:, :10], timesteps=10, callbacks=callbacks)   # warm up
    t0 = time.perf_counter()
    Simulator.run(inputs=inputs, timesteps=steps, callbacks=callbacks)
    return steps / (time.perf_counter() - t0)


def reference(calls: int, steps: int) -> dict:
    """Run sorn 0.7.4 in the environment ``reference-sorn`` builds (built on first use)."""
    venv = Path(os.environ.get("SORN_REFERENCE_VENV", Path(os.environ.get(
        "XDG_CACHE_HOME", Path.home() / ".cache")) / "sorn-reference-0.7.4"))
    python = venv / "bin" / "python"
    if not python.exists():
        # The shared script creates the environment; a tiny run is enough for that.
        subprocess.run([str(REFERENCE), "200", "5"], check=True, capture_output=True)
    # sorn 0.7.4 writes sorn.log into the working folder at import: keep it out of ours.
    with tempfile.TemporaryDirectory() as work:
        done = subprocess.run([str(python), "-c", _REFERENCE_CODE, str(calls), str(steps)],
                              cwd=work, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure and print the JSON report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--reference", action="store_true",
                    help="also measure sorn 0.7.4 (slow: about a minute)")
    ap.add_argument("--reference-calls", type=int, default=30)
    ap.add_argument("--reference-steps", type=int, default=200)
    args = ap.parse_args()

    report: dict = {"ne": 200, "nu": 10, "load_average": os.getloadavg()[0],
                    "cpus": os.cpu_count(), "trainer_calls": args.calls,
                    "simulator_steps": args.steps, "repeats": args.repeats}
    report["trainer_call_ms"] = {
        phase: round(statistics.median(trainer_loop_ms(phase, args.calls)
                                       for _ in range(args.repeats)), 3)
        for phase in ("plasticity", "training")
    }
    report["simulator_steps_per_s"] = {
        label: round(statistics.median(simulator_rate(args.steps, cbs)
                                        for _ in range(args.repeats)), 1)
        for label, cbs in (("no_callbacks", []),
                           ("ExcitatoryActivation+EEConnectionCounts",
                            ["ExcitatoryActivation", "EEConnectionCounts"]))
    }
    if args.reference:
        ref = reference(args.reference_calls, args.reference_steps)
        report["sorn_0_7_4"] = ref
        report["speedup_vs_sorn_0_7_4"] = {
            "trainer_call_plasticity": round(ref["trainer_call_ms_plasticity"]
                                             / report["trainer_call_ms"]["plasticity"], 1),
            "trainer_call_training": round(ref["trainer_call_ms_training"]
                                           / report["trainer_call_ms"]["training"], 1),
            "simulator_steps": round(report["simulator_steps_per_s"][
                "ExcitatoryActivation+EEConnectionCounts"] / ref["simulator_steps_per_s"], 1),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
