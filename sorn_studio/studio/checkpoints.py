"""Checkpoints of a run for time travel: full snapshots every k steps, in a bounded ring.

Whoever runs the simulation offers it to :class:`CheckpointRing` between chunks (the studio's
runner does not yet); every ``every`` steps it keeps a :class:`~sorn_studio.engine.Snapshot`,
dropping the oldest when the kept ones would take more than ``max_bytes``. Restoring one
(:meth:`~sorn_studio.engine.Simulation.restore`) puts the run exactly there, and a run
continued from it with the same changes equals the uninterrupted one, bit for bit. Qt-free.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine import Simulation, Snapshot

__all__ = ["CheckpointRing"]


class CheckpointRing:
    """Snapshots of one run every ``every`` steps, at most ``max_bytes`` of them.

    Parameters
    ----------
    every : int
        Steps between checkpoints (>= 1).
    max_bytes : int
        Most memory the kept snapshots may take (:attr:`Snapshot.nbytes`); the oldest go
        first. At least one checkpoint is always kept.

    Raises
    ------
    ValueError
        For ``every`` < 1 or ``max_bytes`` < 1, naming the argument.
    """

    def __init__(self, every: int, max_bytes: int) -> None:
        for name, value in (("every", every), ("max_bytes", max_bytes)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"argument {name!r} = {value!r} must be a whole number >= 1")
        self.every = int(every)
        self.max_bytes = int(max_bytes)
        self._steps: list[int] = []
        self._snapshots: list[Snapshot] = []
        self._nbytes = 0

    @property
    def steps(self) -> list[int]:
        """The steps of the kept checkpoints, ascending."""
        return list(self._steps)

    @property
    def nbytes(self) -> int:
        """Memory the kept checkpoints take."""
        return self._nbytes

    def __len__(self) -> int:
        return len(self._steps)

    def clear(self) -> None:
        """Forget every checkpoint (a reset, another run)."""
        self._steps.clear()
        self._snapshots.clear()
        self._nbytes = 0

    def offer(self, sim: Simulation) -> bool:
        """Keep a snapshot of ``sim`` if a checkpoint is due: at the first offer, then at the
        first offer at or after each multiple of ``every`` (so that chunks of any size give
        checkpoints at steps near the same round numbers).

        Call it between chunks, from the thread that runs ``sim``.

        Returns
        -------
        bool
            Whether a checkpoint was taken.
        """
        step = int(sim.t)
        if self._steps and step // self.every <= self._steps[-1] // self.every:
            return False
        self.add(sim.snapshot())
        return True

    def add(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` (after the kept ones: its step must be later than theirs)."""
        if self._steps and snapshot.step <= self._steps[-1]:
            raise ValueError(f"a checkpoint at step {snapshot.step} comes after the one at "
                             f"step {self._steps[-1]}: forget the later ones first "
                             "(drop_after)")
        self._steps.append(int(snapshot.step))
        self._snapshots.append(snapshot)
        self._nbytes += snapshot.nbytes
        while self._nbytes > self.max_bytes and len(self._steps) > 1:
            self._steps.pop(0)
            self._nbytes -= self._snapshots.pop(0).nbytes

    def at_or_before(self, step: int) -> Snapshot | None:
        """The latest checkpoint at or before ``step``, or None when none is that early."""
        k = bisect.bisect_right(self._steps, int(step))
        return self._snapshots[k - 1] if k else None

    def drop_after(self, step: int) -> None:
        """Forget the checkpoints later than ``step`` (the run went back there and on anew)."""
        k = bisect.bisect_right(self._steps, int(step))
        for snap in self._snapshots[k:]:
            self._nbytes -= snap.nbytes
        del self._steps[k:], self._snapshots[k:]
