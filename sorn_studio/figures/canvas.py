"""Where a figure is drawn: a new figure, or axes the caller gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["axes_for", "new_figure", "root_figure"]


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


def axes_for(ax: Axes | None, figsize: tuple[float, float], *,
             pyplot: bool = True) -> tuple[Figure, Axes]:
    """The axes to draw into and their figure: ``ax`` itself, or one axes on a new figure.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        The caller's axes (drawn into as they are; their figure is returned), or None for a
        new figure (see :func:`new_figure`).
    figsize : tuple of float
        Size in inches of a new figure.
    pyplot : bool
        As for :func:`new_figure`.

    Returns
    -------
    (Figure, Axes)

    Raises
    ------
    TypeError
        When ``ax`` is neither None nor matplotlib axes.
    """
    if ax is None:
        fig = new_figure(figsize, pyplot=pyplot)
        return fig, fig.add_subplot()
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be matplotlib Axes or None, not {type(ax).__name__}")
    return ax.figure, ax


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
