"""The recorder's ring buffers: memory follows what is recorded, the newest rows are kept."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np

from sorn_studio.engine import Simulation
from sorn_studio.presets import load_preset
from sorn_studio.recording import RecordingSpec
from sorn_studio.session import load_session, save_session

PARAMS = dict(ne=30, ni=6, lambda_ee=5, lambda_ei=2, lambda_ie=30)


def test_a_ring_keeps_the_newest_rows_through_growth_and_wrap_around():
    params = load_preset("zheng2013", **PARAMS)
    full = Simulation(params, 1, recording=RecordingSpec(full=True, neurons=(3,)))
    ring = Simulation(params, 1, recording=RecordingSpec(window=2500, neurons=(3,)))
    for chunk in (10, 1500, 3, 2000, 777, 4000, 1):
        full.run(chunk)
        ring.run(chunk)
        kept = min(full.t, 2500)
        for name, rows in ring.recorder.series().items():
            assert np.array_equal(rows, full.recorder.series()[name][-kept:]), (chunk, name)
        assert np.array_equal(ring.recorder.spikes_e(last=100), full.recorder.spikes_e(last=100))


def test_a_huge_window_allocates_only_what_is_recorded():
    params = load_preset("zheng2013", **PARAMS)
    tracemalloc.start()
    try:
        sim = Simulation(params, 1, recording=RecordingSpec(window=10**12))
        sim.run(3000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB for 3 000 steps"
    assert len(sim.recorder.steps()) == 3000


def test_a_session_with_a_huge_window_loads_without_flooding_memory(tmp_path):
    params = load_preset("zheng2013", **PARAMS)
    sim = Simulation(params, 1, recording=RecordingSpec(window=500))
    sim.run(800)
    path = save_session(sim, tmp_path / "s.npz")
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    recording = json.loads(str(arrays["recording"]))
    recording["window"] = 10**12
    arrays["recording"] = np.array(json.dumps(recording))
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    tracemalloc.start()
    try:
        loaded, info = load_session(path)
        loaded.run(100)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.recording.window == 10**12 and peak < 64 * 2**20
    assert len(loaded.recorder.steps()) == 600
