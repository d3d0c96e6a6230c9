"""Scripted runs of the studio: ``sorn-studio gui --steps N --screenshot FILE.png --quit``.

A :class:`ScriptedRun` drives an open :class:`~sorn_studio.app.window.MainWindow` from outside:
it asks for the steps, listens to the controller's frames until the last step has been shown
with its weights, grabs the window into the PNG and closes it. The window knows nothing about
it, except that a run which closes by itself turns the window's error dialogs off (nobody
could click them away) and ends with exit status 1 instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from ..studio.frames import Frame

if TYPE_CHECKING:  # the window imports every view; the run only needs the name for its hints
    from .window import MainWindow

__all__ = ["ScriptedRun"]

#: Wait after the final frame before grabbing the window, so the views' paint events run.
SETTLE_MS = 50


class ScriptedRun(QObject):
    """Do ``steps`` steps in ``window``, then save a screenshot and/or close the window.

    Parameters
    ----------
    window : MainWindow
        The open studio window (the run is its child and goes with it).
    steps : int
        Steps to run (>= 0; with 0 the current state is shown and grabbed).
    screenshot : path, optional
        PNG to write once the steps are shown, in an existing folder.
    quit_after : bool
        Close the window at the end. An error from the controller then ends the run with
        :attr:`result` 2 instead of a dialog.
    start_step : int
        The step the window's network is at (a loaded session's); the run ends at
        ``start_step + steps``.

    Attributes
    ----------
    result : int or None
        None until the run ends; then 0, or 2 when it failed (the command line's exit
        status for a bad value or file).
    error : str or None
        Why it failed.
    """

    def __init__(self, window: MainWindow, steps: int, screenshot: str | Path | None = None,
                 quit_after: bool = False, start_step: int = 0) -> None:
        super().__init__(window)
        self.window = window
        self.steps = int(steps)
        self.target = int(start_step) + self.steps
        self.screenshot = Path(screenshot) if screenshot else None
        self.quit_after = quit_after
        self.result: int | None = None
        self.error: str | None = None
        self._pending = False
        # Connected after the window's own slots, so a frame reaches us once it is painted.
        window.controller.frame.connect(self._frame)
        window.controller.error.connect(self._error)

    def start(self) -> None:
        """Ask for the steps (or, with none, for a frame of the current state)."""
        self._pending = True
        if self.quit_after:
            self.window.interactive_errors = False
            self.window.confirm_discard = False
        if self.steps > 0:
            # At full speed even under a speed limit (presentation mode sets one): a script
            # is not watched as it runs.
            self.window.step(self.steps, full_speed=True)
        else:
            self.window.controller.runner.refresh()

    def _frame(self, frame: Frame) -> None:
        done = frame.step >= self.target and not frame.running
        if self._pending and done:
            # Several such frames may come; _finish runs once.
            QTimer.singleShot(SETTLE_MS, self._finish)

    def _finish(self) -> None:
        if not self._pending:
            return
        self._pending = False
        self.result = 0
        if self.screenshot is not None:
            QApplication.processEvents()
            if not self.window.grab().save(str(self.screenshot)):
                self.error = f"could not write the screenshot {self.screenshot}"
                self.result = 2
        if self.quit_after:
            self.window.close()

    def _error(self, message: str, _details: str = "") -> None:
        # Without --quit the window shows its dialog and the run goes on, as for a user.
        if not (self._pending and self.quit_after):
            return
        self._pending = False
        self.error = message
        self.result = 2
        self.window.close()
