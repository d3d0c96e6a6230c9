"""Time travel in a studio run: checkpoints, going back to one, and the tree of branches.

A run is its start and its change log (:mod:`sorn_studio.engine.follow`): going back to a
checkpoint and playing on re-applies the logged changes at their steps and gives the same run
again, bit for bit, up to where the user left it (the branch's *tip*) and on from there. A
parameter change made while behind the tip starts a new branch at that step; the old one keeps
its tip. Branches form a tree (:class:`Branch`: parent, step it left it, changes since).

Which checkpoints belong to which branch needs no bookkeeping: a checkpoint lies on a branch
when the changes it had applied are the start of the branch's log and the branch's next
change comes no earlier than its step. So branches share their common past.

:class:`Timeline` holds the tree and the :class:`~.checkpoints.CheckpointStore`; the studio's
:class:`~.runner.Runner` calls it between chunks, in its own thread. Qt-free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .checkpoints import Checkpoint, CheckpointStore, Gathered
from .texts import change_text

if TYPE_CHECKING:
    from ..engine import Simulation

__all__ = ["Branch", "BranchRow", "BranchTree", "Timeline", "TimelineView", "MAX_BRANCHES",
           "DEFAULT_EVERY", "DEFAULT_MAX_BYTES"]

#: Most branches of one run (each may pin a checkpoint of a few MB).
MAX_BRANCHES = 32
#: Steps between checkpoints by default: the studio's recording window, so each checkpoint's
#: recordings reach back to the one before.
DEFAULT_EVERY = 10_000
#: Memory the checkpoints may take by default (about 130 of them at N^E = 200).
DEFAULT_MAX_BYTES = 256 * 2**20

Entry = tuple[int, str, Any, Any]


def _log(entries: Sequence[Any]) -> tuple[Entry, ...]:
    return tuple((int(e[0]), str(e[1]), e[2], e[3]) for e in entries)


@dataclass(frozen=True)
class Branch:
    """One line of the run.

    Attributes
    ----------
    id : int
        Its number (0: the run as it started).
    parent : int or None
        The branch it left (None for branch 0).
    fork_step : int
        The step it left its parent at (for branch 0, the step the studio took the run over).
    tip_step : int
        The furthest step it reached.
    log : tuple of (step, name, old, new)
        Its whole change log, from step 0.
    note : str
        How it began, when not by a change (e.g. "before eta STDP: 0.004 -> 0.01").
    digest : str or None
        :meth:`~sorn_studio.engine.Snapshot.digest` of the run at its tip, once the tip was
        left (a session keeps it, so that a replay can verify the branch).
    """

    id: int
    parent: int | None
    fork_step: int
    tip_step: int
    log: tuple[Entry, ...]
    note: str = ""
    digest: str | None = None

    def holds(self, step: int, applied: Sequence[Entry]) -> bool:
        """Whether the run state at ``step`` with ``applied`` changes lies on this branch."""
        n = len(applied)
        return (step <= self.tip_step and self.log[:n] == tuple(applied)
                and (n == len(self.log) or self.log[n][0] >= step))


@dataclass(frozen=True)
class BranchTree:
    """The branches of a run, as a session keeps them.

    Attributes
    ----------
    current : int
        The branch the saved run is on.
    branches : tuple of Branch
        Every branch, by number; the first has no parent.
    """

    current: int
    branches: tuple[Branch, ...]


@dataclass(frozen=True)
class BranchRow:
    """A branch as the branches panel lists it."""

    id: int
    parent: int | None
    fork_step: int
    tip_step: int
    changes: str
    current: bool


@dataclass(frozen=True)
class TimelineView:
    """What a frame shows of the timeline.

    Attributes
    ----------
    checkpoints : tuple of int
        Steps of the checkpoints on the current branch, ascending.
    nbytes, max_bytes : int
        Memory the checkpoints take, and their cap.
    branches : tuple of BranchRow
        Every branch, by number.
    current : int
        The branch the run is on.
    tip_step : int
        How far the current branch reached (the run is behind it after going back).
    """

    checkpoints: tuple[int, ...]
    nbytes: int
    max_bytes: int
    branches: tuple[BranchRow, ...]
    current: int
    tip_step: int

    def nearest(self, step: float, *, not_after: bool = False) -> int | None:
        """The checkpoint step nearest ``step`` (with ``not_after``, the latest at or before
        it); None when there is none."""
        steps = self.checkpoints
        if not_after:
            before = [s for s in steps if s <= step]
            return before[-1] if before else None
        return min(steps, key=lambda s: (abs(s - step), s)) if steps else None


class Timeline:
    """Checkpoints and branches of one studio run.

    Parameters
    ----------
    sim : Simulation
        The run, at the step the studio takes it over.
    gathered : Gathered
        What the studio gathered over the run (its whole-run history).
    rows : int
        Recorded steps each checkpoint keeps (the studio's window).
    every : int
        Steps between checkpoints (>= 1).
    max_bytes : int
        Memory cap of the checkpoints.
    tree : BranchTree, optional
        The branches the run had (a reopened session), ``sim`` on its current branch; the
        other branches are rebuilt from ``start`` when the user goes to them.
    start : Simulation, optional
        The run at step 0 (:func:`~sorn_studio.engine.follow.start_of`), kept as a checkpoint
        to rebuild branches from.
    """

    def __init__(self, sim: Simulation, gathered: Gathered, *, rows: int,
                 every: int = DEFAULT_EVERY, max_bytes: int = DEFAULT_MAX_BYTES,
                 tree: BranchTree | None = None, start: Simulation | None = None) -> None:
        if isinstance(every, bool) or int(every) != every or every < 1:
            raise ValueError(f"argument 'every' = {every!r} must be a whole number >= 1")
        self.every = int(every)
        self.rows = int(rows)
        self.store = CheckpointStore(max_bytes)
        if tree is None:
            tree = BranchTree(0, (Branch(0, None, int(sim.t), int(sim.t),
                                         _log(sim.change_log)),))
        self._branches: dict[int, Branch] = {b.id: b for b in tree.branches}
        self._next_id = max(self._branches) + 1
        self.current = tree.current
        self._view: TimelineView | None = None
        if sim.pending_changes:
            # Changes asked for count as made: checkpoints hold none pending (the log
            # that branches follow has no place for them).
            sim.run(0)
        # The first checkpoints stay: every branch can be rebuilt from them by its log.
        if start is not None and start.t < sim.t:
            history = gathered.history
            empty = Gathered(type(history)(history.capacity, history.k))
            self.store.add(Checkpoint.take(start, empty, self.rows), permanent=True)
        self.store.add(Checkpoint.take(sim, gathered, self.rows), permanent=True)
        self._sync(sim)

    def tree(self, sim: Simulation) -> BranchTree:
        """The branches to save with the run now (``sim``): the current branch's digest is
        of its tip, taken now when the run is there."""
        self._sync(sim)
        branch = self._branches[self.current]
        if not self.behind(sim):
            self._set(replace(branch, digest=sim.snapshot().digest()))
        return BranchTree(self.current, tuple(sorted(self._branches.values(),
                                                     key=lambda b: b.id)))

    # -- queries -------------------------------------------------------------------------------
    def branch(self, number: int) -> Branch:
        """The branch ``number``; a ValueError names the ones there are."""
        try:
            return self._branches[int(number)]
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"there is no branch {number!r}; the branches are "
                             f"{sorted(self._branches)}") from None

    def behind(self, sim: Simulation) -> bool:
        """Whether ``sim`` is behind the current branch's tip (it went back): playing on
        then follows the branch's logged changes."""
        branch = self._branches[self.current]
        return sim.t < branch.tip_step or len(sim.change_log) < len(branch.log)

    def schedule(self, sim: Simulation) -> tuple[Entry, ...] | None:
        """The change log to follow while behind the tip, else None (the run goes its own
        way and the branch grows)."""
        return self._branches[self.current].log if self.behind(sim) else None

    def on_branch(self, number: int) -> list[Checkpoint]:
        """The checkpoints that lie on branch ``number``, by step."""
        branch = self.branch(number)
        return self.store.where(lambda c: branch.holds(c.step, c.change_log))

    def weight_change(self, sim: Simulation, start: int, end: int | None = None
                      ) -> np.ndarray:
        """W^EE at the current branch's checkpoint ``end`` (None: now) minus W^EE at its
        checkpoint ``start``: what the run did to every synapse in between, (N^E, N^E).

        Raises
        ------
        ValueError
            When the branch has no checkpoint at ``start`` or ``end``.
        """
        def at(step: int) -> np.ndarray:
            found = [c for c in self.on_branch(self.current) if c.step == int(step)]
            if not found:
                raise ValueError(f"there is no checkpoint at step {step!r} on this branch")
            return found[-1].snapshot.state["w_ee"]

        later = sim.w_ee if end is None else at(end)
        return np.asarray(later, dtype=np.float64) - at(start)

    def view(self) -> TimelineView:
        """What frames show (rebuilt only after a change)."""
        if self._view is None:
            rows = tuple(BranchRow(b.id, b.parent, b.fork_step, b.tip_step, self._changes(b),
                                   b.id == self.current)
                         for b in sorted(self._branches.values(), key=lambda b: b.id))
            current = self._branches[self.current]
            self._view = TimelineView(
                tuple(c.step for c in self.on_branch(self.current)), self.store.nbytes,
                self.store.max_bytes, rows, self.current, current.tip_step)
        return self._view

    def _changes(self, branch: Branch) -> str:
        """The branch's own changes (those after the part of the log it shares with its
        parent), as the change log writes them."""
        if branch.parent is None:
            own = branch.log
        else:
            parent = self._branches[branch.parent].log
            shared = 0
            while (shared < min(len(parent), len(branch.log))
                   and parent[shared] == branch.log[shared]):
                shared += 1
            own = branch.log[shared:]
        text = "; ".join(change_text(entry) for entry in own)
        return "; ".join(part for part in (branch.note, text) if part) or "no changes"

    # -- the run goes on -------------------------------------------------------------------------
    def after_steps(self, sim: Simulation, gathered: Gathered) -> None:
        """Call after each chunk: the branch grows with the run, and a checkpoint is taken
        when one is due."""
        self._sync(sim)
        self._offer(sim, gathered)

    def forks(self, sim: Simulation, changes: Mapping[str, Any]) -> bool:
        """Whether applying ``changes`` now starts a branch (they change something while the
        run is behind the tip); call :meth:`fork` once they are applied.

        Raises
        ------
        ValueError
            When it would, and the run already has :data:`MAX_BRANCHES` branches.
        """
        params = sim.params
        if not self.behind(sim) or all(getattr(params, k, v) == v for k, v in changes.items()):
            return False
        self._check_room()
        return True

    def fork(self, sim: Simulation) -> int:
        """Start a branch here, from the changes applied so far; returns its number."""
        return self._fork(_log(sim.change_log), int(sim.t))

    # -- going back ------------------------------------------------------------------------------
    def go_to(self, sim: Simulation, gathered: Gathered, step: int) -> Gathered:
        """Go back (or forward) on the current branch to its checkpoint at ``step``.

        Returns what was gathered, to go on with. Playing on from there gives the branch
        again.

        Raises
        ------
        ValueError
            When the branch has no checkpoint at ``step``.
        """
        found = [c for c in self.on_branch(self.current) if c.step == int(step)]
        if not found:
            steps = [c.step for c in self.on_branch(self.current)]
            raise ValueError(f"there is no checkpoint at step {step!r} on this branch; it has "
                             f"checkpoints at steps {steps}")
        self._leave(sim, gathered)
        return self._restore(sim, found[-1])

    def switch(self, sim: Simulation, gathered: Gathered, number: int) -> tuple[Gathered, int]:
        """Go to the tip of branch ``number``.

        Returns what was gathered, to go on with, and the steps still to run to reach the tip (0
        when its tip was kept; else the run follows the branch's log from the latest
        checkpoint on it, at full speed).
        """
        target = self.branch(number)
        # Found before anything changes: a branch that cannot be reached leaves all as it was.
        checkpoint = self._resume_point(target)
        self._leave(sim, gathered)
        self.current = target.id
        return self._restore(sim, checkpoint), target.tip_step - checkpoint.step

    def branch_before(self, sim: Simulation, gathered: Gathered, index: int
                      ) -> tuple[Gathered, int]:
        """Start a branch just before entry ``index`` of the current branch's log: the run
        as it was at that step, without that change nor those after it.

        Returns what was gathered, to go on with, and the steps to run to get there.

        Raises
        ------
        ValueError
            For an ``index`` outside the log, or when the run already has
            :data:`MAX_BRANCHES` branches.
        """
        self._sync(sim)
        log = self._branches[self.current].log
        if isinstance(index, bool) or not 0 <= int(index) < len(log):
            raise ValueError(f"argument 'index' = {index!r} must name an entry of the change "
                             f"log, 0 to {len(log) - 1}")
        step = log[int(index)][0]
        self._check_room()
        checkpoint = self._resume_point(Branch(-1, None, step, step, log[:int(index)]))
        self._leave(sim, gathered)
        self._fork(log[:int(index)], step, note=f"before {change_text(log[int(index)])}")
        return self._restore(sim, checkpoint), step - checkpoint.step

    def keep(self, sim: Simulation, gathered: Gathered) -> int:
        """Keep a checkpoint of the run now (pinned), to come back to; returns its step.

        A lesson keeps one where each of its steps begins, for "restart step".
        """
        self._sync(sim)
        if not any(c.step == sim.t and len(c.change_log) == len(sim.change_log)
                   for c in self.on_branch(self.current)):
            self.store.add(Checkpoint.take(sim, gathered, self.rows), pinned=True)
            self._view = None
        return int(sim.t)

    def restart(self, sim: Simulation, gathered: Gathered, step: int) -> Gathered:
        """Go back to the checkpoint at ``step`` and start a new branch there at once, so
        that playing on does not repeat what was done after it ("restart step").

        Raises
        ------
        ValueError
            As :meth:`go_to`, or when the run has :data:`MAX_BRANCHES` branches.
        """
        self._check_room()
        restored = self.go_to(sim, gathered, step)
        if self.behind(sim):
            self._fork(_log(sim.change_log), int(sim.t), note="restarted here")
        return restored

    def delete(self, number: int) -> None:
        """Forget branch ``number`` (not the current one, nor one with branches of its own)
        and the checkpoints no other branch holds."""
        branch = self.branch(number)
        if branch.id == self.current or branch.parent is None:
            which = "the current" if branch.id == self.current else "the first"
            raise ValueError(f"branch {number} is {which} branch and cannot be deleted")
        children = [b.id for b in self._branches.values() if b.parent == branch.id]
        if children:
            raise ValueError(f"branch {number} has branches of its own ({children}); delete "
                             "them first")
        del self._branches[branch.id]
        self.store.discard(lambda c: any(b.holds(c.step, c.change_log)
                                         for b in self._branches.values()))
        self._view = None

    # -- inside ----------------------------------------------------------------------------------
    def _sync(self, sim: Simulation) -> None:
        """At or past the tip, the branch is what the run did."""
        if self.behind(sim):
            return
        branch = self._branches[self.current]
        if sim.t > branch.tip_step:
            # The tip kept for coming back is passed: an ordinary checkpoint from now on.
            for checkpoint in self.on_branch(branch.id):
                if checkpoint.step == branch.tip_step:
                    self.store.pin(checkpoint, False)
        if sim.t != branch.tip_step or len(sim.change_log) != len(branch.log):
            self._set(replace(branch, tip_step=int(sim.t), log=_log(sim.change_log)))

    def _set(self, branch: Branch) -> None:
        self._branches[branch.id] = branch
        self._view = None

    def _offer(self, sim: Simulation, gathered: Gathered) -> None:
        bucket = int(sim.t) // self.every
        here = self.on_branch(self.current)
        if sim.pending_changes or any(c.step // self.every == bucket for c in here):
            return
        self.store.add(Checkpoint.take(sim, gathered, self.rows))
        self._view = None

    def _leave(self, sim: Simulation, gathered: Gathered) -> None:
        """Before going elsewhere: changes asked for count as made, and the branch's tip is
        kept (pinned) so that coming back is immediate."""
        if sim.pending_changes:
            sim.run(0)
        self._sync(sim)
        branch = self._branches[self.current]
        if sim.t != branch.tip_step or self.behind(sim):
            return
        # A checkpoint of the tip with every change made there (one taken before a change at
        # the tip step lies on the branch too, but is not its end).
        tips = [c for c in self.on_branch(branch.id)
                if c.step == branch.tip_step and len(c.change_log) == len(branch.log)]
        if tips:
            tip = tips[-1]
            self.store.pin(tip)
        else:
            tip = Checkpoint.take(sim, gathered, self.rows)
            self.store.add(tip, pinned=True)
        self._set(replace(branch, digest=tip.snapshot.digest()))

    def _restore(self, sim: Simulation, checkpoint: Checkpoint) -> Gathered:
        gathered = checkpoint.restore(sim)
        self._view = None
        return gathered

    def _resume_point(self, branch: Branch) -> Checkpoint:
        """The latest checkpoint that lies on ``branch`` (at or before its tip): where going
        there starts.

        Raises
        ------
        ValueError
            When none does (the run cannot be rebuilt from step 0, and the branch's past was
            never in memory).
        """
        kept = self.store.where(lambda c: branch.holds(c.step, c.change_log))
        if not kept:
            which = f"branch {branch.id}" if branch.id >= 0 else "the run before that change"
            raise ValueError(f"no checkpoint lies on {which}, so it cannot be rebuilt: this "
                             "run cannot be replayed from step 0 (its raw input was fed in "
                             "pieces) and that part of it was never in memory")
        return kept[-1]

    def _check_room(self) -> None:
        if len(self._branches) >= MAX_BRANCHES:
            raise ValueError(f"this run has {len(self._branches)} branches, the most it may "
                             "have; delete one in the Branches panel first")

    def _fork(self, log: tuple[Entry, ...], step: int, note: str = "") -> int:
        self._check_room()
        parent = self._branches[self.current]
        # The branch leaves the earliest branch of the line that passes through its start.
        while parent.parent is not None and self._branches[parent.parent].holds(step, log):
            parent = self._branches[parent.parent]
        number = self._next_id
        self._next_id += 1
        self._set(Branch(number, parent.id, int(step), int(step), log, note))
        self.current = number
        return number
