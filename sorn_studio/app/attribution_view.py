"""The Attribution view: which rule did the work, over the run and between two checkpoints.

Left, three stacked-area plots over the run, one per quantity (W^EE, T^E, W^EI): for each
rule, the signed sum of what it changed per step (:mod:`sorn_studio.studio.attribution`),
parts that add stacked above zero and parts that remove stacked below it, so the height of
the coloured band is what that rule moved. Right, a heatmap of delta W^EE between two
checkpoints of the current branch (or a checkpoint and now), one pixel per synapse.

Measuring costs some speed, so it starts only when "Measure" is ticked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from ..studio.attribution import GROUPS, PART_LABELS, AttributionPoints
from ..studio.frames import Frame
from ..studio.texts import step_text
from . import theme
from .plots import ChangeMarkers, WholeRunSteps, _View
from .theme import (
    ACCENT,
    E_COLOR,
    FOREGROUND,
    GREY,
    I_COLOR,
    MARKER_COLOR,
    NEURON_COLORS,
    NOW_COLOR,
    OUT_COLOR,
    PINK,
)

__all__ = ["AttributionView", "PART_COLORS", "stacked_bands"]

#: Colour of each part's band (the same rule has the same hue in every group).
PART_COLORS: dict[str, str] = {
    "ee_stdp_ltp": E_COLOR, "ee_stdp_ltd": I_COLOR, "ee_cap": OUT_COLOR,
    "ee_prune": NEURON_COLORS[1], "ee_growth": NOW_COLOR, "ee_sn": MARKER_COLOR,
    "te_ip": ACCENT, "te_clip": GREY,
    "ei_istdp": PINK, "ei_clamp": OUT_COLOR, "ei_sn": MARKER_COLOR,
}
#: Legend names, short so that the legend takes few lines in a narrow dock.
SHORT_LABELS: dict[str, str] = {
    "ee_stdp_ltp": "STDP +", "ee_stdp_ltd": "STDP \u2212", "ee_cap": "cap",
    "ee_prune": "pruning", "ee_growth": "growth", "ee_sn": "SN", "te_ip": "IP",
    "te_clip": "T clip", "ei_istdp": "iSTDP", "ei_clamp": "iSTDP clamp", "ei_sn": "SN",
}
#: What the left axis of each group's plot counts (summed over synapses or neurons, per
#: step; short, because a rotated label sets the plot's least height).
_UNITS = {"W^EE": "\u0394W<sup>EE</sup>", "T^E": "\u0394T<sup>E</sup>",
          "W^EI": "\u0394W<sup>EI</sup>"}
#: The "to" choice that means the network now.
NOW = -1


def stacked_bands(rates: dict[str, np.ndarray], names: tuple[str, ...]
                  ) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """The bands of a diverging stacked-area chart of ``rates`` (parts in ``names`` order).

    Each part is split into what it added (stacked upward from 0) and what it removed
    (stacked downward), so no band hides another whatever the signs.

    Returns
    -------
    dict
        Per part ``(low_up, high_up, high_down, low_down)``: the upper band runs from
        ``low_up`` to ``high_up``, the lower one from ``high_down`` down to ``low_down``.
    """
    n = len(next(iter(rates.values()))) if rates else 0
    up, down = np.zeros(n), np.zeros(n)
    bands = {}
    for name in names:
        r = np.asarray(rates[name], float)
        new_up, new_down = up + np.maximum(r, 0.0), down + np.minimum(r, 0.0)
        bands[name] = (up, new_up, down, new_down)
        up, down = new_up, new_down
    return bands


class AttributionView(_View):
    """Stacked traces of what each rule did, and delta W^EE between two checkpoints.

    Signals
    -------
    measure_toggled(bool)
        "Measure" was ticked or unticked.
    weight_change_requested(int, int)
        Show delta W^EE from the checkpoint at the first step to the one at the second
        (:data:`NOW`: the network now).
    """

    title = "Attribution"
    measure_toggled = Signal(bool)
    weight_change_requested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build_controls()
        # Room for the controls above everything the scene draws.
        self.spacer = self.addLabel("", row=0, col=0, colspan=2)
        self.spacer.setFixedHeight(self.header_height / self.zoom)
        entries: list[tuple[str, str, str]] = []
        for _group, names in GROUPS:
            for name in names:
                entry = (PART_COLORS[name], "\u25a0", SHORT_LABELS[name])
                if entry not in entries:    # both normalisations share one entry
                    entries.append(entry)
        # Across both columns: the wider it is, the fewer lines it takes in a small dock.
        self.legend = self._legend_row(1, 0, entries, colspan=2)
        self.legend.setToolTip("\n".join(f"{SHORT_LABELS[n]}: {PART_LABELS[n]}"
                                          for _group, names in GROUPS for n in names))
        self.plots: list[pg.PlotItem] = []
        self.curves: dict[str, tuple[pg.PlotDataItem, ...]] = {}
        for row, (group, names) in enumerate(GROUPS, start=2):
            plot = self._time_plot(row, 0, _UNITS[group])
            plot.getAxis("left").setToolTip(f"what each rule changed {group} by per step, "
                                            "summed over all synapses (neurons for T^E)")
            plot.enableAutoRange(False)
            plot.addLine(y=0, pen=theme.pen(FOREGROUND + "80", width=1))
            for name in names:
                brush = theme.brush(PART_COLORS[name] + "c0")
                lines = tuple(plot.plot(pen=theme.pen(None)) for _ in range(4))
                for low, high in ((lines[0], lines[1]), (lines[2], lines[3])):
                    plot.addItem(pg.FillBetweenItem(low, high, brush=brush))
                self.curves[name] = lines
            self.plots.append(plot)
        for plot in self.plots[:-1]:
            plot.hideAxis("bottom")
        self.plots[-1].setLabel("bottom", "step")
        self.markers = ChangeMarkers(self.plots)
        self.steps = WholeRunSteps(tuple(self.plots), self.markers)
        self.hint = pg.TextItem("Tick \u201cMeasure\u201d to see what each rule does (it "
                                "costs about a tenth of the speed)",
                                color=theme.color_name(FOREGROUND), anchor=(0.5, 0.5))
        self.plots[0].addItem(self.hint, ignoreBounds=True)
        self.heat_plot = self.addPlot(row=2, col=1, rowspan=3)
        self.heat_plot.setTitle("\u0394W<sup>EE</sup>", size="9pt")
        self.heat_plot.setToolTip("W^EE at the second checkpoint minus W^EE at the first, one "
                                  "pixel per synapse (rows post, columns pre)")
        self.heat_plot.setLabel("bottom", "pre E")
        self.heat_plot.setLabel("left", "post E")
        self.heat_plot.invertY(True)
        self.heat_plot.hideButtons()
        self.heat = pg.ImageItem()
        self.heat_plot.addItem(self.heat)
        self.heat_bar = pg.ColorBarItem(values=(-0.1, 0.1), colorMap="CET-D1", width=10,
                                        interactive=False)
        self.heat_bar.setImageItem(self.heat, insert_in=self.heat_plot)
        layout = self.ci.layout
        layout.setColumnStretchFactor(0, 3)
        layout.setColumnStretchFactor(1, 2)
        # Small preferred widths in the ratio of the stretch, so that the stretch decides: a
        # long heatmap title would otherwise take the traces' width.
        for plot in self.plots:
            plot.setPreferredWidth(150)
        self.heat_plot.setPreferredWidth(100)
        self.points: AttributionPoints | None = None
        self.checkpoints: tuple[int, ...] = ()
        self.change: np.ndarray | None = None
        #: What the heatmap shows, as its title says it ("" before the first).
        self.heat_note = ""
        self.plain_axes()

    # -- controls --------------------------------------------------------------------------------
    def _build_controls(self) -> None:
        # Child widgets over the plots, not items of the scene: they stay out of exports.
        self.controls = QWidget(self)
        row = QHBoxLayout(self.controls)
        row.setContentsMargins(0, 0, 0, 0)
        self.measure = QCheckBox("Measure")
        self.measure.setObjectName("attributionMeasure")
        self.measure.setToolTip("Measure, as the network runs, what each rule changes (about "
                                "a tenth of the speed); the traces start now")
        self.measure.toggled.connect(self.measure_toggled)
        self.start_combo = QComboBox()
        self.start_combo.setObjectName("attributionFrom")
        self.end_combo = QComboBox()
        self.end_combo.setObjectName("attributionTo")
        for combo, tip in ((self.start_combo, "The checkpoint delta W^EE starts from"),
                           (self.end_combo, "The checkpoint (or now) delta W^EE ends at")):
            combo.setToolTip(tip)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.activated.connect(self._ask_change)
        row.addWidget(self.measure)
        row.addStretch(1)
        row.addWidget(QLabel("\u0394W from"))
        row.addWidget(self.start_combo)
        row.addWidget(QLabel("to"))
        row.addWidget(self.end_combo)
        self.controls.adjustSize()
        self.header_height = self.controls.sizeHint().height()

    def set_look(self, old: theme.Look, new: theme.Look) -> None:
        """Carry the view to look ``new``; the controls keep their room at the new size."""
        super().set_look(old, new)
        self.controls.adjustSize()
        self.header_height = self.controls.sizeHint().height()
        self.spacer.setFixedHeight(self.header_height / self.zoom)
        self.resizeEvent(None)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Keep the controls along the top edge."""
        super().resizeEvent(event)
        controls = getattr(self, "controls", None)  # pyqtgraph resizes before __init__ ends
        if controls is not None:
            controls.setGeometry(6, 2, max(self.width() - 12, 100), self.header_height)

    def _fill_combos(self, checkpoints: tuple[int, ...]) -> None:
        """Offer the current branch's checkpoints (and "now" as an end)."""
        if checkpoints == self.checkpoints:
            return
        self.checkpoints = checkpoints
        start, end = self.start_combo.currentData(), self.end_combo.currentData()
        for combo, extra in ((self.start_combo, ()), (self.end_combo, (NOW,))):
            combo.blockSignals(True)
            combo.clear()
            for step in (*checkpoints, *extra):
                combo.addItem("now" if step == NOW else f"step {step_text(step)}", step)
            combo.blockSignals(False)
        if start not in checkpoints:
            start = checkpoints[-2] if len(checkpoints) > 1 else checkpoints[0]
        self.start_combo.setCurrentIndex(max(self.start_combo.findData(start), 0))
        self.end_combo.setCurrentIndex(max(self.end_combo.findData(
            end if end in (*checkpoints, NOW) else NOW), 0))

    def _ask_change(self, *_: Any) -> None:
        start, end = self.start_combo.currentData(), self.end_combo.currentData()
        if start is not None and end is not None:
            self.weight_change_requested.emit(int(start), int(end))

    def choose_interval(self, start: int, end: int) -> None:
        """Pick the checkpoints delta W^EE is shown between (as choosing them does)."""
        self.start_combo.setCurrentIndex(self.start_combo.findData(start))
        self.end_combo.setCurrentIndex(self.end_combo.findData(end))
        self._ask_change()

    def show_weight_change(self, start: int, end: int, change: np.ndarray) -> None:
        """Show ``change`` = W^EE(end) - W^EE(start) as the heatmap.

        The colour levels are symmetric and end at the 99th percentile of the synapses that
        changed, so that a few large changes (a synapse pruned or grown strong) do not wash
        the others out; the note gives the largest change.
        """
        self.change = change
        moved = np.abs(change[change != 0])
        peak = float(moved.max()) if moved.size else 0.0
        level = float(np.percentile(moved, 99)) if moved.size else 0.0
        level = level if level > 0 else max(peak, 1e-6)
        self.heat.setImage(change.T, autoLevels=False)
        self.heat_bar.setLevels((-level, level))
        grew, shrank = int((change > 0).sum()), int((change < 0).sum())
        to = "now" if end == NOW else step_text(end)
        self.heat_note = (f"\u0394W<sup>EE</sup> {step_text(start)} \u2192 {to}: {grew} grew, "
                          f"{shrank} shrank")
        # The steps are in the choices above it; how many synapses grew and shrank is in the
        # tooltip, as a small dock leaves the title no room for it.
        self.heat_plot.setToolTip(f"W^EE at {'now' if end == NOW else 'step ' + step_text(end)} "
                                  f"minus W^EE at step {step_text(start)}: {grew} synapses grew "
                                  f"and {shrank} shrank, the largest change {peak:.3g}; the "
                                  f"colours end at \u00b1{level:.3g}, the 99th percentile of "
                                  "the changes")

    # -- frames ----------------------------------------------------------------------------------
    def needs_paint(self, frame: Frame) -> bool:
        """Repaint when the traces or the checkpoints changed."""
        timeline = frame.timeline
        return (frame.attribution is not self.points
                or (timeline is not None and timeline.checkpoints != self.checkpoints))

    def update_frame(self, frame: Frame) -> None:
        """Show the attribution traces of ``frame`` and offer its checkpoints."""
        if self._new_epoch(frame):
            self.steps.reset()
        if frame.timeline is not None and frame.timeline.checkpoints:
            first = not self.checkpoints
            self._fill_combos(frame.timeline.checkpoints)
            if first and len(self.checkpoints) > 1:
                self._ask_change()
        self.measure.blockSignals(True)
        self.measure.setChecked(frame.attribution is not None)
        self.measure.blockSignals(False)
        self.points = frame.attribution
        self.hint.setVisible(frame.attribution is None)
        points = frame.attribution
        x = (points.step.astype(float) if points is not None else np.zeros(0))
        for k, (_group, names) in enumerate(GROUPS):
            if points is None:
                for name in names:
                    for line in self.curves[name]:
                        line.setData([], [])
                continue
            bands = stacked_bands(points.rates, names)
            for name in names:
                for line, y in zip(self.curves[name], bands[name], strict=True):
                    line.setData(x, y, skipFiniteCheck=True)
            high = max(float(b[1].max(initial=0.0)) for b in bands.values())
            low = min(float(b[3].min(initial=0.0)) for b in bands.values())
            span = max(high - low, 1e-12)
            self.plots[k].setYRange(low - 0.05 * span, high + 0.05 * span, padding=0)
        self.steps.show(x, frame.step, 0, frame.running)
        if points is None:
            (x0, x1), (y0, y1) = self.plots[0].viewRange()
            self.hint.setPos((x0 + x1) / 2, (y0 + y1) / 2)
        self.steps.show_checkpoints(frame.timeline)
        self.markers.update(frame.changes, frame.epoch)
