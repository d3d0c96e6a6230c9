"""Running a sweep's cells: in this process, or on a Dask cluster, as they finish.

``workers=1`` runs the cells one after another here, without Dask (for debugging, and the
baseline of ``benchmarks/sweep_bench.py``). Otherwise the cells go to a ``distributed``
client: the one given, one connected to ``scheduler``, or a ``LocalCluster`` of single-threaded
worker processes (one per core unless ``workers`` says) started for the sweep and closed after
it. A cell that raises is recorded as failed with its error and the others go on; a cell
whose worker is lost is run again by Dask; Ctrl-C cancels what is not finished and keeps
what is.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cells import Cell
from .store import DONE, FAILED, SweepStore
from .tasks import check_where, run_tasks

__all__ = ["SweepProgress", "run_cell", "run_sweep"]


def run_cell(cell: Cell, session_path: str | Path | None = None) -> dict[str, Any]:
    """Run one cell and measure it; a plain record (what a worker sends back).

    Parameters
    ----------
    cell : Cell
    session_path : str or pathlib.Path, optional
        Save the finished network here (when the cell keeps its session).

    Returns
    -------
    dict
        ``key``, ``preset``, the changes, ``seed``, ``steps``, each metric, ``seconds`` (the
        simulation's wall time) and ``status`` ``"done"``; ``session`` when one was saved,
        ``trace`` when the cell samples one: ``t`` (steps since the cell's start, at
        ``round(k * steps / trace_points)``), ``connection_fraction`` (%) then, and
        ``rate_e``, the mean E rate over the newest steps since the sample before (at most
        the recording window, 10 000).
    """
    # Imported in the worker: importing the package compiles nothing.
    from ..session import load_session, save_session
    from ..studio.defaults import make_simulation, studio_recording
    from ..studio.observables import observe

    start = time.perf_counter()
    points = cell.trace_points or 1
    # Sample ends spread evenly (a step count that the points do not divide included).
    ends = sorted({max(1, round(k * cell.steps / points)) for k in range(1, points + 1)})
    if cell.start is None:
        sim = make_simulation(cell.params(), cell.seed)
    else:
        sim, _ = load_session(cell.start)
        if cell.seed is not None:
            sim.restart(cell.seed)
        sim.set_recording(studio_recording(sim.params.ne))
        if cell.changes:
            sim.apply_params(**cell.changes)
    trace: dict[str, list[float]] = {"t": [], "connection_fraction": [], "rate_e": []}
    done = 0
    for end in ends:
        n = end - done
        sim.run(n)
        done = end
        if cell.trace_points:
            trace["t"].append(done)
            trace["connection_fraction"].append(float(observe("connection_fraction", sim)))
            recorded = min(n, sim.recording.window)
            trace["rate_e"].append(float(sim.recorder.rate_e(last=recorded).mean()))
    seconds = time.perf_counter() - start
    record: dict[str, Any] = {"key": cell.key(), "preset": cell.preset, **cell.changes,
                              "seed": cell.seed, "steps": cell.steps}
    for name in cell.metrics:
        value = observe(name, sim)
        record[name] = float(value) if value is not None else None
    record.update(seconds=round(seconds, 4), status=DONE)
    if cell.trace_points:
        record["trace"] = trace
    if cell.keep_session and session_path is not None:
        Path(session_path).parent.mkdir(parents=True, exist_ok=True)
        record["session"] = str(save_session(sim, session_path, preset=cell.preset))
    return record


def _failed(cell: Cell, exc: BaseException) -> dict[str, Any]:
    """The record of a cell that raised ``exc``."""
    return {"key": cell.key(), "preset": cell.preset, **cell.changes, "seed": cell.seed,
            "steps": cell.steps, "status": FAILED, "error": f"{type(exc).__name__}: {exc}",
            "traceback": "".join(traceback.format_exception(exc, limit=8))}


def _guarded(cell: Cell, session_path: str | None) -> dict[str, Any]:
    """:func:`run_cell`, with an exception turned into a failed record."""
    try:
        return run_cell(cell, session_path)
    except Exception as exc:  # noqa: BLE001 - any error of a cell is that cell's result
        return _failed(cell, exc)


@dataclass
class SweepProgress:
    """How far a sweep is (what a progress bar shows): ``running`` is how many cells the
    workers are on (``slots`` run at once)."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    running: int = 0
    started: float = 0.0
    dashboard: str | None = None
    slots: int = 1

    @property
    def finished(self) -> int:
        """Cells with a record from this run."""
        return self.done + self.failed

    def seconds_left(self) -> float | None:
        """Time left at this run's pace so far (None before the first cell finished)."""
        todo = self.total - self.skipped
        if not self.finished or not self.started:
            return None
        return (time.perf_counter() - self.started) / self.finished * (todo - self.finished)


def run_sweep(cells: Sequence[Cell], out: str | Path, *, workers: int | None = None,
              scheduler: str | None = None, client: Any = None,
              on_record: Callable[[dict[str, Any], SweepProgress], None] | None = None,
              on_start: Callable[[SweepProgress], None] | None = None) -> list[dict[str, Any]]:
    """Run ``cells`` and record each in ``out`` as it finishes; skip those already done there.

    Parameters
    ----------
    cells : sequence of Cell
        Distinct cells (a repeated cell is run once).
    out : str or pathlib.Path
        The output folder (:class:`~.store.SweepStore`).
    workers : int, optional
        1: in this process, without Dask. Otherwise the size of the local cluster made for
        the sweep (default: one worker per core); a single cell left to run runs here.
    scheduler : str, optional
        Address of a running Dask scheduler to use instead (``tcp://host:8786``).
    client : distributed.Client, optional
        A client to use instead (it is not closed).
    on_record : callable, optional
        ``on_record(record, progress)`` after each cell finishes (in this process).
    on_start : callable, optional
        ``on_start(progress)`` once the work is handed out (``progress.dashboard`` is the
        Dask dashboard's address when there is one).

    Returns
    -------
    list of dict
        Every cell's record, in the order of ``cells`` (those skipped as done included).

    Raises
    ------
    ValueError
        For ``workers`` below 1, or both a scheduler and a client.
    KeyboardInterrupt
        After cancelling the cells not finished (their records are not written).
    """
    check_where(workers, scheduler, client)
    unique = list({cell.key(): cell for cell in cells}.values())
    store = SweepStore(out)
    # Every record so far by key, in the sweep's order once the table is written; read once.
    records = store.records(unique)
    todo = [cell for cell in unique if records.get(cell.key(), {}).get("status") != DONE]
    progress = SweepProgress(total=len(unique), skipped=len(unique) - len(todo),
                             started=time.perf_counter())

    def table() -> list[dict[str, Any]]:
        return [records[cell.key()] for cell in unique if cell.key() in records]

    def finish(record: dict[str, Any]) -> None:
        record = records[record["key"]] = store.save(record)
        if record["status"] == DONE:
            progress.done += 1
        else:
            progress.failed += 1
        progress.running = min(progress.slots, len(todo) - progress.finished)
        store.write_table(table())
        if on_record is not None:
            on_record(record, progress)

    def path_of(cell: Cell) -> str | None:
        return str(store.session_path(cell)) if cell.keep_session else None

    def started(dashboard: str | None, slots: int) -> None:
        progress.dashboard, progress.slots = dashboard, slots
        progress.running = min(slots, len(todo))
        if on_start is not None:
            on_start(progress)

    if not todo:
        started(None, 1)
    run_tasks(_guarded, [(cell, path_of(cell)) for cell in todo], workers=workers,
              scheduler=scheduler, client=client, keys=[f"cell-{c.key()}" for c in todo],
              on_start=started, on_result=lambda index, record: finish(record),
              on_error=lambda index, exc: _failed(todo[index], exc))
    store.write_table(table())
    return table()
