"""Plain-text progress for long command-line runs, on a terminal or in a log."""

from __future__ import annotations

import math
import sys
import time
from typing import TextIO

from sorn_studio.studio.texts import duration_text

__all__ = ["NullProgress", "Progress"]


class Progress:
    """A plain-text progress bar with speed and time left, for a terminal or a log.

    On a terminal it redraws one line at most ten times a second; otherwise it writes a line
    every ``log_every`` seconds, so logs stay short.
    """

    def __init__(self, total: int, stream: TextIO | None = None, label: str = "steps",
                 log_every: float = 10.0, title: str = "", initial: int = 0) -> None:
        self.total = max(int(total), 0)
        #: Done before this run (a resumed sweep's): counted, but not in the speed.
        self.initial = int(initial)
        #: Shown after the time left, e.g. "2 running, 1 failed".
        self.detail = ""
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.title = f"{title} " if title else ""
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = 0.1 if self.tty else log_every
        self.start = time.perf_counter()
        self._last = -math.inf
        self._done = self.initial

    @property
    def done(self) -> int:
        """What the last update said was done."""
        return self._done

    def text(self, done: int) -> str:
        """The progress line for ``done`` steps."""
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        rate = (done - self.initial) / elapsed
        frac = done / self.total if self.total else 1.0
        width = 30
        filled = int(round(width * frac))
        left = (self.total - done) / rate if rate > 0 else math.inf
        # Slow units (networks, not steps) need decimals to say anything.
        speed = f"{rate:,.0f}" if rate >= 10 else f"{rate:.2g}"
        return (f"{self.title}[{'#' * filled}{'.' * (width - filled)}] {100 * frac:5.1f}% "
                f"{done}/{self.total} {self.label}  {speed} {self.label}/s  "
                f"left {duration_text(left)}" + (f"  {self.detail}" if self.detail else ""))

    def update(self, done: int, _total: int | None = None) -> None:
        """Show ``done`` steps (throttled)."""
        self._done = done
        now = time.perf_counter()
        if now - self._last < self.interval:
            return
        self._last = now
        self._write(self.text(done))

    def note(self, line: str, stream: TextIO | None = None) -> None:
        """Write ``line`` (to ``stream``, default standard output) above the bar, which a
        terminal then shows again below it."""
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
        target = stream if stream is not None else sys.stdout
        target.write(line + "\n")
        target.flush()
        if self.tty:
            self.stream.write(self.text(self._done))
            self.stream.flush()

    def finish(self) -> None:
        """Draw the final state and end the line."""
        self._write(self.text(self._done))
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()

    def _write(self, line: str) -> None:
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


class NullProgress(Progress):
    """A :class:`Progress` that shows nothing (``--quiet``)."""

    def update(self, done: int, _total: int | None = None) -> None:
        self._done = done

    def finish(self) -> None:
        return
