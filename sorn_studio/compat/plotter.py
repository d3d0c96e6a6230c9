"""sorn 0.7.4's ``Plotter`` class, drawn with :mod:`sorn_studio.figures`.

Code written for ``sorn`` 0.7.4 keeps working with one import changed: the twelve static
methods have sorn 0.7.4's names, positional arguments and data orientation (spike trains
``(timesteps, neurons)`` as ``sim_dict["ExcitatoryActivation"]``, weights ``W[pre, post]`` as
``state_dict["Wee"]``). What changed:

* Every method returns the matplotlib ``Figure`` and never calls ``plt.show()``: the
  figure is registered with pyplot, so the script's own ``plt.show()`` shows it, and it
  works on a machine without a display (``Agg``). ``plt.close(fig)`` frees it.
* Every method takes ``ax=``, matplotlib axes to draw into (a pair for the two-panel
  figures), and then draws into that axes' figure instead of a new one.
* ``savefig`` is ``False``, ``True`` (sorn 0.7.4's file name, with ``.png``, in the current
  folder) or a path whose suffix picks the format (``.png``, ``.svg``, ``.pdf``; no suffix
  means ``.png``, as matplotlib did for sorn 0.7.4). Saving is atomic.
* Lists are accepted wherever arrays are; spikes may be booleans or 0/1 numbers; bad input
  raises ``ValueError`` or ``TypeError`` naming the argument before anything is drawn.
* The defects of sorn 0.7.4 listed in the README ("Coming from sorn 0.7.4") are fixed; each
  method's Notes say what differs.

matplotlib is imported when a method draws, not when this module is imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ..analysis import population_activity
from ..analysis._validate import as_finite, check_finite_number, check_positive_int
from ..figures.canvas import new_figure, root_figure
from ..figures.correlation import (
    correlation_matrix,
    draw_correlation_graph,
    draw_correlation_matrix,
    graph_edges,
)
from ..figures.distributions import (
    check_histtype,
    draw_isi_distribution,
    draw_lognormal_fit,
    draw_normal_fit_histogram,
    integer_edges,
)
from ..figures.notes import draw_note
from ..figures.save import FIGURE_FORMATS, save_figure
from ..figures.series import draw_trace, time_series
from ..figures.spikes import draw_raster_with_rate, spike_raster
from ..figures.style import E_COLOR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Plotter", "SORN_FILE_NAMES", "WEIGHT_FLOOR"]

#: sorn 0.7.4's weight cut in ``weight_distribution`` and ``linear_lognormal_fit``: weights
#: ``>= 0.01`` are plotted (Zheng et al. 2013). The analysis's ANALYSIS_FLOOR is the same
#: number, used as ``> 0.01``; here sorn 0.7.4's ``>=`` is kept so its figures count the same.
WEIGHT_FLOOR = 0.01

#: The file each method writes with ``savefig=True``: sorn 0.7.4's names, in the current
#: folder, with the ``.png`` that matplotlib added to the names without a suffix.
SORN_FILE_NAMES = {
    "hist_incoming_conn": "hist_incoming_conn.png",
    "hist_outgoing_conn": "hist_outgoing_conn.png",
    "network_connection_dynamics": "connection_dynamics.png",
    "hist_firing_rate_network": "hist_firing_rate_network.png",
    "scatter_plot": "ScatterSpikeTrain.png",
    "raster_plot": "RasterSpikeTrain.png",
    "correlation": "Correlation between neurons.png",
    "isi_exponential_fit": "isi_exponential_fit.png",
    "weight_distribution": "weight_distribution.png",
    "linear_lognormal_fit": "LinearLognormalFit.png",
    "hamming_distance": "HammingDistance.png",
}


# --- arguments -------------------------------------------------------------------------------

def _figure_path(value: str | os.PathLike[str], name: str) -> Path:
    path = Path(os.fspath(value))
    if not path.name:
        raise ValueError(f"{name} must name a file, got {os.fspath(value)!r}")
    if path.suffix == "":
        path = path.with_name(path.name + ".png")   # what matplotlib did for sorn 0.7.4
    if path.suffix.lower() not in FIGURE_FORMATS:
        raise ValueError(f"{name} {os.fspath(value)!r} must end in one of "
                         f"{', '.join(FIGURE_FORMATS)} (or have no suffix, for .png)")
    return path


def _save_target(savefig: Any, method: str) -> Path | None:
    """Where ``savefig`` asks a method's figure to go: None, sorn's name, or a path."""
    if isinstance(savefig, bool | np.bool_):
        return Path(SORN_FILE_NAMES[method]) if savefig else None
    if isinstance(savefig, str | os.PathLike):
        return _figure_path(savefig, "savefig")
    raise TypeError(f"savefig must be True, False or a file path (str or os.PathLike) ending "
                    f"in {', '.join(FIGURE_FORMATS)}; got {type(savefig).__name__} "
                    f"{savefig!r}")


def _bins(value: int, name: str = "bin_size") -> int:
    try:
        return check_positive_int(value, name)
    except ValueError as exc:
        raise ValueError(f"{exc} (the number of histogram bins, an integer >= 1)") from None


def _neuron(value: int, n_neurons: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"neuron must be an integer, got {value!r}")
    if not -n_neurons <= value < n_neurons:
        raise ValueError(f"neuron must be in [{-n_neurons}, {n_neurons - 1}] for a spike_train "
                         f"of {n_neurons} neurons, got {value}")
    return int(value) % n_neurons


# --- figures ---------------------------------------------------------------------------------

def _is_axes(value: Any) -> bool:
    from matplotlib.axes import Axes

    return isinstance(value, Axes)


def _axes_pair(ax: Any, method: str, what: str) -> tuple[Axes, Axes] | None:
    """``ax`` as two axes, or None; anything else is refused with what the method wants."""
    if ax is None:
        return None
    if not isinstance(ax, str) and isinstance(ax, Sequence | np.ndarray):
        pair = list(np.ravel(np.asarray(ax, dtype=object)))
        if len(pair) == 2 and all(_is_axes(a) for a in pair):
            return pair[0], pair[1]
    raise TypeError(f"{method} draws two panels ({what}): ax must be None or a pair of "
                    f"matplotlib Axes, not {type(ax).__name__}")


@contextmanager
def _closing_on_error(owned: Figure | None) -> Iterator[None]:
    """Close a figure this call made if drawing or saving fails, so pyplot keeps no
    half-drawn figure the caller never received."""
    try:
        yield
    except BaseException:
        if owned is not None:
            import matplotlib.pyplot as plt

            plt.close(owned)
        raise


def _single(ax: Any, figsize: tuple[float, float]) -> tuple[Figure | None, Axes]:
    """The axes to draw into, and the figure made for it (None when ``ax`` was given)."""
    if ax is None:
        fig = _own_figure(figsize)
        return fig, fig.add_subplot()
    if not _is_axes(ax):
        raise TypeError(f"ax must be matplotlib Axes or None, not {type(ax).__name__}")
    return None, ax


def _own_figure(figsize: tuple[float, float]) -> Figure:
    """A new pyplot-managed figure that lays itself out (colour bars, twin axes, titles)."""
    fig = new_figure(figsize, pyplot=True)
    fig.set_layout_engine("constrained")
    return fig


def _finish(ax: Axes, target: Path | None) -> Figure:
    fig = root_figure(ax)
    if target is not None:
        save_figure(fig, target)
    return fig


def _draw(ax: Any, figsize: tuple[float, float], target: Path | None,
          draw: Callable[[Axes], None]) -> Figure:
    owned, axes = _single(ax, figsize)
    with _closing_on_error(owned):
        draw(axes)
        return _finish(axes, target)


def _spike_panels(ax: Any, method: str) -> tuple[Figure | None, Axes, Axes | None]:
    """Raster and rate axes: two stacked panels of a new figure, the pair given, or the one
    axes given (the rate then goes on a twin y axis)."""
    if ax is None:
        fig = _own_figure((11, 6))
        grid = fig.add_gridspec(2, 1, height_ratios=(3, 1))
        raster = fig.add_subplot(grid[0])
        return fig, raster, fig.add_subplot(grid[1], sharex=raster)
    if _is_axes(ax):
        return None, ax, None
    try:
        raster, rate = _axes_pair(ax, method, "spikes and population rate")
    except TypeError:
        raise TypeError(f"ax must be None, matplotlib Axes (the rate on a twin axis) or a "
                        f"pair of Axes (spikes, rate), not {type(ax).__name__}") from None
    return None, raster, rate


def _spikes_figure(spike_train: ArrayLike, savefig: Any, ax: Any, method: str,
                   marker: str) -> Figure:
    x = spike_raster(spike_train, "spike_train")
    target = _save_target(savefig, method)
    owned, raster_ax, rate_ax = _spike_panels(ax, method)
    with _closing_on_error(owned):
        drawn = draw_raster_with_rate(raster_ax, x, rate_ax=rate_ax, marker=marker)
        raster_ax.set_title(f"Spike trains ({x.shape[1]:,} neurons, {x.shape[0]:,} steps, "
                            f"{int(x.sum()):,} spikes)")
        if rate_ax is not None and drawn.rate is not None:
            raster_ax.set_xlabel("")
            raster_ax.tick_params(labelbottom=False)
        return _finish(raster_ax, target)


def _connection_histogram(weights: ArrayLike, bin_size: int, histtype: str, savefig: Any,
                          ax: Any, method: str, axis: int) -> Figure:
    w = as_finite(weights, "weights", ndim=(2,))
    bins = _bins(bin_size)
    histtype = check_histtype(histtype)
    target = _save_target(savefig, method)
    counts = np.sum(w > 0, axis=axis)
    incoming = axis == 0

    def draw(a: Axes) -> None:
        drawn = draw_normal_fit_histogram(a, counts, bins=bins, integer=True,
                                          histtype=histtype, label="Neurons")
        kind = "presynaptic" if incoming else "postsynaptic"
        a.set_xlabel(f"Number of {'incoming' if incoming else 'outgoing'} connections "
                     f"({kind} partners)")
        a.set_title(f"Distribution of {kind} connections: mu = {drawn.mean:.2f},  "
                    f"std = {drawn.std:.2f}")

    return _draw(ax, (9, 4.5), target, draw)


class Plotter:
    """Plotting methods of sorn 0.7.4, fixed; all static, each returning the ``Figure``.

    Spike trains are ``(timesteps, neurons)``, booleans or 0/1 (``sim_dict[
    "ExcitatoryActivation"]``); weights are ``W[pre, post]`` (``state_dict["Wee"]``). Every
    method takes ``savefig`` (``False``, ``True`` for sorn 0.7.4's file name in the current
    folder, or a ``.png`` / ``.svg`` / ``.pdf`` path) and ``ax`` (axes to draw into). See
    :mod:`sorn_studio.compat.plotter` for what differs from sorn 0.7.4.
    """

    @staticmethod
    def hist_incoming_conn(weights: ArrayLike, bin_size: int, histtype: str = "bar",
                           savefig: bool | str | os.PathLike = False, *,
                           ax: Axes | None = None) -> Figure:
        """Histogram of the number of presynaptic connections of each neuron, normal fit.

        Parameters
        ----------
        weights : array_like, shape (pre, post)
            Connection weights; a connection exists where the weight is > 0, and a neuron's
            incoming connections are its column.
        bin_size : int
            Number of bins, at most (as in sorn 0.7.4, despite the name); bins are whole
            numbers of connections wide.
        histtype : {"bar", "barstacked", "step", "stepfilled"}
            As matplotlib's ``hist``.
        savefig : bool or str or os.PathLike
            ``True`` writes ``hist_incoming_conn.png`` in the current folder; a path writes
            there, in the format of its suffix.
        ax : matplotlib.axes.Axes, optional
            Axes to draw into; default a new figure.

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        sorn 0.7.4 ignored ``histtype`` and cut whole-number counts into bins of fractional
        width (a sawtooth); here ``histtype`` is used and bins hold whole numbers. With no
        spread (all neurons alike, e.g. all-zero weights) the histogram has no normal fit
        and says so.
        """
        return _connection_histogram(weights, bin_size, histtype, savefig, ax,
                                     "hist_incoming_conn", axis=0)

    @staticmethod
    def hist_outgoing_conn(weights: ArrayLike, bin_size: int, histtype: str = "bar",
                           savefig: bool | str | os.PathLike = False, *,
                           ax: Axes | None = None) -> Figure:
        """Histogram of the number of postsynaptic connections of each neuron, normal fit.

        Parameters
        ----------
        weights : array_like, shape (pre, post)
            Connection weights; a neuron's outgoing connections are its row.
        bin_size : int
            Number of bins, at most; bins are whole numbers of connections wide.
        histtype : {"bar", "barstacked", "step", "stepfilled"}
            As matplotlib's ``hist``.
        savefig : bool or str or os.PathLike
            ``True`` writes ``hist_outgoing_conn.png``.
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        As :meth:`hist_incoming_conn` (``histtype`` used, whole-number bins).
        """
        return _connection_histogram(weights, bin_size, histtype, savefig, ax,
                                     "hist_outgoing_conn", axis=1)

    @staticmethod
    def network_connection_dynamics(connection_counts: ArrayLike,
                                    savefig: bool | str | os.PathLike = False, *,
                                    ax: Axes | None = None) -> Figure:
        """Number of existing connections against time step.

        Parameters
        ----------
        connection_counts : array_like, shape (timesteps,)
            E.g. ``sim_dict["EEConnectionCounts"]``; counts, >= 0.
        savefig : bool or str or os.PathLike
            ``True`` writes ``connection_dynamics.png``.
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        Same figure as sorn 0.7.4; counts are checked (1-D, finite, >= 0) and an empty
        series gives an annotated, empty plot.
        """
        counts = time_series(connection_counts, "connection_counts", non_negative=True)
        target = _save_target(savefig, "network_connection_dynamics")

        def draw(a: Axes) -> None:
            line = draw_trace(a, counts, ylabel="Number of active connections",
                              label="Connection dynamics")
            a.set_title("Network connection dynamics")
            if line is not None:
                a.legend(loc="upper right", fontsize="small")

        return _draw(ax, (10, 4.5), target, draw)

    @staticmethod
    def hist_firing_rate_network(spike_train: ArrayLike, bin_size: int,
                                 savefig: bool | str | os.PathLike = False, *,
                                 ax: Axes | None = None) -> Figure:
        """Histogram of the number of neurons active at each step, silent steps left out.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons)
            Booleans or 0/1, e.g. ``sim_dict["ExcitatoryActivation"]`` (a list works).
        bin_size : int
            Number of bins, at most; bins are whole numbers of neurons wide.
        savefig : bool or str or os.PathLike
            ``True`` writes ``hist_firing_rate_network.png``.
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        sorn 0.7.4 called ``spike_train.tolist()`` and so refused the lists its own callbacks
        returned; here lists work. The figure says how many silent steps were left out;
        with no active step at all it is an annotated, empty plot.
        """
        x = spike_raster(spike_train, "spike_train")
        bins = _bins(bin_size)
        target = _save_target(savefig, "hist_firing_rate_network")
        activity = population_activity(x) if x.shape[0] else np.zeros(0, np.int64)
        active = activity[activity > 0]

        def draw(a: Axes) -> None:
            a.set_title("Distribution of population activity without inactive time steps")
            a.set_xlabel("Spikes / time step (active neurons)")
            a.set_ylabel("Number of time steps")
            if active.size == 0:
                draw_note(a, "no time steps" if x.shape[0] == 0 else
                          f"no neuron fired in any of the {x.shape[0]} steps")
                return
            edges = integer_edges(int(active.min()), int(active.max()), bins)
            a.hist(active, bins=edges, color=E_COLOR, alpha=0.8,
                   label=f"{active.size} active steps")
            silent = x.shape[0] - active.size
            a.legend(loc="upper right", fontsize="small",
                     title=f"{silent} silent step{'' if silent == 1 else 's'} left out",
                     title_fontsize="small")

        return _draw(ax, (8, 4.5), target, draw)

    @staticmethod
    def scatter_plot(spike_train: ArrayLike, savefig: bool | str | os.PathLike = False, *,
                     ax: Axes | Sequence[Axes] | None = None) -> Figure:
        """Spikes as dots at (time step, neuron), with the population rate.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons)
            Booleans or 0/1 (a list works).
        savefig : bool or str or os.PathLike
            ``True`` writes ``ScatterSpikeTrain.png``.
        ax : matplotlib.axes.Axes or pair of Axes, optional
            None: a new figure, the rate in a panel below the spikes. One Axes: the spikes
            there and the rate on a twin y axis on the right. A pair: (spikes, rate).

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        sorn 0.7.4 drew the rate (neurons per step) on the neuron axis, over the spikes; here
        it is the fraction of neurons active, on its own axis. Silent and empty trains give
        an annotated plot.
        """
        return _spikes_figure(spike_train, savefig, ax, "scatter_plot", ".")

    @staticmethod
    def raster_plot(spike_train: ArrayLike, savefig: bool | str | os.PathLike = False, *,
                    ax: Axes | Sequence[Axes] | None = None) -> Figure:
        """Raster of spikes (one tick per spike), with the population rate.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons)
            Booleans or 0/1 (a list works).
        savefig : bool or str or os.PathLike
            ``True`` writes ``RasterSpikeTrain.png``.
        ax : matplotlib.axes.Axes or pair of Axes, optional
            As :meth:`scatter_plot`.

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        As :meth:`scatter_plot`: the rate has its own axis.
        """
        return _spikes_figure(spike_train, savefig, ax, "raster_plot", "|")

    @staticmethod
    def correlation(corr: ArrayLike, savefig: bool | str | os.PathLike = False, *,
                    ax: Axes | None = None) -> Figure:
        """Heatmap of a correlation matrix, the upper triangle and diagonal masked.

        Parameters
        ----------
        corr : array_like, shape (neurons, neurons)
            E.g. ``Statistics.avg_corr_coeff(spike_train)[0]``; finite.
        savefig : bool or str or os.PathLike
            ``True`` writes ``Correlation between neurons.png``.
        ax : matplotlib.axes.Axes, optional
            Axes to draw into (its colour bar takes part of them).

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        sorn 0.7.4 needed seaborn and used ``np.bool``, which numpy 1.24 to 1.26 do not
        have, and returned None. Here: pure matplotlib, any numpy; the colour scale is
        symmetric around 0 and spans the correlations shown (sorn 0.7.4 fixed it at 0.1).
        """
        c = correlation_matrix(corr)
        target = _save_target(savefig, "correlation")

        def draw(a: Axes) -> None:
            draw_correlation_matrix(a, c)
            a.set_title("Correlation between neurons")

        return _draw(ax, (9, 7.5), target, draw)

    @staticmethod
    def isi_exponential_fit(spike_train: ArrayLike, neuron: int, bin_size: int,
                            savefig: bool | str | os.PathLike = False, *,
                            ax: Axes | None = None) -> Figure:
        """One neuron's inter-spike-interval histogram with an exponential fit and the CV.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons)
            Booleans or 0/1 (a list works).
        neuron : int
            Column of the neuron (negative counts from the end).
        bin_size : int
            Number of bins, at most; bins are whole steps wide.
        savefig : bool or str or os.PathLike
            ``True`` writes ``isi_exponential_fit.png``.
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        sorn 0.7.4 refused lists, cast the bin edges to int (merging bins) and fitted
        a * exp(-b t) - c to the histogram by least squares, which fails or is meaningless
        for a neuron with few spikes. Here the fit is the maximum-likelihood exponential of
        the intervals themselves (rate = 1 / mean,
        :func:`sorn_studio.analysis.fit_exponential`), drawn as a density over a density
        histogram; the CV is shown. A neuron that fired fewer than twice has no intervals:
        the figure is drawn empty with a note saying so, rather than raising, so a loop over
        neurons keeps going.
        """
        x = spike_raster(spike_train, "spike_train")
        column = _neuron(neuron, x.shape[1])
        bins = _bins(bin_size)
        target = _save_target(savefig, "isi_exponential_fit")
        train = x[:, column]

        def draw(a: Axes) -> None:
            draw_isi_distribution(a, train, bins=bins, log_y=False,
                                  label=f"ISIs of neuron {column}")
            a.set_title(f"Inter-spike intervals of neuron {column} and exponential fit")

        return _draw(ax, (8, 4.5), target, draw)

    @staticmethod
    def weight_distribution(weights: ArrayLike, bin_size: int,
                            savefig: bool | str | os.PathLike = False, *,
                            ax: Axes | None = None) -> Figure:
        """Histogram of the weights >= 0.01.

        Parameters
        ----------
        weights : array_like
            A weight matrix or a flat array of weights (a list works).
        bin_size : int
            Number of bins.
        savefig : bool or str or os.PathLike
            ``True`` writes ``weight_distribution.png``.
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        sorn 0.7.4 refused lists and drew the counts as dots at the bins' left edges; here
        they are bars over their bins. With no weight >= 0.01 the plot is empty with a note.
        For the distribution on a log axis with lognormal and normal fits see
        :func:`sorn_studio.figures.distributions.draw_weight_distribution`.
        """
        w = as_finite(weights, "weights", ndim=(1, 2)).ravel()
        bins = _bins(bin_size)
        target = _save_target(savefig, "weight_distribution")
        kept = w[w >= WEIGHT_FLOOR]

        def draw(a: Axes) -> None:
            a.set_title(f"Synaptic weight distribution (weights >= {WEIGHT_FLOOR:g})")
            a.set_xlabel("Connection strength")
            a.set_ylabel("Number of synapses")
            if kept.size == 0:
                draw_note(a, f"no weight >= {WEIGHT_FLOOR:g}")
                return
            a.hist(kept, bins=bins, color=E_COLOR, alpha=0.8,
                   label=f"{kept.size} of {w.size} weights")
            a.legend(loc="upper right", fontsize="small")

        return _draw(ax, (8, 4.5), target, draw)

    @staticmethod
    def linear_lognormal_fit(weights: ArrayLike, num_points: int,
                             savefig: bool | str | os.PathLike = False, *,
                             ax: Sequence[Axes] | None = None) -> Figure:
        """The weights >= 0.01 with their lognormal fit, on a linear and on a log x axis.

        Each panel shows the density histogram of the weights, the fitted lognormal
        (mu and sigma the mean and standard deviation of ln w) and its mode, median and mean.

        Parameters
        ----------
        weights : array_like
            A weight matrix or a flat array of weights (a list works).
        num_points : int
            Points of the fitted curve (>= 2).
        savefig : bool or str or os.PathLike
            ``True`` writes ``LinearLognormalFit.png``.
        ax : pair of matplotlib.axes.Axes, optional
            ``(linear, log)`` axes to draw into, e.g. ``plt.subplots(1, 2)[1]``; default a new
            figure with both. A single Axes is refused (the figure has two panels).

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        sorn 0.7.4 drew only the fitted curve, never the data it was fitted to; here the
        histogram is drawn under it. With fewer than three weights >= 0.01 (all-zero
        weights, say) the panels say there is nothing to fit.
        """
        w = as_finite(weights, "weights", ndim=(1, 2)).ravel()
        points = check_positive_int(num_points, "num_points", minimum=2)
        target = _save_target(savefig, "linear_lognormal_fit")
        pair = _axes_pair(ax, "linear_lognormal_fit", "linear and log x")
        kept = w[w >= WEIGHT_FLOOR]
        bins = int(np.clip(np.sqrt(max(kept.size, 1)), 10, 50))
        owned = None
        if pair is None:
            owned = _own_figure((12, 4.5))
            pair = tuple(owned.subplots(1, 2))
        with _closing_on_error(owned):
            for a, log_x, scale in ((pair[0], False, "Linear"), (pair[1], True, "Logarithmic")):
                draw_lognormal_fit(a, kept, what=f"weight >= {WEIGHT_FLOOR:g}", log_x=log_x,
                                   num_points=points, bins=bins)
                a.set_title(f"{scale} scale")
            if owned is not None:
                owned.suptitle(f"Lognormal fit of the connection weights >= {WEIGHT_FLOOR:g} "
                               f"({kept.size} of {w.size})")
            return _finish(pair[0], target)

    @staticmethod
    def plot_network(corr: ArrayLike, corr_thres: float,
                     fig_name: str | os.PathLike | None = None, *,
                     ax: Axes | None = None) -> Figure:
        """Graph of the neuron pairs whose correlation exceeds ``corr_thres``.

        Neurons sit on a circle (neuron 0 at the top, clockwise); a line joins each pair
        correlated above the threshold, wider for stronger correlations. Neurons without such
        a partner are grey.

        Parameters
        ----------
        corr : array_like, shape (neurons, neurons)
            Correlations, e.g. ``Statistics.avg_corr_coeff(spike_train)[0]``; finite.
        corr_thres : float
            A pair is drawn when its correlation is strictly above it; smaller thresholds
            draw more pairs.
        fig_name : str or os.PathLike, optional
            Where to save the figure (format from the suffix, ``.png`` without one); None
            saves nothing.
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        sorn 0.7.4 needed networkx and pandas, drew a 50 x 50 inch force layout that left
        out unconnected neurons and moved the others on every call, and always saved, as
        ``None.png`` when no name was given. Here no extra package is needed, every neuron
        keeps its place, and nothing is saved without ``fig_name``.
        """
        c = correlation_matrix(corr)
        threshold = check_finite_number(corr_thres, "corr_thres")
        if fig_name is not None and not isinstance(fig_name, str | os.PathLike):
            raise TypeError(f"fig_name must be None or a file path (str or os.PathLike), got "
                            f"{type(fig_name).__name__} {fig_name!r}")
        target = None if fig_name is None else _figure_path(fig_name, "fig_name")
        n = c.shape[0]
        n_pairs = len(graph_edges(c, threshold)[0])

        def draw(a: Axes) -> None:
            draw_correlation_graph(a, c, threshold)
            a.set_title(f"Neuron pairs with correlation > {threshold:g}: {n_pairs:,} of "
                        f"{n * (n - 1) // 2:,} pairs")

        return _draw(ax, (8, 8), target, draw)

    @staticmethod
    def hamming_distance(hamming_dist: ArrayLike, savefig: bool | str | os.PathLike = False,
                         *, ax: Axes | None = None) -> Figure:
        """Hamming distance between the actual and the perturbed network states over time.

        Parameters
        ----------
        hamming_dist : array_like, shape (timesteps,)
            E.g. ``Statistics.hamming_distance(actual, perturbed)``; >= 0.
        savefig : bool or str or os.PathLike
            ``True`` writes ``HammingDistance.png``.
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        Same figure as sorn 0.7.4; the values are checked (1-D, finite, >= 0).
        """
        distance = time_series(hamming_dist, "hamming_dist", non_negative=True)
        target = _save_target(savefig, "hamming_distance")

        def draw(a: Axes) -> None:
            draw_trace(a, distance, ylabel="Hamming distance (neurons)")
            a.set_title("Hamming distance between actual and perturbed states")

        return _draw(ax, (10, 4.5), target, draw)
