"""The immutable frames the studio paints, and the pure functions that build them.

A :class:`Frame` is a snapshot of a running simulation decimated to what a screen shows (about
a thousand columns of raster, a thousand points of history). It is built in the worker thread
and read in the GUI thread, so it is frozen and its arrays are read-only. Its parts:

- :class:`Status`: what the runner is doing and the network's connection counts now;
- :class:`Raster`: the scrolling spike raster with the rates over its window;
- :class:`Traces`: the whole-run history (:class:`~sorn_studio.studio.history.History`);
- :class:`Weights`: a copy of the weight matrices with the E->E weight distribution;
- :class:`~sorn_studio.studio.live_analysis.Analysis`: the live analyses.

:func:`build_frame` reads a simulation and returns a frame without changing anything, so it
is tested without a runner; the runner decides only *when* to build one and how often to
take new weights and analyses (:func:`take_weights`, ``LiveAnalysis.compute``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis import WeightFit, fit_above_floor, fit_weight_distribution
from ..analysis.histograms import log10_counts
from ..analysis.weights import connection_fraction_from_count
from ..params import Params
from ..readonly import read_only
from .history import History
from .live_analysis import Analysis

if TYPE_CHECKING:
    from ..engine import ParamChange, Simulation
    from ..recording import Recorder
    from .attribution import AttributionPoints
    from .branches import TimelineView

__all__ = [
    "Frame",
    "Status",
    "Raster",
    "RasterTail",
    "Traces",
    "Weights",
    "WeightFitCurves",
    "WEIGHT_LOG_EDGES",
    "build_frame",
    "build_raster",
    "build_traces",
    "take_weights",
    "weight_fit_curves",
]

#: Bins of the weight histograms, in log10(weight): 1e-6 to 1, ten per decade.
WEIGHT_LOG_EDGES = read_only(np.linspace(-6.0, 0.0, 61))
#: Bins of the histogram of per-neuron firing rates over the raster window.
RATE_BINS = 60


@dataclass(frozen=True)
class Status:
    """What the runner is doing, and the network's connections now.

    Attributes
    ----------
    seed : int
        The network's seed.
    playing : bool
        Whether the runner is running freely.
    pending_steps : int
        Steps still to do of a "step N" command.
    sim_rate : float
        Measured simulation speed in steps per second (0 when idle).
    speed_limit : float or None
        Requested steps per second, ``None`` for as fast as possible.
    n_ee, n_ei : int
        Current E->E and I->E connection counts.
    conn_fraction : float
        Existing E->E synapses over the ``ne (ne - 1)`` possible ones.
    unsaved_steps : int
        Steps simulated since the run was last saved, opened or reset (what closing it now
        would lose).
    """

    seed: int
    playing: bool
    pending_steps: int
    sim_rate: float
    speed_limit: float | None
    n_ee: int
    n_ei: int
    conn_fraction: float
    unsaved_steps: int = 0


@dataclass(frozen=True)
class RasterTail:
    """The newest steps at one step per column, for a raster zoomed in to single spikes.

    Attributes
    ----------
    image_e, image_i : numpy.ndarray
        ``(steps, ne)`` and ``(steps, ni)`` uint8 images, 255 where a neuron fired.
    start, stop : int
        Step span the images cover (``stop`` exclusive); it ends at the newest step.
    rate_e, rate_i : numpy.ndarray
        The population rates of each step.
    """

    image_e: np.ndarray
    image_i: np.ndarray
    start: int
    stop: int
    rate_e: np.ndarray
    rate_i: np.ndarray


@dataclass(frozen=True)
class Raster:
    """The newest steps as spike images, with the rates over the same window.

    Images are ``(columns, neurons)`` (x = time, y = neuron), each pixel the fraction of the
    steps in its column in which the neuron fired, scaled to 0..255.

    Attributes
    ----------
    image_e, image_i : numpy.ndarray
        ``(columns, ne)`` and ``(columns, ni)`` uint8 images.
    start, stop : int
        Step span the images cover (``stop`` exclusive).
    bin : int
        Steps per column.
    window : int
        Steps the raster shows once the run is long enough.
    steps, rate_e, rate_i : numpy.ndarray
        First step of each column and the population rates averaged over it.
    rate_counts, rate_edges : numpy.ndarray
        Histogram of the per-neuron E firing rates over the window.
    mean_rate : float
        Mean E rate over the window (spikes per neuron per step).
    tail : RasterTail or None
        The newest steps (as many as ``columns``) undecimated, so a view zoomed in to a short
        window shows each spike as its own block; ``None`` in hand-built rasters.
    """

    image_e: np.ndarray
    image_i: np.ndarray
    start: int
    stop: int
    bin: int
    window: int
    steps: np.ndarray
    rate_e: np.ndarray
    rate_i: np.ndarray
    rate_counts: np.ndarray
    rate_edges: np.ndarray
    mean_rate: float
    tail: RasterTail | None = None


@dataclass(frozen=True)
class Traces:
    """Whole-run traces at adaptive resolution (see :class:`~.history.History`).

    Every array has one entry per point, all points alike.

    Attributes
    ----------
    step : numpy.ndarray
        First step of each point.
    rate_e, rate_i : numpy.ndarray
        Population rates.
    n_ee, n_ei : numpy.ndarray
        E->E and I->E connection counts.
    frac_ee : numpy.ndarray
        E->E connection fraction.
    t_e_mean, t_e_min, t_e_max, t_i_mean : numpy.ndarray
        Threshold mean and envelope of the E neurons, mean of the I neurons.
    t_e_neurons : numpy.ndarray
        ``(points, len(neurons))`` thresholds of the tracked neurons.
    neurons : tuple of int
        The E neurons whose thresholds ``t_e_neurons`` follows.
    start : int
        Steps of the run before the first point that the history does not hold: 0 when it
        holds the whole run; a run opened from a file without its history starts where the
        file's recording window starts.
    """

    step: np.ndarray
    rate_e: np.ndarray
    rate_i: np.ndarray
    n_ee: np.ndarray
    n_ei: np.ndarray
    frac_ee: np.ndarray
    t_e_mean: np.ndarray
    t_e_min: np.ndarray
    t_e_max: np.ndarray
    t_i_mean: np.ndarray
    t_e_neurons: np.ndarray
    neurons: tuple[int, ...]
    start: int = 0


@dataclass(frozen=True)
class WeightFitCurves:
    """Lognormal and normal fits of the E->E weights as expected counts per histogram bin.

    Attributes
    ----------
    fit : WeightFit
        The two maximum-likelihood fits and their comparison (AIC, KS).
    lognormal, normal : numpy.ndarray
        Synapses each fit expects in every bin of the log10-weight histogram, so the curves
        overlay the counts directly.
    floor_fit : WeightFit or None
        The same comparison for the weights above
        :data:`~sorn_studio.analysis.weights.ANALYSIS_FLOOR` (the range the authors' analysis
        plots, without the synapses structural plasticity has just created); ``None`` when
        fewer than three distinct weights lie above it.
    """

    fit: WeightFit
    lognormal: np.ndarray
    normal: np.ndarray
    floor_fit: WeightFit | None = None


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

    Attributes
    ----------
    index : int
        Frames built so far by this runner (1 for the first).
    epoch : int
        Bumped by every reset or new simulation, so views know to clear their history.
    step : int
        Steps done.
    params : Params
        Parameters in force.
    changes : tuple of ParamChange
        The engine's parameter-change log, ``(step, name, old, new)`` entries.
    status : Status
        What the runner is doing; the connection counts now.
    raster : Raster
        The newest steps.
    history : Traces
        The whole run.
    weights : Weights
        The newest copy of the weights; a new copy comes a few times a second while running,
        the frames in between carry the same object (views compare it to repaint only new
        ones), and every frame of an epoch carries one of that epoch.
    analysis : Analysis or None
        The newest analyses; the same object between rebuilds, like ``weights``.
    t_e, t_i : numpy.ndarray or None
        The thresholds of every E and I neuron now (a view follows a chosen neuron with
        them); ``None`` in hand-built frames.
    timeline : TimelineView or None
        Checkpoints and branches (:mod:`.branches`); ``None`` in hand-built frames.
    attribution : AttributionPoints or None
        What each rule did over the run (:mod:`.attribution`), while it is measured.
    watched : Any
        What the runner's watched function returned for this frame (a lesson's checks);
        None when nothing is watched.
    """

    index: int
    epoch: int
    step: int
    params: Params
    changes: tuple[ParamChange, ...]
    status: Status
    raster: Raster
    history: Traces
    weights: Weights
    analysis: Analysis | None
    t_e: np.ndarray | None = None
    t_i: np.ndarray | None = None
    timeline: TimelineView | None = None
    attribution: AttributionPoints | None = None
    watched: Any = None

    @property
    def running(self) -> bool:
        """Whether steps are being done (playing or working through a "step N")."""
        return self.status.playing or self.status.pending_steps > 0


def weight_fit_curves(weights: np.ndarray, log_edges: np.ndarray) -> WeightFitCurves | None:
    """Fit the positive weights and express both fits in the bins of a log10 histogram.

    Parameters
    ----------
    weights : numpy.ndarray
        A weight matrix; entries > 0 are the synapses fitted.
    log_edges : numpy.ndarray
        Bin edges in log10(weight).

    Returns
    -------
    WeightFitCurves or None
        ``None`` when fewer than three distinct weights exist (nothing to fit).
    """
    w = np.asarray(weights, float)
    w = w[w > 0]
    if w.size < 3 or np.ptp(w) == 0:
        return None
    fit = fit_weight_distribution(w)
    lognormal, normal = fit.bin_probabilities(10.0 ** np.asarray(log_edges, float))
    lognormal, normal = fit.n * lognormal, fit.n * normal
    return WeightFitCurves(fit=fit, lognormal=read_only(lognormal), normal=read_only(normal),
                           floor_fit=fit_above_floor(w))


def take_weights(sim: Simulation) -> Weights:
    """Copy the weight matrices of ``sim`` with their histograms and the E->E fits.

    Parameters
    ----------
    sim : Simulation
        Read, not changed.

    Returns
    -------
    Weights
    """
    w_ee = np.array(sim.w_ee, dtype=np.float32)
    w_ei = np.array(sim.w_ei, dtype=np.float32)
    w_ie = np.array(sim.w_ie, dtype=np.float32)
    return Weights(step=int(sim.t), w_ee=read_only(w_ee), w_ei=read_only(w_ei),
                   w_ie=read_only(w_ie), log_edges=WEIGHT_LOG_EDGES,
                   ee_counts=read_only(log10_counts(w_ee, WEIGHT_LOG_EDGES)),
                   ei_counts=read_only(log10_counts(w_ei, WEIGHT_LOG_EDGES)),
                   ee_fit=weight_fit_curves(w_ee, WEIGHT_LOG_EDGES))


def _column_counts(spikes: np.ndarray, bin_: int) -> np.ndarray:
    """Spikes per neuron in each group of ``bin_`` steps: ``(T, n)`` bool -> ``(T/bin_, n)``."""
    if bin_ == 1:
        return spikes.view(np.uint8).astype(np.uint16)
    return spikes.reshape(len(spikes) // bin_, bin_, spikes.shape[1]).sum(axis=1,
                                                                          dtype=np.uint16)


def build_raster(recorder: Recorder, now: int, ne: int, ni: int, steps: int,
                 columns: int) -> Raster:
    """Decimate the newest ``steps`` recorded steps to at most ``columns`` raster columns.

    Columns are aligned to absolute steps (column k holds steps k*bin+1 .. (k+1)*bin), so the
    scrolling image does not shimmer from frame to frame; a partly filled newest column waits
    for the next frame.

    Parameters
    ----------
    recorder : Recorder
        Holds at least ``steps`` steps of window (fewer early in a run).
    now : int
        The simulation's step (where an empty raster starts).
    ne, ni : int
        Neurons per population.
    steps : int
        Steps the raster shows.
    columns : int
        Columns to decimate them to (at most).

    Returns
    -------
    Raster
    """
    recorded = recorder.steps(last=steps)
    total = len(recorded)
    if total:
        first = int(recorded[0])
        bin_ = max(1, math.ceil(total / columns))
        skip = (-(first - 1)) % bin_
        usable = (total - skip) // bin_ * bin_
        start = first + skip
    else:
        bin_, skip, usable, start = 1, 0, 0, now
    used = slice(skip, skip + usable)
    spikes_e = np.asarray(recorder.spikes_e(last=steps)).reshape(total, ne)
    spikes_i = np.asarray(recorder.spikes_i(last=steps)).reshape(total, ni)
    counts_e = _column_counts(spikes_e[used], bin_)
    counts_i = _column_counts(spikes_i[used], bin_)
    scale = np.float32(1.0 / bin_)
    per_neuron = (counts_e.sum(axis=0, dtype=np.float64) / usable if usable
                  else np.zeros(ne))
    top = max(0.3, float(per_neuron.max()) if usable else 0.0)
    rate_counts, rate_edges = np.histogram(per_neuron, bins=RATE_BINS, range=(0.0, top))
    return Raster(
        image_e=read_only((counts_e * 255 // bin_).astype(np.uint8)),
        image_i=read_only((counts_i * 255 // bin_).astype(np.uint8)),
        start=int(start), stop=int(start + usable), bin=int(bin_), window=int(steps),
        steps=read_only(np.arange(start, start + usable, bin_, dtype=np.int64)),
        rate_e=read_only(counts_e.sum(axis=1, dtype=np.float32) * (scale / max(ne, 1))),
        rate_i=read_only(counts_i.sum(axis=1, dtype=np.float32) * (scale / max(ni, 1))),
        rate_counts=read_only(rate_counts), rate_edges=read_only(rate_edges),
        mean_rate=float(per_neuron.mean()) if usable else 0.0,
        tail=_raster_tail(spikes_e, spikes_i, start=first if total else now,
                          steps=min(total, columns)),
    )


def _raster_tail(spikes_e: np.ndarray, spikes_i: np.ndarray, start: int,
                 steps: int) -> RasterTail:
    """The newest ``steps`` rows of ``(T, n)`` spikes recorded from step ``start`` on."""
    total = len(spikes_e)
    e, i = spikes_e[total - steps:], spikes_i[total - steps:]
    first = start + total - steps
    return RasterTail(
        image_e=read_only(e.view(np.uint8) * np.uint8(255)),
        image_i=read_only(i.view(np.uint8) * np.uint8(255)),
        start=int(first), stop=int(first + steps),
        rate_e=read_only(e.mean(axis=1, dtype=np.float32) if e.shape[1] else
                         np.zeros(steps, np.float32)),
        rate_i=read_only(i.mean(axis=1, dtype=np.float32) if i.shape[1] else
                         np.zeros(steps, np.float32)),
    )


def build_traces(history: History, neurons: tuple[int, ...], ne: int) -> Traces:
    """The whole-run traces of ``history`` with the E->E connection fraction added.

    Parameters
    ----------
    history : History
        Read, not changed.
    neurons : tuple of int
        The neurons whose thresholds ``history`` traces.
    ne : int
        Excitatory neurons (for the connection fraction).

    Returns
    -------
    Traces
    """
    traces = {name: read_only(values) for name, values in history.snapshot().items()}
    frac_ee = read_only(connection_fraction_from_count(traces["n_ee"], ne))
    return Traces(**traces, frac_ee=frac_ee, neurons=neurons, start=int(history.start))


def build_frame(sim: Simulation, history: History, *, index: int, epoch: int,
                playing: bool, pending_steps: int, sim_rate: float,
                speed_limit: float | None, raster_steps: int, raster_columns: int,
                weights: Weights, analysis: Analysis | None, saved_step: int = 0,
                timeline: TimelineView | None = None,
                attribution: AttributionPoints | None = None, watched: Any = None) -> Frame:
    """Snapshot ``sim`` into a :class:`Frame`; reads the simulation, changes nothing.

    Parameters
    ----------
    sim : Simulation
        The simulation, recorded with at least ``raster_steps`` steps of window.
    history : History
        Its whole-run history.
    index, epoch : int
        See :class:`Frame`.
    playing, pending_steps, sim_rate, speed_limit
        What the runner is doing (see :class:`Status`).
    raster_steps, raster_columns : int
        Steps the raster shows and columns it is decimated to.
    weights : Weights
        The newest copy of the weights (see :func:`take_weights`).
    analysis : Analysis or None
        The newest analyses.
    saved_step : int
        The step at which the run was last saved, opened or reset.
    timeline : TimelineView, optional
        Checkpoints and branches.
    attribution : AttributionPoints, optional
        The attribution traces, while measured.
    watched : Any, optional
        What the runner's watched function returned.

    Returns
    -------
    Frame
    """
    params = sim.params
    n_ee = int(sim.n_ee)
    status = Status(seed=int(sim.seed), playing=bool(playing), pending_steps=int(pending_steps),
                    sim_rate=float(sim_rate), speed_limit=speed_limit, n_ee=n_ee,
                    n_ei=int(sim.n_ei),
                    conn_fraction=float(connection_fraction_from_count(n_ee, params.ne)),
                    unsaved_steps=max(0, int(sim.t) - saved_step))
    return Frame(
        index=index, epoch=epoch, step=int(sim.t), params=params,
        changes=tuple(sim.change_log), status=status,
        raster=build_raster(sim.recorder, int(sim.t), params.ne, params.ni, raster_steps,
                            raster_columns),
        history=build_traces(history, sim.recorder.spec.neurons, params.ne),
        weights=weights, analysis=analysis,
        t_e=read_only(np.array(sim.t_e, dtype=np.float32)),
        t_i=read_only(np.array(sim.t_i, dtype=np.float32)),
        timeline=timeline, attribution=attribution, watched=watched,
    )
