"""The live views fed directly with frames, and in the window: ranges, axes, legends, selection."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import WAIT_MS
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QFontMetrics, QWheelEvent

from sorn_studio import load_preset
from sorn_studio.app.analysis_views import ReadoutView
from sorn_studio.app.axes import StepAxis, step_label
from sorn_studio.app.plots import (
    LEFT_AXIS_WIDTH,
    MIN_WINDOW,
    ChangeMarkers,
    ConnectionsView,
    RasterView,
    ThresholdsView,
    WeightsView,
    change_text,
)
from sorn_studio.engine import ParamChange
from sorn_studio.studio.defaults import make_simulation, tracked_neurons
from sorn_studio.studio.frames import Frame, build_frame, take_weights
from sorn_studio.studio.history import History


def run_frame(steps: int, epoch: int = 1, speed_limit: float | None = None,
              raster_steps: int = 3000, ne: int = 40, ni: int = 8) -> Frame:
    """A frame of a small zheng2013 network after ``steps`` steps."""
    params = load_preset("zheng2013", ne=ne, ni=ni, lambda_ee=8, lambda_ei=4, lambda_ie=40)
    sim = make_simulation(params, seed=3, window=max(raster_steps, 100))
    history = History(64, len(tracked_neurons(params.ne)))
    if steps:
        history.take(sim, sim.run(steps))
    return build_frame(sim, history, index=1, epoch=epoch, playing=False, pending_steps=0,
                       sim_rate=0.0, speed_limit=speed_limit, raster_steps=raster_steps,
                       raster_columns=1000, weights=take_weights(sim), analysis=None)


def shifted(frame: Frame, offset: int) -> Frame:
    """``frame`` as if its run had started ``offset`` steps earlier (a long opened session)."""
    h = dataclasses.replace(frame.history, step=frame.history.step + offset)
    return dataclasses.replace(frame, history=h, step=frame.step + offset)


def shown(qtbot, view, width: int = 600, height: int = 400):
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view


def axis_labels(axis) -> list[tuple[float, str]]:
    """The (pixel x, text) of the major ticks of a bottom axis, the ones a step axis labels."""
    low, high = axis.range
    size = axis.geometry().width()
    spacing, values = axis.tickValues(low, high, size)[0]
    strings = axis.tickStrings(values, axis.scale, spacing)
    return [((v - low) / (high - low) * size, s) for v, s in zip(values, strings, strict=True)]


# -- step axis ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "spacing", "text"), [
    (1_863_500, 500, "1.8635\u2009M"), (6_032_000, 2000, "6.032\u2009M"),
    (12_000, 1000, "12\u2009000"), (0, 1000, "0"), (2.5e9, 1e8, "2.5\u2009G"),
    (999_999, 1, "999\u2009999"),
])
def test_step_labels_are_readable(value, spacing, text):
    assert step_label(value, spacing) == text


def test_step_axis_at_six_million_steps_has_no_scientific_labels_and_no_overlap(qtbot):
    view = shown(qtbot, ConnectionsView(), width=300)
    frame = shifted(run_frame(500), 6_032_000)
    view.update_frame(frame)
    qtbot.wait(50)
    axis = view.fraction.getAxis("bottom")
    assert isinstance(axis, StepAxis)
    labels = axis_labels(axis)
    assert len(labels) >= 2
    metrics = QFontMetrics(axis.font())
    for _x, text in labels:
        assert "e+" not in text and "e-" not in text, text
    for (x0, t0), (x1, t1) in zip(labels, labels[1:], strict=False):
        # Centred labels: half of each width on either side, never touching.
        assert x1 - x0 > (metrics.horizontalAdvance(t0) + metrics.horizontalAdvance(t1)) / 2


def test_every_step_axis_is_a_step_axis(qtbot):
    views = [RasterView(), ConnectionsView(), ThresholdsView(), ReadoutView()]
    plots = [views[0].plot_rate, views[1].fraction, views[2].plot, views[3].plot]
    for view, plot in zip(views, plots, strict=True):
        qtbot.addWidget(view)
        assert isinstance(plot.getAxis("bottom"), StepAxis)
        assert plot.getAxis("bottom").labelText == "step"


# -- stacked plots -----------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [RasterView, ConnectionsView])
def test_stacked_plots_line_up_and_stay_linked(qtbot, cls):
    view = shown(qtbot, cls())
    frame = run_frame(400)
    view.update_frame(frame)
    qtbot.wait(50)
    plots = view.plots
    assert {p.getAxis("left").width() for p in plots} == {LEFT_AXIS_WIDTH}
    lefts = {round(p.vb.sceneBoundingRect().left()) for p in plots}
    rights = {round(p.vb.sceneBoundingRect().right()) for p in plots}
    assert len(lefts) == 1 and len(rights) == 1, (lefts, rights)
    ranges = {tuple(p.vb.viewRange()[0]) for p in plots}
    assert len(ranges) == 1
    # Nothing offers to unlink them: no view-box menu, no mouse panning.
    for p in plots:
        assert not p.vb.menuEnabled() and p.vb.state["mouseEnabled"] == [False, False]
    # Even if one were moved away (what the menu used to allow), the next frame realigns it.
    plots[0].setXRange(0, 5, padding=0)
    later = run_frame(450)
    view.update_frame(later)
    assert len({tuple(p.vb.viewRange()[0]) for p in plots}) == 1
    assert plots[0].vb.viewRange()[0][1] > 100


# -- new runs ----------------------------------------------------------------------------------

def test_history_views_forget_the_old_run(qtbot):
    old = shifted(run_frame(600, epoch=1), 2_000_000)
    new = run_frame(0, epoch=2)
    for view in (shown(qtbot, ConnectionsView()), shown(qtbot, ThresholdsView())):
        view.update_frame(old)
        view.update_frame(new)
        plots = view.plots if isinstance(view, ConnectionsView) else (view.plot,)
        for plot in plots:
            low, high = plot.vb.viewRange()[0]
            assert low >= 0 and high <= 1_000, (type(view).__name__, low, high)
    thresholds = view
    assert thresholds.band.path().isEmpty()


def test_readout_forgets_the_old_runs_range(qtbot):
    view = shown(qtbot, ReadoutView())
    view.plot.setXRange(5_000_000, 6_000_000, padding=0)
    view.update_frame(run_frame(50, epoch=7))
    low, high = view.plot.vb.viewRange()[0]
    assert low >= 0 and high <= 1_000


def test_window_views_cleared_after_reset(qtbot, window):
    window.controller.step(1500)
    qtbot.waitUntil(lambda: window.controller.last_frame.step >= 1500
                    and not window.controller.last_frame.running, timeout=WAIT_MS)
    old_epoch = window.controller.last_frame.epoch
    window.controller.reset()
    qtbot.waitUntil(lambda: window.controller.last_frame.epoch != old_epoch, timeout=WAIT_MS)
    frame = window.controller.last_frame
    window.show_frame(frame)  # every visible view paints the new run's first frame
    assert frame.step == 0
    thresholds = window.views["thresholds"]
    assert thresholds.band.path().boundingRect().width() < 1
    for plot in (thresholds.plot, *window.views["connections"].plots):
        assert plot.vb.viewRange()[0][1] <= 1_000
    raster = window.views["raster"]
    assert raster.plot_e.vb.viewRange()[0][0] >= 0
    assert all(not m for m in (thresholds.markers.lines, raster.markers.lines))


# -- change markers ----------------------------------------------------------------------------

def test_change_markers_use_field_labels_and_are_easy_to_hover(qtbot):
    change = ParamChange(1234, "eta_stdp", 0.004, 0.01)
    assert change_text(change) == "eta STDP: 0.004 -> 0.01 at step 1 234"
    assert change_text(ParamChange(5, "stdp", True, False)) == "STDP: on -> off at step 5"
    words = change_text(ParamChange(9, "words", "AB", "ABCD,EFGH"))
    assert words == "Words: AB -> ABCD,EFGH at step 9"  # the value's comma is kept
    view = shown(qtbot, ThresholdsView())
    view.update_frame(dataclasses.replace(run_frame(2000), changes=(change,)))
    qtbot.wait(50)
    (line,) = view.markers.lines[0]
    assert "eta STDP" in line.toolTip() and "eta_stdp" not in line.toolTip()
    width = line.mapRectToScene(line.boundingRect()).width()
    assert width >= 8, width


def test_markers_clear_on_a_new_epoch(qtbot):
    view = shown(qtbot, ThresholdsView())
    markers = ChangeMarkers([view.plot])
    markers.update((ParamChange(10, "eta_ip", 0.01, 0.02),), epoch=1)
    assert len(markers.lines) == 1
    markers.update((), epoch=2)
    assert markers.lines == [] and markers.texts == []


# -- weights: selection, hover, levels ---------------------------------------------------------

def click_image(qtbot, view: WeightsView, key: str, x: float, y: float) -> None:
    scene = view.images[key].mapToScene(QPointF(x, y))
    pos = view.mapFromScene(scene)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))


def test_crosshair_on_every_matrix(qtbot):
    view = shown(qtbot, WeightsView(), 800, 700)
    view.update_frame(run_frame(100))
    qtbot.wait(50)
    click_image(qtbot, view, "w_ei", 12.5, 2.5)  # x = post E 12
    assert view.selected == ("E", 12)
    for key in ("w_ee", "w_ei", "w_ie"):
        vertical = view.cross[key][1]
        assert vertical.isVisible() and vertical.value() == 12.5, key
    assert view.cross["w_ee"][0].isVisible() and view.cross["w_ee"][0].value() == 12.5
    click_image(qtbot, view, "w_ie", 20.5, 3.5)  # y = post I 3
    assert view.selected == ("I", 3)
    for key in ("w_ei", "w_ie"):
        horizontal = view.cross[key][0]
        assert horizontal.isVisible() and horizontal.value() == 3.5, key
    assert not any(line.isVisible() for line in view.cross["w_ee"])


def test_hovering_a_heatmap_shows_row_column_and_weight(qtbot):
    view = shown(qtbot, WeightsView(), 800, 700)
    frame = run_frame(100)
    view.update_frame(frame)
    qtbot.wait(50)
    w = frame.weights.w_ei
    post, pre = np.argwhere(w > 0)[0]
    # W^EI lies wide: x = post E, y = pre I.
    view.scene().sigMouseMoved.emit(view.images["w_ei"].mapToScene(QPointF(post + .5,
                                                                            pre + .5)))
    text = view.hover.text
    assert f"post E {post}" in text and f"pre I {pre}" in text
    assert f"{float(w[post, pre]):.4g}" in text
    post, pre = np.argwhere(frame.weights.w_ee == 0)[1]
    assert "no synapse" in view.show_value("w_ee", int(pre), int(post))


def test_colour_levels_per_matrix_fixed_and_settable(qtbot):
    view = shown(qtbot, WeightsView(), 800, 700)
    frame = run_frame(100)
    view.update_frame(frame)
    levels = dict(view.levels)
    assert len(set(levels.values())) > 1  # one scale per matrix
    for key, (_low, high) in levels.items():
        values = getattr(frame.weights, key)
        # The bright end is not saturated by most of the weights.
        assert np.percentile(values[values > 0], 99) <= high, key
    view.update_frame(run_frame(150))
    assert view.levels == levels  # fixed while the network learns
    view.set_levels("w_ei", 0.0, 0.7)
    view.update_frame(run_frame(120))
    assert view.levels["w_ei"] == (0.0, 0.7)
    assert tuple(view.bars["w_ei"].levels()) == pytest.approx((0.0, 0.7))


def test_chosen_neuron_shows_in_raster_and_thresholds(qtbot, window):
    weights, raster = window.views["weights"], window.views["raster"]
    thresholds = window.views["thresholds"]
    weights.select_neuron("E", 7)
    line = raster.selection[0]
    xs, ys = line.getData()
    assert ys is not None and list(ys) == [7.5, 7.5]
    assert "E 7 (since chosen)" in thresholds.legend.names()
    window.controller.step(30)
    qtbot.waitUntil(lambda: window.controller.last_frame.step >= 30
                    and not window.controller.last_frame.running, timeout=WAIT_MS)
    window.show_frame(window.controller.last_frame)
    xs, ys = thresholds.chosen.getData()
    frame = window.controller.last_frame
    assert xs is not None and xs[-1] == frame.step and ys[-1] == pytest.approx(frame.t_e[7])
    traced = tracked_neurons(frame.params.ne)[1]
    weights.select_neuron("E", traced)
    k = thresholds._neuron_ids.index(traced)
    assert thresholds.neurons[k].opts["pen"].width() == 3


# -- legends -----------------------------------------------------------------------------------

def test_legends_sit_outside_the_data_and_fit_a_narrow_view(qtbot):
    view = shown(qtbot, ThresholdsView(), width=240, height=300)
    view.update_frame(run_frame(200, ne=200))
    qtbot.wait(50)
    assert "neuron 100" in view.legend.names()
    legend = view.legend.sceneBoundingRect()
    data = view.plot.vb.sceneBoundingRect()
    assert legend.bottom() <= data.top() + 1
    assert view.legend.item.boundingRect().width() <= view.width()


# -- raster window -----------------------------------------------------------------------------

def wheel(view: RasterView, notches: int) -> None:
    pos = QPointF(view.width() / 2, view.height() / 2)
    event = QWheelEvent(pos, view.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    view.wheelEvent(event)


def x_span(view: RasterView) -> float:
    low, high = view.plot_e.vb.viewRange()[0]
    return high - low


def test_raster_window_zooms_with_wheel_and_field(qtbot):
    view = shown(qtbot, RasterView(), 700, 400)
    frame = run_frame(2500)
    view.update_frame(frame)
    assert x_span(view) == pytest.approx(3000)
    wheel(view, 3)
    assert view.manual_window is not None and view.manual_window < 3000
    assert x_span(view) == pytest.approx(view.manual_window)
    view.window_spin.setValue(40)
    assert view.window == 40 and x_span(view) == pytest.approx(40)
    # Forty steps: one image column per step, each spike a block many pixels wide.
    image = view.image_e
    assert image.image.shape[0] >= 40
    step_px = view.plot_e.vb.width() / 40
    assert step_px >= 10
    # The newest step is marked.
    xs, _ = view.now_lines[0].getData()
    assert xs[0] == pytest.approx(frame.step + 0.5)
    low, high = view.plot_e.vb.viewRange()[0]
    assert low <= xs[0] <= high
    wheel(view, -50)
    assert view.window == 3000
    view.window_spin.setValue(view.window_spin.minimum())  # "auto"
    assert view.manual_window is None and view.window_spin.text() == "window: auto"
    assert view.window >= MIN_WINDOW


def test_raster_window_follows_the_speed(qtbot):
    view = shown(qtbot, RasterView(), 700, 400)
    view.update_frame(run_frame(600, speed_limit=3.0))
    assert view.window == 30 and x_span(view) == pytest.approx(30)
    view.update_frame(run_frame(600, speed_limit=None))
    assert view.window == 3000
