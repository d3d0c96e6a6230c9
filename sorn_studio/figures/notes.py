"""A note written on axes that have nothing (or not everything) to show, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Text

__all__ = ["draw_note"]


def draw_note(ax: Axes, text: str, *, where: str = "center") -> Text:
    """Write ``text`` on ``ax`` in axes coordinates, e.g. "no spikes" on an empty raster.

    An empty figure with a reason is more useful than an exception to a script that draws one
    figure per neuron or per session; the note says what is missing so the reader is not left
    guessing whether the plot failed.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to write on.
    text : str
        The note.
    where : {"center", "upper left", "upper right"}
        Its place: the middle of empty axes, or a corner of axes that also show data.

    Returns
    -------
    matplotlib.text.Text
    """
    places = {"center": (0.5, 0.5, "center", "center"),
              "upper left": (0.02, 0.97, "left", "top"),
              "upper right": (0.98, 0.97, "right", "top")}
    if where not in places:
        raise ValueError(f"where must be one of {', '.join(places)}, got {where!r}")
    x, y, ha, va = places[where]
    return ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize="small",
                   color="0.35", wrap=True)
