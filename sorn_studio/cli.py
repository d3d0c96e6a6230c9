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
    sorn-studio experiment ...                   (when sorn_studio.experiments is installed)

Exit status: 0 on success; 1 when ``replay`` finds a difference; 2 for a usage error, an
invalid value or an unreadable file; 130 when ``run`` or ``replay`` was interrupted with Ctrl-C
(``run`` still saves what was done). Errors are one line on stderr, never a traceback.

``experiment`` subcommands come from ``sorn_studio.experiments.cli.register(subparsers)``: it
receives the sub-parsers of ``experiment`` and each parser it adds sets
``func=callable(args) -> int`` with ``set_defaults``.
"""

from __future__ import annotations

import argparse
import importlib
import math
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sorn_studio.progress import NullProgress, Progress

__all__ = ["EXIT_INTERRUPTED", "Progress", "StopFlag", "main", "run_steps"]

PROG = "sorn-studio"

#: Exit status of a run stopped with Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


class _Error(Exception):
    """A user-facing error: printed as one line, exit status 2."""


# -- Ctrl-C --------------------------------------------------------------------------------------
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

    def __enter__(self) -> StopFlag:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        except ValueError:
            self._installed = False
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)


def run_steps(sim: Any, steps: int, should_stop: Callable[[], bool],
              progress: Callable[[int, int], None] | None = None) -> int:
    """Advance ``sim`` up to ``steps`` steps, stopping early at a step boundary on request.

    Parameters
    ----------
    sim : Simulation
        The simulation to advance.
    steps : int
        Steps wanted.
    should_stop : callable
        Checked between chunks; True ends the run there.
    progress : callable, optional
        Called as ``progress(done, steps)``.

    Returns
    -------
    int
        Steps simulated.
    """
    if should_stop():
        return 0
    return sim.run(steps, progress=progress, should_stop=should_stop)


# -- commands ------------------------------------------------------------------------------------
def _cmd_run(args: argparse.Namespace) -> int:
    import numpy as np

    from .engine import Simulation
    from .params import parse_assignments
    from .presets import get_preset
    from .recording import RecordingSpec
    from .runner import tracked_neurons
    from .session import save_session

    if args.steps < 0:
        raise _Error(f"--steps {args.steps}: must be >= 0")
    if args.seed is not None and args.seed < 0:
        raise _Error(f"--seed {args.seed}: must be >= 0")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise _Error(f"--out {out}: folder {out.parent} does not exist")
    params = get_preset(args.preset).params
    changes = parse_assignments(args.set or [])
    if changes:
        params = params.replace(**changes)
    raw = None
    if args.raw is not None:
        try:
            raw = np.load(args.raw, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise _Error(f"--raw {args.raw}: cannot read it as a .npy array: {exc}") from None
    if params.input_kind == "raw" and raw is None:
        raise _Error(f"preset {args.preset!r} uses raw input; pass --raw FILE.npy holding a "
                     f"(nu={params.nu}, T >= {args.steps}) array")
    # Trace the thresholds the studio plots, so a headless session opens with its traces.
    neurons = tracked_neurons(params.ne)
    spec = (RecordingSpec(full=True, neurons=neurons) if args.full_record
            else RecordingSpec(window=args.window, neurons=neurons))
    sim = Simulation(params, args.seed, recording=spec, raw_input=raw)
    bar: Progress = (NullProgress(args.steps) if args.quiet else Progress(args.steps))
    with StopFlag() as stop:
        done = run_steps(sim, args.steps, stop, bar.update)
        bar.finish()
        interrupted = stop.stopped and done < args.steps
        save_session(sim, out, preset=args.preset, compress=args.compress,
                     extra={"cli": {"steps_requested": args.steps, "interrupted": interrupted}})
    how = f"interrupted after {done} of {args.steps} steps" if interrupted else f"{done} steps"
    print(f"saved {out} ({how}, seed {sim.seed})")
    return EXIT_INTERRUPTED if interrupted else 0


def _fmt_rate(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.4f}"


def _cmd_info(args: argparse.Namespace) -> int:
    from .session import read_session, session_summary

    data = read_session(args.file)
    s = session_summary(data)
    print(f"file:          {args.file}")
    print(f"preset:        {s['preset'] or '(none)'}")
    print(f"network:       {s['ne']} E, {s['ni']} I; input {s['input_kind']}")
    print(f"seed:          {s['seed']}")
    print(f"steps:         {s['steps']} (recorded: last {s['recorded_steps']})")
    print(f"mean rate:     E {_fmt_rate(s['rate_e'])}, I {_fmt_rate(s['rate_i'])} "
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


def _cmd_replay(args: argparse.Namespace) -> int:
    from .session import read_session, replay_session

    steps = read_session(args.file).info.steps
    bar: Progress = NullProgress(steps) if args.quiet else Progress(steps)
    with StopFlag() as stop:
        result = replay_session(args.file, progress=bar.update, should_stop=stop)
    bar.finish()
    if result.stopped:
        print(f"interrupted: {result.message}")
        return EXIT_INTERRUPTED
    if result.matched:
        print(f"match: {result.message}")
        return 0
    print(f"MISMATCH: {result.message}")
    return 1


def _cmd_presets(_args: argparse.Namespace) -> int:
    from .presets import get_preset, list_presets

    names = list_presets()
    width = max((len(n) for n in names), default=0)
    for name in names:
        print(f"{name:<{width}}  {get_preset(name).summary}")
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    try:
        app = importlib.import_module("sorn_studio.app.main")
    except ImportError as exc:
        print(f"{PROG}: error: the studio is not available: {exc}", file=sys.stderr)
        return 2
    entry = getattr(app, "main", None)
    if entry is None:
        print(f"{PROG}: error: the studio is not available: sorn_studio.app.main has no "
              "main()", file=sys.stderr)
        return 2
    result = entry(list(args.gui_argv))
    return int(result or 0)


# -- parser --------------------------------------------------------------------------------------
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


def _add_experiments(sub: Any) -> None:
    parser = sub.add_parser("experiment", help="run a published experiment",
                            description="Run one of the published experiments.")
    try:
        module = importlib.import_module("sorn_studio.experiments.cli")
    except ImportError as exc:
        reason = f"the experiments are not available: {exc}"
        parser.set_defaults(func=lambda _a: _unavailable(reason))
        return
    exp_sub = parser.add_subparsers(dest="experiment", metavar="EXPERIMENT")
    try:
        module.register(exp_sub)
    except Exception as exc:  # a broken plug-in must not take run/info/replay down with it
        reason = f"the experiments could not be set up: {type(exc).__name__}: {exc}"
        parser.set_defaults(func=lambda _a: _unavailable(reason))
        return
    parser.set_defaults(func=lambda _a: _unavailable("choose an experiment: "
                                                      + ", ".join(exp_sub.choices)))


def _unavailable(reason: str) -> int:
    print(f"{PROG}: error: {reason}", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    """The ``sorn-studio`` argument parser with every subcommand.

    Returns
    -------
    argparse.ArgumentParser
        Ready to parse; each subcommand sets ``func(args) -> int``.
    """
    from . import __version__

    parser = argparse.ArgumentParser(
        prog=PROG, description="SORN Studio: a self-organizing recurrent neural network that "
        "learns in front of you. Without a command, the studio opens.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the studio (the default)",
                         description="Open the studio window.")
    gui.add_argument("session", nargs="?", metavar="SESSION.npz", help="session to open")
    gui.add_argument("--preset", metavar="NAME", help="preset to start with")
    gui.add_argument("--seed", type=int, metavar="S", help="network seed")
    gui.add_argument("--steps", type=int, metavar="N", help="steps to run at start")
    gui.add_argument("--screenshot", metavar="FILE.png", help="save a screenshot of the window")
    gui.add_argument("--quit", action="store_true", help="quit after the steps / screenshot")
    gui.set_defaults(func=_cmd_gui)

    run = sub.add_parser("run", help="run a network headless and save the session",
                         description="Run a network without a window and save it as a "
                         "session file. Ctrl-C stops at a step boundary and saves what was "
                         "done (exit status 130).")
    run.add_argument("--preset", required=True, metavar="NAME", help="preset to start from "
                     "(see 'sorn-studio presets')")
    run.add_argument("--steps", required=True, type=int, metavar="N", help="steps to run")
    run.add_argument("--seed", type=int, metavar="S", help="random seed (default: a fresh "
                     "one, stored in the file)")
    run.add_argument("--set", action="append", metavar="name=value",
                     help="change a parameter (repeatable), e.g. --set eta_stdp=0.002")
    run.add_argument("--full-record", action="store_true",
                     help="keep every step's spikes and traces (default: the last --window)")
    run.add_argument("--window", type=int, default=10_000, metavar="W",
                     help="steps of recording kept without --full-record (default 10000)")
    run.add_argument("--raw", metavar="FILE.npy", help="(nu, T) raw input for raw-input "
                     "presets")
    run.add_argument("--compress", action="store_true",
                     help="deflate the file (about half the size, slower to save)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--out", required=True, metavar="FILE.npz", help="session file to write")
    run.set_defaults(func=_cmd_run)

    info = sub.add_parser("info", help="summarise a session file",
                          description="Print a summary of a session file.")
    info.add_argument("file", metavar="FILE.npz")
    info.set_defaults(func=_cmd_info)

    replay = sub.add_parser("replay", help="re-run a session and verify it",
                            description="Re-run a session from step 0 with its seed and "
                            "change log and check that it ends in the stored state. Exit "
                            "status 0 on a match, 1 otherwise.")
    replay.add_argument("file", metavar="FILE.npz")
    replay.add_argument("--quiet", action="store_true", help="no progress bar")
    replay.set_defaults(func=_cmd_replay)

    presets = sub.add_parser("presets", help="list the presets",
                             description="List the presets, one line each.")
    presets.set_defaults(func=_cmd_presets)

    _add_experiments(sub)
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
    from .session import SessionError

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its one-line usage error or the help
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    if args.command is None:
        args.func = _cmd_gui
        args.gui_argv = []
    elif args.command == "gui":
        args.gui_argv = _gui_argv(args)
    try:
        return int(args.func(args))
    except (_Error, SessionError, ValueError, TypeError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
