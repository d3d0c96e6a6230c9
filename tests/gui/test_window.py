"""The studio window, driven like a user would (pytest-qt, offscreen)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np
from helpers import WAIT_MS
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
)

from sorn_studio import Simulation, load_preset
from sorn_studio.app.window import TABBED_VIEWS, VIEW_DOCKS, MainWindow
from sorn_studio.app.worker import PAINT_BUDGET, live_threads
from sorn_studio.presets import get_preset, list_presets
from sorn_studio.studio.frames import Frame
from sorn_studio.studio.texts import change_text


def wait_frame(qtbot, win: MainWindow, ok: Callable[[Frame], bool]) -> Frame:
    """Wait until the last painted frame satisfies ``ok`` and return it."""
    qtbot.waitUntil(lambda: win.controller.last_frame is not None
                    and ok(win.controller.last_frame), timeout=WAIT_MS)
    return win.controller.last_frame


def in_worker(win: MainWindow, fn):
    """Run ``fn(sim)`` in the worker thread at a step boundary and return its result."""
    return win.controller.runner.call(fn).result(WAIT_MS / 1000)


def idle_frame(qtbot, win: MainWindow) -> Frame:
    """Wait until the worker is idle and its last frame is painted."""
    # Keep the event loop turning: the worker is idle only once the GUI took its last frame.
    qtbot.waitUntil(lambda: win.controller.runner.wait_idle(0) and win.controller.mailbox.empty(),
                    timeout=WAIT_MS)
    return win.controller.last_frame


def test_window_opens_with_every_view(window):
    assert window.windowTitle() == "SORN Studio"
    for name, (dock_name, _host, cls) in VIEW_DOCKS.items():
        dock = window.findChild(QDockWidget, dock_name)
        assert not dock.isFloating() and isinstance(window.views[name], cls)
        if name in TABBED_VIEWS:
            # A tab behind the distributions dock: listed with it, shown when raised.
            assert dock in window.tabifiedDockWidgets(window.docks["distributions"])
            assert not window.is_showing(name)
        else:
            assert dock.isVisible() and window.is_showing(name)
    assert window.docks["controls"].isVisible() and window.docks["params"].isVisible()
    # The parameter panel has an editor for every field, with the help text as tooltip.
    specs = window.model.specs
    assert set(window.param_panel.editors) == set(specs)
    assert specs["eta_stdp"].help in window.param_panel.editors["eta_stdp"].toolTip()
    assert window.param_panel.editors["eta_stdp"].slider is not None  # live: slider + spin
    assert window.param_panel.editors["ne"].slider is None
    assert window.preset_combo.currentData() == "zheng2013"
    frame = window.controller.last_frame
    assert frame.step == 0 and window.status["step"].text() == "step 0"


def test_play_pause_and_step(qtbot, window):
    window.action("actionStep").trigger()
    frame = wait_frame(qtbot, window, lambda f: f.step == 1 and not f.running)
    window.findChild(QSpinBox, "stepNSpin").setValue(250)
    window.action("actionStepN").trigger()
    frame = wait_frame(qtbot, window, lambda f: f.step == 251 and not f.running)
    assert not window.action("actionPause").isEnabled()
    window.action("actionPlay").trigger()
    assert window.action("actionPause").isEnabled() and not window.action("actionPlay").isEnabled()
    frame = wait_frame(qtbot, window, lambda f: f.step > 2000)
    assert frame.status.playing and frame.status.sim_rate > 0
    window.action("actionPause").trigger()
    frame = idle_frame(qtbot, window)
    assert not frame.running
    assert in_worker(window, lambda sim: sim.t) == frame.step
    assert window.status["step"].text() == f"step {frame.step:,}".replace(",", " ")


def test_frames_arrive_latest_wins(qtbot, window):
    seen: list[Frame] = []
    window.controller.frame.connect(seen.append)
    window.play()
    qtbot.waitUntil(lambda: len(seen) >= 5, timeout=WAIT_MS)
    window.pause()
    idle_frame(qtbot, window)
    steps = [f.step for f in seen]
    assert steps == sorted(steps) and [f.index for f in seen] == sorted({f.index for f in seen})
    assert window.controller.runner.max_fps <= 60
    frame = seen[-1]
    assert not frame.raster.image_e.flags.writeable
    assert frame.raster.image_e.shape[1] == 200 and frame.raster.image_e.shape[0] <= 1000
    image = window.views["raster"].image_e.image
    assert image is not None and window.views["raster"].source_e.shape == frame.raster.image_e.shape


def test_live_change_reaches_engine_at_step_boundary_and_is_logged(qtbot, window):
    window.play()
    wait_frame(qtbot, window, lambda f: f.step > 500)
    spin = window.param_panel.editors["eta_stdp"].widget
    assert isinstance(spin, QDoubleSpinBox)
    spin.setValue(0.01)
    frame = wait_frame(qtbot, window, lambda f: any(c.name == "eta_stdp" for c in f.changes))
    window.pause()
    frame = idle_frame(qtbot, window)
    (change,) = [c for c in frame.changes if c.name == "eta_stdp"]
    assert (change.old, change.new) == (0.004, 0.01)
    assert 500 <= change.step <= frame.step
    assert frame.params.eta_stdp == 0.01
    # Reproduce: same seed, same change at the logged step -> the same network.
    engine = in_worker(window, lambda sim: (sim.t, sim.w_ee.copy(), sim.t_e.copy()))
    replay = Simulation(load_preset("zheng2013"), seed=1)
    replay.step(change.step)
    replay.apply_params(eta_stdp=0.01)
    replay.step(engine[0] - change.step)
    np.testing.assert_array_equal(replay.w_ee, engine[1])
    np.testing.assert_array_equal(replay.t_e, engine[2])
    # Every time plot carries a marker with the change in its tooltip.
    text = change_text(change)
    assert text == f"eta STDP: 0.004 -> 0.01 at step {change.step:,}".replace(",", " ")
    for name in ("raster", "connections", "thresholds"):
        markers = window.views[name].markers
        assert any(text in t for t in markers.texts), name
        for line in markers.lines[-1]:
            assert line.value() == change.step and text in line.toolTip()


def test_toggling_a_mechanism_takes_effect(qtbot, window):
    window.step(200)
    idle_frame(qtbot, window)
    box = window.param_panel.editors["ip"].widget
    assert isinstance(box, QCheckBox) and box.isChecked()
    box.click()  # intrinsic plasticity off: thresholds stop moving
    window.play()
    frame = wait_frame(qtbot, window, lambda f: any(c.name == "ip" for c in f.changes))
    window.pause()
    idle_frame(qtbot, window)
    (change,) = [c for c in frame.changes if c.name == "ip"]
    assert (change.old, change.new) == (True, False)
    before = in_worker(window, lambda sim: sim.t_e.copy())
    window.step(300)
    frame = idle_frame(qtbot, window)
    after = in_worker(window, lambda sim: sim.t_e.copy())
    assert frame.params.ip is False
    np.testing.assert_array_equal(before, after)
    box.click()  # and back on: they move again
    window.step(50)
    idle_frame(qtbot, window)
    assert not np.array_equal(after, in_worker(window, lambda sim: sim.t_e.copy()))


def test_structural_fields_wait_for_reset(qtbot, window):
    window.play()
    wait_frame(qtbot, window, lambda f: f.running)
    assert not window.param_panel.editors["ne"].isEnabled()
    assert window.param_panel.editors["eta_ip"].isEnabled()
    window.pause()
    idle_frame(qtbot, window)
    assert window.param_panel.editors["ne"].isEnabled()
    # ne = 100 alone is refused (E->I in-degree 200 > ne); lowering lambda_ie first works.
    window.param_panel.editors["ne"].widget.setValue(100)
    assert "E->I in-degree" in window.param_panel.editors["ne"].note.message()
    window.param_panel.editors["lambda_ie"].widget.setValue(100)
    window.param_panel.editors["ne"].widget.setValue(100)
    assert "Excitatory neurons \u2192 100" in window.pending_label.text()
    assert window.controller.last_frame.params.ne == 200  # not applied yet
    window.seed_spin.setValue(7)
    window.action("actionReset").trigger()
    frame = wait_frame(qtbot, window, lambda f: f.params.ne == 100)
    assert frame.step == 0 and frame.status.seed == 7
    window.step(20)
    frame = wait_frame(qtbot, window, lambda f: f.step == 20 and not f.running)
    assert frame.raster.image_e.shape[1] == 100
    assert window.pending_label.text() == ""


def test_invalid_input_is_refused_with_a_message(qtbot, window):
    words = window.controls.findChild(QLineEdit, "wordsEdit")
    words.setText(" , ")
    words.editingFinished.emit()
    assert "Words" in window.message_label.text()
    assert window.model.pending.words == ("ABCD", "EFGH")
    assert words.text() == "ABCD,EFGH"
    # In range for its own spin box, but more inputs than the network has neurons.
    window.param_panel.editors["lambda_ee"].widget.setValue(500)
    assert "E->E in-degree" in window.param_panel.editors["lambda_ee"].note.message()
    assert window.model.pending.lambda_ee == 20
    assert window.param_panel.editors["lambda_ee"].widget.value() == 20


def test_error_in_worker_shows_dialog_and_app_stays_usable(qtbot, window):
    def broken(*args, **kwargs):
        raise RuntimeError("kernel exploded")

    original = in_worker(window, lambda sim: sim.run)
    in_worker(window, lambda sim: setattr(sim, "run", broken))
    window.play()
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(),
                    timeout=WAIT_MS)
    assert "kernel exploded" in window.error_box.text()
    assert "Traceback" in window.error_box.detailedText()
    assert window.action("actionPlay").isEnabled()
    window.error_box.close()
    in_worker(window, lambda sim: setattr(sim, "run", original))
    window.step(10)
    wait_frame(qtbot, window, lambda f: f.step == 10 and not f.running)


def test_export_session_writes_a_loadable_file_and_opens_it(qtbot, window, tmp_path):
    from sorn_studio.session import load_session

    window.step(400)
    idle_frame(qtbot, window)
    path = tmp_path / "run.npz"
    window.export_session(path)
    qtbot.waitUntil(path.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "saved" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    with np.load(path, allow_pickle=False) as data:
        assert len(data.files) > 0
    sim, info = load_session(path)
    assert sim.t == 400 and info.preset == "zheng2013" and info.seed == 1
    # Open it again in the studio: the run continues from step 400.
    window.step(100)
    wait_frame(qtbot, window, lambda f: f.step == 500 and not f.running)
    epoch = window.controller.last_frame.epoch
    window.open_session(path)
    frame = wait_frame(qtbot, window, lambda f: f.epoch > epoch)
    assert frame.step == 400
    assert window.preset_combo.currentData() == "zheng2013"
    window.open_session(tmp_path / "missing.npz")
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(),
                    timeout=WAIT_MS)
    window.error_box.close()


def test_export_plots_as_png_and_svg(qtbot, window, tmp_path):
    window.step(300)
    idle_frame(qtbot, window)
    for name in window.views:
        png = window.export_plot(name, tmp_path / f"{name}.png")
        svg = window.export_plot(name, tmp_path / f"{name}.svg")
        assert png is not None and not QImage(str(png)).isNull()
        assert svg is not None and svg.read_text(encoding="utf-8").lstrip().startswith("<")
    # Drawn into temporary files that are renamed: none is left behind.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert window.export_plot("raster", tmp_path / "raster.bmp") is None
    assert window.error_box is not None and ".png" in window.error_box.text()
    window.error_box.close()


def test_clicking_a_neuron_shows_its_weights(qtbot, window):
    window.step(100)
    idle_frame(qtbot, window)
    view = window.views["weights"]
    weights = view.weights
    assert weights is not None
    # Click inside the W^EE heatmap at the cell of postsynaptic neuron 37.
    image = view.images["w_ee"]
    scene_pos = image.mapToScene(image.boundingRect().center().x(), 37.5)
    pos = view.mapFromScene(scene_pos)
    click = QPoint(pos.x(), pos.y())
    # A cell is about one pixel high: the neuron is the row under the (rounded) click point.
    row = int(image.mapFromScene(view.mapToScene(click)).y())
    assert abs(row - 37) <= 1
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=click)
    assert view.selected == ("E", row)
    _x, incoming = view.incoming.getData()
    np.testing.assert_array_equal(incoming, weights.w_ee[row, :])
    _x, outgoing = view.outgoing.getData()
    np.testing.assert_array_equal(outgoing, weights.w_ee[:, row])
    view.select_neuron("I", 3)
    _x, incoming = view.incoming.getData()
    np.testing.assert_array_equal(incoming, weights.w_ie[3, :])


def test_controls_speed_preset_and_input(qtbot, window):
    window.speed_combo.setCurrentIndex(1)
    window.speed_spin.setValue(3000)
    window.step(30)
    frame = wait_frame(qtbot, window, lambda f: f.step == 30 and not f.running)
    assert frame.status.speed_limit == 3000
    window.speed_combo.setCurrentIndex(0)
    window.choose_preset("lazar2009")
    frame = wait_frame(qtbot, window, lambda f: f.params == load_preset("lazar2009"))
    assert frame.step == 0 and window.controller.preset == "lazar2009"
    assert window.controls.findChild(QSpinBox, "countingNSpin").value() == frame.params.counting_n
    noise = window.controls.findChild(QDoubleSpinBox, "noiseSpin")
    noise.setValue(0.05)  # live: reaches the engine
    window.step(5)
    frame = wait_frame(qtbot, window, lambda f: f.params.noise_sigma == 0.05 and not f.running)
    assert window.param_panel.editors["noise_sigma"].widget.value() == 0.05


def test_close_stops_the_worker(qtbot):
    win = MainWindow(preset="zheng2013", remember_layout=False)
    qtbot.addWidget(win)
    win.show()
    win.play()
    qtbot.waitUntil(lambda: win.controller.last_frame is not None
                    and win.controller.last_frame.step > 100, timeout=WAIT_MS)
    thread = win.controller.thread
    assert thread.isRunning()
    win.close()
    assert thread.isFinished() and not live_threads()


def test_dock_layout_is_remembered(qtbot):
    first = MainWindow(preset="zheng2013", remember_layout=True)
    qtbot.addWidget(first)
    first.show()
    first.docks["distributions"].close()
    first.docks["thresholds"].setFloating(True)
    first.close()
    second = MainWindow(preset="zheng2013", remember_layout=True)
    qtbot.addWidget(second)
    second.show()
    assert not second.docks["distributions"].isVisible()
    assert second.docks["thresholds"].isFloating()
    second.reset_layout()
    assert second.docks["distributions"].isVisible()
    assert not second.docks["thresholds"].isFloating()
    second.close()


def test_raw_input_preset_runs_in_the_studio(qtbot, window):
    window.choose_preset("sorn-0.7.4")
    wait_frame(qtbot, window, lambda f: f.params.input_kind == "raw")
    assert window.controls.findChild(QComboBox, "inputCombo").currentData() == "raw"
    window.step(3000)
    frame = wait_frame(qtbot, window, lambda f: f.step == 3000 and not f.running)
    assert window.last_error is None and frame.raster.mean_rate > 0


def test_analysis_views_show_the_counting_run(qtbot):
    win = MainWindow(preset="lazar2009", seed=0, remember_layout=False)
    qtbot.addWidget(win)
    win.show()
    try:
        win.step(12_000)
        frame = wait_frame(qtbot, win, lambda f: f.step == 12_000 and not f.running)
        frame = idle_frame(qtbot, win)
        analysis = frame.analysis
        assert analysis is not None and analysis.step == 12_000
        assert analysis.readout is not None and analysis.readout.steps.size >= 1
        for name in TABBED_VIEWS:
            win.docks[name].raise_()
            qtbot.waitUntil(lambda n=name: win.is_showing(n), timeout=WAIT_MS)
            idle_frame(qtbot, win)
        views = win.views
        x, y = views["isi"].hist.getData()
        assert x is not None and len(y) == len(analysis.isi.histogram.density)
        assert "CV" in views["isi"].summary.text
        assert len(views["avalanches"].sizes.getData()[0]) > 3
        assert len(views["readout"].all.getData()[0]) == analysis.readout.steps.size
        assert not views["readout"].message.isVisible()
        assert "accuracy" in views["readout"].summary.text
        # lazar2009 has structural plasticity off: the lifetime view says so.
        assert "off" in views["lifetimes"].summary.text
        # The weight histogram carries both fits.
        win.docks["distributions"].raise_()
        qtbot.waitUntil(lambda: win.is_showing("distributions"), timeout=WAIT_MS)
        win.controller.runner.refresh()
        qtbot.waitUntil(lambda: views["distributions"].lognormal.getData()[0] is not None,
                        timeout=WAIT_MS)
        assert "fits better" in views["distributions"].weights.titleLabel.text
        # ... and the tooltip gives the comparison above the analysis floor as well.
        assert "Above 0.01" in views["distributions"].weights.toolTip()
    finally:
        win.close()


def test_analysis_view_repaints_only_for_a_new_analysis(qtbot, window):
    window.step(3000)
    frame = idle_frame(qtbot, window)
    window.step(10)
    newer = wait_frame(qtbot, window, lambda f: f.step == frame.step + 10 and not f.running)
    assert newer.analysis.index > frame.analysis.index
    view = window.views["avalanches"]
    view.update_frame(frame)
    assert not view.needs_paint(frame) and view.needs_paint(newer)
    # The same analysis in a later frame (it is rebuilt only a few times a second) is skipped.
    later = dataclasses.replace(newer, index=newer.index + 1, analysis=frame.analysis)
    assert not view.needs_paint(later)


def test_choosing_a_preset_brings_its_views_forward(qtbot, window):
    for name in list_presets():
        assert set(get_preset(name).views) <= set(VIEW_DOCKS)
    assert not window.is_showing("readout")
    window.choose_preset("lazar2009")
    qtbot.waitUntil(lambda: window.is_showing("readout"), timeout=WAIT_MS)
    window.choose_preset("delpapa2017")
    qtbot.waitUntil(lambda: window.is_showing("avalanches"), timeout=WAIT_MS)
    assert not window.is_showing("readout")


def test_paint_budget_spaces_out_frames_that_are_slow_to_show(qtbot, window):
    shown: list[tuple[float, bool]] = []

    def slow_slot(frame: Frame) -> None:
        shown.append((time.perf_counter(), frame.running))
        time.sleep(0.04)  # showing a frame costs at least 40 ms

    window.controller.frame.connect(slow_slot)
    window.play()
    qtbot.waitUntil(lambda: sum(running for _, running in shown) >= 4, timeout=WAIT_MS)
    window.pause()
    idle_frame(qtbot, window)
    running = [t for t, r in shown if r]
    # After a running frame that took >= 40 ms, the next waits >= 40 ms / PAINT_BUDGET.
    gaps = np.diff(running[:4])
    assert np.all(gaps >= 0.04 / PAINT_BUDGET), gaps


def test_weight_views_paint_each_weights_copy_once_whenever_their_turn_comes(qtbot):
    from sorn_studio.app.plots import DistributionsView, WeightsView
    from sorn_studio.studio.defaults import make_simulation
    from sorn_studio.studio.frames import build_frame, take_weights
    from sorn_studio.studio.history import History

    params = load_preset("zheng2013", ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
    sim = make_simulation(params, seed=1, window=1000)
    history = History(64, 3)
    history.take(sim, sim.run(200))
    old = take_weights(sim)

    def frame(weights, index):
        return build_frame(sim, history, index=index, epoch=1, playing=True, pending_steps=0,
                           sim_rate=0.0, speed_limit=None, raster_steps=500,
                           raster_columns=100, weights=weights, analysis=None)

    views = [WeightsView(), DistributionsView()]
    painted = {"WeightsView": 0, "DistributionsView": 0}
    for view, method in zip(views, ("_show_selection", "_show_fit"), strict=True):
        qtbot.addWidget(view)
        original = getattr(view, method)  # called once per weights copy painted
        name = type(view).__name__

        def counted(*args, _original=original, _name=name):
            painted[_name] += 1
            return _original(*args)

        setattr(view, method, counted)
    views[0].update_frame(frame(old, 1))
    views[0].update_frame(frame(old, 2))  # the same copy again: nothing to paint
    history.take(sim, sim.run(100))
    new = take_weights(sim)
    # The distributions view's turn comes only now, two frames after the new copy: it paints
    # the newest copy, once, without having seen the old one.
    views[0].update_frame(frame(new, 3))
    for index in (4, 5):
        views[1].update_frame(frame(new, index))
    assert painted == {"WeightsView": 2, "DistributionsView": 1}
    assert views[0].weights is new
