"""Compare mode: the studio's network and up to four variants of it, in lockstep, live.

The user picks each variant from the mechanism switches and live fields (``eta_ip=0.02``),
then starts the comparison from the studio's network as it is now: the studio pauses, every
network starts from that snapshot, and a second worker thread advances them together on the
same input and noise (:class:`~sorn_studio.studio.comparison.CompareRunner`). The window
paints its frames at the studio's frame rate and paint budget. Any network, a variant or the
baseline, can then be taken back into the studio to continue interactively.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..compare import MAX_VARIANTS, Variant
from ..params import MECHANISMS, Params, field_specs, parse_assignments
from ..studio.comparison import CompareFrame, CompareRunner, changes_text
from ..studio.defaults import studio_recording
from ..studio.texts import step_text
from . import theme
from .compare_view import VARIANT_COLORS, CompareView
from .worker import FrameMailbox, LoopThread, PaintPacer

if TYPE_CHECKING:
    from .controller import Controller

__all__ = ["CompareWindow", "VariantRow"]


class VariantRow(QWidget):
    """One variant: whether it takes part, its name, its mechanisms and other live changes.

    Parameters
    ----------
    index : int
        Its place (0-based), which chooses its colour.
    """

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"variantRow{index}")
        specs = field_specs()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.color = VARIANT_COLORS[index % len(VARIANT_COLORS)]
        self.use = QCheckBox()
        self.use.setToolTip("Run this variant beside the baseline")
        self._colour_check()
        theme.follow_look(self)
        self.use.setText(f"{index + 1}")
        self.name = QLineEdit()
        self.name.setPlaceholderText(f"variant {index + 1}")
        self.name.setMaximumWidth(140)
        self.name.setToolTip("The variant's name in the plots and files")
        layout.addWidget(self.use)
        layout.addWidget(self.name)
        self.switches: dict[str, QCheckBox] = {}
        for name in MECHANISMS:
            box = QCheckBox(specs[name].label)
            box.setToolTip(f"{specs[name].label} on in this variant (the baseline's setting "
                           "by default)")
            box.toggled.connect(lambda _on: self.use.setChecked(True))
            self.switches[name] = box
            layout.addWidget(box)
        self.more = QLineEdit()
        self.more.setPlaceholderText("more changes, e.g. eta_ip=0.02, noise_sigma=0.05")
        self.more.setToolTip("Live parameter changes NAME=VALUE, separated by commas")
        self.more.textEdited.connect(lambda _text: self.use.setChecked(True))
        layout.addWidget(self.more, 1)
        self._baseline: Params | None = None

    def _colour_check(self) -> None:
        self.use.setStyleSheet(f"QCheckBox {{ color: {theme.color_name(self.color)}; "
                               "font-weight: bold; }")

    def set_look(self, _old: theme.Look, _new: theme.Look) -> None:
        """The theme changed: the number takes the variant's colour in the new one."""
        self._colour_check()

    def set_baseline(self, params: Params) -> None:
        """Show ``params``' mechanisms as this variant's, keeping the other changes typed."""
        self._baseline = params
        for name, box in self.switches.items():
            box.blockSignals(True)
            box.setChecked(bool(getattr(params, name)))
            box.blockSignals(False)

    def set_changes(self, name: str, changes: dict[str, Any]) -> None:
        """Fill the row: ``changes`` of mechanisms tick their boxes, the rest are typed."""
        self.use.setChecked(True)
        self.name.setText(name)
        for mech, box in self.switches.items():
            box.blockSignals(True)
            box.setChecked(bool(changes.get(mech, getattr(self._baseline, mech, True))))
            box.blockSignals(False)
        others = {k: v for k, v in changes.items() if k not in self.switches}
        self.more.setText(changes_text(others) if others else "")

    def variant(self) -> Variant:
        """The variant the row describes.

        Raises
        ------
        ValueError
            When the typed changes do not parse, naming the row.
        """
        changes: dict[str, Any] = {
            name: box.isChecked() for name, box in self.switches.items()
            if self._baseline is None or box.isChecked() != bool(getattr(self._baseline, name))}
        text = self.more.text()
        try:
            changes.update(parse_assignments(part for part in text.split(",") if part.strip()))
        except ValueError as exc:
            raise ValueError(f"{self.display_name()}: {exc}") from None
        return Variant(self.display_name(), changes)

    def display_name(self) -> str:
        """The typed name, or the placeholder."""
        return self.name.text().strip() or self.name.placeholderText()


class CompareWindow(QWidget):
    """The Compare window of a studio.

    Parameters
    ----------
    controller : Controller
        The studio's controller: the comparison starts from its network, and a network of
        the comparison can be handed back to it.
    parent : QWidget, optional
        The studio's window (the Compare window closes with it).

    Signals
    -------
    closed()
        The window closed and its worker thread ended.
    """

    closed = Signal()
    _start_taken = Signal(object)
    _failed = Signal(str)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("compareWindow")
        self.setWindowTitle("Compare \u2014 SORN Studio")
        self.controller = controller
        self.runner: CompareRunner | None = None
        self.thread: LoopThread | None = None
        self.mailbox = FrameMailbox()
        self.pacer = PaintPacer(self.mailbox)
        self.last_frame: CompareFrame | None = None
        self.last_error: str | None = None
        self._variants: list[Variant] = []
        self._playing = False
        theme.follow_look(self)

        layout = QVBoxLayout(self)
        setup = self.setup = QGroupBox("Variants of the studio's network")
        grid = QGridLayout(setup)
        self.rows = [VariantRow(k) for k in range(MAX_VARIANTS)]
        for k, row in enumerate(self.rows):
            grid.addWidget(row, k, 0, 1, 4)
        self.one_per_rule = QPushButton("One per rule off")
        self.one_per_rule.setObjectName("onePerRuleButton")
        self.one_per_rule.setToolTip("Fill the variants with the baseline minus one rule each")
        self.one_per_rule.clicked.connect(self.fill_one_per_rule)
        self.start_button = QPushButton("Start from the studio's network now")
        self.start_button.setObjectName("startCompareButton")
        self.start_button.setToolTip("Pause the studio and run its network and the ticked "
                                     "variants together from its state now")
        self.start_button.clicked.connect(self.start)
        grid.addWidget(self.one_per_rule, MAX_VARIANTS, 0)
        grid.addWidget(self.start_button, MAX_VARIANTS, 3)
        layout.addWidget(setup)

        bar = QHBoxLayout()
        self.setup_button = QPushButton("Variants")
        self.setup_button.setObjectName("variantsButton")
        self.setup_button.setCheckable(True)
        self.setup_button.setChecked(True)
        self.setup_button.setToolTip("Show or hide the variants (hidden while a comparison "
                                     "runs, so the plots get the room)")
        self.setup_button.toggled.connect(setup.setVisible)
        bar.addWidget(self.setup_button)
        self.play_button = QPushButton("Pause")
        self.play_button.setObjectName("comparePlayButton")
        self.play_button.clicked.connect(self.toggle_play)
        self.step_spin = QSpinBox()
        self.step_spin.setRange(1, 10_000_000)
        self.step_spin.setValue(10_000)
        self.step_spin.setSingleStep(1000)
        self.step_spin.setToolTip("Steps for \u201cStep N\u201d")
        self.step_button = QPushButton("Step N")
        self.step_button.clicked.connect(lambda: self.step(self.step_spin.value()))
        self.continue_combo = QComboBox()
        self.continue_combo.setToolTip("The network to take back into the studio")
        self.continue_button = QPushButton("Continue in the studio")
        self.continue_button.setObjectName("continueButton")
        self.continue_button.setToolTip("End the comparison and go on with this network in "
                                        "the studio (its steps count as unsaved)")
        self.continue_button.clicked.connect(
            lambda: self.continue_in_studio(self.continue_combo.currentIndex()))
        self.status = QLabel("Tick variants, then start.")
        self.status.setObjectName("compareStatus")
        for widget in (self.play_button, self.step_spin, self.step_button):
            bar.addWidget(widget)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.continue_combo)
        bar.addWidget(self.continue_button)
        layout.addLayout(bar)
        self.view = CompareView()
        self.view.setObjectName("compareView")
        layout.addWidget(self.view, 1)

        self._start_taken.connect(self._begin, Qt.ConnectionType.QueuedConnection)
        self._failed.connect(self._show_failure, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, round(1000 / controller.runner.max_fps)))
        self._timer.timeout.connect(self._take_frame)
        self._timer.start()
        self.set_baseline(controller.last_frame.params if controller.last_frame else None)
        self._show_controls()

    # -- setup -----------------------------------------------------------------------------------
    def set_baseline(self, params: Params | None) -> None:
        """Show the studio's parameters as the baseline the variants depart from."""
        if params is not None:
            for row in self.rows:
                row.set_baseline(params)

    def fill_one_per_rule(self) -> None:
        """One variant per rule the baseline has on, with that rule off (at most four)."""
        frame = self.controller.last_frame
        params = frame.params if frame is not None else None
        on = [name for name in MECHANISMS if params is None or getattr(params, name)]
        specs = field_specs()
        for row in self.rows:
            row.use.setChecked(False)
            row.name.clear()
            row.more.clear()
            if params is not None:
                row.set_baseline(params)
        for row, name in zip(self.rows, on[:MAX_VARIANTS], strict=False):
            row.set_changes(f"no {specs[name].label}", {name: False})

    def variants(self) -> list[Variant]:
        """The ticked rows' variants.

        Raises
        ------
        ValueError
            When no row is ticked, or a row's changes do not parse.
        """
        variants = [row.variant() for row in self.rows if row.use.isChecked()]
        if not variants:
            raise ValueError("tick at least one variant")
        return variants

    # -- running ---------------------------------------------------------------------------------
    def start(self) -> Future | None:
        """Pause the studio and start the comparison from its network now.

        Returns the future of the snapshot taken in the studio's worker (None when the
        variants are refused; the status line says why).
        """
        try:
            variants = self.variants()
        except ValueError as exc:
            self._show_failure(str(exc))
            return None
        self._end()
        self._variants = variants
        self.controller.pause()
        self.controller.flush_params()
        runner = self.controller.runner
        future = runner.call(lambda sim: (sim.snapshot(), runner.history_points()))
        future.add_done_callback(self._start_taken.emit)
        self.status.setText("Taking the studio's network\u2026")
        return future

    def _begin(self, future: Future) -> None:
        exc = future.exception()
        if exc is not None:
            self._show_failure(f"Could not take the studio's network: {exc}")
            return
        snapshot, history = future.result()
        try:
            runner = CompareRunner(snapshot, self._variants, self.mailbox.put,
                                   ready=self.mailbox.empty,
                                   on_error=lambda message, _details: self._failed.emit(message),
                                   max_fps=self.controller.runner.max_fps, history=history)
        except ValueError as exc:
            self._show_failure(str(exc))
            return
        self.runner = runner
        self.view.arrange(["baseline", *(v.name for v in self._variants)])
        self.continue_combo.clear()
        self.continue_combo.addItems(["baseline", *(v.name for v in self._variants)])
        self.thread = LoopThread(runner, "sorn-compare")
        self.thread.failed.connect(lambda message, _details: self._show_failure(message))
        self.thread.start()
        self.last_error = None
        self.setup_button.setChecked(False)
        runner.play()
        self._playing = True
        self._show_controls()

    def toggle_play(self) -> None:
        """Pause a running comparison, or run a paused one."""
        if self.runner is None:
            return
        if self._playing:
            self.runner.pause()
        else:
            self.runner.play()
        self._playing = not self._playing
        self._show_controls()

    def step(self, n: int) -> None:
        """Do ``n`` steps of the comparison, then pause."""
        if self.runner is not None:
            self._playing = False
            self.runner.step(n)
            self._show_controls()

    def continue_in_studio(self, index: int) -> None:
        """End the comparison and continue network ``index`` (0: the baseline) in the studio."""
        if self.runner is None or not 0 <= index < len(self.runner.simulations):
            return
        runner = self.runner
        name = self.continue_combo.itemText(index)
        self._end()
        sim = runner.simulations[index]
        history = runner.history_points(index)
        sim.set_recording(studio_recording(sim.params.ne))
        self.controller.continue_with(sim, history)
        self.status.setText(f"Continued \u201c{name}\u201d in the studio at step "
                            f"{step_text(sim.t)}; the comparison has ended.")

    def _end(self) -> None:
        """Stop the comparison's thread and forget it (its networks stay with whoever took
        them)."""
        if self.thread is not None and self.runner is not None:
            self.runner.stop()
            self.thread.wait(10_000)
        self.runner, self.thread = None, None
        self._playing = False
        self.mailbox.take()
        self._show_controls()

    def _show_controls(self) -> None:
        active = self.runner is not None
        for widget in (self.play_button, self.step_button, self.step_spin,
                       self.continue_button, self.continue_combo):
            widget.setEnabled(active)
        self.play_button.setText("Pause" if active and self._playing else "Play")

    def set_look(self, _old: theme.Look, _new: theme.Look) -> None:
        """The theme changed: an error shown takes the new theme's red."""
        if self.last_error is not None:
            self.status.setText(theme.error_html(self.last_error))

    def _show_failure(self, message: str) -> None:
        self.last_error = message
        self.status.setText(theme.error_html(message))
        if self.runner is not None:
            self._playing = False
            self._show_controls()

    # -- frames ----------------------------------------------------------------------------------
    def _take_frame(self) -> None:
        started = time.perf_counter()
        frame = self.pacer.take()
        if frame is None:
            return
        self.last_frame = frame
        self.view.update_frame(frame)
        if frame.running:
            self.view.repaint()
        if self.last_error is None:
            self.status.setText(
                f"step {step_text(frame.step)} (from {step_text(frame.start_step)}) \u00b7 "
                f"{step_text(round(frame.sim_rate))} steps/s \u00b7 "
                f"{self.pacer.fps:.0f} frames/s")
        self.pacer.painted(started, frame.running)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """End the comparison's thread, then close."""
        self._end()
        self._timer.stop()
        self.closed.emit()
        event.accept()
