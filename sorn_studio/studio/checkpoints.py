"""Checkpoints of a studio run for time travel, and the memory-capped store that keeps them.

A :class:`Checkpoint` is everything the studio shows of a run at one step boundary: the
simulation's :class:`~sorn_studio.engine.Snapshot`, the newest recordings (what the raster and
the live analyses read) and what the studio gathered over the whole run (:class:`Gathered`:
the whole-run :class:`~.history.History`, and the attribution traces while they are
measured). Restoring one puts the run exactly there, and a run continued from it with the
same changes equals the uninterrupted one, bit for bit.

The :class:`CheckpointStore` keeps them within one memory cap. When full it thins the
checkpoints evenly (it drops the one whose neighbours lie closest together), so the whole run
stays reachable at a coarser spacing instead of losing its beginning; pinned checkpoints (the
tips of branches the user left) go last. Qt-free.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from ..engine import Simulation, Snapshot
    from .attribution import AttributionTraces
    from .history import History

__all__ = ["Checkpoint", "CheckpointStore", "Gathered"]


class Gathered(NamedTuple):
    """What the studio gathered over a run besides the simulation itself."""

    #: The whole-run history.
    history: History
    #: The attribution traces, while the user measures attribution.
    attribution: AttributionTraces | None = None


def _nbytes(arrays: Mapping[str, np.ndarray]) -> int:
    return sum(int(np.asarray(a).nbytes) for a in arrays.values())


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """A studio run at one step boundary; immutable once taken.

    Attributes
    ----------
    snapshot : Snapshot
        The simulation.
    series : mapping of str to numpy.ndarray
        The recorder's newest rows (:meth:`~sorn_studio.recording.Recorder.series`).
    weight_snapshots : tuple of (int, numpy.ndarray)
        The recorder's W^EE snapshots.
    gathered : Gathered
        A copy of what the studio gathered over the run.
    """

    snapshot: Snapshot
    series: Mapping[str, np.ndarray]
    weight_snapshots: tuple[tuple[int, np.ndarray], ...]
    gathered: Gathered
    nbytes: int = field(init=False)

    def __post_init__(self) -> None:
        hist = self.gathered.history.points()
        size = (self.snapshot.nbytes + _nbytes(self.series) + _nbytes(hist)
                + sum(int(w.nbytes) for _, w in self.weight_snapshots))
        object.__setattr__(self, "nbytes", size)

    @classmethod
    def take(cls, sim: Simulation, gathered: Gathered, rows: int) -> Checkpoint:
        """Checkpoint ``sim`` (from the thread that runs it) with what was gathered.

        Parameters
        ----------
        sim : Simulation
            Read, not changed.
        gathered : Gathered
            What the studio gathered over its run (copied).
        rows : int
            Newest recorded steps to keep (the studio's window).
        """
        series = {name: np.array(rows_, copy=True)
                  for name, rows_ in sim.recorder.series(last=rows).items()}
        weights = tuple((int(k), w.copy()) for k, w in sim.recorder.weight_snapshots())
        return cls(sim.snapshot(), series, weights, copy.deepcopy(gathered))

    @property
    def step(self) -> int:
        """The step it was taken at."""
        return int(self.snapshot.step)

    @property
    def change_log(self) -> tuple[tuple[int, str, object, object], ...]:
        """The changes applied by then, ``(step, name, old, new)``."""
        return self.snapshot.change_log

    def restore(self, sim: Simulation) -> Gathered:
        """Put ``sim`` and its recorder exactly here; returns a copy of what was gathered, to
        go on with (the checkpoint itself stays as it is)."""
        sim.restore(self.snapshot)
        sim.recorder.restore(dict(self.series), self.step, list(self.weight_snapshots))
        return copy.deepcopy(self.gathered)


@dataclass(eq=False)
class _Kept:
    checkpoint: Checkpoint
    pinned: bool = False
    permanent: bool = False


class CheckpointStore:
    """Checkpoints of one run and its branches, at most ``max_bytes`` of them.

    Parameters
    ----------
    max_bytes : int
        Most memory the kept checkpoints may take (:attr:`Checkpoint.nbytes`). The newest one
        is always kept, even alone above the cap.

    Raises
    ------
    ValueError
        For ``max_bytes`` < 1, naming the argument.
    """

    def __init__(self, max_bytes: int) -> None:
        if isinstance(max_bytes, bool) or int(max_bytes) != max_bytes or max_bytes < 1:
            raise ValueError(f"argument 'max_bytes' = {max_bytes!r} must be a whole number "
                             ">= 1")
        self.max_bytes = int(max_bytes)
        self._kept: list[_Kept] = []
        self._nbytes = 0

    @property
    def nbytes(self) -> int:
        """Memory the kept checkpoints take."""
        return self._nbytes

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        """Forget every checkpoint (a reset, another run)."""
        self._kept.clear()
        self._nbytes = 0

    def add(self, checkpoint: Checkpoint, *, pinned: bool = False,
            permanent: bool = False) -> None:
        """Keep ``checkpoint``, thinning the others when memory is short.

        ``pinned`` ones go only when no other can; a ``permanent`` one never goes (the start
        every branch can be rebuilt from).
        """
        self._kept.append(_Kept(checkpoint, pinned, permanent))
        self._nbytes += checkpoint.nbytes
        while self._nbytes > self.max_bytes:
            victim = self._victim()
            if victim is None:
                break
            self._drop(victim)

    def where(self, keep: Callable[[Checkpoint], bool]) -> list[Checkpoint]:
        """The kept checkpoints for which ``keep`` is true, by step."""
        return sorted((k.checkpoint for k in self._kept if keep(k.checkpoint)),
                      key=lambda c: c.step)

    def pin(self, checkpoint: Checkpoint, pinned: bool = True) -> None:
        """Keep ``checkpoint`` until the unpinned ones are gone (or stop doing so)."""
        for kept in self._kept:
            if kept.checkpoint is checkpoint:
                kept.pinned = pinned

    def discard(self, keep: Callable[[Checkpoint], bool]) -> None:
        """Forget the checkpoints for which ``keep`` is false."""
        for kept in [k for k in self._kept if not keep(k.checkpoint)]:
            self._drop(kept)

    def _drop(self, kept: _Kept) -> None:
        self._kept.remove(kept)
        self._nbytes -= kept.checkpoint.nbytes

    def _victim(self) -> _Kept | None:
        """The checkpoint to drop, None when none may go: never the newest nor a permanent
        one; unpinned before pinned; among those, the one whose neighbours in step (of any
        branch) lie closest together, so the rest stay evenly spread; the run's first and
        last ones go last."""
        allowed = [k for k in self._kept[:-1] if not k.permanent]
        candidates = [k for k in allowed if not k.pinned] or allowed
        if not candidates:
            return None
        steps = sorted(k.checkpoint.step for k in self._kept)

        def gap(kept: _Kept) -> tuple[float, int]:
            s = kept.checkpoint.step
            lower = [t for t in steps if t < s]
            upper = [t for t in steps if t > s]
            if not lower or not upper:
                return (math.inf, s)
            return (upper[0] - lower[-1], s)

        return min(candidates, key=gap)
