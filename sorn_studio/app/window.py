"""The main window: forms from ``ui/``, docks with the live views, controls and status bar.

The window only paints and forwards requests: every change to the simulation goes through the
:class:`~sorn_studio.app.controller.Controller`, and every view is fed from frames.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSpinBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from ..params import FieldSpec, Params
from ..presets import DEFAULT_PRESET, get_preset, list_presets
from ..studio.defaults import make_simulation
from ..studio.frames import Frame
from ..studio.texts import step_text
from . import file_dialogs
from .analysis_views import AvalanchesView, ISIView, LifetimesView, ReadoutView
from .attribution_view import NOW, AttributionView
from .change_log import ChangeLogView, connect_jumps
from .compare_window import CompareWindow
from .controller import FRAME_RATE, Controller
from .discard import Choice, ask_to_discard, asks_before_discarding, set_asks_before_discarding
from .export import export_widget
from .export_dialog import ExportOptions, ExportOptionsDialog
from .fields import FloatField, IntField, RefusalNote
from .forms import icon, load_form
from .help import FIELD_SECTIONS, ModelHelp, view_help
from .lesson_view import LessonView
from .param_panel import ParamModel, ParamPanel, bind_editor, field_applies, format_value
from .plots import (
    ConnectionsView,
    DistributionsView,
    RasterView,
    ThresholdsView,
    WeightsView,
    connect_selection,
)
from .presentation import LookMenu, remembered_theme
from .sweep_window import SweepWindow
from .theme import (
    MARKER_COLOR,
    Look,
    color_name,
    current_look,
    follow_look,
    forget_followers,
    set_current_look,
    style_sheet,
)
from .timeline import BranchesView, TimelineBar, memory_text

if TYPE_CHECKING:
    from ..engine import Simulation
    from ..lessons.format import Lesson
    from ..session import SessionInfo

__all__ = ["MainWindow", "SETTINGS_ORG", "SETTINGS_APP", "VIEW_DOCKS"]

SETTINGS_ORG = "SORN Studio"
SETTINGS_APP = "SORN Studio"
#: Bump when the dock layout changes so an old saved layout is not restored onto a new one.
LAYOUT_VERSION = 3
#: View name -> (dock object name, host object name, view class).
VIEW_DOCKS: dict[str, tuple[str, str, type]] = {
    "raster": ("dockRaster", "rasterHost", RasterView),
    "weights": ("dockWeights", "weightsHost", WeightsView),
    "connections": ("dockConnections", "connectionsHost", ConnectionsView),
    "thresholds": ("dockThresholds", "thresholdsHost", ThresholdsView),
    "distributions": ("dockDistributions", "distributionsHost", DistributionsView),
    "isi": ("dockISI", "isiHost", ISIView),
    "lifetimes": ("dockLifetimes", "lifetimesHost", LifetimesView),
    "avalanches": ("dockAvalanches", "avalanchesHost", AvalanchesView),
    "readout": ("dockReadout", "readoutHost", ReadoutView),
    "attribution": ("dockAttribution", "attributionHost", AttributionView),
}
#: The play / pause key.
SPACE = QKeySequence(Qt.Key.Key_Space)
#: Slowest speed the run controls offer (steps per second).
MIN_SPEED = 0.1
#: Characters a combo box of the controls shows at least (it may grow wider).
COMBO_CHARACTERS = 6
#: Analysis views that share the distributions dock's place as tabs by default.
TABBED_VIEWS = ("isi", "lifetimes", "avalanches", "readout", "attribution")
#: Parameter fields in the run controls -> object names of their widget and label.
_CONTROL_FIELDS = {"input_kind": ("inputCombo", "inputLabel"),
                   "counting_n": ("countingNSpin", "countingLabel"),
                   "words": ("wordsEdit", "wordsLabel"), "noise_sigma": ("noiseSpin", "noiseLabel")}
_INPUTS = (("none", "None (spontaneous)"), ("random", "Random symbols"),
           ("counting", "Counting task (A B\u207f C)"), ("words", "Words"),
           ("raw", "Raw (uniform random, as sorn 0.7.4)"))


class MainWindow(QMainWindow):
    """SORN Studio's main window.

    Parameters
    ----------
    params : Params, optional
        Parameters of the network to start with (the default preset's when omitted).
    preset : str, optional
        Name of the preset they came from.
    seed : int
        Seed of the network.
    sim : Simulation, optional
        Drive this simulation instead of building one (e.g. a loaded session).
    remember_layout : bool
        Restore the dock layout saved by the last session, and save it on close.
    frame_rate : float
        Frames per second painted (at most 60).

    Signals
    -------
    closed()
        The window closed and the worker thread ended.
    """

    closed = Signal()

    def __init__(self, params: Params | None = None, preset: str | None = None, seed: int = 0,
                 sim: Simulation | None = None, remember_layout: bool = True,
                 frame_rate: float = FRAME_RATE) -> None:
        super().__init__()
        load_form("main_window.ui", self)
        # The remembered theme before any view exists: setting a style sheet costs little
        # while there are few widgets, and the views are then made in the theme they show.
        set_current_look(Look(remembered_theme(self._settings()), current_look().scale))
        app = QApplication.instance()
        if isinstance(app, QApplication) and app.styleSheet() != style_sheet():
            app.setStyleSheet(style_sheet())
        self.setWindowIcon(icon("app"))
        if sim is None:
            if params is None:
                preset = preset or DEFAULT_PRESET
                params = get_preset(preset).params
            sim = make_simulation(params, seed)
        self.remember_layout = remember_layout
        self.model = ParamModel(sim.params, self)
        self.controller = Controller(sim, preset, frame_rate=frame_rate, parent=self)
        self.last_error: str | None = None
        self.error_box: QMessageBox | None = None
        self._epoch = -1
        self._turn = 0
        self._tick = 0
        self._closing = False
        # False while nobody can click a dialog away (a scripted run that closes by itself):
        # show_error then only records the error, for whoever turned the dialogs off.
        self.interactive_errors = True
        # False where nobody can answer a question (a scripted run): runs are then discarded
        # without asking, whatever the setting says.
        self.confirm_discard = True
        self._discard_agreed = False

        self.compare_window: CompareWindow | None = None
        self.sweep_window: SweepWindow | None = None
        self.views: dict[str, Any] = {}
        self.docks: dict[str, QDockWidget] = {}
        for name, (dock_name, host_name, cls) in VIEW_DOCKS.items():
            view = cls()
            view.setObjectName(f"{name}View")
            self._child(QWidget, host_name).layout().addWidget(view)
            self.views[name] = view
            dock = self._child(QDockWidget, dock_name)
            self.docks[name] = dock
            dock.visibilityChanged.connect(self._dock_shown)
        connect_selection(self.views["weights"], self.views["raster"], self.views["thresholds"])
        self.docks["controls"] = self._child(QDockWidget, "dockControls")
        self.docks["params"] = self._child(QDockWidget, "dockParams")
        self.change_log = ChangeLogView()
        self._child(QWidget, "changesHost").layout().addWidget(self.change_log)
        self.docks["changes"] = self._child(QDockWidget, "dockChanges")
        connect_jumps(self.change_log, self.views["connections"], self.views["thresholds"])
        self.branches = BranchesView()
        self._child(QWidget, "branchesHost").layout().addWidget(self.branches)
        self.docks["branches"] = self._child(QDockWidget, "dockBranches")
        self.timeline_bar = TimelineBar()
        self._setup_timeline()
        #: The run controls' own tooltips, while a lesson's lock replaces them.
        self._free_tips: dict[str, str] = {}
        self.lesson = LessonView(self.controller, self.restrict,
                                 lambda action, then: self._unless_unsaved(action, then))
        # Scrolled, so that a long step never makes the window taller than the screen.
        lesson_scroll = QScrollArea()
        lesson_scroll.setObjectName("lessonScroll")
        lesson_scroll.setWidgetResizable(True)
        lesson_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        lesson_scroll.setWidget(self.lesson)
        self._child(QWidget, "lessonHost").layout().addWidget(lesson_scroll)
        self.docks["lesson"] = self._child(QDockWidget, "dockLesson")
        self.controller.frame.connect(self.lesson.update_frame)
        self.lesson.step_changed.connect(lambda _n: self.docks["lesson"].raise_())
        for dock in self.docks.values():
            dock.dockLocationChanged.connect(lambda _area: self._take_new_shares())

        self.controls = load_form("run_controls.ui")
        self._child(QWidget, "controlsHost").layout().addWidget(self.controls)
        self.param_panel = ParamPanel(self.model)
        self._child(QWidget, "paramsHost").layout().addWidget(self.param_panel)

        self._setup_actions()
        self._setup_controls(sim, preset)
        self._setup_status_bar()
        follow_look(self)
        self.look_menu = LookMenu(self, LAYOUT_VERSION)
        self.lesson.lesson_started.connect(self._lesson_started)
        self.model.live_edit.connect(self.controller.apply_live)
        self.model.pending_changed.connect(self._show_pending)
        self.controller.frame.connect(self.show_frame)
        self.controller.frame.connect(self.change_log.update_frame)
        self.controller.frame.connect(self.branches.update_frame)
        self.controller.frame.connect(self.timeline_bar.update_frame)
        self.branches.switch_requested.connect(self.controller.switch_branch)
        self.branches.delete_requested.connect(self.controller.delete_branch)
        self.change_log.branch_before_requested.connect(self.controller.branch_before)
        self.timeline_bar.go_to_requested.connect(self.controller.go_to)
        for name in ("connections", "thresholds", "attribution"):
            self.views[name].go_to_requested.connect(self.controller.go_to)
            self.views[name].branch_before_requested.connect(self.controller.branch_before)
        attribution = self.views["attribution"]
        attribution.measure_toggled.connect(self.controller.measure_attribution)
        attribution.weight_change_requested.connect(
            lambda start, end: self.controller.weight_change(
                start, None if end == NOW else end,
                lambda change, s=start, e=end: attribution.show_weight_change(s, e, change)))
        self.controller.error.connect(self.show_error)
        self.controller.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.controller.session_loaded.connect(self._session_loaded)
        self.controller.running_changed.connect(self._show_running)

        #: Each docked view's share of the window (width, height), kept through resizes.
        self._shares: dict[str, tuple[float, float]] = {}
        self._resized = QTimer(self)
        self._resized.setSingleShot(True)
        self._resized.timeout.connect(self._restore_shares)
        self._arrange_default()
        self._default_state = self.saveState(LAYOUT_VERSION)
        if remember_layout:
            self._restore_layout()
        self.show_preset_views(preset)
        self._show_running(self.controller.running)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # Space on a focused button, check box or list keeps its usual meaning. Watched
            # through focus changes, not an application event filter: a Python filter sees
            # every event of the application, and a new style sheet sends hundreds of
            # thousands of them.
            app.focusChanged.connect(self._focus_moved)
        self.controller.start()

    # -- construction helpers --------------------------------------------------------------------
    def _child(self, cls: type, name: str, parent: QWidget | None = None) -> Any:
        widget = (parent or self).findChild(cls, name)
        if widget is None:
            raise RuntimeError(f"the form has no {cls.__name__} named {name!r}")
        return widget

    def action(self, name: str) -> QAction:
        """The action ``name`` of the main form (e.g. ``"actionPlay"``)."""
        return self._child(QAction, name)

    def _set_icons(self) -> None:
        """The actions' icons, drawn for the current theme."""
        icons = {"actionPlay": "play", "actionPause": "pause", "actionStep": "step",
                 "actionStepN": "step_n", "actionReset": "reset",
                 "actionOpenSession": "open", "actionExportSession": "save"}
        for name, icon_name in icons.items():
            self.action(name).setIcon(icon(icon_name))
        self._child(QMenu, "menuExportPlot").setIcon(icon("export"))

    def _setup_actions(self) -> None:
        self._set_icons()
        self.action("actionPlay").triggered.connect(self.play)
        self.action("actionPause").triggered.connect(self.pause)
        self.action("actionStep").triggered.connect(lambda: self.step(1))
        self.action("actionStepN").triggered.connect(self._step_n)
        self.action("actionReset").triggered.connect(
            lambda: self._unless_unsaved("Reset", self.reset))
        self.action("actionOpenSession").triggered.connect(self._open_session_dialog)
        self.action("actionExportSession").triggered.connect(self._export_session_dialog)
        self.action("actionQuit").triggered.connect(self.close)
        self.action("actionResetLayout").triggered.connect(self.reset_layout)
        self.action("actionAbout").triggered.connect(self._about)
        self._setup_help()
        ask = QAction("Ask before discarding a run", self)
        ask.setObjectName("actionAskBeforeDiscard")
        ask.setCheckable(True)
        ask.setChecked(asks_before_discarding(self._settings()))
        ask.setToolTip("Before Reset, a preset, Open or Quit replaces a run with unsaved "
                       "steps, offer to save it")
        ask.toggled.connect(lambda on: set_asks_before_discarding(self._settings(), on))
        self._child(QMenu, "menuRun").addAction(ask)
        menu_view = self._child(QMenu, "menuView")
        for dock in self.docks.values():
            menu_view.addAction(dock.toggleViewAction())
        menu_export = self._child(QMenu, "menuExportPlot")
        for name, view in self.views.items():
            act = menu_export.addAction(f"{view.title}\u2026")
            act.setObjectName(f"actionExport_{name}")
            act.triggered.connect(lambda _=False, n=name: self._export_plot_dialog(n))
        compare = QAction("Compare variants\u2026", self)
        compare.setObjectName("actionCompare")
        compare.setShortcut(QKeySequence("Ctrl+K"))
        compare.setToolTip("Run the network and up to four variants of it side by side, on the "
                           "same input and noise, from its state now")
        compare.triggered.connect(self.open_compare)
        self._child(QMenu, "menuRun").addAction(compare)
        sweep = QAction("Sweep from here\u2026", self)
        sweep.setObjectName("actionSweep")
        sweep.setShortcut(QKeySequence("Ctrl+Shift+K"))
        sweep.setToolTip("Continue the network over a grid of one or two live parameters (and "
                         "kinds of noise), headless on a local Dask cluster")
        sweep.triggered.connect(self.open_sweep)
        self._child(QMenu, "menuRun").addAction(sweep)
        play_pause = self.play_pause = QAction("Play / pause", self)
        play_pause.setObjectName("actionPlayPause")
        # A window shortcut: a focused text field takes the Space key first (Qt asks it with a
        # ShortcutOverride), so typing a space into Words still works.
        play_pause.setShortcut(SPACE)
        play_pause.setToolTip("Run the network, or pause it when it runs")
        play_pause.triggered.connect(self.toggle_play)
        self._child(QMenu, "menuRun").insertAction(self.action("actionStep"), play_pause)
        self.addAction(play_pause)
        self._name_shortcuts()

    def _name_shortcuts(self) -> None:
        """End the tooltip of every action that has a shortcut with it ("Play (F5, Space)")."""
        for action in self.findChildren(QAction):
            keys = list(action.shortcuts())
            if action.objectName() in ("actionPlay", "actionPause"):
                keys.append(SPACE)  # through Play / pause, which does whichever applies
            if not keys:
                continue
            names = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
            action.setToolTip(f"{action.toolTip()} ({names})")

    def _setup_controls(self, sim: Simulation, preset: str | None) -> None:
        c = self.controls
        for button, action in (("playButton", "actionPlay"), ("pauseButton", "actionPause"),
                               ("stepButton", "actionStep"), ("stepNButton", "actionStepN"),
                               ("resetButton", "actionReset")):
            tool = self._child(QToolButton, button, c)
            tool.setDefaultAction(self.action(action))
        for combo in c.findChildren(QComboBox):
            # A long entry ("Raw (uniform random, as sorn 0.7.4)") must not set the dock's
            # minimum width: the box shows what fits, the open list shows every entry whole.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(COMBO_CHARACTERS)
        self.pending_label = self._child(QLabel, "pendingLabel", c)
        self.message_label = self._child(QLabel, "messageLabel", c)
        self.message_label.setProperty("refusal", True)
        # One place for every refusal in the controls: the field turns red, the message
        # appears under the fields.
        self.controls_note = RefusalNote(self.message_label)
        self.seed_spin = self._child(IntField, "seedSpin", c)
        self.seed_spin.set_spec(FieldSpec("Seed", low=0, high=2**31 - 1))
        self.seed_spin.setValue(int(sim.seed) % 2**31)
        step_n = self._child(IntField, "stepNSpin", c)
        step_n.set_spec(FieldSpec("Step N", "steps", 1, step_n.maximum()))
        self.preset_combo = self._child(QComboBox, "presetCombo", c)
        self._presets = {name: get_preset(name) for name in list_presets()}
        for name, info in self._presets.items():
            self.preset_combo.addItem(info.title, name)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(preset))
        if self.preset_combo.currentIndex() < 0:
            self.preset_combo.setCurrentIndex(-1)
            self.preset_combo.setPlaceholderText("(custom parameters)")
        self.preset_combo.activated.connect(self._preset_activated)
        self.revert_action = QAction("Reset to preset values", self)
        self.revert_action.setObjectName("actionRevertPreset")
        self.revert_action.setIconText("Revert")
        self.revert_action.setToolTip("Reset to preset values: every parameter back to the "
                                      "preset's (live ones at once, structural ones on Reset)")
        self.revert_action.triggered.connect(
            lambda: self.model.restore(self._presets[self.controller.preset].params))
        self._child(QToolButton, "presetRevertButton", c).setDefaultAction(self.revert_action)
        self._child(QMenu, "menuRun").addAction(self.revert_action)
        self.speed_combo = self._child(QComboBox, "speedCombo", c)
        self.speed_spin = self._child(FloatField, "speedSpin", c)
        # Below one step per second a class can follow single spikes.
        self.speed_spin.set_spec(FieldSpec("Speed", "steps/s", MIN_SPEED,
                                           self.speed_spin.maximum()))
        self.speed_combo.currentIndexChanged.connect(self._speed_changed)
        self.speed_spin.valueChanged.connect(self._speed_changed)
        self.speed_spin.setEnabled(False)
        # Step N is at full speed anyway while the speed is not limited.
        self._child(QCheckBox, "stepNFullSpeedCheck", c).setEnabled(False)
        for field in (self.seed_spin, step_n, self.speed_spin):
            self.controls_note.watch(field)
        inputs = self._child(QComboBox, "inputCombo", c)
        for kind, text in _INPUTS:
            inputs.addItem(text, kind)
        for name, cls in (("input_kind", QComboBox), ("counting_n", IntField),
                          ("words", QLineEdit), ("noise_sigma", FloatField)):
            widget = self._child(cls, _CONTROL_FIELDS[name][0], c)
            bind_editor(widget, name, self.model, self.controls_note)
        self._show_pending()

    def restrict(self, locked: tuple[str, ...], hidden: tuple[str, ...], reason: str) -> None:
        """Lock and hide what a lesson names: parameter fields and run controls (``preset``,
        ``seed``, ``input``, ``reset``, ``speed``); with nothing, free them all."""
        self.param_panel.restrict(locked, hidden, reason)
        controls = {"preset": self.preset_combo, "seed": self.seed_spin,
                    "input": self._child(QComboBox, "inputCombo"), "speed": self.speed_combo,
                    "reset": self.action("actionReset")}
        for name, widget in controls.items():
            free = self._free_tips.setdefault(name, widget.toolTip())
            lock = name in locked
            widget.setEnabled(not lock)
            widget.setToolTip(f"Locked by the lesson: {reason}" if lock else free)
            if isinstance(widget, QWidget):
                widget.setVisible(name not in hidden)

    def _setup_timeline(self) -> None:
        """The timeline bar in a toolbar row of its own under the run controls."""
        bar = QToolBar("Timeline", self)
        bar.setObjectName("timelineToolBar")
        bar.setMovable(False)
        title = QLabel("  Timeline ")
        title.setToolTip(self.timeline_bar.toolTip())
        bar.addWidget(title)
        bar.addWidget(self.timeline_bar)
        self.timeline_memory = QLabel("")
        self.timeline_memory.setObjectName("timelineMemory")
        self.timeline_memory.setToolTip("Checkpoints are full copies of the network every so "
                                        "many steps, within this memory; when it is full they "
                                        "are thinned evenly over the run")
        bar.addWidget(self.timeline_memory)
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.controller.frame.connect(self._show_timeline_memory)

    def _show_timeline_memory(self, frame: Frame) -> None:
        if frame.timeline is not None:
            text = f"  {memory_text(frame.timeline)}  "
            if text != self.timeline_memory.text():
                self.timeline_memory.setText(text)

    def _setup_status_bar(self) -> None:
        # How far a "step N" is; shown only while one runs.
        self.step_progress = QProgressBar()
        self.step_progress.setObjectName("stepProgress")
        self.step_progress.setToolTip("Steps done of the Step N under way")
        self.step_progress.setMaximumWidth(220)
        self.step_progress.hide()
        self.statusBar().addPermanentWidget(self.step_progress)
        self.status: dict[str, QLabel] = {}
        for key, tip in (("step", "Steps simulated"), ("sim_rate", "Simulation speed"),
                         ("fps", "Frames painted per second"),
                         ("rate", "Mean excitatory firing rate over the raster window"),
                         ("fraction", "Existing E\u2192E synapses over all possible ones")):
            label = QLabel()
            label.setObjectName(f"status_{key}")
            label.setToolTip(tip)
            self.statusBar().addPermanentWidget(label)
            self.status[key] = label
        self._setup_start_hint()
        self._update_status(None)

    def _setup_start_hint(self) -> None:
        """A line above the raster saying how to start, until the network first runs."""
        self.start_hint = QLabel(
            "The network waits at step 0: press <b>Play</b> (Space or F5) to run it, or "
            "<b>Step</b> (F10) to go one step at a time.")
        self.start_hint.setObjectName("startHint")
        self.start_hint.setWordWrap(True)
        self.start_hint.setTextFormat(Qt.TextFormat.RichText)
        self._child(QWidget, "rasterHost").layout().insertWidget(0, self.start_hint)

    def _arrange_default(self) -> None:
        d = self.docks
        for dock in d.values():
            dock.setFloating(False)
            dock.show()
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, d["controls"])
        self.splitDockWidget(d["controls"], d["params"], Qt.Orientation.Vertical)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d["raster"])
        self.splitDockWidget(d["raster"], d["weights"], Qt.Orientation.Horizontal)
        self.splitDockWidget(d["raster"], d["connections"], Qt.Orientation.Vertical)
        self.splitDockWidget(d["connections"], d["thresholds"], Qt.Orientation.Horizontal)
        self.splitDockWidget(d["weights"], d["distributions"], Qt.Orientation.Vertical)
        self.resizeDocks([d["controls"], d["raster"], d["weights"]], [340, 700, 560],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([d["controls"], d["params"]], [330, 600], Qt.Orientation.Vertical)
        self.resizeDocks([d["raster"], d["connections"]], [520, 380], Qt.Orientation.Vertical)
        self.resizeDocks([d["weights"], d["distributions"]], [560, 340], Qt.Orientation.Vertical)
        for name in TABBED_VIEWS:
            self.tabifyDockWidget(d["distributions"], d[name])
        self.tabifyDockWidget(d["distributions"], d["changes"])
        self.tabifyDockWidget(d["distributions"], d["branches"])
        self.tabifyDockWidget(d["params"], d["lesson"])
        d["params"].raise_()
        d["distributions"].raise_()

    def reset_layout(self) -> None:
        """Put every dock back where it starts."""
        self.restoreState(self._default_state, LAYOUT_VERSION)
        self._take_new_shares()

    # -- sizes that survive a resize -------------------------------------------------------------
    # Qt shares a change of the window's size out by the docks' current sizes, which the
    # minimum sizes of a small window have distorted: 1600 -> 1024 -> 1600 px left the
    # controls at 700 px. The studio keeps each view's share of the window instead, and
    # takes a new one only when the user moves a separator or a dock.
    def _docked(self) -> dict[str, QDockWidget]:
        """The docks on screen inside the window (not floating, not a tab behind another)."""
        return {name: dock for name, dock in self.docks.items()
                if dock.isVisible() and not dock.isFloating()
                and not dock.visibleRegion().isEmpty()}

    def _take_new_shares(self) -> None:
        # Tied to the window: a window deleted before the timer fires drops it.
        QTimer.singleShot(0, self, self._remember_shares)

    def _remember_shares(self) -> None:
        width, height = max(1, self.width()), max(1, self.height())
        self._shares = {name: (dock.width() / width, dock.height() / height)
                        for name, dock in self._docked().items()}

    def set_shares(self, shares: dict[str, tuple[float, float]]) -> None:
        """Give the docks named these shares of the window's (width, height), now and after
        every resize (until the user moves a separator or a dock)."""
        self._shares = dict(shares)
        self._restore_shares()
        self._resized.start(0)

    def _restore_shares(self) -> None:
        docks = {name: dock for name, dock in self._docked().items() if name in self._shares}
        if not docks:
            return
        for axis, orientation, size in ((0, Qt.Orientation.Horizontal, self.width()),
                                        (1, Qt.Orientation.Vertical, self.height())):
            self.resizeDocks(list(docks.values()),
                             [round(self._shares[name][axis] * size) for name in docks],
                             orientation)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Note the views' shares of the window once it is first laid out."""
        super().showEvent(event)
        if not self._shares:
            self._take_new_shares()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Give every view its share of the new size (once the resizing pauses)."""
        super().resizeEvent(event)
        if self._shares:
            self._resized.start(0)

    def event(self, event: QEvent) -> bool:
        """Take the views' new shares when the user lets go of a separator."""
        handled = super().event(event)
        if event.type() == QEvent.Type.MouseButtonRelease:
            self._take_new_shares()
        return handled

    def _settings(self) -> QSettings:
        return QSettings(SETTINGS_ORG, SETTINGS_APP)

    def _restore_layout(self) -> None:
        settings = self._settings()
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)
        self._take_new_shares()

    def save_layout(self) -> None:
        """Remember the window geometry and dock layout for the next launch."""
        settings = self._settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        settings.sync()

    # -- commands --------------------------------------------------------------------------------
    def play(self) -> None:
        """Run the network freely."""
        self.controller.play()

    def pause(self) -> None:
        """Pause the network."""
        self.controller.pause()

    def step(self, n: int = 1, full_speed: bool = False) -> None:
        """Do ``n`` steps (``full_speed``: whatever the speed limit says)."""
        self.controller.step(n, full_speed)

    def _step_n(self) -> None:
        """Step N, as the controls say: N, and whether at full speed."""
        full = self._child(QCheckBox, "stepNFullSpeedCheck", self.controls)
        self.step(self._child(QSpinBox, "stepNSpin", self.controls).value(),
                  full.isEnabled() and full.isChecked())

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Give Space to a focused button, check box or list of this window (it ticks or
        presses it there), and back to play / pause elsewhere."""
        takes_space = (isinstance(new, (QAbstractButton, QComboBox)) and shiboken6.isValid(self)
                       and new.window() is self)
        self.play_pause.setShortcut(QKeySequence() if takes_space else SPACE)

    def toggle_play(self) -> None:
        """Pause the network when it runs (also a Step N), run it otherwise."""
        if self.controller.running:
            self.pause()
        else:
            self.play()

    def reset(self) -> None:
        """Restart at step 0 with the seed field and the pending parameters."""
        self.controller.reset(seed=self.seed_spin.value(), params=self.model.pending)

    def choose_preset(self, name: str) -> None:
        """Load the preset ``name`` and restart the network with it."""
        preset = get_preset(name)
        self.controller.preset = name
        self.model.load(preset.params)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(name))
        self._show_preset_summary(name)
        self.show_preset_views(name)
        self.reset()

    def _preset_activated(self, index: int) -> None:
        name = self.preset_combo.itemData(index)
        # Until the user agrees, the combo shows the preset still running.
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(self.controller.preset))
        self._unless_unsaved("Choosing a preset", lambda: self.choose_preset(name))

    # -- unsaved runs ----------------------------------------------------------------------------
    def unsaved_steps(self) -> int:
        """Steps run since the run was last saved, opened or reset (as the newest frame says)."""
        frame = self.controller.last_frame
        return frame.status.unsaved_steps if frame is not None else 0

    def _would_ask(self) -> bool:
        return (self.unsaved_steps() > 0 and self.confirm_discard
                and asks_before_discarding(self._settings()))

    def _unless_unsaved(self, action: str, then: Callable[[], None]) -> None:
        """Do ``then`` now, or after asking when it would discard unsaved steps.

        The user may save first (``then`` follows once the file is written; a failed save
        shows its error and discards nothing), discard, or cancel.
        """
        if not self._would_ask():
            then()
            return
        choice = ask_to_discard(self, self.unsaved_steps(), action, self._settings())
        self.action("actionAskBeforeDiscard").setChecked(
            asks_before_discarding(self._settings()))
        if choice is Choice.DISCARD:
            then()
        elif choice is Choice.SAVE:
            path = self._ask_session_path()
            if path is not None:
                self.controller.export_session(path, done=lambda _path: then())

    def _show_preset_summary(self, name: str | None) -> None:
        """Describe preset ``name`` and mark it "modified" where the parameters differ from it."""
        label = self._child(QLabel, "presetSummary", self.controls)
        preset = self._presets.get(name) if name is not None else None
        changed = preset.params.diff(self.model.pending) if preset is not None else {}
        specs = self.model.specs
        items = [f"{specs[k].label} {format_value(a)} \u2192 {format_value(b)}"
                 for k, (a, b) in changed.items()]
        for i in range(self.preset_combo.count()):
            key = self.preset_combo.itemData(i)
            title = self._presets[key].title
            self.preset_combo.setItemText(
                i, f"{title} (modified)" if changed and key == name else title)
        self.preset_combo.setToolTip(
            "Published parameter sets; choosing one restarts the network"
            + ("<br><b>Modified:</b> " + ", ".join(items) if items else ""))
        self.revert_action.setEnabled(bool(changed))
        if preset is None:
            label.setText("")
            return
        # The combo's "(modified)" is cut off in a narrow dock; this line is not.
        shown = ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setText(html.escape(preset.summary) + (
            f"<br><span style='color:{color_name(MARKER_COLOR)}'>Modified: "
            f"{html.escape(shown)}</span>"
            if items else ""))
        label.setToolTip(f"{preset.source}\n{preset.notes}".strip())

    def set_look(self, _old: Look, _new: Look) -> None:
        """The theme changed: the icons and the texts that carry colours of their own follow."""
        self._set_icons()
        self._show_preset_summary(self.controller.preset)

    def _lesson_started(self, lesson: Lesson) -> None:
        """Bring the lesson's views to the front (in presentation mode: only those)."""
        self.show_views(lesson.views)
        self.look_menu.lesson_started(lesson.views)

    def show_views(self, views: tuple[str, ...]) -> None:
        """Show the views named (:data:`~sorn_studio.studio.views.VIEW_NAMES`), in front."""
        for view in views:
            if view in self.docks:
                self.docks[view].show()
                self.docks[view].raise_()

    def show_preset_views(self, name: str | None) -> None:
        """Bring the views that show preset ``name``'s result to the front of their tabs."""
        if name is not None and name in list_presets():
            self.show_views(get_preset(name).views)

    def _speed_changed(self, *_: Any) -> None:
        limited = self.speed_combo.currentIndex() == 1
        self.speed_spin.setEnabled(limited)
        self._child(QCheckBox, "stepNFullSpeedCheck", self.controls).setEnabled(limited)
        self.controller.set_speed(float(self.speed_spin.value()) if limited else None)

    def _show_running(self, running: bool) -> None:
        """Enable the controls for a running or a stopped network (the controller says which)."""
        self.action("actionPlay").setEnabled(not running)
        self.action("actionPause").setEnabled(running)
        self.param_panel.set_running(running)
        self._show_applicable()

    def _show_applicable(self) -> None:
        """Enable the structural run controls while paused, and only where they apply."""
        running = self.controller.running
        for name in ("input_kind", "counting_n", "words"):
            enabled = not running and field_applies(name, self.model.pending)
            for object_name in _CONTROL_FIELDS[name]:
                self._child(QWidget, object_name, self.controls).setEnabled(enabled)

    # -- frames ----------------------------------------------------------------------------------
    def show_frame(self, frame: Frame) -> None:
        """Paint ``frame`` in every visible view and the status bar."""
        new_epoch = frame.epoch != self._epoch
        self._epoch = frame.epoch
        self.model.sync(frame.params, new_epoch)
        if new_epoch:
            self.seed_spin.setValue(int(frame.status.seed) % 2**31)
        for name in self._views_to_paint(frame):
            view = self.views[name]
            # Every frame carries the newest weights copy; a view whose turn comes later still
            # gets it, and each view paints a copy only once (it knows which it showed).
            view.update_frame(frame)
            if frame.running:
                # Paint now rather than later in the event loop, so the controller's paint
                # budget sees what showing this frame really cost.
                view.repaint()
        self._update_status(frame)

    def _views_to_paint(self, frame: Frame) -> list[str]:
        """Which views to update with ``frame``.

        While the network runs, one view is updated per frame: the scrolling raster every other
        frame, the slower views (whole-run histories, weights, distributions, analyses) in turn
        on the frames between. The GUI thread then never paints more than one view in one go,
        which keeps the event loop responsive even with a software renderer on a busy machine,
        and the controller's paint budget spaces the frames out. When the network stops, every
        view is updated. A view hidden behind a tab or closed is not painted; it catches up
        when shown.
        """
        visible = [name for name in self.views if self.is_showing(name)]
        if not frame.running:
            return visible
        self._tick += 1
        # Views with nothing new (an analysis rebuilt only twice a second) give up their turn.
        others = [name for name in visible if name != "raster"
                  and getattr(self.views[name], "needs_paint", lambda f: True)(frame)]
        if "raster" in visible and (self._tick % 2 == 0 or not others):
            return ["raster"]
        if not others:
            return []
        self._turn = (self._turn + 1) % len(others)
        return [others[self._turn]]

    def is_showing(self, name: str) -> bool:
        """Whether view ``name`` is on screen (a dock tab behind another one is not)."""
        view = self.views[name]
        # Qt keeps the pages of tabbed docks "visible"; only the front one has a region.
        return view.isVisible() and not view.visibleRegion().isEmpty()

    def _dock_shown(self, visible: bool) -> None:
        if visible and not self._closing:
            self.controller.runner.refresh()

    def _update_status(self, frame: Frame | None) -> None:
        s = self.status
        self._show_step_progress()
        if frame is None:
            for label in s.values():
                label.setText("\u2013")
            return
        if frame.step > 0 or frame.running:
            # Once the network has run, the user knows how to start it.
            self.start_hint.hide()
        s["step"].setText(f"step {step_text(frame.step)}")
        s["sim_rate"].setText(f"{step_text(round(frame.status.sim_rate))} steps/s")
        # While paused no frames come, and the last measured rate would stand there for ever.
        fps = self.controller.fps if frame.running else 0.0
        s["fps"].setText(f"{fps:.0f} frames/s")
        s["rate"].setText(f"rate {frame.raster.mean_rate:.3f}")
        s["fraction"].setText(f"E\u2192E {frame.status.conn_fraction * 100:.2f} %")

    def _show_step_progress(self) -> None:
        progress = self.controller.step_progress()
        bar = self.step_progress
        if progress is None:
            bar.hide()
            return
        done, total = progress
        # QProgressBar counts in int; the Step N field stops at 10^8, well inside.
        bar.setRange(0, total)
        bar.setValue(done)
        bar.setFormat(f"Step N {step_text(done)} / {step_text(total)}")
        bar.show()

    def _show_pending(self) -> None:
        specs = self.model.specs
        pending = self.model.structural_pending()
        self.pending_label.setText("Applied on Reset: " + ", ".join(
            f"{specs[k].label} \u2192 {format_value(b)}" for k, (_a, b) in pending.items())
            if pending else "")
        self.pending_label.setVisible(bool(pending))
        self._show_preset_summary(self.controller.preset)
        self._show_applicable()

    # -- errors ----------------------------------------------------------------------------------
    def show_error(self, message: str, details: str = "") -> None:
        """Show an error without blocking: the app stays usable behind the dialog.

        With :attr:`interactive_errors` off, only :attr:`last_error` records it.
        """
        self.last_error = message
        if not self.interactive_errors:
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "SORN Studio", message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("errorDialog")
        if details:
            box.setDetailedText(details)
        box.setWindowModality(Qt.WindowModality.NonModal)
        self.error_box = box
        box.open()

    # -- files -----------------------------------------------------------------------------------
    def _ask_session_path(self) -> str | None:
        """The file the user chooses to save the session to, or None."""
        frame = self.controller.last_frame
        stem = f"{self.controller.preset or 'sorn'}-step{frame.step if frame else 0}"
        path, _ = file_dialogs.save_file_name(self, "Export session", f"{stem}.npz",
                                              "SORN sessions (*.npz)")
        if not path:
            return None
        return path if path.endswith(".npz") else path + ".npz"

    def _export_session_dialog(self) -> None:
        path = self._ask_session_path()
        if path is not None:
            self.export_session(path)

    def export_session(self, path: str | Path) -> None:
        """Save the run to ``path`` (written by the worker at a step boundary)."""
        self.controller.export_session(path)

    def _open_session_dialog(self) -> None:
        path, _ = file_dialogs.open_file_name(self, "Open session", "", "SORN sessions (*.npz)")
        if path:
            self._unless_unsaved("Opening a session", lambda: self.open_session(path))

    def open_session(self, path: str | Path) -> None:
        """Continue with the session saved in ``path``."""
        self.controller.open_session(path)

    def _session_loaded(self, meta: SessionInfo) -> None:
        preset = self.controller.preset
        index = self.preset_combo.findData(preset) if preset else -1
        self.preset_combo.setCurrentIndex(index)
        self._show_preset_summary(preset if index >= 0 else None)

    def _export_plot_dialog(self, name: str) -> None:
        view = self.views[name]
        path, chosen = file_dialogs.save_file_name(
            self, f"Export {view.title}", f"{name}.png", "PNG image (*.png);;SVG image (*.svg)")
        if not path:
            return
        if Path(path).suffix.lower() not in (".png", ".svg"):
            path += ".svg" if "svg" in chosen.lower() else ".png"
        # Then the options (size, light background), in a window-modal dialog that does not
        # block the event loop; saving happens when it is accepted.
        box = ExportOptionsDialog((view.width(), view.height()),
                                  Path(path).suffix.lower() == ".png", self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.accepted.connect(lambda: self.export_plot(name, path, box.options()))
        self.export_options_box = box
        box.open()

    def export_plot(self, name: str, path: str | Path,
                    options: ExportOptions | None = None) -> Path | None:
        """Write the view ``name`` to ``path`` (``.png`` or ``.svg``) with ``options``."""
        o = options or ExportOptions()
        try:
            out = export_widget(self.views[name], path, scale=o.scale, dpi=o.dpi,
                                theme_name=o.theme_name)
        except (OSError, ValueError) as exc:
            self.show_error(f"Could not export the plot: {exc}")
            return None
        self.statusBar().showMessage(f"Plot saved to {out}", 8000)
        return out

    def open_compare(self) -> CompareWindow:
        """Show the Compare window (one per studio window), its baseline the network now."""
        if self.compare_window is None:
            self.compare_window = CompareWindow(self.controller, self)
            self.compare_window.resize(max(900, self.width()), max(640, self.height()))
        frame = self.controller.last_frame
        if frame is not None and self.compare_window.runner is None:
            self.compare_window.set_baseline(frame.params)
        self.compare_window.show()
        self.compare_window.raise_()
        self.compare_window.activateWindow()
        return self.compare_window

    def open_sweep(self) -> SweepWindow:
        """Show the Sweep window (one per studio window), set up from the network now."""
        if self.sweep_window is None:
            self.sweep_window = SweepWindow(
                self.controller,
                lambda path: self._unless_unsaved("Opening a network of the sweep",
                                                  lambda: self.open_session(path)),
                self)
            self.sweep_window.resize(max(1000, self.width()), max(700, self.height()))
        frame = self.controller.last_frame
        if frame is not None:
            self.sweep_window.set_network(frame.params, frame.step, self.controller.preset)
        self.sweep_window.show()
        self.sweep_window.raise_()
        self.sweep_window.activateWindow()
        return self.sweep_window

    def _setup_help(self) -> None:
        """Help -> The model (F1), What am I looking at? (one entry per view), Keyboard
        shortcuts; each view's context menu has its "What am I looking at?" too."""
        menu = self._child(QMenu, "menuHelp")
        first = menu.actions()[0] if menu.actions() else None
        model = QAction("The model", self)
        model.setObjectName("actionModelHelp")
        model.setShortcut(QKeySequence(Qt.Key.Key_F1))
        model.setToolTip("Each step of the update, each rule's equation, what it does and "
                         "which fields and views belong to it; in a field, at its rule")
        model.triggered.connect(lambda: self.show_model_help(self._focused_section()))
        menu.insertAction(first, model)
        looking = QMenu("What am I looking at?", self)
        looking.setObjectName("menuWhatAmI")
        for name, view in self.views.items():
            act = looking.addAction(view.title)
            act.triggered.connect(lambda _=False, n=name: self.explain_view(n))
            view.explain_requested.connect(lambda n=name: self.explain_view(n))
        menu.insertMenu(first, looking)
        keys = QAction("Keyboard shortcuts", self)
        keys.setObjectName("actionShortcuts")
        keys.triggered.connect(self._show_shortcuts)
        menu.insertAction(first, keys)
        menu.insertSeparator(first)
        self.model_help: ModelHelp | None = None

    def _focused_section(self) -> str | None:
        """The model section of the parameter field that has the focus, if any."""
        widget = QApplication.focusWidget()
        while widget is not None:
            name = getattr(widget, "name", None)
            if widget in self.param_panel.editors.values() and name in FIELD_SECTIONS:
                return FIELD_SECTIONS[name]
            widget = widget.parentWidget()
        return None

    def show_model_help(self, section: str | None = None) -> ModelHelp:
        """Open Help -> The model, at ``section`` (an anchor; None: the top)."""
        if self.model_help is None:
            self.model_help = ModelHelp(self)
        self.model_help.show_section(section)
        return self.model_help

    def explain_view(self, name: str) -> QMessageBox:
        """Say what view ``name`` shows (its "What am I looking at?")."""
        title, text = view_help(name)
        box = QMessageBox(QMessageBox.Icon.Information, f"What am I looking at? {title}",
                          text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("explainView")
        box.open()
        return box

    def shortcut_lines(self) -> list[str]:
        """Every action with a shortcut, as the Help menu lists them."""
        lines = []
        for action in self.findChildren(QAction):
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText)
                    for k in action.shortcuts()]
            if action is self.play_pause:
                keys = [SPACE.toString(QKeySequence.SequenceFormat.NativeText)]
            if keys and action.text():
                lines.append(f"{action.text().replace('&', '')}: {', '.join(keys)}")
        return sorted(set(lines))

    def _show_shortcuts(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts",
                          "\n".join(self.shortcut_lines()), QMessageBox.StandardButton.Ok,
                          self)
        box.setObjectName("shortcutsBox")
        box.open()

    def _about(self) -> None:
        from .. import __version__

        QMessageBox.about(self, "About SORN Studio",
                          f"<b>SORN Studio {__version__}</b><p>A Self-Organizing Recurrent Neural "
                          "Network that learns in front of you.</p>")

    # -- shutdown --------------------------------------------------------------------------------
    def _close_agreed(self) -> None:
        self._discard_agreed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Stop the worker cleanly, remember the layout, then close (after asking, when that
        would discard unsaved steps)."""
        if not self._closing and not self._discard_agreed and self._would_ask():
            event.ignore()
            # Asked once this event is over: Qt ignores a close() made inside closeEvent.
            QTimer.singleShot(0, self, lambda: self._unless_unsaved("Quitting", self._close_agreed))
            return
        if not self._closing:
            self._closing = True
            # The desk's layout is the one to remember, not the projector's.
            self.look_menu.restore_desk()
            if self.remember_layout:
                self.save_layout()
            # A closed window's views take no more looks; the look is the desk's again for
            # whatever window comes next (nothing of this one is restyled for it).
            forget_followers(self)
            set_current_look(Look(current_look().theme, 1.0))
            app = QApplication.instance()
            if isinstance(app, QApplication):
                app.focusChanged.disconnect(self._focus_moved)
            if self.compare_window is not None:
                self.compare_window.close()
            if self.sweep_window is not None:
                self.sweep_window.shutdown()
            self.controller.shutdown()
            self.closed.emit()
        event.accept()
