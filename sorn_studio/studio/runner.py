"""The Qt-free run loop that drives a :class:`~sorn_studio.engine.Simulation` for the studio.

A :class:`Runner` lives in one worker thread and owns the simulation there; every other thread
talks to it only through a thread-safe command inbox (play, pause, step, reset, parameter
changes, speed, calls) and receives immutable :class:`~.frames.Frame` snapshots through a callback.

Why it is shaped like this:

- Commands are applied *between* chunks of steps, so every change happens at a step boundary
  and the engine logs it; the same seed and the same change log give the same run whatever the
  chunk size or frame rate.
- The chunk size adapts to the measured speed so that one chunk takes about one frame interval:
  frames go out at no more than ``max_fps`` per second and a command waits at most one chunk.
  A running chunk is also cut short as soon as a command arrives (cooperative stop).
- Frames are built only when the consumer says it is ready for one (``ready()``), and the
  callback must not block: the simulation never waits for painting, and no frame piles up.
- Frames are decimated here, in the worker, to what a screen can show (about a thousand columns
  of raster, a few thousand points of history), so painting stays cheap. What a frame holds
  and how it is built is :mod:`.frames`; the runner decides when, and how often weights are
  copied and analyses rebuilt (both cost more than the rest of a frame).
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.follow import NotRebuilt, follow_change_log, start_of
from ..params import Params
from . import commands
from .attribution import AttributionTraces
from .branches import DEFAULT_EVERY, DEFAULT_MAX_BYTES, BranchTree, Timeline
from .checkpoints import Gathered
from .commands import Command
from .defaults import DEFAULT_RASTER_STEPS, DEFAULT_WINDOW, make_simulation
from .frames import Frame, Weights, build_frame, take_weights
from .history import MAX_REBUILT_STEPS, History, history_of
from .live_analysis import Analysis, LiveAnalysis
from .pacing import ChunkSizer, RateMeter

if TYPE_CHECKING:
    from ..engine import Simulation

__all__ = ["Runner", "MAX_REBUILT_STEPS"]


class _Epoch:
    """What the runner gathered about its simulation since it took it over or reset it.

    A reset or another simulation starts a new epoch: all of it is dropped at once.
    """

    def __init__(self, number: int, neurons: int, history_points: int) -> None:
        self.number = number
        self.history = History(history_points, neurons)
        self.live = LiveAnalysis()
        self.weights: Weights | None = None
        self.weights_at = -math.inf
        self.analysis: Analysis | None = None
        self.analysis_at = -math.inf
        # The step the run was last saved at: a loaded session is saved where it was opened.
        self.saved_step = 0
        #: The attribution traces while the user measures attribution, else None.
        self.attribution: AttributionTraces | None = None

    def gathered(self) -> Gathered:
        """What a checkpoint keeps of this epoch besides the simulation."""
        return Gathered(self.history, self.attribution)

    def take_steps(self, sim: Simulation, done: int) -> None:
        """Add the ``done`` steps ``sim`` just made to the history, the live analyses and the
        attribution traces."""
        self.history.take(sim, done)
        self.live.feed(sim, done)
        if self.attribution is not None:
            self.attribution.add(sim.take_attribution())


class Runner:
    """Drive a simulation from commands and publish frames; Qt-free and thread-safe.

    Call :meth:`run` in the worker thread (it returns after :meth:`stop`), or call :meth:`tick`
    yourself to do one iteration. All other public methods may be called from any thread: they
    only enqueue a command, applied at the next step boundary in the order sent.

    Parameters
    ----------
    sim : Simulation
        The simulation to drive; from now on only the runner's thread may touch it.
    sink : callable
        ``sink(frame)`` receives each new :class:`~.frames.Frame`; it must return quickly and
        never block.
    ready : callable, optional
        ``ready()`` tells whether the consumer has taken the previous frame; a frame is built
        only when it returns True, so none is built in vain.
    on_error : callable, optional
        ``on_error(message, details)`` is told about a failed command or step; the runner then
        pauses and stays usable.
    max_fps : float
        Upper bound on frames per second.
    raster_steps : int
        Steps shown by the raster (at most the recorder's window).
    raster_columns : int
        Time columns the raster is decimated to.
    weights_interval : float
        Seconds between weight copies while running.
    analysis_interval : float
        Seconds between analyses (:class:`~.live_analysis.Analysis`) while running.
    history_points : int
        Points of the whole-run history (even).
    raw_source : callable, optional
        ``raw_source(nu, first, steps)`` returns raw input columns ``first`` to
        ``first + steps - 1`` (counted from the run's first column), ``(nu, steps)``, whenever
        a simulation with ``input_kind == "raw"`` is about to run out (e.g.
        :class:`~.defaults.UniformRawInput`). It must give a column the same values however it
        is asked for, so that going back in time gives the same run again. Without it such a
        simulation stops with an error when its input is used up.
    checkpoint_every : int
        Steps between the checkpoints time travel goes back to (:mod:`.branches`).
    checkpoint_bytes : int
        Memory the checkpoints may take.
    """

    def __init__(self, sim: Simulation, sink: Callable[[Frame], None],
                 ready: Callable[[], bool] | None = None,
                 on_error: Callable[[str, str], None] | None = None, *,
                 max_fps: float = 60.0, raster_steps: int = DEFAULT_RASTER_STEPS,
                 raster_columns: int = 1000, weights_interval: float = 0.5,
                 analysis_interval: float = 1.0, history_points: int = 1024,
                 raw_source: Callable[[int, int, int], np.ndarray] | None = None,
                 checkpoint_every: int = DEFAULT_EVERY,
                 checkpoint_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if not 0 < max_fps <= 1000:
            raise ValueError(f"max_fps = {max_fps} must be in (0, 1000]")
        self._inbox = commands.Inbox()
        self._sink = sink
        self._ready = ready or (lambda: True)
        self._on_error = on_error or (lambda message, details: None)
        self._raw_source = raw_source
        self.max_fps = float(max_fps)
        self.raster_steps = int(raster_steps)
        self.raster_columns = int(raster_columns)
        self.weights_interval = float(weights_interval)
        self.analysis_interval = float(analysis_interval)
        self._history_points = int(history_points)
        self._checkpoint_every = checkpoint_every
        self._checkpoint_bytes = checkpoint_bytes
        # State below is touched only by the runner's thread.
        self._playing = False
        self._pending = 0
        self._speed: float | None = None
        # The steps due now ignore the speed limit (a "step N" at full speed).
        self._unlimited_steps = False
        self._anchor = (0.0, 0)
        self._chunk = ChunkSizer()
        self._rate = RateMeter()
        self._dirty = True
        self._frames = 0
        self._last_frame = -math.inf
        self._epochs = 0
        self._measuring = False
        self._watch: Callable[[Simulation, Any], Any] | None = None
        self._adopt(sim)

    # -- commands (any thread) -----------------------------------------------------------------
    def _send(self, command: Command) -> None:
        self._inbox.send(command)

    def play(self) -> None:
        """Run freely until paused."""
        self._send(commands.Play())

    def pause(self) -> None:
        """Stop after the current step (also cancels a pending "step N")."""
        self._send(commands.Pause())

    def step(self, n: int = 1, *, full_speed: bool = False) -> None:
        """Do exactly ``n`` more steps, then pause.

        Like every command it takes effect at the next step boundary: commands sent after it
        (a parameter change, say) do not wait for the ``n`` steps to finish.

        Parameters
        ----------
        n : int
            Steps to add to those still due.
        full_speed : bool
            Do the due steps as fast as possible whatever :meth:`set_speed` says; the limit
            holds again for what follows. The newest Step decides for all the steps due.
        """
        if int(n) < 1:
            raise ValueError(f"step count n = {n} must be >= 1")
        self._send(commands.Step(int(n), bool(full_speed)))

    def reset(self, seed: int | None = None, params: Params | None = None) -> None:
        """Pause and restart the network at step 0 (``None`` keeps the seed / parameters)."""
        self._send(commands.Reset(seed, params))

    def apply_params(self, **changes: Any) -> None:
        """Change live parameters at the next step boundary (the engine logs the change)."""
        self._send(commands.Apply(dict(changes)))

    def set_speed(self, steps_per_second: float | None) -> None:
        """Limit the speed to ``steps_per_second``; ``None`` runs as fast as possible."""
        if steps_per_second is not None and not steps_per_second > 0:
            raise ValueError(f"steps_per_second = {steps_per_second} must be > 0 or None")
        self._send(commands.Speed(steps_per_second))

    def call(self, fn: Callable[[Simulation], Any], *, saves: bool = False) -> Future:
        """Run ``fn(sim)`` in the runner's thread at a step boundary; returns its future.

        With ``saves``, ``fn`` saves the run: once it succeeds, frames count the steps so far
        as saved (:attr:`~.frames.Status.unsaved_steps`).
        """
        future: Future = Future()
        self._send(commands.Call(fn, future, saves))
        return future

    def replace_simulation(self, sim: Simulation,
                           history: Mapping[str, np.ndarray] | None = None, *,
                           saved: bool = True, branches: BranchTree | None = None) -> None:
        """Pause and continue with another simulation (e.g. a loaded session).

        Parameters
        ----------
        sim : Simulation
            From now on only the runner's thread may touch it.
        history : mapping, optional
            Its whole-run history as saved (:meth:`.History.points`, e.g.
            :func:`~sorn_studio.session.saved_history`); without it the history is rebuilt
            from what the recorder still holds, and starts late.
        saved : bool
            Whether the run is saved as it is (an opened file); False counts all its steps
            as unsaved (a network continued from a comparison).
        branches : BranchTree, optional
            The tree of branches it was saved with (``sim`` on the current branch); the
            other branches are rebuilt from step 0 when the user goes to them.
        """
        self._send(commands.Replace(sim, history, saved, branches))

    def branch_tree(self) -> BranchTree | None:
        """The tree of branches to save with the run, None when there is nothing to keep
        (one branch, the run at its end).

        Call it in the runner's thread only: from a function given to :meth:`call`.
        """
        tree = self._timeline.tree(self._sim)
        if len(tree.branches) == 1 and not self._timeline.behind(self._sim):
            return None
        return tree

    def history_points(self) -> dict[str, np.ndarray]:
        """The whole-run history's :meth:`.History.points`, to save with the run.

        Call it in the runner's thread only: from a function given to :meth:`call`.
        """
        return self._epoch.history.points()

    def go_to(self, step: int) -> None:
        """Pause and go back (or forward) to the current branch's checkpoint at ``step``;
        playing on gives the branch again, and a change made then starts a new branch."""
        self._send(commands.GoTo(int(step)))

    def switch_branch(self, number: int) -> None:
        """Pause and go to the tip of branch ``number`` (rebuilt at full speed from the
        latest checkpoint on it when its tip was not kept)."""
        self._send(commands.SwitchBranch(int(number)))

    def branch_before(self, index: int) -> None:
        """Pause and start a branch just before entry ``index`` of the change log: the run
        as it was then, without that change."""
        self._send(commands.BranchBefore(int(index)))

    def delete_branch(self, number: int) -> None:
        """Forget branch ``number`` (not the current one) and the checkpoints only it holds."""
        self._send(commands.DeleteBranch(int(number)))

    def weight_change(self, start: int, end: int | None = None) -> Future:
        """W^EE at the checkpoint ``end`` (None: now) minus W^EE at the checkpoint ``start``
        of the current branch, computed in the runner's thread; returns its future."""
        return self.call(lambda sim: self._timeline.weight_change(sim, start, end))

    def keep_checkpoint(self) -> Future:
        """Keep a checkpoint of the run now, to come back to with :meth:`restart_at`;
        returns a future of its step."""
        return self.call(lambda sim: self._timeline.keep(sim, self._epoch.gathered()))

    def restart_at(self, step: int) -> None:
        """Pause, go back to the checkpoint at ``step`` and branch there at once, so that
        playing on starts afresh (a lesson's "restart step")."""
        self._send(commands.Restart(int(step)))

    def watch(self, fn: Callable[[Simulation, Any], Any] | None) -> None:
        """Evaluate ``fn(sim, analysis)`` in the runner's thread for every frame, its result
        in :attr:`~.frames.Frame.watched` (None: stop). A lesson's checks are watched so."""
        self._send(commands.Watch(fn))

    def measure_attribution(self, on: bool = True) -> None:
        """Measure (or stop measuring) what each rule does, for the attribution traces
        (:mod:`.attribution`); it costs some speed, so it is off until asked for."""
        self._send(commands.MeasureAttribution(bool(on)))

    def refresh(self) -> None:
        """Ask for a new frame (with weights) even when nothing changed."""
        self._send(commands.Refresh())

    def stop(self) -> None:
        """End :meth:`run`; a running chunk is cut short at the next step boundary."""
        self._inbox.stop()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every command is applied, no steps are due and the last frame is out.

        Returns False on timeout. Only meaningful while another thread calls :meth:`run`.
        """
        return self._inbox.wait_idle(timeout)

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._inbox.stopped

    # -- the loop (runner thread) ----------------------------------------------------------------
    def run(self) -> None:
        """Process commands and steps until :meth:`stop`; call this in the worker thread."""
        while not self._inbox.stopped:
            self.tick(block=True)

    def tick(self, block: bool = False) -> None:
        """One iteration: apply queued commands, do one chunk of steps, maybe publish a frame.

        Parameters
        ----------
        block : bool
            When there is nothing to do, wait (up to one frame interval) for a command instead
            of returning at once.
        """
        self._drain()
        if self._inbox.stopped:
            return
        if self._playing or self._pending:
            self._advance()
        self._maybe_emit()
        if self._inbox.stopped:
            return
        busy = self._playing or self._pending
        if not busy and not self._dirty and self._inbox.empty():
            self._inbox.mark_idle()
        if block and not busy and self._inbox.empty():
            # Idle: sleep until a command arrives, or until the consumer may be ready for the
            # frame still owed.
            self._inbox.wait(1.0 / self.max_fps if self._dirty else 0.5)

    def _drain(self) -> None:
        for command in self._inbox.take_all():
            try:
                self._apply(command)
            except Exception as exc:  # noqa: BLE001 - any failure is reported, the loop lives on
                self._fail(exc)

    def _apply(self, command: Command) -> None:
        sim = self._sim
        if isinstance(command, commands.Play):
            self._playing, self._pending = True, 0
            self._set_anchor()
        elif isinstance(command, commands.Pause):
            self._playing, self._pending = False, 0
            self._dirty = True
        elif isinstance(command, commands.Step):
            # "n more steps": a second Step before the first is done adds to it; a Step while
            # playing switches to stepping.
            self._pending = (0 if self._playing else self._pending) + command.n
            self._playing = False
            self._unlimited_steps = command.full_speed
            self._set_anchor()
        elif isinstance(command, commands.Reset):
            self._playing, self._pending = False, 0
            params = command.params
            if params is not None and params.ne != sim.params.ne:
                # The recorder follows chosen neurons by index: a new size needs a new recorder.
                seed = sim.seed if command.seed is None else command.seed
                self._adopt(make_simulation(params, seed, self._window()))
            else:
                sim.reset(seed=command.seed, params=params)
                self._adopt(sim)
        elif isinstance(command, commands.Apply):
            # A change behind the tip (after going back) starts a branch from here.
            forks = self._timeline.forks(sim, command.changes)
            sim.apply_params(**command.changes)
            if forks:
                self._timeline.fork(sim)
            self._dirty = True
        elif isinstance(command, commands.Speed):
            self._speed = command.steps_per_second
            self._set_anchor()
        elif isinstance(command, commands.Call):
            if command.future.set_running_or_notify_cancel():
                try:
                    result = command.fn(sim)
                except Exception as exc:  # noqa: BLE001 - handed to whoever waits on the future
                    command.future.set_exception(exc)
                else:
                    if command.saves:
                        self._epoch.saved_step = self._sim.t
                    command.future.set_result(result)
            self._dirty = True
        elif isinstance(command, commands.Replace):
            self._playing, self._pending = False, 0
            self._adopt(command.sim, command.history, command.branches)
            if not command.saved:
                self._epoch.saved_step = 0
        elif isinstance(command, commands.Refresh):
            self._dirty = True
            self._epoch.weights_at = -math.inf
            self._epoch.analysis_at = -math.inf
        elif isinstance(command, commands.GoTo):
            self._playing, self._pending = False, 0
            self._continue_from(self._timeline.go_to(sim, self._epoch.gathered(),
                                                     command.step))
        elif isinstance(command, commands.SwitchBranch | commands.BranchBefore):
            self._playing, self._pending = False, 0
            timeline, gathered = self._timeline, self._epoch.gathered()
            gathered, steps = (timeline.switch(sim, gathered, command.number)
                               if isinstance(command, commands.SwitchBranch)
                               else timeline.branch_before(sim, gathered, command.index))
            self._continue_from(gathered)
            if steps:
                # The branch is rebuilt by following its log, as fast as possible.
                self._pending, self._unlimited_steps = steps, True
                self._set_anchor()
            else:
                self._follow(sim.t)
        elif isinstance(command, commands.DeleteBranch):
            self._timeline.delete(command.number)
            self._dirty = True
        elif isinstance(command, commands.Restart):
            self._playing, self._pending = False, 0
            self._continue_from(self._timeline.restart(sim, self._epoch.gathered(),
                                                       command.step))
        elif isinstance(command, commands.Watch):
            self._watch = command.fn
            self._dirty = True
        elif isinstance(command, commands.MeasureAttribution):
            self._measuring = command.on
            self._measure(AttributionTraces() if command.on else None)
            self._dirty = True

    def _adopt(self, sim: Simulation, history: Mapping[str, np.ndarray] | None = None,
               tree: BranchTree | None = None) -> None:
        self._sim = sim
        self._new_epoch()
        self._epoch.saved_step = sim.t
        start = None
        if sim.t > 0:
            # A simulation that already ran (a loaded session): its saved whole-run history,
            # else what its recorder still holds, the history before that marked as missing.
            self._epoch.history = history_of(sim, history, capacity=self._history_points)
            self._feed_recorded()
            try:
                # Step 0, which branches leaving before the step it starts at are rebuilt from.
                start = start_of(sim.snapshot(), recording=sim.recording)
            except NotRebuilt:
                pass
        if self._measuring:
            self._measure(AttributionTraces())
        self._timeline = Timeline(sim, self._epoch.gathered(), rows=self._window(),
                                  every=self._checkpoint_every,
                                  max_bytes=self._checkpoint_bytes, tree=tree, start=start)

    def _continue_from(self, gathered: Gathered) -> None:
        """A new epoch after time travel: the restored history and attribution traces, the
        live analyses fed from the restored recordings; the run differs from any saved file
        now."""
        self._new_epoch()
        self._epoch.history = gathered.history
        self._epoch.saved_step = 0
        self._feed_recorded()
        if self._measuring:
            # A checkpoint from before the measuring began has no traces: they start here.
            self._measure(gathered.attribution or AttributionTraces())

    def _new_epoch(self) -> None:
        """Start a new epoch for the simulation now in hand (frames tell views to clear)."""
        # The lifetime view follows every synapse creation and pruning, exact to the step.
        self._sim.track_synapse_events(True)
        self._epochs += 1
        self._epoch = _Epoch(self._epochs, len(self._sim.recorder.spec.neurons),
                             self._history_points)
        self._rate.clear()
        self._dirty = True

    def _measure(self, traces: AttributionTraces | None) -> None:
        """Measure attribution into ``traces`` from this step on (None: stop)."""
        self._sim.track_attribution(traces is not None)
        self._epoch.attribution = traces

    def _feed_recorded(self) -> None:
        sim = self._sim
        kept = min(len(sim.recorder.steps()), sim.t)
        self._epoch.live.feed(sim, min(kept, self._window()))

    def _follow(self, to_step: int) -> int:
        """Run to ``to_step`` (cut short by a command); behind the branch's tip, its logged
        changes are applied at their steps. Returns the steps done."""
        sim = self._sim
        before = sim.t
        schedule = self._timeline.schedule(sim)
        if schedule is None:
            return int(sim.run(to_step - before, should_stop=self._interrupted))
        follow_change_log(sim, schedule, to_step, should_stop=self._interrupted)
        return sim.t - before

    def _set_anchor(self) -> None:
        self._anchor = (time.perf_counter(), self._sim.t)

    def _window(self) -> int:
        # A full recording keeps every step and may declare no window (0): the studio then
        # works on its default one.
        return self._sim.recorder.spec.window or DEFAULT_WINDOW

    def _fail(self, exc: BaseException) -> None:
        self._playing, self._pending = False, 0
        self._dirty = True
        message = f"{type(exc).__name__}: {exc}"
        details = "".join(traceback.format_exception(exc))
        try:
            self._on_error(message, details)
        except Exception:  # noqa: BLE001 - a broken error handler must not kill the loop
            pass

    def _advance(self) -> None:
        """Do one chunk of steps sized to take about one frame interval."""
        n = max(1, min(self._chunk.steps, self._window()))
        # Chunks end on multiples of the checkpoint spacing, so checkpoints land on round steps.
        n = min(n, self._checkpoint_every - self._sim.t % self._checkpoint_every)
        if self._pending:
            n = min(n, self._pending)
        if self._speed is not None and not (self._pending and self._unlimited_steps):
            t0, s0 = self._anchor
            allowed = (time.perf_counter() - t0) * self._speed - (self._sim.t - s0)
            if allowed > max(self._speed * 0.25, 1.0):
                # Fell behind (a slow step or a pause): start again rather than rush to catch up.
                self._set_anchor()
                allowed = 1.0
            if allowed < 1.0:
                self._inbox.wait(min((1.0 - allowed) / self._speed, 1.0 / self.max_fps))
                return
            n = min(n, int(allowed))
        started = time.perf_counter()
        try:
            self._top_up_raw_input(n)
            done = self._follow(self._sim.t + n)
        except Exception as exc:  # noqa: BLE001 - report, pause, stay usable
            self._fail(exc)
            return
        elapsed = time.perf_counter() - started
        if self._pending:
            self._pending -= done
            if not self._pending and self._unlimited_steps:
                # The limit holds again from here, counted from now rather than from before.
                self._unlimited_steps = False
                self._set_anchor()
        if done:
            self._dirty = True
            self._epoch.take_steps(self._sim, done)
            self._timeline.after_steps(self._sim, self._epoch.gathered())
            self._chunk.tune(done, elapsed, 1.0 / self.max_fps, self._window())
        self._rate.add(self._sim.t)

    def _top_up_raw_input(self, n: int) -> None:
        sim = self._sim
        if self._raw_source is None or sim.params.input_kind != "raw":
            return
        left = sim.input.remaining_raw()
        if left is not None and left < n:
            # Feed several chunks at once so this happens rarely.
            # Columns used so far are one per step: the next to feed is number t + left.
            sim.feed_input(self._raw_source(sim.params.nu, sim.t + left, max(4 * n, 1000)))

    def _interrupted(self) -> bool:
        return self._inbox.pending()

    # -- frames ----------------------------------------------------------------------------------
    def _maybe_emit(self) -> None:
        if not self._dirty:
            return
        now = time.perf_counter()
        if now - self._last_frame < 1.0 / self.max_fps:
            return
        if not self._ready():
            return
        try:
            frame = self._build_frame(now)
            self._sink(frame)
        except Exception as exc:  # noqa: BLE001 - report, pause, stay usable
            self._fail(exc)
            self._dirty = False
            return
        self._last_frame = now
        self._dirty = False

    def _build_frame(self, now: float) -> Frame:
        sim, epoch = self._sim, self._epoch
        busy = self._playing or self._pending > 0
        # While running, weights and analyses (the costly parts) are renewed only every so
        # often; a frame in between carries the newest ones again.
        if epoch.weights is None or not busy or now - epoch.weights_at >= self.weights_interval:
            epoch.weights = take_weights(sim)
            epoch.weights_at = now
        if not busy or now - epoch.analysis_at >= self.analysis_interval:
            epoch.analysis = epoch.live.compute(sim)
            epoch.analysis_at = now
        sim_rate = self._rate.rate() if busy else 0.0
        self._frames += 1
        return build_frame(
            sim, epoch.history, index=self._frames, epoch=epoch.number,
            playing=self._playing, pending_steps=self._pending, sim_rate=sim_rate,
            speed_limit=self._speed, raster_steps=min(self.raster_steps, self._window()),
            raster_columns=self.raster_columns, weights=epoch.weights, analysis=epoch.analysis,
            saved_step=epoch.saved_step, timeline=self._timeline.view(),
            attribution=None if epoch.attribution is None else epoch.attribution.points(),
            watched=self._watched(epoch.analysis))

    def _watched(self, analysis: Analysis | None) -> Any:
        """The watched function's result now; one that fails is reported and dropped."""
        if self._watch is None:
            return None
        try:
            return self._watch(self._sim, analysis)
        except Exception as exc:  # noqa: BLE001 - report it, keep the frames coming
            self._watch = None
            self._fail(exc)
            return None
