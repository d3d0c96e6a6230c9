"""Time travel in the window: the timeline bar goes back to a checkpoint, a change then starts
a branch the Branches panel lists, a double-click there switches back, and a right-click on a
change marker (or on the change log) branches from just before that change."""

from __future__ import annotations

import numpy as np
from helpers import WAIT_MS
from PySide6.QtCore import QPoint, QPointF, Qt

from sorn_studio.session import read_session, replay_session
from sorn_studio.studio.branches import DEFAULT_EVERY


def _steps(qtbot, window, n: int, at: int) -> None:
    window.controller.step(n, full_speed=True)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == at
                    and not window.controller.last_frame.running, timeout=WAIT_MS)


def _frame_at(qtbot, window, step: int, branches: int):
    def ready() -> bool:
        frame = window.controller.last_frame
        return (frame.step == step and not frame.running
                and len(frame.timeline.branches) == branches)
    qtbot.waitUntil(ready, timeout=WAIT_MS)
    return window.controller.last_frame


def _marker_pos(view, step: int) -> QPoint:
    """Widget position of the change marker at ``step`` on the view's lowest plot."""
    plot = view.steps.plots[-1]
    box = plot.getViewBox()
    (_, _), (low, high) = box.viewRange()
    scene = box.mapViewToScene(QPointF(step, (low + high) / 2))
    return view.mapFromScene(scene)


def test_back_to_a_checkpoint_branch_and_switch_back(qtbot, window):
    _steps(qtbot, window, 2 * DEFAULT_EVERY + 500, 2 * DEFAULT_EVERY + 500)
    bar = window.timeline_bar
    qtbot.waitUntil(lambda: bar.view is not None
                    and bar.view.checkpoints == (0, DEFAULT_EVERY, 2 * DEFAULT_EVERY),
                    timeout=WAIT_MS)
    assert "3 checkpoints on this branch" in window.timeline_memory.text()
    # Press on the checkpoint at 10 000, release: the run goes back there.
    x = int(bar.x_of(DEFAULT_EVERY))
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=QPoint(x, bar.height() // 2))
    assert bar.picked == DEFAULT_EVERY
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=QPoint(x, bar.height() // 2))
    frame = _frame_at(qtbot, window, DEFAULT_EVERY, 1)
    assert frame.timeline.tip_step == 2 * DEFAULT_EVERY + 500
    assert "Back at step 10 000 of 20 500" in window.branches.where.text()
    # A change now starts branch 1, nested under branch 0 in the panel.
    window.controller.apply_live({"eta_stdp": 0.008})
    window.controller.flush_params()
    _steps(qtbot, window, 300, DEFAULT_EVERY + 300)
    qtbot.waitUntil(lambda: window.branches.rows() == [(0, None), (1, 0)], timeout=WAIT_MS)
    item = window.branches.item_of(1)
    assert item.text(1) == "10 000" and "eta STDP: 0.004 -> 0.008" in item.text(3)
    assert item.font(0).bold() and not window.branches.item_of(0).font(0).bold()
    # Enter on branch 0 goes back to its end.
    tree = window.branches.tree
    tree.setCurrentItem(window.branches.item_of(0))
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    frame = _frame_at(qtbot, window, 2 * DEFAULT_EVERY + 500, 2)
    assert frame.timeline.current == 0 and frame.changes == ()
    assert not window.last_error


def test_branch_from_just_before_a_change_from_its_marker_and_from_the_change_log(
        qtbot, window):
    _steps(qtbot, window, 12_000, 12_000)
    window.controller.apply_live({"stdp": False})
    window.controller.flush_params()
    _steps(qtbot, window, 3_000, 15_000)
    view = window.views["connections"]
    qtbot.waitUntil(lambda: len(view.markers.changes) == 1, timeout=WAIT_MS)
    menu = view.time_travel_menu(_marker_pos(view, 12_000))
    texts = [a.text() for a in menu.actions()]
    assert texts[0].startswith("Branch from just before this change (STDP: on -> off")
    assert texts[1] == "Go back to the checkpoint at step 10 000"
    menu.actions()[0].trigger()
    frame = _frame_at(qtbot, window, 12_000, 2)
    assert frame.changes == () and frame.timeline.current == 1
    assert window.branches.item_of(1).text(3).startswith("before STDP: on -> off")
    # Off the marker the menu only goes back; off the plots there is none.
    menu = view.time_travel_menu(_marker_pos(view, 5_000))
    assert [a.text() for a in menu.actions()] == ["Go back to the checkpoint at step 0"]
    assert view.time_travel_menu(QPoint(1, 1)) is None
    # The same from the change log, on branch 0 again.
    window.controller.switch_branch(0)
    _frame_at(qtbot, window, 15_000, 2)
    qtbot.waitUntil(lambda: window.change_log.tree.topLevelItemCount() == 1, timeout=WAIT_MS)
    menu = window.change_log.branch_menu(0)
    menu.actions()[1].trigger()
    frame = _frame_at(qtbot, window, 12_000, 3)
    assert frame.timeline.current == 2 and frame.changes == ()
    assert not window.last_error


def test_saved_and_reopened_the_run_keeps_its_branches(qtbot, window, tmp_path):
    _steps(qtbot, window, DEFAULT_EVERY + 500, DEFAULT_EVERY + 500)
    window.controller.go_to(DEFAULT_EVERY)
    _frame_at(qtbot, window, DEFAULT_EVERY, 1)
    window.controller.apply_live({"ip": False})
    window.controller.flush_params()
    _steps(qtbot, window, 200, DEFAULT_EVERY + 200)
    path = tmp_path / "branched.npz"
    window.export_session(path)
    qtbot.waitUntil(path.exists, timeout=WAIT_MS)
    tree = read_session(path).info.branches
    assert tree.current == 1 and [b.tip_step for b in tree.branches] == [10_500, 10_200]
    assert replay_session(path).matched
    window.reset()
    _frame_at(qtbot, window, 0, 1)
    window.open_session(path)
    _frame_at(qtbot, window, DEFAULT_EVERY + 200, 2)
    qtbot.waitUntil(lambda: window.branches.rows() == [(0, None), (1, 0)], timeout=WAIT_MS)
    # Branch 0 was not in memory: the studio rebuilds it from step 0, then shows its end.
    window.controller.switch_branch(0)
    frame = _frame_at(qtbot, window, DEFAULT_EVERY + 500, 2)
    assert frame.timeline.current == 0 and not window.last_error


def test_the_attribution_view_measures_when_asked_and_compares_checkpoints(qtbot, window):
    view = window.views["attribution"]
    window.docks["attribution"].raise_()
    _steps(qtbot, window, 500, 500)
    assert window.controller.last_frame.attribution is None and view.hint.isVisible()
    view.measure.setChecked(True)
    _steps(qtbot, window, 2 * DEFAULT_EVERY, 2 * DEFAULT_EVERY + 500)
    qtbot.waitUntil(lambda: view.points is not None and view.checkpoints
                    == (0, DEFAULT_EVERY, 2 * DEFAULT_EVERY), timeout=WAIT_MS)
    assert not view.hint.isVisible()
    low_up, high_up, _, _ = (c.getData()[1] for c in view.curves["ee_stdp_ltp"])
    assert np.all(high_up >= low_up) and high_up.max() > 0      # STDP potentiated
    assert [view.end_combo.itemText(k) for k in range(view.end_combo.count())] == [
        "step 0", "step 10 000", "step 20 000", "now"]
    view.choose_interval(DEFAULT_EVERY, 2 * DEFAULT_EVERY)
    qtbot.waitUntil(lambda: "10 000 \u2192 20 000" in view.heat_note, timeout=WAIT_MS)
    assert view.change.shape == (200, 200) and np.abs(view.change).max() > 0
    view.measure.setChecked(False)
    _steps(qtbot, window, 10, 2 * DEFAULT_EVERY + 510)
    assert window.controller.last_frame.attribution is None and not window.last_error
