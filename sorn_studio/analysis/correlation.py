"""Population measures: pairwise correlation, spike-source entropy, Hamming distance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sorn_studio.analysis._validate import as_spikes

__all__ = ["Correlation", "pairwise_correlation", "spike_source_entropy", "hamming_distance"]


@dataclass(frozen=True)
class Correlation:
    """Pearson correlations between the spike trains of a population.

    Attributes
    ----------
    matrix : numpy.ndarray, shape (N, N)
        Correlation coefficients. The correlation of a neuron that never changes state
        (silent, or always on) is undefined; its row and column are 0, including the diagonal,
        so the matrix never holds NaN.
    mean : float
        Mean over the distinct pairs of active neurons (off-diagonal entries only); NaN when
        fewer than two neurons are active.
    n_pairs : int
        Number of distinct pairs averaged, n_active * (n_active - 1) / 2.
    active : numpy.ndarray of bool, shape (N,)
        Which neurons changed state at least once.
    """

    matrix: np.ndarray
    mean: float
    n_pairs: int
    active: np.ndarray


def pairwise_correlation(spikes: ArrayLike) -> Correlation:
    """Pearson correlation coefficients between all pairs of neurons.

    Parameters
    ----------
    spikes : array_like, shape (T, N)
        Spike raster, boolean or 0/1, T >= 2.

    Returns
    -------
    Correlation
        The matrix and the mean over pairs, for any N, with silent neurons left out of the
        mean instead of turning it into NaN.
    """
    x = as_spikes(spikes, "spikes").astype(float)
    if x.shape[0] < 2:
        raise ValueError("spikes needs at least two time steps to correlate")
    centred = x - x.mean(axis=0)
    std = np.sqrt((centred**2).mean(axis=0))
    active = std > 0
    n = x.shape[1]
    matrix = np.zeros((n, n))
    k = int(active.sum())
    if k:
        z = centred[:, active] / std[active]
        sub = (z.T @ z) / x.shape[0]
        np.clip(sub, -1.0, 1.0, out=sub)  # rounding can push |r| a hair above 1
        np.fill_diagonal(sub, 1.0)
        matrix[np.ix_(active, active)] = sub
    n_pairs = k * (k - 1) // 2
    if n_pairs:
        upper = np.triu_indices(k, 1)
        mean = float(matrix[np.ix_(active, active)][upper].mean())
    else:
        mean = float("nan")
    return Correlation(matrix=matrix, mean=mean, n_pairs=n_pairs, active=active)


def spike_source_entropy(
    spikes: ArrayLike, n_neurons: int | None = None, *, normalized: bool = True
) -> float:
    """Entropy of the identity of the neuron that emitted a spike.

    With p_i the fraction of all spikes emitted by neuron i, H = -sum_i p_i log p_i, where
    0 log 0 = 0, so silent neurons contribute nothing instead of NaN. Normalised by log N it
    is 1 when every neuron fires equally often and 0 when a single neuron fires all spikes.

    Parameters
    ----------
    spikes : array_like, shape (T, N)
        Spike raster, boolean or 0/1.
    n_neurons : int, optional
        Number of neurons the normalisation refers to (default N, the number of columns);
        must be >= N.
    normalized : bool
        Divide by log(n_neurons) (default) or return the entropy in nats.

    Returns
    -------
    float
        The entropy; 0.0 when there are no spikes at all or when n_neurons is 1.
    """
    x = as_spikes(spikes, "spikes")
    if n_neurons is None:
        n_neurons = x.shape[1]
    if isinstance(n_neurons, bool) or not isinstance(n_neurons, int | np.integer):
        raise ValueError(f"n_neurons must be an integer, got {n_neurons!r}")
    if n_neurons < x.shape[1]:
        raise ValueError(f"n_neurons ({n_neurons}) is smaller than spikes.shape[1] ({x.shape[1]})")
    counts = x.sum(axis=0, dtype=np.int64)
    total = counts.sum()
    if total == 0:
        return 0.0
    p = counts[counts > 0] / total
    entropy = float(-(p * np.log(p)).sum())
    if not normalized:
        return entropy
    return entropy / float(np.log(n_neurons)) if n_neurons > 1 else 0.0


def hamming_distance(a: ArrayLike, b: ArrayLike, *, normalized: bool = False) -> np.ndarray:
    """Number of neurons whose state differs between two runs, at each time step.

    Parameters
    ----------
    a, b : array_like, shape (T, N)
        Two spike rasters of the same shape, e.g. a run and a perturbed copy of it.
    normalized : bool
        Divide by N to get the fraction of differing neurons.

    Returns
    -------
    numpy.ndarray, shape (T,)
        int64 counts, or floats in [0, 1] when ``normalized``.
    """
    xa = as_spikes(a, "a")
    xb = as_spikes(b, "b")
    if xa.shape != xb.shape:
        raise ValueError(f"a and b must have the same shape, got {xa.shape} and {xb.shape}")
    distance = (xa != xb).sum(axis=1, dtype=np.int64)
    return distance / xa.shape[1] if normalized else distance
