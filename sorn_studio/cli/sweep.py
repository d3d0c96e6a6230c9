"""``sorn-studio sweep``: a parameter grid over seeds, on one core or a Dask cluster.

``--workers 1`` runs the cells here, one after another, without Dask; ``--workers W`` on a
local cluster of W processes (default: one per core); ``--scheduler ADDRESS`` on a running
cluster. Each finished cell prints a line and is written into ``--out`` at once, so a second
run with the same folder goes on where the first stopped; the summary table averages each
grid point over its seeds.
"""

from __future__ import annotations

import _thread
import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .cluster import add_cluster_options, note_connecting, where_text
from .errors import report
from .numbers import whole_number
from .progress import Progress

__all__ = ["add_parser", "sweep_command"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``sweep`` to ``subparsers``; it sets ``func=sweep_command``."""
    sweep = subparsers.add_parser(
        "sweep", help="run a parameter grid over seeds (on Dask when asked)",
        description="Run a network for every combination of the --grid values and every "
        "seed, and tabulate what was measured. Results are written as each network finishes; "
        "run again with the same --out to go on where a run stopped.")
    begin = sweep.add_mutually_exclusive_group(required=True)
    begin.add_argument("--preset", metavar="NAME", help="the preset every network starts from")
    begin.add_argument("--start", type=Path, metavar="SESSION",
                       help="a session file every network continues from (only live "
                       "parameters can change; --seeds K: its own noise and seeds 1 .. K-1)")
    sweep.add_argument("--steps", required=True, type=whole_number(1), metavar="N",
                       help="steps each network runs")
    sweep.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...",
                       help="a parameter and its values (repeat for more axes)")
    sweep.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="a change every network shares")
    sweep.add_argument("--seeds", type=whole_number(1), default=1, metavar="K",
                       help="seeds 0 .. K-1 per grid point (default: 1); with --start, the "
                       "session's own noise and seeds 1 .. K-1")
    sweep.add_argument("--metric", action="append", metavar="NAME",
                       help="what to measure at the end (repeat; default: connection "
                       "fraction, rate, its spread, mean threshold, lognormal dAIC)")
    sweep.add_argument("--keep-sessions", action="store_true",
                       help="save every finished network under OUT/sessions/")
    sweep.add_argument("--trace", type=whole_number(0, 1000), default=0, metavar="N",
                       help="also sample the connection fraction and the rate N times over "
                       "each run (kept in results.json)")
    sweep.add_argument("--jsonl", action="store_true",
                       help="for programs: write one JSON object per line instead of text "
                       "(a 'start' event, a 'record' per finished network, an 'end')")
    sweep.add_argument("--stop-when-input-closes", action="store_true",
                       help="for programs: stop as Ctrl-C does (keeping what finished) when "
                       "standard input reaches its end; works where no signal can be sent, "
                       "as on Windows")
    add_cluster_options(sweep)
    sweep.add_argument("--out", required=True, type=Path, metavar="DIR",
                       help="results.csv, results.json, cells/ (and sessions/) go here")
    sweep.set_defaults(func=sweep_command)
    return sweep


@contextlib.contextmanager
def _stop_when_input_closes(enabled: bool) -> Iterator[None]:
    """While the block runs, interrupt it as Ctrl-C does once standard input reaches its end
    (when ``enabled``). A program that started the sweep stops it by closing the pipe. Runs in
    the main thread."""
    # Only the main thread is interrupted, as by Ctrl-C.
    in_main = threading.current_thread() is threading.main_thread()
    try:
        fd = sys.stdin.fileno() if enabled and in_main and sys.stdin is not None else None
    except (OSError, ValueError):   # no real standard input: nothing can close it
        fd = None
    if fd is None:
        yield
        return
    # A process started with SIGINT ignored (a studio run in the background) would not
    # stop: Python's own handler for the block.
    handler = signal.getsignal(signal.SIGINT)
    if not callable(handler):
        signal.signal(signal.SIGINT, signal.default_int_handler)
    main = threading.main_thread().ident
    armed = threading.Event()
    armed.set()
    # Held while interrupting and while disarming, so that an interrupt comes only while the
    # block runs: the main thread raises it at the latest in Event.clear below.
    lock = threading.Lock()

    def watch() -> None:
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        with lock:
            if not armed.is_set():
                return
            if hasattr(signal, "pthread_kill") and main is not None:
                # A real signal also wakes a wait of the main thread (Dask waits in 10 s
                # slices while it connects or starts a cluster).
                signal.pthread_kill(main, signal.SIGINT)
            else:   # Windows
                _thread.interrupt_main()

    threading.Thread(target=watch, name="stop-when-input-closes", daemon=True).start()
    try:
        yield
    finally:
        with lock:
            armed.clear()
        if not callable(handler):
            signal.signal(signal.SIGINT, handler)


def _os_error_text(out: Path, exc: OSError) -> str:
    """The error of a sweep that could not run: a scheduler that did not answer names
    itself; anything else (the output folder, a local cluster that could not start) says
    where the results were to go."""
    from sorn_studio.ensemble.tasks import SchedulerUnreachable

    if isinstance(exc, SchedulerUnreachable):
        return str(exc)
    return f"cannot run the sweep into {out}: {exc}"


def _summary(records: Sequence[dict[str, Any]], axes: Sequence[str],
             metrics: Sequence[str]) -> list[str]:
    """One line per grid point: each metric's mean and standard deviation over seeds."""
    from sorn_studio.ensemble.summary import grid_points

    lines = []
    for point in grid_points(records, axes):
        cells = [f"{a}={v}" for a, v in zip(axes, point.values, strict=True)] or ["all"]
        for name in metrics:
            pooled = point.mean(name)
            if pooled is not None:
                cells.append(f"{name} {pooled[0]:.4g} \u00b1 {pooled[1]:.2g}")
        lines.append(f"  {'  '.join(cells)}  (n={len(point.records)})")
    return lines


def sweep_command(args: argparse.Namespace) -> int:
    """Run the sweep ``args`` describe.

    Returns
    -------
    int
        0 when every cell finished, 1 when some failed, 2 for bad arguments, 130 after
        Ctrl-C or, with ``--stop-when-input-closes``, the end of standard input (what
        finished is kept).
    """
    from sorn_studio.ensemble import DEFAULT_METRICS, grid, run_sweep
    from sorn_studio.ensemble.summary import parse_axis
    from sorn_studio.params import parse_assignments

    try:
        axes = dict(parse_axis(text) for text in args.grid)
        shared = parse_assignments(args.set)
        metrics = tuple(args.metric or DEFAULT_METRICS)
        preset = args.preset
        if args.start is not None:
            from sorn_studio.ensemble.cells import start_preset

            preset = start_preset(args.start) or "session"
        cells = grid(preset, args.steps, axes, args.seeds, metrics=metrics,
                     keep_session=args.keep_sessions, changes=shared, start=args.start,
                     trace_points=args.trace)
    except (ValueError, OSError) as exc:
        return report(str(exc), "sweep")
    total = len(cells)
    if args.jsonl:
        return _sweep_as_json_lines(args, cells)
    bar = Progress(total, label="networks")

    def show(progress: Any) -> None:
        bar.detail = (f"{progress.done} done, {progress.running} running, "
                      f"{progress.failed} failed" + (f", {progress.skipped} done before"
                                                     if progress.skipped else ""))
        bar.update(progress.skipped + progress.finished)

    def started(progress: Any) -> None:
        bar.initial = progress.skipped
        bar.note(f"{total} networks of {args.steps} steps, {progress.skipped} already done in "
                 f"{args.out}, {where_text(args, total - progress.skipped)}")
        if progress.dashboard:
            bar.note(f"Dask dashboard: {progress.dashboard}")
        show(progress)

    def finished(record: dict[str, Any], progress: Any) -> None:
        values = "  ".join(f"{m} {record[m]:.4g}" for m in metrics
                           if isinstance(record.get(m), int | float))
        seed = "own noise" if record["seed"] is None else f"seed={record['seed']}"
        label = " ".join([*(f"{k}={record.get(k)}" for k in [*axes, *shared]), seed])
        state = (values if record["status"] == "done"
                 else f"FAILED: {record.get('error', '')}")
        bar.note(f"[{progress.skipped + progress.finished}/{total}] {label}: {state}")
        show(progress)

    note_connecting(args)
    try:
        with _stop_when_input_closes(args.stop_when_input_closes):
            records = run_sweep(cells, args.out, workers=args.workers,
                                scheduler=args.scheduler, on_record=finished, on_start=started)
    except KeyboardInterrupt:
        bar.finish()
        sys.stderr.write(f"sorn-studio sweep: stopped; the finished networks are in "
                         f"{args.out} (run again to go on)\n")
        return 130
    except OSError as exc:
        return report(_os_error_text(args.out, exc), "sweep")
    bar.finish()
    print("Summary (mean \u00b1 standard deviation over seeds):")
    for line in _summary(records, list(axes), metrics):
        print(line)
    failed = sum(r.get("status") != "done" for r in records)
    if failed:
        print(f"{failed} of {total} networks failed; their errors are in "
              f"{args.out / 'results.csv'}")
    return 1 if failed else 0


def _sweep_as_json_lines(args: argparse.Namespace, cells: Sequence[Any]) -> int:
    """The sweep with one JSON object per line on standard output (for the studio)."""
    from sorn_studio.ensemble import run_sweep

    def emit(event: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()

    def started(progress: Any) -> None:
        emit({"event": "start", "total": progress.total, "skipped": progress.skipped,
              "slots": progress.slots, "dashboard": progress.dashboard})

    def finished(record: dict[str, Any], progress: Any) -> None:
        emit({"event": "record", "record": record, "done": progress.done,
              "failed": progress.failed, "running": progress.running,
              "seconds_left": progress.seconds_left()})

    try:
        with _stop_when_input_closes(args.stop_when_input_closes):
            records = run_sweep(cells, args.out, workers=args.workers,
                                scheduler=args.scheduler, on_record=finished, on_start=started)
    except KeyboardInterrupt:
        emit({"event": "stopped"})
        return 130
    except OSError as exc:
        return report(_os_error_text(args.out, exc), "sweep")
    failed = sum(r.get("status") != "done" for r in records)
    emit({"event": "end", "records": len(records), "failed": failed})
    return 1 if failed else 0
