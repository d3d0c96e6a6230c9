"""Running a loaded engine simulation and collecting sorn 0.7.4's outputs.

:func:`_simulate` steps the simulation and builds the ``state_dict`` and the ``sim_dict`` of
the requested callbacks; it is the one place that knows how each callback is read from the
engine. Callbacks that keep a matrix per step are refused up front when they cannot fit in
memory.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np

from ..memory import available_bytes
from ..recording import RecordingSpec
from .convert import _to_legacy

if TYPE_CHECKING:
    from ..engine import Simulation

# Callbacks served from the engine's recorder (cheap per-step rows, no weight matrices).
_RECORDED = {"ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation",
             "EEConnectionCounts", "EIConnectionCounts", "TE"}


def _check_memory(shapes: dict[str, tuple[int, ...]]) -> None:
    """Refuse per-step matrix callbacks that cannot fit, before simulating anything.

    ``np.empty`` of a too-large array may succeed on Linux (memory is committed lazily) and
    the process is then killed half-way through the run; a clear error up front is kinder.
    """
    need = sum(8 * math.prod(shape) for shape in shapes.values())
    available = available_bytes() if need > 2**28 else None
    if available is not None and need > available:
        names = ", ".join(map(repr, shapes))
        steps = next(iter(shapes.values()))[0]
        raise MemoryError(f"callbacks {names} keep one matrix per step: {steps} steps need "
                          f"{need / 1e9:.1f} GB but about {available / 1e9:.1f} GB is "
                          "available; run fewer steps per call or leave them out")


@functools.lru_cache(maxsize=16)
def _recording_spec(window: int, drive: bool, t_e_full: bool) -> RecordingSpec:
    return RecordingSpec(window=window, drive=drive, t_e_full=t_e_full)


def _simulate(sim: Simulation, raw: np.ndarray, steps: int, wanted: list[str]
              ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run ``steps`` steps of ``sim`` on ``raw`` input; collect sorn 0.7.4's outputs."""
    ne, ni = sim.params.ne, sim.params.ni
    recorded = _RECORDED.intersection(wanted)
    # Keep the last two steps (for X[:, 0]) unless callbacks need every step.
    spec = _recording_spec(steps if recorded else 2, "RecurrentActivation" in wanted,
                           "TE" in wanted)
    if sim.recording != spec:
        sim.set_recording(spec)
    sim.feed_input(raw)

    x0, y0 = sim.state.x.copy(), sim.state.y.copy()
    n_ee0 = sim.n_ee if "EEConnectionCounts" in wanted else 0
    n_ei0 = sim.n_ei if "EIConnectionCounts" in wanted else 0
    shapes = {name: (steps, *shape) for name, shape in (("WEE", (ne, ne)), ("WEI", (ni, ne)))
              if name in wanted}
    _check_memory(shapes)
    per_step = {name: np.empty(shape) for name, shape in shapes.items()}
    if per_step:
        for t in range(steps):
            sim.step(1)
            if "WEE" in per_step:
                per_step["WEE"][t] = sim.state.w_ee.T
            if "WEI" in per_step:
                per_step["WEI"][t] = sim.state.w_ei.T
    else:
        sim.step(steps)

    rec = sim.recorder
    if steps >= 2:
        x_prev, y_prev = rec.spikes_e(last=2)[0], rec.spikes_i(last=2)[0]
    else:
        x_prev, y_prev = x0, y0
    state_dict = _to_legacy(sim, x_prev, y_prev)
    sim_dict: dict[str, np.ndarray] = {}
    for name in wanted:
        if name == "ExcitatoryActivation":
            value = rec.spikes_e(last=steps).astype(float)
        elif name == "InhibitoryActivation":
            value = rec.spikes_i(last=steps).astype(float)
        elif name == "RecurrentActivation":
            value = rec.drive_e(last=steps).astype(float)[:, :, None]
        elif name == "EEConnectionCounts":
            # sorn 0.7.4 counts the synapses a step starts with (before its plasticity).
            value = np.concatenate([[n_ee0], rec.n_ee(last=steps)[:-1]]).astype(np.int64)
        elif name == "EIConnectionCounts":
            value = np.concatenate([[n_ei0], rec.n_ei(last=steps)[:-1]]).astype(np.int64)
        elif name == "TE":
            value = rec.t_e(last=steps)[:, :, None]
        elif name == "TI":
            # T^I and W^IE never change: one read-only array viewed at every step, so memory
            # does not grow with the number of steps.
            value = np.broadcast_to(state_dict["Ti"].copy(), (steps, ni, 1))
        elif name == "WIE":
            value = np.broadcast_to(state_dict["Wie"].copy(), (steps, ne, ni))
        else:
            value = per_step[name]
        sim_dict[name] = value
    return state_dict, sim_dict
