"""The random generators a run draws its per-step numbers from, and their saved form.

Two layouts exist (:data:`DRAW_LAYOUTS`):

1. *One stream* (sessions written before lockstep comparison): after the network is drawn,
   the simulation's single generator fills each step's whole row of draws
   (:class:`~.draws.DrawLayout`). The row's width depends on the parameters, so switching
   structural plasticity off changed which numbers became noise.
2. *A stream per purpose* (the default): three child generators of one
   ``numpy.random.SeedSequence(seed)`` fill the row's input, structural-plasticity and noise
   columns. Two networks with the same seed then see exactly the same input sequence and the
   same noise whatever their mechanisms and learning rates: common random numbers, which
   lockstep comparison needs.

The kernel sees the same row either way; only who fills which columns differs. The state is
saved as JSON: a layout-1 state is the one generator's ``bit_generator.state`` (what old files
hold, unchanged), a layout-2 state is ``{"draw_layout": 2, "streams": {name: state}}``, so a
session file says which layout it continues with.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from .draws import DrawLayout
from .snapshot import SnapshotError

__all__ = ["DRAW_LAYOUT", "DRAW_LAYOUTS", "STREAMS", "RandomStreams"]

#: Layout of new runs.
DRAW_LAYOUT = 2
#: Layouts a run can continue with.
DRAW_LAYOUTS = (1, 2)
#: The streams of layout 2, in the order they are spawned from the seed's SeedSequence.
STREAMS = ("input", "sp", "noise")


def _generator(state: Any, part: str) -> np.random.Generator:
    rng = np.random.default_rng()
    try:
        rng.bit_generator.state = dict(state)
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise SnapshotError(part, f"is not a valid generator state: {exc}") from None
    return rng


class RandomStreams:
    """The generators of a run's per-step draws (see the module docstring).

    Parameters
    ----------
    layout : {1, 2}
        The draw layout.
    generators : mapping of str to numpy.random.Generator
        ``{"main": g}`` for layout 1, one generator per name of :data:`STREAMS` for layout 2.
    """

    def __init__(self, layout: int, generators: Mapping[str, np.random.Generator]) -> None:
        self.layout = layout
        self._gens = dict(generators)
        # Reused between chunks: a fresh array of this size each chunk costs its page faults.
        # They were most of what filling the columns stream by stream added, and in a Dask
        # worker, whose MALLOC_TRIM_THRESHOLD_ makes glibc map and unmap every large array,
        # they made a network several per cent slower (benchmarks/worker_overhead.py). The
        # price: a network keeps its last block (at most 8 MB, simulation.MAX_DRAW_BYTES).
        self._scratch: dict[str, np.ndarray] = {}

    @classmethod
    def fresh(cls, seed: int, main: np.random.Generator, layout: int = DRAW_LAYOUT
              ) -> RandomStreams:
        """The streams of a new run of ``seed``.

        Parameters
        ----------
        seed : int
            The run's seed.
        main : numpy.random.Generator
            The run's generator, after the network was drawn with it; layout 1 goes on
            drawing from it.
        layout : {1, 2}
            The draw layout.

        Raises
        ------
        ValueError
            For a layout not in :data:`DRAW_LAYOUTS`.
        """
        if layout not in DRAW_LAYOUTS:
            raise ValueError(f"argument 'draw_layout' = {layout!r} is not allowed; use one of "
                             f"{', '.join(map(str, DRAW_LAYOUTS))}")
        if layout == 1:
            return cls(1, {"main": main})
        children = np.random.SeedSequence(seed).spawn(len(STREAMS))
        return cls(2, {name: np.random.default_rng(child)
                       for name, child in zip(STREAMS, children, strict=True)})

    @classmethod
    def from_state(cls, state: Any, part: str) -> RandomStreams:
        """The streams a saved :meth:`state` describes.

        Raises
        ------
        SnapshotError
            Naming ``part`` (e.g. ``"rng/current"``) when the state is not one of a layout.
        """
        if isinstance(state, Mapping) and "draw_layout" in state:
            layout = state.get("draw_layout")
            streams = state.get("streams")
            if layout != 2 or not isinstance(streams, Mapping) or set(streams) != set(STREAMS):
                raise SnapshotError(part, f"is not a valid generator state: draw_layout must be "
                                          f"2 with the streams {', '.join(STREAMS)}")
            return cls(2, {name: _generator(streams[name], f"{part} stream {name!r}")
                           for name in STREAMS})
        return cls(1, {"main": _generator(state, part)})

    def state(self) -> dict[str, Any]:
        """The streams' state as JSON values (a copy), for a snapshot or a file."""
        if self.layout == 1:
            return copy.deepcopy(self._gens["main"].bit_generator.state)
        return {"draw_layout": 2, "streams": {name: copy.deepcopy(self._gens[name]
                                                                  .bit_generator.state)
                                              for name in STREAMS}}

    def block(self, n: int, layout: DrawLayout) -> np.ndarray:
        """The standard-normal draws of ``n`` steps, shape ``(n, layout.width)``.

        Each stream fills its columns in C order, so ``n`` steps at once get exactly the
        numbers of ``n`` single steps. The array is reused: the next call overwrites it.
        """
        draws = self._reused("draws", (n, layout.width))
        if self.layout == 1:
            return self._gens["main"].standard_normal(out=draws)
        for name, offset, width in (("input", layout.input_off, 1),
                                    ("sp", layout.sp_off, layout.n_sp),
                                    ("noise", layout.noise_off, layout.n_noise)):
            if offset >= 0 and width:
                part = self._reused(name, (n, width))
                self._gens[name].standard_normal(out=part)
                draws[:, offset:offset + width] = part
        return draws

    def _reused(self, name: str, shape: tuple[int, int]) -> np.ndarray:
        """The scratch array ``name`` of ``shape``, made anew only when the shape changes."""
        array = self._scratch.get(name)
        if array is None or array.shape != shape:
            array = self._scratch[name] = np.empty(shape)
        return array
