"""Views of the live analyses: ISIs, synapse lifetimes, avalanches and the counting readout.

They paint the :class:`~sorn_studio.studio.live_analysis.Analysis` the worker attaches to frames.
An analysis is rebuilt only a few times a second, so each view repaints only when a new one
arrives (:meth:`needs_paint`), however many frames pass in between.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from ..analysis.histograms import Histogram
from ..studio.frames import Frame
from ..studio.live_analysis import Analysis
from . import theme
from .plots import LINE, ChangeMarkers, _step_extent, _View
from .ranges import SteadyRange
from .theme import ACCENT, E_COLOR, I_COLOR, MARKER_COLOR

__all__ = [
    "ISIView", "LifetimesView", "AvalanchesView", "ReadoutView", "DecadeAxis", "bin_points",
]


def bin_points(hist: Histogram, log_x: bool) -> tuple[np.ndarray, np.ndarray]:
    """Bin centres and densities of the non-empty bins (empty ones have no place on log axes).

    Parameters
    ----------
    hist : Histogram
    log_x : bool
        Use the geometric centre of each bin (for a log x axis) instead of the arithmetic one.

    Returns
    -------
    x, y : numpy.ndarray
    """
    lo, hi = hist.edges[:-1], hist.edges[1:]
    # An integer bin [k - 1/2, k + 1/2) is shown at k; wider bins at their (geometric) centre.
    x = np.sqrt(np.maximum(lo, 0.5) * hi) if log_x else (lo + hi) / 2
    x = np.where(hi - lo <= 1.0, (lo + hi) / 2, x)
    keep = hist.density > 0
    return x[keep], hist.density[keep]


class DecadeAxis(pg.AxisItem):
    """A log axis labelled at decades, or at 1-2-5 steps when it spans fewer than two.

    pyqtgraph labels every minor tick (2..9) of a short log axis, and in a narrow dock those
    labels run into each other.
    """

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.setStyle(maxTextLevel=0)

    def logTickValues(self, minVal: float, maxVal: float, size: float,  # noqa: N802, N803
                      stdTicks: list) -> list:  # noqa: N803 - pyqtgraph's names
        """Labelled ticks (level 0) at decades or 1-2-5 steps, unlabelled minor ticks."""
        low, high = math.floor(minVal), math.ceil(maxVal)
        decades = [float(v) for v in range(low, high + 1) if minVal <= v <= maxVal]
        labelled = (1,) if len(decades) >= 2 else (1, 2, 5)
        major, minor = [], []
        for v in range(low, high + 1):
            for k in range(1, 10):
                x = v + math.log10(k)
                if minVal <= x <= maxVal:
                    (major if k in labelled else minor).append(x)
        return [(None, major), (None, minor)]


def _fmt_steps(value: float) -> str:
    return "\u2013" if not math.isfinite(value) else f"{value:,.0f}".replace(",", " ")


class _AnalysisView(_View):
    """A view fed by ``frame.analysis``; repaints only when a new analysis arrives."""

    def __init__(self, parent: QWidget | None = None, columns: int = 1) -> None:
        super().__init__(parent)
        self._shown: tuple[int, int] | None = None
        # One line of figures above the plots; plot titles stay short so narrow docks fit.
        self.summary = self.addLabel("", row=0, col=0, colspan=columns, size="9pt")

    @staticmethod
    def _key(frame: Frame) -> tuple[int, int] | None:
        a = frame.analysis
        return None if a is None else (frame.epoch, a.index)

    def needs_paint(self, frame: Frame) -> bool:
        """Whether ``frame`` carries an analysis this view has not shown yet."""
        return self._key(frame) != self._shown or self._shown is None

    def update_frame(self, frame: Frame) -> None:
        """Show the analysis of ``frame`` (an empty plot when it has none yet)."""
        self._shown = self._key(frame)
        self.show_analysis(frame.analysis, frame)

    def show_analysis(self, analysis: Analysis | None, frame: Frame) -> None:  # pragma: no cover
        """Paint ``analysis``; overridden."""
        raise NotImplementedError

    def _log_plot(self, col: int, x_label: str,
                  y_label: str = "probability density") -> pg.PlotItem:
        plot = self.addPlot(row=1, col=col, axisItems={"bottom": DecadeAxis("bottom"),
                                                       "left": DecadeAxis("left")})
        plot.setLogMode(x=True, y=True)
        plot.setLabel("bottom", x_label)
        plot.setLabel("left", y_label)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.15)
        return plot


def _points(plot: pg.PlotItem, color: str, name: str | None = None) -> pg.PlotDataItem:
    return plot.plot(pen=theme.pen(color, width=1), symbol="o", symbolSize=theme.size(5),
                     symbolBrush=theme.brush(color), symbolPen=None, name=name)


class ISIView(_AnalysisView):
    """Inter-spike intervals of the excitatory neurons, with the exponential fit and CV."""

    title = "Inter-spike intervals"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.addPlot(row=2, col=0)
        self.plot.setLogMode(x=False, y=True)
        self.plot.setLabel("bottom", "interval (steps)")
        self.plot.setLabel("left", "fraction of intervals")
        self.plot.hideButtons()
        self.hist = self.plot.plot(stepMode="center", pen=theme.pen(E_COLOR, width=1.5))
        self.fit = self.plot.plot(pen=theme.pen(MARKER_COLOR, width=1.5))
        self._legend_row(1, 0, [(E_COLOR, LINE, "E neurons"),
                                (MARKER_COLOR, LINE, "exponential fit (Poisson)")])
        self.plain_axes()

    def show_analysis(self, analysis: Analysis | None, frame: Frame) -> None:
        """Show the ISI panel of ``analysis``."""
        isi = analysis.isi if analysis is not None else None
        if isi is None or isi.histogram.n == 0:
            self.hist.setData([], [])
            self.fit.setData([], [])
            self.summary.setText("No inter-spike intervals yet: run the network")
            return
        h = isi.histogram
        # log10 of empty bins is -inf: a floor one decade below the smallest value keeps the
        # step outline drawable.
        positive = h.density[h.density > 0]
        floor = positive.min() / 10 if positive.size else 1e-6
        self.hist.setData(h.edges, np.maximum(h.density, floor), stepMode="center")
        k = (h.edges[:-1] + h.edges[1:]) / 2
        rate = isi.fit_rate
        self.fit.setData(k, rate * np.exp(-rate * k) if math.isfinite(rate) else k * np.nan)
        self.summary.setText(
            f"CV {isi.cv:.2f} (per neuron {isi.mean_cv_per_neuron:.2f}) \u00b7 "
            f"mean {isi.mean:.1f} steps \u00b7 steps {_fmt_steps(isi.first_step)}"
            f"\u2013{_fmt_steps(isi.last_step)}")
        self.summary.setToolTip(
            "Intervals between successive spikes of each excitatory neuron, pooled.\n"
            "CV = standard deviation / mean; 1 for a Poisson process, whose intervals follow\n"
            "the exponential fit (a straight line on this log axis).")


class LifetimesView(_AnalysisView):
    """Lifetimes of E->E synapses made by structural plasticity, on log-log axes."""

    title = "Synapse lifetimes"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self._log_plot(0, "lifetime (steps)")
        self.points = _points(self.plot, ACCENT)
        self.plain_axes()

    def show_analysis(self, analysis: Analysis | None, frame: Frame) -> None:
        """Show the lifetime panel of ``analysis``."""
        life = analysis.lifetimes if analysis is not None else None
        if life is None:
            self.points.setData([], [])
            self.summary.setText("Waiting for the network to run")
            return
        x, y = bin_points(life.histogram, log_x=True)
        self.points.setData(x, y)
        if life.n_created == 0 and not frame.params.sp:
            self.summary.setText("Structural plasticity (SP) is off: no synapse is created")
        else:
            self.summary.setText(
                f"{_fmt_steps(life.n_created)} made, {_fmt_steps(life.n_pruned)} pruned since "
                f"step {_fmt_steps(life.since_step)} \u00b7 median life "
                f"{_fmt_steps(life.median_lifetime)} steps")
        self.summary.setToolTip(
            "Lifetimes of E\u2192E synapses made by structural plasticity and pruned again by "
            "STDP,\nexact to the step (the engine reports every creation and pruning).\n"
            "Most new synapses die young; the few that grow strong live long (Zheng et al. "
            "2013).")


class AvalanchesView(_AnalysisView):
    """Avalanche size and duration distributions (Del Papa 2017), log-log."""

    title = "Avalanches"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, columns=2)
        self.sizes_plot = self._log_plot(0, "size (spikes)")
        self.durations_plot = self._log_plot(1, "duration (steps)", "")
        self.sizes = _points(self.sizes_plot, E_COLOR)
        self.durations = _points(self.durations_plot, I_COLOR)
        self.plain_axes()

    def show_analysis(self, analysis: Analysis | None, frame: Frame) -> None:
        """Show the avalanche panel of ``analysis``."""
        av = analysis.avalanches if analysis is not None else None
        if av is None:
            self.sizes.setData([], [])
            self.durations.setData([], [])
            self.summary.setText("No complete avalanche yet: run the network")
            return
        self.sizes.setData(*bin_points(av.sizes, log_x=True))
        self.durations.setData(*bin_points(av.durations, log_x=True))
        self.summary.setText(
            f"{_fmt_steps(av.sizes.n)} avalanches \u00b7 threshold {av.theta:g} spikes/step "
            f"\u00b7 steps {_fmt_steps(av.first_step)}\u2013{_fmt_steps(av.last_step)}")
        self.summary.setToolTip(
            "An avalanche is a run of steps in which the number of excitatory spikes exceeds\n"
            "the threshold round(<a>/2) (Del Papa et al. 2017); its duration is the run's\n"
            "length and its size the spikes above threshold summed over the run.\n"
            "Critical dynamics show straight lines (power laws) on these log-log axes.")


class ReadoutView(_AnalysisView):
    """Counting-task readout accuracy over the run (all symbols and word-final C/F)."""

    title = "Counting readout"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self._time_plot(2, 0, "accuracy")
        self.plot.setLabel("bottom", "step")
        self.plot.enableAutoRange(False)
        self.plot.setYRange(0.0, 1.02, padding=0)
        self._x = SteadyRange(pad_low=0.0, pad_high=0.25)
        self.all = self.plot.plot(pen=theme.pen(ACCENT, width=1.5))
        self.cf = self.plot.plot(pen=theme.pen(E_COLOR, width=2))
        self._legend_row(1, 0, [(ACCENT, LINE, "all symbols"),
                                (E_COLOR, LINE, "word-final C, F")])
        self.message = pg.TextItem(anchor=(0.5, 0.5), color=theme.color_name(MARKER_COLOR))
        self.plot.addItem(self.message, ignoreBounds=True)
        self.markers = ChangeMarkers([self.plot])
        self.plain_axes()

    def show_analysis(self, analysis: Analysis | None, frame: Frame) -> None:
        """Show the readout trace of ``analysis``."""
        readout = analysis.readout if analysis is not None else None
        if self._new_epoch(frame):
            self._x.reset()
        self.markers.update(frame.changes, frame.epoch)
        if readout is None or readout.steps.size == 0:
            self.all.setData([], [])
            self.cf.setData([], [])
            # No trace yet: the axis shows this run's steps so far, not the last run's.
            self._x.reset()
            self.plot.setXRange(0, max(frame.step, 1), padding=0)
            text = ("Choose the counting task as input to train a readout"
                    if readout is None else "Collecting steps for the first readout\u2026")
            self.message.setText(text)
            self.message.setPos(*self._centre())
            self.message.show()
            self.summary.setText("")
            return
        self.message.hide()
        self.all.setData(readout.steps, readout.accuracy)
        self._hold((self.plot,), "x", self._x, _step_extent(readout.steps, frame.step),
                   tight=not frame.running)
        self.cf.setData(readout.steps, readout.accuracy_cf, connect="finite")
        last_cf = readout.accuracy_cf[-1]
        self.summary.setText(f"Next-symbol accuracy {readout.accuracy[-1]:.2f} all, "
                             f"{last_cf:.2f} on C/F")
        self.summary.setToolTip(
            f"A ridge readout of the excitatory state x(t) is trained on "
            f"{_fmt_steps(readout.train_steps)} steps to predict the next input symbol\n"
            f"and tested on the following {_fmt_steps(readout.test_steps)} steps, again and "
            "again as the run goes on.\nC and F end a word: predicting them needs the network "
            "to count the repeated letters.\nUnlike `sorn-studio experiment counting`, the "
            "network is not frozen here.")

    def _centre(self) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.plot.viewRange()
        return (x0 + x1) / 2, (y0 + y1) / 2
