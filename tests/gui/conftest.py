"""pytest-qt set-up for the studio: offscreen Qt, private settings, no thread left behind."""

from __future__ import annotations

import os

# Must happen before anything imports Qt: the tests run without a display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
import shiboken6  # noqa: E402
from helpers import WAIT_MS  # noqa: E402
from PySide6.QtCore import QEvent, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow  # noqa: E402

from sorn_studio.app import theme  # noqa: E402
from sorn_studio.app.discard import set_asks_before_discarding  # noqa: E402
from sorn_studio.app.window import SETTINGS_APP, SETTINGS_ORG, MainWindow  # noqa: E402
from sorn_studio.app.worker import live_threads  # noqa: E402


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep QSettings (the remembered layout) out of the user's real configuration."""
    folder = tmp_path_factory.mktemp("settings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    # A question before closing would block the tests that close a window after running it;
    # tests/gui/test_discard.py turns it back on.
    set_asks_before_discarding(QSettings(SETTINGS_ORG, SETTINGS_APP), False)
    yield


@pytest.fixture(autouse=True)
def desk_look(qapp) -> Iterator[None]:
    """Every test starts and ends in the dark theme at a scale of 1 (the look is global)."""
    theme.apply_look(theme.Look())
    yield
    theme.apply_look(theme.Look())


@pytest.fixture(autouse=True)
def windows_deleted(qapp) -> Iterator[None]:
    """Close and delete every window and dialog a test leaves behind.

    pytest-qt asks for the deletion of the widgets it knows with deleteLater, which waits for
    an event loop the tests never return to, and a window made without it is never deleted:
    the widgets of every earlier test would stay alive, and a new style sheet (a theme, the
    presentation scale) re-polishes every widget alive, for minutes after a few hundred tests.
    """
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMainWindow | QDialog) and shiboken6.isValid(widget):
            widget.close()
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def no_thread_left(qapp) -> Iterator[None]:
    """Fail a test that leaves a worker thread (Qt or Python) running."""
    before = set(threading.enumerate())
    yield
    qapp.processEvents()
    running = live_threads()
    assert not running, f"worker threads still running after the test: {running}"
    extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not extra, f"Python threads still running after the test: {extra}"


@pytest.fixture
def window(qtbot) -> Iterator[MainWindow]:
    """The studio with the Zheng 2013 preset, shown, after its first frame."""
    win = MainWindow(preset="zheng2013", seed=1, remember_layout=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.controller.last_frame is not None, timeout=WAIT_MS)
    yield win
    win.close()
