"""The View menu's look: the light and dark themes, and presentation mode for a projector.

Presentation mode (F11) magnifies every view and panel by the presentation scale (fonts,
line widths, symbols, margins: :mod:`.theme`), goes full screen, shows fewer views (the
lesson's, or the ones the teacher left on screen the last time; the tool bar keeps the run
controls) and, at the run's free speed,
limits it to a class speed so that the raster scrolls slowly enough to follow single spikes.
Leaving it puts the desk back as it was: layout, speed, window state. The theme and the
presentation scale are remembered between launches (QSettings); so is the presentation
layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from . import theme

if TYPE_CHECKING:
    from .window import MainWindow

__all__ = ["LookMenu", "CLASS_SPEED", "PRESENTATION_VIEWS", "DEFAULT_PRESENTATION_SCALE",
           "remembered_theme"]

#: Steps per second presentation mode limits a free-running network to: the raster then
#: shows some 200 steps (about ten seconds), each spike a block of its own.
CLASS_SPEED = 20.0
#: The views presentation mode shows when neither a lesson nor the teacher chose others.
PRESENTATION_VIEWS = ("raster", "connections")
DEFAULT_PRESENTATION_SCALE = 1.5
#: QSettings keys.
THEME_KEY = "look/theme"
SCALE_KEY = "look/presentation_scale"
LAYOUT_KEY = "look/presentation_layout"


def remembered_theme(settings: QSettings) -> theme.Theme:
    """The theme chosen the last time (the dark one at first, or for an unknown name)."""
    return theme.THEMES.get(str(settings.value(THEME_KEY, theme.DARK.name)), theme.DARK)


class LookMenu(QObject):
    """The theme and presentation actions of ``window``'s View menu, and what they do.

    Parameters
    ----------
    window : MainWindow
        The studio window (its docks, views, speed controls and settings).
    layout_version : int
        The window's dock layout version (a presentation layout of another is not restored).
    """

    def __init__(self, window: MainWindow, layout_version: int) -> None:
        super().__init__(window)
        self.window = window
        self.layout_version = layout_version
        self.presenting = False
        #: What presentation mode changed, to put back: the dock layout, full screen,
        #: maximised, the speed choice and value, the raster's window.
        self._desk: tuple[QByteArray, bool, bool, int, float, int | None] | None = None
        self._icon_sizes = {bar: bar.iconSize() for bar in window.findChildren(QToolBar)}
        settings = self._settings()
        self.theme = remembered_theme(settings)
        try:
            scale = float(settings.value(SCALE_KEY, DEFAULT_PRESENTATION_SCALE))
        except (TypeError, ValueError):
            scale = DEFAULT_PRESENTATION_SCALE
        self.scale = scale if scale in theme.PRESENTATION_SCALES else DEFAULT_PRESENTATION_SCALE
        self._build_actions()
        theme.apply_look(theme.Look(self.theme, 1.0))

    def _settings(self) -> QSettings:
        return self.window._settings()

    def _build_actions(self) -> None:
        menu = self.window.findChild(QMenu, "menuView")
        first = menu.actions()[0] if menu.actions() else None
        self.present_action = QAction("Presentation", self)
        self.present_action.setObjectName("actionPresentation")
        self.present_action.setCheckable(True)
        self.present_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.present_action.setToolTip("For a projector: everything larger, full screen, "
                                       "fewer views, a slow raster")
        self.present_action.toggled.connect(self.set_presenting)
        # A window shortcut works while the menu bar is hidden in full screen too.
        self.window.addAction(self.present_action)
        size_menu = QMenu("Presentation size", menu)
        size_menu.setObjectName("menuPresentationSize")
        sizes = QActionGroup(self)
        self.size_actions: dict[float, QAction] = {}
        for scale in theme.PRESENTATION_SCALES:
            act = size_menu.addAction(f"{scale:.0%}")
            act.setObjectName(f"actionPresentationSize{round(scale * 100)}")
            act.setCheckable(True)
            act.setChecked(scale == self.scale)
            act.triggered.connect(lambda _=False, s=scale: self.set_scale(s))
            sizes.addAction(act)
            self.size_actions[scale] = act
        theme_menu = QMenu("Theme", menu)
        theme_menu.setObjectName("menuTheme")
        themes = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for option in theme.THEMES.values():
            act = theme_menu.addAction(option.title)
            act.setObjectName(f"actionTheme_{option.name}")
            act.setCheckable(True)
            act.setChecked(option is self.theme)
            act.triggered.connect(lambda _=False, n=option.name: self.set_theme(n))
            themes.addAction(act)
            self.theme_actions[option.name] = act
        for entry in (self.present_action, size_menu.menuAction(), theme_menu.menuAction()):
            menu.insertAction(first, entry)
        menu.insertSeparator(first)

    # -- the look --------------------------------------------------------------------------
    def look(self) -> theme.Look:
        """The look the studio should have now."""
        return theme.Look(self.theme, self.scale if self.presenting else 1.0)

    def _apply(self) -> None:
        theme.apply_look(self.look())
        factor = self.look().scale
        for bar, size in self._icon_sizes.items():
            bar.setIconSize(QSize(round(size.width() * factor), round(size.height() * factor)))

    def set_theme(self, name: str, remember: bool = True) -> None:
        """Switch to the theme ``name`` (``"dark"`` or ``"light"``); ``remember`` it for the
        next launch."""
        if name not in theme.THEMES:
            raise ValueError(f"theme {name!r} is not one of {', '.join(theme.THEMES)}")
        self.theme = theme.THEMES[name]
        self.theme_actions[name].setChecked(True)
        if remember:
            self._settings().setValue(THEME_KEY, name)
        self._apply()

    def set_scale(self, scale: float) -> None:
        """Make ``scale`` the presentation scale (one of :data:`~.theme.PRESENTATION_SCALES`)."""
        if scale not in theme.PRESENTATION_SCALES:
            raise ValueError(f"presentation scale {scale:g} is not one of "
                             f"{', '.join(f'{s:g}' for s in theme.PRESENTATION_SCALES)}")
        self.scale = scale
        self.size_actions[scale].setChecked(True)
        self._settings().setValue(SCALE_KEY, scale)
        if self.presenting:
            self._apply()

    # -- presentation mode -------------------------------------------------------------------
    def set_presenting(self, on: bool) -> None:
        """Enter (``on``) or leave presentation mode."""
        if on == self.presenting:
            return
        if on:
            self._enter()
        else:
            self._leave()
        self.present_action.setChecked(on)

    def _enter(self) -> None:
        w = self.window
        self._desk = (w.saveState(self.layout_version), w.isFullScreen(), w.isMaximized(),
                      w.speed_combo.currentIndex(), float(w.speed_spin.value()),
                      w.views["raster"].manual_window)
        self.presenting = True
        self._apply()
        w.showFullScreen()
        saved = self._settings().value(LAYOUT_KEY)
        lesson = w.lesson.lesson
        if lesson is not None and lesson.views:
            self.show_only(lesson.views)
        elif saved is None or not w.restoreState(saved, self.layout_version):
            self.show_only(PRESENTATION_VIEWS)
        if lesson is not None:
            # A lesson without views of its own keeps its dock on screen whatever the layout.
            w.docks["lesson"].show()
        if w.speed_combo.isEnabled() and w.speed_combo.currentIndex() == 0:
            # A free-running network moves too fast for a class to follow its spikes.
            w.speed_spin.setValue(CLASS_SPEED)
            w.speed_combo.setCurrentIndex(1)
        w.views["raster"].set_window(None)

    def _leave(self) -> None:
        self.restore_desk()
        self.presenting = False
        self._apply()

    def restore_desk(self) -> None:
        """Put back what presentation mode changed but the look: the layout (remembering the
        presentation's for the next time), the window state, the speed, the raster's window.
        The window does this before it saves its layout on closing."""
        w = self.window
        if self._desk is None:
            return
        self._settings().setValue(LAYOUT_KEY, w.saveState(self.layout_version))
        state, full, maximized, speed_index, speed, raster_window = self._desk
        self._desk = None
        w.restoreState(state, self.layout_version)
        w._take_new_shares()
        if w.speed_combo.isEnabled():
            w.speed_spin.setValue(speed)
            w.speed_combo.setCurrentIndex(speed_index)
        w.views["raster"].set_window(raster_window)
        if not full:
            w.showMaximized() if maximized else w.showNormal()

    def show_only(self, views: tuple[str, ...]) -> None:
        """Show ``views`` (and the lesson, while one runs) large; hide every other dock.

        The lesson takes the left third, the first view the top of the rest and the second
        its bottom; any more are tabs behind the second (two views side by side would not
        fit at a projector's scale). The View menu still brings back any other dock.
        """
        w = self.window
        views = tuple(v for v in dict.fromkeys(views) if v in w.docks)[:6] or PRESENTATION_VIEWS
        panels = ("lesson",) if w.lesson.lesson is not None else ()
        keep = set(views) | set(panels)
        for name, dock in w.docks.items():
            dock.setFloating(False)
            dock.setVisible(name in keep)
        docks = [w.docks[name] for name in views]
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, docks[0])
        if len(docks) > 1:
            w.splitDockWidget(docks[0], docks[1], Qt.Orientation.Vertical)
        for dock in docks[2:]:
            w.tabifyDockWidget(docks[1], dock)
        for dock in docks:
            dock.show()
        if len(docks) > 1:
            docks[1].raise_()
        if panels:
            w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, w.docks["lesson"])
        # The docks' shares of the window: the window gives them their sizes now and again
        # after every resize, so they hold once it has reached full screen too.
        wide = 0.66 if panels else 1.0
        shares = {views[0]: (wide, 0.55)}
        shares.update({name: (wide, 0.45) for name in views[1:]})
        if panels:
            shares["lesson"] = (1.0 - wide, 1.0)
        w.set_shares(shares)

    def lesson_started(self, views: tuple[str, ...]) -> None:
        """A lesson began: in presentation mode, show only its views (and its dock)."""
        if not self.presenting:
            return
        if views:
            self.show_only(views)
        self.window.docks["lesson"].show()
        self.window.docks["lesson"].raise_()
