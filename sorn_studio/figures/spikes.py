"""Spike rasters and the population rate, drawn from a ``(T, N)`` spike array.

Used by ``Plotter.raster_plot`` / ``Plotter.scatter_plot`` and by ``sorn-studio report``.
Every function draws into the axes it is given and touches no pyplot state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ..analysis import population_rate
from ..analysis._validate import as_array, as_spikes
from .canvas import root_figure
from .notes import draw_note
from .style import E_COLOR

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

__all__ = [
    "RATE_COLOR",
    "RasterArtists",
    "draw_population_rate",
    "draw_raster",
    "draw_raster_with_rate",
    "spike_raster",
]

#: The population rate, drawn over or under a raster (dark, so it reads over green ticks).
RATE_COLOR = "#1f2d3d"

#: Raster marks: ``"|"`` ticks (a classic raster) or ``"."`` dots (a scatter of spikes).
MARKERS = ("|", ".")


@dataclass(frozen=True)
class RasterArtists:
    """What :func:`draw_raster_with_rate` drew.

    Attributes
    ----------
    raster : matplotlib.artist.Artist or None
        The spikes (a ``Line2D`` of ticks or a ``PathCollection`` of dots); None when there
        were no spikes (a note says so).
    rate : matplotlib.lines.Line2D or None
        The population rate; None when there were no steps.
    rate_ax : matplotlib.axes.Axes
        The axes of the rate: the ``rate_ax`` given, or a twin of the raster's axes.
    """

    raster: Artist | None
    rate: Line2D | None
    rate_ax: Axes


def spike_raster(spikes: ArrayLike, name: str = "spikes") -> np.ndarray:
    """``spikes`` as a ``(T, N)`` boolean array; ``T`` may be 0, ``N`` may not.

    Parameters
    ----------
    spikes : array_like, shape (T, N)
        Time first, one column per neuron; booleans or 0/1 numbers (lists too).
    name : str
        Argument name for error messages.

    Returns
    -------
    numpy.ndarray of bool, shape (T, N)

    Raises
    ------
    ValueError
        When ``spikes`` is not 2-dimensional, has no neurons, holds NaN or values other
        than 0 and 1.
    """
    x = as_spikes(spikes, name, ndim=(2,), allow_empty=True)
    if x.shape[1] == 0:
        raise ValueError(f"{name} has no neurons (shape {x.shape}); it must be shaped "
                         "(timesteps, neurons) with at least one neuron")
    return x.astype(bool, copy=False)


def _step_numbers(steps: ArrayLike | None, n_steps: int) -> np.ndarray:
    if steps is None:
        return np.arange(n_steps)
    s = as_array(steps, "steps", ndim=(1,), allow_empty=True)
    if s.shape != (n_steps,):
        raise ValueError(f"steps must hold one step number per row of spikes ({n_steps}), "
                         f"got shape {s.shape}")
    return s


def _axes_points(ax: Axes) -> tuple[float, float]:
    """Width and height of ``ax`` in points, as laid out now."""
    box = ax.get_position()
    width, height = root_figure(ax).get_size_inches()
    return box.width * width * 72.0, box.height * height * 72.0


def draw_raster(ax: Axes, spikes: ArrayLike, *, steps: ArrayLike | None = None,
                marker: str = "|", color: str = E_COLOR, **style: Any) -> Artist | None:
    """Draw each spike at (time step, neuron).

    Marks are sized so that rows of neurons do not overlap and a dense raster stays
    readable: ticks one row high, dots about one row (or one step) wide.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into; labelled "Time step" and "Neuron".
    spikes : array_like, shape (T, N)
        Spike raster, booleans or 0/1, time first (``sim_dict["ExcitatoryActivation"]``).
        For long recordings pass a window (a few thousand steps): every spike is a mark.
    steps : array_like, shape (T,), optional
        The step number of each row (e.g. the recorder's steps); default 0 .. T-1.
    marker : {"|", "."}
        Ticks (a raster) or dots (a scatter plot).
    color : str
        Colour of the marks.
    **style
        Passed on to ``Axes.plot`` (ticks) or ``Axes.scatter`` (dots).

    Returns
    -------
    matplotlib.lines.Line2D or matplotlib.collections.PathCollection or None
        The marks; None when there are no spikes, and a note on the axes says so.
    """
    if marker not in MARKERS:
        raise ValueError(f"marker must be one of {', '.join(map(repr, MARKERS))}, "
                         f"got {marker!r}")
    x = spike_raster(spikes)
    n_steps, n_neurons = x.shape
    step_numbers = _step_numbers(steps, n_steps)
    ax.set_xlabel("Time step")
    ax.set_ylabel("Neuron")
    ax.set_ylim(-0.5, n_neurons - 0.5)
    if n_steps:
        first, last = float(step_numbers[0]), float(step_numbers[-1])
        ax.set_xlim(first - 0.5, last + 0.5)
    if n_neurons <= 10:
        ax.set_yticks(np.arange(n_neurons))
    times, neurons = np.nonzero(x)
    if times.size == 0:
        draw_note(ax, "no time steps" if n_steps == 0 else "no spikes")
        return None
    width_pt, height_pt = _axes_points(ax)
    row_pt = height_pt / n_neurons
    step_pt = width_pt / max(n_steps, 1)
    t = step_numbers[times]
    if marker == "|":
        style.setdefault("markersize", float(np.clip(0.9 * row_pt, 0.5, 24.0)))
        style.setdefault("markeredgewidth", float(np.clip(0.7 * step_pt, 0.3, 1.5)))
        (artist,) = ax.plot(t, neurons, linestyle="none", marker="|", color=color, **style)
        return artist
    # About one row high, but no wider than a few steps, so bursts stay apart.
    side = float(np.clip(min(0.9 * row_pt, 3.0 * step_pt), 1.2, 6.0))
    style.setdefault("s", side ** 2)
    style.setdefault("linewidths", 0)
    return ax.scatter(t, neurons, marker="o", color=color, **style)


def draw_population_rate(ax: Axes, spikes: ArrayLike, *, steps: ArrayLike | None = None,
                         color: str = RATE_COLOR, **style: Any) -> Line2D | None:
    """Draw the fraction of neurons active at each step.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw into; labelled "Time step" and "Population rate".
    spikes : array_like, shape (T, N)
        Spike raster, booleans or 0/1, time first.
    steps : array_like, shape (T,), optional
        The step number of each row; default 0 .. T-1.
    color : str
        Colour of the line.
    **style
        Passed on to ``Axes.plot``.

    Returns
    -------
    matplotlib.lines.Line2D or None
        The line (spikes per neuron and step, from
        :func:`sorn_studio.analysis.population_rate`); None when there are no steps.
    """
    x = spike_raster(spikes)
    step_numbers = _step_numbers(steps, x.shape[0])
    ax.set_xlabel("Time step")
    ax.set_ylabel("Population rate\n(fraction active)")
    if x.shape[0] == 0:
        draw_note(ax, "no time steps")
        return None
    rate = population_rate(x)
    style.setdefault("linewidth", 1.0)
    (line,) = ax.plot(step_numbers, rate, color=color, label="Population rate", **style)
    top = float(rate.max())
    ax.set_ylim(0.0, 1.1 * top if top > 0 else 1.0)
    return line


def draw_raster_with_rate(ax: Axes, spikes: ArrayLike, *, steps: ArrayLike | None = None,
                          rate_ax: Axes | None = None, marker: str = "|",
                          color: str = E_COLOR, rate_color: str = RATE_COLOR) -> RasterArtists:
    """Draw a raster and the population rate, each on its own y axis.

    The rate is a fraction of neurons, the raster's y axis counts neurons; drawing both on
    one scale (as sorn 0.7.4 did) squeezes the rate into the bottom rows. Here the rate has
    its own axes: a panel of its own when ``rate_ax`` is given (e.g. below the raster, with
    a shared x axis), else a twin y axis on the right of ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of the raster.
    spikes : array_like, shape (T, N)
        Spike raster, booleans or 0/1, time first.
    steps : array_like, shape (T,), optional
        The step number of each row; default 0 .. T-1.
    rate_ax : matplotlib.axes.Axes, optional
        The axes of the rate; default ``ax.twinx()``.
    marker : {"|", "."}
        Ticks (a raster) or dots (a scatter plot).
    color, rate_color : str
        Colours of the spikes and of the rate.

    Returns
    -------
    RasterArtists
    """
    raster = draw_raster(ax, spikes, steps=steps, marker=marker, color=color)
    twin = rate_ax is None
    if twin:
        rate_ax = ax.twinx()
    # A twin shares the raster's x axis: its own label would only repeat it.
    rate = draw_population_rate(rate_ax, spikes, steps=steps, color=rate_color,
                                alpha=0.8 if twin else 1.0)
    if twin:
        rate_ax.set_xlabel("")
        for note in list(rate_ax.texts):  # the raster already says "no time steps"
            note.remove()
    elif rate is not None:
        rate_ax.set_xlim(ax.get_xlim())
    return RasterArtists(raster=raster, rate=rate, rate_ax=rate_ax)
