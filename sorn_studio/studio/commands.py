"""The commands a :class:`~sorn_studio.studio.runner.Runner` takes from its inbox.

Any thread may send them (through the runner's methods); the runner's thread applies them in
the order sent, between chunks of steps, so every change happens at a step boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..params import Params

if TYPE_CHECKING:
    import numpy as np

    from ..engine import Simulation

__all__ = ["Command", "Play", "Pause", "Step", "Reset", "Apply", "Speed", "Call", "Replace",
           "Refresh", "Stop"]


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
    """Continue with another simulation, with the whole-run history it was saved with."""

    sim: Simulation
    history: Mapping[str, np.ndarray] | None = None
    saved: bool = True


@dataclass(frozen=True)
class Refresh:
    """Publish a new frame (with new weights and analyses) even when nothing changed."""


@dataclass(frozen=True)
class Stop:
    """End the loop."""


Command = Play | Pause | Step | Reset | Apply | Speed | Call | Replace | Refresh | Stop
