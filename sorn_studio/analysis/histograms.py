"""Histograms on logarithmic axes, for integers and for positive reals.

Two different ideas live here, each implemented once:

* **Integers** (inter-spike intervals, avalanche sizes and durations, synapse lifetimes in
  steps): :func:`int_log_edges` puts bin edges at half-integers on a roughly geometric grid,
  so every bin holds at least one integer and small values are neither split across bins nor
  left to fall into empty ones; :func:`log_int_histogram` and :func:`unit_histogram` return a
  :class:`Histogram` (a density of positive integers).
* **Positive reals** (weights): :func:`log10_counts` counts values in bins of log10(value),
  and :func:`log_histogram` is the density on geometric bins fitted to the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sorn_studio.analysis._validate import as_array, check_positive_int
from sorn_studio.readonly import read_only

__all__ = [
    "Histogram",
    "binned_median",
    "int_log_edges",
    "log10_counts",
    "log_histogram",
    "log_int_histogram",
    "unit_histogram",
]


@dataclass(frozen=True)
class Histogram:
    """Probability density of positive integers in bins with half-integer edges.

    Arrays are read-only: histograms are handed between threads in the studio.

    Attributes
    ----------
    edges : numpy.ndarray
        Bin edges (``len(density) + 1``), ascending, the first at 1/2.
    density : numpy.ndarray
        Fraction of the values per unit of x in each bin (integrates to 1); 0 for empty bins.
    n : int
        Number of values counted.
    """

    edges: np.ndarray
    density: np.ndarray
    n: int

    @classmethod
    def from_counts(cls, edges: np.ndarray, counts: np.ndarray) -> Histogram:
        """The density of ``counts`` values in the bins between ``edges``.

        Parameters
        ----------
        edges : numpy.ndarray
            ``len(counts) + 1`` ascending bin edges (copied).
        counts : numpy.ndarray
            Values per bin.

        Returns
        -------
        Histogram
        """
        n = int(counts.sum())
        density = counts / (max(n, 1) * np.diff(edges))
        return cls(edges=read_only(np.array(edges, dtype=float)),
                   density=read_only(density.astype(float)), n=n)


def int_log_edges(top: float, bins_per_decade: int = 8) -> np.ndarray:
    """Bin edges from 1/2 to beyond ``top`` for positive integers on a log axis.

    Edges sit at half-integers (1/2, 3/2, ...) on a roughly geometric grid, so every bin holds
    at least one integer and small values (ISIs of 1 or 2 steps, one-step avalanches) are
    neither split across bins nor left to fall into empty ones.

    Parameters
    ----------
    top : float
        Largest value to cover (at least 2).
    bins_per_decade : int
        Resolution of the geometric grid.

    Returns
    -------
    numpy.ndarray
        Ascending edges, the first 0.5, the last >= ``top + 0.5``.
    """
    top = max(2.0, float(top))
    n = max(2, int(np.ceil(np.log10((top + 0.5) / 0.5) * bins_per_decade)) + 1)
    edges = np.unique(np.floor(np.geomspace(0.5, top + 0.5, n)) + 0.5)
    edges = np.concatenate([[0.5], edges[edges > 0.5]])
    if edges[-1] < top + 0.5:
        edges = np.append(edges, top + 0.5)
    return edges


def log_int_histogram(values: np.ndarray, bins_per_decade: int = 8) -> Histogram:
    """Density of positive integers in the bins of :func:`int_log_edges`.

    Parameters
    ----------
    values : numpy.ndarray
        Positive integers; others are ignored.
    bins_per_decade : int
        Resolution of the geometric part.

    Returns
    -------
    Histogram
    """
    v = np.asarray(values)
    v = v[v >= 1]
    edges = int_log_edges(float(v.max()) if v.size else 2.0, bins_per_decade)
    counts, _ = np.histogram(v, bins=edges)
    return Histogram.from_counts(edges, counts)


def unit_histogram(values: np.ndarray, quantile: float = 0.995) -> Histogram:
    """Density of positive integers in unit bins up to their ``quantile``.

    The far tail is left out of the bins (not out of the normalisation), so a few very long
    values do not squeeze the bulk of the distribution into a corner of the plot.

    Parameters
    ----------
    values : numpy.ndarray
        Positive integers; others are ignored.
    quantile : float
        Largest value shown, as a quantile of the values.

    Returns
    -------
    Histogram
    """
    v = np.asarray(values)
    v = v[v >= 1]
    top = max(2, int(np.quantile(v, quantile, method="lower"))) if v.size else 2
    counts = np.bincount(np.minimum(v, top + 1).astype(np.int64), minlength=top + 2)[1:top + 1]
    edges = np.arange(0.5, top + 1.0)
    density = counts / max(v.size, 1)
    return Histogram(edges=read_only(edges), density=read_only(density), n=int(v.size))


def binned_median(edges: np.ndarray, counts: np.ndarray) -> float:
    """Median of binned values, interpolated linearly within its bin.

    Parameters
    ----------
    edges : numpy.ndarray
        ``len(counts) + 1`` ascending bin edges.
    counts : numpy.ndarray
        Values per bin.

    Returns
    -------
    float
        NaN when every bin is empty.
    """
    total = counts.sum()
    if total == 0:
        return float("nan")
    cumulative = np.cumsum(counts)
    k = int(np.searchsorted(cumulative, total / 2.0))
    below = cumulative[k - 1] if k else 0
    fraction = (total / 2.0 - below) / counts[k]
    return float(edges[k] + fraction * (edges[k + 1] - edges[k]))


def log10_counts(values: ArrayLike, log_edges: np.ndarray) -> np.ndarray:
    """Count the positive values in bins of log10(value).

    Parameters
    ----------
    values : array_like
        Any shape (a weight matrix, say); values <= 0 (absent synapses) are left out.
    log_edges : numpy.ndarray
        Ascending bin edges in log10 units, e.g. ``numpy.linspace(-6, 0, 61)``.

    Returns
    -------
    numpy.ndarray of int64
        ``len(log_edges) - 1`` counts; values outside the edges are not counted.
    """
    v = np.asarray(values)
    counts, _ = np.histogram(np.log10(v[v > 0]), bins=log_edges)
    return counts


def log_histogram(values: ArrayLike, n_bins: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Histogram with logarithmically spaced bins, normalised to a probability density.

    Suited to long-tailed data shown on log-log axes (weights, avalanche sizes, lifetimes).

    Parameters
    ----------
    values : array_like
        Positive values; values <= 0 are ignored (they have no place on a log axis).
    n_bins : int
        Number of bins between the smallest and largest positive value.

    Returns
    -------
    edges : numpy.ndarray, shape (n_bins + 1,)
    density : numpy.ndarray, shape (n_bins,)
        Integrates to 1 over the bins.
    """
    v = as_array(values, "values").astype(float).ravel()
    n_bins = check_positive_int(n_bins, "n_bins")
    v = v[v > 0]
    if v.size == 0:
        raise ValueError("values holds no positive value")
    low, high = v.min(), v.max()
    if low == high:
        # A single distinct value: one bin around it, so the caller still gets a valid density.
        high = low * 1.0001
        n_bins = 1
    edges = np.geomspace(low, high, n_bins + 1)
    # Binned in log10 like every other log histogram here; the first and last edges are the
    # extreme values exactly, so every value is counted.
    counts = log10_counts(v, np.log10(edges))
    return edges, counts / (counts.sum() * np.diff(edges))
