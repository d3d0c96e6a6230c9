"""Classroom mode: presentation mode scales every view and panel and shows fewer views at a
class speed; the light and dark themes are remembered and followed by every view, legend
and export."""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
import pytest
from helpers import WAIT_MS
from images import pixels
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel

from sorn_studio.app import theme
from sorn_studio.app.export import export_widget, render_image
from sorn_studio.app.plots import _View
from sorn_studio.app.presentation import CLASS_SPEED, PRESENTATION_VIEWS
from sorn_studio.app.window import SETTINGS_APP, SETTINGS_ORG, VIEW_DOCKS, MainWindow
from sorn_studio.lessons import find_lesson
from sorn_studio.paths import resources_dir
from sorn_studio.studio.views import VIEW_NAMES


def on_screen_height(view: _View, item) -> float:
    """How many screen pixels tall ``item`` of ``view``'s scene is drawn."""
    return view.mapFromScene(item.sceneBoundingRect()).boundingRect().height()


def widths(view: _View) -> dict[int, float]:
    """The pen width of every curve of ``view`` (by item), in screen pixels."""
    return {id(item): item.opts["pen"].widthF() for item in view.scene().items()
            if isinstance(item, pg.PlotDataItem)
            and item.opts["pen"].style() != Qt.PenStyle.NoPen}


def test_the_docks_are_the_views_files_may_name():
    assert tuple(VIEW_DOCKS) == VIEW_NAMES


def test_presentation_mode_scales_every_view_and_panel_and_comes_back(qtbot, window):
    window.step(300)
    qtbot.waitUntil(lambda: window.controller.last_frame.step >= 300, timeout=WAIT_MS)
    raster = window.views["raster"]
    header = on_screen_height(raster, raster.header)
    before = {name: widths(view) for name, view in window.views.items()}
    ticks = window.views["connections"].steps.ticks.opts["size"]
    icons = window.findChild(type(window.timeline_bar.parent()), "mainToolBar").iconSize()
    label = window.controls.findChild(QLabel, "presetSummary")
    font = label.font().pointSizeF()
    desk = {name for name, dock in window.docks.items() if dock.isVisible()}
    scale = window.look_menu.scale
    assert scale == 1.5
    assert "Presentation: F11" in window.shortcut_lines()      # Help -> Keyboard shortcuts

    window.findChild(type(window.action("actionPlay")), "actionPresentation").trigger()
    qtbot.waitUntil(window.isFullScreen, timeout=WAIT_MS)
    assert window.look_menu.presenting and theme.current_look().scale == scale
    compared = 0
    for name, view in window.views.items():
        assert view.zoom == scale and view.transform().m11() == scale, name
        # Line widths grow with it (pyqtgraph draws them in screen pixels).
        now = widths(view)
        assert now.keys() == before[name].keys(), name
        assert all(now[k] == pytest.approx(w * scale) for k, w in before[name].items()), name
        compared += len(now)
    assert compared > 20
    # Text is drawn larger: the raster's header takes 1.5 times the screen pixels.
    assert on_screen_height(raster, raster.header) == pytest.approx(header * scale, rel=0.1)
    assert window.views["connections"].steps.ticks.opts["size"] == pytest.approx(ticks * scale)
    # The panels follow: the style sheet's fonts and the tool bar's icons.
    qtbot.waitUntil(lambda: label.font().pointSizeF() == pytest.approx(font * scale),
                    timeout=WAIT_MS)
    bar = window.findChild(type(window.timeline_bar.parent()), "mainToolBar")
    assert bar.iconSize().width() == round(icons.width() * scale)
    # Fewer views: the default two, no panels (no lesson runs); a class speed; a raster
    # following it.
    shown = {name for name, dock in window.docks.items() if dock.isVisible()}
    assert shown == set(PRESENTATION_VIEWS)
    assert window.speed_combo.currentIndex() == 1 and window.speed_spin.value() == CLASS_SPEED
    assert raster.manual_window is None
    qtbot.waitUntil(lambda: window.controller.last_frame.status.speed_limit == CLASS_SPEED,
                    timeout=WAIT_MS)

    # An export while presenting draws the lines at their desk width (the image's pixel
    # ratio carries the zoom) and leaves the view as it was.
    connections = window.views["connections"]
    shown = widths(connections)
    image = render_image(connections)
    assert image.width() == round(connections.sceneRect().width() * scale)
    assert widths(connections) == shown

    window.look_menu.set_presenting(False)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=WAIT_MS)
    for name, view in window.views.items():
        assert view.zoom == 1 and view.transform().m11() == 1, name
        assert widths(view) == before[name], name
    assert on_screen_height(raster, raster.header) == pytest.approx(header, rel=0.05)
    qtbot.waitUntil(lambda: label.font().pointSizeF() == pytest.approx(font), timeout=WAIT_MS)
    assert {name for name, dock in window.docks.items() if dock.isVisible()} == desk
    assert window.speed_combo.currentIndex() == 0
    assert raster.manual_window is None and not window.last_error
    # Twice more, in the light theme: nothing drifts.
    window.look_menu.set_theme("light")
    light = {name: widths(view) for name, view in window.views.items()}
    for _ in range(2):
        window.look_menu.set_presenting(True)
        window.look_menu.set_presenting(False)
    assert {name: widths(view) for name, view in window.views.items()} == light
    assert raster.curve_e.opts["pen"].color().name() == theme.LIGHT.to_theme(theme.E_COLOR)


def test_presentation_shows_the_lessons_views_and_the_teachers_choice(qtbot, window):
    lesson = find_lesson("intrinsic_plasticity")
    window.lesson.start(lesson)
    qtbot.waitUntil(lambda: window.lesson.begun == 0, timeout=WAIT_MS)
    window.look_menu.set_presenting(True)
    shown = {name for name, dock in window.docks.items() if dock.isVisible()}
    # The lesson names raster, thresholds and distributions; the third is a tab.
    assert shown == {"lesson", "raster", "thresholds", "distributions"}
    assert window.speed_combo.currentIndex() == 1       # the lesson leaves the speed free
    # The teacher's own choice is remembered for the next time without a lesson.
    window.lesson.stop()
    window.docks["weights"].show()
    window.docks["thresholds"].hide()
    window.look_menu.set_presenting(False)
    window.look_menu.set_presenting(True)
    shown = {name for name, dock in window.docks.items() if dock.isVisible()}
    assert {"weights", "raster"} <= shown and "thresholds" not in shown
    window.look_menu.set_presenting(False)


def test_closing_while_presenting_remembers_the_desk_layout(qtbot, window):
    window.remember_layout = True
    desk = {name for name, dock in window.docks.items() if not dock.isHidden()}
    window.views["raster"].set_window(500)
    window.look_menu.set_presenting(True)
    assert window.views["raster"].manual_window is None
    assert {name for name, dock in window.docks.items() if not dock.isHidden()} != desk
    window.close()
    # What was saved on closing is the desk: its docks, not full screen, the raster's window.
    assert not window.isFullScreen() and window.views["raster"].manual_window == 500
    assert {name for name, dock in window.docks.items() if not dock.isHidden()} == desk
    assert QSettings(SETTINGS_ORG, SETTINGS_APP).value("window/state") is not None
    # The closed window takes no more looks, and the next window starts at the desk's scale.
    assert window.views["raster"] not in theme._followers
    assert theme.current_look().scale == 1.0


def test_the_theme_is_remembered_and_every_view_legend_and_export_follows(qtbot, window,
                                                                         tmp_path):
    win = window
    win.step(300)
    qtbot.waitUntil(lambda: win.controller.last_frame is not None
                    and win.controller.last_frame.step >= 300, timeout=WAIT_MS)
    raster = win.views["raster"]
    dark_pen = raster.curve_e.opts["pen"].color().name()
    assert dark_pen == theme.E_COLOR
    win.look_menu.set_theme("light")
    light = theme.LIGHT
    assert "#f4f5f8" in QApplication.instance().styleSheet()      # the panels' light grey
    for name, view in win.views.items():
        assert view.backgroundBrush().color().name() == light.background, name
    assert raster.curve_e.opts["pen"].color().name() == light.to_theme(theme.E_COLOR)
    # Legends and titles carry their colours in HTML: those follow too.
    legend = win.views["thresholds"]._legends[0][0]
    assert light.to_theme(theme.E_COLOR) in legend.text and theme.E_COLOR not in legend.text
    # An export draws what the screen shows by default, or the other theme when asked; the
    # view is left as it was.
    view = win.views["connections"]
    on_screen = pixels(view.grab().toImage())
    assert (on_screen.min(axis=2) > 245).mean() > 0.5
    png = QImage(str(export_widget(view, tmp_path / "c.png")))
    assert (pixels(png).min(axis=2) > 245).mean() > 0.5
    dark = pixels(render_image(view, theme_name="dark"))
    assert (dark.max(axis=2) < 40).mean() > 0.5
    assert np.array_equal(on_screen, pixels(view.grab().toImage()))
    # The next launch starts in the light theme.
    win.close()
    theme.apply_look(theme.Look())
    again = MainWindow(preset="zheng2013", seed=1, remember_layout=False)
    qtbot.addWidget(again)
    assert again.look_menu.theme is light and theme.current_look().theme is light
    assert again.views["raster"].backgroundBrush().color().name() == light.background
    again.look_menu.set_theme("dark")
    assert again.views["raster"].curve_e.opts["pen"].color().name() == theme.E_COLOR
    # What pyqtgraph draws white by itself (a colour bar's handles) is not taken for the light
    # background on the way back.
    handles = [item for item in again.views["weights"].scene().items()
               if isinstance(item, pg.InfiniteLine)
               and isinstance(item.parentItem(), pg.LinearRegionItem)]
    assert len(handles) == 6                              # two per matrix's colour bar
    assert {h.pen.color().name() for h in handles} == {"#ffffff"}
    again.close()


def test_the_light_theme_has_a_colour_for_every_dark_one_of_the_panels():
    qss = (resources_dir() / "style.qss").read_text(encoding="utf-8")
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", qss)}
    assert used <= set(theme.LIGHT.panel_colors)
    light = theme.style_sheet(theme.Look(theme.LIGHT, 2.0))
    assert not used & {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", light)} - set(
        theme.LIGHT.panel_colors.values())
    assert "font-size: 20pt" in light and "font-size: 10pt" not in light
    with pytest.raises(ValueError, match="maps two colours to one"):
        theme.Theme("bad", "Bad", {"#000001": "#ffffff", "#000002": "#ffffff"}, {})
