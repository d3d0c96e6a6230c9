"""Every compiled kernel runs with numba's bounds checking on, over every preset and input."""

from __future__ import annotations

import os
import subprocess
import sys

# Every preset, with each symbol input kind and both pool layouts, small enough to compile
# and run quickly; tracking synapse events and attribution (every other run, so that the
# kernel without it is checked too) and recording everything exercises every branch.
_CODE = r"""
import numpy as np
from sorn_studio import RecordingSpec, Simulation, list_presets, load_preset
from sorn_studio.analysis import SynapseEventTracker, detect_avalanches
small = dict(ne=24, ni=5, lambda_ee=4, lambda_ei=2, lambda_ie=24)
runs = 0
for name in list_presets():
    for kind in ("none", "random", "counting", "words", "raw"):
        for pools in ("disjoint", "overlapping"):
            try:
                p = load_preset(name, **small, input_kind=kind, pools=pools, n_u=3, nu=3)
            except ValueError:
                continue
            raw = np.random.default_rng(0).random((p.nu, 400)) if kind == "raw" else None
            spec = RecordingSpec(window=300, weights_every=50, neurons=(0, 23), drive=True,
                                 t_e_full=True)
            sim = Simulation(p, 1, recording=spec, raw_input=raw)
            sim.track_synapse_events(True)
            sim.track_attribution(runs % 2 == 0)
            tracker = SynapseEventTracker(sim.w_ee > 0, 0)
            sim.run(400)
            tracker.apply(sim.take_synapse_events())
            detect_avalanches(sim.recorder.active_e())
            if sim.tracks_attribution:
                sim.take_attribution()
            runs += 1
from numba import njit


@njit
def outside(a, i):
    return a[i]


try:
    outside(np.zeros(3), 5)
    checked = False
except IndexError:
    checked = True
print(checked, runs)
"""


def test_the_kernels_stay_in_bounds(tmp_path):
    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", _CODE], env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    checked, runs = out.stdout.split()[-2:]
    assert checked == "True", "bounds checking was not on"
    assert int(runs) >= 20
