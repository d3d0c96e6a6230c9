"""What a report shows, gathered once from a session file.

The report shows what the studio's views show, computed the same way: the whole-run traces
of :func:`~sorn_studio.studio.frames.build_traces` (the studio's history, or the one it
rebuilds from a recording), the E->E weights as the studio copies them,
and spikes, rates, intervals and avalanches from :mod:`sorn_studio.analysis`. Only the
windows differ: a report reads the whole recording (within the bounds below) where the
studio shows its newest steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..analysis import Avalanches, SynapseLifetimes, detect_avalanches
from ..analysis.lifetimes import synapse_lifetimes_from_snapshots
from ..params import Params
from ..session import SessionData, SessionInfo, saved_history, session_summary, simulation_of
from ..studio.frames import Traces, build_traces
from ..studio.history import history_of

__all__ = ["STAGES", "RASTER_STEPS", "ANALYSIS_STEPS", "AVALANCHE_STEPS", "MAX_SPIKE_CELLS",
           "ReportContents", "gather_contents"]

#: The stages of :func:`gather_contents`, in order (each is announced to its ``progress``).
STAGES = ("loading the network", "whole-run history", "weights", "spikes and avalanches",
          "synapse lifetimes")
#: Newest recorded steps the raster shows.
RASTER_STEPS = 1_000
#: Newest recorded steps the firing-rate and ISI distributions are taken from, at most.
ANALYSIS_STEPS = 100_000
#: Most spikes-by-neurons cells read unpacked at once (100 000 steps of 200 neurons): a
#: larger network gets fewer steps, so the memory a report takes does not grow with it.
MAX_SPIKE_CELLS = 20_000_000
#: Newest recorded steps the avalanche distributions are taken from.
AVALANCHE_STEPS = 1_000_000


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
    steps : numpy.ndarray
        Step number of each of the newest :data:`ANALYSIS_STEPS` recorded steps (fewer for a
        network of more than 200 E units, see :data:`MAX_SPIKE_CELLS`; empty when none
        were recorded).
    spikes_e : numpy.ndarray of bool, shape (len(steps), ne)
        The excitatory spikes of those steps: the firing rates, the intervals and the raster
        (its last :data:`RASTER_STEPS` rows) come from them.
    raster_i : numpy.ndarray of bool, shape (min(len(steps), RASTER_STEPS), ni)
        The inhibitory spikes of the raster's steps.
    traces : Traces
        The whole-run history (the studio's, when the file keeps it; else rebuilt from the
        recording, with ``traces.start`` steps before it missing).
    history_saved : bool
        Whether the file kept the studio's whole-run history.
    initial_n_ee, initial_n_ei : int
        E->E and I->E synapses at step 0 (the file keeps the initial network, so a history
        that starts late still has its first point).
    w_ee : numpy.ndarray of float32, shape (ne, ne)
        W^EE at the end of the session, in the studio's precision (so that its fits are the
        studio's, to the last digit).
    avalanches : Avalanches or None
        Avalanches (Del Papa 2017) in the newest :data:`AVALANCHE_STEPS` recorded steps,
        ``None`` without recorded steps.
    avalanche_steps : tuple of int or None
        First and last step of those steps.
    lifetimes : SynapseLifetimes or None
        Lifetimes of E->E synapses from the file's W^EE snapshots (at least two needed).
    snapshot_every : int
        Steps between those snapshots (0 when there are none).
    """

    info: SessionInfo
    summary: dict[str, Any]
    params: Params
    recorded_steps: int
    steps: np.ndarray
    spikes_e: np.ndarray
    raster_i: np.ndarray
    traces: Traces
    history_saved: bool
    initial_n_ee: int
    initial_n_ei: int
    w_ee: np.ndarray
    avalanches: Avalanches | None
    avalanche_steps: tuple[int, int] | None
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

    stage(STAGES[0])
    sim, info = simulation_of(data, stacklevel=3)
    params = sim.params
    rec = sim.recorder
    recorded = int(min(len(rec.steps()), sim.t))
    stage(STAGES[1])
    saved = saved_history(data)
    traces = build_traces(history_of(sim, saved), rec.spec.neurons, params.ne)
    stage(STAGES[2])
    w_ee = np.array(sim.w_ee, dtype=np.float32)
    stage(STAGES[3])
    window = min(recorded, ANALYSIS_STEPS, max(RASTER_STEPS, MAX_SPIKE_CELLS // params.ne))
    steps = np.asarray(rec.steps(last=window)) if window else np.zeros(0, np.int64)
    spikes_e = (np.asarray(rec.spikes_e(last=window)) if window
                else np.zeros((0, params.ne), bool))
    shown = min(window, RASTER_STEPS)
    raster_i = (np.asarray(rec.spikes_i(last=shown)) if shown
                else np.zeros((0, params.ni), bool))
    avalanches, avalanche_steps = None, None
    if recorded:
        # Counted from the packed rows: a long recording is never unpacked whole.
        kept = min(recorded, AVALANCHE_STEPS)
        avalanches = detect_avalanches(np.asarray(rec.active_e(last=kept)))
        first = rec.steps(last=kept)
        avalanche_steps = (int(first[0]), int(first[-1]))
    stage(STAGES[4])
    snapshots = rec.weight_snapshots()
    lifetimes = (synapse_lifetimes_from_snapshots(snapshots) if len(snapshots) >= 2 else None)
    return ReportContents(
        info=info, summary=session_summary(data), params=params, recorded_steps=recorded,
        steps=steps, spikes_e=spikes_e, raster_i=raster_i, traces=traces,
        history_saved=saved is not None,
        initial_n_ee=int(np.count_nonzero(data.arrays["initial/w_ee"])),
        initial_n_ei=int(np.count_nonzero(data.arrays["initial/w_ei"])), w_ee=w_ee,
        avalanches=avalanches, avalanche_steps=avalanche_steps,
        lifetimes=lifetimes, snapshot_every=rec.spec.weights_every if snapshots else 0,
    )
