"""Analyses the studio shows while a network runs, computed in the worker thread.

:class:`LiveAnalysis` is fed after every chunk of steps (cheap bookkeeping: the population
activity for avalanches, the engine's E->E synapse events for lifetimes) and, a few times a
second, turns what it holds into an immutable :class:`Analysis` of ready-to-plot histograms:

- inter-spike intervals of the excitatory neurons over the recorder's window, with the CV and
  the exponential (Poisson) fit;
- lifetimes of the E->E synapses created by structural plasticity since the last reset;
- avalanche sizes and durations (Del Papa 2017) over the most recent steps;
- when the counting task runs, the accuracy of a next-symbol readout trained and tested on the
  newest steps, as a trace over the run.

It reuses :mod:`sorn_studio.analysis` (the readout included), so the studio shows the very
quantities the CLI experiments report. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..analysis import detect_avalanches, isi_statistics
from ..analysis.histograms import (
    Histogram,
    binned_median,
    int_log_edges,
    log_int_histogram,
    unit_histogram,
)
from ..analysis.lifetimes import SynapseEventTracker
from ..analysis.readout import next_symbol_accuracy
from ..readonly import read_only

if TYPE_CHECKING:
    from ..engine import Simulation

__all__ = [
    "Analysis",
    "ISIPanel",
    "LifetimePanel",
    "AvalanchePanel",
    "ReadoutPanel",
    "LiveAnalysis",
]


#: Fixed bins for synapse lifetimes, 1 step to 10^10 steps.
_LIFETIME_EDGES = int_log_edges(1e10)


@dataclass(frozen=True)
class ISIPanel:
    """Inter-spike intervals of the excitatory neurons over a window of steps.

    Attributes
    ----------
    first_step, last_step : int
        Steps the intervals were taken from.
    histogram : Histogram
        Density of the pooled intervals in unit bins (the far tail, beyond the 99.5th
        percentile, is not binned).
    cv : float
        Coefficient of variation of the pooled intervals (1 for a Poisson process); NaN when
        there are fewer than two.
    mean_cv_per_neuron : float
        Mean of the neurons' own CVs (neurons with at least two intervals); NaN when none.
    mean : float
        Mean interval in steps.
    fit_rate : float
        Rate of the exponential maximum-likelihood fit, 1 / mean; NaN without intervals.
    """

    first_step: int
    last_step: int
    histogram: Histogram
    cv: float
    mean_cv_per_neuron: float
    mean: float
    fit_rate: float


@dataclass(frozen=True)
class LifetimePanel:
    """Lifetimes of E->E synapses created since the tracker started.

    Attributes
    ----------
    since_step : int
        Step from which synapse events were followed (the start of the run or of the view).
    histogram : Histogram
        Density of the lifetimes of created synapses that were pruned again, exact to the
        step (from the engine's creation and pruning events).
    n_created, n_pruned, n_alive : int
        Synapses created and pruned since ``since_step``, and of the created ones those alive.
    median_lifetime : float
        Median lifetime of the pruned ones in steps, interpolated within its histogram bin
        (NaN before any was pruned).
    """

    since_step: int
    histogram: Histogram
    n_created: int
    n_pruned: int
    n_alive: int
    median_lifetime: float


@dataclass(frozen=True)
class AvalanchePanel:
    """Neuronal avalanches (Del Papa 2017) in the newest steps.

    Attributes
    ----------
    first_step, last_step : int
        Steps the activity was taken from.
    theta : float
        Activity threshold, round(<a>/2).
    sizes, durations : Histogram
        Densities of avalanche sizes (spikes above threshold) and durations (steps).
    """

    first_step: int
    last_step: int
    theta: float
    sizes: Histogram
    durations: Histogram


@dataclass(frozen=True)
class ReadoutPanel:
    """Next-symbol readout accuracy on the counting task, evaluated during the run.

    Each point trains a ridge readout on the first ``train_fraction`` of the newest recorded
    steps (network state x(t) -> symbol at t + 1) and tests it on the remaining steps. Unlike
    :func:`sorn_studio.experiments.counting_trial` the network is not frozen: the trace shows
    how well the plastic network's state predicts the input as it self-organises.

    Attributes
    ----------
    steps : numpy.ndarray
        Step at which each point was evaluated.
    accuracy, accuracy_cf : numpy.ndarray
        Accuracy on all test steps, and on those whose next symbol is word-final (C or F).
    train_steps, test_steps : int
        Steps used to train and to test each point.
    """

    steps: np.ndarray
    accuracy: np.ndarray
    accuracy_cf: np.ndarray
    train_steps: int
    test_steps: int


@dataclass(frozen=True)
class Analysis:
    """Everything the analysis views show; rebuilt a few times a second while running.

    Attributes
    ----------
    index : int
        Counts the analyses built by one :class:`LiveAnalysis` (views repaint when it changes).
    step : int
        Step of the simulation when it was built.
    isi : ISIPanel or None
        ``None`` before enough steps are recorded.
    lifetimes : LifetimePanel or None
        ``None`` before two masks are observed.
    avalanches : AvalanchePanel or None
        ``None`` before any avalanche is complete.
    readout : ReadoutPanel or None
        ``None`` unless the counting task is the input.
    """

    index: int
    step: int
    isi: ISIPanel | None
    lifetimes: LifetimePanel | None
    avalanches: AvalanchePanel | None
    readout: ReadoutPanel | None


class LiveAnalysis:
    """Incremental bookkeeping and periodic analyses of a running simulation.

    Parameters
    ----------
    avalanche_steps : int
        Steps of population activity kept for the avalanche distributions.
    isi_steps : int
        Newest steps whose spikes give the ISI distribution (at most the recorder's window).
    readout_steps : int
        Newest steps used for one readout evaluation (train, then test).
    train_fraction : float
        Fraction of ``readout_steps`` used for training.
    readout_points : int
        Points of the readout accuracy trace kept (oldest dropped).
    """

    def __init__(self, *, avalanche_steps: int = 100_000, isi_steps: int = 5_000,
                 readout_steps: int = 6_000, train_fraction: float = 2 / 3,
                 readout_points: int = 2_000) -> None:
        for name, value in (("avalanche_steps", avalanche_steps), ("isi_steps", isi_steps),
                            ("readout_steps", readout_steps),
                            ("readout_points", readout_points)):
            if int(value) < 10:
                raise ValueError(f"{name} = {value} must be >= 10")
        if not 0.1 <= train_fraction <= 0.9:
            raise ValueError(f"train_fraction = {train_fraction} must be in [0.1, 0.9]")
        self.avalanche_steps = int(avalanche_steps)
        self.isi_steps = int(isi_steps)
        self.readout_steps = int(readout_steps)
        self.train_fraction = float(train_fraction)
        self._train_steps = int(self.readout_steps * self.train_fraction)
        self.readout_points = int(readout_points)
        self._activity = np.zeros(self.avalanche_steps, dtype=np.int32)
        self.clear()

    def clear(self) -> None:
        """Forget everything (a reset or another simulation)."""
        self._filled = 0
        self._head = 0  # next write position in the activity ring
        self._activity_stop = 0  # step after the newest activity sample
        self._tracker: SynapseEventTracker | None = None
        # Lifetimes are binned as they complete (bounded memory over any run length).
        self._life_counts = np.zeros(len(_LIFETIME_EDGES) - 1, dtype=np.int64)
        self._life_n = 0
        self._readout: list[tuple[int, float, float]] = []
        self._readout_at = -1
        self._index = 0

    # -- per chunk -----------------------------------------------------------------------------
    def feed(self, sim: Simulation, done: int) -> None:
        """Take in the ``done`` steps the simulation just made.

        Parameters
        ----------
        sim : Simulation
            Recorded with at least ``done`` steps of window, and tracking synapse events
            (:meth:`~sorn_studio.engine.Simulation.track_synapse_events`) from the first call.
        done : int
            Steps made since the last call.
        """
        if done <= 0:
            return
        counts = np.asarray(sim.recorder.active_e(last=done)).astype(np.int32)
        self._push_activity(counts[-self.avalanche_steps:])
        self._activity_stop = int(sim.t) + 1
        self._take_events(sim, done)

    def _take_events(self, sim: Simulation, done: int) -> None:
        ne = sim.params.ne
        if self._tracker is None or self._tracker.shape != (ne, ne):
            # The synapses existing when the view starts have no known age (nor, for the
            # tracker, a known state): only those seen created are timed.
            self._tracker = SynapseEventTracker(np.ones((ne, ne), bool), int(sim.t) - done,
                                                strict=False, keep_lifetimes=False)
        lives = self._tracker.apply(sim.take_synapse_events())
        if lives.size:
            self._life_counts += np.histogram(lives, bins=_LIFETIME_EDGES)[0]
            self._life_n += lives.size

    def _push_activity(self, counts: np.ndarray) -> None:
        n, cap = len(counts), self.avalanche_steps
        first = min(n, cap - self._head)
        self._activity[self._head:self._head + first] = counts[:first]
        self._activity[:n - first] = counts[first:]
        self._head = (self._head + n) % cap
        self._filled = min(cap, self._filled + n)

    def _recent_activity(self) -> np.ndarray:
        if self._filled < self.avalanche_steps:
            return self._activity[:self._filled].copy()
        return np.roll(self._activity, -self._head)

    # -- a few times a second ------------------------------------------------------------------
    def compute(self, sim: Simulation) -> Analysis:
        """Build a new :class:`Analysis` from what was fed and what the recorder holds.

        Parameters
        ----------
        sim : Simulation
            The simulation that was fed.

        Returns
        -------
        Analysis
        """
        self._index += 1
        return Analysis(index=self._index, step=int(sim.t), isi=self._isi(sim),
                        lifetimes=self._lifetimes(), avalanches=self._avalanches(),
                        readout=self._readout_panel(sim))

    def _isi(self, sim: Simulation) -> ISIPanel | None:
        rec = sim.recorder
        steps = rec.steps(last=self.isi_steps)
        if len(steps) < 2:
            return None
        stats = isi_statistics(rec.spikes_e(last=self.isi_steps))
        cvs = stats.cv_per_neuron[np.isfinite(stats.cv_per_neuron)]
        return ISIPanel(
            first_step=int(steps[0]), last_step=int(steps[-1]),
            histogram=unit_histogram(stats.intervals),
            cv=stats.cv, mean_cv_per_neuron=float(cvs.mean()) if cvs.size else float("nan"),
            mean=stats.mean, fit_rate=stats.fit.rate if stats.fit else float("nan"),
        )

    def _lifetimes(self) -> LifetimePanel | None:
        tracker = self._tracker
        if tracker is None:
            return None
        used = np.flatnonzero(self._life_counts)
        last = int(used[-1]) + 2 if used.size else 2
        return LifetimePanel(
            since_step=tracker.start + 1,
            histogram=Histogram.from_counts(_LIFETIME_EDGES[:last], self._life_counts[:last - 1]),
            n_created=tracker.n_created, n_pruned=self._life_n,
            n_alive=tracker.n_created - self._life_n,
            median_lifetime=binned_median(_LIFETIME_EDGES, self._life_counts),
        )

    def _avalanches(self) -> AvalanchePanel | None:
        activity = self._recent_activity()
        if activity.size < 3:
            return None
        found = detect_avalanches(activity)
        if len(found) == 0:
            return None
        first = self._activity_stop - activity.size
        return AvalanchePanel(
            first_step=int(first), last_step=int(self._activity_stop - 1),
            theta=found.theta, sizes=log_int_histogram(np.rint(found.sizes)),
            durations=log_int_histogram(found.durations),
        )

    def _readout_panel(self, sim: Simulation) -> ReadoutPanel | None:
        params = sim.params
        if params.input_kind != "counting":
            if self._readout:
                self._readout.clear()
                self._readout_at = -1
            return None
        rec = sim.recorder
        n = self.readout_steps + 1  # the state at t predicts the symbol at t + 1
        steps = rec.steps(last=n)
        # A new point once a quarter of the test span has passed since the last one.
        train = self._train_steps
        test = self.readout_steps - train
        if len(steps) == n and int(sim.t) - self._readout_at >= max(1, test // 4):
            self._evaluate_readout(sim, n)
        points = np.array(self._readout, dtype=float).reshape(-1, 3)
        return ReadoutPanel(
            steps=read_only(points[:, 0].astype(np.int64)), accuracy=read_only(points[:, 1].copy()),
            accuracy_cf=read_only(points[:, 2].copy()), train_steps=train,
            test_steps=test,
        )

    def _evaluate_readout(self, sim: Simulation, n: int) -> None:
        rec, params = sim.recorder, sim.params
        symbols = np.asarray(rec.symbols(last=n))
        if np.unique(symbols[1:self._train_steps + 1]).size < 2:
            return
        final = [params.alphabet.index(s) for s in ("C", "F") if s in params.alphabet]
        accuracy, accuracy_cf = next_symbol_accuracy(rec.spikes_e(last=n), symbols,
                                                     self._train_steps, final)
        self._readout.append((int(sim.t), accuracy, accuracy_cf))
        del self._readout[:-self.readout_points]
        self._readout_at = int(sim.t)
