"""Advance a simulation along a change log: each logged change applied exactly at its step.

A run is its seed, its initial parameters and its change log. Following the log from any
snapshot of the run (step 0 for a replay, a checkpoint for the studio's time travel) gives the
run again bit for bit, whatever chunk sizes or frame rates made it first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .snapshot import STATE_FIELDS

if TYPE_CHECKING:
    from ..recording import RecordingSpec
    from .simulation import Simulation
    from .snapshot import Snapshot

__all__ = ["LogMismatch", "NotRebuilt", "follow_change_log", "applied_prefix", "start_of"]


class LogMismatch(ValueError):
    """A logged change does not fit the run: the parameter's value differs from the log's
    ``old`` where the log changes it.

    Attributes
    ----------
    step : int
        Step of the entry.
    name : str
        The parameter.
    logged, actual : Any
        The value the log says it had, and the one it has.
    """

    def __init__(self, step: int, name: str, logged: Any, actual: Any) -> None:
        super().__init__(f"at step {step} the log changes {name!r} from {logged!r}, but the "
                         f"run has {actual!r}")
        self.step, self.name, self.logged, self.actual = step, name, logged, actual


class NotRebuilt(ValueError):
    """A run cannot be rebuilt from step 0 (:func:`start_of`).

    Attributes
    ----------
    part : str or None
        The part of the stored run the rebuilt one differs in (``"initial/w_ee"``,
        ``"rng/initial"``), None when it cannot be rebuilt at all.
    """

    def __init__(self, message: str, part: str | None = None) -> None:
        super().__init__(message)
        self.part = part


def applied_prefix(sim: Simulation, log: Sequence[tuple[int, str, Any, Any]]) -> int:
    """How many leading entries of ``log`` the simulation has applied already.

    Raises
    ------
    ValueError
        When the simulation's own change log is not the start of ``log`` (it belongs to
        another run).
    """
    own = [(int(c.step), c.name, c.old, c.new) for c in sim.change_log]
    head = [(int(s), n, o, v) for s, n, o, v in log[:len(own)]]
    if own != head:
        raise ValueError(f"the simulation's change log ({len(own)} entries, at step {sim.t}) "
                         "is not the start of the log to follow: it is another run")
    return len(own)


def follow_change_log(sim: Simulation, log: Sequence[tuple[int, str, Any, Any]], to_step: int,
                      *, progress: Callable[[int, int], None] | None = None,
                      should_stop: Callable[[], bool] | None = None) -> bool:
    """Advance ``sim`` to ``to_step``, applying the entries of ``log`` it has not applied yet,
    each at its step and one at a time (in log order).

    Parameters
    ----------
    sim : Simulation
        At a step of the run ``log`` describes (its own change log a start of ``log``).
    log : sequence of (step, name, old, new)
        The run's change log (:attr:`Simulation.change_log` or :attr:`Snapshot.change_log`).
    to_step : int
        Where to stop; entries at ``to_step`` itself are applied too (the run's parameters
        there include them).
    progress : callable, optional
        ``progress(done, total)``, steps since the start of this call.
    should_stop : callable, optional
        Checked between chunks; True ends the call early, at a step boundary.

    Returns
    -------
    bool
        Whether ``sim`` reached ``to_step`` with every due entry applied (False: stopped).

    Raises
    ------
    LogMismatch
        When a parameter does not have the value the log changes it from.
    ValueError
        When ``sim`` is past ``to_step``, has changes pending, or its change log is not a
        start of ``log``.
    """
    if sim.t > to_step:
        raise ValueError(f"the simulation is at step {sim.t}, past step {to_step} to reach")
    if sim.pending_changes:
        raise ValueError(f"the simulation has changes asked for but not made "
                         f"({', '.join(sim.pending_changes)}): the log to follow has no place "
                         "for them; run(0) makes them first")
    start = sim.t
    total = to_step - start
    entries = list(log)
    first = applied_prefix(sim, entries)

    def advance(to: int) -> bool:
        n = to - sim.t
        if n <= 0:
            return True
        base = sim.t - start
        report = None if progress is None else (lambda d, _m: progress(base + d, total))
        return sim.run(n, progress=report, should_stop=should_stop) == n

    for step, name, old, new in entries[first:]:
        if step > to_step:
            break
        if step < sim.t:
            raise ValueError(f"the log's entry at step {step} lies before the simulation's "
                             f"step {sim.t}, which has not applied it")
        if not advance(step):
            return False
        current = getattr(sim.params, name)
        if current != old:
            raise LogMismatch(step, name, old, current)
        # One entry per application, in log order: a mu_ip change shifts H^IP by new - old,
        # so merging two entries of one step into one would round differently.
        sim.apply_params(**{name: new})
        sim.run(0)
    return advance(to_step)


def start_of(snapshot: Snapshot, *, recording: RecordingSpec | None = None,
             backend: str | None = None) -> Simulation:
    """The run of ``snapshot`` at step 0, rebuilt from its seed and step-0 parameters with the
    draw layout it was made with (so that following its log gives it again).

    Raises
    ------
    NotRebuilt
        When the run cannot be rebuilt: its raw input was fed in pieces and the columns used
        are gone, or the seed and parameters do not give its step-0 state (its ``part``
        names which, e.g. ``"initial/w_ee"``).
    """
    from ..params import Params
    from .simulation import Simulation
    from .streams import RandomStreams

    if not snapshot.raw_complete:
        raise NotRebuilt("the run cannot be rebuilt from step 0: its raw input was fed in "
                         "pieces and the columns already used were dropped")
    layout = RandomStreams.from_state(snapshot.initial_rng, "rng/initial").layout
    sim = Simulation(Params.from_dict(snapshot.initial_params), snapshot.seed,
                     recording=recording, raw_input=snapshot.raw_input,
                     backend=backend or snapshot.backend, draw_layout=layout)
    for name in STATE_FIELDS:
        if not np.array_equal(getattr(sim.initial_state, name), snapshot.initial_state[name]):
            raise NotRebuilt(f"the seed and parameters do not rebuild the stored initial state: "
                             f"'initial/{name}' differs", f"initial/{name}")
    if sim.initial_rng_state != snapshot.initial_rng:
        raise NotRebuilt("the seed does not give the stored initial generator state: "
                         "'rng/initial' differs", "rng/initial")
    return sim
