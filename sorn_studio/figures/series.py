"""A quantity against time step: connection counts, Hamming distances, rates over a run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ..analysis._validate import as_finite
from .notes import draw_note
from .style import E_COLOR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

__all__ = ["draw_trace", "time_series"]


def time_series(values: ArrayLike, name: str, *, non_negative: bool = False) -> np.ndarray:
    """``values`` as a 1-D float array of finite numbers (possibly empty).

    Parameters
    ----------
    values : array_like, shape (T,)
        One value per time step (a list works).
    name : str
        Argument name for error messages.
    non_negative : bool
        Refuse negative values (counts, distances).

    Returns
    -------
    numpy.ndarray of float, shape (T,)

    Raises
    ------
    ValueError
        When ``values`` is not 1-dimensional or holds NaN, infinities or (with
        ``non_negative``) a negative value.
    """
    v = as_finite(values, name, ndim=(1,), allow_empty=True)
    if non_negative and (v < 0).any():
        raise ValueError(f"{name} must be >= 0 (it counts something), found {v.min():g}")
    return v


def draw_trace(ax: Axes, values: ArrayLike, *, steps: ArrayLike | None = None,
               ylabel: str = "", label: str | None = None, color: str = E_COLOR,
               **style: Any) -> Line2D | None:
    """Draw ``values`` against time step, the x axis spanning exactly the steps drawn.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into; labelled "Time step" and ``ylabel``.
    values : array_like, shape (T,)
        One finite value per step.
    steps : array_like, shape (T,), optional
        The step number of each value; default 0 .. T-1.
    ylabel : str
        Label of the y axis.
    label : str, optional
        Legend label of the line.
    color : str
        Colour of the line.
    **style
        Passed on to ``Axes.plot``.

    Returns
    -------
    matplotlib.lines.Line2D or None
        The line; None when there are no values (a note says so).
    """
    v = time_series(values, "values")
    ax.set_xlabel("Time step")
    ax.set_ylabel(ylabel)
    if steps is None:
        x = np.arange(v.size)
    else:
        x = time_series(steps, "steps")
        if x.shape != v.shape:
            raise ValueError(f"steps must hold one step number per value ({v.size}), got "
                             f"shape {x.shape}")
    if v.size == 0:
        draw_note(ax, "no time steps")
        return None
    (line,) = ax.plot(x, v, color=color, label=label, **style)
    if v.size > 1:
        ax.set_xlim(x[0], x[-1])
    return line
