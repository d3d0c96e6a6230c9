"""``sorn-studio gui`` (and bare ``sorn-studio``): open the studio.

``--lesson`` starts a lesson, ``--theme`` and ``--presentation`` set the look (a class can start
with ``sorn-studio gui --lesson intrinsic_plasticity --presentation``). ``--steps N`` runs N
steps after the window opens; ``--screenshot`` then writes the window to a PNG (this works with
``QT_QPA_PLATFORM=offscreen``); ``--quit`` closes the studio afterwards.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .errors import report
from .numbers import SEED, whole_number

__all__ = ["add_parser", "gui_command"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``gui`` to ``subparsers`` (the ``sorn-studio`` commands); it sets ``func=gui_command``.

    This is the only parser of the studio's arguments: bare ``sorn-studio`` and
    ``python -m sorn_studio.app.main`` go through it too.
    """
    from sorn_studio.presets import DEFAULT_PRESET, list_presets

    gui = subparsers.add_parser(
        "gui", help="open the studio (the default)",
        description="Open SORN Studio: a live SORN in a window, tuned while it runs.")
    gui.add_argument("session", nargs="?", type=Path, metavar="SESSION.npz",
                     help="a session file (.npz) to continue")
    gui.add_argument("--preset", choices=list_presets(), metavar="NAME",
                     help=f"parameter preset to start with (default: the session's, or "
                     f"{DEFAULT_PRESET}; see 'sorn-studio presets')")
    gui.add_argument("--seed", type=SEED, default=0, metavar="S",
                     help="network seed (default: 0)")
    gui.add_argument("--steps", type=whole_number(0), default=0, metavar="N",
                     help="run N steps after the window opens")
    gui.add_argument("--screenshot", type=Path, metavar="FILE.png",
                     help="after the steps, save the window to this PNG")
    gui.add_argument("--quit", action="store_true",
                     help="close the studio after the steps and the screenshot")
    gui.add_argument("--lesson", metavar="NAME|FILE.toml",
                     help="start a lesson: a bundled one (see 'sorn-studio lesson --list') or "
                     "a lesson file")
    gui.add_argument("--theme", choices=("dark", "light"),
                     help="the colour theme (remembered, as when chosen in the View menu)")
    gui.add_argument("--presentation", action="store_true",
                     help="open in presentation mode (View -> Presentation, F11)")
    gui.set_defaults(func=gui_command)
    return gui


def gui_command(args: argparse.Namespace) -> int:
    """Open the studio with the options in ``args``.

    Returns
    -------
    int
        2 for an invalid ``--steps``, ``--lesson`` or ``--screenshot`` (not a .png, or its folder
        does not exist); otherwise the studio's exit status (see :func:`sorn_studio.app.main.main`).
    """
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        return report("--screenshot needs a .png file name", "gui")
    if args.screenshot is not None and not args.screenshot.resolve().parent.is_dir():
        # Checked before the window opens; no folder is created for it.
        return report(f"--screenshot {args.screenshot}: folder {args.screenshot.parent} does "
                      "not exist", "gui")
    lesson = None
    if args.lesson is not None:
        from sorn_studio.lessons import LessonError, find_lesson

        try:
            lesson = find_lesson(args.lesson)
        except (LessonError, OSError) as exc:
            return report(f"--lesson: {exc}", "gui")
    # Imported here, after the checks: Qt takes a while to load and no other command needs it.
    from sorn_studio.app.main import StudioOptions, main

    return main(StudioOptions(session=args.session, preset=args.preset, seed=args.seed,
                              steps=args.steps, screenshot=args.screenshot, quit=args.quit,
                              lesson=lesson, theme=args.theme,
                              presentation=args.presentation))
