"""``sorn-studio run``: run a network without a window and save it as a session file."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import EXIT_INTERRUPTED, UsageError
from .numbers import SEED, whole_number
from .progress import NullProgress, Progress
from .signals import StopFlag

if TYPE_CHECKING:  # the engine (numba) loads only when a command runs
    from sorn_studio.engine import Simulation
    from sorn_studio.studio.history import History

__all__ = ["add_parser", "run_command", "run_steps"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``run`` to ``subparsers`` (the ``sorn-studio`` commands): ``func=run_command``."""
    run = subparsers.add_parser("run", help="run a network headless and save the session",
                                description="Run a network without a window and save it as a "
                                "session file. Ctrl-C stops at a step boundary and saves what "
                                "was done (exit status 130).")
    run.add_argument("--preset", required=True, metavar="NAME", help="preset to start from "
                     "(see 'sorn-studio presets')")
    run.add_argument("--steps", required=True, type=whole_number(0), metavar="N",
                     help="steps to run")
    run.add_argument("--seed", type=SEED, metavar="S",
                     help="random seed (default: a fresh one, stored in the file)")
    run.add_argument("--set", action="append", metavar="name=value",
                     help="change a parameter (repeatable), e.g. --set eta_stdp=0.002")
    run.add_argument("--full-record", action="store_true",
                     help="keep every step's spikes and traces (default: the last --window)")
    run.add_argument("--window", type=whole_number(1), default=10_000, metavar="W",
                     help="steps of recording kept without --full-record (default 10000)")
    run.add_argument("--weights-every", type=whole_number(0), default=0, metavar="K",
                     help="keep a copy of W^EE every K steps (the newest 100, or all with "
                     "--full-record), for synapse lifetimes in 'sorn-studio report' "
                     "(default 0: none)")
    run.add_argument("--raw", metavar="FILE.npy", help="(nu, T) raw input for raw-input "
                     "presets")
    run.add_argument("--compress", action="store_true",
                     help="deflate the file (about half the size, slower to save)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--out", required=True, metavar="FILE.npz", help="session file to write")
    run.set_defaults(func=run_command)
    return run


def run_steps(sim: Simulation, steps: int, should_stop: Callable[[], bool],
              progress: Callable[[int, int], None] | None = None,
              history: History | None = None) -> int:
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
    history : History, optional
        Takes in every step, as the studio's does, so that the session keeps the whole run's
        connection and threshold history however small its recording window.

    Returns
    -------
    int
        Steps simulated.
    """
    if should_stop():
        return 0
    if history is None:
        return sim.run(steps, progress=progress, should_stop=should_stop)
    from sorn_studio.engine.simulation import MAX_CHUNK

    spec = sim.recorder.spec
    # The history reads each span from the recorder, so a span must fit in its window.
    span = MAX_CHUNK if spec.full else max(1, min(spec.window, MAX_CHUNK))
    done = 0
    while done < steps:
        made = sim.run(min(span, steps - done))
        history.take(sim, made)
        done += made
        if progress is not None:
            progress(done, steps)
        if done < steps and should_stop():
            break
    return done


def run_command(args: argparse.Namespace) -> int:
    """Run ``sorn-studio run`` as parsed into ``args``.

    Returns
    -------
    int
        0, or :data:`~sorn_studio.cli.errors.EXIT_INTERRUPTED` after Ctrl-C (the steps done
        are saved either way).

    Raises
    ------
    UsageError, ValueError, OSError
        For a bad option value or an unreadable ``--raw`` file.
    """
    # Imported when the command runs: each command loads only the modules it uses.
    import numpy as np

    from sorn_studio.atomic import check_writable
    from sorn_studio.engine import Simulation
    from sorn_studio.memory import available_bytes
    from sorn_studio.params import parse_assignments
    from sorn_studio.presets import get_preset
    from sorn_studio.recording import RecordingSpec
    from sorn_studio.session import save_session
    from sorn_studio.studio.defaults import tracked_neurons
    from sorn_studio.studio.history import History

    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"--out {out}: is a folder; give a file name ending in .npz")
    try:
        # Before the steps run, not after: an hour's run must not end in "cannot write".
        check_writable(out, "session")
    except OSError as exc:
        raise UsageError(f"--out: {exc.args[-1]}") from None
    params = get_preset(args.preset).params
    changes = parse_assignments(args.set or [])
    if changes:
        params = params.replace(**changes)
    raw = None
    if args.raw is not None:
        try:
            raw = np.load(args.raw, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise UsageError(f"--raw {args.raw}: cannot read it as a .npy array: "
                             f"{exc}") from None
        if not isinstance(raw, np.ndarray):   # np.load opens an .npz as an archive
            raw.close()
            raise UsageError(f"--raw {args.raw}: is a .npz archive; give a .npy file holding "
                             "one (nu, T) array")
    if raw is not None and params.input_kind != "raw":
        raise UsageError(f"--raw {args.raw}: preset {args.preset!r} has input_kind = "
                         f"{params.input_kind!r}; --raw drives only raw-input presets")
    if params.input_kind == "raw" and raw is None:
        raise UsageError(f"preset {args.preset!r} uses raw input; pass --raw FILE.npy holding "
                         f"a (nu={params.nu}, T >= {args.steps}) array")
    every = args.weights_every
    if every:
        # The snapshots are kept in memory until the save (the newest max_snapshots of them,
        # or all with --full-record): refuse now what would fill it at the end.
        kept = args.steps // every
        if not args.full_record:
            kept = min(kept, RecordingSpec().max_snapshots)
        need = kept * params.ne * params.ne * 8
        free = available_bytes()
        if free is not None and need > free // 2:
            raise UsageError(f"--weights-every {every} keeps {kept} copies of W^EE "
                             f"({need / 2**20:,.0f} MB), more than half the "
                             f"{free / 2**20:,.0f} MB this system has free; choose a larger K"
                             f"{'' if args.full_record else ' or a smaller network'}")
    # Trace the thresholds the studio plots, so a headless session opens with its traces.
    neurons = tracked_neurons(params.ne)
    spec = (RecordingSpec(full=True, neurons=neurons, weights_every=every) if args.full_record
            else RecordingSpec(window=args.window, neurons=neurons, weights_every=every))
    sim = Simulation(params, args.seed, recording=spec, raw_input=raw)
    bar: Progress = (NullProgress(args.steps) if args.quiet else Progress(args.steps))
    history = History(k=len(neurons))
    with StopFlag() as stop:
        done = run_steps(sim, args.steps, stop, bar.update, history=history)
        bar.finish()
        interrupted = stop.stopped and done < args.steps
        save_session(sim, out, preset=args.preset, compress=args.compress,
                     extra={"cli": {"steps_requested": args.steps, "interrupted": interrupted}},
                     history=history.points())
    how = f"interrupted after {done} of {args.steps} steps" if interrupted else f"{done} steps"
    print(f"saved {out} ({how}, seed {sim.seed})")
    return EXIT_INTERRUPTED if interrupted else 0
