"""``sorn-studio gui`` (and bare ``sorn-studio``): open the studio."""

from __future__ import annotations

import argparse

__all__ = ["add_parser", "gui_command"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``gui`` to the sub-commands of ``sorn-studio``; it sets ``func=gui_command``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``add_subparsers()`` of the ``sorn-studio`` parser returned.

    Returns
    -------
    argparse.ArgumentParser
        The ``gui`` parser.
    """
    gui = subparsers.add_parser("gui", help="open the studio (the default)",
                                description="Open the studio window.")
    gui.add_argument("session", nargs="?", metavar="SESSION.npz", help="session to open")
    gui.add_argument("--preset", metavar="NAME", help="preset to start with")
    gui.add_argument("--seed", type=int, metavar="S", help="network seed")
    gui.add_argument("--steps", type=int, metavar="N", help="steps to run at start")
    gui.add_argument("--screenshot", metavar="FILE.png", help="save a screenshot of the window")
    gui.add_argument("--quit", action="store_true", help="quit after the steps / screenshot")
    gui.set_defaults(func=gui_command)
    return gui


def _gui_argv(args: argparse.Namespace) -> list[str]:
    argv: list[str] = []
    if args.session:
        argv.append(args.session)
    if args.preset:
        argv += ["--preset", args.preset]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if args.steps is not None:
        argv += ["--steps", str(args.steps)]
    if args.screenshot:
        argv += ["--screenshot", args.screenshot]
    if args.quit:
        argv.append("--quit")
    return argv


def gui_command(args: argparse.Namespace) -> int:
    """Open the studio with the options in ``args``; the studio's exit status."""
    # Imported here: Qt takes a while to load and the headless commands never need it.
    from sorn_studio.app.main import main

    return int(main(_gui_argv(args)) or 0)
