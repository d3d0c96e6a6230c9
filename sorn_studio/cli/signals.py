"""Ctrl-C during a long run: stop at the next step boundary instead of losing the work.

SIGTERM (a ``kill``, a session manager logging out) ends the command at once, but as an
exception, so that a file being written is cleaned up instead of left half-written.
"""

from __future__ import annotations

import signal
import sys
from typing import Any, TextIO

__all__ = ["StopFlag"]


class StopFlag:
    """Turns the first SIGINT into a request to stop at the next step boundary.

    A second Ctrl-C raises ``KeyboardInterrupt`` as usual, for a user who does not want to
    wait. Outside the main thread (where signal handlers cannot be set) it only stops on
    :meth:`set`.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stopped = False
        self.stream = stream if stream is not None else sys.stderr
        self._previous: Any = None
        self._installed = False

    def set(self) -> None:
        """Request the stop."""
        self.stopped = True

    def __call__(self) -> bool:
        return self.stopped

    def _handler(self, _signum: int, _frame: Any) -> None:
        if self.stopped:
            raise KeyboardInterrupt
        self.stopped = True
        self.stream.write("\nstopping at the next step boundary and saving "
                          "(Ctrl-C again aborts without saving)\n")
        self.stream.flush()

    @staticmethod
    def _terminate(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    def __enter__(self) -> StopFlag:
        try:
            self._previous = (signal.signal(signal.SIGINT, self._handler),
                              signal.signal(signal.SIGTERM, self._terminate))
            self._installed = True
        except ValueError:   # not the main thread
            self._installed = False
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous[0])
            signal.signal(signal.SIGTERM, self._previous[1])
