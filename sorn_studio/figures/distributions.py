"""Histograms with fitted distributions: normal, lognormal and normal weights, exponential ISIs.

Used by ``Plotter`` and by ``sorn-studio report``. Every function draws into the axes it is
given, touches no pyplot state, and takes its statistics from :mod:`sorn_studio.analysis`
(the fits are the maximum-likelihood ones the studio shows). With nothing to draw (no
values, nothing to fit) the axes get a note saying why instead of an exception, so a script
drawing many figures keeps going.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..analysis import (
    ExponentialFit,
    Histogram,
    ISIStatistics,
    WeightFit,
    fit_weight_distribution,
    isi_statistics,
    unit_histogram,
)
from ..analysis._validate import (
    as_finite,
    as_spikes,
    check_finite_number,
    check_positive_int,
)
from .notes import draw_note
from .style import E_COLOR, FIT_COLOR, NORMAL_COLOR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

__all__ = [
    "HISTTYPES",
    "ISIArtists",
    "LognormalFitArtists",
    "NormalFitArtists",
    "WeightDistributionArtists",
    "check_histtype",
    "draw_isi_distribution",
    "draw_log_density",
    "draw_lognormal_fit",
    "draw_normal_fit_histogram",
    "draw_weight_distribution",
    "integer_edges",
]

#: Histogram styles matplotlib draws (``Axes.hist(histtype=...)``).
HISTTYPES = ("bar", "barstacked", "step", "stepfilled")

#: Colour of the mode, mean and median marks of a fitted lognormal (told apart by dashes).
_MARK_STYLES = {"mode": ":", "mean": "--", "median": "-"}
_MARK_GREY = "0.25"


@dataclass(frozen=True)
class NormalFitArtists:
    """What :func:`draw_normal_fit_histogram` drew.

    Attributes
    ----------
    patches : list of matplotlib.patches.Patch
        The histogram (one rectangle per bin for ``histtype="bar"``, one polygon for steps).
    fit : matplotlib.lines.Line2D or None
        The normal density; None when the values do not vary (a note says so).
    mean, std : float
        The maximum-likelihood normal (std with ddof 0, as ``scipy.stats.norm.fit``).
    edges : numpy.ndarray
        The bin edges used.
    """

    patches: list
    fit: Line2D | None
    mean: float
    std: float
    edges: np.ndarray


@dataclass(frozen=True)
class WeightDistributionArtists:
    """What :func:`draw_weight_distribution` drew.

    Attributes
    ----------
    patches : list of matplotlib.patches.Patch or None
        The histogram bars; None when no weight lies above the floor.
    lognormal, normal : matplotlib.lines.Line2D or None
        The two fits as fractions of synapses per bin; None when nothing could be fitted.
    fit : WeightFit or None
        The fits and their comparison (AIC, KS).
    n : int
        Number of weights above the floor.
    """

    patches: list | None
    lognormal: Line2D | None
    normal: Line2D | None
    fit: WeightFit | None
    n: int


@dataclass(frozen=True)
class LognormalFitArtists:
    """What :func:`draw_lognormal_fit` drew.

    Attributes
    ----------
    patches : list of matplotlib.patches.Patch or None
        The density histogram of the weights; None when there are none.
    pdf : matplotlib.lines.Line2D or None
        The fitted lognormal density; None when nothing could be fitted.
    marks : dict of str to matplotlib.collections.LineCollection
        ``"mode"``, ``"mean"`` and ``"median"`` of the fitted lognormal, each a vertical line
        up to the density there; empty without a fit.
    fit : WeightFit or None
        The fit (``lognormal_mu`` and ``lognormal_sigma`` are the mean and standard
        deviation of ln w).
    """

    patches: list | None
    pdf: Line2D | None
    marks: dict
    fit: WeightFit | None


@dataclass(frozen=True)
class ISIArtists:
    """What :func:`draw_isi_distribution` drew.

    Attributes
    ----------
    patches : list of matplotlib.patches.Patch or None
        The ISI histogram (a probability density per step); None without intervals.
    fit : matplotlib.lines.Line2D or None
        The exponential density of the maximum-likelihood fit; None without intervals.
    stats : ISIStatistics or None
        The intervals, their CV and the fit (:func:`sorn_studio.analysis.isi_statistics`);
        None when there were no time steps.
    """

    patches: list | None
    fit: Line2D | None
    stats: ISIStatistics | None


def check_histtype(value: str) -> str:
    """``value`` if it is one of :data:`HISTTYPES`, else a ``ValueError`` naming them."""
    if value not in HISTTYPES:
        raise ValueError(f"histtype must be one of {', '.join(map(repr, HISTTYPES))}, got "
                         f"{value!r}")
    return value


def _legend(ax: Axes, title: str | None = None) -> None:
    """The legend, with what the figure measured (AIC, CV) as its title: one box, so notes
    and legend never overlap."""
    ax.legend(loc="best", fontsize="small", title=title, title_fontsize="small",
              alignment="left")


def integer_edges(low: int, high: int, bins: int) -> np.ndarray:
    """Edges at half-integers for whole numbers from ``low`` to ``high``, at most ``bins`` bins.

    Every bin is the same whole number of units wide, so each holds the same number of
    possible values; ``numpy.histogram(counts, bins=10)`` instead cuts the integers unevenly
    and makes a sawtooth of a smooth distribution.

    Parameters
    ----------
    low, high : int
        Smallest and largest value to cover, ``low <= high``.
    bins : int
        Largest number of bins (fewer when the values span fewer integers).

    Returns
    -------
    numpy.ndarray
        Ascending edges from ``low - 0.5``, the last at or beyond ``high + 0.5``.
    """
    bins = check_positive_int(bins, "bins")
    if high < low:
        raise ValueError(f"high ({high}) must be >= low ({low})")
    width = int(np.ceil((high - low + 1) / bins))
    n_bins = int(np.ceil((high - low + 1) / width))
    return low - 0.5 + width * np.arange(n_bins + 1, dtype=float)


def draw_normal_fit_histogram(ax: Axes, values: ArrayLike, *, bins: int = 10,
                              integer: bool = False, histtype: str = "bar",
                              color: str = E_COLOR, fit_color: str = NORMAL_COLOR,
                              label: str = "Values") -> NormalFitArtists:
    """Draw the density histogram of ``values`` with the maximum-likelihood normal over it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into; labelled "Probability density" on y (the caller names x).
        The legend's title says when the values do not vary (no fit).
    values : array_like, shape (n,)
        The values, e.g. the number of incoming synapses of each neuron.
    bins : int
        Number of bins (at most that many when ``integer``).
    integer : bool
        The values are whole numbers: bins are whole numbers wide, edges at half-integers
        (see :func:`integer_edges`).
    histtype : {"bar", "barstacked", "step", "stepfilled"}
        Style of the histogram, as ``Axes.hist``.
    color, fit_color : str
        Colours of the histogram and of the fitted density.
    label : str
        Legend label of the histogram (the number of values is added).

    Returns
    -------
    NormalFitArtists
    """
    histtype = check_histtype(histtype)
    bins = check_positive_int(bins, "bins")
    v = as_finite(values, "values", ndim=(1,), allow_empty=True)
    if v.size == 0:
        raise ValueError("values is empty: there is nothing to draw a histogram of")
    if integer:
        if (v != np.round(v)).any():
            raise ValueError("values must be whole numbers when integer=True")
        edges = integer_edges(int(v.min()), int(v.max()), bins)
    else:
        edges = np.histogram_bin_edges(v, bins=bins)
    filled = histtype in ("bar", "barstacked", "stepfilled")
    _, _, patches = ax.hist(v, bins=edges, density=True, histtype=histtype, color=color,
                            alpha=0.6 if filled else 1.0, label=f"{label} ({v.size})")
    ax.set_ylabel("Probability density")
    mean, std = float(v.mean()), float(v.std())
    if std == 0:
        _legend(ax, f"every value is {mean:g}: no spread to fit a normal to")
        return NormalFitArtists(list(patches), None, mean, std, edges)
    from scipy.stats import norm  # lazily: scipy.stats costs a noticeable import time

    low, high = ax.get_xlim()
    x = np.linspace(min(low, mean - 3 * std), max(high, mean + 3 * std), 300)
    (line,) = ax.plot(x, norm.pdf(x, mean, std), color=fit_color, linewidth=2,
                      label=f"Normal fit (mean {mean:.3g}, sd {std:.3g})")
    ax.set_xlim(low, high)
    _legend(ax)
    return NormalFitArtists(list(patches), line, mean, std, edges)


def _log_edges(low: float, high: float, bins_per_decade: int, floor: float) -> np.ndarray:
    """Edges in weight units, equally spaced in log10, at multiples of 1/bins_per_decade
    (or starting at ``floor``), covering [low, high]."""
    start = np.log10(floor) if floor > 0 else np.floor(np.log10(low) * bins_per_decade) / \
        bins_per_decade
    stop = np.ceil(np.log10(high) * bins_per_decade) / bins_per_decade
    n = max(1, int(np.ceil((stop - start) * bins_per_decade - 1e-9)))
    # Enough bins to reach `stop`; the last edge may end a little beyond it.
    return 10.0 ** (start + np.arange(n + 1) / bins_per_decade)


def draw_weight_distribution(ax: Axes, weights: ArrayLike, *, floor: float = 0.0,
                             bins_per_decade: int = 10, color: str = E_COLOR,
                             fit_color: str = FIT_COLOR, normal_color: str = NORMAL_COLOR,
                             label: str = "Synapses") -> WeightDistributionArtists:
    """Draw the weights above ``floor`` on a log axis with their lognormal and normal fits.

    As in the studio's weight view: the fraction of synapses in bins equally wide in
    log10(weight), and the fraction each maximum-likelihood fit
    (:func:`sorn_studio.analysis.fit_weight_distribution`) expects in each bin; the legend's
    title gives the AIC difference and the Kolmogorov-Smirnov distances. A lognormal is a bell
    on this axis; a normal is lopsided and, for long-tailed weights, misses the small ones.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into; labelled "Weight" (log axis) and "Fraction of synapses".
    weights : array_like
        A weight matrix (any orientation) or a flat array of weights; absent synapses are 0.
    floor : float
        Only weights above it are drawn and fitted: 0 for all synapses,
        :data:`sorn_studio.analysis.ANALYSIS_FLOOR` (0.01) for the range the authors'
        analysis plots, without the synapses structural plasticity has just created.
    bins_per_decade : int
        Resolution of the histogram.
    color, fit_color, normal_color : str
        Colours of the histogram, the lognormal fit and the normal fit.
    label : str
        Legend label of the histogram.

    Returns
    -------
    WeightDistributionArtists
    """
    floor = check_finite_number(floor, "floor")
    if floor < 0:
        raise ValueError(f"floor must be >= 0, got {floor:g}")
    bins_per_decade = check_positive_int(bins_per_decade, "bins_per_decade")
    w = as_finite(weights, "weights", allow_empty=True).ravel()
    w = w[w > floor]
    ax.set_xscale("log")
    ax.set_xlabel("Weight")
    ax.set_ylabel("Fraction of synapses")
    above = f"above {floor:g}" if floor > 0 else "above 0"
    if w.size == 0:
        draw_note(ax, f"no weight {above}")
        return WeightDistributionArtists(None, None, None, None, 0)
    edges = _log_edges(float(w.min()), float(w.max()), bins_per_decade, floor)
    centres = np.sqrt(edges[:-1] * edges[1:])
    counts, _ = np.histogram(w, bins=edges)
    _, _, patches = ax.hist(centres, bins=edges, weights=counts / w.size, color=color,
                            alpha=0.6, label=f"{label} {above} ({w.size})")
    try:
        fit = fit_weight_distribution(w)
    except ValueError as exc:  # fewer than three weights, or all equal
        _legend(ax, f"no fit: {exc}")
        return WeightDistributionArtists(list(patches), None, None, None, int(w.size))
    p_lognormal, p_normal = fit.bin_probabilities(edges)
    (lognormal,) = ax.plot(centres, p_lognormal, color=fit_color, linewidth=2,
                           label=f"Lognormal fit (\u03c3 of ln w {fit.lognormal_sigma:.2f})")
    (normal,) = ax.plot(centres, p_normal, color=normal_color, linewidth=1.5, linestyle="--",
                        label="Normal fit")
    better = "lognormal" if fit.delta_aic > 0 else "normal"
    # Headroom for the legend, which holds four lines and the comparison.
    ax.set_ylim(0, 1.7 * max(float((counts / w.size).max()), float(p_lognormal.max())))
    _legend(ax, f"{better.capitalize()} fits better (\u0394AIC {fit.delta_aic:+.0f})\n"
                f"KS {fit.ks_lognormal:.3f} lognormal, {fit.ks_normal:.3f} normal")
    return WeightDistributionArtists(list(patches), lognormal, normal, fit, int(w.size))


def draw_lognormal_fit(ax: Axes, weights: ArrayLike, *, what: str = "positive weight",
                       log_x: bool = False,
                       num_points: int = 100, bins: int = 30, color: str = E_COLOR,
                       fit_color: str = FIT_COLOR) -> LognormalFitArtists:
    """Draw the density of ``weights`` with the fitted lognormal and its mode, mean, median.

    The histogram and the curve are both densities per unit of weight, so they agree on a
    linear and on a log x axis alike (on the log axis the bins are equally wide in log w).
    The marks are those of the fitted lognormal: mode exp(mu - sigma^2), median exp(mu),
    mean exp(mu + sigma^2 / 2), with mu and sigma the mean and standard deviation of ln w.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into; labelled "Weight" and "Probability density".
    weights : array_like
        Positive weights (pick the range first, e.g. ``w[w >= 0.01]``); values <= 0 are
        not synapses and are left out.
    what : str
        What ``weights`` hold, for the note when there are none (e.g. "weight >= 0.01").
    log_x : bool
        Logarithmic x axis (with geometric bins).
    num_points : int
        Points of the fitted curve.
    bins : int
        Number of histogram bins.
    color, fit_color : str
        Colours of the histogram and of the fit.

    Returns
    -------
    LognormalFitArtists
    """
    num_points = check_positive_int(num_points, "num_points", minimum=2)
    bins = check_positive_int(bins, "bins")
    w = as_finite(weights, "weights", allow_empty=True).ravel()
    w = w[w > 0]
    ax.set_xlabel("Weight")
    ax.set_ylabel("Probability density")
    if log_x:
        ax.set_xscale("log")
    if w.size == 0:
        draw_note(ax, f"no {what}")
        return LognormalFitArtists(None, None, {}, None)
    low, high = float(w.min()), float(w.max())
    if high > low:
        edges = np.geomspace(low, high, bins + 1) if log_x else np.linspace(low, high, bins + 1)
    else:  # one value: one bin around it
        edges = np.array([low * 0.9, low * 1.1])
    _, _, patches = ax.hist(w, bins=edges, density=True, color=color, alpha=0.5,
                            label=f"Weights ({w.size})")
    try:
        fit = fit_weight_distribution(w)
    except ValueError as exc:  # fewer than three weights, or all equal
        _legend(ax, f"no fit: {exc}")
        return LognormalFitArtists(list(patches), None, {}, None)
    from scipy.stats import lognorm  # lazily: scipy.stats costs a noticeable import time

    mu, sigma = fit.lognormal_mu, fit.lognormal_sigma
    frozen = lognorm(sigma, loc=0.0, scale=np.exp(mu))
    x = np.geomspace(low, high, num_points) if log_x else np.linspace(low, high, num_points)
    (pdf,) = ax.plot(x, frozen.pdf(x), color=fit_color, linewidth=2,
                     label=f"Lognormal fit (\u03bc {mu:.2f}, \u03c3 {sigma:.2f} of ln w)")
    values = {"mode": np.exp(mu - sigma**2), "median": np.exp(mu),
              "mean": np.exp(mu + sigma**2 / 2)}
    marks = {name: ax.vlines(value, 0.0, frozen.pdf(value), color=_MARK_GREY,
                             linestyle=_MARK_STYLES[name], linewidth=1.5,
                             label=f"{name.capitalize()} {value:.3g}")
             for name, value in values.items()}
    tallest = max(max(p.get_height() for p in patches), float(frozen.pdf(values["mode"])))
    ax.set_ylim(0.0, 1.6 * tallest)  # headroom for the legend
    _legend(ax)
    return LognormalFitArtists(list(patches), pdf, marks, fit)


def _isi_histogram(intervals: np.ndarray, bins: int | None) -> Histogram:
    if bins is None:
        return unit_histogram(intervals)
    edges = integer_edges(1, int(intervals.max()), bins)
    counts, _ = np.histogram(intervals, bins=edges)
    return Histogram.from_counts(edges, counts)


def draw_isi_distribution(ax: Axes, spikes: ArrayLike, *, bins: int | None = None,
                          log_y: bool = True, color: str = E_COLOR, fit_color: str = FIT_COLOR,
                          label: str = "Intervals") -> ISIArtists:
    """Draw the inter-spike intervals of ``spikes`` with the exponential fit and the CV.

    Intervals are whole steps, so bins are whole steps wide (edges at half-integers). The fit
    is the maximum-likelihood exponential, rate = 1 / mean interval, of a Poisson-like neuron;
    on a log y axis it is a straight line. The CV (standard deviation / mean) is 1 for such a
    neuron, below 1 for regular and above 1 for bursty firing.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into; labelled "Inter-spike interval (steps)" and
        "Probability density (per step)".
    spikes : array_like, shape (T, N) or (T,)
        Spike raster, booleans or 0/1, time first; a 1-D array is one neuron. The intervals
        of all neurons are pooled (each neuron contributes its own intervals).
    bins : int, optional
        At most this many bins from 1 to the longest interval; by default one bin per step up
        to the 99.5 % quantile (the far tail stays in the normalisation).
    log_y : bool
        Logarithmic y axis.
    color, fit_color : str
        Colours of the histogram and of the fit.
    label : str
        Legend label of the histogram.

    Returns
    -------
    ISIArtists
    """
    if bins is not None:
        bins = check_positive_int(bins, "bins")
    x = as_spikes(spikes, "spikes", ndim=(1, 2), allow_empty=True)
    ax.set_xlabel("Inter-spike interval (steps)")
    ax.set_ylabel("Probability density (per step)")
    if x.shape[0] == 0:
        draw_note(ax, "no time steps")
        return ISIArtists(None, None, None)
    stats = isi_statistics(x)
    intervals = stats.intervals
    if intervals.size == 0:
        if x.ndim == 1:
            fired = int(x.sum())
            draw_note(ax, f"no inter-spike intervals: the neuron fired {fired} "
                          f"time{'' if fired == 1 else 's'} in {x.shape[0]} steps")
        else:
            draw_note(ax, "no inter-spike intervals: no neuron fired twice")
        return ISIArtists(None, None, stats)
    hist = _isi_histogram(intervals, bins)
    centres = (hist.edges[:-1] + hist.edges[1:]) / 2
    _, _, patches = ax.hist(centres, bins=hist.edges, weights=hist.density, color=color,
                            alpha=0.6, log=log_y, label=f"{label} ({intervals.size})")
    fit: ExponentialFit = stats.fit
    t = np.linspace(hist.edges[0], hist.edges[-1], 400)
    (line,) = ax.plot(t, fit.rate * np.exp(-fit.rate * t), color=fit_color, linewidth=2,
                      label=f"Exponential fit (mean {fit.mean:.3g} steps)")
    if log_y:
        positive = hist.density[hist.density > 0]
        ax.set_ylim(bottom=float(positive.min()) / 3)
    ax.set_xlim(0, hist.edges[-1])
    cv = "undefined (fewer than two intervals)" if not np.isfinite(stats.cv) \
        else f"{stats.cv:.2f}"
    note = f"CV {cv}"
    per_neuron = stats.cv_per_neuron[np.isfinite(stats.cv_per_neuron)]
    if stats.cv_per_neuron.size > 1 and per_neuron.size:
        note += f"; mean per neuron {per_neuron.mean():.2f} ({per_neuron.size} neurons)"
    _legend(ax, note)
    return ISIArtists(list(patches), line, stats)


def draw_log_density(ax: Axes, hist: Histogram, *, color: str = E_COLOR,
                     label: str | None = None) -> Line2D | None:
    """Draw a density in logarithmic bins as points at the bins' geometric centres, log-log.

    For heavy-tailed quantities (avalanche sizes and durations, synapse lifetimes): empty
    bins are left out rather than drawn at 0, which a log axis cannot show.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into; both of its axes become logarithmic.
    hist : sorn_studio.analysis.Histogram
        E.g. :func:`sorn_studio.analysis.log_int_histogram` of the values.
    color : str
        Colour of the points and the line through them.
    label : str, optional
        Legend label.

    Returns
    -------
    matplotlib.lines.Line2D or None
        The points; None when every bin is empty (a note says so).
    """
    edges, density = np.asarray(hist.edges, float), np.asarray(hist.density, float)
    ax.set_xscale("log")
    ax.set_yscale("log")
    used = density > 0
    if not used.any():
        draw_note(ax, "nothing to show: every bin is empty")
        return None
    centres = np.sqrt(edges[:-1] * edges[1:])
    (line,) = ax.plot(centres[used], density[used], color=color, linewidth=1, marker="o",
                      markersize=3, label=label)
    return line
