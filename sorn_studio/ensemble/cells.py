"""The cells of a sweep: one network each, identified by what it is, not where it is."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..lessons.observables import OBSERVABLES
from ..params import Params
from ..presets import get_preset

__all__ = ["Cell", "DEFAULT_METRICS", "grid"]

#: What a cell measures unless told otherwise: the network's state at its last step.
DEFAULT_METRICS = ("connection_fraction", "rate_e", "rate_e_spread", "t_e_mean",
                   "w_ee_lognormal_daic")
#: Measures a finished network has without the studio's live analyses.
_NEEDS_ANALYSIS = {"isi_cv", "readout_accuracy", "readout_accuracy_cf", "avalanche_size_max",
                   "avalanche_count", "avalanche_size_median", "steps_in_step"}


@dataclass(frozen=True)
class Cell:
    """One network of a sweep.

    Attributes
    ----------
    preset : str
        The preset it starts from.
    changes : Mapping[str, Any]
        Parameter changes to the preset (any field, structural ones too).
    seed : int
    steps : int
    metrics : tuple of str
        Observables measured at the end (:data:`~sorn_studio.lessons.observables.OBSERVABLES`).
    keep_session : bool
        Save the finished network as a session file in the output folder.
    """

    preset: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    steps: int = 10_000
    metrics: tuple[str, ...] = DEFAULT_METRICS
    keep_session: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", dict(sorted(dict(self.changes).items())))
        object.__setattr__(self, "metrics", tuple(self.metrics))
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {self.seed!r}")
        if not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"steps must be a whole number >= 1, got {self.steps!r}")
        unknown = [m for m in self.metrics if m not in OBSERVABLES or m in _NEEDS_ANALYSIS]
        if unknown:
            usable = [m for m in OBSERVABLES if m not in _NEEDS_ANALYSIS]
            raise ValueError(f"metric(s) {unknown} cannot be measured; the metrics are "
                             f"{', '.join(usable)}")
        # Refuses an unknown preset or a bad change now, not in a worker; the key is made
        # once (it reads the preset's file).
        what = {"params": self.params().to_dict(), "seed": self.seed, "steps": self.steps,
                "metrics": list(self.metrics), "keep_session": self.keep_session,
                "version": __version__}
        text = json.dumps(what, sort_keys=True, default=str)
        object.__setattr__(self, "_key", hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])

    def params(self) -> Params:
        """The cell's parameters: the preset's with the changes."""
        return get_preset(self.preset).params.replace(**self.changes)

    def key(self) -> str:
        """What identifies the cell's result: its parameters, seed, steps, metrics and the
        package version (a hash; the grid position plays no part)."""
        return self._key

    def label(self) -> str:
        """E.g. ``"eta_stdp=0.004 seed=1"``."""
        parts = [f"{k}={v}" for k, v in self.changes.items()]
        return " ".join([*parts, f"seed={self.seed}"])


def grid(preset: str, steps: int, axes: Mapping[str, Sequence[Any]] | None = None,
         seeds: int | Sequence[int] = 1, *, metrics: Sequence[str] = DEFAULT_METRICS,
         keep_session: bool = False, changes: Mapping[str, Any] | None = None) -> list[Cell]:
    """The cells of a grid: every combination of ``axes`` values, for every seed.

    Parameters
    ----------
    preset : str
    steps : int
    axes : Mapping[str, Sequence], optional
        Parameter name -> the values it takes (no axes: one cell per seed).
    seeds : int or sequence of int
        A number of seeds (0, 1, ...) or the seeds themselves.
    metrics : sequence of str
    keep_session : bool
    changes : Mapping[str, Any], optional
        Changes every cell shares.

    Returns
    -------
    list of Cell
        Grid point by grid point (the first axis slowest), seeds innermost.

    Raises
    ------
    ValueError
        For an empty axis, no seeds, or a cell that cannot be made (bad preset or value).
    """
    axes = dict(axes or {})
    for name, values in axes.items():
        if not len(values):
            raise ValueError(f"grid axis {name!r} has no values")
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        raise ValueError("seeds is empty: give a number of seeds >= 1 or a list of seeds")
    base = dict(changes or {})
    cells = []
    for values in itertools.product(*axes.values()):
        point = {**base, **dict(zip(axes, values, strict=True))}
        for seed in seed_list:
            cells.append(Cell(preset, point, seed, steps, tuple(metrics), keep_session))
    return cells
