"""Neuronal avalanches, following Del Papa, Priesemann & Triesch (2017).

Pipeline: the population activity a(t) = sum_i x_i(t); a threshold theta = round(<a> / 2);
an avalanche is a maximal run of consecutive steps with a(t) > theta; its duration T is the
run's length and its size S = sum over the run of (a(t) - theta). The distributions of S and
T are fitted with discrete power laws truncated to [xmin, xmax] by maximum likelihood, and
the mean size per duration, <S>(T), with a line on log-log axes. For critical dynamics
crackling-noise theory relates the three exponents: slope = (alpha_T - 1) / (alpha_S - 1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

from sorn_studio.analysis._validate import as_array, check_positive_int

__all__ = [
    "Avalanches",
    "PowerLawFit",
    "SizeDurationFit",
    "AvalancheAnalysis",
    "avalanche_threshold",
    "detect_avalanches",
    "pool_avalanches",
    "fit_power_law",
    "size_duration_slope",
    "fit_avalanches",
    "avalanche_analysis",
]

_T = TypeVar("_T")

#: Largest support xmax - xmin + 1 the power-law fit will sum over (memory guard).
MAX_SUPPORT = 10_000_000


def _activity(activity: ArrayLike) -> np.ndarray:
    a = as_array(activity, "activity", ndim=(1, 2))
    if a.ndim == 2:  # a spike raster (T, N): sum over neurons
        a = a.astype(np.int64).sum(axis=1)
    if (a < 0).any():
        raise ValueError("activity must be non-negative")
    return a


def avalanche_threshold(activity: ArrayLike) -> float:
    """The threshold theta = round(<a> / 2) of Del Papa et al. (2017).

    Parameters
    ----------
    activity : array_like, shape (T,) or (T, N)
        Population activity a(t), or a spike raster from which it is summed.

    Returns
    -------
    float
        An integer value; halves round to even (numpy's rounding, as Python's ``round``).
    """
    return float(np.rint(_activity(activity).mean() / 2.0))


@dataclass(frozen=True)
class Avalanches:
    """Avalanches detected in one activity trace.

    Attributes
    ----------
    theta : float
        Threshold used.
    starts : numpy.ndarray of int64
        First step of each avalanche.
    durations : numpy.ndarray of int64
        Length of each avalanche in steps.
    sizes : numpy.ndarray
        Sum of (a(t) - theta) over each avalanche (integers when activity and theta are).
    """

    theta: float
    starts: np.ndarray
    durations: np.ndarray
    sizes: np.ndarray

    def __len__(self) -> int:
        return int(self.durations.size)


def detect_avalanches(
    activity: ArrayLike, theta: float | None = None, *, include_edges: bool = False
) -> Avalanches:
    """Find the runs of activity above a threshold.

    Parameters
    ----------
    activity : array_like, shape (T,) or (T, N)
        Population activity a(t) >= 0, or a spike raster (T, N) from which it is summed.
    theta : float, optional
        Threshold; default :func:`avalanche_threshold` of the same activity.
    include_edges : bool
        Keep runs that touch the first or last step. They are cut off by the recording, so
        their true duration and size are unknown; by default they are dropped.

    Returns
    -------
    Avalanches
    """
    a = _activity(activity)
    if theta is None:
        theta = float(np.rint(a.mean() / 2.0))
    elif not np.isfinite(theta):
        raise ValueError(f"theta must be finite, got {theta}")
    above = a > theta
    # Starts and ends of runs from the edges of the padded indicator.
    edges = np.diff(np.concatenate(([0], above.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)  # one past the last step of each run
    if not include_edges and starts.size:
        keep = (starts > 0) & (stops < a.size)
        starts, stops = starts[keep], stops[keep]
    excess = np.where(above, a - theta, 0)
    cumulative = np.concatenate(([0], np.cumsum(excess)))
    sizes = cumulative[stops] - cumulative[starts]
    if float(theta).is_integer() and a.dtype.kind in "biu":
        sizes = np.rint(sizes).astype(np.int64)
    return Avalanches(
        theta=float(theta),
        starts=starts.astype(np.int64),
        durations=(stops - starts).astype(np.int64),
        sizes=sizes,
    )


def pool_avalanches(items: Sequence[Avalanches]) -> Avalanches:
    """Concatenate the avalanches of several recordings (e.g. many networks).

    Exponents of single networks vary a lot (Del Papa et al. 2017), so distributions are
    pooled over networks before fitting.

    Parameters
    ----------
    items : sequence of Avalanches
        At least one.

    Returns
    -------
    Avalanches
        ``starts`` stay relative to each item's own recording; ``theta`` is the common
        threshold, or NaN when the items used different thresholds.
    """
    if len(items) == 0:
        raise ValueError("items is empty")
    thetas = {item.theta for item in items}
    sizes = np.concatenate([item.sizes for item in items])
    return Avalanches(
        theta=thetas.pop() if len(thetas) == 1 else float("nan"),
        starts=np.concatenate([item.starts for item in items]),
        durations=np.concatenate([item.durations for item in items]),
        sizes=sizes,
    )


@dataclass(frozen=True)
class PowerLawFit:
    """Discrete power law P(x) = x^-exponent / Z on the integers xmin..xmax.

    Attributes
    ----------
    exponent : float
        Maximum-likelihood exponent alpha (P falls as x^-alpha).
    stderr : float
        Asymptotic standard error of the exponent, 1 / sqrt(n Var[log x]).
    xmin, xmax : int
        Support of the truncated law.
    n : int
        Number of values inside [xmin, xmax] that were fitted.
    n_excluded : int
        Values outside [xmin, xmax], left out of the fit.
    log_likelihood : float
        Log-likelihood of the fitted values.
    ks : float
        Kolmogorov-Smirnov distance between the fitted values and the fitted law.
    """

    exponent: float
    stderr: float
    xmin: int
    xmax: int
    n: int
    n_excluded: int
    log_likelihood: float
    ks: float


def _integer_bound(value: float | None, default: int, name: str) -> int:
    if value is None:
        return default
    if float(value) != int(value):
        raise ValueError(f"{name} must be an integer, got {value}")
    return int(value)


def fit_power_law(
    values: ArrayLike, xmin: int | None = None, xmax: int | None = None
) -> PowerLawFit:
    """Fit a truncated discrete power law by maximum likelihood.

    The log-likelihood is L(alpha) = -alpha sum log x - n log Z(alpha) with
    Z(alpha) = sum_{k=xmin}^{xmax} k^-alpha; its maximum solves E_alpha[log k] = mean(log x).
    Because E_alpha[log k] falls strictly with alpha, that root is unique and found by
    bracketing, which is more robust than a generic optimiser. Truncation lets the exponent be
    anything, also <= 1.

    Parameters
    ----------
    values : array_like, shape (n,)
        Positive integers (e.g. avalanche sizes or durations).
    xmin, xmax : int, optional
        Support; default the smallest and largest value. Values outside are left out.

    Returns
    -------
    PowerLawFit
    """
    # Imported here so that importing the analysis package stays cheap (CLI start-up).
    from scipy import optimize, special

    v = as_array(values, "values", ndim=(1,))
    if not np.all(v == np.round(v)):
        raise ValueError("values must be integers")
    v = v.astype(np.int64)
    if (v < 1).any():
        raise ValueError("values must be >= 1")
    lo = _integer_bound(xmin, int(v.min()), "xmin")
    hi = _integer_bound(xmax, int(v.max()), "xmax")
    if lo < 1 or hi <= lo:
        raise ValueError(f"need 1 <= xmin < xmax, got xmin={lo}, xmax={hi}")
    if hi - lo + 1 > MAX_SUPPORT:
        raise ValueError(f"support xmax - xmin + 1 = {hi - lo + 1} exceeds {MAX_SUPPORT}")
    inside = v[(v >= lo) & (v <= hi)]
    if inside.size < 2 or np.unique(inside).size < 2:
        raise ValueError("values needs at least two distinct values inside [xmin, xmax]")
    log_k = np.log(np.arange(lo, hi + 1, dtype=float))
    target = float(np.log(inside).mean())

    def moments(alpha: float) -> tuple[float, float, float]:
        logw = -alpha * log_k
        log_z = float(special.logsumexp(logw))
        p = np.exp(logw - log_z)
        mean = float(p @ log_k)
        return mean, float(p @ (log_k - mean) ** 2), log_z

    # An exponent beyond the bracket means essentially all mass at one end of the support.
    low_alpha, high_alpha = -50.0, 50.0
    g_low = moments(low_alpha)[0] - target
    g_high = moments(high_alpha)[0] - target
    if g_low <= 0 or g_high >= 0:
        raise ValueError("values are too concentrated at one end of [xmin, xmax] to fit")
    alpha = float(
        optimize.brentq(lambda a: moments(a)[0] - target, low_alpha, high_alpha, xtol=1e-10)
    )
    _, var, log_z = moments(alpha)
    n = int(inside.size)
    log_likelihood = -alpha * float(np.log(inside).sum()) - n * log_z
    # KS distance between the empirical and model CDFs on the integer support.
    model_cdf = np.cumsum(np.exp(-alpha * log_k - log_z))
    empirical_cdf = np.cumsum(np.bincount(inside - lo, minlength=hi - lo + 1)) / n
    return PowerLawFit(
        exponent=alpha,
        stderr=float(1.0 / np.sqrt(n * var)),
        xmin=lo,
        xmax=hi,
        n=n,
        n_excluded=int(v.size - n),
        log_likelihood=float(log_likelihood),
        ks=float(np.max(np.abs(empirical_cdf - model_cdf))),
    )


@dataclass(frozen=True)
class SizeDurationFit:
    """Line through log10 <S>(T) against log10 T.

    Attributes
    ----------
    slope, intercept : float
        log10 <S> = slope * log10 T + intercept.
    durations : numpy.ndarray
        The distinct durations used.
    mean_sizes : numpy.ndarray
        Mean size of the avalanches of each duration.
    counts : numpy.ndarray of int64
        Number of avalanches of each duration.
    """

    slope: float
    intercept: float
    durations: np.ndarray
    mean_sizes: np.ndarray
    counts: np.ndarray


def size_duration_slope(
    durations: ArrayLike, sizes: ArrayLike, *, min_count: int = 1
) -> SizeDurationFit:
    """Exponent of the mean size per duration, <S>(T) ~ T^slope, by least squares on log-log.

    Parameters
    ----------
    durations, sizes : array_like, shape (n,)
        Duration and size of each avalanche (positive).
    min_count : int
        Use only durations seen at least this often (rare long avalanches give noisy means).

    Returns
    -------
    SizeDurationFit
    """
    t = as_array(durations, "durations", ndim=(1,))
    s = as_array(sizes, "sizes", ndim=(1,)).astype(float)
    min_count = check_positive_int(min_count, "min_count")
    if t.shape != s.shape:
        raise ValueError(f"durations and sizes differ in length: {t.size} and {s.size}")
    if (t <= 0).any() or (s <= 0).any():
        raise ValueError("durations and sizes must be positive")
    unique, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
    mean_sizes = np.bincount(inverse, weights=s) / counts
    keep = counts >= min_count
    if keep.sum() < 2:
        raise ValueError("need at least two distinct durations (with min_count avalanches each)")
    slope, intercept = np.polyfit(np.log10(unique[keep]), np.log10(mean_sizes[keep]), 1)
    return SizeDurationFit(
        slope=float(slope),
        intercept=float(intercept),
        durations=unique[keep],
        mean_sizes=mean_sizes[keep],
        counts=counts[keep].astype(np.int64),
    )


@dataclass(frozen=True)
class AvalancheAnalysis:
    """Everything the Del Papa et al. (2017) pipeline reports for one (or pooled) recording.

    Attributes
    ----------
    avalanches : Avalanches
    size_fit, duration_fit : PowerLawFit or None
        None when there are too few distinct values to fit.
    scaling : SizeDurationFit or None
        None when there are fewer than two distinct durations.
    """

    avalanches: Avalanches
    size_fit: PowerLawFit | None
    duration_fit: PowerLawFit | None
    scaling: SizeDurationFit | None

    @property
    def predicted_slope(self) -> float:
        """(alpha_T - 1) / (alpha_S - 1), the <S>(T) slope critical dynamics predict; NaN if
        a fit is missing or alpha_S is 1."""
        if self.size_fit is None or self.duration_fit is None or self.size_fit.exponent == 1:
            return float("nan")
        return (self.duration_fit.exponent - 1.0) / (self.size_fit.exponent - 1.0)


def avalanche_analysis(
    activity: ArrayLike,
    theta: float | None = None,
    *,
    size_range: tuple[int | None, int | None] = (None, None),
    duration_range: tuple[int | None, int | None] = (None, None),
    include_edges: bool = False,
) -> AvalancheAnalysis:
    """Detect avalanches and fit their size and duration distributions and <S>(T).

    Parameters
    ----------
    activity : array_like, shape (T,) or (T, N)
        Population activity or spike raster.
    theta : float, optional
        Threshold; default round(<a> / 2).
    size_range, duration_range : (int or None, int or None)
        (xmin, xmax) of each power-law fit; None means the data's minimum / maximum.
    include_edges : bool
        Keep avalanches cut off by the start or end of the recording.

    Returns
    -------
    AvalancheAnalysis
    """
    found = detect_avalanches(activity, theta, include_edges=include_edges)
    return fit_avalanches(found, size_range=size_range, duration_range=duration_range)


def fit_avalanches(
    found: Avalanches,
    *,
    size_range: tuple[int | None, int | None] = (None, None),
    duration_range: tuple[int | None, int | None] = (None, None),
) -> AvalancheAnalysis:
    """Fit the size and duration distributions and <S>(T) of detected (or pooled) avalanches.

    Parameters
    ----------
    found : Avalanches
        From :func:`detect_avalanches` or :func:`pool_avalanches`.
    size_range, duration_range : (int or None, int or None)
        (xmin, xmax) of each power-law fit; None means the data's minimum / maximum.

    Returns
    -------
    AvalancheAnalysis
        A fit is None when the data cannot support it (too few or too uniform avalanches,
        or non-integer sizes from a non-integer threshold).
    """
    if not isinstance(found, Avalanches):
        raise ValueError(f"found must be an Avalanches, got {type(found).__name__}")

    def attempt(fn: Callable[..., _T], *args: object) -> _T | None:
        # Too few or too uniform avalanches is a property of the data, not a caller error.
        try:
            return fn(*args)
        except ValueError:
            return None

    positive = found.sizes > 0
    sizes, durations = found.sizes[positive], found.durations[positive]
    return AvalancheAnalysis(
        avalanches=found,
        size_fit=attempt(fit_power_law, sizes, *size_range) if sizes.size else None,
        duration_fit=attempt(fit_power_law, found.durations, *duration_range)
        if len(found)
        else None,
        scaling=attempt(size_duration_slope, durations, sizes) if sizes.size else None,
    )
