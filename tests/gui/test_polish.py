"""Issue 13 polish: shortcuts named, Space plays and pauses, closable docks, the start hint,
Step N progress and full speed, bordered menus, file dialogs whose dates fit."""

from __future__ import annotations

import numpy as np
from helpers import WAIT_MS
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDoubleSpinBox,
    QLineEdit,
    QMenu,
    QSpinBox,
    QToolBar,
    QTreeView,
)

from sorn_studio.app.file_dialogs import FileDialog

NATIVE = QKeySequence.SequenceFormat.NativeText


def test_every_shortcut_is_named_in_its_tooltip(window):
    named = 0
    for name in ("actionPlay", "actionPause", "actionStep", "actionStepN", "actionReset",
                 "actionOpenSession", "actionExportSession", "actionQuit", "actionPlayPause"):
        action = window.action(name)
        assert action.shortcuts(), name
        for key in action.shortcuts():
            assert key.toString(NATIVE) in action.toolTip(), (name, action.toolTip())
            named += 1
    assert window.action("actionPlay").toolTip() == "Run the network freely (F5, Space)"
    assert "Space" in window.action("actionPause").toolTip()
    assert named >= 9
    # The toolbar says what its buttons do, not only with icons.
    toolbar = window.findChild(QToolBar, "mainToolBar")
    assert toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    assert window.action("actionOpenSession").iconText() == "Open"


def test_space_plays_and_pauses(qtbot, window):
    window.activateWindow()
    window.views["raster"].setFocus()
    QTest.keyClick(window.views["raster"], Qt.Key.Key_Space)
    assert window.controller.running
    qtbot.waitUntil(lambda: window.controller.last_frame.step > 0, timeout=WAIT_MS)
    QTest.keyClick(window.views["raster"], Qt.Key.Key_Space)
    assert not window.controller.running
    qtbot.waitUntil(lambda: not window.controller.last_frame.running, timeout=WAIT_MS)


def test_space_in_a_text_field_is_typed_not_a_play(qtbot, window):
    window.model.offer("input_kind", "words")
    words = window.controls.findChild(QLineEdit, "wordsEdit")
    assert words.isEnabled()
    words.setFocus()
    words.setCursorPosition(len(words.text()))
    before = words.text()
    QTest.keyClicks(words, " AB")
    assert words.text() == before + " AB"
    noise = window.controls.findChild(QDoubleSpinBox, "noiseSpin")
    noise.setFocus()
    QTest.keyClick(noise, Qt.Key.Key_Space)
    seed = window.controls.findChild(QSpinBox, "seedSpin")
    seed.setFocus()
    QTest.keyClick(seed, Qt.Key.Key_Space)
    qtbot.wait(200)
    assert not window.controller.running and window.controller.last_frame.step == 0


def test_space_on_a_focused_check_box_ticks_it_and_does_not_play(qtbot, window):
    box = window.param_panel.findChild(QCheckBox, "field_stdp") or next(
        b for b in window.param_panel.findChildren(QCheckBox) if b.isEnabled())
    window.activateWindow()
    box.setFocus()
    before = box.isChecked()
    QTest.keyClick(box, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: box.isChecked() != before, timeout=WAIT_MS)
    qtbot.wait(200)
    assert not window.controller.running and window.controller.last_frame.step == 0


def test_docks_close_with_their_button_and_come_back_from_the_view_menu(qtbot, window):
    menu = window.findChild(QMenu, "menuView")
    for name, dock in window.docks.items():
        if not dock.isVisible():
            continue
        close = dock.findChild(QAbstractButton, "qt_dockwidget_closebutton")
        assert close is not None and close.isVisible() and not close.icon().isNull(), name
        close.click()
        assert not dock.isVisible(), name
        toggle = dock.toggleViewAction()
        assert toggle in menu.actions() and not toggle.isChecked(), name
        toggle.trigger()
        assert dock.isVisible() and toggle.isChecked(), name


def test_the_start_hint_shows_until_the_network_runs(qtbot, window):
    hint = window.start_hint
    assert hint.isVisible() and "Play" in hint.text() and "Space" in hint.text()
    window.action("actionPlay").trigger()
    qtbot.waitUntil(lambda: not hint.isVisible(), timeout=WAIT_MS)
    window.pause()
    window.reset()
    qtbot.waitUntil(lambda: window.controller.last_frame.step == 0
                    and not window.controller.running, timeout=WAIT_MS)
    assert not hint.isVisible()


def limit_speed(window, steps_per_second: int) -> None:
    window.speed_combo.setCurrentIndex(1)
    window.speed_spin.setValue(steps_per_second)


def test_step_n_shows_its_progress(qtbot, window):
    bar = window.step_progress
    assert not bar.isVisible()
    limit_speed(window, 20)
    window.controls.findChild(QSpinBox, "stepNSpin").setValue(1000)
    window.action("actionStepN").trigger()
    qtbot.waitUntil(lambda: bar.isVisible() and bar.value() > 0, timeout=WAIT_MS)
    assert bar.maximum() == 1000 and bar.text().endswith("/ 1 000")
    first = bar.value()
    qtbot.waitUntil(lambda: bar.value() > first, timeout=WAIT_MS)
    # A second Step N while the first runs adds its steps, as the runner does.
    window.action("actionStepN").trigger()
    qtbot.waitUntil(lambda: bar.maximum() == 2000, timeout=WAIT_MS)
    assert 0 < bar.value() < 1000
    window.pause()
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=WAIT_MS)
    assert not window.controller.running


def test_step_n_at_full_speed_when_asked(qtbot, window, monkeypatch):
    full = window.controls.findChild(QCheckBox, "stepNFullSpeedCheck")
    sent: list[tuple[int, bool]] = []
    runner = window.controller.runner
    original = runner.step

    def spy(n, *, full_speed=False):
        sent.append((n, full_speed))
        original(n, full_speed=full_speed)

    monkeypatch.setattr(runner, "step", spy)
    # As fast as possible: the option is greyed, it would change nothing.
    assert not full.isEnabled()
    limit_speed(window, 5)
    assert full.isEnabled()
    full.setChecked(True)
    window.controls.findChild(QSpinBox, "stepNSpin").setValue(2000)
    window.action("actionStepN").trigger()
    assert sent == [(2000, True)]
    qtbot.waitUntil(lambda: window.controller.last_frame.step == 2000
                    and not window.controller.running, timeout=WAIT_MS)
    assert window.controller.last_frame.status.speed_limit == 5
    full.setChecked(False)
    window.controls.findChild(QSpinBox, "stepNSpin").setValue(3)
    window.action("actionStepN").trigger()
    assert sent[-1] == (3, False)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == 2003, timeout=WAIT_MS)


def test_menus_have_a_border(qtbot, window):
    menu = window.findChild(QMenu, "menuHelp")
    menu.popup(window.mapToGlobal(QPoint(0, 0)))
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    image = menu.grab().toImage()
    menu.hide()
    edge = np.array([image.pixelColor(0, y).lightness() for y in range(4, image.height() - 4)])
    inside = image.pixelColor(image.width() - 4, image.height() // 2).lightness()
    # The edge is drawn in a lighter colour than the menu's background, all along.
    assert (edge > inside + 20).all()


def test_the_file_dialog_shows_whole_dates(qtbot, window, tmp_path):
    (tmp_path / "run.npz").write_bytes(b"x")
    dialog = FileDialog(window, "Open session", str(tmp_path), "SORN sessions (*.npz)",
                        save=False)
    dialog.setOption(FileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    tree = dialog.findChild(QTreeView, "treeView")
    model = tree.model()
    qtbot.waitUntil(lambda: model.rowCount(tree.rootIndex()) == 1, timeout=WAIT_MS)
    date = model.index(0, 3, tree.rootIndex()).data()
    header = tree.header()
    assert date and header.sectionSize(3) >= tree.fontMetrics().horizontalAdvance(date) + 8
    assert sum(header.sectionSize(i) for i in range(4)) <= tree.viewport().width()
    dialog.reject()


def test_the_frame_rate_reads_zero_once_paused(qtbot, window):
    label = window.status["fps"]
    window.play()
    qtbot.waitUntil(lambda: window.controller.fps > 0 and label.text() != "0 frames/s",
                    timeout=WAIT_MS)
    window.pause()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: label.text() == "0 frames/s", timeout=WAIT_MS)
