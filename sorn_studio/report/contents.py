"""What a report shows, gathered once from a session file with the studio's own builders.

The report draws what the studio's views draw: the raster and rates of
:func:`~sorn_studio.studio.frames.build_raster`, the whole-run traces of
:func:`~sorn_studio.studio.frames.build_traces`, the weight histograms and fits of
:func:`~sorn_studio.studio.frames.take_weights`, and the ISI and avalanche panels of
:class:`~sorn_studio.studio.live_analysis.LiveAnalysis`, all computed with
:mod:`sorn_studio.analysis`. Only the windows differ: a report reads the whole recording
(within the bounds below) where the studio shows its newest steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..analysis import ANALYSIS_FLOOR, SynapseLifetimes, firing_rates
from ..analysis.histograms import log10_counts
from ..analysis.lifetimes import synapse_lifetimes_from_snapshots
from ..params import Params
from ..session import SessionData, SessionInfo, saved_history, session_summary, simulation_of
from ..studio.frames import (
    WEIGHT_LOG_EDGES,
    Raster,
    Traces,
    WeightFitCurves,
    Weights,
    build_raster,
    build_traces,
    take_weights,
    weight_fit_curves,
)
from ..studio.history import history_of
from ..studio.live_analysis import Analysis, LiveAnalysis

__all__ = ["RASTER_STEPS", "ANALYSIS_STEPS", "AVALANCHE_STEPS", "FLOOR_LOG_EDGES", "ReportContents",
           "gather_contents"]

#: Newest recorded steps the raster shows, one column per step.
RASTER_STEPS = 1_000
#: Newest recorded steps the firing-rate and ISI distributions are taken from.
ANALYSIS_STEPS = 100_000
#: Newest recorded steps the avalanche distributions are taken from.
AVALANCHE_STEPS = 1_000_000
#: Bins of the histogram of the weights above the analysis floor (those of the studio's).
FLOOR_LOG_EDGES = WEIGHT_LOG_EDGES[WEIGHT_LOG_EDGES >= np.log10(ANALYSIS_FLOOR) - 1e-12]


@dataclass(frozen=True)
class ReportContents:
    """Everything the report's figures and page show.

    Attributes
    ----------
    info : SessionInfo
        The file's metadata (path, preset, seed, steps, change log, ...).
    summary : dict
        :func:`~sorn_studio.session.session_summary` of the file.
    params : Params
        Parameters in force at the end of the session.
    recorded_steps : int
        Steps the file's recording holds (the newest ones).
    raster : Raster or None
        The newest :data:`RASTER_STEPS` recorded steps; ``None`` when none were recorded.
    traces : Traces
        The whole-run history (the studio's, when the file keeps it; else rebuilt from the
        recording, with ``traces.start`` steps before it missing).
    history_saved : bool
        Whether the file kept the studio's whole-run history.
    initial_n_ee, initial_n_ei : int
        E->E and I->E synapses at step 0 (the file keeps the initial network, so a history
        that starts late still has its first point).
    weights : Weights
        The weights at the end, with the histograms and fits of all E->E synapses.
    floor_counts : numpy.ndarray
        Counts of the E->E weights above ``ANALYSIS_FLOOR`` in the bins of
        :data:`FLOOR_LOG_EDGES`.
    floor_curves : WeightFitCurves or None
        The fits of those weights in the same bins.
    analysis : Analysis or None
        ISI and avalanche panels (and the counting-task readout) of the newest recorded
        steps; ``None`` when none were recorded.
    rates : numpy.ndarray or None
        Each excitatory neuron's spikes per step over the newest :data:`ANALYSIS_STEPS`
        recorded steps.
    rate_steps : tuple of int or None
        First and last step of that window.
    lifetimes : SynapseLifetimes or None
        Lifetimes of E->E synapses from the file's W^EE snapshots (at least two needed).
    snapshot_every : int
        Steps between those snapshots (0 when there are none).
    """

    info: SessionInfo
    summary: dict[str, Any]
    params: Params
    recorded_steps: int
    raster: Raster | None
    traces: Traces
    history_saved: bool
    initial_n_ee: int
    initial_n_ei: int
    weights: Weights
    floor_counts: np.ndarray
    floor_curves: WeightFitCurves | None
    analysis: Analysis | None
    rates: np.ndarray | None
    rate_steps: tuple[int, int] | None
    lifetimes: SynapseLifetimes | None
    snapshot_every: int


def gather_contents(data: SessionData,
                    progress: Callable[[str], None] | None = None) -> ReportContents:
    """Compute what the report shows from a validated session.

    Parameters
    ----------
    data : SessionData
        As returned by :func:`~sorn_studio.session.read_session`.
    progress : callable, optional
        Called with a short description before each stage (``"weights"``, ...).

    Returns
    -------
    ReportContents

    Raises
    ------
    SessionError
        When the file's network cannot be rebuilt (see
        :func:`~sorn_studio.session.simulation_of`).
    """
    def stage(name: str) -> None:
        if progress is not None:
            progress(name)

    stage("loading the network")
    sim, info = simulation_of(data, stacklevel=3)
    params = sim.params
    rec = sim.recorder
    recorded = int(min(len(rec.steps()), sim.t))
    stage("whole-run history")
    saved = saved_history(data)
    traces = build_traces(history_of(sim, saved), rec.spec.neurons, params.ne)
    raster = (build_raster(rec, sim.t, params.ne, params.ni, RASTER_STEPS, RASTER_STEPS)
              if recorded else None)
    stage("weights")
    weights = take_weights(sim)
    w_ee = np.asarray(sim.w_ee)
    above = w_ee[w_ee > ANALYSIS_FLOOR]
    floor_counts = log10_counts(above, FLOOR_LOG_EDGES)
    floor_curves = weight_fit_curves(above, FLOOR_LOG_EDGES)
    analysis, rates, rate_steps = None, None, None
    if recorded:
        stage("intervals and avalanches")
        analysis_steps = min(recorded, ANALYSIS_STEPS)
        live = LiveAnalysis(avalanche_steps=max(10, min(recorded, AVALANCHE_STEPS)),
                            isi_steps=max(10, analysis_steps))
        live.feed(sim, recorded)
        analysis = live.compute(sim)
        rates = firing_rates(rec.spikes_e(last=analysis_steps))
        steps = rec.steps(last=analysis_steps)
        rate_steps = (int(steps[0]), int(steps[-1]))
    stage("synapse lifetimes")
    snapshots = rec.weight_snapshots()
    lifetimes = (synapse_lifetimes_from_snapshots(snapshots) if len(snapshots) >= 2 else None)
    return ReportContents(
        info=info, summary=session_summary(data), params=params, recorded_steps=recorded,
        raster=raster, traces=traces, history_saved=saved is not None,
        initial_n_ee=int(np.count_nonzero(data.arrays["initial/w_ee"])),
        initial_n_ei=int(np.count_nonzero(data.arrays["initial/w_ei"])), weights=weights,
        floor_counts=floor_counts, floor_curves=floor_curves, analysis=analysis, rates=rates,
        rate_steps=rate_steps,
        lifetimes=lifetimes, snapshot_every=rec.spec.weights_every if snapshots else 0,
    )
