"""Entry point of the studio: what ``sorn-studio`` and ``sorn-studio gui ...`` open.

The command line (:mod:`sorn_studio.cli.gui`) parses the arguments into :class:`StudioOptions`
and calls :func:`main`. ``python -m sorn_studio.app.main [SESSION.npz] [--preset NAME] ...``
takes the same arguments as ``sorn-studio gui``, through the same parser.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lessons import Lesson

__all__ = ["StudioOptions", "main"]


@dataclass(frozen=True)
class StudioOptions:
    """What the studio opens with, and what it does by itself once it is open.

    ``sorn_studio.cli.gui`` checks the values it fills in (``steps >= 0``, a ``.png``
    screenshot).

    Attributes
    ----------
    session : Path, optional
        A session file to continue.
    preset : str, optional
        Preset to start with (default: the session's, or the default preset).
    seed : int
        Network seed (a session brings its own).
    steps : int
        Steps to run once the window is open.
    screenshot : Path, optional
        After the steps, save the window to this PNG.
    quit : bool
        Close the studio after the steps and the screenshot.
    lesson : Lesson, optional
        Start this lesson once the window is open (before the steps).
    theme : str, optional
        ``"dark"`` or ``"light"``; remembered unless the run is scripted.
    presentation : bool
        Open in presentation mode.
    """

    session: Path | None = None
    preset: str | None = None
    seed: int = 0
    steps: int = 0
    screenshot: Path | None = None
    quit: bool = False
    lesson: Lesson | None = None
    theme: str | None = None
    presentation: bool = False

    @property
    def scripted(self) -> bool:
        """Whether the studio runs unattended (a screenshot, or closing by itself)."""
        return self.quit or self.screenshot is not None


def main(options: StudioOptions | None = None) -> int:
    """Run the studio until its window closes.

    Parameters
    ----------
    options : StudioOptions, optional
        What to open and do (``StudioOptions()``, the default preset, when omitted).

    Returns
    -------
    int
        Exit status: 0 on success, 2 when the session cannot be opened, a scripted run fails
        or the screenshot cannot be written (one line on stderr says why). When Qt cannot
        load its platform plugin the process ends with status 1, after naming the system
        packages to install (see :mod:`.qt_platform`).
    """
    if options is None:
        options = StudioOptions()

    from PySide6.QtCore import QEvent, QEventLoop
    from PySide6.QtWidgets import QApplication

    from ..presets import DEFAULT_PRESET, get_preset
    from ..session import load_session
    from .qt_platform import platform_failure_hint
    from .scripted import ScriptedRun
    from .window import MainWindow

    app = QApplication.instance()
    own_app = app is None
    if app is None:
        # Qt aborts when it cannot load its platform plugin; this says which system packages
        # to install first (on a minimal Linux, the X11 plugin's libraries).
        with platform_failure_hint():
            app = QApplication([sys.argv[0] if sys.argv else "sorn-studio"])
    app.setApplicationName("SORN Studio")
    app.setOrganizationName("SORN Studio")

    sim, preset = None, options.preset
    if options.session is not None:
        try:
            sim, meta = load_session(options.session)
        except (OSError, ValueError) as exc:
            sys.stderr.write(f"sorn-studio gui: error: cannot open {options.session}: {exc}\n")
            return 2
        preset = preset or meta.preset
    else:
        preset = preset or DEFAULT_PRESET
    params = get_preset(preset).params if sim is None else None
    # Scripted runs (screenshots for the docs) use the default layout so they are reproducible.
    window = MainWindow(params=params, preset=preset, seed=options.seed, sim=sim,
                        remember_layout=not options.scripted)
    if options.theme is not None:
        window.look_menu.set_theme(options.theme, remember=not options.scripted)
    if options.lesson is not None:
        window.lesson.start(options.lesson)
        window.docks["lesson"].show()
        window.docks["lesson"].raise_()
    window.show()
    if options.presentation:
        window.look_menu.set_presenting(True)
    script = None
    if options.steps or options.scripted:
        script = ScriptedRun(window, options.steps, options.screenshot, options.quit,
                             start_step=sim.t if sim is not None else 0)
        script.start()
    if own_app:
        window.closed.connect(app.quit)
        app.exec()
    else:
        # Inside a running application (tests, an embedding program) quitting the application
        # would leave Qt's quit flag set and stop every later event loop: run a local loop.
        loop = QEventLoop()
        window.closed.connect(loop.quit)
        loop.exec()
    # A run closed before its script ended (by the user, or without --quit) is a success.
    result = (script.result or 0) if script is not None else 0
    if result:
        sys.stderr.write(f"sorn-studio gui: error: {script.error}\n")
    # Destroy the window's C++ side now, while the application exists: left to interpreter
    # shutdown, pyqtgraph's items may be torn down after Qt and crash the process on exit.
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return result


if __name__ == "__main__":
    # The arguments are sorn-studio gui's: parsed by the command line's one parser for them.
    from sorn_studio.cli import main as cli_main

    sys.exit(cli_main(["gui", *sys.argv[1:]]))
