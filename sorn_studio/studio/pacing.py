"""How much to simulate per chunk, and how fast it went: shared by the studio's run loops.

Both the single network's :class:`~.runner.Runner` and the Compare mode's
:class:`~.comparison.CompareRunner` size their chunks so that one takes about one frame
interval, and show the speed measured over the last second.
"""

from __future__ import annotations

import time

__all__ = ["ChunkSizer", "RateMeter"]


class ChunkSizer:
    """Steps per chunk, tuned from measured speed to take about one frame interval.

    Parameters
    ----------
    first : int
        Steps of the first chunk (before anything was measured).
    """

    def __init__(self, first: int = 10) -> None:
        self.steps = int(first)
        self._rate = 0.0

    def tune(self, done: int, elapsed: float, frame_interval: float, most: int) -> None:
        """Take the speed of a chunk of ``done`` steps that took ``elapsed`` seconds.

        Parameters
        ----------
        done, elapsed
            The chunk just run.
        frame_interval : float
            Seconds a chunk should take.
        most : int
            Largest chunk allowed (e.g. the recorder's window).
        """
        if elapsed <= 0:
            self.steps = min(self.steps * 2, most)
            return
        rate = done / elapsed
        self._rate = rate if self._rate == 0 else 0.7 * self._rate + 0.3 * rate
        # Aim at one frame interval: fewer, longer kernel calls (which release the GIL) leave
        # less per-chunk Python work competing with painting; commands still interrupt a chunk
        # at once. Grow at most fourfold per chunk so one lucky measurement does not cause a
        # long stall.
        target = int(self._rate * frame_interval)
        self.steps = int(min(max(target, 1), self.steps * 4, most))


class RateMeter:
    """Steps per second over about the last second of running."""

    def __init__(self) -> None:
        self._samples: list[tuple[float, int]] = []

    def clear(self) -> None:
        """Forget the samples (after a pause, a reset, another simulation)."""
        self._samples.clear()

    def add(self, step: int) -> None:
        """Note that the run reached ``step`` now."""
        now = time.perf_counter()
        self._samples.append((now, int(step)))
        while len(self._samples) > 2 and now - self._samples[0][0] > 1.0:
            self._samples.pop(0)

    def rate(self) -> float:
        """Measured steps per second; 0 before two samples."""
        if len(self._samples) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self._samples[0], self._samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0
