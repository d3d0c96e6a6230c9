"""The whole-run history the studio plots: connection counts, rates and thresholds.

It is kept at a resolution that halves whenever it fills, so memory stays flat however long
the run is, and the whole run stays visible. Its points (:meth:`History.points`) are small and
of fixed size, so a session file keeps them (the ``history/*`` items) and a reopened run shows
its whole history, not only the steps its recorder's window still holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..engine import Simulation

__all__ = ["History", "MAX_REBUILT_STEPS", "TRACES", "history_of"]

#: Most recorded steps a whole-run history is rebuilt from when a run is opened without its
#: own (a full recording may hold millions; a few arrays of that length are read at once).
MAX_REBUILT_STEPS = 1_000_000

#: The traces kept, each with how a bin of steps is reduced to one point.
_REDUCERS: dict[str, Callable[..., np.ndarray]] = {
    "step": np.min,
    "rate_e": np.mean,
    "rate_i": np.mean,
    "n_ee": np.mean,
    "n_ei": np.mean,
    "t_e_mean": np.mean,
    "t_e_min": np.min,
    "t_e_max": np.max,
    "t_i_mean": np.mean,
    "t_e_neurons": np.mean,
}

#: What each trace holds, one point per bin of steps (the session schema documents with it).
TRACES: dict[str, str] = {
    "step": "first step of each point of the whole-run history",
    "rate_e": "mean fraction of E units active per step over each point's steps",
    "rate_i": "mean fraction of I units active per step",
    "n_ee": "mean E->E synapse count",
    "n_ei": "mean I->E synapse count",
    "t_e_mean": "mean T^E",
    "t_e_min": "smallest T^E",
    "t_e_max": "largest T^E",
    "t_i_mean": "mean T^I (the value at the end of each chunk the studio ran)",
    "t_e_neurons": "mean T^E of the traced neurons (recording 'neurons')",
}


class History:
    """Per-step traces kept at a resolution that halves whenever the buffer fills.

    Memory is bounded by ``capacity`` points per trace however many steps are added, and the
    whole run stays visible: after ``capacity * 2**k`` steps each point covers ``2**k`` steps
    (means for averages, min/max for the envelope).

    Parameters
    ----------
    capacity : int
        Points kept per trace (even).
    k : int
        Number of tracked neurons in ``t_e_neurons``.
    """

    def __init__(self, capacity: int = 1024, k: int = 3) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError(f"capacity = {capacity} must be an even number >= 2")
        self.capacity = capacity
        self.k = k
        self.bin = 1
        self.n = 0
        #: Steps of the run before the history's first point that it does not hold (0: it
        #: holds the whole run); a run opened from a file without its history starts late.
        self.start = 0
        self._buf = {name: np.empty((capacity, k) if name == "t_e_neurons" else capacity)
                     for name in _REDUCERS}
        self._pend: dict[str, np.ndarray] = {
            name: np.empty((0, k) if name == "t_e_neurons" else 0) for name in _REDUCERS}

    def clear(self) -> None:
        """Forget everything (after a reset)."""
        self.__init__(self.capacity, self.k)  # type: ignore[misc]

    def extend(self, block: Mapping[str, np.ndarray]) -> None:
        """Append per-step values: one array per trace, all of the same length."""
        pend = {name: np.concatenate([self._pend[name], np.asarray(block[name], float)])
                for name in _REDUCERS}
        length = len(pend["step"])
        start = 0
        while True:
            whole = (length - start) // self.bin
            if whole == 0:
                break
            if self.n == self.capacity:
                self._compact()
                continue
            take = min(whole, self.capacity - self.n)
            stop = start + take * self.bin
            for name, reduce in _REDUCERS.items():
                part = pend[name][start:stop]
                part = part.reshape((take, self.bin) + part.shape[1:])
                self._buf[name][self.n:self.n + take] = reduce(part, axis=1)
            self.n += take
            start = stop
        self._pend = {name: pend[name][start:].copy() for name in _REDUCERS}

    def take(self, sim: Simulation, done: int) -> None:
        """Append the ``done`` steps ``sim`` just made, read from its recorder.

        Parameters
        ----------
        sim : Simulation
            Recorded with at least ``done`` steps of window, tracing ``self.k`` neurons.
        done : int
            Steps made since the last call.
        """
        rec = sim.recorder
        t_i_mean = float(np.mean(sim.t_i)) if len(sim.t_i) else 0.0
        steps = rec.steps(last=done)
        self.extend({
            "step": steps,
            "rate_e": rec.rate_e(last=done),
            "rate_i": rec.rate_i(last=done),
            "n_ee": rec.n_ee(last=done),
            "n_ei": rec.n_ei(last=done),
            "t_e_mean": rec.t_e_mean(last=done),
            "t_e_min": rec.t_e_min(last=done),
            "t_e_max": rec.t_e_max(last=done),
            # The recorder keeps no inhibitory thresholds per step: their mean now stands for
            # the chunk.
            "t_i_mean": np.full(len(steps), t_i_mean),
            "t_e_neurons": np.asarray(rec.t_e_neurons(last=done), float).reshape(
                len(steps), self.k),
        })

    def points(self) -> dict[str, np.ndarray]:
        """What :meth:`restore` needs: the traces of :meth:`snapshot` and ``"bin"``."""
        return {"bin": np.array(self.bin, dtype=np.int64), **self.snapshot()}

    def restore(self, points: Mapping[str, np.ndarray]) -> None:
        """Start again from saved :meth:`points` (of any capacity); new steps follow them.

        Parameters
        ----------
        points : mapping of str to numpy.ndarray
            ``"bin"`` and one array per trace, all of the same length, steps increasing.
            More points than ``capacity`` are merged pairwise until they fit.
        """
        self.clear()
        data = {name: np.asarray(points[name], float) for name in _REDUCERS}
        size = int(points["bin"])
        while len(data["step"]) > self.capacity:
            data = {name: _halve(values, _REDUCERS[name]) for name, values in data.items()}
            size *= 2
        n = len(data["step"])
        for name, values in data.items():
            self._buf[name][:n] = values.reshape((n,) + self._buf[name].shape[1:])
        self.n, self.bin = n, max(1, size)
        self.start = int(data["step"][0]) - 1 if n else 0

    def _compact(self) -> None:
        half = self.n // 2
        for name, reduce in _REDUCERS.items():
            data = self._buf[name][: 2 * half]
            data = data.reshape((half, 2) + data.shape[1:])
            self._buf[name][:half] = reduce(data, axis=1)
        self.n = half
        self.bin *= 2

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of the traces, with the incomplete last bin appended as one more point."""
        out = {}
        tail = len(self._pend["step"]) > 0
        for name, reduce in _REDUCERS.items():
            data = self._buf[name][: self.n]
            if tail:
                data = np.concatenate([data, reduce(self._pend[name], axis=0)[None]])
            out[name] = data.copy()
        return out


def _halve(values: np.ndarray, reduce: Callable[..., np.ndarray]) -> np.ndarray:
    """Merge neighbouring points pairwise; an odd last point stays as it is."""
    half = len(values) // 2
    pairs = values[: 2 * half].reshape((half, 2) + values.shape[1:])
    return np.concatenate([reduce(pairs, axis=1), values[2 * half:]])


def history_of(sim: Simulation, saved: Mapping[str, np.ndarray] | None = None, *,
               capacity: int = 1024) -> History:
    """The whole-run history of a simulation that already ran (a loaded session).

    Parameters
    ----------
    sim : Simulation
        Read, not changed.
    saved : mapping, optional
        Its whole-run history as saved (:meth:`History.points`, e.g.
        :func:`~sorn_studio.session.saved_history`). Without it the history is rebuilt from
        what the recorder still holds (at most :data:`MAX_REBUILT_STEPS` steps), and
        :attr:`History.start` says how many steps before that it lacks.
    capacity : int
        Points kept (even).

    Returns
    -------
    History
    """
    history = History(capacity, len(sim.recorder.spec.neurons))
    if saved is not None:
        history.restore(saved)
    elif sim.t > 0:
        take = min(len(sim.recorder.steps()), sim.t, MAX_REBUILT_STEPS)
        history.take(sim, take)
        history.start = sim.t - take
    return history
