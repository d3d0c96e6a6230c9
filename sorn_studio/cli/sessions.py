"""``sorn-studio info`` and ``sorn-studio replay``: look at and verify a session file."""

from __future__ import annotations

import argparse

from .errors import EXIT_INTERRUPTED
from .numbers import number_text
from .progress import NullProgress, Progress
from .signals import StopFlag

__all__ = ["add_parsers", "info_command", "replay_command"]


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Add ``info`` and ``replay`` to ``subparsers`` (the ``sorn-studio`` commands).

    They set ``func=info_command`` and ``func=replay_command``.
    """
    info = subparsers.add_parser("info", help="summarise a session file",
                                 description="Print a summary of a session file.")
    info.add_argument("file", metavar="FILE.npz")
    info.set_defaults(func=info_command)

    replay = subparsers.add_parser("replay", help="re-run a session and verify it",
                                   description="Re-run a session from step 0 with its seed and "
                                   "change log and check that it ends in the stored state. Exit "
                                   "status 0 on a match, 1 otherwise.")
    replay.add_argument("file", metavar="FILE.npz")
    replay.add_argument("--quiet", action="store_true", help="no progress bar")
    replay.set_defaults(func=replay_command)


def info_command(args: argparse.Namespace) -> int:
    """Print the summary of the session ``args.file``; 0 (a bad file raises ``SessionError``)."""
    from sorn_studio.session import read_session, session_summary

    data = read_session(args.file)
    s = session_summary(data)
    print(f"file:          {args.file}")
    print(f"preset:        {s['preset'] or '(none)'}")
    print(f"network:       {s['ne']} E, {s['ni']} I; input {s['input_kind']}")
    print(f"seed:          {s['seed']}")
    print(f"steps:         {s['steps']} (recorded: last {s['recorded_steps']})")
    print(f"mean rate:     E {number_text(s['rate_e'])}, I {number_text(s['rate_i'])} "
          "spikes per neuron and step (over the recorded steps)")
    print(f"E->E synapses: {s['n_ee']}, connection fraction {s['connection_fraction']:.4f} "
          f"(initially {s['initial_connection_fraction']:.4f})")
    print(f"I->E synapses: {s['n_ei']}")
    print(f"written by:    sorn-studio {s['app_version']}, schema {s['schema_version']}, "
          f"{s['created']}, backend {s['backend']}")
    changes = s["changes"]
    print(f"changes:       {len(changes) or 'none'}")
    for c in changes:
        print(f"  step {c.step}: {c.name} {c.old!r} -> {c.new!r}")
    for name, value in s["pending"].items():
        print(f"  pending: {name} -> {value!r}")
    if not s["replayable"]:
        print(f"replay:        not possible: {s['replay_note']}")
    return 0


def replay_command(args: argparse.Namespace) -> int:
    """Re-run the session ``args.file`` and compare.

    Returns
    -------
    int
        0 when the re-run ends in the stored state, 1 on a mismatch,
        :data:`~sorn_studio.cli.errors.EXIT_INTERRUPTED` after Ctrl-C.
    """
    from sorn_studio.session import read_session, replay_session
    from sorn_studio.session.replay import replay_steps

    info = read_session(args.file).info
    steps = replay_steps(info.branches, info.steps)
    bar: Progress = NullProgress(steps) if args.quiet else Progress(steps)
    with StopFlag() as stop:
        result = replay_session(args.file, progress=bar.update, should_stop=stop)
    bar.finish()
    for check in result.branches:
        print(f"  {check.message}")
    if result.stopped:
        print(f"interrupted: {result.message}")
        return EXIT_INTERRUPTED
    if result.matched:
        print(f"match: {result.message}")
        return 0
    print(f"MISMATCH: {result.message}")
    return 1
