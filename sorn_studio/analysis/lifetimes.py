"""Synapse lifetimes under structural plasticity (creation and pruning of E->E synapses).

Zheng et al. (2013) found that most new synapses die young while strong ones persist: the
lifetime distribution is heavy-tailed. A lifetime is the time from a synapse's creation to
its pruning. Two kinds of incomplete observation need care:

* right censoring: a synapse still alive at the end of the recording has a lifetime of at
  least its current age; dropping these would bias lifetimes short, so they are reported
  separately and the Kaplan-Meier estimator (:meth:`SynapseLifetimes.survival`) uses them;
* left truncation: a synapse already present at the start has an unknown creation time; its
  lifetime is reported as a lower bound and kept out of the survival estimate.

Lifetimes can be computed from periodic snapshots (``[(step, w_ee), ...]``), from a
sequence of boolean connection masks, or from an exact event log: the engine's own events
(``Simulation.track_synapse_events``) fed batch by batch to a :class:`SynapseEventTracker`,
or a list of events (:func:`synapse_lifetimes_from_events`, which runs a tracker too). The
studio's live lifetime view is a tracker as well, one that keeps no lifetimes of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from sorn_studio.analysis._validate import as_array
from sorn_studio.readonly import read_only

__all__ = [
    "SynapseLifetimes",
    "SynapseLifetimeTracker",
    "SynapseEventTracker",
    "synapse_lifetimes",
    "synapse_lifetimes_from_snapshots",
    "synapse_lifetimes_from_events",
    "kaplan_meier",
]


@dataclass(frozen=True)
class SynapseLifetimes:
    """Lifetimes of the synapses observed between ``start`` and ``end``.

    Attributes
    ----------
    lifetimes : numpy.ndarray of int64
        Completed lives: synapses created and pruned during the observation, in steps.
    censored : numpy.ndarray of int64
        Ages at ``end`` of synapses created during the observation and still alive
        (right-censored lifetimes).
    initial_lifetimes : numpy.ndarray of int64
        For synapses present at ``start`` and pruned later: prune step - start, a lower bound
        of their lifetime.
    n_initial_surviving : int
        Synapses present from ``start`` to ``end``.
    n_created, n_pruned : int
        Creation and pruning events seen.
    start, end : int
        First and last observed step.
    """

    lifetimes: np.ndarray
    censored: np.ndarray
    initial_lifetimes: np.ndarray
    n_initial_surviving: int
    n_created: int
    n_pruned: int
    start: int
    end: int

    def survival(self) -> tuple[np.ndarray, np.ndarray]:
        """Kaplan-Meier survival curve of synapses created during the observation.

        Returns
        -------
        times : numpy.ndarray
            The distinct completed lifetimes, ascending.
        survival : numpy.ndarray
            Estimated probability that a new synapse lives longer than each time.
        """
        durations = np.concatenate([self.lifetimes, self.censored])
        observed = np.concatenate(
            [np.ones(self.lifetimes.size, bool), np.zeros(self.censored.size, bool)]
        )
        return kaplan_meier(durations, observed)


def kaplan_meier(durations: ArrayLike, observed: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier estimate of the survival function from censored durations.

    Parameters
    ----------
    durations : array_like, shape (n,)
        Observed durations (lifetime, or age at censoring).
    observed : array_like of bool, shape (n,)
        True where the death was observed, False where the duration is censored.

    Returns
    -------
    times : numpy.ndarray
        Distinct durations at which deaths were observed, ascending (empty if none).
    survival : numpy.ndarray
        S(t) = prod over death times t_j <= t of (1 - deaths_j / at_risk_j).
    """
    if np.size(durations) == 0:
        return np.empty(0), np.empty(0)
    d = as_array(durations, "durations", ndim=(1,))
    obs = np.asarray(observed, dtype=bool)
    if obs.shape != d.shape:
        raise ValueError(f"observed must have the shape of durations {d.shape}, got {obs.shape}")
    times, deaths = np.unique(d[obs], return_counts=True)
    if times.size == 0:
        return times.astype(float), np.empty(0)
    # At risk at t: every unit whose duration (death or censoring) is >= t.
    at_risk = d.size - np.searchsorted(np.sort(d), times, side="left")
    return times, np.cumprod(1.0 - deaths / at_risk)


def _result(
    lives: list[np.ndarray],
    censored: list[np.ndarray],
    initial_lives: list[np.ndarray],
    n_initial_surviving: int,
    n_created: int,
    n_pruned: int,
    start: int,
    end: int,
) -> SynapseLifetimes:
    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)

    return SynapseLifetimes(
        lifetimes=cat(lives),
        censored=cat(censored),
        initial_lifetimes=cat(initial_lives),
        n_initial_surviving=int(n_initial_surviving),
        n_created=int(n_created),
        n_pruned=int(n_pruned),
        start=int(start),
        end=int(end),
    )


class SynapseLifetimeTracker:
    """Incremental lifetime bookkeeping from connection masks observed one at a time.

    Feed it the existence mask of W^EE every k steps while a simulation runs (memory stays
    at a few N^E x N^E arrays however long the run), then call :meth:`result`. A synapse counts
    as created at the first mask in which it appears and as pruned at the first mask in which
    it is gone, so lifetimes have the resolution of the mask spacing, and a synapse created and
    pruned between two masks is not seen at all.

    Typical use: ``tracker.observe(sim.t, sim.w_ee > 0)`` after every chunk of a run.
    """

    def __init__(self) -> None:
        self._prev: np.ndarray | None = None
        self._initial: np.ndarray | None = None  # alive since the first mask: birth unknown
        self._birth: np.ndarray | None = None
        self._lives: list[np.ndarray] = []
        self._initial_lives: list[np.ndarray] = []
        self._n_created = 0
        self._n_pruned = 0
        self._start = 0
        self._last = 0
        self._n_after_first = 0

    @property
    def n_observed(self) -> int:
        """Number of masks observed so far."""
        return 0 if self._prev is None else 1 + self._n_after_first

    def observe(self, step: int, mask: ArrayLike, name: str = "mask") -> None:
        """Add the connection mask at ``step``.

        Parameters
        ----------
        step : int
            Step of the observation; strictly greater than the previous one.
        mask : array_like of bool, shape (n_post, n_pre)
            Which synapses exist.
        name : str
            Argument name used in error messages.
        """
        m = as_array(mask, name, ndim=(2,)).astype(bool)
        if isinstance(step, bool) or not isinstance(step, int | np.integer):
            raise ValueError(f"step must be an integer, got {step!r}")
        step = int(step)
        if self._prev is None:
            self._prev, self._initial = m.copy(), m.copy()
            self._birth = np.zeros(m.shape, dtype=np.int64)
            self._start = self._last = step
            return
        assert self._initial is not None and self._birth is not None
        if m.shape != self._prev.shape:
            raise ValueError(f"{name} has shape {m.shape}, expected {self._prev.shape}")
        if step <= self._last:
            raise ValueError(f"steps must be strictly increasing: {step} after {self._last}")
        pruned = self._prev & ~m
        created = m & ~self._prev
        if pruned.any():
            self._n_pruned += int(pruned.sum())
            pruned_initial = pruned & self._initial
            self._initial_lives.append(np.full(int(pruned_initial.sum()), step - self._start))
            self._lives.append(step - self._birth[pruned & ~self._initial])
            self._initial &= ~pruned
        if created.any():
            self._n_created += int(created.sum())
            self._birth[created] = step
        self._prev = m.copy()
        self._last = step
        self._n_after_first += 1

    def result(self) -> SynapseLifetimes:
        """Lifetimes so far; synapses alive at the last mask are censored there."""
        if self._prev is None or self._n_after_first == 0:
            raise ValueError("at least two masks must be observed before lifetimes exist")
        assert self._initial is not None and self._birth is not None
        alive_new = self._prev & ~self._initial
        return _result(
            self._lives,
            [self._last - self._birth[alive_new]],
            self._initial_lives,
            (self._prev & self._initial).sum(),
            self._n_created,
            self._n_pruned,
            self._start,
            self._last,
        )


#: Codes in a birth matrix besides a creation step (>= 0).
ABSENT = -1
#: Present since before the observation began: alive, age unknown.
UNKNOWN_BIRTH = -2

# Why follow_events stopped at an event (FOLLOWED: it did not).
FOLLOWED, BAD_INDEX, BAD_KIND, BACK_IN_TIME, EXISTS, MISSING = range(6)


@njit(cache=True, nogil=True)
def follow_events(events, birth, lives, initial_lives, start, last, strict):  # pragma: no cover
    """Apply synapse events ``(step, post, pre, +1 create / -1 prune)`` in order to ``birth``.

    Writes the lifetime of each pruned synapse created under observation into ``lives`` and
    of each pruned synapse of unknown birth (age counted from ``start``) into
    ``initial_lives``. Every event is checked before it touches ``birth``: indices inside the
    matrix, a kind of +1 or -1, a step after ``start`` and not before ``last`` (the step of
    the event before). With ``strict``, an event contradicting ``birth`` (creating an
    existing synapse, pruning an absent one) is refused too; without it, an UNKNOWN_BIRTH
    entry means "state unknown" and may be created over, and pruning an absent synapse is
    ignored.

    Returns ``(n_lives, n_initial, n_created, bad, why, last)``: processing stops at the
    first refused event, whose index is ``bad`` (-1 when none) and whose reason is ``why``;
    ``last`` is the step of the last event whose step was valid.
    """
    n_lives = n_initial = n_created = 0
    n_post, n_pre = birth.shape
    for k in range(events.shape[0]):
        step, i, j, kind = events[k, 0], events[k, 1], events[k, 2], events[k, 3]
        if i < 0 or i >= n_post or j < 0 or j >= n_pre:
            return n_lives, n_initial, n_created, k, BAD_INDEX, last
        if kind != 1 and kind != -1:
            return n_lives, n_initial, n_created, k, BAD_KIND, last
        if step <= start or step < last:
            return n_lives, n_initial, n_created, k, BACK_IN_TIME, last
        last = step
        b = birth[i, j]
        if kind == 1:
            if strict and b != ABSENT:
                return n_lives, n_initial, n_created, k, EXISTS, last
            birth[i, j] = step
            n_created += 1
        else:
            if b == ABSENT:
                if strict:
                    return n_lives, n_initial, n_created, k, MISSING, last
            elif b == UNKNOWN_BIRTH:
                initial_lives[n_initial] = step - start
                n_initial += 1
            else:
                lives[n_lives] = step - b
                n_lives += 1
            birth[i, j] = ABSENT
    return n_lives, n_initial, n_created, -1, FOLLOWED, last


_NO_LIVES = read_only(np.empty(0, np.int64))


class SynapseEventTracker:
    """Exact lifetimes from the engine's synapse events, fed one batch at a time.

    Memory stays at one N^E x N^E array however long the run (with ``keep_lifetimes=False``
    nothing else grows); every creation and pruning is seen at its step (masks every k steps
    miss synapses that live less than k steps).

    Parameters
    ----------
    initial : array_like of bool, shape (n_post, n_pre)
        Synapses existing at ``start`` (their ages are unknown).
    start : int
        Step at which ``initial`` was taken; events must come after it.
    strict : bool
        Refuse events that contradict what is known (creating an existing synapse, pruning
        an absent one). A tracker that joins a running network whose synapses it has not
        seen passes ``strict=False`` with every synapse in ``initial``: it then times only
        the synapses it sees created, and one created over an "initial" entry is simply new.
    keep_lifetimes : bool
        Keep every completed lifetime for :meth:`result`. Without it memory stays flat over
        any run length: the caller uses what :meth:`apply` returns (the studio bins it), and
        :meth:`result` is refused.

    Examples
    --------
    >>> sim.track_synapse_events(True)                          # doctest: +SKIP
    >>> tracker = SynapseEventTracker(sim.w_ee > 0, sim.t)      # doctest: +SKIP
    >>> sim.run(10_000); tracker.apply(sim.take_synapse_events())  # doctest: +SKIP
    >>> tracker.result(sim.t)                                   # doctest: +SKIP
    """

    def __init__(self, initial: ArrayLike, start: int = 0, *, strict: bool = True,
                 keep_lifetimes: bool = True) -> None:
        mask = as_array(initial, "initial", ndim=(2,)).astype(bool)
        self._birth = np.where(mask, UNKNOWN_BIRTH, ABSENT).astype(np.int64)
        self._start = self._last = int(start)
        self._strict = bool(strict)
        self._keep = bool(keep_lifetimes)
        self._lives: list[np.ndarray] = []
        self._initial_lives: list[np.ndarray] = []
        self._n_created = 0
        self._n_pruned = 0

    @property
    def start(self) -> int:
        """Step at which the observation began (events come after it)."""
        return self._start

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_post, n_pre)`` of the synapse matrix followed."""
        return self._birth.shape

    @property
    def n_created(self) -> int:
        """Creation events taken in so far."""
        return self._n_created

    def apply(self, events: ArrayLike) -> np.ndarray:
        """Take in a batch of events, rows ``(step, post, pre, +1 or -1)`` in step order.

        Returns
        -------
        numpy.ndarray of int64
            Lifetimes of the synapses created under observation that this batch pruned, in
            event order (synapses of unknown birth are not in it; :meth:`result` has them).

        Raises
        ------
        ValueError
            When the batch has the wrong shape, goes back in time, names a neuron outside the
            matrix, has a kind other than +1 or -1, or (``strict``) contradicts what is known
            (creates an existing synapse, prunes an absent one); the tracker then keeps the
            events before the offending one.
        """
        ev = np.asarray(events)
        if ev.ndim == 2 and ev.shape[0] == 0:
            return _NO_LIVES  # a chunk without creation or pruning
        ev = as_array(ev, "events", ndim=(2,)).astype(np.int64, copy=False)
        if ev.shape[1] != 4:
            raise ValueError(f"events has shape {ev.shape}; expected (n, 4) rows "
                             "(step, post, pre, kind)")
        lives = np.empty(len(ev), np.int64)
        initial_lives = np.empty(len(ev), np.int64)
        before = self._last
        n_lives, n_initial, n_created, bad, why, last = follow_events(
            ev, self._birth, lives, initial_lives, self._start, self._last, self._strict)
        self._last = int(last)
        # Read-only: the caller gets the very array kept for result().
        lives, initial_lives = read_only(lives[:n_lives]), initial_lives[:n_initial]
        if self._keep:
            self._lives.append(lives)
            self._initial_lives.append(initial_lives)
        self._n_created += n_created
        self._n_pruned += n_lives + n_initial
        if bad >= 0:
            raise ValueError(self._refusal(ev[bad], why, before if bad == 0 else ev[bad - 1, 0]))
        return lives

    def _refusal(self, event: np.ndarray, why: int, previous: int) -> str:
        step, i, j, kind = (int(v) for v in event)
        if why == BAD_INDEX:
            n_post, n_pre = self.shape
            return (f"events: neuron indices must be in [0, {n_post}) (post) and "
                    f"[0, {n_pre}) (pre), got ({i}, {j}) at step {step}")
        if why == BAD_KIND:
            return f"events: kind must be +1 (create) or -1 (prune), got {kind} at step {step}"
        if why == BACK_IN_TIME:
            return (f"events: steps must increase and come after step "
                    f"{max(int(previous), self._start)}, got step {step}")
        what = "created but already exists" if why == EXISTS else "pruned but does not exist"
        return f"events: synapse ({i}, {j}) {what} at step {step}"

    def result(self, end: int) -> SynapseLifetimes:
        """Lifetimes so far; synapses alive at ``end`` are censored there."""
        if not self._keep:
            raise ValueError("this tracker does not keep lifetimes (keep_lifetimes=False)")
        if end < self._last:
            raise ValueError(f"end = {end} is before the last event, step {self._last}")
        born = self._birth[self._birth >= 0]
        return _result(self._lives, [end - born], self._initial_lives,
                       int((self._birth == UNKNOWN_BIRTH).sum()), self._n_created,
                       self._n_pruned, self._start, end)


def synapse_lifetimes(
    masks: Sequence[ArrayLike] | np.ndarray, steps: ArrayLike | None = None
) -> SynapseLifetimes:
    """Lifetimes from a sequence of boolean connection masks.

    See :class:`SynapseLifetimeTracker` for how creation and pruning are timed.

    Parameters
    ----------
    masks : sequence of array_like of bool, each shape (n_post, n_pre)
        Which synapses exist at each observed step (at least two masks).
    steps : array_like of int, shape (len(masks),), optional
        Strictly increasing step of each mask (default 0, 1, 2, ...).

    Returns
    -------
    SynapseLifetimes
    """
    n_masks = len(masks)
    if n_masks < 2:
        raise ValueError(f"masks must hold at least two masks, got {n_masks}")
    if steps is None:
        step_arr = np.arange(n_masks, dtype=np.int64)
    else:
        step_arr = as_array(steps, "steps", ndim=(1,))
        if step_arr.shape[0] != n_masks:
            raise ValueError(f"steps has {step_arr.shape[0]} entries for {n_masks} masks")
        if step_arr.dtype.kind == "f" and not np.all(step_arr == np.round(step_arr)):
            raise ValueError("steps must be integers")
        step_arr = step_arr.astype(np.int64)
        if np.any(np.diff(step_arr) <= 0):
            raise ValueError("steps must be strictly increasing")
    tracker = SynapseLifetimeTracker()
    for k in range(n_masks):
        tracker.observe(int(step_arr[k]), masks[k], name=f"masks[{k}]")
    return tracker.result()


def synapse_lifetimes_from_snapshots(
    snapshots: Sequence[tuple[int, ArrayLike]], *, threshold: float = 0.0
) -> SynapseLifetimes:
    """Lifetimes from periodic weight snapshots ``[(step, w_ee), ...]``.

    Parameters
    ----------
    snapshots : sequence of (int, array_like)
        Steps (strictly increasing) and weight matrices (n_post, n_pre); a synapse exists
        where ``w > threshold``.
    threshold : float
        Existence threshold (the engine prunes at <= 0).

    Returns
    -------
    SynapseLifetimes
        See :func:`synapse_lifetimes` for the resolution caveat.
    """
    if len(snapshots) < 2:
        raise ValueError(f"snapshots must hold at least two snapshots, got {len(snapshots)}")
    steps = [step for step, _ in snapshots]
    masks = [as_array(w, "snapshots weight", ndim=(2,)) > threshold for _, w in snapshots]
    return synapse_lifetimes(masks, steps)


_KIND = {"create": 1, "created": 1, 1: 1, "prune": -1, "pruned": -1, -1: -1}


def synapse_lifetimes_from_events(
    events: Iterable[tuple[int, int, int, str | int]],
    *,
    start: int,
    end: int,
    initial: ArrayLike | None = None,
) -> SynapseLifetimes:
    """Lifetimes from an exact log of creation and pruning events.

    Parameters
    ----------
    events : iterable of (step, i, j, kind)
        ``kind`` is ``"create"`` (or ``1``) or ``"prune"`` (or ``-1``); ``i`` is the post-
        and ``j`` the presynaptic neuron. Events are sorted by step (stably) before use.
    start, end : int
        First and last step of the observation; every event step must lie in
        ``(start, end]``.
    initial : array_like of bool, optional
        Synapses existing at ``start`` (default: none).

    Returns
    -------
    SynapseLifetimes
    """
    if end < start:
        raise ValueError(f"end ({end}) must not be before start ({start})")
    rows = sorted(events, key=lambda e: e[0])  # stable: events of one step keep their order
    table = np.empty((len(rows), 4), dtype=np.int64)
    for k, (step, i, j, kind) in enumerate(rows):
        if kind not in _KIND:
            raise ValueError(f"events: unknown kind {kind!r} (use 'create' or 'prune')")
        if not start < step <= end:
            raise ValueError(f"events: step {step} outside (start, end] = ({start}, {end}]")
        table[k] = (step, i, j, _KIND[kind])
    if initial is None:
        # No synapse at the start: a matrix just big enough for the neurons the events name.
        top = table[:, 1:3].max(axis=0) if len(rows) else np.zeros(2, np.int64)
        initial = np.zeros(tuple(np.maximum(top, 0) + 1), dtype=bool)
    tracker = SynapseEventTracker(initial, start)
    tracker.apply(table)
    return tracker.result(end)
