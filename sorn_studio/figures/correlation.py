"""Neuron-by-neuron correlations: a heatmap of one triangle, and a graph of strong pairs.

Pure matplotlib: no seaborn for the heatmap, no networkx for the graph (a circular layout
needs no graph library and, unlike a force layout, puts every neuron in the same place for
every threshold and every run, so two figures can be compared by eye).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..analysis._validate import as_finite, check_finite_number, check_positive_int
from .notes import draw_note
from .style import FIT_COLOR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.colorbar import Colorbar
    from matplotlib.image import AxesImage

__all__ = [
    "CorrelationGraphArtists",
    "CorrelationMatrixArtists",
    "correlation_matrix",
    "draw_correlation_graph",
    "draw_correlation_matrix",
    "graph_edges",
]

#: Diverging colour map of the heatmap: blue for negative, white at 0, red for positive.
CORRELATION_CMAP = "RdBu_r"
#: Neurons of the graph that have a strong partner (sorn 0.7.4 drew its nodes orange).
NODE_COLOR = "#e67e22"
#: Neurons without one.
ISOLATED_COLOR = "0.75"
#: Above this many neurons the graph's nodes carry no numbers (they would overlap).
MAX_LABELLED = 60
#: Most lines a graph draws (the strongest pairs): beyond a few thousand a circular graph is
#: a solid disc, and matplotlib needs about a second per 10 000 lines to render it.
MAX_EDGES = 10_000


@dataclass(frozen=True)
class CorrelationMatrixArtists:
    """What :func:`draw_correlation_matrix` drew.

    Attributes
    ----------
    image : matplotlib.image.AxesImage or None
        The heatmap; None for a single neuron (there is no pair).
    colorbar : matplotlib.colorbar.Colorbar or None
        Its colour bar.
    vmax : float
        The colour scale runs from -vmax to +vmax, white at 0.
    """

    image: AxesImage | None
    colorbar: Colorbar | None
    vmax: float


@dataclass(frozen=True)
class CorrelationGraphArtists:
    """What :func:`draw_correlation_graph` drew.

    Attributes
    ----------
    nodes : matplotlib.collections.PathCollection
        One dot per neuron, on a circle.
    edges : matplotlib.collections.LineCollection or None
        One line per pair drawn; None when no pair is above the threshold.
    pairs : numpy.ndarray of int, shape (n_pairs, 2)
        Every pair (i < j) above the threshold.
    drawn : int
        How many of them have a line: all, or the ``max_edges`` strongest.
    """

    nodes: PathCollection
    edges: LineCollection | None
    pairs: np.ndarray
    drawn: int


def correlation_matrix(corr: ArrayLike, name: str = "corr") -> np.ndarray:
    """``corr`` as a square, finite float matrix.

    Parameters
    ----------
    corr : array_like, shape (N, N)
        Correlations between N neurons (e.g. ``Statistics.avg_corr_coeff(spikes)[0]``).
    name : str
        Argument name for error messages.

    Returns
    -------
    numpy.ndarray of float, shape (N, N)

    Raises
    ------
    ValueError
        When ``corr`` is not a non-empty square matrix of finite numbers.
    """
    try:
        c = as_finite(corr, name, ndim=(2,))
    except ValueError as exc:
        if "contains NaN" not in str(exc):
            raise
        raise ValueError(f"{exc} (numpy.corrcoef gives NaN for a neuron that never changes "
                         "state; Statistics.avg_corr_coeff gives 0 there)") from None
    if c.shape[0] != c.shape[1]:
        raise ValueError(f"{name} must be a square (neurons, neurons) matrix, got shape "
                         f"{c.shape}")
    return c


def _ticks(n: int) -> np.ndarray:
    if n <= 10:
        return np.arange(n)
    step = 5 * int(np.ceil(n / 100))  # every 5th neuron (as sorn 0.7.4), at most ~20 ticks
    return np.arange(0, n, step)


def draw_correlation_matrix(ax: Axes, corr: ArrayLike, *, vmax: float | None = None,
                            cmap: str = CORRELATION_CMAP) -> CorrelationMatrixArtists:
    """Draw the lower triangle of a correlation matrix as a heatmap with a colour bar.

    The upper triangle and the diagonal (1 by definition) are masked, as in sorn 0.7.4, so
    each pair appears once and the colours are spent on the pairs. The colour scale is
    symmetric around 0 on a diverging map, so the sign of a correlation reads at a glance.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into (the colour bar takes a slice of its space); labelled
        "Neuron" on both axes, row 0 at the top.
    corr : array_like, shape (N, N)
        Correlations; finite.
    vmax : float, optional
        Colours run from -vmax to vmax; default the largest absolute correlation shown
        (sorn 0.7.4 fixed 0.1, which saturated most networks).
    cmap : str
        A diverging matplotlib colour map.

    Returns
    -------
    CorrelationMatrixArtists
    """
    import matplotlib

    c = correlation_matrix(corr)
    n = c.shape[0]
    ax.set_xlabel("Neuron")
    ax.set_ylabel("Neuron")
    if n == 1:
        draw_note(ax, "a single neuron: no pairs to correlate")
        return CorrelationMatrixArtists(None, None, 0.0)
    lower = np.tril(np.ones((n, n), bool), k=-1)
    shown = np.ma.masked_array(c, mask=~lower)
    if vmax is None:
        vmax = float(np.abs(c[lower]).max())
        if vmax == 0:
            draw_note(ax, "every correlation is 0", where="upper right")
            vmax = 1.0
    elif not np.isfinite(vmax) or vmax <= 0:
        raise ValueError(f"vmax must be a positive number, got {vmax!r}")
    colours = matplotlib.colormaps[cmap].with_extremes(bad="white")
    image = ax.imshow(shown, cmap=colours, vmin=-vmax, vmax=vmax, interpolation="nearest",
                      aspect="auto")
    ticks = _ticks(n)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.9, label="Correlation")
    return CorrelationMatrixArtists(image, colorbar, float(vmax))


def graph_edges(corr: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of neurons whose correlation exceeds ``threshold``, each pair once.

    A pair counts when either ``corr[i, j]`` or ``corr[j, i]`` exceeds the threshold (what
    an undirected graph built from every entry, as sorn 0.7.4's networkx graph, holds).

    Parameters
    ----------
    corr : numpy.ndarray, shape (N, N)
    threshold : float

    Returns
    -------
    pairs : numpy.ndarray of int, shape (n_edges, 2)
        ``(i, j)`` with ``i < j``.
    values : numpy.ndarray, shape (n_edges,)
        The larger of the two correlations of each pair.
    """
    strongest = np.maximum(corr, corr.T)
    i, j = np.nonzero(np.triu(strongest > threshold, k=1))
    return np.column_stack([i, j]), strongest[i, j]


def draw_correlation_graph(ax: Axes, corr: ArrayLike, threshold: float, *,
                           edge_color: str = FIT_COLOR, node_color: str = NODE_COLOR,
                           labels: bool | None = None,
                           max_edges: int = MAX_EDGES) -> CorrelationGraphArtists:
    """Draw neurons on a circle and a line between each pair correlated above ``threshold``.

    Lines are wider for stronger correlations. Neurons without a partner above the
    threshold stay on the circle in grey (sorn 0.7.4's networkx graph left them out).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into; square, without axis lines.
    corr : array_like, shape (N, N)
        Correlations; finite.
    threshold : float
        A pair is drawn when its correlation is strictly above it.
    edge_color, node_color : str
        Colours of the lines and of the neurons with a partner.
    labels : bool, optional
        Number the neurons; by default when there are at most :data:`MAX_LABELLED`.
    max_edges : int
        Draw lines for at most this many pairs, the strongest; a note says when some were
        left out.

    Returns
    -------
    CorrelationGraphArtists
    """
    from matplotlib.collections import LineCollection

    c = correlation_matrix(corr)
    threshold = check_finite_number(threshold, "threshold")
    max_edges = check_positive_int(max_edges, "max_edges")
    n = c.shape[0]
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / n  # neuron 0 at the top, clockwise
    xy = np.column_stack([np.cos(angle), np.sin(angle)])
    pairs, values = graph_edges(c, float(threshold))
    shown, shown_values = pairs, values
    if len(pairs) > max_edges:
        strongest = np.argpartition(values, len(values) - max_edges)[-max_edges:]
        shown, shown_values = pairs[strongest], values[strongest]
        draw_note(ax, f"lines for the {max_edges:,} strongest of {len(pairs):,} pairs",
                  where="upper left")
    edges = None
    if len(shown):
        top = float(shown_values.max())
        low = float(shown_values.min()) if len(shown) < len(pairs) else threshold
        strength = (shown_values - low) / (top - low) if top > low else \
            np.ones_like(shown_values)
        # Fainter lines when there are many, so a dense graph does not become a blue disc.
        alpha = float(np.clip(60.0 / len(shown), 0.06, 0.6))
        edges = LineCollection(xy[shown], colors=edge_color, alpha=alpha,
                               linewidths=0.4 + 2.0 * strength, zorder=1)
        ax.add_collection(edges)
    partnered = np.zeros(n, bool)
    partnered[pairs.ravel()] = True
    size = float(np.clip(3000.0 / n, 8.0, 120.0))
    nodes = ax.scatter(xy[:, 0], xy[:, 1], s=size, zorder=2, edgecolors="0.3",
                       linewidths=0.5, c=np.where(partnered, node_color, ISOLATED_COLOR))
    if labels is None:
        labels = n <= MAX_LABELLED
    if labels:
        for k, (x, y) in enumerate(xy * 1.09):
            ax.text(x, y, str(k), ha="center", va="center", fontsize="x-small")
    if not len(pairs):
        draw_note(ax, f"no pair above {threshold:g}")
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return CorrelationGraphArtists(nodes, edges, pairs, len(shown))
