"""The window works at 1024x700 and up, and sizes survive a round trip (issue 13, point 3)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import WAIT_MS
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from sorn_studio.app.window import MainWindow


@pytest.fixture
def studio(qtbot) -> Iterator[MainWindow]:
    win = MainWindow(preset="zheng2013", seed=1, remember_layout=False)
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    qtbot.waitUntil(lambda: win.controller.last_frame is not None, timeout=WAIT_MS)
    win.step(200)
    qtbot.waitUntil(lambda: win.controller.last_frame.step == 200
                    and not win.controller.running, timeout=WAIT_MS)
    qtbot.wait(100)
    yield win
    win.close()


def settle(qtbot, win: MainWindow, width: int, height: int) -> None:
    """Resize the window and wait until the views have their shares back and stay put.

    The window gives the views their shares from a timer after the resize, and Qt applies
    them on a later layout pass; on a busy machine both can come well after the window has
    its new size, so a fixed wait is not enough.
    """
    win.resize(width, height)
    qtbot.waitUntil(lambda: win.width() == width and win.height() == height, timeout=WAIT_MS)
    seen: list[dict[str, int]] = []

    def stable() -> bool:
        seen.append({name: dock.width() for name, dock in win.docks.items()})
        return (not win._resized.isActive() and len(seen) >= 4
                and seen[-1] == seen[-2] == seen[-3] == seen[-4])

    qtbot.waitUntil(stable, timeout=WAIT_MS)


def widths(win: MainWindow) -> dict[str, int]:
    return {name: dock.width() for name, dock in win.docks.items()
            if dock.isVisible() and not dock.visibleRegion().isEmpty()}


@pytest.mark.parametrize("size", [(1024, 700), (1280, 800), (1920, 1200)])
def test_every_view_is_inside_the_window_and_wide_enough_for_its_plots(studio, qtbot, size):
    settle(qtbot, studio, *size)
    inside = studio.rect()
    for name, dock in studio.docks.items():
        if not dock.isVisible() or dock.visibleRegion().isEmpty():
            continue   # a tab behind another one
        assert inside.contains(dock.geometry()), (name, dock.geometry(), inside)
    for name, view in studio.views.items():
        if not studio.is_showing(name):
            continue
        least = view.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        # The plots fit the view: nothing is cut off at its right or bottom edge.
        assert view.width() >= least.width() and view.height() >= least.height(), (
            name, view.size(), least)


def test_the_controls_are_no_wider_than_a_small_window_allows(studio, qtbot):
    settle(qtbot, studio, 1024, 700)
    assert studio.docks["controls"].width() <= 0.4 * 1024


def test_sizes_survive_a_round_trip_through_a_small_window(studio, qtbot):
    before = widths(studio)
    settle(qtbot, studio, 1024, 700)
    settle(qtbot, studio, 1920, 1200)
    settle(qtbot, studio, 1600, 1000)
    after = widths(studio)
    assert after.keys() == before.keys()
    for name, width in before.items():
        assert abs(after[name] - width) <= 3, (name, width, after[name])


def test_a_size_the_user_sets_is_kept_through_resizes(studio, qtbot):
    controls, raster = studio.docks["controls"], studio.docks["raster"]
    before = controls.width()
    studio.resizeDocks([controls], [before + 80], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    # Letting go of the separator is what tells the window a size was chosen.
    release = QMouseEvent(QEvent.Type.MouseButtonRelease, QPointF(5, 5), QPointF(5, 5),
                          Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(studio, release)
    qtbot.wait(50)
    chosen = controls.width()
    assert chosen > before + 20 and raster.width() > 0
    settle(qtbot, studio, 1280, 900)
    settle(qtbot, studio, 1600, 1000)
    assert abs(controls.width() - chosen) <= 3
