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

    Column ``j`` of the input is the same whatever pieces it is asked for in: the columns come
    in blocks of :attr:`BLOCK`, each drawn by its own generator, seeded by ``(seed, block)``.
    So a run that goes back to a checkpoint and on again gets the same input, and so does a
    run cut into other chunks.

    Parameters
    ----------
    seed : int
        Seed of this input's own generators (the network's generator is not touched).
    """

    #: Columns drawn by one generator.
    BLOCK = 1024

    def __init__(self, seed: int = 0) -> None:
        self.seed = int(seed)
        self._block: tuple[int, int, np.ndarray] | None = None

    def _drawn(self, nu: int, block: int) -> np.ndarray:
        if self._block is None or self._block[:2] != (nu, block):
            rng = np.random.default_rng([self.seed, block])
            self._block = (nu, block, rng.random((nu, self.BLOCK)))
        return self._block[2]

    def __call__(self, nu: int, first: int, steps: int) -> np.ndarray:
        """Columns ``first`` to ``first + steps - 1`` of the input, ``(nu, steps)``."""
        size = self.BLOCK
        blocks = range(first // size, (first + steps - 1) // size + 1) if steps > 0 else ()
        columns = np.concatenate([self._drawn(nu, k) for k in blocks], axis=1) if blocks \
            else np.zeros((nu, 0))
        start = first - (first // size) * size
        return columns[:, start:start + steps].copy()
