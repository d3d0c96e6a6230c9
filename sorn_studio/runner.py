"""The Qt-free run loop that drives a :class:`~sorn_studio.engine.Simulation` for the studio.

A :class:`Runner` lives in one worker thread and owns the simulation there; every other thread
talks to it only through a thread-safe command inbox (play, pause, step, reset, parameter
changes, speed, calls) and receives immutable :class:`Frame` snapshots through a callback.

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
  of raster, a few thousand points of history), so painting stays cheap.
- The whole-run history (connection counts, rates, thresholds) is kept at a resolution that
  halves whenever it fills, so memory stays flat however long the run is.
"""

from __future__ import annotations

import math
import queue
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np

from .analysis.histograms import log10_counts
from .analysis.weights import connection_fraction_from_count
from .live_analysis import Analysis, LiveAnalysis, WeightFitCurves, weight_fit_curves
from .params import Params
from .readonly import read_only

__all__ = [
    "Frame",
    "Weights",
    "History",
    "Runner",
    "make_simulation",
    "tracked_neurons",
    "UniformRawInput",
    "DEFAULT_WINDOW",
    "DEFAULT_RASTER_STEPS",
]

#: Steps the studio's recorder keeps (the raster can show at most this many).
DEFAULT_WINDOW = 10_000
#: Steps shown by the scrolling raster.
DEFAULT_RASTER_STEPS = 3_000


def make_simulation(params: Params, seed: int = 0, window: int = DEFAULT_WINDOW) -> Any:
    """Build a :class:`~sorn_studio.engine.Simulation` recorded the way the studio needs.

    Parameters
    ----------
    params : Params
        Network parameters.
    seed : int
        Seed of the network's random generator.
    window : int
        Steps kept by the recorder's ring buffer (bounded memory; no weight snapshots).

    Returns
    -------
    Simulation
        A fresh simulation at step 0.
    """
    from .engine import Simulation
    from .recording import RecordingSpec

    spec = RecordingSpec(window=window, full=False, weights_every=0,
                         neurons=tracked_neurons(params.ne))
    return Simulation(params, seed=seed, recording=spec)


class UniformRawInput:
    """Raw input drawn uniformly from [0, 1), as the sorn 0.7.4 examples feed it.

    A simulation with ``input_kind == "raw"`` stops when its input array runs out; the studio
    hands it one of these (see ``Runner(raw_source=...)``) so it can run without end.

    Parameters
    ----------
    seed : int
        Seed of this input's own generator (the network's generator is not touched).
    """

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def __call__(self, nu: int, steps: int) -> np.ndarray:
        """Return ``(nu, steps)`` input columns."""
        return self.rng.random((nu, steps))


def tracked_neurons(ne: int) -> tuple[int, ...]:
    """The excitatory neurons whose thresholds the studio plots: first, middle and last."""
    return tuple(sorted({0, ne // 2, ne - 1}))


# -- commands ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Play:
    pass


@dataclass(frozen=True)
class _Pause:
    pass


@dataclass(frozen=True)
class _Step:
    n: int


@dataclass(frozen=True)
class _Reset:
    seed: int | None
    params: Params | None


@dataclass(frozen=True)
class _Apply:
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class _Speed:
    steps_per_second: float | None


@dataclass(frozen=True)
class _Call:
    fn: Callable[[Any], Any]
    future: Future


@dataclass(frozen=True)
class _Replace:
    sim: Any


@dataclass(frozen=True)
class _Refresh:
    pass


@dataclass(frozen=True)
class _Stop:
    pass


# -- frames --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """A copy of the weight matrices with the E->E weight distribution.

    Attributes
    ----------
    step : int
        Step at which the copy was taken.
    w_ee, w_ei, w_ie : numpy.ndarray
        ``(ne, ne)``, ``(ne, ni)``, ``(ni, ne)`` float32, rows post, columns pre.
    log_edges : numpy.ndarray
        Edges of the histogram bins of log10(weight), from -6 to 0.
    ee_counts, ei_counts : numpy.ndarray
        Counts of existing E->E and I->E synapses per bin.
    ee_fit : WeightFitCurves or None
        Lognormal and normal fits of the E->E weights, as expected counts per bin.
    """

    step: int
    w_ee: np.ndarray
    w_ei: np.ndarray
    w_ie: np.ndarray
    log_edges: np.ndarray
    ee_counts: np.ndarray
    ei_counts: np.ndarray
    ee_fit: WeightFitCurves | None = None


@dataclass(frozen=True)
class Frame:
    """An immutable snapshot of a running simulation, decimated to what a screen shows.

    Arrays are read-only. Raster images are ``(columns, neurons)`` (x = time, y = neuron),
    each pixel the fraction of the steps in its column in which the neuron fired, scaled to
    0..255.

    Attributes
    ----------
    index : int
        Frames built so far by this runner (1 for the first).
    epoch : int
        Bumped by every reset or new simulation, so views know to clear their history.
    step, seed : int
        Steps done and the network's seed.
    params : Params
        Parameters in force.
    playing : bool
        Whether the runner is running freely.
    pending_steps : int
        Steps still to do of a "step N" command.
    sim_rate : float
        Measured simulation speed in steps per second (0 when idle).
    speed_limit : float or None
        Requested steps per second, ``None`` for as fast as possible.
    raster_e, raster_i : numpy.ndarray
        ``(columns, ne)`` and ``(columns, ni)`` uint8 raster images.
    raster_start, raster_stop : int
        Step span the raster covers (``stop`` exclusive); each column spans ``raster_bin`` steps.
    raster_bin : int
        Steps per raster column.
    raster_window : int
        Steps the raster shows once the run is long enough.
    window_steps, window_rate_e, window_rate_i : numpy.ndarray
        Population rates averaged over each raster column, and the columns' first steps.
    history : dict of str to numpy.ndarray
        Whole-run traces at adaptive resolution, all of one length: ``step``, ``rate_e``,
        ``rate_i``, ``n_ee``, ``n_ei``, ``frac_ee``, ``t_e_mean``, ``t_e_min``, ``t_e_max``,
        ``t_i_mean``, and ``t_e_neurons`` of shape ``(points, len(neurons))``.
    neurons : tuple of int
        Neurons whose thresholds ``history["t_e_neurons"]`` follows.
    rates, rate_edges : numpy.ndarray
        Histogram of per-neuron E firing rates over the raster window.
    weights : Weights or None
        Weight matrices, sent a few times a second (``None`` in the other frames).
    analysis : Analysis or None
        The newest ISI, synapse-lifetime, avalanche and readout analyses (rebuilt every
        ``analysis_interval`` seconds while running; the same object in between).
    changes : tuple
        The engine's parameter-change log, ``(step, name, old, new)`` entries.
    mean_rate : float
        Mean E rate over the raster window (spikes per neuron per step).
    conn_fraction : float
        Existing E->E synapses over the ``ne (ne - 1)`` possible ones.
    n_ee, n_ei : int
        Current E->E and I->E connection counts.
    """

    index: int
    epoch: int
    step: int
    seed: int
    params: Params
    playing: bool
    pending_steps: int
    sim_rate: float
    speed_limit: float | None
    raster_e: np.ndarray
    raster_i: np.ndarray
    raster_start: int
    raster_stop: int
    raster_bin: int
    raster_window: int
    window_steps: np.ndarray
    window_rate_e: np.ndarray
    window_rate_i: np.ndarray
    history: Mapping[str, np.ndarray]
    neurons: tuple[int, ...]
    rates: np.ndarray
    rate_edges: np.ndarray
    weights: Weights | None
    analysis: Analysis | None
    changes: tuple
    mean_rate: float
    conn_fraction: float
    n_ee: int
    n_ei: int

    @property
    def running(self) -> bool:
        """Whether steps are being done (playing or working through a "step N")."""
        return self.playing or self.pending_steps > 0


# -- whole-run history ---------------------------------------------------------------------------
_REDUCERS: dict[str, Callable[..., np.ndarray]] = {
    "step": np.min,
    "rate_e": np.mean,
    "rate_i": np.mean,
    "n_ee": np.mean,
    "n_ei": np.mean,
    "t_e_mean": np.mean,
    "t_e_min": np.min,
    "t_e_max": np.max,
    "t_i_mean": np.mean,
    "t_e_neurons": np.mean,
}


class History:
    """Per-step traces kept at a resolution that halves whenever the buffer fills.

    Memory is bounded by ``capacity`` points per trace however many steps are added, and the
    whole run stays visible: after ``capacity * 2**k`` steps each point covers ``2**k`` steps
    (means for averages, min/max for the envelope).

    Parameters
    ----------
    capacity : int
        Points kept per trace (even).
    k : int
        Number of tracked neurons in ``t_e_neurons``.
    """

    def __init__(self, capacity: int = 1024, k: int = 3) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError(f"capacity = {capacity} must be an even number >= 2")
        self.capacity = capacity
        self.k = k
        self.bin = 1
        self.n = 0
        self._buf = {name: np.empty((capacity, k) if name == "t_e_neurons" else capacity)
                     for name in _REDUCERS}
        self._pend: dict[str, np.ndarray] = {
            name: np.empty((0, k) if name == "t_e_neurons" else 0) for name in _REDUCERS}

    def clear(self) -> None:
        """Forget everything (after a reset)."""
        self.__init__(self.capacity, self.k)  # type: ignore[misc]

    def extend(self, block: Mapping[str, np.ndarray]) -> None:
        """Append per-step values: one array per trace, all of the same length."""
        pend = {name: np.concatenate([self._pend[name], np.asarray(block[name], float)])
                for name in _REDUCERS}
        length = len(pend["step"])
        start = 0
        while True:
            whole = (length - start) // self.bin
            if whole == 0:
                break
            if self.n == self.capacity:
                self._compact()
                continue
            take = min(whole, self.capacity - self.n)
            stop = start + take * self.bin
            for name, reduce in _REDUCERS.items():
                part = pend[name][start:stop]
                part = part.reshape((take, self.bin) + part.shape[1:])
                self._buf[name][self.n:self.n + take] = reduce(part, axis=1)
            self.n += take
            start = stop
        self._pend = {name: pend[name][start:].copy() for name in _REDUCERS}

    def _compact(self) -> None:
        half = self.n // 2
        for name, reduce in _REDUCERS.items():
            data = self._buf[name][: 2 * half]
            data = data.reshape((half, 2) + data.shape[1:])
            self._buf[name][:half] = reduce(data, axis=1)
        self.n = half
        self.bin *= 2

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of the traces, with the incomplete last bin appended as one more point."""
        out = {}
        tail = len(self._pend["step"]) > 0
        for name, reduce in _REDUCERS.items():
            data = self._buf[name][: self.n]
            if tail:
                data = np.concatenate([data, reduce(self._pend[name], axis=0)[None]])
            out[name] = data.copy()
        return out


# -- the run loop --------------------------------------------------------------------------------
def _column_counts(spikes: np.ndarray, bin_: int) -> np.ndarray:
    """Spikes per neuron in each group of ``bin_`` steps: ``(T, n)`` bool -> ``(T/bin_, n)``."""
    if bin_ == 1:
        return spikes.view(np.uint8).astype(np.uint16)
    return spikes.reshape(len(spikes) // bin_, bin_, spikes.shape[1]).sum(axis=1,
                                                                          dtype=np.uint16)


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
        ``sink(frame)`` receives each new :class:`Frame`; it must return quickly and never block.
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
        Seconds between analyses (:class:`~sorn_studio.live_analysis.Analysis`) while running.
    history_points : int
        Points of the whole-run history (even).
    raw_source : callable, optional
        ``raw_source(nu, steps)`` returns more ``(nu, steps)`` raw input whenever a simulation
        with ``input_kind == "raw"`` is about to run out (e.g. :class:`UniformRawInput`).
        Without it such a simulation stops with an error when its input is used up.
    """

    def __init__(self, sim: Any, sink: Callable[[Frame], None],
                 ready: Callable[[], bool] | None = None,
                 on_error: Callable[[str, str], None] | None = None, *,
                 max_fps: float = 60.0, raster_steps: int = DEFAULT_RASTER_STEPS,
                 raster_columns: int = 1000, weights_interval: float = 0.5,
                 analysis_interval: float = 1.0, history_points: int = 1024,
                 raw_source: Callable[[int, int], np.ndarray] | None = None) -> None:
        if not 0 < max_fps <= 1000:
            raise ValueError(f"max_fps = {max_fps} must be in (0, 1000]")
        self._inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._sink = sink
        self._ready = ready or (lambda: True)
        self._on_error = on_error or (lambda message, details: None)
        self._raw_source = raw_source
        self.max_fps = float(max_fps)
        self.raster_steps = int(raster_steps)
        self.raster_columns = int(raster_columns)
        self.weights_interval = float(weights_interval)
        self.analysis_interval = float(analysis_interval)
        self._live = LiveAnalysis()
        self._analysis: Analysis | None = None
        self._last_analysis = -math.inf
        self._history = History(history_points)
        self._stopped = threading.Event()
        self._idle = threading.Event()
        self._has_commands = threading.Event()
        # State below is touched only by the runner's thread.
        self._sim: Any = None
        self._playing = False
        self._pending = 0
        self._speed: float | None = None
        self._anchor = (0.0, 0)
        self._chunk = 10
        self._chunk_rate = 0.0
        self._rate_samples: list[tuple[float, int]] = []
        self._dirty = True
        self._frames = 0
        self._epoch = 0
        self._last_frame = -math.inf
        self._last_weights = -math.inf
        self._neurons: tuple[int, ...] = ()
        self._adopt(sim)

    # -- commands (any thread) -----------------------------------------------------------------
    def _send(self, command: Any) -> None:
        self._idle.clear()
        self._inbox.put(command)
        self._has_commands.set()

    def play(self) -> None:
        """Run freely until paused."""
        self._send(_Play())

    def pause(self) -> None:
        """Stop after the current step (also cancels a pending "step N")."""
        self._send(_Pause())

    def step(self, n: int = 1) -> None:
        """Do exactly ``n`` more steps, then pause.

        Like every command it takes effect at the next step boundary: commands sent after it
        (a parameter change, say) do not wait for the ``n`` steps to finish.
        """
        if int(n) < 1:
            raise ValueError(f"step count n = {n} must be >= 1")
        self._send(_Step(int(n)))

    def reset(self, seed: int | None = None, params: Params | None = None) -> None:
        """Pause and restart the network at step 0 (``None`` keeps the seed / parameters)."""
        self._send(_Reset(seed, params))

    def apply_params(self, **changes: Any) -> None:
        """Change live parameters at the next step boundary (the engine logs the change)."""
        self._send(_Apply(dict(changes)))

    def set_speed(self, steps_per_second: float | None) -> None:
        """Limit the speed to ``steps_per_second``; ``None`` runs as fast as possible."""
        if steps_per_second is not None and not steps_per_second > 0:
            raise ValueError(f"steps_per_second = {steps_per_second} must be > 0 or None")
        self._send(_Speed(steps_per_second))

    def call(self, fn: Callable[[Any], Any]) -> Future:
        """Run ``fn(sim)`` in the runner's thread at a step boundary; returns its future."""
        future: Future = Future()
        self._send(_Call(fn, future))
        return future

    def replace_simulation(self, sim: Any) -> None:
        """Pause and continue with another simulation (e.g. a loaded session)."""
        self._send(_Replace(sim))

    def refresh(self) -> None:
        """Ask for a new frame (with weights) even when nothing changed."""
        self._send(_Refresh())

    def stop(self) -> None:
        """End :meth:`run`; a running chunk is cut short at the next step boundary."""
        self._stopped.set()
        self._send(_Stop())

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every command is applied, no steps are due and the last frame is out.

        Returns False on timeout. Only meaningful while another thread calls :meth:`run`.
        """
        return self._idle.wait(timeout)

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopped.is_set()

    # -- the loop (runner thread) ----------------------------------------------------------------
    def run(self) -> None:
        """Process commands and steps until :meth:`stop`; call this in the worker thread."""
        while not self._stopped.is_set():
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
        if self._stopped.is_set():
            return
        if self._playing or self._pending:
            self._advance()
        self._maybe_emit()
        if self._stopped.is_set():
            return
        busy = self._playing or self._pending
        if not busy and not self._dirty and self._inbox.empty():
            self._idle.set()
        if block and not busy and self._inbox.empty():
            # Idle: sleep until a command arrives, or until the consumer may be ready for the
            # frame still owed.
            self._has_commands.wait(1.0 / self.max_fps if self._dirty else 0.5)

    def _drain(self) -> None:
        self._has_commands.clear()
        while True:
            try:
                command = self._inbox.get_nowait()
            except queue.Empty:
                return
            try:
                self._apply(command)
            except Exception as exc:  # noqa: BLE001 - any failure is reported, the loop lives on
                self._fail(exc)

    def _apply(self, command: Any) -> None:
        sim = self._sim
        if isinstance(command, _Play):
            self._playing, self._pending = True, 0
            self._set_anchor()
        elif isinstance(command, _Pause):
            self._playing, self._pending = False, 0
            self._dirty = True
        elif isinstance(command, _Step):
            # "n more steps": a second Step before the first is done adds to it; a Step while
            # playing switches to stepping.
            self._pending = (0 if self._playing else self._pending) + command.n
            self._playing = False
            self._set_anchor()
        elif isinstance(command, _Reset):
            self._playing, self._pending = False, 0
            params = command.params
            if params is not None and params.ne != sim.params.ne:
                # The recorder follows chosen neurons by index: a new size needs a new recorder.
                seed = sim.seed if command.seed is None else command.seed
                self._adopt(make_simulation(params, seed, self._window()))
            else:
                sim.reset(seed=command.seed, params=params)
                self._adopt(sim)
        elif isinstance(command, _Apply):
            sim.apply_params(**command.changes)
            self._dirty = True
        elif isinstance(command, _Speed):
            self._speed = command.steps_per_second
            self._set_anchor()
        elif isinstance(command, _Call):
            if command.future.set_running_or_notify_cancel():
                try:
                    command.future.set_result(command.fn(sim))
                except Exception as exc:  # noqa: BLE001 - handed to whoever waits on the future
                    command.future.set_exception(exc)
            self._dirty = True
        elif isinstance(command, _Replace):
            self._playing, self._pending = False, 0
            self._adopt(command.sim)
        elif isinstance(command, _Refresh):
            self._dirty = True
            self._last_weights = -math.inf
            self._last_analysis = -math.inf
        elif isinstance(command, _Stop):
            self._stopped.set()

    def _adopt(self, sim: Any) -> None:
        if getattr(sim, "recorder", None) is None:
            raise ValueError("the simulation has no recorder; build it with make_simulation()")
        self._sim = sim
        # The lifetime view follows every synapse creation and pruning, exact to the step.
        sim.track_synapse_events(True)
        self._neurons = _neurons_of(sim)
        self._history = History(self._history.capacity, len(self._neurons))
        self._new_epoch()
        # A simulation that already ran (a loaded session) shows what its recorder still has.
        if sim.t > 0:
            self._feed_history(min(sim.t, self._window()))
            self._live.feed(sim, min(sim.t, self._window()))

    def _new_epoch(self) -> None:
        self._epoch += 1
        self._history.clear()
        self._rate_samples.clear()
        self._dirty = True
        self._last_weights = -math.inf
        self._live.clear()
        self._analysis = None
        self._last_analysis = -math.inf

    def _set_anchor(self) -> None:
        self._anchor = (time.perf_counter(), self._sim.t)

    def _window(self) -> int:
        spec = getattr(self._sim.recorder, "spec", None)
        window = getattr(spec, "window", None)
        return int(window) if window else DEFAULT_WINDOW

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
        n = max(1, min(self._chunk, self._window()))
        if self._pending:
            n = min(n, self._pending)
        if self._speed is not None:
            t0, s0 = self._anchor
            allowed = (time.perf_counter() - t0) * self._speed - (self._sim.t - s0)
            if allowed > max(self._speed * 0.25, 1.0):
                # Fell behind (a slow step or a pause): start again rather than rush to catch up.
                self._set_anchor()
                allowed = 1.0
            if allowed < 1.0:
                self._has_commands.wait(min((1.0 - allowed) / self._speed, 1.0 / self.max_fps))
                return
            n = min(n, int(allowed))
        started = time.perf_counter()
        try:
            self._top_up_raw_input(n)
            done = int(self._sim.run(n, should_stop=self._interrupted))
        except Exception as exc:  # noqa: BLE001 - report, pause, stay usable
            self._fail(exc)
            return
        elapsed = time.perf_counter() - started
        if self._pending:
            self._pending -= done
        if done:
            self._dirty = True
            self._feed_history(done)
            self._live.feed(self._sim, done)
            self._tune_chunk(done, elapsed)
        now = time.perf_counter()
        self._rate_samples.append((now, self._sim.t))
        while len(self._rate_samples) > 2 and now - self._rate_samples[0][0] > 1.0:
            self._rate_samples.pop(0)

    def _top_up_raw_input(self, n: int) -> None:
        sim = self._sim
        if self._raw_source is None or sim.params.input_kind != "raw":
            return
        left = sim.input.remaining_raw()
        if left is not None and left < n:
            # Feed several chunks at once so this happens rarely.
            sim.feed_input(self._raw_source(sim.params.nu, max(4 * n, 1000)))

    def _interrupted(self) -> bool:
        return self._has_commands.is_set() or self._stopped.is_set()

    def _tune_chunk(self, done: int, elapsed: float) -> None:
        if elapsed <= 0:
            self._chunk = min(self._chunk * 2, self._window())
            return
        rate = done / elapsed
        self._chunk_rate = rate if self._chunk_rate == 0 else 0.7 * self._chunk_rate + 0.3 * rate
        # Aim at one frame interval: fewer, longer kernel calls (which release the GIL) leave
        # less per-chunk Python work competing with painting; commands still interrupt a chunk
        # at once (should_stop). Grow at most fourfold per chunk so one lucky measurement does
        # not cause a long stall.
        target = int(self._chunk_rate * 1.0 / self.max_fps)
        self._chunk = int(min(max(target, 1), self._chunk * 4, self._window()))

    def _feed_history(self, done: int) -> None:
        rec, sim = self._sim.recorder, self._sim
        t_i_mean = float(np.mean(sim.t_i)) if len(sim.t_i) else 0.0
        steps = rec.steps(last=done)
        block = {
            "step": steps,
            "rate_e": rec.rate_e(last=done),
            "rate_i": rec.rate_i(last=done),
            "n_ee": rec.n_ee(last=done),
            "n_ei": rec.n_ei(last=done),
            "t_e_mean": rec.t_e_mean(last=done),
            "t_e_min": rec.t_e_min(last=done),
            "t_e_max": rec.t_e_max(last=done),
            "t_i_mean": np.full(len(steps), t_i_mean),
            "t_e_neurons": np.asarray(rec.t_e_neurons(last=done), float).reshape(
                len(steps), len(self._neurons)),
        }
        self._history.extend(block)

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
        sim, rec = self._sim, self._sim.recorder
        params = sim.params
        ne, ni = params.ne, params.ni
        busy = self._playing or self._pending > 0
        window = min(self.raster_steps, self._window())
        steps = rec.steps(last=window)
        total = len(steps)
        if total:
            first = int(steps[0])
            bin_ = max(1, math.ceil(total / self.raster_columns))
            # Align columns to absolute steps (column k holds steps k*bin+1 .. (k+1)*bin) so
            # the scrolling image does not shimmer; a partly filled newest column waits.
            skip = (-(first - 1)) % bin_
            usable = (total - skip) // bin_ * bin_
        else:
            first, bin_, skip, usable = sim.t, 1, 0, 0
        sl = slice(skip, skip + usable)
        start = first + skip if total else sim.t
        counts_e = _column_counts(np.asarray(rec.spikes_e(last=window))[sl].reshape(usable, ne),
                                  bin_)
        counts_i = _column_counts(np.asarray(rec.spikes_i(last=window))[sl].reshape(usable, ni),
                                  bin_)
        raster_e = (counts_e * 255 // bin_).astype(np.uint8)
        raster_i = (counts_i * 255 // bin_).astype(np.uint8)
        window_steps = np.arange(start, start + usable, bin_, dtype=np.int64)
        scale = np.float32(1.0 / bin_)
        window_rate_e = counts_e.sum(axis=1, dtype=np.float32) * (scale / max(ne, 1))
        window_rate_i = counts_i.sum(axis=1, dtype=np.float32) * (scale / max(ni, 1))
        per_neuron = (counts_e.sum(axis=0, dtype=np.float64) / usable if usable
                      else np.zeros(ne))
        top = max(0.3, float(per_neuron.max()) if usable else 0.0)
        rates, rate_edges = np.histogram(per_neuron, bins=60, range=(0.0, top))
        history = self._history.snapshot()
        history["frac_ee"] = connection_fraction_from_count(history["n_ee"], ne)
        n_ee = int(sim.n_ee)
        weights = None
        if not busy or now - self._last_weights >= self.weights_interval:
            weights = self._weights(sim)
            self._last_weights = now
        if not busy or now - self._last_analysis >= self.analysis_interval:
            self._analysis = self._live.compute(sim)
            self._last_analysis = now
        if busy and len(self._rate_samples) >= 2:
            (t0, s0), (t1, s1) = self._rate_samples[0], self._rate_samples[-1]
            sim_rate = (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0
        else:
            sim_rate = 0.0
        self._frames += 1
        return Frame(
            index=self._frames, epoch=self._epoch, step=int(sim.t), seed=int(sim.seed),
            params=params, playing=self._playing, pending_steps=int(self._pending),
            sim_rate=float(sim_rate), speed_limit=self._speed,
            raster_e=read_only(raster_e), raster_i=read_only(raster_i),
            raster_start=int(start), raster_stop=int(start + usable), raster_bin=int(bin_),
            raster_window=int(window),
            window_steps=read_only(window_steps), window_rate_e=read_only(window_rate_e),
            window_rate_i=read_only(window_rate_i),
            history={k: read_only(v) for k, v in history.items()}, neurons=self._neurons,
            rates=read_only(rates), rate_edges=read_only(rate_edges), weights=weights,
            analysis=self._analysis,
            changes=tuple(sim.change_log),
            mean_rate=float(per_neuron.mean()) if usable else 0.0,
            conn_fraction=connection_fraction_from_count(n_ee, ne), n_ee=n_ee,
            n_ei=int(sim.n_ei),
        )

    @staticmethod
    def _weights(sim: Any) -> Weights:
        w_ee = np.array(sim.w_ee, dtype=np.float32)
        w_ei = np.array(sim.w_ei, dtype=np.float32)
        w_ie = np.array(sim.w_ie, dtype=np.float32)
        edges = np.linspace(-6.0, 0.0, 61)
        return Weights(step=int(sim.t), w_ee=read_only(w_ee), w_ei=read_only(w_ei),
                       w_ie=read_only(w_ie), log_edges=read_only(edges),
                       ee_counts=read_only(log10_counts(w_ee, edges)),
                       ei_counts=read_only(log10_counts(w_ei, edges)),
                       ee_fit=weight_fit_curves(w_ee, edges))


def _neurons_of(sim: Any) -> tuple[int, ...]:
    spec = getattr(sim.recorder, "spec", None)
    neurons: Sequence[int] | None = getattr(spec, "neurons", None)
    if neurons is None:
        k = np.asarray(sim.recorder.t_e_neurons(last=1)).reshape(-1).shape[0]
        neurons = tuple(range(k))
    return tuple(int(i) for i in neurons)
