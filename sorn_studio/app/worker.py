"""The worker thread that drives the Qt-free :class:`~sorn_studio.studio.runner.Runner`.

The runner publishes frames into a :class:`FrameMailbox` (one slot, latest wins). The GUI
thread takes them on its own repaint timer, so the simulation never waits for painting and no
frame queues up in the Qt event loop.
"""

from __future__ import annotations

import threading
import traceback
import weakref

from PySide6.QtCore import QThread, Signal

from ..studio.frames import Frame
from ..studio.runner import Runner

__all__ = ["FrameMailbox", "SimThread", "live_threads"]

_THREADS: weakref.WeakSet[SimThread] = weakref.WeakSet()


def live_threads() -> list[SimThread]:
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


class SimThread(QThread):
    """A ``QThread`` whose ``run`` is the runner's loop.

    Signals
    -------
    failed(str, str)
        The runner reported an error (message, details); emitted from the worker thread and
        delivered to GUI-thread receivers through the event loop.
    """

    failed = Signal(str, str)

    def __init__(self, runner: Runner) -> None:
        super().__init__()
        self.runner = runner
        self.setObjectName("sorn-simulation")
        _THREADS.add(self)

    def run(self) -> None:  # noqa: D102 - QThread API
        try:
            self.runner.run()
        except Exception as exc:  # noqa: BLE001 - the loop itself failed: tell the GUI
            self.failed.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())
