"""Publication figures with matplotlib, shared by ``Plotter`` and ``sorn-studio report``.

Nothing here imports Qt or pyqtgraph, nor chooses a matplotlib backend: the figures draw with
whatever backend is active (``Agg`` on a machine without a display) and nothing is ever shown.

Modules: :mod:`.canvas` (a new figure, pyplot's or free-standing; the figure of given axes),
:mod:`.save` (atomic saving, the format following the file suffix), :mod:`.style` (colours
of the studio's views, for a white page), :mod:`.notes` (a note on axes with nothing to show),
and the drawing functions, each ``draw_xxx(ax, data, **style)`` drawing into the axes it is
given: :mod:`.spikes` (raster, population rate), :mod:`.distributions` (histogram with a
normal fit, weights with lognormal and normal fits, lognormal fit with mode / mean / median,
inter-spike intervals with the exponential fit and CV, log-log densities),
:mod:`.correlation` (correlation heatmap, graph of correlated pairs) and :mod:`.series`
(a quantity against time).
"""

from __future__ import annotations

from .canvas import new_figure, root_figure
from .save import FIGURE_FORMATS, save_figure
from .style import E_COLOR, FIT_COLOR, I_COLOR, MARK_COLOR, NEURON_COLORS, NORMAL_COLOR

__all__ = [
    "E_COLOR",
    "FIGURE_FORMATS",
    "FIT_COLOR",
    "I_COLOR",
    "MARK_COLOR",
    "NEURON_COLORS",
    "NORMAL_COLOR",
    "new_figure",
    "root_figure",
    "save_figure",
]
