"""Exit statuses and user-facing errors of the ``sorn-studio`` command."""

from __future__ import annotations

import sys

__all__ = ["EXIT_INTERRUPTED", "EXIT_USAGE", "PROG", "UsageError", "report"]

PROG = "sorn-studio"

#: Exit status of a usage error, an invalid value or an unreadable file.
EXIT_USAGE = 2
#: Exit status of a run stopped with Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A mistake of the user's (a bad option value, a missing folder): one line, exit status 2.

    :func:`sorn_studio.cli.main` prints it like argparse prints its own errors, without a
    traceback.
    """


def report(message: str, command: str = "") -> int:
    """Print ``sorn-studio[ COMMAND]: error: MESSAGE`` on stderr.

    Parameters
    ----------
    message : str
        One line saying what is wrong.
    command : str, optional
        The subcommand the message is about (e.g. ``"gui"``), named after the program.

    Returns
    -------
    int
        :data:`EXIT_USAGE`, so a command can ``return report(...)``.
    """
    prog = f"{PROG} {command}" if command else PROG
    print(f"{prog}: error: {message}", file=sys.stderr)
    return EXIT_USAGE
