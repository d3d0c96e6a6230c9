"""Firing rates, spike counts in windows and the Fano factor.

All spike arrays are shaped ``(T, N)``: time first, one column per neuron, boolean or 0/1.
Rates are in spikes per time step (the model has no physical time unit).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from sorn_studio.analysis._validate import as_array, as_spikes, check_positive_int

__all__ = [
    "firing_rates",
    "population_activity",
    "population_rate",
    "spike_counts",
    "windowed_rates",
    "fano_factor",
    "lagged_autocorrelation",
]


def firing_rates(spikes: ArrayLike) -> np.ndarray:
    """Mean firing rate of each neuron.

    Parameters
    ----------
    spikes : array_like, shape (T, N)
        Spike raster, boolean or 0/1.

    Returns
    -------
    numpy.ndarray, shape (N,)
        Spikes per time step of each neuron, in [0, 1].
    """
    x = as_spikes(spikes, "spikes")
    return x.mean(axis=0)


def population_activity(spikes: ArrayLike) -> np.ndarray:
    """Number of active neurons at each step, a(t) = sum_i x_i(t).

    Parameters
    ----------
    spikes : array_like, shape (T, N)
        Spike raster, boolean or 0/1.

    Returns
    -------
    numpy.ndarray of int64, shape (T,)
    """
    x = as_spikes(spikes, "spikes")
    return x.sum(axis=1, dtype=np.int64)


def population_rate(spikes: ArrayLike) -> np.ndarray:
    """Fraction of neurons active at each step, a(t) / N.

    Parameters
    ----------
    spikes : array_like, shape (T, N)
        Spike raster, boolean or 0/1.

    Returns
    -------
    numpy.ndarray, shape (T,)
        Values in [0, 1]; its mean is the population's mean rate.
    """
    x = as_spikes(spikes, "spikes")
    return x.mean(axis=1)


def spike_counts(spikes: ArrayLike, window: int) -> np.ndarray:
    """Spike counts of each neuron in consecutive, non-overlapping windows.

    Only complete windows are counted: the last ``T % window`` steps are left out, because a
    shorter window has a smaller expected count and would bias any statistic over windows.

    Parameters
    ----------
    spikes : array_like, shape (T, N) or (T,)
        Spike raster, boolean or 0/1; a 1-D array is one neuron.
    window : int
        Window length in time steps, 1 <= window <= T.

    Returns
    -------
    numpy.ndarray of int64, shape (T // window, N) or (T // window,)
    """
    x = as_spikes(spikes, "spikes", ndim=(1, 2))
    window = check_positive_int(window, "window")
    n_windows = x.shape[0] // window
    if n_windows == 0:
        raise ValueError(f"window ({window}) is longer than the recording ({x.shape[0]} steps)")
    used = x[: n_windows * window]
    return used.reshape(n_windows, window, *x.shape[1:]).sum(axis=1, dtype=np.int64)


def windowed_rates(spikes: ArrayLike, window: int, *, drop_partial: bool = True) -> np.ndarray:
    """Firing rate of each neuron in consecutive, non-overlapping windows.

    Parameters
    ----------
    spikes : array_like, shape (T, N)
        Spike raster, boolean or 0/1.
    window : int
        Window length in time steps.
    drop_partial : bool
        Leave out a trailing window shorter than ``window`` (default). When False it is kept
        and its rate is divided by its own, shorter length.

    Returns
    -------
    numpy.ndarray, shape (n_windows, N)
        Spikes per time step of each neuron in each window.
    """
    x = as_spikes(spikes, "spikes")
    window = check_positive_int(window, "window")
    n_steps = x.shape[0]
    full = n_steps // window
    rates = []
    if full:
        rates.append(x[: full * window].reshape(full, window, -1).mean(axis=1))
    if not drop_partial and n_steps % window:
        rates.append(x[full * window :].mean(axis=0, keepdims=True))
    if not rates:
        raise ValueError(f"window ({window}) is longer than the recording ({n_steps} steps)")
    return np.concatenate(rates, axis=0)


def fano_factor(spikes: ArrayLike, window: int, *, ddof: int = 0) -> np.ndarray | float:
    """Fano factor F = Var(count) / Mean(count) of spike counts in windows.

    Counts are taken in ``T // window`` complete, non-overlapping windows (see
    :func:`spike_counts`), so any recording length works. A Poisson process has F = 1; a
    Bernoulli train with spike probability p per step has F = 1 - p.

    Parameters
    ----------
    spikes : array_like, shape (T, N) or (T,)
        Spike raster, boolean or 0/1; a 1-D array is one neuron.
    window : int
        Window length in time steps; at least two complete windows must fit in T.
    ddof : int
        Delta degrees of freedom of the variance (0, as numpy and sorn 0.7.4 use, or 1
        for the unbiased estimate).

    Returns
    -------
    numpy.ndarray, shape (N,), or float for 1-D input
        The Fano factor of each neuron; NaN for a neuron that never fires in the counted
        windows, whose Fano factor is undefined (0/0).
    """
    counts = spike_counts(spikes, window)
    if counts.shape[0] < 2:
        raise ValueError(
            f"window ({window}) leaves fewer than two complete windows in "
            f"{np.shape(spikes)[0]} steps; a variance needs at least two"
        )
    if ddof not in (0, 1):
        raise ValueError(f"ddof must be 0 or 1, got {ddof!r}")
    mean = counts.mean(axis=0)
    var = counts.var(axis=0, ddof=ddof)
    # np.divide with `where` gives NaN for silent neurons without a RuntimeWarning.
    fano = np.divide(var, mean, out=np.full(np.shape(mean), np.nan), where=mean > 0)
    return float(fano) if fano.ndim == 0 else fano


def lagged_autocorrelation(series: ArrayLike, lag: int = 1) -> float:
    """Pearson correlation between a series and itself shifted by ``lag`` steps.

    Parameters
    ----------
    series : array_like, shape (T,)
        A scalar time series, e.g. the population activity.
    lag : int
        Shift in steps, 1 <= lag <= T - 2.

    Returns
    -------
    float
        Correlation in [-1, 1]; NaN when either segment is constant (the correlation is then
        undefined).
    """
    s = as_array(series, "series", ndim=(1,)).astype(float)
    lag = check_positive_int(lag, "lag")
    if lag > s.size - 2:
        raise ValueError(f"lag ({lag}) must be at most len(series) - 2 = {s.size - 2}")
    a = s[:-lag] - s[:-lag].mean()
    b = s[lag:] - s[lag:].mean()
    denom = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / denom) if denom > 0 else float("nan")
