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


def _intervals_by_neuron(spikes: ArrayLike) -> tuple[np.ndarray, np.ndarray, int]:
    """All intervals, the neuron each belongs to (ascending), and the number of neurons."""
    x = as_spikes(spikes, "spikes", ndim=(1, 2))
    if x.ndim == 1:
        x = x[:, None]
    steps, n = x.shape
    # Flat indices into the neuron-major raster come out grouped by neuron and sorted by time
    # within each neuron; differences inside a group are that neuron's intervals. This is
    # several times faster than a 2-D nonzero() followed by one diff per neuron.
    flat = np.flatnonzero(np.ascontiguousarray(x.T))
    neuron = flat // max(steps, 1)
    same = neuron[1:] == neuron[:-1]
    return np.diff(flat)[same].astype(np.int64), neuron[1:][same], n


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
    intervals, neuron, n = _intervals_by_neuron(spikes)
    return np.split(intervals, np.searchsorted(neuron, np.arange(1, n)))


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
    pooled, neuron, n = _intervals_by_neuron(spikes)
    enough = pooled.size >= 2
    # Per-neuron CVs from per-neuron sums (population std, as _cv computes it).
    count = np.bincount(neuron, minlength=n).astype(float)
    total = np.bincount(neuron, weights=pooled, minlength=n)
    squares = np.bincount(neuron, weights=pooled.astype(float) ** 2, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        std = np.sqrt(np.maximum(squares / count - mean**2, 0.0))
        cv_per_neuron = np.where(count >= 2, std / mean, np.nan)
    return ISIStatistics(
        intervals=pooled,
        mean=float(pooled.mean()) if enough else float("nan"),
        std=float(pooled.std()) if enough else float("nan"),
        cv=_cv(pooled),
        cv_per_neuron=cv_per_neuron,
        fit=fit_exponential(pooled) if pooled.size else None,
    )
