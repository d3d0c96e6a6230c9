"""Checkpoints for time travel: a checkpoint restores the run and what the studio shows of
it exactly; the store keeps them within its memory cap, thinned evenly over the run."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import load_preset
from sorn_studio.studio.checkpoints import Checkpoint, CheckpointStore, Gathered
from sorn_studio.studio.defaults import make_simulation
from sorn_studio.studio.history import History

SMALL = dict(ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
WINDOW = 2000


def _sim():
    return make_simulation(load_preset("zheng2013", **SMALL), seed=2, window=WINDOW)


def _history(sim) -> History:
    history = History(64, len(sim.recorder.spec.neurons))
    history.take(sim, min(sim.t, WINDOW))
    return history


def test_a_checkpoint_restores_the_run_its_recordings_and_its_history():
    sim, straight = _sim(), _sim()
    sim.run(3000)
    checkpoint = Checkpoint.take(sim, Gathered(_history(sim)), WINDOW)
    series = {k: v.copy() for k, v in sim.recorder.series().items()}
    points = _history(sim).points()
    sim.apply_params(stdp=False)
    sim.run(1500)
    history = checkpoint.restore(sim).history
    assert sim.t == 3000 and sim.change_log == []
    restored = sim.recorder.series()
    assert all(np.array_equal(restored[k], series[k][-WINDOW:]) for k in series)
    assert all(np.array_equal(history.points()[k], points[k]) for k in points)
    sim.run(1000)
    straight.run(4000)
    assert sim.state.equals(straight.state) and sim.rng_state == straight.rng_state
    # The checkpoint is not changed by what the run did after it was restored.
    assert checkpoint.step == 3000 and checkpoint.restore(sim).history is not history


def test_pinned_checkpoints_go_last_and_a_permanent_one_never():
    sim = _sim()
    sim.run(WINDOW)
    one = Checkpoint.take(sim, Gathered(_history(sim)), WINDOW).nbytes
    store = CheckpointStore(3 * one + one // 2)
    first = Checkpoint.take(sim, Gathered(_history(sim)), WINDOW)
    store.add(first, permanent=True)
    sim.run(100)
    pinned = Checkpoint.take(sim, Gathered(_history(sim)), WINDOW)
    store.add(pinned, pinned=True)
    for _ in range(6):
        sim.run(100)
        store.add(Checkpoint.take(sim, Gathered(_history(sim)), WINDOW))
    kept = store.where(lambda c: True)
    assert first in kept and pinned in kept and len(kept) == 3
    assert store.nbytes == sum(c.nbytes for c in kept) <= store.max_bytes
    store.discard(lambda c: c is not pinned)
    assert pinned not in store.where(lambda c: True) and len(store) == 2


def test_the_store_thins_evenly_and_keeps_the_first_and_the_newest():
    sim = _sim()
    sim.run(WINDOW)                                 # checkpoints of equal size from here
    history = History(64, 3)
    one = Checkpoint.take(sim, Gathered(history), WINDOW).nbytes
    store = CheckpointStore(5 * one + one // 2)
    store.add(Checkpoint.take(sim, Gathered(history), WINDOW), permanent=True)
    for _ in range(20):
        sim.run(100)
        store.add(Checkpoint.take(sim, Gathered(history), WINDOW))
    steps = [c.step for c in store.where(lambda c: True)]
    assert len(steps) == 5 and steps[0] == WINDOW and steps[-1] == WINDOW + 2000
    gaps = [b - a for a, b in zip(steps, steps[1:], strict=False)]
    assert max(gaps) <= 2 * min(gaps) + 100        # spread over the run, not only its end
    with pytest.raises(ValueError, match="argument 'max_bytes'"):
        CheckpointStore(0)
