"""Replay a session from step 0 and check that it ends exactly where the stored run ended.

A replay applies each logged change exactly at its logged step, one log entry at a time, so it
reproduces the run whatever chunk sizes or frame rates the interactive run had.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..engine import Simulation, Snapshot
from ..engine.follow import LogMismatch, NotRebuilt, follow_change_log, start_of
from ..recording import RecordingSpec
from ..studio.branches import BranchTree
from .files import read_session, recorded_series, snapshot_of, weight_snapshots
from .schema import STATE_FIELDS

__all__ = ["BranchCheck", "ReplayResult", "replay_session", "replay_steps"]


@dataclass(frozen=True)
class ReplayResult:
    """Outcome of :func:`replay_session`.

    Attributes
    ----------
    matched : bool
        True when the replay reproduced the stored run exactly.
    steps : int
        Steps the stored run had.
    replayed : int
        Steps the replay simulated.
    step : int or None
        First step at which the runs were seen to differ (0: the initial state); ``None`` on a
        match.
    array : str or None
        Key of the first differing array (e.g. ``"rec/x"`` or ``"state/w_ee"``).
    message : str
        One sentence saying what happened.
    stopped : bool
        The replay was stopped early by ``should_stop``.
    branches : tuple of BranchCheck
        For a file with a tree of branches, each branch re-run from step 0 and checked
        against the digest of its end; ``matched`` is False when one differs.
    """

    matched: bool
    steps: int
    replayed: int
    step: int | None
    array: str | None
    message: str
    stopped: bool = False
    branches: tuple[BranchCheck, ...] = ()


@dataclass(frozen=True)
class BranchCheck:
    """One branch of a session re-run from step 0 (:func:`replay_session`).

    Attributes
    ----------
    branch : int
        Its number.
    tip_step : int
        The step it reached, where it is checked.
    matched : bool or None
        Whether the re-run ends exactly where the branch ended; None when the file holds no
        digest of its end (the studio never reached it) or the replay was stopped.
    message : str
        One sentence saying what happened.
    stopped : bool
        The re-run was stopped early by ``should_stop`` (the branches after it are not
        checked).
    """

    branch: int
    tip_step: int
    matched: bool | None
    message: str
    stopped: bool = False


@dataclass(frozen=True)
class _Target:
    """What a replay must reproduce, whether it comes from a file or a live simulation."""

    snapshot: Snapshot
    recording: RecordingSpec
    series: Mapping[str, np.ndarray]
    weights: list[tuple[int, np.ndarray]]
    note: str
    branches: BranchTree | None = None


def _target(source: str | os.PathLike[str] | Simulation) -> _Target:
    if isinstance(source, Simulation):
        snap = source.snapshot()
        note = "" if snap.raw_complete else ("raw input was fed in pieces and used columns "
                                             "were dropped")
        return _Target(snap, source.recording, source.recorder.series(),
                       source.recorder.weight_snapshots(), note)
    data = read_session(source)
    info = data.info
    return _Target(snapshot_of(data), info.recording, recorded_series(data.arrays),
                   weight_snapshots(data.arrays), "" if info.replayable else info.replay_note,
                   info.branches)


def _first_row_diff(a: np.ndarray, b: np.ndarray) -> int | None:
    """Index of the first row where ``a`` and ``b`` differ, None when identical."""
    if a.shape != b.shape:
        return 0
    if a.ndim == 1:
        diff = a != b
    else:
        diff = (a != b).reshape(a.shape[0], -1).any(axis=1)
    # NaN never appears in recorded series, so != is an exact comparison here.
    idx = np.flatnonzero(diff)
    return int(idx[0]) if idx.size else None


def _compare(target: _Target, sim: Simulation) -> tuple[int, str] | None:
    """Earliest (step, key) where ``sim`` differs from ``target``; None when identical."""
    want = target.snapshot
    steps = want.step
    found: list[tuple[int, str]] = []
    got = sim.recorder.series()
    steps_kept = target.series.get("step", np.zeros(0, dtype=np.int64))
    for name, rows in target.series.items():
        row = _first_row_diff(rows, got.get(name, np.zeros(0)))
        if row is not None:
            step = int(steps_kept[row]) if row < steps_kept.shape[0] else steps
            found.append((step, f"rec/{name}"))
    mine = sim.recorder.weight_snapshots()
    if len(mine) != len(target.weights):
        found.append((steps, "rec/snapshots"))
    else:
        for (k, w), (k2, w2) in zip(target.weights, mine, strict=True):
            if k != k2 or not np.array_equal(w, w2):
                found.append((int(k), "rec/snapshots"))
                break
    for name in STATE_FIELDS:
        if not np.array_equal(want.state[name], getattr(sim.state, name)):
            found.append((steps, f"state/{name}"))
    if sim.rng_state != want.rng:
        found.append((steps, "rng/current"))
    if not np.array_equal(sim.input.position, want.input_position):
        found.append((steps, "input/position"))
    if sim.params.to_dict() != dict(want.params):
        found.append((steps, "params"))
    # Sort by step, keeping discovery order (spikes first) among ties.
    return min(found, key=lambda f: f[0]) if found else None


def replay_session(source: str | os.PathLike[str] | Simulation, *, backend: str | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   should_stop: Callable[[], bool] | None = None) -> ReplayResult:
    """Re-run a session from step 0 and check that it ends exactly where the stored run ended.

    The replay starts from the parameters and seed of step 0, checks that they rebuild the
    stored initial state, then applies every logged change at its logged step, one entry at a
    time, and compares the recordings, weight snapshots, final state, generator state, input
    position and parameters with the stored ones.

    Parameters
    ----------
    source : path or Simulation
        A session file, or a simulation in memory (which is not changed).
    backend : {"numba", "numpy"}, optional
        Backend of the replay; the run's own by default.
    progress : callable, optional
        Called as ``progress(done, total)`` as the replay advances; ``total`` counts the
        branches' re-runs too (:func:`replay_steps`).
    should_stop : callable, optional
        Checked between chunks; returning True ends the replay early (``stopped=True``).

    Returns
    -------
    ReplayResult
        Whether the runs matched and, if not, the first step and key where they differ. A
        divergence before the first kept recording row is reported at the earliest step the
        comparison can see.

    Raises
    ------
    SessionError
        When the file is invalid (see :func:`~sorn_studio.session.read_session`).
    """
    target = _target(source)
    snap = target.snapshot
    total = snap.step
    if target.note:
        return ReplayResult(False, total, 0, None, None, f"cannot replay: {target.note}")
    try:
        sim = start_of(snap, recording=target.recording, backend=backend)
    except NotRebuilt as exc:
        return ReplayResult(False, total, 0, 0, exc.part, str(exc))
    # One count over the run and the branches that are re-run after it.
    grand = replay_steps(target.branches, total)
    try:
        follow_change_log(sim, snap.change_log, total, should_stop=should_stop,
                          progress=None if progress is None
                          else lambda d, _n: progress(d, grand))
    except LogMismatch as exc:
        return ReplayResult(False, total, sim.t, sim.t, f"params/{exc.name}", str(exc))
    if sim.t < total:
        return ReplayResult(False, total, sim.t, None, None,
                            f"replay stopped at step {sim.t} of {total}", stopped=True)
    diff = _compare(target, sim)
    checks = _check_branches(target, backend, should_stop, progress, total, grand)
    if any(c.stopped for c in checks):
        return ReplayResult(False, total, sim.t, None, None,
                            f"replay stopped while checking the branches: "
                            f"{checks[-1].message}", stopped=True, branches=checks)
    if diff is None:
        wrong = [c.branch for c in checks if c.matched is False]
        if wrong:
            return ReplayResult(False, total, sim.t, None, None,
                                f"replayed {total} steps: the final state is identical, but "
                                f"branch(es) {wrong} end elsewhere", branches=checks)
        return ReplayResult(True, total, sim.t, None, None,
                            f"replayed {total} steps: the final state is identical",
                            branches=checks)
    step, key = diff
    kept = target.series.get("step", np.zeros(0))
    first_kept = int(kept[0]) if kept.size else total
    hint = (f" (the recording keeps steps {first_kept}..{total} only, so the runs may have "
            "diverged earlier)" if step == first_kept and first_kept > 1 else "")
    return ReplayResult(False, total, sim.t, step, key,
                        f"the runs diverged at step {step} in {key!r}{hint}", branches=checks)


def replay_steps(branches: BranchTree | None, steps: int) -> int:
    """Steps a replay simulates: the run's, and each branch's with a digest to check."""
    if branches is None:
        return steps
    return steps + sum(b.tip_step for b in branches.branches if b.digest is not None)


def _check_branches(target: _Target, backend: str | None,
                    should_stop: Callable[[], bool] | None,
                    progress: Callable[[int, int], None] | None,
                    done: int, total: int) -> tuple[BranchCheck, ...]:
    """Re-run each branch of ``target``'s tree from step 0 along its log to its tip;
    ``progress`` goes on counting from ``done`` towards ``total``."""
    if target.branches is None:
        return ()
    checks = []
    for branch in target.branches.branches:
        if branch.digest is None:
            checks.append(BranchCheck(branch.id, branch.tip_step, None,
                                      f"branch {branch.id}: not verified, the studio never "
                                      "reached its end"))
            continue
        sim = start_of(target.snapshot, recording=RecordingSpec(window=1), backend=backend)
        report = (None if progress is None
                  else lambda d, _n, base=done: progress(base + d, total))
        try:
            reached = follow_change_log(sim, branch.log, branch.tip_step, progress=report,
                                        should_stop=should_stop)
        except LogMismatch as exc:
            checks.append(BranchCheck(branch.id, branch.tip_step, False,
                                      f"branch {branch.id}: {exc}"))
            done += branch.tip_step
            continue
        done += branch.tip_step
        if not reached:
            checks.append(BranchCheck(branch.id, branch.tip_step, None,
                                      f"branch {branch.id}: replay stopped at step {sim.t}",
                                      stopped=True))
            break
        same = sim.snapshot().digest() == branch.digest
        checks.append(BranchCheck(
            branch.id, branch.tip_step, same,
            f"branch {branch.id}: replayed {branch.tip_step} steps, "
            + ("it ends exactly where it ended" if same else "it ends in another state")))
    return tuple(checks)
