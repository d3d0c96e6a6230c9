"""Checkpoints for time travel: taken every k steps, bounded in memory, and a run continued
from one equals the uninterrupted run bit for bit."""

from __future__ import annotations

import pytest

from sorn_studio import Simulation, load_preset
from sorn_studio.studio.checkpoints import CheckpointRing

SMALL = dict(ne=40, ni=8, lambda_ee=5, lambda_ei=2, lambda_ie=40)


def _sim() -> Simulation:
    return Simulation(load_preset("zheng2013", **SMALL), 9)


def test_checkpoints_come_every_k_steps_and_the_oldest_go_when_memory_is_full():
    sim = _sim()
    one = sim.snapshot().nbytes
    assert one > 0
    ring = CheckpointRing(every=1000, max_bytes=3 * one)
    taken = []
    for _ in range(12):
        sim.run(500)
        taken.append(ring.offer(sim))
    assert taken == [True, True] + [False, True] * 5
    kept = ring.steps
    assert kept[-1] == 6000 and kept[0] > 500 and kept == sorted(kept)
    assert ring.nbytes == sum(ring.at_or_before(s).nbytes for s in kept) <= ring.max_bytes
    assert len(kept) < 7                     # not all seven checkpoints fit: the oldest went
    assert ring.at_or_before(5999).step == 5000 and ring.at_or_before(3999) is None


def test_a_run_continued_from_a_checkpoint_equals_the_uninterrupted_one():
    sim, straight = _sim(), _sim()
    ring = CheckpointRing(every=500, max_bytes=10**9)
    for _ in range(6):
        sim.run(500)
        ring.offer(sim)
    sim.apply_params(stdp=False)
    sim.run(700)
    # Back to step 2 000, then on with other changes: a branch.
    sim.restore(ring.at_or_before(2000))
    ring.drop_after(2000)
    assert sim.t == 2000 and ring.steps == [500, 1000, 1500, 2000]
    sim.apply_params(eta_ip=0.02)
    sim.run(1500)
    straight.run(2000)
    straight.apply_params(eta_ip=0.02)
    straight.run(1500)
    assert sim.state.equals(straight.state) and sim.rng_state == straight.rng_state
    assert sim.change_log == straight.change_log


def test_bad_arguments_and_out_of_order_checkpoints_are_refused():
    for kwargs, name in (({"every": 0, "max_bytes": 1}, "every"),
                         ({"every": 1, "max_bytes": 0}, "max_bytes"),
                         ({"every": 1.5, "max_bytes": 1}, "every")):
        with pytest.raises(ValueError, match=f"argument '{name}'"):
            CheckpointRing(**kwargs)
    sim = _sim()
    ring = CheckpointRing(every=1, max_bytes=10**9)
    sim.run(10)
    early = sim.snapshot()
    sim.run(10)
    ring.offer(sim)
    with pytest.raises(ValueError, match="comes after the one at step 20"):
        ring.add(early)
    ring.clear()
    assert len(ring) == 0 and ring.nbytes == 0
