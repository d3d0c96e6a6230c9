"""How the studio builds and feeds its simulations: recording window, tracked neurons, input."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..params import Params

if TYPE_CHECKING:  # the engine (numba) is imported only when a simulation is built
    from ..engine import Simulation
    from ..recording import RecordingSpec

__all__ = [
    "DEFAULT_WINDOW",
    "DEFAULT_RASTER_STEPS",
    "make_simulation",
    "studio_recording",
    "tracked_neurons",
    "UniformRawInput",
]

#: Steps the studio's recorder keeps (the raster can show at most this many).
DEFAULT_WINDOW = 10_000
#: Steps shown by the scrolling raster.
DEFAULT_RASTER_STEPS = 3_000


def tracked_neurons(ne: int) -> tuple[int, ...]:
    """The excitatory neurons whose thresholds the studio plots: first, middle and last."""
    return tuple(sorted({0, ne // 2, ne - 1}))


def make_simulation(params: Params, seed: int = 0, window: int = DEFAULT_WINDOW) -> Simulation:
    """Build a :class:`~sorn_studio.engine.Simulation` recorded the way the studio needs.

    Parameters
    ----------
    params : Params
        Network parameters.
    seed : int
        Seed of the network's random generator.
    window : int
        Steps kept by the recorder's ring buffer (bounded memory; no weight snapshots).

    Returns
    -------
    Simulation
        A fresh simulation at step 0.
    """
    from ..engine import Simulation

    return Simulation(params, seed=seed, recording=studio_recording(params.ne, window))


def studio_recording(ne: int, window: int = DEFAULT_WINDOW) -> RecordingSpec:
    """What the studio records of a network of ``ne`` excitatory units: a ``window``-step
    ring buffer (bounded memory, no weight snapshots) tracing :func:`tracked_neurons`."""
    from ..recording import RecordingSpec

    return RecordingSpec(window=window, full=False, weights_every=0,
                         neurons=tracked_neurons(ne))


class UniformRawInput:
    """Raw input drawn uniformly from [0, 1), as the sorn 0.7.4 examples feed it.

    A simulation with ``input_kind == "raw"`` stops when its input array runs out; the studio
    hands it one of these (see ``Runner(raw_source=...)``) so it can run without end.

    Parameters
    ----------
    seed : int
        Seed of this input's own generator (the network's generator is not touched).
    """

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def __call__(self, nu: int, steps: int) -> np.ndarray:
        """Return ``(nu, steps)`` input columns."""
        return self.rng.random((nu, steps))
