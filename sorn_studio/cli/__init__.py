"""The ``sorn-studio`` command.

Usage::

    sorn-studio                                  open the studio (same as ``gui``)
    sorn-studio gui [SESSION.npz] [--preset NAME] [--seed S] [--steps N] [--screenshot FILE.png]
                    [--quit]
    sorn-studio run --preset NAME --steps N [--seed S] [--set name=value ...] [--full-record]
                    [--window W] [--raw FILE.npy] [--compress] [--quiet] --out FILE.npz
    sorn-studio info FILE.npz
    sorn-studio replay FILE.npz [--quiet]
    sorn-studio presets
    sorn-studio report SESSION.npz --out DIR [--format png|svg|pdf ...] [--progress]
    sorn-studio compare (--preset NAME | --from SESSION.npz) --steps N [--seed S]
                    --variant NAME=VALUE[,NAME=VALUE...] ... [--quiet] [--out DIR]
    sorn-studio experiment counting|spontaneous|avalanches ...
    sorn-studio sweep (--preset NAME | --start SESSION.npz) --steps N [--grid NAME=V1,V2,...]
                    [--seeds K] [--metric NAME ...] [--jsonl] [--stop-when-input-closes]
                    [--workers W | --scheduler ADDRESS] --out DIR

Exit status: 0 on success; 1 when ``replay`` finds a difference, a sweep's network fails or
the studio fails (a session it cannot open, a scripted run that fails); 2 for a usage error,
an invalid value or an unreadable file; 130 when a command was interrupted with Ctrl-C (``run``
still saves what was done, ``sweep`` keeps the networks that finished; with
``--stop-when-input-closes`` the end of its standard input does the same). The user's
errors are one line on stderr, never a traceback (a broken installation, such as a failing
import, shows its traceback).

Each command lives in its own module, with the function that adds its parser to the
sub-commands (``add_parser``; ``add_parsers`` in :mod:`.sessions` for ``info`` and ``replay``)
and the function the parser stores as ``func``: :mod:`.gui`, :mod:`.run`, :mod:`.sessions`,
:mod:`.presets`, :mod:`.report`, :mod:`.compare`, :mod:`.experiments`, :mod:`.lesson`,
:mod:`.sweep`.
"""

from __future__ import annotations

import argparse
import sys

from . import compare, experiments, gui, lesson, presets, report, run, sessions, sweep
from .errors import EXIT_INTERRUPTED, PROG, UsageError
from .errors import report as report_error
from .progress import NullProgress, Progress
from .run import run_steps
from .signals import StopFlag

__all__ = ["EXIT_INTERRUPTED", "NullProgress", "Progress", "StopFlag", "build_parser", "main",
           "run_steps"]


def build_parser() -> argparse.ArgumentParser:
    """The ``sorn-studio`` argument parser with every subcommand.

    Returns
    -------
    argparse.ArgumentParser
        Ready to parse; each subcommand sets ``func(args) -> int``.
    """
    from sorn_studio import __version__

    parser = argparse.ArgumentParser(
        prog=PROG, description="SORN Studio: a self-organizing recurrent neural network that "
        "learns in front of you. Without a command, the studio opens.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui.add_parser(sub)
    run.add_parser(sub)
    sessions.add_parsers(sub)
    presets.add_parser(sub)
    report.add_parser(sub)
    compare.add_parser(sub)
    experiments.add_parser(sub)
    lesson.add_parser(sub)
    sweep.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``sorn-studio`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        The exit status (see the module docstring).
    """
    from sorn_studio.session import SessionError

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            # Without a command (an empty argv: any argument is a command or exits), the
            # studio opens with gui's defaults.
            args = parser.parse_args(["gui"])
    except SystemExit as exc:  # argparse has printed its one-line usage error or the help
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    try:
        return int(args.func(args))
    except (UsageError, SessionError, ValueError, TypeError, OSError) as exc:
        return report_error(str(exc))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
