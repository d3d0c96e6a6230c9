"""Per-rule attribution over a studio run: what each rule did to W^EE, T^E and W^EI, step by
step, as the stacked traces of the Attribution view draw it.

The runner takes the engine's :class:`~sorn_studio.engine.attribution.Attribution` after
every chunk while the user measures it, and :class:`AttributionTraces` keeps, per part, the
signed sum of its changes over all synapses (or neurons) per bin of steps. Signed sums add up
over windows, so the traces do not depend on how the run was cut into chunks, and merging two
bins is exact; the resolution halves when the buffer fills, like the whole-run history, so
memory stays bounded however long the run is. Qt-free.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ..engine.attribution import EE_NAMES, EI_NAMES, PART_NAMES, TE_NAMES, Attribution
from ..readonly import read_only

__all__ = ["AttributionTraces", "AttributionPoints", "PART_LABELS", "GROUPS"]

#: How the view names each part.
PART_LABELS: dict[str, str] = {
    "ee_stdp_ltp": "STDP potentiation", "ee_stdp_ltd": "STDP depression",
    "ee_cap": "cap at w_max", "ee_prune": "pruning", "ee_growth": "structural growth",
    "ee_sn": "normalisation", "te_ip": "intrinsic plasticity", "te_clip": "T^E clip",
    "ei_istdp": "iSTDP", "ei_clamp": "iSTDP floor and cap", "ei_sn": "normalisation",
}
#: The three groups the view stacks, each with the quantity its parts change.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("W^EE", EE_NAMES), ("T^E", TE_NAMES), ("W^EI", EI_NAMES))


@dataclass(frozen=True)
class AttributionPoints:
    """What a frame carries of the traces.

    Attributes
    ----------
    step : numpy.ndarray
        Last step of each point, int64 (n,).
    rates : dict of str to numpy.ndarray
        Per part (:data:`~sorn_studio.engine.attribution.PART_NAMES`), the signed sum of its
        changes over all synapses or neurons per step, averaged over the point's steps
        (float64 (n,)).
    """

    step: np.ndarray
    rates: dict[str, np.ndarray]


class AttributionTraces:
    """Signed per-part sums over bins of steps, at most ``capacity`` bins.

    Parameters
    ----------
    capacity : int
        Points kept (even, >= 2); when full, neighbouring points merge pairwise.
    steps_per_bin : int
        Steps per point to start with.
    """

    def __init__(self, capacity: int = 512, steps_per_bin: int = 100) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError(f"capacity = {capacity} must be an even number >= 2")
        self.capacity = int(capacity)
        self.bin = int(steps_per_bin)
        self._sums = np.zeros((capacity, len(PART_NAMES)))
        self._ends = np.zeros(capacity, dtype=np.int64)
        self._steps = np.zeros(capacity, dtype=np.int64)
        self.n = 0
        self._points: AttributionPoints | None = None

    def copy(self) -> AttributionTraces:
        """An independent copy (a checkpoint keeps one)."""
        return copy.deepcopy(self)

    def add(self, attribution: Attribution) -> None:
        """Add one window (it must follow the previous one); empty windows change nothing."""
        steps = attribution.steps
        if steps <= 0:
            return
        totals = attribution.signed_totals()
        sums = np.array([totals[name] for name in PART_NAMES])
        last = self.n - 1
        if self.n and self._steps[last] < self.bin:
            self._sums[last] += sums
            self._steps[last] += steps
            self._ends[last] = attribution.end_step
        else:
            if self.n == self.capacity:
                self._halve()
            self._sums[self.n] = sums
            self._steps[self.n] = steps
            self._ends[self.n] = attribution.end_step
            self.n += 1
        self._points = None

    def _halve(self) -> None:
        half = self.n // 2
        self._sums[:half] = self._sums[:2 * half].reshape(half, 2, -1).sum(axis=1)
        self._steps[:half] = self._steps[:2 * half].reshape(half, 2).sum(axis=1)
        self._ends[:half] = self._ends[1:2 * half:2]
        self.n = half
        self.bin *= 2

    def totals(self) -> dict[str, float]:
        """Each part's signed sum over everything added."""
        sums = self._sums[:self.n].sum(axis=0)
        return {name: float(v) for name, v in zip(PART_NAMES, sums, strict=True)}

    def points(self) -> AttributionPoints:
        """The traces as rates per step (cached until the next :meth:`add`)."""
        if self._points is None:
            steps = np.maximum(self._steps[:self.n], 1)[:, None]
            rates = self._sums[:self.n] / steps
            self._points = AttributionPoints(
                read_only(self._ends[:self.n].copy()),
                {name: read_only(rates[:, k].copy()) for k, name in enumerate(PART_NAMES)})
        return self._points
