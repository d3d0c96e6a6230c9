"""Neuronal avalanches, after Del Papa, Priesemann & Triesch (2017).

Several networks self-organise without input; after a transient their excitatory activity
a(t) is recorded, avalanches are detected with theta = round(<a> / 2) per network, pooled
over networks (single-network exponents vary a lot) and fitted with truncated discrete power
laws and the <S>(T) scaling. The contrast condition switches every plasticity mechanism off
from the start, so the same kind of network runs with its random initial structure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sorn_studio.analysis import (
    AvalancheAnalysis,
    Avalanches,
    detect_avalanches,
    fit_avalanches,
    pool_avalanches,
)
from sorn_studio.params import MECHANISMS, Params
from sorn_studio.presets import load_preset
from sorn_studio.recording import RecordingSpec

__all__ = ["AvalancheExperiment", "check_fit_ranges", "network_activity", "run_avalanches"]

#: Steps simulated per call while recording activity (bounds the unpacked spike block).
_CHUNK = 10_000


@dataclass(frozen=True)
class AvalancheExperiment:
    """Pooled avalanche statistics of several networks.

    Attributes
    ----------
    plastic : bool
        Whether plasticity was on (False: off from the start, the contrast condition).
    seeds : tuple of int
        One network per seed.
    transient, record_steps : int
        Steps discarded, then steps recorded, per network.
    per_network : tuple of Avalanches
        Each network's avalanches (its own threshold).
    per_network_exponents : numpy.ndarray, shape (n_networks, 2)
        Size and duration exponents fitted to each network alone, over the same ranges (NaN
        where a fit was impossible); their spread shows why pooling is needed.
    mean_rates : numpy.ndarray
        Mean excitatory rate of each network while recorded.
    pooled : AvalancheAnalysis
        Fits of the pooled sizes and durations.
    """

    plastic: bool
    seeds: tuple[int, ...]
    transient: int
    record_steps: int
    per_network: tuple[Avalanches, ...]
    per_network_exponents: np.ndarray
    mean_rates: np.ndarray
    pooled: AvalancheAnalysis


def _exponents(result: AvalancheAnalysis) -> tuple[float, float]:
    nan = float("nan")
    return (
        result.size_fit.exponent if result.size_fit else nan,
        result.duration_fit.exponent if result.duration_fit else nan,
    )


def network_activity(
    params: Params, seed: int, transient: int, record_steps: int, *, plastic: bool = True
) -> np.ndarray:
    """Population activity a(t) of one network after a transient.

    Parameters
    ----------
    params : Params
    seed : int
    transient : int
        Steps run before recording.
    record_steps : int
        Steps recorded.
    plastic : bool
        False switches every mechanism off before the first step.

    Returns
    -------
    numpy.ndarray of int32, shape (record_steps,)
        Number of active excitatory units per recorded step.
    """
    from sorn_studio.engine import Simulation

    if not plastic:
        params = params.replace(**dict.fromkeys(MECHANISMS, False))
    chunk = min(_CHUNK, max(record_steps, 1))
    sim = Simulation(params, seed=seed, recording=RecordingSpec(window=chunk))
    sim.run(transient)
    activity = np.empty(record_steps, dtype=np.int32)
    done = 0
    while done < record_steps:
        size = min(chunk, record_steps - done)
        sim.run(size)
        activity[done : done + size] = sim.recorder.spikes_e(last=size).sum(axis=1)
        done += size
    return activity


def check_fit_ranges(size_range: tuple[int | None, int | None],
                     duration_range: tuple[int | None, int | None]) -> None:
    """Refuse a fit range that is empty (:class:`ValueError` naming it).

    Checked before any network runs: an empty range would only show up, hours later, as a
    NaN fit.
    """
    for name, (low, high) in (("size_range", size_range), ("duration_range", duration_range)):
        if low is not None and high is not None and not 1 <= low < high:
            raise ValueError(f"argument {name!r} = ({low}, {high}) must have "
                             "1 <= XMIN < XMAX")


def _network_avalanches(params: Params, seed: int, transient: int, record_steps: int,
                        plastic: bool) -> tuple[Avalanches, float]:
    """One network's avalanches and mean rate (a task: its activity stays where it ran)."""
    activity = network_activity(params, seed, transient, record_steps, plastic=plastic)
    return detect_avalanches(activity), float(activity.mean() / params.ne)


def run_avalanches(
    n_networks: int = 4,
    *,
    seed: int = 0,
    transient: int = 1_000_000,
    record_steps: int = 1_000_000,
    plastic: bool = True,
    params: Params | None = None,
    size_range: tuple[int | None, int | None] = (None, None),
    duration_range: tuple[int | None, int | None] = (None, None),
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = 1,
    scheduler: str | None = None,
    client: Any = None,
) -> AvalancheExperiment:
    """Record several networks, detect avalanches, pool and fit them.

    Parameters
    ----------
    n_networks : int
        Networks, with seeds ``seed, seed + 1, ...``.
    seed : int
        First seed.
    transient, record_steps : int
        Per network (the paper: 2e6 transient of 5e6 steps).
    plastic : bool
        False: the contrast condition with all plasticity off from the start.
    params : Params, optional
        Default the ``delpapa2017`` preset.
    size_range, duration_range : (int or None, int or None)
        (xmin, xmax) of the power-law fits.
    progress : callable, optional
        Called as ``progress(networks_done, n_networks)``.
    workers, scheduler, client
        Where the networks run (:func:`sorn_studio.ensemble.tasks.run_tasks`): by default
        here, one after another; ``workers=None`` a local cluster with one process per core.
        The result is the same wherever they run.

    Returns
    -------
    AvalancheExperiment
    """
    check_fit_ranges(size_range, duration_range)
    if n_networks < 1:
        raise ValueError(f"n_networks must be >= 1, got {n_networks}")
    if transient < 0 or record_steps < 10:
        raise ValueError("transient must be >= 0 and record_steps >= 10")
    # Imported when run: the ensemble's output folder writes with this package's tables.
    from sorn_studio.ensemble.tasks import run_tasks

    params = params or load_preset("delpapa2017")
    seeds = tuple(range(seed, seed + n_networks))
    finished = 0

    def count(_index: int, _result: tuple[Avalanches, float]) -> None:
        nonlocal finished
        finished += 1
        if progress is not None:
            progress(finished, n_networks)

    measured = run_tasks(
        _network_avalanches, [(params, s, transient, record_steps, plastic) for s in seeds],
        workers=workers, scheduler=scheduler, client=client,
        keys=[f"avalanches-{'plastic' if plastic else 'frozen'}-seed{s}" for s in seeds],
        on_result=count)
    found = [avalanches for avalanches, _ in measured]
    rates = [rate for _, rate in measured]
    return AvalancheExperiment(
        plastic=plastic,
        seeds=seeds,
        transient=transient,
        record_steps=record_steps,
        per_network=tuple(found),
        per_network_exponents=np.array(
            [
                _exponents(fit_avalanches(f, size_range=size_range, duration_range=duration_range))
                for f in found
            ]
        ),
        mean_rates=np.array(rates),
        pooled=fit_avalanches(
            pool_avalanches(found), size_range=size_range, duration_range=duration_range
        ),
    )
