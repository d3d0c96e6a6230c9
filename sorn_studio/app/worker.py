"""The worker thread that drives the Qt-free :class:`~sorn_studio.studio.runner.Runner`.

The runner publishes frames into a :class:`FrameMailbox` (one slot, latest wins). The GUI
thread takes them on its own repaint timer, so the simulation never waits for painting and no
frame queues up in the Qt event loop.
"""

from __future__ import annotations

import threading
import time
import traceback
import weakref
from typing import Any

from PySide6.QtCore import QThread, Signal

from ..studio.frames import Frame
from ..studio.runner import Runner

__all__ = ["FrameMailbox", "LoopThread", "PAINT_BUDGET", "PaintPacer", "SimThread",
           "live_threads"]

#: Largest fraction of the time the GUI thread spends showing frames while a network runs.
#: Painting competes with the simulation for the machine (caches, memory bandwidth, the GIL),
#: so after a frame that took t seconds to show, the next one waits until t / PAINT_BUDGET
#: has passed: a light window keeps the full frame rate, a heavy one (many large views, a
#: slow machine) paints less often instead of slowing the network down.
PAINT_BUDGET = 0.2

_THREADS: weakref.WeakSet[LoopThread] = weakref.WeakSet()


def live_threads() -> list[LoopThread]:
    """Worker threads that are still running (tests assert there are none after a close)."""
    return [t for t in list(_THREADS) if t.isRunning()]


class FrameMailbox:
    """A one-frame slot shared by the worker (writer) and the GUI thread (reader)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Frame | None = None

    def put(self, frame: Frame) -> None:
        """Store ``frame``, replacing any frame not taken yet."""
        with self._lock:
            self._frame = frame

    def take(self) -> Frame | None:
        """Remove and return the waiting frame, or ``None``."""
        with self._lock:
            frame, self._frame = self._frame, None
        return frame

    def empty(self) -> bool:
        """Whether the last frame was taken (the runner builds a new one only then)."""
        with self._lock:
            return self._frame is None


class PaintPacer:
    """Takes frames from a mailbox no faster than the paint budget allows, and counts them.

    Call :meth:`take` on every tick of the GUI's repaint timer and, after a frame was shown,
    :meth:`painted`. While the budget holds the next frame back it stays in the mailbox, and
    the worker builds no newer one: neither thread spends anything on frames nobody sees.
    """

    def __init__(self, mailbox: FrameMailbox) -> None:
        self.mailbox = mailbox
        self.frames_painted = 0
        self.paint_seconds = 0.0
        #: Frames shown per second, measured over about a second.
        self.fps = 0.0
        self._not_before = 0.0
        self._count = 0
        self._since = time.perf_counter()

    def take(self) -> Any | None:
        """The waiting frame if the budget allows one now, else None."""
        now = time.perf_counter()
        if now - self._since >= 1.0:
            self.fps = self._count / (now - self._since)
            self._count = 0
            self._since = now
        return self.mailbox.take() if now >= self._not_before else None

    def painted(self, started: float, running: bool) -> None:
        """A frame taken at ``started`` (``time.perf_counter()``) has been shown."""
        now = time.perf_counter()
        cost = now - started
        self.frames_painted += 1
        self._count += 1
        self.paint_seconds += cost
        self._not_before = started + cost / PAINT_BUDGET if running else 0.0


class LoopThread(QThread):
    """A ``QThread`` whose ``run`` is a run loop's ``run()`` (a runner's, a comparison's).

    Signals
    -------
    failed(str, str)
        The runner reported an error (message, details); emitted from the worker thread and
        delivered to GUI-thread receivers through the event loop.
    """

    failed = Signal(str, str)

    def __init__(self, runner: Any, name: str = "sorn-simulation") -> None:
        super().__init__()
        self.runner = runner
        self.setObjectName(name)
        _THREADS.add(self)

    def run(self) -> None:  # noqa: D102 - QThread API
        try:
            self.runner.run()
        except Exception as exc:  # noqa: BLE001 - the loop itself failed: tell the GUI
            self.failed.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())


class SimThread(LoopThread):
    """The worker thread of the studio's :class:`~sorn_studio.studio.runner.Runner`."""

    def __init__(self, runner: Runner) -> None:
        super().__init__(runner, "sorn-simulation")
