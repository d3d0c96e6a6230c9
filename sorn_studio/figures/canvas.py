"""Where a figure is drawn: a new figure (pyplot's or free-standing), the figure of given axes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["new_figure", "root_figure"]


def new_figure(figsize: tuple[float, float], *, pyplot: bool) -> Figure:
    """A new, empty figure of ``figsize`` inches.

    Parameters
    ----------
    figsize : tuple of float
        Width and height in inches.
    pyplot : bool
        True registers the figure with ``matplotlib.pyplot``, so that the user's own
        ``plt.show()`` or ``plt.savefig()`` finds it (what sorn 0.7.4 scripts expect);
        ``plt.close(fig)`` frees it. False makes a free-standing figure that pyplot never
        holds on to, for batch work such as the report (freed with its last reference,
        safe from any thread, needs no backend).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if pyplot:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize)
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def root_figure(ax: Axes) -> Figure:
    """The top-level figure holding ``ax``, the one to save or show.

    ``ax.figure`` is a ``SubFigure`` for axes drawn in a subfigure; a subfigure cannot be
    saved on its own, and its size is its parent's.

    Parameters
    ----------
    ax : matplotlib.axes.Axes

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import SubFigure

    fig = ax.figure
    while isinstance(fig, SubFigure):
        fig = fig.figure
    return fig
