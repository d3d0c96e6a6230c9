"""The Sweep window's plots: small multiples that fill in as networks finish, and a heatmap.

:class:`SweepView` lays out one small plot of the E->E connection fraction and one of the E
rate per grid point (rows: the first parameter's values; columns: the second's), every seed
a curve, every plot on the same scales so that the grid compares at a glance.
:class:`HeatmapView` shows a final metric, averaged over seeds, over the grid. Both only hand
the records' numbers to pyqtgraph.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QWidget

from ..ensemble.summary import GridPoint
from ..studio.texts import duration_text
from . import theme
from .axes import StepAxis
from .plots import _View
from .theme import ACCENT, E_COLOR, FOREGROUND, GREY, MARKER_COLOR, NEURON_COLORS, OUT_COLOR, PINK

__all__ = ["HeatmapView", "SweepView", "axis_text", "status_text"]

#: The curve of each seed, in order (the session's own noise first).
SEED_COLORS = (ACCENT, OUT_COLOR, NEURON_COLORS[1], MARKER_COLOR, PINK, E_COLOR, GREY,
               NEURON_COLORS[0])
#: Text on the heatmap's colours, whatever the theme (viridis is dark at the bottom).
_DARK_TEXT, _LIGHT_TEXT = "#101010", "#f8f8f8"


def axis_text(name: str, value: Any) -> str:
    """``eta_stdp = 0.004``: a parameter and one of its values, as the grid's titles show it."""
    return f"{name} = {value:g}" if isinstance(value, float) else f"{name} = {value}"


class SweepView(_View):
    """Small multiples of a sweep: connection fraction and rate per grid point."""

    title = "Sweep"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.axes: list[str] = []
        self.seeds: list[int | None] = []
        self.fraction_plots: dict[tuple[Any, ...], pg.PlotItem] = {}
        self.rate_plots: dict[tuple[Any, ...], pg.PlotItem] = {}
        self.curves: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        #: Smallest and largest value drawn so far, of each quantity, and the last step.
        self.extent: dict[str, list[float]] = {}

    def arrange(self, axes: dict[str, Sequence[Any]], seeds: Sequence[int | None]) -> None:
        """Lay out the grid of ``axes`` (one or two parameters and their values)."""
        self.clear()
        self.axes = list(axes)
        self.seeds = list(seeds)
        self.curves.clear()
        self.fraction_plots.clear()
        self.rate_plots.clear()
        self.extent = {"fraction": [np.inf, -np.inf], "rate": [np.inf, -np.inf], "t": [1.0]}
        first = list(axes.values())[0] if axes else [None]
        second = list(axes.values())[1] if len(axes) > 1 else [None]
        names = list(axes)
        for col, b in enumerate(second):
            if len(names) > 1:
                self.addLabel(axis_text(names[1], b), row=0, col=col + 1,
                              color=theme.color_name(FOREGROUND))
        for row, a in enumerate(first):
            if names:
                self.addLabel(axis_text(names[0], a), row=1 + 2 * row, col=0, rowspan=2,
                              angle=-90, color=theme.color_name(FOREGROUND))
            for col, b in enumerate(second):
                point = (a, b)[:len(names)] if names else ()
                fraction = self._small_plot(1 + 2 * row, col + 1, "E\u2192E %" if col == 0
                                            else "")
                rate = self._small_plot(2 + 2 * row, col + 1, "rate" if col == 0 else "",
                                        bottom=row == len(first) - 1)
                rate.setXLink(fraction)
                self.fraction_plots[point] = fraction
                self.rate_plots[point] = rate
        self._legend_row(1 + 2 * len(first), 1, [
            (SEED_COLORS[k % len(SEED_COLORS)], "\u2014",
             "own noise" if seed is None else f"seed {seed}")
            for k, seed in enumerate(self.seeds)], colspan=len(second))
        self.plain_axes()

    def _small_plot(self, row: int, col: int, label: str, bottom: bool = False) -> pg.PlotItem:
        plot = self.addPlot(row=row, col=col, axisItems={"bottom": StepAxis()})
        plot.setMouseEnabled(x=False, y=False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        # One scale per quantity across the grid (set in add_record): differences between
        # points show as heights.
        plot.disableAutoRange()
        plot.showGrid(x=True, y=True, alpha=0.15)
        if label:
            plot.setLabel("left", label)
        plot.getAxis("bottom").setStyle(showValues=bottom)
        return plot

    def add_record(self, record: dict[str, Any]) -> None:
        """Draw a finished network's traces in its grid point (a failed one draws nothing)."""
        trace = record.get("trace")
        point = tuple(record.get(a) for a in self.axes)
        if not trace or point not in self.fraction_plots:
            return
        seed = record.get("seed")
        color = SEED_COLORS[self.seeds.index(seed) % len(SEED_COLORS)
                            if seed in self.seeds else 0]
        t = np.asarray(trace["t"], dtype=float)
        fraction = self.fraction_plots[point].plot(t, np.asarray(trace["connection_fraction"]),
                                                   pen=theme.pen(color, width=1.5))
        rate = self.rate_plots[point].plot(t, np.asarray(trace["rate_e"]),
                                           pen=theme.pen(color, width=1.5))
        old = self.curves.pop(record["key"], None)
        if old is not None:
            for curve, plot in zip(old, (self.fraction_plots[point], self.rate_plots[point]),
                                   strict=True):
                plot.removeItem(curve)
        self.curves[record["key"]] = (fraction, rate)
        for name, values in (("fraction", trace["connection_fraction"]),
                             ("rate", trace["rate_e"])):
            finite = [v for v in values if np.isfinite(v)]
            if finite:
                low, high = self.extent[name]
                self.extent[name] = [min(low, min(finite)), max(high, max(finite))]
        self.extent["t"] = [max(self.extent["t"][0], float(t[-1]) if t.size else 1.0)]
        self._show_extent()

    def _show_extent(self) -> None:
        end = self.extent["t"][0]
        for name, plots in (("fraction", self.fraction_plots), ("rate", self.rate_plots)):
            low, high = self.extent[name]
            if not low <= high:
                continue
            margin = (high - low) * 0.05 or abs(high) * 0.05 or 0.01
            for plot in plots.values():
                plot.setRange(xRange=(0, end), yRange=(low - margin, high + margin),
                              padding=0)


class HeatmapView(_View):
    """A final metric over a grid of one or two parameters, averaged over seeds."""

    title = "Sweep heatmap"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.addPlot(row=0, col=0)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.invertY(True)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap="viridis", width=12,
                                   interactive=False)
        self.bar.setImageItem(self.image, insert_in=self.plot)
        self.labels: list[pg.TextItem] = []
        self.matrix = np.zeros((0, 0))

    def show_metric(self, axes: dict[str, Sequence[Any]], points: Sequence[GridPoint],
                    metric: str, label: str) -> np.ndarray:
        """Show ``metric``'s mean over seeds at every grid point (NaN where none finished).

        Returns
        -------
        numpy.ndarray
            The matrix shown: rows the first parameter's values, columns the second's.
        """
        names = list(axes)
        first = list(axes[names[0]]) if names else [None]
        second = list(axes[names[1]]) if len(names) > 1 else [None]
        matrix = np.full((len(first), len(second)), np.nan)
        counts = np.zeros(matrix.shape, dtype=int)
        for point in points:
            pooled = point.mean(metric)
            if pooled is None:
                continue
            row = first.index(point.values[0]) if names else 0
            col = second.index(point.values[1]) if len(names) > 1 else 0
            matrix[row, col], counts[row, col] = pooled[0], pooled[2]
        self.matrix = matrix
        finite = matrix[np.isfinite(matrix)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if high <= low:
            high = low + (abs(low) * 0.01 or 1.0)
        # ImageItem's first index is x: columns (the second parameter) along x.
        self.image.setImage(np.nan_to_num(matrix, nan=low).T, levels=(low, high))
        self.image.setRect(QRectF(0, 0, len(second), len(first)))
        self.bar.setLevels((low, high))
        for item in self.labels:
            self.plot.removeItem(item)
        self.labels = []
        for row in range(len(first)):
            for col in range(len(second)):
                value = matrix[row, col]
                text = (f"{value:.4g}\n(n={counts[row, col]})" if np.isfinite(value)
                        else "\u2014")
                bright = np.isfinite(value) and (value - low) / (high - low) > 0.6
                item = pg.TextItem(text, color=_DARK_TEXT if bright else _LIGHT_TEXT,
                                   anchor=(0.5, 0.5))
                item.setPos(col + 0.5, row + 0.5)
                self.plot.addItem(item)
                self.labels.append(item)
        bottom, left = self.plot.getAxis("bottom"), self.plot.getAxis("left")
        bottom.setTicks([[(c + 0.5, f"{v:g}" if isinstance(v, float) else str(v))
                          for c, v in enumerate(second)]] if len(names) > 1 else [[]])
        left.setTicks([[(r + 0.5, f"{v:g}" if isinstance(v, float) else str(v))
                        for r, v in enumerate(first)]] if names else [[]])
        self.plot.setLabel("bottom", names[1] if len(names) > 1 else "")
        self.plot.setLabel("left", names[0] if names else "")
        self.plot.setTitle(label)
        self.plot.setRange(xRange=(0, len(second)), yRange=(0, len(first)), padding=0)
        return matrix


def status_text(done: int, failed: int, running: int, total: int,
                seconds_left: float | None) -> str:
    """``"3 of 8 done · 2 running · 0 failed · 00:40 left"``."""
    parts = [f"{done} of {total} done", f"{running} running", f"{failed} failed"]
    if seconds_left is not None and done + failed < total:
        parts.append(f"{duration_text(seconds_left)} left")
    return " \u00b7 ".join(parts)
