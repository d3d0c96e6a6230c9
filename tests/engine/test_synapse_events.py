"""E->E synapse creation and pruning events reported by the engine, exact to the step."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import load_preset
from sorn_studio.engine import Simulation


def _replay(mask: np.ndarray, events: np.ndarray) -> np.ndarray:
    """Apply events to a mask in order, checking each one is possible."""
    mask = mask.copy()
    for _step, i, j, kind in events:
        assert i != j
        if kind == 1:
            assert not mask[i, j], "created a synapse that exists"
            mask[i, j] = True
        else:
            assert kind == -1 and mask[i, j], "pruned a synapse that does not exist"
            mask[i, j] = False
    return mask


@pytest.mark.parametrize("preset", ["zheng2013", "delpapa2017"])
def test_events_rebuild_the_connection_mask_at_every_chunk(preset):
    sim = Simulation(load_preset(preset), seed=2)
    sim.track_synapse_events()
    mask = sim.w_ee > 0
    total = {1: 0, -1: 0}
    last_step = 0
    for n in (1, 37, 500, 2000, 1):
        before_t = sim.t
        sim.run(n)
        events = sim.take_synapse_events()
        assert events.dtype == np.int64 and events.shape[1] == 4
        if events.size:
            assert events[0, 0] >= max(before_t + 1, last_step)
            assert events[-1, 0] <= sim.t
            assert np.all(np.diff(events[:, 0]) >= 0)  # in the order they happened
            last_step = int(events[-1, 0])
        mask = _replay(mask, events)
        assert np.array_equal(mask, sim.w_ee > 0)
        for kind in (1, -1):
            total[kind] += int((events[:, 3] == kind).sum()) if events.size else 0
    assert total[1] > 0 and total[-1] > 0
    assert sim.take_synapse_events().shape == (0, 4)  # taken means forgotten


def test_compiled_events_equal_the_reference_backend():
    params = load_preset("zheng2013", ne=40, ni=8, lambda_ee=4, lambda_ei=4, lambda_ie=40,
                         p_sp=1.0, sp_scaling=False)
    got = []
    for backend in ("numba", "numpy"):
        sim = Simulation(params, seed=5, backend=backend)
        sim.track_synapse_events()
        sim.run(400)
        got.append({tuple(row) for row in sim.take_synapse_events().tolist()})
    assert got[0] and got[0] == got[1]


def test_nothing_is_kept_unless_asked_and_reset_forgets():
    sim = Simulation(load_preset("zheng2013"), seed=0)
    sim.run(500)
    assert sim.take_synapse_events().shape == (0, 4)
    sim.track_synapse_events()
    sim.run(500)
    sim.reset()
    assert sim.take_synapse_events().shape == (0, 4)
    sim.run(200)
    assert sim.take_synapse_events().shape[0] > 0
    sim.track_synapse_events(False)
    sim.run(200)
    assert sim.take_synapse_events().shape == (0, 4)
