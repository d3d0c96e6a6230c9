"""The live views: pyqtgraph plots fed with :class:`~sorn_studio.studio.frames.Frame` snapshots.

Each view is a ``GraphicsLayoutWidget`` with an ``update_frame(frame)`` method that only
hands ready-made arrays to pyqtgraph (the worker already decimated them), so painting stays
cheap. Images use fixed levels, so colours mean the same thing from frame to frame. Every view
forgets its ranges when a frame of a new epoch (a reset, a preset, an opened session) arrives.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QTextDocument, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QHBoxLayout,
    QMenu,
    QSpinBox,
    QWidget,
)

from ..analysis.weights import ANALYSIS_FLOOR, WeightFit
from ..studio.branches import TimelineView
from ..studio.frames import Frame, Weights
from ..studio.texts import change_summary, change_text, step_text
from . import theme
from .axes import StepAxis
from .ranges import SteadyRange
from .theme import (
    ACCENT,
    E_COLOR,
    FOREGROUND,
    I_COLOR,
    MARKER_COLOR,
    MISSING_COLOR,
    NEURON_COLORS,
    NOW_COLOR,
    OUT_COLOR,
    SELECTION_COLOR,
)

__all__ = [
    "ChangeMarkers",
    "RasterView",
    "WeightsView",
    "ConnectionsView",
    "ThresholdsView",
    "DistributionsView",
    "change_summary",
    "change_text",
    "connect_selection",
    "step_text",
]

#: Change markers kept per plot (older ones are dropped so a long session stays light).
MAX_MARKERS = 200
#: Width of the left axis of every stacked time plot, so their step axes line up exactly.
LEFT_AXIS_WIDTH = 58

pg.setConfigOptions(antialias=False)


#: Legend glyphs: a line, a dashed line, a filled box (bars).
LINE, DASHED, BOX = "\u2501\u2501", "\u254d\u254d", "\u25a0"


class _TextLegend(pg.LabelItem):
    """A legend as one line of coloured text in its own layout cell, where it covers no data.

    It wraps to more lines when the view is too narrow for one (``fit_width``), so no entry
    is ever cut off.
    """

    def __init__(self, entries: list[tuple[str, str, str]]) -> None:
        super().__init__("", justify="left", size="8pt")
        self._width = 0.0
        #: The theme the entries are drawn in (an export may draw them in another for a while).
        self._theme = theme.current_look().theme
        self.entries: list[tuple[str, str, str]] = []
        self.set_entries(entries)

    def restyle(self, old: theme.Theme, new: theme.Theme) -> Any:
        """Draw the entries in theme ``new`` (see :func:`~.theme.restyle`); returns the undo."""
        self._theme = new
        self._relayout()

        def undo() -> None:
            self._theme = old
            self._relayout()
        return undo

    def set_entries(self, entries: list[tuple[str, str, str]]) -> None:
        """Show ``entries``, each ``(colour, glyph, name)``; names may hold simple HTML."""
        self.entries = list(entries)
        self._relayout()

    def fit_width(self, width: float) -> None:
        """Wrap the entries into lines no wider than ``width`` pixels."""
        if abs(width - self._width) >= 1:
            self._width = float(width)
            self._relayout()

    def names(self) -> list[str]:
        """The entries' names as plain text."""
        return [_plain(name) for _, _, name in self.entries]

    def _relayout(self) -> None:
        # Measured with the label's own font and HTML engine, so the wrap matches the paint.
        doc = QTextDocument()
        doc.setDefaultFont(self.item.font())
        gap = "&emsp;&emsp;"
        lines: list[list[str]] = [[]]
        used = 0.0
        for color, glyph, name in self.entries:
            entry = (f"<span style='color:{self._theme.to_theme(color)}'>{glyph}</span>"
                     f"&nbsp;{name}")
            doc.setHtml(f"<span style='font-size:8pt'>{entry}{gap}</span>")
            width = doc.idealWidth()
            if lines[-1] and self._width and used + width > self._width:
                lines.append([])
                used = 0.0
            lines[-1].append(entry)
            used += width
        self.setText("<br>".join(gap.join(line) for line in lines),
                     color=self._theme.foreground)


def _swatch(color: str) -> str:
    """A filled box in ``color``, the legend of a bar series written into a title."""
    return f"<span style='color:{theme.color_name(color)}'>{BOX}</span>"


def _plain(html: str) -> str:
    """``html`` without its tags (for measuring)."""
    return re.sub(r"<[^>]*>", "", html)


def _nice_ceil(value: float) -> float:
    """The smallest round value (1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten) >= ``value``."""
    decade = 10.0 ** math.floor(math.log10(value))
    for k in (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if k * decade >= value * (1 - 1e-9):
            return k * decade
    return 10.0 * decade


#: A raster pixel is in full colour when its neurons fired this many times more often than the
#: population's mean over the window (and at most at 255, a spike in every step it covers).
RASTER_CONTRAST = 3.0


def _mean_pool(image: np.ndarray, k_x: int, k_y: int) -> np.ndarray:
    """Shrink a ``(columns, rows)`` image by averaging each ``k_x`` x ``k_y`` block.

    A screen pixel that stands for several neurons or steps then shows how often they fired:
    Qt's nearest-pixel scaling would drop most spikes, and taking the maximum would light
    almost every pixel of a long window (one spike in a dozen steps is common) and hide the
    structure. The block grid starts at the newest (last) column so the picture does not
    shimmer as the raster scrolls.
    """
    if k_x == 1 and k_y == 1:
        return image
    cols, rows = image.shape
    pooled = image.astype(np.float32)
    if k_x > 1:
        keep = cols // k_x * k_x
        pooled = pooled[cols - keep:].reshape(keep // k_x, k_x, rows).mean(axis=1)
        cols = keep // k_x
    if k_y > 1:
        pad = (-rows) % k_y
        if pad:
            # Rows past the last neuron are not neurons: averaged as if they never fired.
            pooled = np.concatenate([pooled, np.zeros((cols, pad), np.float32)], axis=1)
        pooled = pooled.reshape(cols, -1, k_y).mean(axis=2)
    return np.rint(pooled).astype(image.dtype)


class _Marker(pg.InfiniteLine):
    """A change marker: thin when idle, bright and wide under the mouse, easy to hover.

    pyqtgraph highlights only movable lines; the hover pen also widens the area that catches
    the mouse (and so shows the tooltip) to about ten pixels.
    """

    def __init__(self, step: int) -> None:
        super().__init__(pos=step, angle=90, movable=False,
                         pen=theme.pen(MARKER_COLOR, width=1, style=Qt.PenStyle.DashLine),
                         hoverPen=theme.pen(MARKER_COLOR, width=8))
        self.setAcceptHoverEvents(True)
        self.setZValue(10)

    def hoverEvent(self, ev: Any) -> None:  # noqa: N802 - pyqtgraph's name
        """Highlight the line while the mouse is on it."""
        self.setMouseHover(not ev.isExit())

    def set_chosen(self, chosen: bool) -> None:
        """Draw the line solid and wide while its change is the one jumped to."""
        self.setPen(theme.pen(MARKER_COLOR, width=3) if chosen else
                    theme.pen(MARKER_COLOR, width=1, style=Qt.PenStyle.DashLine))


class ChangeMarkers:
    """Vertical lines marking parameter changes on a set of time plots, with tooltips."""

    def __init__(self, plots: list[pg.PlotItem]) -> None:
        self.plots = plots
        self.lines: list[list[pg.InfiniteLine]] = []
        self.texts: list[str] = []
        self._steps: list[int] = []
        self._seen = 0
        self._epoch = -1
        #: The step of the change jumped to (its lines drawn solid), if any.
        self.chosen: int | None = None
        #: The change log shown, ``(step, name, old, new)`` entries.
        self.changes: tuple = ()

    def near(self, plot: pg.PlotItem, x_px: float, within: float = 6.0) -> list[int]:
        """Indices in :attr:`changes` of the entries whose marker lies within ``within``
        pixels of scene x ``x_px`` on ``plot``."""
        view = plot.getViewBox()
        out = []
        for index, change in enumerate(self.changes):
            at = view.mapViewToScene(pg.Point(float(change[0]), 0.0)).x()
            if abs(at - x_px) <= within:
                out.append(index)
        return out

    def update(self, changes: tuple, epoch: int) -> None:
        """Add lines for changes not shown yet; clear them after a reset."""
        if epoch != self._epoch or len(changes) < self._seen:
            self.clear()
            self._epoch = epoch
        for change in changes[self._seen:]:
            step = int(change[0])
            text = change_text(change)
            if self._steps and self._steps[-1] == step:
                self.texts[-1] += "\n" + text
                for line in self.lines[-1]:
                    line.setToolTip(self.texts[-1])
                continue
            row = []
            for plot in self.plots:
                line = _Marker(step)
                line.setToolTip(text)
                plot.addItem(line, ignoreBounds=True)
                row.append(line)
            self.lines.append(row)
            self.texts.append(text)
            self._steps.append(step)
            for line in row:
                line.set_chosen(step == self.chosen)
        self._seen = len(changes)
        self.changes = changes
        while len(self.lines) > MAX_MARKERS:
            for plot, line in zip(self.plots, self.lines.pop(0), strict=True):
                plot.removeItem(line)
            self.texts.pop(0)
            self._steps.pop(0)

    def choose(self, step: int | None) -> None:
        """Draw the markers at ``step`` solid and wide (``None``: none)."""
        self.chosen = step
        for at, row in zip(self._steps, self.lines, strict=True):
            for line in row:
                line.set_chosen(at == step)

    def clear(self) -> None:
        """Remove every marker."""
        for row in self.lines:
            for plot, line in zip(self.plots, row, strict=True):
                plot.removeItem(line)
        self.lines.clear()
        self.texts.clear()
        self._steps.clear()
        self._seen = 0
        self.chosen = None
        self.changes = ()


class WholeRunSteps:
    """The step axis of a whole-run view: steady limits, the part a file lacks, a focus.

    - The limits follow the history in rare jumps (:class:`~.ranges.SteadyRange`).
    - A run opened from a file without its whole-run history has none before
      :attr:`~sorn_studio.studio.frames.Traces.start`: the axis still starts at step 0, so
      every change marker shows, and that part is shaded with a note saying the session does
      not hold it, instead of the plot silently starting late.
    - :meth:`focus` centres the axis on one step (a change chosen in the change log) and
      holds it there until :meth:`whole_run`.

    Parameters
    ----------
    plots : tuple of pyqtgraph.PlotItem
        The plots sharing the axis; the note goes on the first.
    markers : ChangeMarkers
        Their change markers.
    """

    #: Half the span :meth:`focus` shows, as a fraction of the run so far.
    FOCUS_FRACTION = 0.1

    def __init__(self, plots: tuple[pg.PlotItem, ...], markers: ChangeMarkers) -> None:
        self.plots = plots
        self.markers = markers
        self.limits = SteadyRange(pad_low=0.0, pad_high=0.25)
        self.focused: tuple[float, float] | None = None
        self.start = 0
        self._now = 0
        self._shown: tuple[np.ndarray, int, bool] | None = None
        self.regions: list[pg.LinearRegionItem] = []
        for plot in plots:
            region = pg.LinearRegionItem((0, 0), movable=False, brush=theme.brush(MISSING_COLOR),
                                         pen=theme.pen(None))
            region.setZValue(-10)
            region.hide()
            plot.addItem(region, ignoreBounds=True)
            self.regions.append(region)
        self.note = pg.TextItem("", color=theme.color_name(FOREGROUND), anchor=(0, 0))
        self.note.setZValue(20)
        self.note.hide()
        plots[0].addItem(self.note, ignoreBounds=True)
        # The checkpoints time travel can go back to, as ticks along the lowest plot's floor.
        self.ticks = pg.ScatterPlotItem(symbol="t1", size=theme.size(9), pen=theme.pen(None),
                                        brush=theme.brush(FOREGROUND))
        self.ticks.setZValue(15)
        plots[-1].addItem(self.ticks, ignoreBounds=True)
        self.timeline: TimelineView | None = None
        self._ticks_at: tuple = ()

    def show_checkpoints(self, timeline: TimelineView | None) -> None:
        """Tick the checkpoints of ``timeline`` along the lowest plot (after its y range)."""
        self.timeline = timeline
        steps = timeline.checkpoints if timeline is not None else ()
        low, high = self.plots[-1].viewRange()[1]
        # A little above the floor, so the whole tick shows above the axis.
        floor = low + 0.035 * (high - low)
        if (steps, floor) == self._ticks_at:
            return
        self._ticks_at = (steps, floor)
        self.ticks.setData(x=np.asarray(steps, float), y=np.full(len(steps), floor))
        self.ticks.setToolTip("checkpoints: right-click the plot to go back to one")

    @property
    def note_text(self) -> str:
        """The note shown over the missing part ("" when the history is whole)."""
        return (self.note.textItem.toPlainText().replace("\n", " ") if self.note.isVisible()
                else "")

    def reset(self) -> None:
        """A new run: forget the limits, the focus and the missing part."""
        self.limits.reset()
        self.focused = None
        self.markers.choose(None)

    def show(self, steps: np.ndarray, now: int, start: int, running: bool) -> None:
        """Fit the axis to a history of points at ``steps`` holding none before ``start``."""
        self._now = int(now)
        self._shown = (steps, int(now), bool(running))
        if start != self.start:
            self.start = int(start)
            self._show_missing()
        if self.focused is None:
            _View._hold(self.plots, "x", self.limits,
                        _step_extent(steps, now, self.start), tight=not running)

    def place_note(self) -> None:
        """Keep the note at the top left of the first plot (after its y range moved)."""
        if self.start:
            (x0, _), (_, y1) = self.plots[0].viewRange()
            self.note.setPos(max(x0, 0.0), y1)

    def _show_missing(self) -> None:
        for region in self.regions:
            region.setRegion((0, self.start))
            region.setVisible(self.start > 0)
        first = step_text(self.start + 1)
        # Two short lines: the note often sits in a narrow plot.
        self.note.setText(f"history before step {first}\nis not in this session")
        self.note.setVisible(self.start > 0)
        tip = (f"The opened session holds no whole-run history before step {first}: it was "
               "saved without one (by the command line or an older version), and its "
               "recording keeps only the newest steps. Its change markers are all shown.")
        for region in self.regions:
            region.setToolTip(tip if self.start else "")

    def focus(self, step: int) -> tuple[float, float]:
        """Centre the axis on ``step`` and mark its change; returns the range shown."""
        half = max(MIN_STEP_SPAN, self.FOCUS_FRACTION * max(self._now, step))
        self.focused = (step - half, step + half)
        for plot in self.plots:
            plot.setXRange(*self.focused, padding=0)
        self.markers.choose(int(step))
        self.place_note()
        return self.focused

    def whole_run(self) -> None:
        """Leave the focus: the axis shows the whole run again."""
        self.focused = None
        self.limits.reset()
        self.markers.choose(None)
        if self._shown is not None:
            steps, now, running = self._shown
            self.show(steps, now, self.start, running)
            self.place_note()


#: Narrowest a title or note may make its layout cell (px); a longer text is cut at its cell.
LABEL_MIN_WIDTH = 40


def _relax_labels(scene: Any) -> None:
    """Let every title and note of ``scene`` be narrower than its text.

    pyqtgraph makes a label's text width its minimum width, so one long title ("E neuron 0:
    its E->E inputs ...") kept a whole view wider than its dock, and Qt cut the view off at
    the window's edge. A relaxed label still asks for its full width; when there is less, its
    text starts at the cell's left edge and is cut at its right one.
    """
    for item in scene.items():
        if isinstance(item, pg.LabelItem) and not getattr(item, "_relaxed", False):
            item._relaxed = True
            item.setFlag(item.GraphicsItemFlag.ItemClipsChildrenToShape, True)
            item.updateMin = functools.partial(_relaxed_minimum, item)
            item.resizeEvent = functools.partial(_placed_text, item, item.resizeEvent,
                                                 item.opts.get("justify", "center"))
            item.updateMin()


def _placed_text(label: pg.LabelItem, place: Any, justify: str, event: Any) -> None:
    # A text wider than its cell starts at the cell's left edge, so what is cut is its end
    # ("E->E: normal fits be"), not both ends ("rmal fits better (").
    label.opts["justify"] = "left" if label.itemRect().width() > label.rect().width() else justify
    place(event)


def _relaxed_minimum(label: pg.LabelItem) -> None:
    # pyqtgraph's LabelItem.updateMin, with a small minimum width.
    bounds = label.itemRect()
    least = min(bounds.width(), LABEL_MIN_WIDTH)
    label.setMinimumWidth(least)
    label.setMinimumHeight(bounds.height())
    label._sizeHint = {
        Qt.SizeHint.MinimumSize: (least, bounds.height()),
        Qt.SizeHint.PreferredSize: (bounds.width(), bounds.height()),
        Qt.SizeHint.MaximumSize: (-1, -1),
        Qt.SizeHint.MinimumDescent: (0, 0),
    }
    label.updateGeometry()


class _View(pg.GraphicsLayoutWidget):
    """Base of the views: a named layout that can be exported."""

    #: Go back to the checkpoint at this step (a right-click on a whole-run plot).
    go_to_requested = Signal(int)
    #: Branch from just before this entry of the change log (a right-click on its marker).
    branch_before_requested = Signal(int)
    #: "What am I looking at?" was chosen in the view's context menu.
    explain_requested = Signal()

    title = ""

    def plain_axes(self, plots: list[pg.PlotItem] | None = None) -> None:
        """Show axis values as they are: no "(x0.001)" SI rescaling, which confuses rates.

        Call after the last ``setLabel``: setting a label restores pyqtgraph's default ranges.
        ``plots`` are those of a nested layout (the view's own by default).
        """
        for item in self.ci.items if plots is None else plots:
            if isinstance(item, pg.PlotItem):
                for side in ("left", "bottom"):
                    axis = item.getAxis(side)
                    axis.setSIPrefixEnableRanges(((math.inf, math.inf),))
                    axis.updateAutoSIPrefix()
                for side in ("left", "bottom", "right", "top"):
                    axis = item.getAxis(side)
                    if not axis.isVisible():
                        # A hidden axis still recomputes its ticks and label on every range
                        # change; nobody sees them.
                        axis.unlinkFromView()

    def __init__(self, parent: QWidget | None = None) -> None:
        #: Scene magnification: fonts, margins and axes grow with it (presentation mode).
        self.zoom = theme.current_look().scale
        super().__init__(parent)
        # The scene's size is set from the widget's and the zoom (resizeEvent), not by
        # pyqtgraph's one scene pixel per screen pixel.
        self.autoPixelRange = False
        theme.follow_look(self)
        self.ci.setContentsMargins(4, 4, 4, 4)
        self.markers: ChangeMarkers | None = None
        self._epoch: int | None = None
        self._legends: list[tuple[_TextLegend, float]] = []

    def _legend_row(self, row: int, col: int, entries: list[tuple[str, str, str]],
                    colspan: int = 1, share: float = 1.0) -> _TextLegend:
        """A legend in its own layout cell above a plot (see :class:`_TextLegend`).

        Parameters
        ----------
        row, col, colspan : int
            The cell.
        entries : list of (colour, glyph, name)
            One per curve.
        share : float
            The fraction of the view's width the cell gets (for wrapping).
        """
        legend = _TextLegend(entries)
        self.addItem(legend, row=row, col=col, colspan=colspan)
        self._legends.append((legend, share))
        return legend

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """What the plots inside need: without it a dock would make the view narrower than
        its plots, and Qt would cut them off at the window's edge."""
        _relax_labels(self.scene())
        least = self.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        return QSize(math.ceil(least.width() * self.zoom) + 2,
                     math.ceil(least.height() * self.zoom) + 2)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Fit the scene to the new size, let the titles shrink, rewrap the legends."""
        _relax_labels(self.scene())
        self.range = QRectF(0, 0, self.width() / self.zoom, self.height() / self.zoom)
        super().resizeEvent(event)
        for legend, share in getattr(self, "_legends", ()):
            legend.fit_width(max(60.0, self.width() / self.zoom * share - 24))

    def updateMatrix(self, propagate: bool = True) -> None:  # noqa: N802 - pyqtgraph's name
        """Draw the scene magnified by :attr:`zoom` (pyqtgraph's own fit adds margins)."""
        self.setSceneRect(self.range)
        self.setTransform(QTransform.fromScale(self.zoom, self.zoom))
        self.sigDeviceRangeChanged.emit(self, self.range)
        self.sigDeviceTransformChanged.emit(self)

    def set_look(self, old: theme.Look, new: theme.Look) -> None:
        """Carry the view from look ``old`` to ``new``: colours, line widths and zoom."""
        theme.restyle(self, old, new)
        if new.scale != self.zoom:
            self.zoom = new.scale
            self.resizeEvent(None)
            self.updateGeometry()

    def update_frame(self, frame: Frame) -> None:  # pragma: no cover - overridden
        """Show ``frame``."""
        raise NotImplementedError

    def focus_step(self, step: int) -> None:
        """Centre a whole-run view's step axis on ``step`` and mark the change there
        (double-click the view or :meth:`show_whole_run` to see the whole run again)."""
        steps = getattr(self, "steps", None)
        if isinstance(steps, WholeRunSteps):
            steps.focus(step)

    def show_whole_run(self) -> None:
        """Show the whole run again after :meth:`focus_step`."""
        steps = getattr(self, "steps", None)
        if isinstance(steps, WholeRunSteps) and steps.focused is not None:
            steps.whole_run()

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """A double-click leaves a focus on one step (the plots take no other mouse input)."""
        self.show_whole_run()
        super().mouseDoubleClickEvent(event)

    def time_travel_menu(self, pos: Any) -> QMenu | None:
        """The menu a right-click at widget position ``pos`` opens on a whole-run plot: go
        back to the checkpoint before that step, and on a change marker, branch from just
        before that change. None off the plots (or when there is nothing to offer)."""
        steps = getattr(self, "steps", None)
        if not isinstance(steps, WholeRunSteps):
            return None
        scene = self.mapToScene(pos)
        plot = next((p for p in steps.plots if p.sceneBoundingRect().contains(scene)), None)
        if plot is None:
            return None
        menu = QMenu(self)
        for index in steps.markers.near(plot, scene.x()):
            change = steps.markers.changes[index]
            act = menu.addAction(f"Branch from just before this change ({change_text(change)})")
            act.triggered.connect(lambda _=False, i=index: self.branch_before_requested.emit(i))
        step = plot.getViewBox().mapSceneToView(scene).x()
        back = (steps.timeline.nearest(step, not_after=True) if steps.timeline is not None
                else None)
        if back is not None:
            act = menu.addAction(f"Go back to the checkpoint at step {step_text(back)}")
            act.triggered.connect(lambda _=False, s=back: self.go_to_requested.emit(s))
        return menu if menu.actions() else None

    def context_menu(self, pos: Any) -> QMenu:
        """The view's context menu at widget position ``pos``: time travel on a whole-run
        plot (:meth:`time_travel_menu`), then "What am I looking at?"."""
        menu = self.time_travel_menu(pos) or QMenu(self)
        if menu.actions():
            menu.addSeparator()
        explain = menu.addAction("What am I looking at?")
        explain.triggered.connect(self.explain_requested)
        return menu

    def contextMenuEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Right-click: :meth:`context_menu`."""
        self.context_menu(event.pos()).exec(event.globalPos())

    def _new_epoch(self, frame: Frame) -> bool:
        """Whether ``frame`` starts a new run (reset, preset, opened file) for this view."""
        new = frame.epoch != self._epoch
        self._epoch = frame.epoch
        return new

    @staticmethod
    def _hold(plots: tuple[pg.PlotItem, ...], axis: str, limits: SteadyRange,
              data: np.ndarray, tight: bool = False) -> None:
        """Move the x or y range of ``plots`` only when ``limits`` says ``data`` need it."""
        if not len(data):
            return
        new = limits.fit(float(np.min(data)), float(np.max(data)), tight)
        if new is not None:
            for plot in plots:
                (plot.setXRange if axis == "x" else plot.setYRange)(*new, padding=0)

    def _time_plot(self, row: int, col: int, label: str, **kwargs: Any) -> pg.PlotItem:
        """A plot over steps: the shared step axis, a fixed-width left axis, no mouse or menu.

        The fixed left width lines up stacked plots on the step axis; without the view-box
        menu nobody can unlink or auto-range one plot of a stack away from the others.
        """
        plot = self.addPlot(row=row, col=col, axisItems={"bottom": StepAxis()}, **kwargs)
        plot.setLabel("left", label)
        plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        plot.setMouseEnabled(x=False, y=False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        return plot


#: The shortest span a whole-run step axis shows (a run just reset has one point).
MIN_STEP_SPAN = 100


def _step_extent(steps: np.ndarray, now: int, start: int = 0) -> np.ndarray:
    """First and last step a whole-run plot shows: the history's, at least MIN_STEP_SPAN wide.

    An empty history (a new run) gives the span from ``now``, so no range of the previous
    run survives. A history that lacks the run's first ``start`` steps still starts at 0.
    """
    first = 0.0 if start else float(steps[0]) if len(steps) else float(now)
    last = float(steps[-1]) if len(steps) else float(now)
    return np.array([first, max(last, first + MIN_STEP_SPAN)])


def _two_points(plot: pg.PlotItem, pen: Any) -> pg.PlotDataItem:
    # A two-point curve, not an InfiniteLine: that one recomputes its bounds after every
    # range change and so makes pyqtgraph paint each frame twice.
    curve = plot.plot(pen=pen)
    curve.setZValue(5)
    return curve


#: Shortest raster window, in steps: some 20 blocks across the plot.
MIN_WINDOW = 20
#: In "auto", the raster shows about this many seconds of a speed-limited run.
FOLLOW_SECONDS = 10.0
#: Widest the raster's window field gets at a scale of 1 (pixels).
WINDOW_FIELD_WIDTH = 180


class RasterView(_View):
    """Scrolling raster of E and I spikes with the population rates beneath.

    The window (steps shown) follows the speed limit unless the user zooms: the mouse wheel
    over the view or the "window" field. Windows up to the frame's tail length are drawn one
    column per step, so at a few steps per second every spike is a block of its own; the
    newest step is marked by a line.
    """

    title = "Spikes and rate"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = self.addLabel("", row=0, col=0, justify="left", size="8pt")
        self.plot_e = self._time_plot(1, 0, "E neuron")
        self.plot_i = self._time_plot(2, 0, "I")
        self.plot_rate = self._time_plot(3, 0, "rate")
        self.plot_rate.setLabel("bottom", "step")
        # This axis moves every frame: major ticks only, which halves the cost of redrawing it.
        self.plot_rate.getAxis("bottom").setStyle(maxTickLevel=0, maxTextLevel=0)
        self.plots = (self.plot_e, self.plot_i, self.plot_rate)
        for plot in (self.plot_e, self.plot_i):
            plot.hideAxis("bottom")
        for plot in self.plots:
            # Ranges are set explicitly per frame, the same on all three (no auto-range, no
            # pyqtgraph linking: it would settle linked ranges in a second paint of every frame).
            plot.enableAutoRange(False)
        layout = self.ci.layout
        layout.setRowStretchFactor(1, 6)
        layout.setRowStretchFactor(2, 2)
        layout.setRowStretchFactor(3, 3)
        self.image_e = pg.ImageItem(lut=theme.lut(E_COLOR), levels=(0, 255))
        self.image_i = pg.ImageItem(lut=theme.lut(I_COLOR), levels=(0, 255))
        self.plot_e.addItem(self.image_e)
        self.plot_i.addItem(self.image_i)
        self.source_e: np.ndarray | None = None
        self.curve_e = self.plot_rate.plot(pen=theme.pen(E_COLOR, width=1), name="E")
        self.curve_i = self.plot_rate.plot(pen=theme.pen(I_COLOR, width=1), name="I")
        self.target = _two_points(self.plot_rate, theme.pen(ACCENT, style=Qt.PenStyle.DotLine))
        self.target.setToolTip("Target rate mu_IP")
        now_pen = theme.pen(NOW_COLOR, width=2)
        self.now_lines = tuple(_two_points(plot, now_pen) for plot in self.plots)
        self.selection = (_two_points(self.plot_e, theme.pen(SELECTION_COLOR, width=1)),
                          _two_points(self.plot_i, theme.pen(SELECTION_COLOR, width=1)))
        self.selected: tuple[str, int] | None = None
        self.plot_rate.setYRange(0, 0.3)
        self.markers = ChangeMarkers(list(self.plots))
        self._sizes = (0, 0)
        self._frame: Frame | None = None
        #: The steps shown now; ``manual_window`` is the user's choice (None: follow the speed).
        self.window = 0
        self.manual_window: int | None = None
        self._build_window_field()
        self.plain_axes()

    def _build_window_field(self) -> None:
        # A child widget over the header row, not an item of the scene: it stays out of
        # exported figures.
        self.window_box = QWidget(self)
        row = QHBoxLayout(self.window_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.window_spin = QSpinBox(self.window_box)
        self.window_spin.setObjectName("rasterWindowSpin")
        self.window_spin.setAccessibleName("Raster window")
        self.window_spin.setRange(MIN_WINDOW - 1, 1_000_000)
        # The lowest value reads "auto": the window then follows the speed.
        self.window_spin.setSpecialValueText("window: auto")
        self.window_spin.setPrefix("window: ")
        self.window_spin.setSuffix(" steps")
        self.window_spin.setStepType(QSpinBox.StepType.AdaptiveDecimalStepType)
        self.window_spin.setKeyboardTracking(False)
        self.window_spin.setValue(MIN_WINDOW - 1)
        self.window_spin.setMaximumWidth(round(WINDOW_FIELD_WIDTH * self.zoom))
        self.window_spin.setToolTip(
            "Steps the raster shows. \"auto\" follows the speed limit (about "
            f"{FOLLOW_SECONDS:g} s of the run); the mouse wheel over the raster zooms.")
        self.window_spin.valueChanged.connect(self._window_typed)
        row.addWidget(self.window_spin)
        self.window_box.adjustSize()
        self.setMinimumHeight(self.window_box.sizeHint().height() + 120)
        self.header.setMinimumHeight(self.window_box.sizeHint().height() / self.zoom)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Keep the window field in the top-right corner."""
        super().resizeEvent(event)
        box = getattr(self, "window_box", None)  # pyqtgraph resizes before __init__ ends
        if box is not None:
            box.move(max(0, self.width() - box.width() - 6), 2)

    def set_look(self, old: theme.Look, new: theme.Look) -> None:
        """Carry the view to look ``new``; the window field keeps its corner at the new size."""
        super().set_look(old, new)
        self.window_spin.setMaximumWidth(round(WINDOW_FIELD_WIDTH * self.zoom))
        # After the event loop: the field takes the style sheet's new font size only then.
        QTimer.singleShot(0, self, self._fit_window_field)

    def _fit_window_field(self) -> None:
        self.window_box.adjustSize()
        self.header.setMinimumHeight(self.window_box.sizeHint().height() / self.zoom)
        self.resizeEvent(None)

    def set_window(self, steps: int | None) -> None:
        """Show the newest ``steps`` steps; ``None`` follows the speed limit again."""
        value = MIN_WINDOW - 1 if steps is None else max(MIN_WINDOW, int(steps))
        if value == self.window_spin.value():
            self._window_typed(value)
        else:
            self.window_spin.setValue(value)

    def _window_typed(self, value: int) -> None:
        self.manual_window = None if value < MIN_WINDOW else int(value)
        if self._frame is not None:
            self.update_frame(self._frame)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        """Zoom the time window: wheel up shows fewer steps, wheel down more."""
        notches = event.angleDelta().y() / 120
        if not notches:
            event.ignore()
            return
        high = self._frame.raster.window if self._frame is not None else 1_000_000
        steps = round(max(self.window, MIN_WINDOW) * 1.25 ** (-notches))
        self.set_window(min(max(MIN_WINDOW, steps), max(high, MIN_WINDOW)))
        event.accept()

    def _auto_window(self, frame: Frame) -> int:
        """The window that follows the speed: ~10 s of a limited run, everything otherwise."""
        limit = frame.status.speed_limit
        full = max(frame.raster.window, MIN_WINDOW)
        if limit is None or limit <= 0:
            return full
        return int(min(full, max(MIN_WINDOW, round(limit * FOLLOW_SECONDS))))

    def highlight_neuron(self, population: str, index: int) -> None:
        """Mark neuron ``index`` of population ``"E"`` or ``"I"`` by a line across its row."""
        self.selected = (population, int(index))
        if self._frame is not None:
            self._show_selection(self._plot_range())

    def _plot_range(self) -> tuple[float, float]:
        return tuple(self.plot_e.viewRange()[0])  # type: ignore[return-value]

    def _show_selection(self, x_range: tuple[float, float]) -> None:
        for curve, population in zip(self.selection, ("E", "I"), strict=True):
            if self.selected is not None and self.selected[0] == population:
                y = self.selected[1] + 0.5
                curve.setData(x_range, (y, y))
            else:
                curve.setData([], [])

    def update_frame(self, frame: Frame) -> None:
        """Show the raster window of ``frame``."""
        self._frame = frame
        p, r = frame.params, frame.raster
        if self._new_epoch(frame):
            self._sizes = (0, 0)
        if self.window_spin.maximum() != max(r.window, MIN_WINDOW):
            self.window_spin.setMaximum(max(r.window, MIN_WINDOW))
        window = self.manual_window or self._auto_window(frame)
        self.window = window = min(window, max(r.window, MIN_WINDOW))
        tail = r.tail
        if tail is not None and window <= tail.stop - tail.start or (
                tail is not None and r.bin == 1):
            # One column per step: each spike its own block.
            image_e, image_i, start, stop, bin_ = (tail.image_e, tail.image_i, tail.start,
                                                   tail.stop, 1)
            x, rate_e, rate_i = np.arange(start, stop) + 0.5, tail.rate_e, tail.rate_i
        else:
            image_e, image_i, start, stop, bin_ = r.image_e, r.image_i, r.start, r.stop, r.bin
            x, rate_e, rate_i = r.steps + r.bin / 2, r.rate_e, r.rate_i
        # Before the window fills, keep its full width so the raster grows from the left.
        low = max(start, stop - window)
        x_range = (low, low + window)
        self.source_e = image_e
        self._show_images(image_e, image_i, start, stop, bin_, window, p.ne, p.ni)
        for plot in self.plots:
            plot.setXRange(*x_range, padding=0)
        if (p.ne, p.ni) != self._sizes:
            self.plot_e.setYRange(0, p.ne, padding=0)
            self.plot_i.setYRange(0, p.ni, padding=0)
            self._sizes = (p.ne, p.ni)
        self.curve_e.setData(x, rate_e, skipFiniteCheck=True)
        self.curve_i.setData(x, rate_i, skipFiniteCheck=True)
        self.target.setData(x_range, (p.mu_ip, p.mu_ip))
        top = max(0.3, float(rate_e.max(initial=0)) * 1.1, float(rate_i.max(initial=0)) * 1.1)
        self.plot_rate.setYRange(0, top, padding=0)
        now = frame.step + 0.5 if bin_ == 1 else stop
        for line, high in zip(self.now_lines, (p.ne, p.ni, top), strict=True):
            line.setData((now, now), (0, high))
        self._show_selection(x_range)
        self.header.setText(f"step {step_text(frame.step)} \u00b7 showing {step_text(window)}")
        self.markers.update(frame.changes, frame.epoch)

    def _show_images(self, image_e: np.ndarray, image_i: np.ndarray, start: int, stop: int,
                     bin_: int, window: int, ne: int, ni: int) -> None:
        if stop <= start:
            self.image_e.clear()
            self.image_i.clear()
            return
        # Pool blocks of columns and rows that share a screen pixel (see _mean_pool).
        width = max(1.0, self.plot_e.vb.width())
        k_x = max(1, math.ceil(window / bin_ / width))
        for item, image, n, plot in ((self.image_e, image_e, ne, self.plot_e),
                                     (self.image_i, image_i, ni, self.plot_i)):
            k_y = max(1, math.ceil(n / max(1.0, plot.vb.height())))
            # Only the columns in the window are pooled and drawn (a short window of a long
            # tail would otherwise pool all of it every frame).
            visible = image[-(math.ceil(window / bin_) + k_x):]
            shown = _mean_pool(visible, min(k_x, max(1, len(visible))), k_y)
            if shown.size == 0:
                item.clear()
                continue
            # Pixels hold how often their neurons fired (0..255). Scaled to the population's
            # own mean, a network firing near its target rate reads clearly when many steps
            # share a pixel, the faster inhibitory neurons do not saturate, and a lone spike
            # of a zoomed-in window is a bright block.
            full = min(255.0, max(32.0, RASTER_CONTRAST * float(image.mean())))
            item.setImage(shown, autoLevels=False)
            item.setLevels((0, full))
            span = len(shown) * k_x * bin_
            item.setRect(QRectF(stop - span, 0, span, shown.shape[1] * k_y))


class WeightsView(_View):
    """Heatmaps of W^EE, W^EI and W^IE; clicking a neuron shows its weights below.

    Hovering a heatmap shows the weight under the mouse. Colour levels are per matrix and
    stay put while the network learns (they only rise, to a round value, when weights grow
    past them); dragging a colour bar's ends sets them by hand, and they then stay as set.
    """

    title = "Weights"
    neuron_selected = Signal(str, int)

    #: Matrix key -> (name, x label, y label, row label, column label of the hover text).
    _NAMES = {"w_ee": ("W<sup>EE</sup>", "post E", "pre E"),
              "w_ei": ("W<sup>EI</sup>", "post E", "pre I"),
              "w_ie": ("W<sup>IE</sup>", "post I", "pre E")}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: dict[str, pg.ImageItem] = {}
        self.bars: dict[str, pg.ColorBarItem] = {}
        self.plots: dict[str, pg.PlotItem] = {}
        # W^EE is square; W^EI and W^IE are drawn wide (x = E neuron) and stacked beside it.
        specs = (("w_ee", "W<sup>EE</sup> (E\u2192E)", "pre E", "post E", 0, 0, 2),
                 ("w_ei", "W<sup>EI</sup> (I\u2192E)", "post E", "pre I", 0, 1, 1),
                 ("w_ie", "W<sup>IE</sup> (E\u2192I)", "pre E", "post I", 1, 1, 1))
        for key, title, xlabel, ylabel, row, col, rowspan in specs:
            plot = self.addPlot(row=row, col=col, rowspan=rowspan, title=title)
            plot.setLabel("bottom", xlabel)
            plot.setLabel("left", ylabel)
            plot.invertY(True)
            plot.hideButtons()
            image = pg.ImageItem()
            plot.addItem(image)
            bar = pg.ColorBarItem(values=(0, 0.2), colorMap="viridis", width=10, rounding=0.001,
                                  interactive=True)
            bar.setImageItem(image, insert_in=plot)
            bar.setToolTip("Colour levels of this matrix: drag an end of the bar to change "
                           "them; they then stay as set")
            bar.sigLevelsChangeFinished.connect(lambda _bar, k=key: self._levels_dragged(k))
            self.images[key], self.bars[key], self.plots[key] = image, bar, plot
        self.hover = self.addLabel("Hover a matrix for its weights; click one to choose a "
                                   "neuron", row=2, col=0, colspan=2, size="8pt")
        self.detail = self._detail_plot()
        layout = self.ci.layout
        layout.setColumnStretchFactor(0, 1)
        layout.setColumnStretchFactor(1, 1)
        layout.setRowStretchFactor(0, 2)
        layout.setRowStretchFactor(1, 2)
        layout.setRowStretchFactor(3, 3)
        pen = theme.pen(SELECTION_COLOR, width=1, style=Qt.PenStyle.DashLine)
        #: Per matrix a horizontal and a vertical line through the chosen neuron's row/column.
        self.cross: dict[str, tuple[pg.InfiniteLine, pg.InfiniteLine]] = {}
        for key, plot in self.plots.items():
            lines = (pg.InfiniteLine(angle=0, pen=pen), pg.InfiniteLine(angle=90, pen=pen))
            for line in lines:
                line.hide()
                plot.addItem(line, ignoreBounds=True)
            self.cross[key] = lines
        self.selected: tuple[str, int] = ("E", 0)
        self.weights: Weights | None = None
        self.hover_text = ""
        self.levels: dict[str, tuple[float, float]] = {}
        self._user_levels: set[str] = set()
        self._levels_for: tuple | None = None
        self._ranges_for: tuple | None = None
        self._setting_levels = False
        self.scene().sigMouseClicked.connect(self._clicked)
        self.scene().sigMouseMoved.connect(self._moved)
        self.plain_axes()

    def _detail_plot(self) -> pg.PlotItem:
        detail = self.addPlot(row=3, col=0, colspan=2)
        detail.setLabel("bottom", "E neuron")
        detail.setLabel("left", "weight")
        self.incoming = detail.plot(stepMode="center", fillLevel=0,
                                    brush=theme.brush(E_COLOR + "90"), pen=theme.pen(E_COLOR))
        self.outgoing = detail.plot(stepMode="center", fillLevel=0,
                                    brush=theme.brush(OUT_COLOR + "90"), pen=theme.pen(OUT_COLOR))
        return detail

    def _matrix_at(self, scene_pos: Any) -> tuple[str, int, int] | None:
        """The matrix under ``scene_pos`` and the image pixel (x, y) there, if any."""
        for key, image in self.images.items():
            if image.image is None or not image.sceneBoundingRect().contains(scene_pos):
                continue
            pos = image.mapFromScene(scene_pos)
            x, y = int(pos.x()), int(pos.y())
            if 0 <= x < image.width() and 0 <= y < image.height():
                return key, x, y
        return None

    def _clicked(self, event: Any) -> None:
        hit = self._matrix_at(event.scenePos())
        if hit is None:
            return
        key, x, y = hit
        if key == "w_ee":
            self.select_neuron("E", y)
        elif key == "w_ei":
            self.select_neuron("E", x)
        else:
            self.select_neuron("I", y)
        event.accept()

    def _moved(self, scene_pos: Any) -> None:
        hit = self._matrix_at(scene_pos)
        if hit is not None and self.weights is not None:
            self.show_value(*hit)

    def show_value(self, key: str, x: int, y: int) -> str:
        """Show (and return) the weight at image pixel ``(x, y)`` of matrix ``key``."""
        w = self.weights
        if w is None:
            return ""
        name, row_label, col_label = self._NAMES[key]
        # Matrices are rows = post, columns = pre; images are drawn (x, y) as in update_frame.
        row, col = (x, y) if key == "w_ei" else (y, x)
        matrix = getattr(w, key)
        row = min(max(row, 0), matrix.shape[0] - 1)
        col = min(max(col, 0), matrix.shape[1] - 1)
        value = float(matrix[row, col])
        weight = "no synapse" if value == 0 else f"weight {value:.4g}"
        self.hover_text = f"{name}: {row_label} {row} \u2190 {col_label} {col}: {weight}"
        self.hover.setText(self.hover_text)
        return self.hover_text

    def select_neuron(self, population: str, index: int) -> None:
        """Show the incoming and outgoing weights of one neuron (``"E"`` or ``"I"``)."""
        self.selected = (population, int(index))
        self._show_selection()
        self.neuron_selected.emit(*self.selected)

    def _show_selection(self) -> None:
        w = self.weights
        if w is None:
            return
        population, i = self.selected
        if population == "E":
            i = min(max(i, 0), w.w_ee.shape[0] - 1)
            incoming, outgoing = w.w_ee[i, :], w.w_ee[:, i]
            title = (f"E neuron {i}: {_swatch(E_COLOR)} E\u2192E inputs (row) "
                     f"{_swatch(OUT_COLOR)} outputs (column)")
            # Its row and column of W^EE, its column of W^EI and of W^IE (x = E neuron).
            shown = {"w_ee": (i, i), "w_ei": (None, i), "w_ie": (None, i)}
        else:
            i = min(max(i, 0), w.w_ie.shape[0] - 1)
            incoming, outgoing = w.w_ie[i, :], w.w_ei[:, i]
            title = (f"I neuron {i}: {_swatch(E_COLOR)} inputs from E "
                     f"{_swatch(OUT_COLOR)} outputs onto E")
            shown = {"w_ee": (None, None), "w_ei": (i, None), "w_ie": (i, None)}
        for key, positions in shown.items():
            for line, pos in zip(self.cross[key], positions, strict=True):
                if pos is None:
                    line.hide()
                else:
                    line.setValue(pos + 0.5)
                    line.show()
        self.selected = (population, i)
        x = np.arange(len(incoming) + 1)
        self.incoming.setData(x, incoming, stepMode="center", fillLevel=0)
        self.outgoing.setData(np.arange(len(outgoing) + 1), outgoing, stepMode="center",
                              fillLevel=0)
        self.detail.setTitle(title)

    def set_levels(self, key: str, low: float, high: float) -> None:
        """Fix the colour levels of matrix ``key`` (``"w_ee"``, ``"w_ei"``, ``"w_ie"``)."""
        if not low < high:
            raise ValueError(f"colour levels {low:g}..{high:g}: low must be below high")
        self._user_levels.add(key)
        self._apply_levels(key, (float(low), float(high)))

    def _apply_levels(self, key: str, levels: tuple[float, float]) -> None:
        self.levels[key] = levels
        self._setting_levels = True
        try:
            self.bars[key].setLevels(levels)
        finally:
            self._setting_levels = False

    def _levels_dragged(self, key: str) -> None:
        if not self._setting_levels:
            self._user_levels.add(key)
            self.levels[key] = tuple(float(v) for v in self.bars[key].levels())

    def _auto_levels(self, frame: Frame, new_network: bool) -> None:
        """Levels a few times the mean weight 1/in-degree, raised to a round value when the
        weights grow past them (W^EI under iSTDP), never lowered while a network runs."""
        p, w = frame.params, frame.weights
        for key, lam in (("w_ee", p.lambda_ee), ("w_ei", p.lambda_ei), ("w_ie", p.lambda_ie)):
            if key in self._user_levels:
                continue
            high = float(min(1.0, 4.0 / max(lam, 1.0)))
            if not new_network:
                high = max(high, self.levels.get(key, (0.0, 0.0))[1])
            values = getattr(w, key)
            values = values[values > 0]
            if values.size:
                top = float(np.percentile(values, 99.0))
                if top > high:
                    high = min(1.0, _nice_ceil(top))
            if self.levels.get(key) != (0.0, high):
                self._apply_levels(key, (0.0, high))

    def update_frame(self, frame: Frame) -> None:
        """Show the weights of ``frame`` unless this view shows that copy already."""
        w = frame.weights
        if w is self.weights:
            return
        p = frame.params
        self._new_epoch(frame)
        key = (frame.epoch, p.lambda_ee, p.lambda_ei, p.lambda_ie, p.ne, p.ni)
        self._auto_levels(frame, key != self._levels_for)
        self._levels_for = key
        # Image axes are (x, y): W^EE and W^IE show x = presynaptic (column), y = postsynaptic
        # (row); W^EI is shown as x = postsynaptic E, y = presynaptic I, to lie wide.
        self.images["w_ee"].setImage(w.w_ee.T, autoLevels=False)
        self.images["w_ei"].setImage(w.w_ei, autoLevels=False)
        self.images["w_ie"].setImage(w.w_ie.T, autoLevels=False)
        if self._ranges_for != key:
            # Fit each heatmap exactly, once per network (the user may zoom afterwards).
            for name, image in self.images.items():
                self.plots[name].setRange(xRange=(0, image.width()), yRange=(0, image.height()),
                                          padding=0)
            self._ranges_for = key
        self.weights = w
        self._show_selection()


class ConnectionsView(_View):
    """Connection counts over the whole run and the E->E connection fraction."""

    title = "Connections"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts = self._time_plot(1, 0, "synapses")
        self.fraction = self._time_plot(2, 0, "E\u2192E %")
        self.fraction.getAxis("left").setToolTip("E\u2192E connection fraction: existing "
                                                 "synapses of the ne (ne - 1) possible, in %")
        self.fraction.setLabel("bottom", "step")
        # Steady explicit ranges (no auto-range, no x-link, one step axis): moving axes
        # every frame was most of the cost of painting this view.
        self.counts.hideAxis("bottom")
        self.plots = (self.counts, self.fraction)
        for plot in self.plots:
            plot.enableAutoRange(False)
        self._y_counts = SteadyRange()
        self._y_fraction = SteadyRange()
        self.curve_ee = self.counts.plot(pen=theme.pen(E_COLOR, width=1))
        self.curve_ei = self.counts.plot(pen=theme.pen(I_COLOR, width=1))
        self.curve_frac = self.fraction.plot(pen=theme.pen(ACCENT, width=1))
        self.legend = self._legend_row(0, 0, [(E_COLOR, LINE, "E\u2192E synapses"),
                                              (I_COLOR, LINE, "I\u2192E synapses")])
        self.markers = ChangeMarkers(list(self.plots))
        self.steps = WholeRunSteps(self.plots, self.markers)
        self.plain_axes()

    def update_frame(self, frame: Frame) -> None:
        """Show the connection history of ``frame``."""
        if self._new_epoch(frame):
            self.steps.reset()
            for limits in (self._y_counts, self._y_fraction):
                limits.reset()
        h = frame.history
        x = h.step
        self.curve_ee.setData(x, h.n_ee, skipFiniteCheck=True)
        self.curve_ei.setData(x, h.n_ei, skipFiniteCheck=True)
        self.curve_frac.setData(x, h.frac_ee * 100.0, skipFiniteCheck=True)
        # While running the step axis keeps room ahead; a still picture fills the plot.
        self.steps.show(x, frame.step, h.start, frame.running)
        self._hold((self.counts,), "y", self._y_counts,
                   np.concatenate([h.n_ee, h.n_ei]))
        self._hold((self.fraction,), "y", self._y_fraction, h.frac_ee * 100.0)
        self.steps.place_note()
        self.steps.show_checkpoints(frame.timeline)
        self.markers.update(frame.changes, frame.epoch)


class ThresholdsView(_View):
    """T^E mean with its min/max band, T^I, a few traced neurons and the chosen one.

    The history traces three E neurons over the whole run; a neuron chosen in the weights
    view is drawn bold when traced, and otherwise followed from the moment it was chosen.
    """

    title = "Thresholds"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self._time_plot(1, 0, "threshold")
        self.plot.setLabel("bottom", "step")
        self.plot.enableAutoRange(False)
        self._y = SteadyRange()
        self.low = pg.PlotDataItem(pen=theme.pen(E_COLOR + "60"))
        self.high = pg.PlotDataItem(pen=theme.pen(E_COLOR + "60"))
        # One filled polygon (max forwards, min backwards): pyqtgraph's FillBetweenItem
        # rebuilds its path per curve update in Python and cost more than the whole plot.
        self.band = QGraphicsPathItem()
        self.band.setBrush(theme.brush(E_COLOR + "30"))
        self.band.setPen(theme.pen(None))
        self.plot.addItem(self.low)
        self.plot.addItem(self.high)
        self.plot.addItem(self.band)
        self.mean = self.plot.plot(pen=theme.pen(E_COLOR, width=1))
        self.t_i = self.plot.plot(pen=theme.pen(I_COLOR, width=1))
        self.chosen = self.plot.plot(pen=theme.pen(SELECTION_COLOR, width=2))
        self.chosen.setZValue(6)
        self.legend = self._legend_row(0, 0, [])
        self.neurons: list[pg.PlotDataItem] = []
        self._neuron_ids: tuple[int, ...] = ()
        self.selected: tuple[str, int] | None = None
        self._chosen_trace: tuple[list[float], list[float]] = ([], [])
        self.markers = ChangeMarkers([self.plot])
        self.steps = WholeRunSteps((self.plot,), self.markers)
        self.plain_axes()
        self._fill_legend()

    def _fill_legend(self) -> None:
        entries = [(E_COLOR, LINE, "T<sup>E</sup> mean, min\u2013max"),
                   (I_COLOR, LINE, "T<sup>I</sup> mean")]
        entries += [(NEURON_COLORS[k % len(NEURON_COLORS)], LINE, f"neuron {n}")
                    for k, n in enumerate(self._neuron_ids)]
        if self._chosen_untraced():
            population, i = self.selected  # type: ignore[misc]
            entries.append((SELECTION_COLOR[:7], LINE, f"{population} {i} (since chosen)"))
        self.legend.set_entries(entries)

    def _chosen_untraced(self) -> bool:
        return self.selected is not None and not (self.selected[0] == "E"
                                                  and self.selected[1] in self._neuron_ids)

    def highlight_neuron(self, population: str, index: int) -> None:
        """Draw neuron ``index`` of ``population`` (``"E"``/``"I"``) bold, or follow it."""
        self.selected = (population, int(index))
        self._chosen_trace = ([], [])
        self.chosen.setData([], [])
        self._style_neurons()
        self._fill_legend()

    def _style_neurons(self) -> None:
        for k, (curve, n) in enumerate(zip(self.neurons, self._neuron_ids, strict=True)):
            bold = self.selected == ("E", n)
            curve.setPen(theme.pen(NEURON_COLORS[k % len(NEURON_COLORS)], width=3 if bold else 1))

    def _follow_chosen(self, frame: Frame) -> None:
        """Extend the trace of a chosen neuron the history does not follow."""
        if not self._chosen_untraced():
            return
        population, i = self.selected  # type: ignore[misc]
        values = frame.t_e if population == "E" else frame.t_i
        if values is None or not 0 <= i < len(values):
            return
        steps, trace = self._chosen_trace
        if steps and frame.step <= steps[-1]:
            return
        steps.append(float(frame.step))
        trace.append(float(values[i]))
        self.chosen.setData(steps, trace)

    def update_frame(self, frame: Frame) -> None:
        """Show the threshold history of ``frame``."""
        if self._new_epoch(frame):
            self.steps.reset()
            self._y.reset()
            self._chosen_trace = ([], [])
            self.chosen.setData([], [])
        h = frame.history
        x = h.step
        self.low.setData(x, h.t_e_min, skipFiniteCheck=True)
        self.high.setData(x, h.t_e_max, skipFiniteCheck=True)
        path = pg.arrayToQPath(np.concatenate([x, x[::-1]]),
                               np.concatenate([h.t_e_max, h.t_e_min[::-1]]))
        if len(x):
            path.closeSubpath()
        # An empty history (step 0 of a new run) draws no band: the old run's must go.
        self.band.setPath(path)
        self.mean.setData(x, h.t_e_mean, skipFiniteCheck=True)
        self.t_i.setData(x, h.t_i_mean, skipFiniteCheck=True)
        if h.neurons != self._neuron_ids:
            for curve in self.neurons:
                self.plot.removeItem(curve)
            self.neurons = [self.plot.plot(pen=theme.pen(NEURON_COLORS[k % len(NEURON_COLORS)]))
                            for k in range(len(h.neurons))]
            self._neuron_ids = h.neurons
            self._style_neurons()
            self._fill_legend()
        traces = h.t_e_neurons
        for k, curve in enumerate(self.neurons):
            curve.setData(x, traces[:, k], skipFiniteCheck=True)
        self._follow_chosen(frame)
        self.steps.show(x, frame.step, h.start, frame.running)
        self._hold((self.plot,), "y", self._y, np.concatenate(
            [h.t_e_min, h.t_e_max, h.t_i_mean, traces.ravel()]))
        self.steps.place_note()
        self.steps.show_checkpoints(frame.timeline)
        self.markers.update(frame.changes, frame.epoch)


def connect_selection(weights: WeightsView, *followers: Any) -> None:
    """Show the neuron chosen in ``weights`` in every follower (``highlight_neuron``)."""
    for follower in followers:
        weights.neuron_selected.connect(follower.highlight_neuron)


class DistributionsView(_View):
    """The weight distribution on a log axis and the distribution of firing rates."""

    title = "Distributions"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weights = self.addPlot(row=1, col=0, title="Weights")
        self.weights.setLogMode(x=True, y=False)
        self.weights.setLabel("bottom", "weight (log axis)")
        # Fractions, not counts: 8 000 I->E synapses would flatten 2 000 E->E ones.
        self.weights.setLabel("left", "fraction of synapses")
        self.ee = self.weights.plot(stepMode="center", fillLevel=0, pen=theme.pen(E_COLOR),
                                    brush=theme.brush(E_COLOR + "70"))
        self.ei = self.weights.plot(stepMode="center", pen=theme.pen(I_COLOR, width=1.5))
        self.lognormal = self.weights.plot(pen=theme.pen(MARKER_COLOR, width=2))
        self.normal = self.weights.plot(
            pen=theme.pen(FOREGROUND, width=1.5, style=Qt.PenStyle.DashLine))
        self.legend = self._legend_row(0, 0, [
            (E_COLOR, BOX, "E\u2192E"), (I_COLOR, LINE, "I\u2192E"),
            (MARKER_COLOR, LINE, "lognormal fit"), (FOREGROUND, DASHED, "normal fit")],
            share=0.6)
        self.rates = self.addPlot(row=1, col=1, title="Firing rates")
        self.rates.setLabel("bottom", "spikes per step")
        self.rates.setLabel("left", "E neurons")
        self.rate_hist = self.rates.plot(stepMode="center", fillLevel=0, pen=theme.pen(ACCENT),
                                         brush=theme.brush(ACCENT + "70"))
        self.target = self.rates.plot(pen=theme.pen(MARKER_COLOR, style=Qt.PenStyle.DotLine))
        self.target.setToolTip("Target rate mu_IP")
        self.rates.setToolTip("Firing rate of each excitatory neuron over the raster window")
        for plot in (self.weights, self.rates):
            plot.hideButtons()
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)
        self._shown_weights: Weights | None = None
        self.plain_axes()

    def update_frame(self, frame: Frame) -> None:
        """Show the distributions of ``frame``."""
        r = frame.raster
        self.rate_hist.setData(r.rate_edges, r.rate_counts, stepMode="center", fillLevel=0)
        mu = frame.params.mu_ip
        self.target.setData((mu, mu), (0, max(1, int(r.rate_counts.max(initial=0)))))
        w = frame.weights
        if w is not self._shown_weights:
            self._shown_weights = w
            x = 10.0 ** w.log_edges
            n_ee = max(int(w.ee_counts.sum()), 1)
            self.ee.setData(x, w.ee_counts / n_ee, stepMode="center", fillLevel=0)
            self.ei.setData(x, w.ei_counts / max(int(w.ei_counts.sum()), 1), stepMode="center")
            self._show_fit(w, n_ee)

    def _show_fit(self, w: Weights, n_ee: int) -> None:
        fit = w.ee_fit
        if fit is None:
            self.lognormal.setData([], [])
            self.normal.setData([], [])
            self.weights.setTitle("Weights")
            return
        # Curves at the bin centres, in the units of the E->E bars.
        centres = 10.0 ** ((w.log_edges[:-1] + w.log_edges[1:]) / 2)
        self.lognormal.setData(centres, fit.lognormal / n_ee)
        self.normal.setData(centres, fit.normal / n_ee)
        f = fit.fit
        better = "lognormal" if f.delta_aic > 0 else "normal"
        self.weights.setTitle(f"E\u2192E: {better} fits better (\u0394AIC {f.delta_aic:+.0f})")
        self.weights.setToolTip(
            f"Maximum-likelihood fits of the {f.n} E\u2192E weights\n"
            f"lognormal: mu {f.lognormal_mu:.3f}, sigma {f.lognormal_sigma:.3f} (of ln w), "
            f"KS {f.ks_lognormal:.3f}\n"
            f"normal: mean {f.normal_mean:.4f}, sd {f.normal_std:.4f}, KS {f.ks_normal:.3f}\n"
            "\u0394AIC = AIC(normal) - AIC(lognormal); positive favours the lognormal."
            + _floor_note(fit.floor_fit, f.n))


def _floor_note(floor_fit: WeightFit | None, n_all: int) -> str:
    if floor_fit is None:
        return ""
    f = floor_fit
    better = "lognormal" if f.delta_aic > 0 else "normal"
    return (f"\n\nAbove {ANALYSIS_FLOOR:g}, the range the authors' analysis plots "
            f"({f.n} synapses; with structural plasticity on, most of the {n_all - f.n} "
            f"below are ones it has just created): {better} fits better, "
            f"\u0394AIC {f.delta_aic:+.0f}, "
            f"sigma of ln w {f.lognormal_sigma:.3f}.")

