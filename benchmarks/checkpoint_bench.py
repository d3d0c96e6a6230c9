"""Time travel at N^E = 200 (zheng2013): what restoring a checkpoint and keeping them costs.

Usage::

    python benchmarks/checkpoint_bench.py [--repeats 30] [--rounds 3]

Prints one JSON object:

- ``restore_ms_*``: the engine alone restoring a snapshot (``Simulation.restore``);
- ``studio_go_to_ms_*``: the studio's runner going back to a checkpoint, from the command to
  the frame that shows it (the snapshot, the recorder's window and the whole-run history
  restored, the live analyses fed again, the frame built), which the issue wants under 100 ms;
- ``studio_switch_ms_*``: going back to a branch's kept tip the same way;
- ``checkpoint_take_ms_median`` and ``checkpoint_mb``: taking one checkpoint and its size;
- ``rate_ratio_checkpoints_on_off``: steps/s of the runner taking a checkpoint every
  10 000 steps over one that takes none (one every 10^9 steps), alternated ``--rounds`` times
  in this process, median of the rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sorn_studio import Simulation, load_preset
from sorn_studio.studio.branches import DEFAULT_EVERY
from sorn_studio.studio.checkpoints import Checkpoint, Gathered
from sorn_studio.studio.defaults import make_simulation
from sorn_studio.studio.runner import Runner


def _engine_restore(repeats: int) -> dict[str, float]:
    sim = Simulation(load_preset("zheng2013"), 0)
    sim.run(20_000)
    snap = sim.snapshot()
    times = []
    for _ in range(repeats):
        sim.run(200)
        t0 = time.perf_counter()
        sim.restore(snap)
        times.append(time.perf_counter() - t0)
    return {"restore_ms_median": round(1000 * statistics.median(times), 3),
            "restore_ms_max": round(1000 * max(times), 3),
            "snapshot_mb": round(snap.nbytes / 2**20, 3)}


class _Ticked:
    """A studio runner driven from this thread; counts the frames it publishes."""

    def __init__(self, every: int) -> None:
        self.frames = 0
        self.runner = Runner(make_simulation(load_preset("zheng2013"), 0), self._frame,
                             max_fps=1000, checkpoint_every=every)

    def _frame(self, _frame) -> None:
        self.frames += 1

    def settle(self) -> None:
        while True:
            self.runner.tick()
            if self.runner.wait_idle(0):
                return

    def timed(self, send) -> float:
        """Seconds from sending a command to the frame it produces."""
        time.sleep(0.002)                 # the frame-rate limit must not hold the frame back
        before = self.frames
        t0 = time.perf_counter()
        send()
        while self.frames == before:
            self.runner.tick()
        took = time.perf_counter() - t0
        self.settle()
        return took


def _studio_go_to(repeats: int) -> dict[str, float]:
    ticked = _Ticked(DEFAULT_EVERY)
    runner = ticked.runner
    runner.step(6 * DEFAULT_EVERY, full_speed=True)
    ticked.settle()
    targets = [k * DEFAULT_EVERY for k in (5, 2, 4, 1, 3)]
    go_to, switch = [], []
    for k in range(repeats):
        target = targets[k % len(targets)]
        go_to.append(ticked.timed(lambda s=target: runner.go_to(s)))
        switch.append(ticked.timed(lambda: runner.switch_branch(0)))
    sim = runner.call(lambda s: s)
    ticked.settle()
    sim = sim.result(0)
    take = []
    history = runner._epoch.history
    for _ in range(repeats):
        t0 = time.perf_counter()
        checkpoint = Checkpoint.take(sim, Gathered(history), DEFAULT_EVERY)
        take.append(time.perf_counter() - t0)
    return {"studio_go_to_ms_median": round(1000 * statistics.median(go_to), 2),
            "studio_go_to_ms_max": round(1000 * max(go_to), 2),
            "studio_switch_ms_median": round(1000 * statistics.median(switch), 2),
            "studio_switch_ms_max": round(1000 * max(switch), 2),
            "checkpoint_take_ms_median": round(1000 * statistics.median(take), 2),
            "checkpoint_mb": round(checkpoint.nbytes / 2**20, 3)}


def _rate(every: int, steps: int) -> float:
    ticked = _Ticked(every)
    ticked.runner.step(2_000, full_speed=True)      # compiled and warm
    ticked.settle()
    t0 = time.perf_counter()
    ticked.runner.step(steps, full_speed=True)
    ticked.settle()
    return steps / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=200_000)
    args = parser.parse_args()
    out: dict[str, float | list[float]] = {**_engine_restore(args.repeats),
                                           **_studio_go_to(args.repeats)}
    ratios = []
    for _ in range(args.rounds):
        on = _rate(DEFAULT_EVERY, args.steps)
        off = _rate(10**9, args.steps)
        ratios.append(on / off)
    out["rate_ratio_checkpoints_on_off"] = round(statistics.median(ratios), 3)
    out["rate_ratios"] = [round(r, 3) for r in ratios]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
