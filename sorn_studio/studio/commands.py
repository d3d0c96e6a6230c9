"""The commands the studio's run loops take from their :class:`Inbox`: the
:class:`~sorn_studio.studio.runner.Runner`'s and the Compare mode's
:class:`~sorn_studio.studio.comparison.CompareRunner`'s.

Any thread may send them (through the loop's methods); the loop's thread applies them in the
order sent, between chunks of steps, so every change happens at a step boundary.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..params import Params

if TYPE_CHECKING:
    import numpy as np

    from ..engine import Simulation
    from .branches import BranchTree

__all__ = ["Command", "Inbox", "Play", "Pause", "Step", "Reset", "Apply", "Speed", "Call",
           "Replace", "Refresh", "GoTo", "SwitchBranch", "BranchBefore", "DeleteBranch",
           "Restart", "Watch", "MeasureAttribution", "Stop"]


@dataclass(frozen=True)
class Play:
    """Run freely until paused."""


@dataclass(frozen=True)
class Pause:
    """Stop stepping (also cancels a pending "step N")."""


@dataclass(frozen=True)
class Step:
    """Do ``n`` more steps, then pause; ``full_speed`` does them ignoring the speed limit."""

    n: int
    full_speed: bool = False


@dataclass(frozen=True)
class Reset:
    """Restart at step 0; ``None`` keeps the seed / the parameters."""

    seed: int | None
    params: Params | None


@dataclass(frozen=True)
class Apply:
    """Change live parameters."""

    changes: Mapping[str, Any]


@dataclass(frozen=True)
class Speed:
    """Limit the speed (``None``: as fast as possible)."""

    steps_per_second: float | None


@dataclass(frozen=True)
class Call:
    """Run ``fn(sim)`` in the runner's thread and resolve ``future`` with its result.

    ``saves``: ``fn`` saves the run, so once it succeeds the steps so far count as saved.
    """

    fn: Callable[[Simulation], Any]
    future: Future
    saves: bool = False


@dataclass(frozen=True)
class Replace:
    """Continue with another simulation, with the whole-run history and the tree of branches
    it was saved with."""

    sim: Simulation
    history: Mapping[str, np.ndarray] | None = None
    saved: bool = True
    branches: BranchTree | None = None


@dataclass(frozen=True)
class Refresh:
    """Publish a new frame (with new weights and analyses) even when nothing changed."""


@dataclass(frozen=True)
class GoTo:
    """Go back (or forward) to the current branch's checkpoint at ``step``, paused."""

    step: int


@dataclass(frozen=True)
class SwitchBranch:
    """Go to the tip of branch ``number`` (rebuilt at full speed when its tip was not kept)."""

    number: int


@dataclass(frozen=True)
class BranchBefore:
    """Start a branch just before entry ``index`` of the current branch's change log."""

    index: int


@dataclass(frozen=True)
class DeleteBranch:
    """Forget branch ``number`` and the checkpoints only it holds."""

    number: int


@dataclass(frozen=True)
class Restart:
    """Go back to the checkpoint at ``step`` and branch there at once (restart a step)."""

    step: int


@dataclass(frozen=True)
class Watch:
    """Evaluate ``fn(sim, analysis)`` for every frame (None: stop), in the runner's thread."""

    fn: Callable[[Simulation, Any], Any] | None


@dataclass(frozen=True)
class MeasureAttribution:
    """Measure (or stop measuring) what each rule does."""

    on: bool


@dataclass(frozen=True)
class Stop:
    """End the loop."""


Command = (Play | Pause | Step | Reset | Apply | Speed | Call | Replace | Refresh | GoTo
           | SwitchBranch | BranchBefore | DeleteBranch | Restart | Watch | MeasureAttribution
           | Stop)


class Inbox:
    """The thread-safe command queue of a run loop, with the events its threads wait on.

    Any thread :meth:`send` s; the loop's thread takes the commands with :meth:`take_all`
    between chunks, and waits for the next one with :meth:`wait` when it has nothing to do.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._arrived = threading.Event()
        self._idle = threading.Event()
        self._stopped = threading.Event()

    def send(self, command: Command) -> None:
        """Queue ``command`` (any thread)."""
        self._idle.clear()
        self._queue.put(command)
        self._arrived.set()

    def stop(self) -> None:
        """Ask the loop to end, at once and through the queue (any thread)."""
        self._stopped.set()
        self.send(Stop())

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called or a :class:`Stop` taken."""
        return self._stopped.is_set()

    def take_all(self) -> Iterator[Command]:
        """The queued commands in the order sent (the loop's thread); a :class:`Stop` among
        them marks the inbox stopped."""
        self._arrived.clear()
        while True:
            try:
                command = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(command, Stop):
                self._stopped.set()
            yield command

    def empty(self) -> bool:
        """Whether no command waits."""
        return self._queue.empty()

    def pending(self) -> bool:
        """Whether a command arrived since the last :meth:`take_all` (a running chunk stops
        early for it)."""
        return self._arrived.is_set() or self._stopped.is_set()

    def wait(self, timeout: float) -> None:
        """Sleep until a command arrives, at most ``timeout`` seconds."""
        self._arrived.wait(timeout)

    def mark_idle(self) -> None:
        """The loop applied every command and has nothing more to do now."""
        self._idle.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the loop is idle; False on timeout."""
        return self._idle.wait(timeout)
