"""The controller: the GUI thread's only link to the simulation.

It owns the worker thread, the runner and the frame mailbox. Views and panels never touch the
simulation: they call the controller, which turns each request into a runner command (applied
by the worker at a step boundary), and they receive frames from the controller's repaint timer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ..params import Params
from ..session import read_session, save_session, saved_history, simulation_of
from ..studio.defaults import UniformRawInput
from ..studio.frames import Frame
from ..studio.runner import Runner
from .worker import FrameMailbox, PaintPacer, SimThread

if TYPE_CHECKING:
    import numpy as np

    from ..engine import Simulation
    from ..session import SessionInfo

__all__ = ["Controller", "FRAME_RATE"]

#: Repaint rate of the views (frames per second); the runner never sends more.
FRAME_RATE = 20
#: Quiet time before a burst of slider moves is sent to the engine as one change.
DEBOUNCE_MS = 120


class Controller(QObject):
    """Run a simulation in a worker thread and hand its frames to the GUI.

    Parameters
    ----------
    sim : Simulation
        The simulation to drive (from now on owned by the worker thread).
    preset : str, optional
        Name of the preset the simulation came from (stored in exported sessions).
    frame_rate : float
        Frames per second to paint.

    Signals
    -------
    frame(Frame)
        A new frame was taken from the mailbox (GUI thread).
    error(str, str)
        A command, step or file operation failed: message, details.
    message(str)
        Something worth a line in the status bar.
    session_loaded(object)
        A session was opened; the argument is its metadata.
    running_changed(bool)
        :attr:`running` changed (the window enables its controls from it).
    """

    frame = Signal(object)
    error = Signal(str, str)
    message = Signal(str)
    session_loaded = Signal(object)
    running_changed = Signal(bool)
    _in_gui = Signal(object)

    def __init__(self, sim: Simulation, preset: str | None = None, frame_rate: float = FRAME_RATE,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.preset = preset
        self.mailbox = FrameMailbox()
        # Raw-input presets (sorn 0.7.4) get endless uniform input, as that package's examples.
        self.runner = Runner(sim, self.mailbox.put, ready=self.mailbox.empty,
                             on_error=self._worker_error, max_fps=frame_rate,
                             raw_source=UniformRawInput(seed=int(sim.seed)))
        self.thread = SimThread(self.runner)
        self.thread.failed.connect(self._on_worker_error)
        self._in_gui.connect(self._call_in_gui, Qt.ConnectionType.QueuedConnection)
        self.last_frame: Frame | None = None
        self._playing = False  # the user asked the network to run freely
        # The step the "step N" under way started at and the one it ends at; a Step N clicked
        # while it runs moves the end. Progress counts from frames' step numbers, which stay
        # right even in a frame built before the runner took the newest Step.
        self._step_span = (0, 0)
        self._running = False
        self.pacer = PaintPacer(self.mailbox)
        self._pending_live: dict[str, Any] = {}
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.flush_params)
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, round(1000 / frame_rate)))
        self._timer.timeout.connect(self._take_frame)

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker thread and the repaint timer."""
        self.thread.start()
        self._timer.start()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop the worker and wait for its thread to end; returns whether it ended."""
        self._timer.stop()
        self._debounce.stop()
        self.runner.stop()
        if not self.thread.isRunning():
            return True
        return self.thread.wait(timeout_ms)

    # -- running state ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the network runs, as the GUI should show it.

        True from a play or step request until a pause, reset, session opened or error, and
        while the newest frame says steps are being done; a "step N" ends with the frame
        that says it is done.
        """
        return self._running

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self.running_changed.emit(running)

    def _stop_playing(self) -> None:
        self._playing = False
        self._set_running(False)

    # -- commands --------------------------------------------------------------------------------
    def play(self) -> None:
        """Run freely."""
        self.flush_params()
        self._playing = True
        self.runner.play()
        self._set_running(True)

    def pause(self) -> None:
        """Pause at the next step boundary."""
        self.runner.pause()
        self._stop_playing()

    def step(self, n: int = 1, full_speed: bool = False) -> None:
        """Do ``n`` steps, then pause; ``full_speed`` ignores the speed limit for them."""
        self.flush_params()
        # The runner adds a Step to the steps still due, and so does the progress.
        frame = self.last_frame
        now = frame.step if frame is not None else 0
        stepping = (frame is not None and frame.status.pending_steps > 0 and self._running
                    and not self._playing)
        start, end = self._step_span if stepping else (now, now)
        self._step_span = (start, end + int(n))
        self._playing = False
        self.runner.step(n, full_speed=full_speed)
        self._set_running(True)

    def step_progress(self) -> tuple[int, int] | None:
        """``(done, total)`` of the "step N" under way, as the newest frame says; else None."""
        frame = self.last_frame
        if frame is None or frame.status.playing or not frame.status.pending_steps:
            return None
        start, end = self._step_span
        total = max(end, frame.step + frame.status.pending_steps) - start
        return min(max(frame.step - start, 0), total), total

    def reset(self, seed: int | None = None, params: Params | None = None) -> None:
        """Restart at step 0 (``None`` keeps the seed / parameters)."""
        self._pending_live.clear()
        self._debounce.stop()
        self.runner.reset(seed=seed, params=params)
        self._stop_playing()

    def set_speed(self, steps_per_second: float | None) -> None:
        """Limit the speed (``None``: as fast as possible)."""
        self.runner.set_speed(steps_per_second)

    def apply_live(self, changes: dict[str, Any]) -> None:
        """Queue live parameter changes; a burst is sent as one command after a short pause."""
        self._pending_live.update(changes)
        self._debounce.start()

    def flush_params(self) -> None:
        """Send the queued live changes now."""
        self._debounce.stop()
        if self._pending_live:
            changes, self._pending_live = self._pending_live, {}
            self.runner.apply_params(**changes)

    # -- time travel -----------------------------------------------------------------------------
    def go_to(self, step: int) -> None:
        """Pause and go to the current branch's checkpoint at ``step``."""
        self.flush_params()
        self.runner.go_to(step)
        self._stop_playing()

    def switch_branch(self, number: int) -> None:
        """Pause and go to the end of branch ``number``."""
        self.flush_params()
        self.runner.switch_branch(number)
        self._stop_playing()

    def branch_before(self, index: int) -> None:
        """Pause and branch from just before entry ``index`` of the change log."""
        self.flush_params()
        self.runner.branch_before(index)
        self._stop_playing()

    def delete_branch(self, number: int) -> None:
        """Forget branch ``number`` and the checkpoints only it holds."""
        self.runner.delete_branch(number)

    def keep_checkpoint(self, done: Callable[[int], None]) -> Future:
        """Keep a checkpoint of the run now; ``done(step)`` is called in the GUI thread."""
        future = self.runner.keep_checkpoint()
        self._when_done(future, "Could not keep a checkpoint", done)
        return future

    def restart_at(self, step: int) -> None:
        """Pause, go back to the checkpoint at ``step`` and start afresh from there."""
        self.flush_params()
        self.runner.restart_at(step)
        self._stop_playing()

    # -- attribution -----------------------------------------------------------------------------
    def measure_attribution(self, on: bool) -> None:
        """Measure (or stop measuring) what each rule does."""
        self.runner.measure_attribution(on)

    def weight_change(self, start: int, end: int | None,
                      done: Callable[[np.ndarray], None]) -> Future:
        """W^EE at checkpoint ``end`` (None: now) minus W^EE at checkpoint ``start``,
        computed in the worker; ``done(change)`` is called in the GUI thread."""
        future = self.runner.weight_change(start, end)
        self._when_done(future, "Could not compare the checkpoints", done)
        return future

    # -- files -----------------------------------------------------------------------------------
    def export_session(self, path: str | Path,
                       done: Callable[[Path], None] | None = None,
                       failed: Callable[[str], None] | None = None) -> Future:
        """Save the run to ``path`` (``.npz``) from the worker thread, at a step boundary.

        Parameters
        ----------
        path : str or Path
            Target file.
        done : callable, optional
            Called in the GUI thread with the path once the file is written.
        failed : callable, optional
            Called in the GUI thread with the error's message when it could not be written
            (the error is reported as ever too).

        Returns
        -------
        Future
            Resolves to the path, or to the error.
        """
        path = Path(path)
        preset = self.preset
        runner = self.runner
        self.flush_params()

        def save(sim: Simulation) -> Path:
            # With the whole-run history, so the reopened run shows all of it, and the tree
            # of branches, so that replay verifies each.
            return save_session(sim, path, preset=preset, history=runner.history_points(),
                                branches=runner.branch_tree())

        future = self.runner.call(save, saves=True)
        self._when_done(future, f"Could not save {path.name}",
                        lambda saved: (self.message.emit(f"Session saved to {saved}"),
                                       done(saved) if done else None), failed)
        return future

    def open_session(self, path: str | Path) -> Future:
        """Load a session in the worker thread and continue with it.

        Returns
        -------
        Future
            Resolves to the session's metadata, or to the error.
        """
        path = Path(path)
        runner = self.runner

        def load(_sim: Simulation) -> SessionInfo:
            data = read_session(path)
            sim, meta = simulation_of(data)
            runner.replace_simulation(sim, saved_history(data), branches=data.info.branches)
            return meta

        self._stop_playing()
        self._pending_live.clear()
        future = runner.call(load)
        self._when_done(future, f"Could not open {path.name}",
                        lambda meta: self._loaded(meta, path))
        return future

    def continue_with(self, sim: Simulation,
                      history: Mapping[str, np.ndarray] | None = None) -> None:
        """Pause and go on with ``sim`` (a network of a comparison), its steps unsaved.

        Parameters
        ----------
        sim : Simulation
            No other thread may use it any more.
        history : mapping, optional
            Its whole-run traces (:meth:`~sorn_studio.studio.history.History.points`).
        """
        self._stop_playing()
        self._pending_live.clear()
        self._debounce.stop()
        self.runner.replace_simulation(sim, history, saved=False)

    def _when_done(self, future: Future, failed: str, then: Callable[[Any], Any],
                   otherwise: Callable[[str], None] | None = None) -> None:
        """Once ``future`` (of the worker) resolves, call ``then(result)`` in the GUI thread,
        or report its error as ``"<failed>: <error>"`` (and pass that to ``otherwise``)."""
        def finished(fut: Future) -> None:
            exc = fut.exception()
            if exc is not None:
                message = f"{failed}: {exc}"

                def report() -> None:
                    self.error.emit(message, _details(exc))
                    if otherwise is not None:
                        otherwise(message)

                self._in_gui.emit(report)
            else:
                result = fut.result()
                self._in_gui.emit(lambda: then(result))

        future.add_done_callback(finished)

    def _loaded(self, meta: SessionInfo, path: Path) -> None:
        self.preset = meta.preset
        self.session_loaded.emit(meta)
        self.message.emit(f"Opened session {path}")

    # -- frames ----------------------------------------------------------------------------------
    @property
    def fps(self) -> float:
        """Frames painted per second, measured over about a second."""
        return self.pacer.fps

    @property
    def frames_painted(self) -> int:
        """Frames painted so far."""
        return self.pacer.frames_painted

    @property
    def paint_seconds(self) -> float:
        """Seconds the GUI thread spent showing frames so far."""
        return self.pacer.paint_seconds

    def _take_frame(self) -> None:
        started = time.perf_counter()
        frame = self.pacer.take()
        if frame is not None:
            self.last_frame = frame
            self.frame.emit(frame)
            self._set_running(frame.running or self._playing)
            self.pacer.painted(started, frame.running)

    def _worker_error(self, message: str, details: str) -> None:
        # Runs in the worker thread; a signal carries it to the GUI thread.
        self._in_gui.emit(lambda: self._on_worker_error(message, details))

    def _on_worker_error(self, message: str, details: str) -> None:
        self._stop_playing()
        self.error.emit(message, details)

    @staticmethod
    def _call_in_gui(fn: Callable[[], Any]) -> None:
        fn()


def _details(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(exc))
