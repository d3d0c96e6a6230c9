"""Sweep from here: the studio's paused network, continued over a grid of live parameters.

The user picks one or two live parameters and their values, how many kinds of noise (the
network's own, then other seeds), the steps and the workers. The studio pauses and saves its
network to the sweep's folder; ``sorn-studio sweep --start`` then runs every cell from that
file on a local Dask cluster, in a process of its own, so the studio stays responsive. Its
JSON lines report each finished network: the small multiples fill in, the heatmap shows a
final metric over the grid, and any finished network can be opened in the studio.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QProcess, QStandardPaths, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..ensemble import DEFAULT_METRICS
from ..ensemble.cells import start_seeds
from ..ensemble.summary import grid_points, parse_axis
from ..ensemble.tasks import MAX_LOCAL_WORKERS
from ..params import Params, field_specs, live_fields
from ..studio.observables import OBSERVABLES
from ..studio.texts import step_text
from . import theme
from .sweep_view import HeatmapView, SweepView, status_text

if TYPE_CHECKING:
    from .controller import Controller

__all__ = ["SweepRequest", "SweepWindow", "sweep_values_text"]

#: Largest grid the window lays out: values per parameter, and kinds of noise.
MAX_VALUES, MAX_SEEDS = 8, 8
#: Samples of each network's connection fraction and rate for the small multiples.
TRACE_POINTS = 50
NONE = "(none)"


@dataclass(frozen=True)
class SweepRequest:
    """What the user asked for: the grid, the noise, the steps, where to run and to write."""

    axes: dict[str, list[Any]]
    seeds: int
    steps: int
    workers: int
    folder: Path

    @property
    def total(self) -> int:
        """How many networks."""
        count = self.seeds
        for values in self.axes.values():
            count *= len(values)
        return count

    def seed_list(self) -> list[int | None]:
        """The noise of each network of a grid point: the session's own, then seeds 1 ..."""
        return start_seeds(self.seeds)

    def argv(self, start: Path) -> list[str]:
        """The ``sorn-studio sweep`` command line that runs it from ``start``."""
        grid = [arg for name, values in self.axes.items()
                for arg in ("--grid", f"{name}={','.join(_value_text(v) for v in values)}")]
        return ["-m", "sorn_studio.cli", "sweep", "--start", str(start), "--steps",
                str(self.steps), *grid, "--seeds", str(self.seeds), "--trace",
                str(TRACE_POINTS), "--keep-sessions", "--workers", str(self.workers),
                "--jsonl", "--stop-when-input-closes", "--out", str(self.folder)]


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return repr(value) if isinstance(value, float) else str(value)


def sweep_values_text(params: Params, name: str) -> str:
    """Values to offer for live parameter ``name``: half, the same and twice a number, both
    settings of a switch, every choice of a text field."""
    spec, value = field_specs()[name], getattr(params, name)
    if isinstance(value, bool):
        return "on, off"
    if spec.choices:
        return ", ".join(spec.choices)
    values = [value * 0.5, value, value * 2] if value else [0.0, 0.01, 0.02]
    if spec.high is not None:
        values = [v for v in values if v <= spec.high]
    return ", ".join(f"{v:.6g}" for v in values)


class SweepWindow(QWidget):
    """The Sweep window of a studio.

    Parameters
    ----------
    controller : Controller
        The studio's controller: the sweep starts from its network (saved to a file).
    open_session : callable
        ``open_session(path)`` continues a finished network in the studio (the window asks
        first when that would discard unsaved steps).
    parent : QWidget, optional
        The studio's window.

    Signals
    -------
    finished(int)
        The sweep's process ended, with its exit code.
    """

    finished = Signal(int)

    def __init__(self, controller: Controller, open_session: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("sweepWindow")
        self.setWindowTitle("Sweep from here \u2014 SORN Studio")
        self.controller = controller
        self._open_session = open_session
        self.process: QProcess | None = None
        self.request: SweepRequest | None = None
        self.records: dict[str, dict[str, Any]] = {}
        #: Table row of each network: its grid values, then its seed (None: its own noise).
        self.rows: dict[tuple[Any, ...], int] = {}
        self.last_error: str | None = None
        self.dashboard: str | None = None
        self._params: Params | None = None
        self._buffer = b""
        self._total = self._done = self._failed = self._running = 0
        self._seconds_left: float | None = None
        self._stopping = False
        #: The studio's network is being saved for a sweep about to start.
        self._saving = False
        #: The window was closed while its sweep ran: it closes once the sweep has stopped.
        self._closing = False

        layout = QVBoxLayout(self)
        layout.addWidget(self._setup_box())
        status_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("sweepProgress")
        self.progress.setTextVisible(True)
        self.status = QLabel("Choose the parameters and press Start.")
        self.status.setObjectName("sweepStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.status.setOpenExternalLinks(True)
        status_row.addWidget(self.progress, 1)
        status_row.addWidget(self.status, 3)
        layout.addLayout(status_row)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.view = SweepView()
        self.tabs.addTab(self.view, "Connection fraction and rate")
        heat = QWidget()
        heat_layout = QVBoxLayout(heat)
        heat_layout.setContentsMargins(0, 0, 0, 0)
        metric_row = QHBoxLayout()
        metric_row.addWidget(QLabel("Metric at the end:"))
        self.metric_combo = QComboBox()
        self.metric_combo.setObjectName("sweepMetric")
        for name in DEFAULT_METRICS:
            self.metric_combo.addItem(OBSERVABLES[name].meaning, name)
        self.metric_combo.currentIndexChanged.connect(lambda _i: self._show_heatmap())
        metric_row.addWidget(self.metric_combo, 1)
        heat_layout.addLayout(metric_row)
        self.heatmap = HeatmapView()
        heat_layout.addWidget(self.heatmap, 1)
        self.tabs.addTab(heat, "Heatmap")
        split.addWidget(self.tabs)

        cells = QWidget()
        cells_layout = QVBoxLayout(cells)
        cells_layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("sweepCells")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.cellDoubleClicked.connect(lambda row, _col: self.open_row(row))
        self.table.itemSelectionChanged.connect(self._show_open_button)
        cells_layout.addWidget(self.table, 1)
        self.open_button = QPushButton("Open in the studio")
        self.open_button.setObjectName("sweepOpen")
        self.open_button.setToolTip("Continue the selected finished network in the studio "
                                    "(double-click a row does the same)")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        cells_layout.addWidget(self.open_button)
        split.addWidget(cells)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])
        layout.addWidget(split, 1)
        theme.follow_look(self)

    # -- setup -----------------------------------------------------------------------------------
    def _setup_box(self) -> QGroupBox:
        box = self.setup = QGroupBox("Continue the paused network over a grid")
        form = QFormLayout(box)
        self.param_combos: list[QComboBox] = []
        self.value_edits: list[QLineEdit] = []
        for k in range(2):
            row = QHBoxLayout()
            combo = QComboBox()
            combo.setObjectName(f"sweepParam{k}")
            if k:
                combo.addItem(NONE, None)
            specs = field_specs()
            for name in live_fields():
                combo.addItem(f"{specs[name].label} ({name})", name)
            edit = QLineEdit()
            edit.setObjectName(f"sweepValues{k}")
            edit.setPlaceholderText("values, separated by commas")
            edit.setToolTip(f"At most {MAX_VALUES} values, e.g. 0.002, 0.004, 0.008")
            combo.currentIndexChanged.connect(lambda _i, k=k: self._offer_values(k))
            row.addWidget(combo, 2)
            row.addWidget(edit, 3)
            self.param_combos.append(combo)
            self.value_edits.append(edit)
            form.addRow("Parameter" if k == 0 else "and", row)
        self.seeds_spin = QSpinBox()
        self.seeds_spin.setObjectName("sweepSeeds")
        self.seeds_spin.setRange(1, MAX_SEEDS)
        self.seeds_spin.setToolTip("1: the network's own noise, as pressing Run would give; "
                                   "more: also noise from seeds 1, 2, ...")
        self.steps_spin = QSpinBox()
        self.steps_spin.setObjectName("sweepSteps")
        self.steps_spin.setRange(100, 10_000_000)
        self.steps_spin.setSingleStep(10_000)
        self.steps_spin.setValue(50_000)
        self.steps_spin.setGroupSeparatorShown(True)
        self.workers_spin = QSpinBox()
        self.workers_spin.setObjectName("sweepWorkers")
        cores = max(1, os.cpu_count() or 1)
        self.workers_spin.setRange(1, min(cores * 4, MAX_LOCAL_WORKERS))
        self.workers_spin.setValue(min(cores, MAX_LOCAL_WORKERS))
        self.workers_spin.setToolTip("Processes of the local Dask cluster (1: one network "
                                     "after another, without Dask)")
        numbers = QHBoxLayout()
        for label, spin in (("kinds of noise", self.seeds_spin), ("steps", self.steps_spin),
                            ("workers", self.workers_spin)):
            numbers.addWidget(spin)
            numbers.addWidget(QLabel(label))
            spin.valueChanged.connect(lambda _v: self._show_count())
        numbers.addStretch(1)
        form.addRow("Each with", numbers)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("sweepFolder")
        self.folder_edit.setToolTip("The networks, their sessions and the tables go here; it "
                                    "must be new or empty")
        browse = QPushButton("Choose\u2026")
        browse.clicked.connect(self._choose_folder)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        form.addRow("Folder", folder_row)
        buttons = QHBoxLayout()
        self.count_label = QLabel()
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("sweepStart")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("sweepStop")
        self.stop_button.setToolTip("Stop the sweep; the networks that finished are kept")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        form.addRow(buttons)
        for edit in self.value_edits:
            edit.textChanged.connect(lambda _t: self._show_count())
        return box

    def set_network(self, params: Params, step: int, preset: str | None) -> None:
        """Offer values around the network's ``params`` and a new folder for it."""
        self._params = params
        if not self.value_edits[0].text():
            index = self.param_combos[0].findData("eta_stdp")
            self.param_combos[0].setCurrentIndex(max(index, 0))
            self._offer_values(0)
        if self.process is None:
            base = Path(QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.AppLocalDataLocation)) / "sweeps"
            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.folder_edit.setText(str(base / f"{preset or 'network'}-step{step}-{stamp}"))
        self._show_count()

    def _offer_values(self, k: int) -> None:
        name = self.param_combos[k].currentData()
        self.value_edits[k].setEnabled(name is not None)
        if name is None:
            self.value_edits[k].clear()
        elif self._params is not None:
            self.value_edits[k].setText(sweep_values_text(self._params, name))
        self._show_count()

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of the sweep",
                                                  self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def _show_count(self) -> None:
        try:
            request = self.read_request()
        except ValueError as exc:
            self.count_label.setText(str(exc))
            return
        self.count_label.setText(f"{request.total} networks of {step_text(request.steps)} "
                                 f"steps")

    def read_request(self) -> SweepRequest:
        """The sweep the form describes.

        Raises
        ------
        ValueError
            Naming the field that is wrong and what it allows.
        """
        axes: dict[str, list[Any]] = {}
        for combo, edit in zip(self.param_combos, self.value_edits, strict=True):
            name = combo.currentData()
            if name is None:
                continue
            if name in axes:
                raise ValueError(f"{name} is chosen twice; choose another second parameter")
            if not edit.text().replace(",", "").strip():
                raise ValueError(f"{name}: give at least one value")
            _, values = parse_axis(f"{name}={edit.text()}")
            if self._params is not None:
                for value in values:
                    self._params.replace(**{name: value})  # names the range it leaves
            if len(values) > MAX_VALUES:
                raise ValueError(f"{name}: {len(values)} values; at most {MAX_VALUES}")
            if len(set(map(repr, values))) < len(values):
                raise ValueError(f"{name}: a value is given twice")
            axes[name] = values
        folder = Path(self.folder_edit.text().strip()).expanduser()
        if not self.folder_edit.text().strip():
            raise ValueError("choose a folder for the sweep")
        return SweepRequest(axes, self.seeds_spin.value(), self.steps_spin.value(),
                            self.workers_spin.value(), folder)

    # -- running ---------------------------------------------------------------------------------
    def start(self) -> bool:
        """Pause the studio, save its network into the folder and start the sweep from it.

        Returns
        -------
        bool
            Whether it started (otherwise the status says why).
        """
        if self.process is not None or self._saving:
            return False
        try:
            request = self.read_request()
            folder = request.folder
            if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
                raise ValueError(f"the folder {folder} is not empty; choose a new one")
            folder.mkdir(parents=True, exist_ok=True)
        except (ValueError, OSError) as exc:
            self._show_failure(str(exc))
            return False
        self.request = request
        self.last_error = None
        self._saving = True
        self._show_buttons()
        self.controller.pause()
        self.status.setText("Saving the studio's network\u2026")
        self.controller.export_session(folder / "start.npz", done=self._launch,
                                       failed=self._save_failed)
        return True

    def _save_failed(self, message: str) -> None:
        self._saving = False
        self._show_failure(message)
        self._show_buttons()

    def _launch(self, start: Path) -> None:
        self._saving = False
        request = self.request
        if request is None or self.process is not None or self._closing:
            self._show_buttons()
            return
        self.records.clear()
        self.rows.clear()
        self._buffer = b""
        self._total, self._done, self._failed, self._running = request.total, 0, 0, 0
        self._seconds_left = None
        self.dashboard = None
        self._stopping = False
        self.view.arrange(request.axes, request.seed_list())
        self._arrange_table(request)
        self.progress.setRange(0, request.total)
        self.progress.setValue(0)
        process = self.process = QProcess(self)
        process.setProgram(sys.executable)
        process.setArguments(request.argv(start))
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(self._read_output)
        process.finished.connect(self._process_finished)
        process.errorOccurred.connect(self._process_error)
        process.start()
        self.status.setText(f"Starting {request.total} networks on "
                            f"{request.workers} worker{'s' if request.workers > 1 else ''}"
                            "\u2026")
        self._show_buttons()

    def stop(self) -> None:
        """Stop the sweep; what finished stays in the folder (and in the window)."""
        process = self.process
        if process is None or process.state() == QProcess.ProcessState.NotRunning:
            return
        self._stopping = True
        self.status.setText("Stopping\u2026 (the networks that finished are kept)")
        # The sweep stops as after Ctrl-C (it cancels what runs and closes its cluster) when
        # its standard input ends: this works on every platform, Windows included, where no
        # signal can be sent to another process.
        process.closeWriteChannel()

    def _read_output(self) -> None:
        if self.process is None:
            return
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                self._take_event(event)

    def _take_event(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "start":
            self.dashboard = event.get("dashboard")
            self._running = min(int(event.get("slots") or 1), self._total)
        elif kind == "record":
            record = event["record"]
            self._done, self._failed = int(event["done"]), int(event["failed"])
            self._running = int(event["running"])
            self._seconds_left = event.get("seconds_left")
            self.records[record["key"]] = record
            self.view.add_record(record)
            self._show_row(record)
            self._show_heatmap()
        self._show_status()

    def _show_status(self) -> None:
        text = status_text(self._done, self._failed, self._running, self._total,
                           self._seconds_left)
        if self.dashboard:
            text += f" \u00b7 <a href='{self.dashboard}'>Dask dashboard</a>"
        if self.last_error is None:
            self.status.setText(text)
        self.progress.setValue(self._done + self._failed)

    def _process_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_output()
        process = self.process
        stderr = (bytes(process.readAllStandardError().data()).decode("utf-8", "replace")
                  if process is not None else "")
        if process is not None:
            process.deleteLater()
        self.process = None
        if status == QProcess.ExitStatus.CrashExit and not self._stopping:
            code = code or -1
        self._running = 0
        self._show_status()
        folder = self.request.folder if self.request else ""
        if code == 0:
            self.status.setText(self.status.text() + f" \u00b7 finished; in {folder}")
        elif self._stopping or code == 130:
            self.status.setText(f"Stopped: {self._done} of {self._total} networks finished "
                                f"(kept in {folder})")
        elif code == 1 and self._failed:
            self.status.setText(self.status.text() + " \u00b7 some networks failed; their "
                                "errors are in the table")
        else:
            lines = [line for line in stderr.splitlines() if line.strip()]
            self._show_failure(f"The sweep stopped with an error: "
                               f"{lines[-1] if lines else f'exit code {code}'}")
        self._show_buttons()
        self.finished.emit(code)
        if self._closing:
            self.close()

    def _process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            if self.process is not None:
                self.process.deleteLater()
            self.process = None
            self._show_failure("Could not start the sweep's process")
            self._show_buttons()

    def _show_failure(self, message: str) -> None:
        self.last_error = message
        self.status.setText(theme.error_html(message))

    def set_look(self, _old: theme.Look, _new: theme.Look) -> None:
        """The theme changed: an error shown takes the new theme's red."""
        if self.last_error is not None:
            self._show_failure(self.last_error)

    def _show_buttons(self) -> None:
        running = self.process is not None or self._saving
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for widget in (*self.param_combos, *self.value_edits, self.seeds_spin, self.steps_spin,
                       self.workers_spin, self.folder_edit):
            widget.setEnabled(not running)
        if not running:
            for k in range(2):
                self.value_edits[k].setEnabled(self.param_combos[k].currentData() is not None)

    # -- results ---------------------------------------------------------------------------------
    def _arrange_table(self, request: SweepRequest) -> None:
        names = list(request.axes)
        headers = [*names, "noise", "status", "E\u2192E %", "rate"]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(0)
        # Every network in the grid's order, waiting until its record comes.
        for point in itertools.product(*request.axes.values()):
            for seed in request.seed_list():
                row = self.rows[(*point, seed)] = self.table.rowCount()
                self.table.insertRow(row)
                texts = [*(_cell_text(v) for v in point), _seed_text(seed), "waiting", "", ""]
                for col, text in enumerate(texts):
                    self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def _show_row(self, record: dict[str, Any]) -> None:
        request = self.request
        if request is None:
            return
        seed = record.get("seed")
        row = self.rows.get((*(record.get(n) for n in request.axes), seed))
        if row is None:
            return
        done = record.get("status") == "done"
        values = [*(_cell_text(record.get(n)) for n in request.axes), _seed_text(seed),
                  "done" if done else f"failed: {record.get('error', '')}",
                  _cell_text(record.get("connection_fraction")), _cell_text(record.get("rate_e"))]
        for col, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, record["key"])
            if not done:
                item.setToolTip(record.get("traceback", ""))
            self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()

    def _show_heatmap(self) -> None:
        request = self.request
        if request is None or not request.axes:
            return
        metric = self.metric_combo.currentData()
        points = grid_points(list(self.records.values()), list(request.axes))
        label = self.metric_combo.currentText()
        self.heatmap.show_metric(request.axes, points, metric, label)

    def _show_open_button(self) -> None:
        self.open_button.setEnabled(self.session_of_row(self.table.currentRow()) is not None)

    def session_of_row(self, row: int) -> str | None:
        """The session file of the network in table row ``row``, when it finished."""
        item = self.table.item(row, 0) if row >= 0 else None
        record = self.records.get(item.data(Qt.ItemDataRole.UserRole)) if item else None
        return record.get("session") if record and record.get("status") == "done" else None

    def open_row(self, row: int) -> None:
        """Continue the network of table row ``row`` in the studio."""
        path = self.session_of_row(row)
        if path is not None:
            self._open_session(path)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Close, once a running sweep has stopped (what finished is kept): the window hides
        at once and the studio goes on meanwhile."""
        if self.process is not None:
            self._closing = True
            self.hide()
            self.stop()
            event.ignore()
            return
        event.accept()

    def shutdown(self, wait_ms: int = 20_000) -> None:
        """Stop a running sweep and wait for it (the studio is closing), then close."""
        process = self.process
        self._closing = True
        if process is not None:
            self.stop()
            if not process.waitForFinished(wait_ms):
                process.kill()
                process.waitForFinished(5_000)
            if self.process is not None:
                self._process_finished(process.exitCode(), process.exitStatus())
        self.close()


def _seed_text(seed: int | None) -> str:
    return "own" if seed is None else f"seed {seed}"


def _cell_text(value: Any) -> str:
    if value is None:
        return "\u2014"
    return f"{value:.4g}" if isinstance(value, float) else str(value)

