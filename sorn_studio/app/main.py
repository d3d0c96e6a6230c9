"""Entry point of the studio: ``sorn-studio`` and ``sorn-studio gui ...``.

::

    gui [SESSION.npz] [--preset NAME] [--seed S] [--steps N] [--screenshot FILE.png] [--quit]

``--steps N`` runs N steps after the window opens; ``--screenshot`` then writes the window to a
PNG (this works with ``QT_QPA_PLATFORM=offscreen``); ``--quit`` closes the studio afterwards.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sorn-studio gui``."""
    from ..presets import DEFAULT_PRESET, list_presets

    parser = argparse.ArgumentParser(
        prog="sorn-studio gui",
        description="Open SORN Studio: a live SORN in a window, tuned while it runs.")
    parser.add_argument("session", nargs="?", type=Path,
                        help="a session file (.npz) to continue")
    parser.add_argument("--preset", choices=list_presets(), default=None,
                        help=f"parameter preset to start with (default: {DEFAULT_PRESET})")
    parser.add_argument("--seed", type=int, default=0, help="network seed (default: 0)")
    parser.add_argument("--steps", type=int, default=0, metavar="N",
                        help="run N steps after the window opens")
    parser.add_argument("--screenshot", type=Path, default=None, metavar="FILE.png",
                        help="after the steps, save the window to this PNG")
    parser.add_argument("--quit", action="store_true",
                        help="close the studio after the steps and the screenshot")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the studio.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after ``gui`` (``sys.argv[1:]`` when omitted), e.g.
        ``["--preset", "lazar2009", "--steps", "5000", "--screenshot", "s.png", "--quit"]``.

    Returns
    -------
    int
        Exit status: 0 on success, 1 when the session cannot be opened, a scripted run fails,
        or the screenshot cannot be written, 2 for invalid arguments.
    """
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.steps < 0:
        sys.stderr.write("sorn-studio gui: error: --steps must be >= 0\n")
        return 2
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        sys.stderr.write("sorn-studio gui: error: --screenshot needs a .png file name\n")
        return 2

    from PySide6.QtCore import QEvent, QEventLoop
    from PySide6.QtWidgets import QApplication

    from ..presets import DEFAULT_PRESET, get_preset
    from ..session import load_session
    from .forms import style_sheet
    from .window import MainWindow

    app = QApplication.instance()
    own_app = app is None
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "sorn-studio"])
    app.setApplicationName("SORN Studio")
    app.setOrganizationName("SORN Studio")
    app.setStyleSheet(style_sheet())

    scripted = args.quit or args.screenshot is not None
    sim, preset = None, args.preset
    if args.session is not None:
        try:
            sim, meta = load_session(args.session)
        except (OSError, ValueError) as exc:
            sys.stderr.write(f"sorn-studio gui: error: cannot open {args.session}: {exc}\n")
            return 1
        preset = preset or getattr(meta, "preset", None)
    else:
        preset = preset or DEFAULT_PRESET
    params = get_preset(preset).params if sim is None else None
    # Scripted runs (screenshots for the docs) use the default layout so they are reproducible.
    window = MainWindow(params=params, preset=preset, seed=args.seed, sim=sim,
                        remember_layout=not scripted)
    window.show()
    if args.steps or scripted:
        window.run_script(args.steps, args.screenshot, args.quit)
    if own_app:
        window.closed.connect(app.quit)
        app.exec()
    else:
        # Inside a running application (tests, an embedding program) quitting the application
        # would leave Qt's quit flag set and stop every later event loop: run a local loop.
        loop = QEventLoop()
        window.closed.connect(loop.quit)
        loop.exec()
    if window.last_error and (window.script_result or 0) != 0:
        sys.stderr.write(f"sorn-studio gui: error: {window.last_error}\n")
    result = int(window.script_result or 0)
    # Destroy the window's C++ side now, while the application exists: left to interpreter
    # shutdown, pyqtgraph's items may be torn down after Qt and crash the process on exit.
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return result


if __name__ == "__main__":
    sys.exit(main())
