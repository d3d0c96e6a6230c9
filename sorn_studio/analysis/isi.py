"""Inter-spike intervals (ISI): per-neuron intervals, coefficient of variation, exponential fit.

In discrete time a neuron that fires independently with probability p per step has
geometric ISIs with mean 1/p and CV sqrt(1 - p); for small p that is the exponential ISI
distribution of a Poisson process, CV close to 1. A CV well below 1 means regular firing,
above 1 bursty firing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sorn_studio.analysis._validate import as_array, as_spikes

__all__ = [
    "ExponentialFit",
    "ISIStatistics",
    "inter_spike_intervals",
    "fit_exponential",
    "isi_statistics",
]


@dataclass(frozen=True)
class ExponentialFit:
    """Maximum-likelihood exponential fit p(t) = rate * exp(-rate * t).

    Attributes
    ----------
    rate : float
        Events per time step, 1 / mean interval.
    log_likelihood : float
        Log-likelihood of the intervals under the fitted density.
    n : int
        Number of intervals fitted.
    """

    rate: float
    log_likelihood: float
    n: int

    @property
    def mean(self) -> float:
        """Mean interval of the fitted distribution, 1 / rate."""
        return 1.0 / self.rate


@dataclass(frozen=True)
class ISIStatistics:
    """Summary of the inter-spike intervals of a population.

    Attributes
    ----------
    intervals : numpy.ndarray of int64
        All intervals of all neurons, pooled (each neuron contributes only its own intervals).
    mean, std, cv : float
        Mean, standard deviation and coefficient of variation of the pooled intervals; NaN
        when there are fewer than two intervals.
    cv_per_neuron : numpy.ndarray, shape (N,)
        CV of each neuron's own intervals; NaN for neurons with fewer than two intervals.
    fit : ExponentialFit or None
        Exponential fit of the pooled intervals; None when there are none.
    """

    intervals: np.ndarray
    mean: float
    std: float
    cv: float
    cv_per_neuron: np.ndarray
    fit: ExponentialFit | None


def inter_spike_intervals(spikes: ArrayLike) -> list[np.ndarray]:
    """Intervals between consecutive spikes of each neuron.

    Parameters
    ----------
    spikes : array_like, shape (T, N) or (T,)
        Spike raster, boolean or 0/1; a 1-D array is one neuron.

    Returns
    -------
    list of numpy.ndarray of int64
        One array per neuron (one entry for 1-D input) holding the differences between its
        successive spike times, in steps; empty for a neuron with fewer than two spikes.
    """
    x = as_spikes(spikes, "spikes", ndim=(1, 2))
    if x.ndim == 1:
        x = x[:, None]
    # One nonzero() over the transposed raster yields spike times grouped by neuron.
    neuron, time = np.nonzero(x.T)
    boundaries = np.searchsorted(neuron, np.arange(1, x.shape[1]))
    return [np.diff(t).astype(np.int64) for t in np.split(time, boundaries)]


def fit_exponential(intervals: ArrayLike) -> ExponentialFit:
    """Fit an exponential distribution to positive intervals by maximum likelihood.

    Parameters
    ----------
    intervals : array_like, shape (n,)
        Positive intervals (e.g. ISIs in steps).

    Returns
    -------
    ExponentialFit
        ``rate = 1 / mean(intervals)``, the maximum-likelihood estimate.
    """
    t = as_array(intervals, "intervals", ndim=(1,)).astype(float)
    if (t <= 0).any():
        raise ValueError("intervals must all be positive")
    rate = 1.0 / t.mean()
    log_likelihood = t.size * np.log(rate) - rate * t.sum()
    return ExponentialFit(rate=float(rate), log_likelihood=float(log_likelihood), n=int(t.size))


def _cv(values: np.ndarray) -> float:
    if values.size < 2:
        return float("nan")
    return float(values.std() / values.mean())


def isi_statistics(spikes: ArrayLike) -> ISIStatistics:
    """Pooled ISI distribution, its CV and exponential fit, and each neuron's CV.

    Parameters
    ----------
    spikes : array_like, shape (T, N) or (T,)
        Spike raster, boolean or 0/1.

    Returns
    -------
    ISIStatistics
    """
    per_neuron = inter_spike_intervals(spikes)
    pooled = np.concatenate(per_neuron) if per_neuron else np.empty(0, dtype=np.int64)
    enough = pooled.size >= 2
    return ISIStatistics(
        intervals=pooled,
        mean=float(pooled.mean()) if enough else float("nan"),
        std=float(pooled.std()) if enough else float("nan"),
        cv=_cv(pooled),
        cv_per_neuron=np.array([_cv(isi) for isi in per_neuron]),
        fit=fit_exponential(pooled) if pooled.size else None,
    )
