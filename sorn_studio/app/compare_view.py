"""The Compare window's plots: small multiples of every network and the differences.

One column per network (the baseline, then the variants): its raster, its E->E connection
fraction and its thresholds over the whole run, with the moment the comparison began marked.
Beneath, across all columns, the difference traces of every variant against the baseline:
Hamming distance of x, E rate, connection fraction and mean |delta w|. The worker builds
everything (:mod:`sorn_studio.studio.comparison`); this only hands arrays to pyqtgraph.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QWidget

from ..studio.comparison import CompareFrame
from . import theme
from .axes import StepAxis
from .plots import RASTER_CONTRAST, _step_extent, _View
from .theme import ACCENT, E_COLOR, FOREGROUND, MARKER_COLOR, NEURON_COLORS

__all__ = ["CompareView", "VARIANT_COLORS", "DIFFERENCE_PLOTS"]

#: Colour of each variant's difference curves (the baseline is the reference, drawn in none).
VARIANT_COLORS = NEURON_COLORS[:4]
#: The difference plots beneath the columns: trace name -> axis label.
DIFFERENCE_PLOTS = {
    "hamming": "Hamming distance of x",
    "rate_diff": "\u0394 E rate",
    "fraction_diff": "\u0394 E\u2192E fraction",
    "mean_abs_dw": "mean |\u0394w|",
}


class CompareView(_View):
    """Small multiples of the networks of a comparison, and their differences.

    Call :meth:`arrange` with the networks' names before the first frame of a comparison.
    """

    title = "Compare"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.titles: list[pg.LabelItem] = []
        self.rasters: list[pg.ImageItem] = []
        self.fractions: list[pg.PlotDataItem] = []
        self.thresholds: list[tuple[pg.PlotDataItem, pg.PlotDataItem, pg.PlotDataItem]] = []
        self.difference_curves: dict[str, list[pg.PlotDataItem]] = {}
        self.start_lines: list[pg.InfiniteLine] = []
        self.plots: dict[str, list[pg.PlotItem]] = {}
        self._turn = False

    def arrange(self, names: list[str]) -> None:
        """Lay out one column per network (``names``: the baseline first)."""
        self.clear()
        self.names = list(names)
        self.titles, self.rasters, self.fractions, self.thresholds = [], [], [], []
        self.start_lines = []
        self.plots = {"raster": [], "fraction": [], "thresholds": [], "difference": []}
        columns = len(names)
        for col, name in enumerate(names):
            title = pg.LabelItem(name, color=theme.color_name(
                FOREGROUND if col == 0 else VARIANT_COLORS[(col - 1) % len(VARIANT_COLORS)]))
            self.addItem(title, row=0, col=col)
            self.titles.append(title)
            raster = self._time_plot(1, col, "E neuron" if col == 0 else "")
            image = pg.ImageItem(lut=theme.lut(E_COLOR), levels=(0, 255))
            raster.addItem(image)
            self.rasters.append(image)
            fraction = self._time_plot(2, col, "E\u2192E fraction (%)" if col == 0 else "")
            self.fractions.append(fraction.plot(pen=theme.pen(ACCENT, width=1.5)))
            te = self._time_plot(3, col, "T\u1d31" if col == 0 else "")
            # The envelope as two faint lines: a filled band costs a third of a frame.
            low = te.plot(pen=theme.pen(E_COLOR + "70"))
            high = te.plot(pen=theme.pen(E_COLOR + "70"))
            mean = te.plot(pen=theme.pen(E_COLOR, width=1.5))
            self.thresholds.append((mean, low, high))
            for key, plot in (("raster", raster), ("fraction", fraction), ("thresholds", te)):
                self.plots[key].append(plot)
            for plot in (fraction, te):
                line = pg.InfiniteLine(angle=90, pen=theme.pen(MARKER_COLOR,
                                                              style=Qt.PenStyle.DashLine))
                plot.addItem(line, ignoreBounds=True)
                self.start_lines.append(line)
        # Each column's plots share its step axis; each row's value axis is set to hold every
        # network (see _show_traces), so the columns compare at a glance.
        for col in range(columns):
            self.plots["thresholds"][col].setXLink(self.plots["fraction"][col])
        self.difference_curves = {name: [] for name in DIFFERENCE_PLOTS}
        row = self.addLayout(row=4, col=0, colspan=columns)
        for k, (name, label) in enumerate(DIFFERENCE_PLOTS.items()):
            plot = row.addPlot(row=0, col=k, axisItems={"bottom": StepAxis()})
            plot.setLabel("left", label)
            plot.setMouseEnabled(x=False, y=False)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.addItem(pg.InfiniteLine(angle=0, pen=theme.pen(FOREGROUND + "50")),
                         ignoreBounds=True)
            if k:
                plot.setXLink(self.plots["difference"][0])
            self.plots["difference"].append(plot)
            for v in range(columns - 1):
                color = VARIANT_COLORS[v % len(VARIANT_COLORS)]
                self.difference_curves[name].append(plot.plot(pen=theme.pen(color, width=1.5)))
        self.ci.layout.setRowStretchFactor(1, 3)
        self.ci.layout.setRowStretchFactor(2, 2)
        self.ci.layout.setRowStretchFactor(3, 2)
        self.ci.layout.setRowStretchFactor(4, 3)
        self.plain_axes()
        self.plain_axes(self.plots["difference"])

    def update_frame(self, frame: CompareFrame) -> None:  # type: ignore[override]
        """Show ``frame`` (of the networks :meth:`arrange` laid out).

        While the networks run, the rasters and the traces take turns, frame by frame (as
        the studio's views do), so one frame never paints everything; a paused comparison
        shows all of it.
        """
        if [n.name for n in frame.networks] != self.names:
            self.arrange([n.name for n in frame.networks])
        self._turn = not self._turn
        if not frame.running or self._turn:
            self._show_rasters(frame)
        if not frame.running or not self._turn:
            self._show_traces(frame)

    def _show_rasters(self, frame: CompareFrame) -> None:
        for col, network in enumerate(frame.networks):
            self.titles[col].setText(
                f"<b>{network.name}</b> \u2014 {network.changes}<br>"
                f"E\u2192E {network.conn_fraction * 100:.2f} % \u00b7 "
                f"rate {network.raster.mean_rate:.3f}")
            r = network.raster
            image = self.rasters[col]
            if r.stop > r.start:
                # As the studio's raster: scaled to the population's mean, so a network near
                # its target rate reads clearly.
                full = min(255.0, max(32.0, RASTER_CONTRAST * float(r.image_e.mean())))
                image.setImage(np.asarray(r.image_e), autoLevels=False)
                image.setLevels((0, full))
                image.setRect(QRectF(r.start, 0, r.stop - r.start, r.image_e.shape[1]))
                self.plots["raster"][col].setXRange(r.start, r.stop, padding=0)
                self.plots["raster"][col].setYRange(0, r.image_e.shape[1], padding=0)
            else:
                image.clear()

    def _show_traces(self, frame: CompareFrame) -> None:
        for col, network in enumerate(frame.networks):
            t = network.traces
            steps = np.asarray(t.step, dtype=float)
            # The step axes are set here, not auto-ranged: linked plots lose pyqtgraph's
            # auto range, and a fixed extent keeps the columns aligned.
            extent = _step_extent(steps, frame.step, t.start)
            self.plots["fraction"][col].setXRange(*extent, padding=0.02)
            self.fractions[col].setData(steps, np.asarray(t.frac_ee) * 100)
            mean, low, high = self.thresholds[col]
            mean.setData(steps, t.t_e_mean)
            low.setData(steps, t.t_e_min)
            high.setData(steps, t.t_e_max)
        for line in self.start_lines:
            line.setValue(frame.start_step)
        top = max((float(np.max(n.traces.frac_ee)) for n in frame.networks
                   if len(n.traces.frac_ee)), default=0.1)
        low = min((float(np.min(n.traces.t_e_min)) for n in frame.networks
                   if len(n.traces.t_e_min)), default=0.0)
        high = max((float(np.max(n.traces.t_e_max)) for n in frame.networks
                    if len(n.traces.t_e_max)), default=1.0)
        for col in range(len(frame.networks)):
            self.plots["fraction"][col].setYRange(0, top * 100, padding=0.05)
            self.plots["thresholds"][col].setYRange(low, max(high, low + 1e-3), padding=0.05)
        for k, difference in enumerate(frame.differences):
            steps = np.asarray(difference.steps, dtype=float)
            if k == 0 and len(steps):
                self.plots["difference"][0].setXRange(frame.start_step, steps[-1],
                                                      padding=0.02)
            for name, curves in self.difference_curves.items():
                curves[k].setData(steps, np.asarray(getattr(difference, name)))

