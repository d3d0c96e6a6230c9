"""The studio's Compare mode without Qt: a lockstep comparison in its own thread, and its frames.

A :class:`CompareRunner` owns a :class:`~sorn_studio.compare.Lockstep` (a baseline and up to
four variants started from one snapshot of the studio's network) and advances it in the thread
that calls :meth:`CompareRunner.run`, beside the studio's own worker. Like the
:class:`~.runner.Runner` it takes commands through a thread-safe inbox, applies them between
chunks, sizes the chunks to one frame interval and hands out an immutable
:class:`CompareFrame` only when the consumer is ready for one.

A frame holds, for every network, the newest steps of its raster and its whole-run traces
(connection fraction, thresholds; :class:`~.history.History`), and, for every variant, its
difference traces against the baseline (Hamming distance of x, rate, connection fraction,
mean |delta w|), all decimated to what a screen shows.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis import connection_fraction_from_count
from ..compare import SPAN, Lockstep, Variant
from ..readonly import read_only
from . import commands
from .commands import Command
from .defaults import tracked_neurons
from .frames import Raster, Traces, build_raster, build_traces
from .history import History
from .pacing import ChunkSizer, RateMeter

if TYPE_CHECKING:
    from ..engine import Simulation, Snapshot

__all__ = ["CompareFrame", "CompareRunner", "ComparedNetwork", "Difference", "changes_text"]

#: Steps each network's raster shows (at most :data:`~sorn_studio.compare.SPAN`, what each
#: network's recorder keeps).
COMPARE_RASTER_STEPS = 2_000


def changes_text(changes: Mapping[str, Any]) -> str:
    """``"stdp=false, eta_ip=0.02"``: a variant's changes as the CLI's ``--variant`` takes them
    (``"no changes"`` for none)."""
    if not changes:
        return "no changes"
    return ", ".join(f"{name}={str(value).lower() if isinstance(value, bool) else value}"
                     for name, value in changes.items())


@dataclass(frozen=True)
class ComparedNetwork:
    """One network of the comparison as a frame shows it.

    Attributes
    ----------
    name : str
        ``"baseline"`` or the variant's name.
    changes : str
        Its changes (:func:`changes_text`).
    raster : Raster
        Its newest steps.
    traces : Traces
        Its whole run since the comparison began.
    n_ee : int
        E->E synapses now.
    conn_fraction : float
        E->E connection fraction now.
    """

    name: str
    changes: str
    raster: Raster
    traces: Traces
    n_ee: int
    conn_fraction: float


@dataclass(frozen=True)
class Difference:
    """A variant against the baseline (:class:`~sorn_studio.compare.VariantTraces`, as
    read-only arrays, one point per bin of steps).

    Attributes
    ----------
    name : str
        The variant's name.
    steps : numpy.ndarray
        Last step of each point.
    hamming, rate_diff, fraction_diff, mean_abs_dw : numpy.ndarray
        Mean Hamming distance of x, mean E rate difference, connection fraction difference
        and mean |W^EE - baseline W^EE| at each point.
    """

    name: str
    steps: np.ndarray
    hamming: np.ndarray
    rate_diff: np.ndarray
    fraction_diff: np.ndarray
    mean_abs_dw: np.ndarray


@dataclass(frozen=True)
class CompareFrame:
    """What the Compare window paints at one moment.

    Attributes
    ----------
    index : int
        Frames built so far by this runner (1, 2, ...).
    step, start_step : int
        The networks' step now and the step they started from.
    playing : bool
        Whether the comparison runs freely.
    pending_steps : int
        Steps still due of a "step N".
    sim_rate : float
        Measured steps per second of the comparison (every network advances that many).
    networks : tuple of ComparedNetwork
        The baseline first, then the variants.
    differences : tuple of Difference
        One per variant, in the same order.
    """

    index: int
    step: int
    start_step: int
    playing: bool
    pending_steps: int
    sim_rate: float
    networks: tuple[ComparedNetwork, ...]
    differences: tuple[Difference, ...]

    @property
    def running(self) -> bool:
        """Whether steps are being done."""
        return self.playing or self.pending_steps > 0


class CompareRunner:
    """Advance a lockstep comparison from commands and publish frames; Qt-free, thread-safe.

    Call :meth:`run` in its own thread (it returns after :meth:`stop`) or :meth:`tick`
    yourself. The other public methods may be called from any thread.

    Parameters
    ----------
    start : Snapshot
        Where every network starts (the studio's network now).
    variants : sequence of Variant
        One to :data:`~sorn_studio.compare.MAX_VARIANTS` sets of live changes.
    sink : callable
        ``sink(frame)`` receives each :class:`CompareFrame`; it must not block.
    ready : callable, optional
        ``ready()`` tells whether the previous frame was taken.
    on_error : callable, optional
        ``on_error(message, details)`` about a failed step; the comparison then pauses.
    max_fps : float
        Frames per second at most.
    raster_steps, raster_columns : int
        Steps each raster shows and the columns it is decimated to.
    history_points : int
        Points of each network's whole-run traces (even).
    history : mapping, optional
        The run's whole-run traces so far (:meth:`.History.points`): every network's traces
        continue them, so each shows the shared past and then its own course.

    Raises
    ------
    ValueError
        For variants :class:`~sorn_studio.compare.Lockstep` refuses, naming them.
    """

    def __init__(self, start: Snapshot, variants: Sequence[Variant],
                 sink: Callable[[CompareFrame], None],
                 ready: Callable[[], bool] | None = None,
                 on_error: Callable[[str, str], None] | None = None, *,
                 max_fps: float = 20.0, raster_steps: int = COMPARE_RASTER_STEPS,
                 raster_columns: int = 400, history_points: int = 512,
                 history: Mapping[str, np.ndarray] | None = None) -> None:
        if not 0 < max_fps <= 1000:
            raise ValueError(f"max_fps = {max_fps} must be in (0, 1000]")
        self.lockstep = Lockstep(start, variants,
                                 neurons=tracked_neurons(int(start.params["ne"])))
        self._sink = sink
        self._ready = ready or (lambda: True)
        self._on_error = on_error or (lambda message, details: None)
        self.max_fps = float(max_fps)
        self.raster_steps = min(int(raster_steps), SPAN)
        self.raster_columns = int(raster_columns)
        self._histories = [History(history_points, len(sim.recorder.spec.neurons))
                           for sim in self.simulations]
        if history is not None:
            for each in self._histories:
                each.restore(history)
        self._inbox = commands.Inbox()
        # State below is touched only by the thread that runs the loop.
        self._playing = False
        self._pending = 0
        self._chunk = ChunkSizer()
        self._rate = RateMeter()
        self._dirty = True
        self._frames = 0
        self._last_frame = -math.inf

    @property
    def simulations(self) -> list[Simulation]:
        """The baseline, then the variants' networks (touch them only in the loop's thread,
        or once it has stopped)."""
        return [self.lockstep.baseline, *self.lockstep.networks]

    def history_points(self, index: int) -> dict[str, np.ndarray]:
        """Network ``index``'s whole-run traces (:meth:`.History.points`), e.g. for the studio
        to continue with that network; call in the loop's thread or after it stopped."""
        return self._histories[index].points()

    # -- commands (any thread) -------------------------------------------------------------------
    def _send(self, command: Command) -> None:
        self._inbox.send(command)

    def play(self) -> None:
        """Run freely until paused."""
        self._send(commands.Play())

    def pause(self) -> None:
        """Stop at the next chunk boundary."""
        self._send(commands.Pause())

    def step(self, n: int) -> None:
        """Do ``n`` more steps, then pause."""
        if int(n) < 1:
            raise ValueError(f"step count n = {n} must be >= 1")
        self._send(commands.Step(int(n)))

    def call(self, fn: Callable[[CompareRunner], Any]) -> Future:
        """Run ``fn(self)`` in the loop's thread between chunks; returns its future."""
        future: Future = Future()
        self._send(commands.Call(fn, future))
        return future

    def stop(self) -> None:
        """End :meth:`run` at the next chunk boundary."""
        self._inbox.stop()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until commands are applied, no steps are due and the last frame is out."""
        return self._inbox.wait_idle(timeout)

    # -- the loop --------------------------------------------------------------------------------
    def run(self) -> None:
        """Process commands and steps until :meth:`stop`."""
        while not self._inbox.stopped:
            self.tick(block=True)

    def tick(self, block: bool = False) -> None:
        """One iteration: commands, one chunk of steps, maybe a frame."""
        self._drain()
        if self._inbox.stopped:
            return
        if self._playing or self._pending:
            self._advance()
        self._maybe_emit()
        busy = self._playing or self._pending
        if not busy and not self._dirty and self._inbox.empty():
            self._inbox.mark_idle()
        if block and not busy and self._inbox.empty() and not self._inbox.stopped:
            self._inbox.wait(1.0 / self.max_fps if self._dirty else 0.5)

    def _drain(self) -> None:
        for command in self._inbox.take_all():
            if isinstance(command, commands.Play):
                self._playing, self._pending = True, 0
            elif isinstance(command, commands.Pause):
                self._playing, self._pending = False, 0
                self._rate.clear()
            elif isinstance(command, commands.Step):
                self._pending = (0 if self._playing else self._pending) + command.n
                self._playing = False
            elif isinstance(command, commands.Call):
                if command.future.set_running_or_notify_cancel():
                    try:
                        command.future.set_result(command.fn(self))
                    except Exception as exc:  # noqa: BLE001 - for whoever waits on it
                        command.future.set_exception(exc)
            self._dirty = True

    def _advance(self) -> None:
        n = max(1, min(self._chunk.steps, SPAN))
        if self._pending:
            n = min(n, self._pending)
        started = time.perf_counter()
        try:
            done = self.lockstep.run(n)
            for history, sim in zip(self._histories, self.simulations, strict=True):
                history.take(sim, done)
        except Exception as exc:  # noqa: BLE001 - report, pause, stay usable
            self._playing, self._pending = False, 0
            self._dirty = True
            self._on_error(f"{type(exc).__name__}: {exc}", "".join(
                traceback.format_exception(exc)))
            return
        self._chunk.tune(done, time.perf_counter() - started, 1.0 / self.max_fps, SPAN)
        if self._pending:
            self._pending = max(0, self._pending - done)
        self._rate.add(self.lockstep.step)
        self._dirty = True

    def _maybe_emit(self) -> None:
        now = time.perf_counter()
        if not self._dirty or now - self._last_frame < 1.0 / self.max_fps or not self._ready():
            return
        self._frames += 1
        self._sink(self.build_frame())
        self._last_frame = now
        self._dirty = False

    def build_frame(self) -> CompareFrame:
        """The comparison now as a :class:`CompareFrame` (in the loop's thread); the traces'
        newest point covers the steps since the last closed one."""
        lock = self.lockstep
        busy = self._playing or self._pending > 0
        names = [("baseline", {}), *((v.name, dict(v.changes)) for v in lock.variants)]
        networks = []
        for (name, changes), sim, history in zip(names, self.simulations, self._histories,
                                                 strict=True):
            p = sim.params
            traces = build_traces(history, sim.recorder.spec.neurons, p.ne)
            networks.append(ComparedNetwork(
                name=name, changes=changes_text(changes),
                raster=build_raster(sim.recorder, int(sim.t), p.ne, p.ni,
                                    min(self.raster_steps, sim.t - lock.start_step),
                                    self.raster_columns),
                traces=traces, n_ee=int(sim.n_ee),
                conn_fraction=float(connection_fraction_from_count(sim.n_ee, p.ne))))
        differences = tuple(
            Difference(name=variant.name,
                       steps=read_only(np.asarray(t.steps, dtype=np.int64)),
                       hamming=read_only(np.asarray(t.hamming)),
                       rate_diff=read_only(np.asarray(t.rate_diff)),
                       fraction_diff=read_only(np.asarray(t.fraction_diff)),
                       mean_abs_dw=read_only(np.asarray(t.mean_abs_dw)))
            for variant, t in zip(lock.variants, lock.traces, strict=True))
        return CompareFrame(index=self._frames, step=lock.step, start_step=lock.start_step,
                            playing=self._playing, pending_steps=self._pending,
                            sim_rate=self._rate.rate() if busy else 0.0,
                            networks=tuple(networks), differences=differences)
