"""The Changes dock lists every applied change and jumps to it; a reopened session shows the
whole history it holds and says where it holds none."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from helpers import WAIT_MS
from PySide6.QtCore import Qt

from sorn_studio import load_preset
from sorn_studio.app.change_log import ChangeLogView
from sorn_studio.app.window import MainWindow
from sorn_studio.session import read_session, save_session, saved_history
from sorn_studio.studio.defaults import make_simulation
from sorn_studio.studio.frames import Frame
from sorn_studio.studio.history import History
from sorn_studio.studio.texts import change_text


def wait_frame(qtbot, win: MainWindow, ok: Callable[[Frame], bool]) -> Frame:
    """Wait until the worker is idle and its last painted frame satisfies ``ok``."""
    qtbot.waitUntil(lambda: win.controller.last_frame is not None
                    and win.controller.runner.wait_idle(0) and win.controller.mailbox.empty()
                    and ok(win.controller.last_frame), timeout=WAIT_MS)
    return win.controller.last_frame


def change(qtbot, win: MainWindow, steps: int, **values) -> Frame:
    """Apply live ``values`` now, then run ``steps`` steps."""
    start = win.controller.last_frame.step
    win.controller.apply_live(values)
    win.step(steps)
    return wait_frame(qtbot, win, lambda f: f.step == start + steps and not f.running)


def x_range(win: MainWindow, name: str) -> tuple[float, float]:
    view = win.views[name]
    plot = view.counts if name == "connections" else view.plot
    return tuple(plot.viewRange()[0])


def saved_run(tmp_path, with_history: bool):
    """A run of 3 000 steps recorded in a 500-step window, changed at steps 1 000 and 2 000."""
    sim = make_simulation(load_preset("zheng2013"), seed=4, window=500)
    history = History(1024, len(sim.recording.neurons))
    for values in ({"eta_stdp": 0.01}, {"ip": False}, None):
        for _ in range(4):   # the studio's way: chunks no longer than the window
            history.take(sim, sim.run(250))
        if values:
            sim.apply_params(**values)
    path = tmp_path / ("with.npz" if with_history else "without.npz")
    save_session(sim, path, preset="zheng2013",
                 history=history.points() if with_history else None)
    return path, sim


def opened(qtbot, win: MainWindow, path) -> Frame:
    epoch = win.controller.last_frame.epoch
    win.open_session(path)
    return wait_frame(qtbot, win, lambda f: f.epoch > epoch)


def test_the_list_fills_as_changes_are_applied(qtbot, window):
    log = window.change_log
    assert isinstance(log, ChangeLogView) and log.entries() == []
    assert window.docks["changes"] in window.tabifiedDockWidgets(window.docks["distributions"])
    change(qtbot, window, 300, eta_stdp=0.01)
    frame = change(qtbot, window, 200, stdp=False)
    qtbot.waitUntil(lambda: len(log.entries()) == 2, timeout=WAIT_MS)
    # The markers' words, newest last: the field's label, old -> new, the step.
    assert log.entries() == [change_text(c) for c in frame.changes]
    assert log.entries()[0].startswith("eta STDP: 0.004 -> 0.01 at step")
    assert log.entries()[1].startswith("STDP: on -> off at step")
    first = log.tree.topLevelItem(0)
    assert first.text(0) == f"{frame.changes[0].step:,}".replace(",", " ")
    assert first.text(1) == "eta STDP: 0.004 -> 0.01"
    # A reset starts a new, empty log.
    window.reset()
    qtbot.waitUntil(lambda: log.entries() == [], timeout=WAIT_MS)


def test_an_entry_jumps_the_time_plots_to_its_step(qtbot, window):
    change(qtbot, window, 2000, eta_stdp=0.01)
    frame = change(qtbot, window, 2000, eta_ip=0.002)
    step = frame.changes[1].step
    assert step == 2000
    log = window.change_log
    qtbot.waitUntil(lambda: len(log.entries()) == 2, timeout=WAIT_MS)
    whole = x_range(window, "connections")
    assert whole[0] <= 1 and whole[1] >= frame.step
    jumped = []
    log.jump_requested.connect(jumped.append)
    # Enter on the selected entry activates it, as a double-click does.
    log.tree.setFocus()
    log.tree.setCurrentItem(log.tree.topLevelItem(1))
    qtbot.keyClick(log.tree, Qt.Key.Key_Return)
    assert jumped == [step]
    for name in ("connections", "thresholds"):
        low, high = x_range(window, name)
        # Centred on the change, a fifth of the run wide, its markers drawn solid and wide.
        assert (low + high) / 2 == pytest.approx(step)
        assert high - low == pytest.approx(0.2 * frame.step)
        markers = window.views[name].markers
        assert markers.chosen == step
        for at, row in zip(markers._steps, markers.lines, strict=True):
            assert all((line.pen.width() == 3) == (at == step) for line in row)
    # More steps do not move the focus away; "Whole run" brings the whole run back.
    frame = change(qtbot, window, 500)
    assert (sum(x_range(window, "connections")) / 2) == pytest.approx(step)
    assert log.whole_run.isEnabled()
    qtbot.mouseClick(log.whole_run, Qt.MouseButton.LeftButton)
    low, high = x_range(window, "connections")
    assert low <= 1 and high >= frame.step and not log.whole_run.isEnabled()
    assert window.views["thresholds"].markers.chosen is None
    # Activating the first entry through the API and double-clicking a plot does the same.
    log.activate(0)
    assert sum(x_range(window, "thresholds")) / 2 == pytest.approx(frame.changes[0].step)
    qtbot.mouseDClick(window.views["thresholds"].viewport(), Qt.MouseButton.LeftButton)
    assert x_range(window, "thresholds")[0] <= 1
    with pytest.raises(IndexError):
        log.activate(5)


def test_a_reopened_session_shows_every_change_and_its_whole_history(qtbot, window,
                                                                    tmp_path):
    path, sim = saved_run(tmp_path, with_history=True)
    frame = opened(qtbot, window, path)
    assert frame.step == 3000
    # The whole run, though the file's recording keeps only its last 500 steps.
    assert frame.history.start == 0 and frame.history.step[0] == 1
    assert frame.history.step[-1] > 2900
    log = window.change_log
    qtbot.waitUntil(lambda: len(log.entries()) == 2, timeout=WAIT_MS)
    assert log.entries() == [change_text(c) for c in sim.change_log]
    for name in ("connections", "thresholds"):
        view = window.views[name]
        assert view.steps.note_text == ""
        assert {line.value() for row in view.markers.lines for line in row} == {1000, 2000}
        assert x_range(window, name)[0] <= 1
    # Saved again by the studio, it keeps that whole history.
    again = tmp_path / "again.npz"
    window.export_session(again)
    qtbot.waitUntil(again.exists, timeout=WAIT_MS)
    back = saved_history(read_session(again))
    np.testing.assert_array_equal(back["step"], frame.history.step)


def test_a_session_without_its_history_says_where_it_starts(qtbot, window, tmp_path):
    path, sim = saved_run(tmp_path, with_history=False)
    frame = opened(qtbot, window, path)
    assert frame.history.start == 2500 and frame.history.step[0] == 2501
    log = window.change_log
    qtbot.waitUntil(lambda: len(log.entries()) == 2, timeout=WAIT_MS)
    for name in ("connections", "thresholds"):
        view = window.views[name]
        # The plot still starts at step 0, so both changes (before the window) are marked,
        # and the part the file lacks is shaded and named.
        assert view.steps.note_text == "history before step 2 501 is not in this session"
        assert all(region.isVisible() and region.getRegion() == (0, 2500)
                   for region in view.steps.regions)
        assert x_range(window, name)[0] <= 0
        assert {line.value() for row in view.markers.lines for line in row} == {1000, 2000}
    # Saved by the studio, the file still starts its history at step 2 501: nothing is made up.
    again = tmp_path / "again.npz"
    window.export_session(again)
    qtbot.waitUntil(again.exists, timeout=WAIT_MS)
    assert saved_history(read_session(again))["step"][0] == 2501
    frame = opened(qtbot, window, again)
    assert frame.history.start == 2500
    # A reset leaves no note behind.
    window.reset()
    wait_frame(qtbot, window, lambda f: f.step == 0)
    qtbot.waitUntil(lambda: window.views["connections"].steps.note_text == "", timeout=WAIT_MS)
