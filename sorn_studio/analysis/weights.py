"""Connectivity and weight statistics of a weight matrix.

Weight matrices are ``(post, pre)``, as in the engine; a synapse exists where the weight is
above ``threshold`` (0 by default: the engine prunes synapses whose weight falls to <= 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sorn_studio.analysis._validate import as_array, check_positive_int

#: Smallest weight in the Zheng et al. (2013) style weight-distribution fit. The authors'
#: analysis code (chrhartm/SORN, ``chartmann/plot_single.py``, the "LogWeights" figure) bins
#: the final E->E weights over ``logspace(-2, 0)``, i.e. 0.01-1. Below it sit the synapses
#: that structural plasticity created at 0.001 in the last 2 000 steps or so and that STDP has
#: not yet potentiated or pruned (in the ``zheng2013`` preset after 10^6 steps, every synapse
#: at or below 0.01 is younger than 1 700 steps). They are under 1 % of all synapses but many
#: standard deviations below the rest in log space, so they alone can decide a
#: lognormal-versus-normal comparison over all synapses.
ANALYSIS_FLOOR = 0.01

__all__ = [
    "ANALYSIS_FLOOR",
    "WeightFit",
    "connection_fraction",
    "connection_fraction_from_count",
    "connection_fraction_trajectory",
    "fit_above_floor",
    "fit_weight_distribution",
    "input_log_spread",
]


def connection_fraction(
    w: ArrayLike, *, threshold: float = 0.0, exclude_diagonal: bool = True
) -> float:
    """Fraction of possible synapses that exist.

    Parameters
    ----------
    w : array_like, shape (n_post, n_pre)
        Weight matrix.
    threshold : float
        A synapse exists where ``w > threshold``.
    exclude_diagonal : bool
        For a square matrix, leave the diagonal out of both the count and the number of
        possible synapses (W^EE has no self-connections, so N (N - 1) pairs are possible).

    Returns
    -------
    float
        Existing synapses / possible synapses, in [0, 1].
    """
    m = as_array(w, "w", ndim=(2,))
    exists = m > threshold
    rows, cols = m.shape
    square = exclude_diagonal and rows == cols
    if square and rows < 2:
        raise ValueError("w must be at least 2 x 2 when the diagonal is excluded")
    n = exists.sum() - (np.trace(exists) if square else 0)
    return float(connection_fraction_from_count(n, rows, cols, exclude_diagonal=exclude_diagonal))


def connection_fraction_from_count(
    n_synapses: ArrayLike, n_post: int, n_pre: int | None = None, *, exclude_diagonal: bool = True
) -> float | np.ndarray:
    """Fraction of possible synapses that exist, from a count of existing ones.

    The studio and saved sessions know the E->E synapse count without the matrix (the engine
    and the recorder keep it per step); this is the same fraction :func:`connection_fraction`
    computes from a matrix.

    Parameters
    ----------
    n_synapses : array_like
        Existing synapses: one count, or an array of counts (a trace over a run).
    n_post : int
        Postsynaptic neurons (rows of the weight matrix).
    n_pre : int, optional
        Presynaptic neurons (columns); ``n_post`` when omitted, as for W^EE.
    exclude_diagonal : bool
        For a square matrix, leave self-connections out of the possible synapses, so
        N (N - 1) pairs are possible.

    Returns
    -------
    float or numpy.ndarray
        Existing / possible synapses: a float for one count, an array for an array of counts.

    Raises
    ------
    ValueError
        When no synapse is possible (a 1 x 1 matrix without its diagonal, or no neurons).
    """
    n_pre = n_post if n_pre is None else n_pre
    square = exclude_diagonal and n_post == n_pre
    possible = n_post * (n_pre - 1) if square else n_post * n_pre
    if possible < 1:
        raise ValueError(f"no synapse is possible between {n_post} post- and {n_pre} "
                         f"presynaptic neurons{' without self-connections' if square else ''}")
    fraction = np.asarray(n_synapses, dtype=float) / possible
    return float(fraction) if fraction.ndim == 0 else fraction


def connection_fraction_trajectory(
    snapshots: Sequence[tuple[int, ArrayLike]], *, threshold: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Connection fraction of each ``(step, w)`` snapshot, e.g. the EE fraction over a run.

    Parameters
    ----------
    snapshots : sequence of (int, array_like)
        Periodic weight snapshots ``(step, w_ee)``.
    threshold : float
        A synapse exists where ``w > threshold``.

    Returns
    -------
    steps : numpy.ndarray of int64
    fractions : numpy.ndarray of float
    """
    if len(snapshots) == 0:
        raise ValueError("snapshots is empty")
    steps = np.array([int(step) for step, _ in snapshots], dtype=np.int64)
    fractions = np.array([connection_fraction(w, threshold=threshold) for _, w in snapshots])
    return steps, fractions


@dataclass(frozen=True)
class WeightFit:
    """Lognormal and normal maximum-likelihood fits of positive weights, compared.

    Attributes
    ----------
    n : int
        Number of weights fitted.
    lognormal_mu, lognormal_sigma : float
        Mean and standard deviation of log(w).
    normal_mean, normal_std : float
        Mean and standard deviation of w.
    loglik_lognormal, loglik_normal : float
        Log-likelihood of the weights under each fit.
    aic_lognormal, aic_normal : float
        Akaike information criterion, 2 k - 2 log L with k = 2 parameters each.
    ks_lognormal, ks_normal : float
        Kolmogorov-Smirnov distance between the weights and each fit.
    best : str
        ``"lognormal"`` or ``"normal"``: the fit with the lower AIC. Both have two parameters,
        so this is also the one with the higher likelihood.
    """

    n: int
    lognormal_mu: float
    lognormal_sigma: float
    normal_mean: float
    normal_std: float
    loglik_lognormal: float
    loglik_normal: float
    aic_lognormal: float
    aic_normal: float
    ks_lognormal: float
    ks_normal: float
    best: str

    @property
    def delta_aic(self) -> float:
        """AIC(normal) - AIC(lognormal); positive values favour the lognormal."""
        return self.aic_normal - self.aic_lognormal

    def bin_probabilities(self, edges: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Probability each fit gives to each bin between ``edges`` (in weight units).

        Multiplied by :attr:`n`, these are the numbers of synapses each fit expects per bin,
        so they overlay a histogram of the same weights on any axis, linear or logarithmic.

        Parameters
        ----------
        edges : array_like, shape (n_bins + 1,)
            Ascending, positive bin edges (the lognormal lives on positive weights).

        Returns
        -------
        lognormal, normal : numpy.ndarray, shape (n_bins,)
            The mass of each fit in each bin; the normal's mass below the first edge (below
            zero, for instance) is in no bin, which is part of what it gets wrong.
        """
        from scipy.special import ndtr  # lazily, as in fit_weight_distribution

        e = as_array(edges, "edges", ndim=(1,)).astype(float)
        if e.size < 2 or (np.diff(e) <= 0).any() or e[0] <= 0:
            raise ValueError("edges must hold at least two ascending, positive values")
        lognormal = np.diff(ndtr((np.log(e) - self.lognormal_mu) / self.lognormal_sigma))
        normal = np.diff(ndtr((e - self.normal_mean) / self.normal_std))
        return lognormal, normal


def _ks_statistic(cdf_sorted: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between a sample and a model, from the model's CDF at the
    sorted sample: the largest gap between the empirical step function and the CDF."""
    n = cdf_sorted.size
    above = np.arange(1, n + 1) / n - cdf_sorted
    below = cdf_sorted - np.arange(n) / n
    return float(max(above.max(), below.max()))


def fit_weight_distribution(weights: ArrayLike, *, threshold: float = 0.0) -> WeightFit:
    """Fit the weights of existing synapses with a lognormal and a normal distribution.

    Plasticity makes SORN's weight distribution long-tailed, close to lognormal (Zheng et al.
    2013); comparing the lognormal fit against a normal fit of the same data says how clearly.

    Parameters
    ----------
    weights : array_like
        A weight matrix or a flat array of weights; only values above ``threshold`` (the
        existing synapses) are fitted.
    threshold : float
        Weights <= threshold are absent synapses and are ignored; must be >= 0 because the
        lognormal lives on positive values.

    Returns
    -------
    WeightFit
    """
    # Imported here: scipy costs ~0.3 s, which every CLI start would otherwise pay.
    from scipy.special import ndtr

    w = as_array(weights, "weights").astype(float).ravel()
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    w = np.sort(w[w > threshold])
    if w.size < 3:
        raise ValueError(f"weights holds {w.size} values above threshold; at least 3 are needed")
    n = w.size
    log_w = np.log(w)
    mu, sigma = float(log_w.mean()), float(log_w.std())
    mean, std = float(w.mean()), float(w.std())
    if sigma == 0 or std == 0:
        raise ValueError("weights are all equal; a distribution cannot be fitted")
    # Closed forms at the maximum-likelihood parameters, where the squared standardised
    # residuals sum to n: the studio refits several times a second, and building scipy's
    # frozen distributions for this costs ten times more than the arithmetic.
    gauss = 0.5 * n * (np.log(2.0 * np.pi) + 1.0)
    ll_log = float(-log_w.sum() - n * np.log(sigma) - gauss)
    ll_norm = float(-n * np.log(std) - gauss)
    aic_log, aic_norm = 4.0 - 2.0 * ll_log, 4.0 - 2.0 * ll_norm
    return WeightFit(
        n=int(n),
        lognormal_mu=mu,
        lognormal_sigma=sigma,
        normal_mean=mean,
        normal_std=std,
        loglik_lognormal=ll_log,
        loglik_normal=ll_norm,
        aic_lognormal=aic_log,
        aic_normal=aic_norm,
        ks_lognormal=_ks_statistic(ndtr((log_w - mu) / sigma)),
        ks_normal=_ks_statistic(ndtr((w - mean) / std)),
        best="lognormal" if aic_log <= aic_norm else "normal",
    )


def fit_above_floor(weights: ArrayLike, floor: float = ANALYSIS_FLOOR) -> WeightFit | None:
    """:func:`fit_weight_distribution` of the weights above ``floor``, or ``None``.

    Parameters
    ----------
    weights : array_like
        A weight matrix or a flat array of weights.
    floor : float
        Only weights above it are fitted; by default :data:`ANALYSIS_FLOOR`, the range the
        authors' analysis plots.

    Returns
    -------
    WeightFit or None
        ``None`` when fewer than three distinct weights lie above ``floor``: a network can end
        with almost every weight below a floor, and what else was measured is still wanted.
    """
    w = as_array(weights, "weights").astype(float).ravel()
    above = w[w > floor]
    if above.size < 3 or np.ptp(above) == 0:
        return None
    return fit_weight_distribution(above)


def input_log_spread(w: ArrayLike, *, threshold: float = 0.0, min_inputs: int = 3) -> float:
    """Typical spread of log-weights among the inputs of one neuron.

    A broad distribution of all weights can come from neurons whose inputs differ among
    themselves, or only from neurons with few strong inputs beside neurons with many weak
    ones (after normalisation each row sums to 1, so in-degree alone sets the typical weight).
    This measure separates the two: it looks at each row on its own.

    Parameters
    ----------
    w : array_like, shape (n_post, n_pre)
        Weight matrix.
    threshold : float
        Only weights above it count as inputs; must be >= 0.
    min_inputs : int
        Rows with fewer inputs are left out (a spread of one or two values says little).

    Returns
    -------
    float
        Median over the rows kept of the standard deviation of the natural log of their
        weights; NaN when no row has ``min_inputs`` inputs.
    """
    m = as_array(w, "w", ndim=(2,)).astype(float)
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    min_inputs = check_positive_int(min_inputs, "min_inputs")
    spreads = [float(np.log(row[row > threshold]).std()) for row in m
               if (row > threshold).sum() >= min_inputs]
    return float(np.median(spreads)) if spreads else float("nan")
