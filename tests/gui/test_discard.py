"""No run is thrown away without asking (issue 13, point 1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import WAIT_MS
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from sorn_studio.app import file_dialogs
from sorn_studio.app.discard import asks_before_discarding, set_asks_before_discarding
from sorn_studio.app.window import SETTINGS_APP, SETTINGS_ORG, MainWindow
from sorn_studio.session import read_session


@pytest.fixture
def asking(qtbot) -> Iterator[MainWindow]:
    """The studio, asking before discarding, after 300 unsaved steps.

    Not handed to qtbot: pytest-qt closes its widgets before any fixture ends, and the
    question would then block the teardown.
    """
    set_asks_before_discarding(QSettings(SETTINGS_ORG, SETTINGS_APP), True)
    win = MainWindow(preset="zheng2013", seed=1, remember_layout=False)
    win.show()
    win.step(300)
    qtbot.waitUntil(lambda: win.unsaved_steps() == 300 and not win.controller.running,
                    timeout=WAIT_MS)
    yield win
    win.confirm_discard = False
    win.close()


def answer(button: str, seen: list[str], check_again: bool = False) -> None:
    """Click ``button`` ("discardSave", "discardDiscard" or "Cancel") in the question as soon as
    it shows, recording its text in ``seen``."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(f"{box.text()} {box.informativeText()}")
        if check_again:
            box.checkBox().setChecked(True)
        if button == "Cancel":
            box.button(QMessageBox.StandardButton.Cancel).click()
        else:
            box.findChild(QPushButton, button).click()

    QTimer.singleShot(0, click)


def step_now(window) -> int:
    frame = window.controller.last_frame
    return frame.step if frame is not None else -1


@pytest.mark.parametrize("how", ["reset", "preset"])
def test_cancel_keeps_the_run(asking, qtbot, how):
    seen: list[str] = []
    answer("Cancel", seen)
    if how == "reset":
        asking.action("actionReset").trigger()
    else:
        combo = asking.preset_combo
        combo.activated.emit(combo.findData("lazar2009"))
    qtbot.wait(300)
    assert seen and "300 steps since it was last saved" in seen[0]
    assert step_now(asking) == 300 and asking.controller.preset == "zheng2013"
    assert asking.preset_combo.currentData() == "zheng2013"


def test_discard_goes_on_and_the_next_reset_at_step_0_asks_nothing(asking, qtbot):
    seen: list[str] = []
    answer("discardDiscard", seen)
    asking.action("actionReset").trigger()
    qtbot.waitUntil(lambda: step_now(asking) == 0, timeout=WAIT_MS)
    assert len(seen) == 1 and "Reset replaces the running network" in seen[0]
    asking.action("actionReset").trigger()   # nothing to lose: no question
    qtbot.wait(200)
    assert len(seen) == 1


def test_save_first_writes_the_file_then_goes_on(asking, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "kept.npz"
    monkeypatch.setattr(file_dialogs, "save_file_name",
                        lambda *a, **k: (str(target), ""))
    seen: list[str] = []
    answer("discardSave", seen)
    combo = asking.preset_combo
    combo.activated.emit(combo.findData("lazar2009"))
    qtbot.waitUntil(lambda: asking.controller.preset == "lazar2009" and step_now(asking) == 0,
                    timeout=WAIT_MS)
    assert read_session(target).info.steps == 300
    assert asking.unsaved_steps() == 0


def test_a_failed_save_discards_nothing(asking, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "missing-folder" / "kept.npz"
    monkeypatch.setattr(file_dialogs, "save_file_name",
                        lambda *a, **k: (str(target), ""))
    asking.interactive_errors = False
    answer("discardSave", [])
    asking.action("actionReset").trigger()
    qtbot.waitUntil(lambda: asking.last_error is not None, timeout=WAIT_MS)
    qtbot.wait(200)
    assert step_now(asking) == 300 and "Could not save" in asking.last_error


def test_quit_asks_and_cancel_keeps_the_window_open(asking, qtbot):
    seen: list[str] = []
    answer("Cancel", seen)
    asking.close()
    qtbot.wait(200)
    assert seen and "Quitting" in seen[0] and asking.isVisible()
    answer("discardDiscard", seen)
    asking.close()
    qtbot.waitUntil(lambda: not asking.isVisible(), timeout=WAIT_MS)


def test_a_saved_run_closes_without_asking(asking, qtbot, tmp_path):
    asking.export_session(tmp_path / "s.npz")
    qtbot.waitUntil(lambda: asking.unsaved_steps() == 0, timeout=WAIT_MS)
    asking.close()
    qtbot.waitUntil(lambda: not asking.isVisible(), timeout=WAIT_MS)


def test_do_not_ask_again_is_remembered_and_the_menu_turns_it_back_on(asking, qtbot):
    settings = QSettings(SETTINGS_ORG, SETTINGS_APP)
    answer("discardDiscard", [], check_again=True)
    asking.action("actionReset").trigger()
    qtbot.waitUntil(lambda: step_now(asking) == 0, timeout=WAIT_MS)
    assert not asks_before_discarding(settings)
    ask = asking.action("actionAskBeforeDiscard")
    assert not ask.isChecked()
    ask.setChecked(True)
    assert asks_before_discarding(settings)


def test_an_opened_session_counts_as_saved(asking, qtbot, tmp_path):
    path = Path(tmp_path / "s.npz")
    asking.export_session(path)
    qtbot.waitUntil(lambda: path.exists(), timeout=WAIT_MS)
    asking.step(50)
    qtbot.waitUntil(lambda: asking.unsaved_steps() == 50, timeout=WAIT_MS)
    asking.open_session(path)      # the API does not ask; the menu's Open does
    qtbot.waitUntil(lambda: step_now(asking) == 300 and asking.unsaved_steps() == 0,
                    timeout=WAIT_MS)
