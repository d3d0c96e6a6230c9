"""Session benchmark: save and load time of a long, fully recorded session, and its size.

Usage::

    python benchmarks/session_bench.py [--steps 1000000] [--ne 200] [--repeats 3] [--compress]
                                       [--replay] [--keep FILE.npz]

Runs the zheng2013 preset at N^E = ``--ne`` for ``--steps`` steps with full spike recording
(``RecordingSpec(full=True)``), then times :func:`save_session` and :func:`load_session`
(median of ``--repeats``) and prints one JSON object: seconds, file size, and the bytes of
spikes per neuron and step (0.125 is one bit).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sorn_studio import RecordingSpec, Simulation, load_preset
from sorn_studio.session import load_session, read_session, replay_session, save_session


def timed(fn, repeats: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--ne", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--compress", action="store_true", help="deflate the archive members")
    ap.add_argument("--replay", action="store_true", help="also time a full replay")
    ap.add_argument("--keep", metavar="FILE.npz", help="write the session here and keep it")
    args = ap.parse_args()

    params = load_preset("zheng2013", ne=args.ne, ni=args.ne // 5)
    sim = Simulation(params, seed=0, recording=RecordingSpec(full=True))
    t0 = time.perf_counter()
    sim.run(args.steps)
    run_s = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.keep) if args.keep else Path(folder) / "bench.npz"
        save_s, save_runs, _ = timed(lambda: save_session(sim, path, preset="zheng2013",
                                                          compress=args.compress), args.repeats)
        load_s, load_runs, loaded = timed(lambda: load_session(path), args.repeats)
        size = os.path.getsize(path)
        arrays = read_session(path).arrays
        spike_bytes = arrays["rec/x"].nbytes + arrays["rec/y"].nbytes
        neuron_steps = args.steps * (params.ne + params.ni)
        loaded_sim, _ = loaded
        result = {
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "ne": params.ne, "ni": params.ni, "steps": args.steps, "compress": args.compress,
            "run_seconds": round(run_s, 2),
            "save_seconds": round(save_s, 3), "save_runs": [round(t, 3) for t in save_runs],
            "load_seconds": round(load_s, 3), "load_runs": [round(t, 3) for t in load_runs],
            "file_bytes": size,
            "spike_bytes": spike_bytes,
            "spike_bytes_per_neuron_step": round(spike_bytes / neuron_steps, 6),
            "file_bytes_per_step": round(size / args.steps, 2),
            "loaded_state_identical": bool(loaded_sim.state.equals(sim.state)),
        }
        if args.replay:
            t0 = time.perf_counter()
            rep = replay_session(path)
            result["replay_seconds"] = round(time.perf_counter() - t0, 2)
            result["replay_matched"] = rep.matched
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
