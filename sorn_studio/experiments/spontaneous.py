"""Spontaneous self-organisation, after Zheng, Dimitrakakis & Triesch (2013).

Without input, noise and the five plasticity mechanisms reshape the network: the E->E
connection fraction first decays, then regrows and settles (decay, growth and stable
phases), the weights become long-tailed, roughly lognormal, and most new synapses die young
while strong ones persist (as Zheng et al. report). This experiment records the
connection-fraction trajectory, the mean rate, the final weight distribution with its
lognormal-versus-normal fit and the synapse lifetimes.

It also records two diagnostics of the regime the network settled in. The same model can
instead develop "synfire rings" (Zheng & Triesch 2014, Front. Comput. Neurosci. 8:66): groups
of neurons that fire one after the other around a loop. Each neuron's surviving inputs then
come from the group that fires just before it and are all potentiated at the same rate, so
normalisation makes them nearly equal and the weight distribution narrow. ``periodicity``
(spike trains correlated with themselves a fixed number of steps later) and
``input_log_spread`` (the spread of log-weights among one neuron's inputs) tell the two
regimes apart.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sorn_studio.analysis import (
    ANALYSIS_FLOOR,
    SynapseEventTracker,
    SynapseLifetimes,
    WeightFit,
    connection_fraction,
    fit_above_floor,
    fit_weight_distribution,
)
from sorn_studio.analysis.weights import input_log_spread
from sorn_studio.params import Params
from sorn_studio.presets import load_preset
from sorn_studio.recording import RecordingSpec

__all__ = [
    "TrajectoryPhases",
    "SpontaneousResult",
    "describe_trajectory",
    "run_spontaneous",
    "run_spontaneous_seeds",
    "spike_train_periodicity",
]


@dataclass(frozen=True)
class TrajectoryPhases:
    """Landmarks of a connection-fraction trajectory.

    Attributes
    ----------
    initial, minimum, final : float
        Fraction at the first sample, its smallest value, and at the last sample.
    step_of_minimum : int
    final_change : float
        Relative change over the last quarter of the samples, (last - value a quarter
        earlier) / last; near 0 once the fraction has settled.
    decays_then_recovers : bool
        The minimum is below 0.8 x initial and the final value above 1.2 x minimum.
    """

    initial: float
    minimum: float
    step_of_minimum: int
    final: float
    final_change: float
    decays_then_recovers: bool


def spike_train_periodicity(spikes: np.ndarray, max_lag: int = 20) -> tuple[int, float]:
    """Strongest periodic repetition of single-neuron spike trains, pooled over neurons.

    For each lag from 2 to ``max_lag`` the autocovariance of every neuron's spike train is
    summed over neurons and divided by the summed variances, which gives the mean normalised
    autocorrelation (neurons that never or always fire carry no weight). Independent,
    irregular firing gives values near 0 at every lag; activity that travels around a synfire
    ring of period P, with each neuron firing once per cycle, gives a clear peak at lag P.
    Lag 1 is left out because no loop is that short (E->E has no self-connections).

    Parameters
    ----------
    spikes : numpy.ndarray, shape (T, N)
        Spike trains, boolean or 0/1, time first.
    max_lag : int
        Largest lag examined, >= 2 and < T.

    Returns
    -------
    lag : int
        Lag of the highest autocorrelation.
    autocorrelation : float
        Its value; NaN (with lag 0) when no neuron's activity varies.
    """
    x = np.asarray(spikes, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"spikes must be 2-D (T, N), got shape {x.shape}")
    if not 2 <= max_lag < x.shape[0]:
        raise ValueError(f"max_lag ({max_lag}) must be at least 2 and below T ({x.shape[0]})")
    centred = x - x.mean(axis=0)
    variance = float((centred * centred).mean(axis=0).sum())
    if variance == 0.0:
        return 0, float("nan")
    lags = np.arange(2, max_lag + 1)
    ac = np.array([(centred[:-lag] * centred[lag:]).mean(axis=0).sum() for lag in lags])
    best = int(np.argmax(ac))
    return int(lags[best]), float(ac[best] / variance)


def describe_trajectory(steps: np.ndarray, fraction: np.ndarray) -> TrajectoryPhases:
    """Summarise a connection-fraction trajectory (at least four samples).

    Parameters
    ----------
    steps : numpy.ndarray, shape (k,)
    fraction : numpy.ndarray, shape (k,)

    Returns
    -------
    TrajectoryPhases
    """
    steps, fraction = np.asarray(steps), np.asarray(fraction, dtype=float)
    if fraction.size < 4 or steps.shape != fraction.shape:
        raise ValueError("steps and fraction must be equally long, with at least four samples")
    low = int(np.argmin(fraction))
    quarter = fraction[-(fraction.size // 4) - 1]
    final = float(fraction[-1])
    return TrajectoryPhases(
        initial=float(fraction[0]),
        minimum=float(fraction[low]),
        step_of_minimum=int(steps[low]),
        final=final,
        final_change=(final - float(quarter)) / final if final > 0 else float("nan"),
        decays_then_recovers=bool(
            fraction[low] < 0.8 * fraction[0] and final > 1.2 * fraction[low]
        ),
    )


@dataclass(frozen=True)
class SpontaneousResult:
    """Outcome of :func:`run_spontaneous`.

    Attributes
    ----------
    params : Params
    seed : int
    steps : numpy.ndarray of int64
        Sample steps (including 0, before the first step).
    connection_fraction : numpy.ndarray
        E->E connection fraction at each sample.
    mean_rate : numpy.ndarray
        Mean excitatory rate over the interval ending at each sample (NaN at step 0).
    weights : numpy.ndarray
        The positive E->E weights at the end.
    weight_fit : WeightFit
        Lognormal versus normal fit of all synapses (the weights above ``weight_threshold``).
    weight_threshold : float
        Weights at or below it were left out of the fit (not out of the connection fraction).
    n_negligible : int
        Positive weights at or below ``weight_threshold``.
    fit_floor : float
        Smallest weight of ``floor_fit``.
    floor_fit : WeightFit or None
        The same comparison for the weights above ``fit_floor``: by default the range the
        authors' analysis plots, which leaves out the synapses structural plasticity has just
        created (see :data:`~sorn_studio.analysis.weights.ANALYSIS_FLOOR`). ``None`` when
        fewer than three distinct weights lie above the floor.
    lifetimes : SynapseLifetimes
        Exact, from the engine's creation and pruning events (every synapse, at its step).
    phases : TrajectoryPhases
    periodicity_lag, periodicity : int, float
        :func:`spike_train_periodicity` of the excitatory spikes in the last ``sample_every``
        steps. Around 0.4-0.5 at the ring's period (6-10 steps in the ``zheng2013`` preset)
        when the network has formed synfire rings; near 0 for irregular activity.
    input_log_spread : float
        Median over neurons of the standard deviation of log w among the neuron's inputs
        above ``weight_threshold`` (see
        :func:`~sorn_studio.analysis.weights.input_log_spread`). Small values (about 0.1)
        mean each neuron's inputs are nearly equal, whatever the spread across neurons.
    """

    params: Params
    seed: int
    steps: np.ndarray
    connection_fraction: np.ndarray
    mean_rate: np.ndarray
    weights: np.ndarray
    weight_fit: WeightFit
    weight_threshold: float
    n_negligible: int
    fit_floor: float
    floor_fit: WeightFit | None
    lifetimes: SynapseLifetimes
    phases: TrajectoryPhases
    periodicity_lag: int
    periodicity: float
    input_log_spread: float


def run_spontaneous(
    steps: int = 1_000_000,
    seed: int = 0,
    *,
    sample_every: int = 10_000,
    weight_threshold: float = 1e-10,
    fit_floor: float = ANALYSIS_FLOOR,
    params: Params | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SpontaneousResult:
    """Let a network self-organise without input and measure what it becomes.

    Parameters
    ----------
    steps : int
        Steps to simulate (Zheng et al. needed about 1e6-2e6 for the three phases).
    seed : int
        Simulation seed.
    sample_every : int
        Steps between samples of the connection fraction and the rate; must divide ``steps``.
    weight_threshold : float
        Smallest weight included in the distribution fit. The outgoing synapses of a silent
        presynaptic neuron never see STDP, so normalisation shrinks them geometrically towards
        denormal numbers (1e-300 and below) without ever pruning them; in log space those few
        values would dominate the lognormal fit. They still count as synapses in the
        connection fraction, which follows the engine's rule (a synapse exists while w > 0).
    fit_floor : float
        Smallest weight of the second fit, ``floor_fit``; must be >= ``weight_threshold``.
    params : Params, optional
        Default the ``zheng2013`` preset.
    progress : callable, optional
        Called as ``progress(done, steps)`` after each sample.

    Returns
    -------
    SpontaneousResult
    """
    from sorn_studio.engine import Simulation

    if sample_every < 1:
        raise ValueError(f"sample_every = {sample_every} must be >= 1")
    if steps < 4 * sample_every or steps % sample_every:
        raise ValueError(
            f"steps ({steps}) must be a multiple of sample_every ({sample_every}), "
            "with at least four samples"
        )
    if not weight_threshold <= fit_floor < 1.0:
        raise ValueError(
            f"fit_floor = {fit_floor} must be >= weight_threshold ({weight_threshold}) and < 1"
        )
    params = params or load_preset("zheng2013")
    sim = Simulation(params, seed=seed, recording=RecordingSpec(window=sample_every))
    sim.track_synapse_events(True)
    tracker = SynapseEventTracker(sim.w_ee > 0, start=0)
    sample_steps = [0]
    fractions = [connection_fraction(sim.w_ee)]
    rates = [float("nan")]
    while sim.t < steps:
        sim.run(sample_every)
        tracker.apply(sim.take_synapse_events())
        sample_steps.append(sim.t)
        fractions.append(connection_fraction(sim.w_ee))
        rates.append(float(sim.recorder.rate_e(last=sample_every).mean()))
        if progress is not None:
            progress(sim.t, steps)
    step_arr = np.array(sample_steps, dtype=np.int64)
    fraction_arr = np.array(fractions)
    # The recorder keeps the last sample_every steps; shorter windows than a few steps say
    # nothing about periodicity.
    lag, periodicity = (
        spike_train_periodicity(sim.recorder.spikes_e(last=sample_every),
                                max_lag=min(20, sample_every - 1))
        if sample_every >= 3 else (0, float("nan"))
    )
    weights = sim.w_ee[sim.w_ee > 0].copy()
    n_negligible = int((weights <= weight_threshold).sum())
    return SpontaneousResult(
        params=params,
        seed=int(seed),
        steps=step_arr,
        connection_fraction=fraction_arr,
        mean_rate=np.array(rates),
        weights=weights,
        weight_fit=fit_weight_distribution(weights, threshold=weight_threshold),
        weight_threshold=float(weight_threshold),
        n_negligible=n_negligible,
        fit_floor=float(fit_floor),
        floor_fit=fit_above_floor(weights, fit_floor),
        lifetimes=tracker.result(sim.t),
        phases=describe_trajectory(step_arr, fraction_arr),
        periodicity_lag=lag,
        periodicity=periodicity,
        input_log_spread=input_log_spread(sim.w_ee, threshold=weight_threshold),
    )


def run_spontaneous_seeds(
    steps: int,
    seeds: Sequence[int],
    *,
    workers: int | None = 1,
    scheduler: str | None = None,
    client: Any = None,
    on_result: Callable[[SpontaneousResult], None] | None = None,
    **options: Any,
) -> list[SpontaneousResult]:
    """:func:`run_spontaneous` for several seeds, here or on Dask.

    Parameters
    ----------
    steps : int
    seeds : sequence of int
    workers, scheduler, client
        Where the networks run (:func:`sorn_studio.ensemble.tasks.run_tasks`): by default
        here, one after another; ``workers=None`` a local cluster with one process per core.
        Each result is the one :func:`run_spontaneous` gives for its seed.
    on_result : callable, optional
        Called with each result as it finishes, in the order they finish.
    **options
        ``sample_every``, ``weight_threshold``, ``fit_floor``, ``params``.

    Returns
    -------
    list of SpontaneousResult
        In the order of ``seeds``.
    """
    # Imported when run: the ensemble's output folder writes with this package's tables.
    from sorn_studio.ensemble.tasks import run_tasks

    if "progress" in options:
        raise ValueError("progress is per network; use on_result for several seeds")
    return run_tasks(
        functools.partial(run_spontaneous, steps, **options), [(int(s),) for s in seeds],
        workers=workers, scheduler=scheduler, client=client,
        keys=[f"spontaneous-seed{s}" for s in seeds],
        on_result=None if on_result is None else lambda index, result: on_result(result))
