"""The live views: pyqtgraph plots fed with :class:`~sorn_studio.studio.frames.Frame` snapshots.

Each view is a ``GraphicsLayoutWidget`` with an ``update_frame(frame)`` method that only
hands ready-made arrays to pyqtgraph (the worker already decimated them), so painting stays
cheap. Images use fixed levels, so colours mean the same thing from frame to frame.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsPathItem, QWidget

from ..analysis.weights import ANALYSIS_FLOOR, WeightFit
from ..engine.snapshot import ParamChange
from ..studio.frames import Frame, Weights
from .ranges import SteadyRange

__all__ = [
    "ChangeMarkers",
    "RasterView",
    "WeightsView",
    "ConnectionsView",
    "ThresholdsView",
    "DistributionsView",
    "change_text",
]

BACKGROUND = "#15171e"
FOREGROUND = "#aeb6c8"
E_COLOR = "#6fcf97"
I_COLOR = "#eb5757"
ACCENT = "#5b8def"
MARKER_COLOR = "#f2c94c"
NEURON_COLORS = ("#56ccf2", "#bb6bd9", "#f2994a", "#f2c94c", "#9b51e0")
#: Change markers kept per plot (older ones are dropped so a long session stays light).
MAX_MARKERS = 200

pg.setConfigOptions(antialias=False, background=BACKGROUND, foreground=FOREGROUND)


def _fmt(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def change_text(change: ParamChange) -> str:
    """Describe one logged change, e.g. ``"eta_stdp 0.004 -> 0.01 at step 12 345"``."""
    step, name, old, new = change
    return f"{name} {_fmt(old)} -> {_fmt(new)} at step {step:,}".replace(",", " ")


def _legend(plot: pg.PlotItem, x_offset: int) -> pg.LegendItem:
    """A legend on a translucent panel, so it stays readable over the curves."""
    return plot.addLegend(offset=(x_offset, 5), brush=pg.mkBrush(BACKGROUND + "d0"),
                          pen=pg.mkPen("#3b4254"))


def _lut(color: str) -> np.ndarray:
    """A 256-entry lookup table from the background to ``color``."""
    cmap = pg.ColorMap([0.0, 1.0], [pg.mkColor(BACKGROUND), pg.mkColor(color)])
    return cmap.getLookupTable(nPts=256)


class ChangeMarkers:
    """Vertical lines marking parameter changes on a set of time plots, with tooltips."""

    def __init__(self, plots: list[pg.PlotItem]) -> None:
        self.plots = plots
        self.lines: list[list[pg.InfiniteLine]] = []
        self.texts: list[str] = []
        self._steps: list[int] = []
        self._seen = 0
        self._epoch = -1

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
            pen = pg.mkPen(MARKER_COLOR, width=1, style=Qt.PenStyle.DashLine)
            row = []
            for plot in self.plots:
                line = pg.InfiniteLine(pos=step, angle=90, pen=pen, movable=False)
                line.setToolTip(text)
                line.setZValue(10)
                plot.addItem(line, ignoreBounds=True)
                row.append(line)
            self.lines.append(row)
            self.texts.append(text)
            self._steps.append(step)
        self._seen = len(changes)
        while len(self.lines) > MAX_MARKERS:
            for plot, line in zip(self.plots, self.lines.pop(0), strict=True):
                plot.removeItem(line)
            self.texts.pop(0)
            self._steps.pop(0)

    def clear(self) -> None:
        """Remove every marker."""
        for row in self.lines:
            for plot, line in zip(self.plots, row, strict=True):
                plot.removeItem(line)
        self.lines.clear()
        self.texts.clear()
        self._steps.clear()
        self._seen = 0


class _View(pg.GraphicsLayoutWidget):
    """Base of the views: a named layout that can be exported."""

    title = ""

    def plain_axes(self) -> None:
        """Show axis values as they are: no "(x0.001)" SI rescaling, which confuses rates.

        Call after the last ``setLabel``: setting a label restores pyqtgraph's default ranges.
        """
        for item in self.ci.items:
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
        super().__init__(parent)
        self.ci.setContentsMargins(4, 4, 4, 4)
        self.markers: ChangeMarkers | None = None

    def update_frame(self, frame: Frame) -> None:  # pragma: no cover - overridden
        """Show ``frame``."""
        raise NotImplementedError

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
        plot = self.addPlot(row=row, col=col, **kwargs)
        plot.setLabel("left", label)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        return plot


class RasterView(_View):
    """Scrolling raster of E and I spikes with the population rates beneath."""

    title = "Spikes and rate"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_e = self._time_plot(0, 0, "E neuron")
        self.plot_i = self._time_plot(1, 0, "I")
        self.plot_rate = self._time_plot(2, 0, "rate")
        self.plot_rate.setLabel("bottom", "step")
        # This axis moves every frame: major ticks only, which halves the cost of redrawing it.
        self.plot_rate.getAxis("bottom").setStyle(maxTickLevel=0, maxTextLevel=0)
        for plot in (self.plot_e, self.plot_i):
            plot.hideAxis("bottom")
        for plot in (self.plot_e, self.plot_i, self.plot_rate):
            # Ranges are set explicitly per frame (no auto-range, no linking): pyqtgraph would
            # otherwise settle linked ranges in a second paint of every frame.
            plot.enableAutoRange(False)
        layout = self.ci.layout
        layout.setRowStretchFactor(0, 6)
        layout.setRowStretchFactor(1, 2)
        layout.setRowStretchFactor(2, 3)
        self.image_e = pg.ImageItem(lut=_lut(E_COLOR), levels=(0, 255))
        self.image_i = pg.ImageItem(lut=_lut(I_COLOR), levels=(0, 255))
        self.plot_e.addItem(self.image_e)
        self.plot_i.addItem(self.image_i)
        self.curve_e = self.plot_rate.plot(pen=pg.mkPen(E_COLOR, width=1), name="E")
        self.curve_i = self.plot_rate.plot(pen=pg.mkPen(I_COLOR, width=1), name="I")
        # A two-point curve, not an InfiniteLine: that one recomputes its bounds after every
        # range change and so makes pyqtgraph paint each frame twice.
        self.target = self.plot_rate.plot(pen=pg.mkPen(ACCENT, style=Qt.PenStyle.DotLine))
        self.target.setToolTip("Target rate mu_IP")
        self.plot_rate.setYRange(0, 0.3)
        self.markers = ChangeMarkers([self.plot_e, self.plot_i, self.plot_rate])
        self._sizes = (0, 0)
        self.plain_axes()

    def update_frame(self, frame: Frame) -> None:
        """Show the raster window of ``frame``."""
        p, r = frame.params, frame.raster
        start, stop = r.start, r.stop
        if stop > start:
            self.image_e.setImage(r.image_e, autoLevels=False)
            self.image_i.setImage(r.image_i, autoLevels=False)
            self.image_e.setRect(QRectF(start, 0, stop - start, p.ne))
            self.image_i.setRect(QRectF(start, 0, stop - start, p.ni))
        else:
            self.image_e.clear()
            self.image_i.clear()
        # Before the window fills, keep its full width so the raster grows from the left.
        x_range = (start, max(stop, start + r.window))
        for plot in (self.plot_e, self.plot_i, self.plot_rate):
            plot.setXRange(*x_range, padding=0)
        if (p.ne, p.ni) != self._sizes:
            self.plot_e.setYRange(0, p.ne, padding=0)
            self.plot_i.setYRange(0, p.ni, padding=0)
            self._sizes = (p.ne, p.ni)
        x = r.steps + r.bin / 2
        self.curve_e.setData(x, r.rate_e, skipFiniteCheck=True)
        self.curve_i.setData(x, r.rate_i, skipFiniteCheck=True)
        self.target.setData(x_range, (p.mu_ip, p.mu_ip))
        top = max(0.3, float(r.rate_e.max(initial=0)) * 1.1,
                  float(r.rate_i.max(initial=0)) * 1.1)
        self.plot_rate.setYRange(0, top, padding=0)
        self.markers.update(frame.changes, frame.epoch)


class WeightsView(_View):
    """Heatmaps of W^EE, W^EI and W^IE; clicking a neuron shows its weights below."""

    title = "Weights"
    neuron_selected = Signal(str, int)

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
            self.images[key], self.bars[key], self.plots[key] = image, bar, plot
        self.detail = self.addPlot(row=2, col=0, colspan=2)
        self.detail.setLabel("bottom", "E neuron")
        self.detail.setLabel("left", "weight")
        _legend(self.detail, 10)
        self.incoming = self.detail.plot(stepMode="center", fillLevel=0,
                                         brush=pg.mkBrush(E_COLOR + "90"),
                                         pen=pg.mkPen(E_COLOR), name="incoming")
        self.outgoing = self.detail.plot(stepMode="center", fillLevel=0,
                                         brush=pg.mkBrush("#f2994a90"),
                                         pen=pg.mkPen("#f2994a"), name="outgoing")
        layout = self.ci.layout
        layout.setColumnStretchFactor(0, 1)
        layout.setColumnStretchFactor(1, 1)
        layout.setRowStretchFactor(0, 2)
        layout.setRowStretchFactor(1, 2)
        layout.setRowStretchFactor(2, 3)
        pen = pg.mkPen("#ffffffa0", width=1, style=Qt.PenStyle.DashLine)
        self.cross = (pg.InfiniteLine(angle=0, pen=pen), pg.InfiniteLine(angle=90, pen=pen))
        for line in self.cross:
            line.hide()
            self.plots["w_ee"].addItem(line, ignoreBounds=True)
        self.selected: tuple[str, int] = ("E", 0)
        self.weights: Weights | None = None
        self._levels_for: tuple | None = None
        self._ranges_for: tuple | None = None
        self.scene().sigMouseClicked.connect(self._clicked)
        self.plain_axes()

    def _clicked(self, event: Any) -> None:
        for key, image in self.images.items():
            if image.image is None or not image.sceneBoundingRect().contains(event.scenePos()):
                continue
            pos = image.mapFromScene(event.scenePos())
            if key == "w_ee":
                self.select_neuron("E", int(pos.y()))
            elif key == "w_ei":
                self.select_neuron("E", int(pos.x()))
            else:
                self.select_neuron("I", int(pos.y()))
            event.accept()
            return

    def select_neuron(self, population: str, index: int) -> None:
        """Show the incoming and outgoing weights of one neuron (``"E"`` or ``"I"``)."""
        self.selected = (population, int(index))
        self._show_selection()
        self.neuron_selected.emit(population, int(index))

    def _show_selection(self) -> None:
        w = self.weights
        if w is None:
            return
        population, i = self.selected
        if population == "E":
            i = min(max(i, 0), w.w_ee.shape[0] - 1)
            incoming, outgoing = w.w_ee[i, :], w.w_ee[:, i]
            title = f"E neuron {i}: its E\u2192E inputs (row) and outputs (column)"
            for line, pos in zip(self.cross, (i + 0.5, i + 0.5), strict=True):
                line.setValue(pos)
                line.show()
        else:
            i = min(max(i, 0), w.w_ie.shape[0] - 1)
            incoming, outgoing = w.w_ie[i, :], w.w_ei[:, i]
            title = f"I neuron {i}: inputs from E and outputs onto E"
            for line in self.cross:
                line.hide()
        self.selected = (population, i)
        x = np.arange(len(incoming) + 1)
        self.incoming.setData(x, incoming, stepMode="center", fillLevel=0)
        self.outgoing.setData(np.arange(len(outgoing) + 1), outgoing, stepMode="center",
                              fillLevel=0)
        self.detail.setTitle(title)

    def update_frame(self, frame: Frame) -> None:
        """Show the weights of ``frame`` unless this view shows that copy already."""
        w = frame.weights
        if w is self.weights:
            return
        p = frame.params
        key = (frame.epoch, p.lambda_ee, p.lambda_ei, p.lambda_ie, p.ne, p.ni)
        if key != self._levels_for:
            # Fixed levels per network: a few times the mean weight 1/in-degree, so the long
            # tail shows up bright and colours keep their meaning while the network learns.
            for name, lam in (("w_ee", p.lambda_ee), ("w_ei", p.lambda_ei),
                              ("w_ie", p.lambda_ie)):
                self.bars[name].setLevels((0.0, float(min(1.0, 4.0 / max(lam, 1.0)))))
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
        self.counts = self._time_plot(0, 0, "synapses")
        _legend(self.counts, -10)
        self.fraction = self._time_plot(1, 0, "E\u2192E fraction (%)")
        self.fraction.setLabel("bottom", "step")
        # Steady explicit ranges (no auto-range, no x-link, one step axis): moving axes
        # every frame was most of the cost of painting this view.
        self.counts.hideAxis("bottom")
        for plot in (self.counts, self.fraction):
            plot.enableAutoRange(False)
        self._x = SteadyRange(pad_low=0.0, pad_high=0.25)
        self._y_counts = SteadyRange()
        self._y_fraction = SteadyRange()
        self.curve_ee = self.counts.plot(pen=pg.mkPen(E_COLOR, width=1), name="E\u2192E")
        self.curve_ei = self.counts.plot(pen=pg.mkPen(I_COLOR, width=1), name="I\u2192E")
        self.curve_frac = self.fraction.plot(pen=pg.mkPen(ACCENT, width=1))
        self.markers = ChangeMarkers([self.counts, self.fraction])
        self.plain_axes()

    def update_frame(self, frame: Frame) -> None:
        """Show the connection history of ``frame``."""
        h = frame.history
        x = h.step
        self.curve_ee.setData(x, h.n_ee, skipFiniteCheck=True)
        self.curve_ei.setData(x, h.n_ei, skipFiniteCheck=True)
        self.curve_frac.setData(x, h.frac_ee * 100.0, skipFiniteCheck=True)
        # While running the step axis keeps room ahead; a still picture fills the plot.
        self._hold((self.counts, self.fraction), "x", self._x, x[[0, -1]] if len(x) else x,
                   tight=not frame.running)
        self._hold((self.counts,), "y", self._y_counts,
                   np.concatenate([h.n_ee, h.n_ei]))
        self._hold((self.fraction,), "y", self._y_fraction, h.frac_ee * 100.0)
        self.markers.update(frame.changes, frame.epoch)


class ThresholdsView(_View):
    """T^E mean with its min/max band, T^I, and a few chosen neurons."""

    title = "Thresholds"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self._time_plot(0, 0, "threshold")
        self.plot.setLabel("bottom", "step")
        self.plot.enableAutoRange(False)
        self._x = SteadyRange(pad_low=0.0, pad_high=0.25)
        self._y = SteadyRange()
        legend = _legend(self.plot, 10)
        # Five entries in two columns along the bottom, where they hide the least.
        legend.setColumnCount(2)
        legend.setOffset((10, -5))
        self.low = pg.PlotDataItem(pen=pg.mkPen(E_COLOR + "60"))
        self.high = pg.PlotDataItem(pen=pg.mkPen(E_COLOR + "60"))
        # One filled polygon (max forwards, min backwards): pyqtgraph's FillBetweenItem
        # rebuilds its path per curve update in Python and cost more than the whole plot.
        self.band = QGraphicsPathItem()
        self.band.setBrush(pg.mkBrush(E_COLOR + "30"))
        self.band.setPen(pg.mkPen(None))
        self.plot.addItem(self.low)
        self.plot.addItem(self.high)
        self.plot.addItem(self.band)
        self.mean = self.plot.plot(pen=pg.mkPen(E_COLOR, width=1),
                                   name="T<sup>E</sup> mean, min\u2013max")
        self.t_i = self.plot.plot(pen=pg.mkPen(I_COLOR, width=1), name="T<sup>I</sup> mean")
        self.neurons: list[pg.PlotDataItem] = []
        self._neuron_ids: tuple[int, ...] = ()
        self.markers = ChangeMarkers([self.plot])
        self.plain_axes()

    def update_frame(self, frame: Frame) -> None:
        """Show the threshold history of ``frame``."""
        h = frame.history
        x = h.step
        self.low.setData(x, h.t_e_min, skipFiniteCheck=True)
        self.high.setData(x, h.t_e_max, skipFiniteCheck=True)
        if len(x):
            path = pg.arrayToQPath(np.concatenate([x, x[::-1]]),
                                   np.concatenate([h.t_e_max, h.t_e_min[::-1]]))
            path.closeSubpath()
            self.band.setPath(path)
        self.mean.setData(x, h.t_e_mean, skipFiniteCheck=True)
        self.t_i.setData(x, h.t_i_mean, skipFiniteCheck=True)
        if h.neurons != self._neuron_ids:
            for curve in self.neurons:
                self.plot.removeItem(curve)
            self.neurons = [self.plot.plot(pen=pg.mkPen(NEURON_COLORS[k % len(NEURON_COLORS)]),
                                           name=f"neuron {n}")
                            for k, n in enumerate(h.neurons)]
            self._neuron_ids = h.neurons
        traces = h.t_e_neurons
        for k, curve in enumerate(self.neurons):
            curve.setData(x, traces[:, k], skipFiniteCheck=True)
        self._hold((self.plot,), "x", self._x, x[[0, -1]] if len(x) else x,
                   tight=not frame.running)
        self._hold((self.plot,), "y", self._y, np.concatenate(
            [h.t_e_min, h.t_e_max, h.t_i_mean, traces.ravel()]))
        self.markers.update(frame.changes, frame.epoch)


class DistributionsView(_View):
    """The weight distribution on a log axis and the distribution of firing rates."""

    title = "Distributions"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weights = self.addPlot(row=0, col=0, title="Weights")
        self.weights.setLogMode(x=True, y=False)
        self.weights.setLabel("bottom", "weight (log axis)")
        # Fractions, not counts: 8 000 I->E synapses would flatten 2 000 E->E ones.
        self.weights.setLabel("left", "fraction of synapses")
        _legend(self.weights, 10)
        self.ee = self.weights.plot(stepMode="center", fillLevel=0, pen=pg.mkPen(E_COLOR),
                                    brush=pg.mkBrush(E_COLOR + "70"), name="E\u2192E")
        self.ei = self.weights.plot(stepMode="center", pen=pg.mkPen(I_COLOR, width=1.5),
                                    name="I\u2192E")
        self.lognormal = self.weights.plot(pen=pg.mkPen(MARKER_COLOR, width=2),
                                           name="lognormal fit")
        self.normal = self.weights.plot(
            pen=pg.mkPen(FOREGROUND, width=1.5, style=Qt.PenStyle.DashLine),
            name="normal fit")
        self.rates = self.addPlot(row=0, col=1, title="Firing rates")
        self.rates.setLabel("bottom", "spikes per step")
        self.rates.setLabel("left", "E neurons")
        self.rate_hist = self.rates.plot(stepMode="center", fillLevel=0, pen=pg.mkPen(ACCENT),
                                         brush=pg.mkBrush(ACCENT + "70"))
        self.target = self.rates.plot(pen=pg.mkPen(MARKER_COLOR, style=Qt.PenStyle.DotLine))
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

