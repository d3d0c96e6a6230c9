"""The cells of a sweep: one network each, identified by what it is, not where it is."""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..params import Params, live_fields
from ..presets import get_preset
from ..studio.observables import OBSERVABLES

__all__ = ["Cell", "DEFAULT_METRICS", "grid", "start_preset", "start_seeds"]

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
    seed : int or None
        The network's seed; with ``start``, the seed of a fresh random generator for the
        continuation, or None to go on with the session's own (what the studio would do).
    steps : int
    metrics : tuple of str
        Observables measured at the end (:data:`~sorn_studio.studio.observables.OBSERVABLES`).
    keep_session : bool
        Save the finished network as a session file in the output folder.
    start : str, optional
        A session file the network starts from instead of a fresh network of the preset
        ("Sweep from here"); ``changes`` must then be live parameters.
    trace_points : int
        Samples of the connection fraction and the rate over the run, kept in the record as
        ``trace`` (0: none).
    """

    preset: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = 0
    steps: int = 10_000
    metrics: tuple[str, ...] = DEFAULT_METRICS
    keep_session: bool = False
    start: str | None = None
    trace_points: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", dict(sorted(dict(self.changes).items())))
        object.__setattr__(self, "metrics", tuple(self.metrics))
        if self.seed is None and self.start is None:
            raise ValueError("seed None (the session's own random generator) needs a start "
                             "session")
        if self.seed is not None and (not isinstance(self.seed, int) or self.seed < 0):
            raise ValueError(f"seed must be a whole number >= 0, got {self.seed!r}")
        if not isinstance(self.trace_points, int) or not 0 <= self.trace_points <= 1000:
            raise ValueError(f"trace_points must be a whole number in [0, 1000], got "
                             f"{self.trace_points!r}")
        if self.start is not None:
            object.__setattr__(self, "start", str(Path(self.start).resolve()))
            fixed = sorted(set(self.changes) - set(live_fields()))
            if fixed:
                raise ValueError(f"a network that starts from a session can change only live "
                                 f"parameters; {', '.join(fixed)} cannot change during a run "
                                 f"(the live ones: {', '.join(live_fields())})")
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
        if self.start is not None:
            what["start"] = _session_of(self.start)[0]
        if self.trace_points:
            what["trace_points"] = self.trace_points
        text = json.dumps(what, sort_keys=True, default=str)
        object.__setattr__(self, "_key", hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])

    def params(self) -> Params:
        """The cell's parameters: the preset's (or the start session's) with the changes."""
        if self.start is not None:
            return Params.from_dict(_session_of(self.start)[1]).replace(**self.changes)
        return get_preset(self.preset).params.replace(**self.changes)

    def key(self) -> str:
        """What identifies the cell's result: its parameters, seed, steps, metrics and the
        package version (a hash; the grid position plays no part)."""
        return self._key

    def label(self) -> str:
        """E.g. ``"eta_stdp=0.004 seed=1"``."""
        parts = [f"{k}={v}" for k, v in self.changes.items()]
        return " ".join([*parts, "own noise" if self.seed is None else f"seed={self.seed}"])


@functools.lru_cache(maxsize=16)
def _session_file(path: str, version: tuple[int, ...]) -> tuple[str, dict[str, Any], str | None]:
    from ..session import read_session

    data = read_session(path)  # validated: an untrusted file is refused here, not in a worker
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return digest, data.info.params.to_dict(), data.info.preset


def _session_of(path: str) -> tuple[str, dict[str, Any], str | None]:
    """A start session's content hash, parameters and preset, read once per version of the
    file (a save replaces the file: a new inode, and new change times)."""
    status = Path(path).stat()
    return _session_file(path, (status.st_ino, status.st_size, status.st_mtime_ns,
                                status.st_ctime_ns))


def start_preset(path: str | Path) -> str | None:
    """The preset a start session says it began from (the file is read and checked once).

    Raises
    ------
    sorn_studio.session.SessionError
        When the file is not a valid session.
    OSError
        When it cannot be read.
    """
    return _session_of(str(Path(path).resolve()))[2]


def start_seeds(count: int) -> list[int | None]:
    """The noise of ``count`` networks continuing a session: its own random generator
    (None), then seeds 1 .. count-1."""
    return [None, *range(1, count)]


def grid(preset: str, steps: int, axes: Mapping[str, Sequence[Any]] | None = None,
         seeds: int | Sequence[int | None] = 1, *, metrics: Sequence[str] = DEFAULT_METRICS,
         keep_session: bool = False, changes: Mapping[str, Any] | None = None,
         start: str | Path | None = None, trace_points: int = 0) -> list[Cell]:
    """The cells of a grid: every combination of ``axes`` values, for every seed.

    Parameters
    ----------
    preset : str
    steps : int
    axes : Mapping[str, Sequence], optional
        Parameter name -> the values it takes (no axes: one cell per seed).
    seeds : int or sequence of int
        A number of seeds (0, 1, ...) or the seeds themselves. From a ``start`` session, a
        number K means the session's own random generator (None) and seeds 1 .. K-1.
    metrics : sequence of str
    keep_session : bool
    changes : Mapping[str, Any], optional
        Changes every cell shares.
    start : str or pathlib.Path, optional
        A session file every cell starts from (:attr:`Cell.start`).
    trace_points : int
        :attr:`Cell.trace_points`.

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
    seed_list: list[int | None]
    if isinstance(seeds, int):
        seed_list = start_seeds(seeds) if start is not None and seeds > 0 else list(range(seeds))
    else:
        seed_list = [None if s is None else int(s) for s in seeds]
    if not seed_list:
        raise ValueError("seeds is empty: give a number of seeds >= 1 or a list of seeds")
    base = dict(changes or {})
    first = None if start is None else str(start)
    cells = []
    for values in itertools.product(*axes.values()):
        point = {**base, **dict(zip(axes, values, strict=True))}
        for seed in seed_list:
            cells.append(Cell(preset, point, seed, steps, tuple(metrics), keep_session, first,
                              trace_points))
    return cells
