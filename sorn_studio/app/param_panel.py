"""The parameter panel, generated from the parameter metadata (:func:`field_specs`).

:class:`ParamModel` holds two parameter sets: ``engine`` (what the simulation uses, as reported
by the latest frame) and ``pending`` (what the user asked for). Editing a live field sends the
change to the engine at once (debounced by the controller); editing a structural field only
changes ``pending``, which the next reset applies. Every editor of a field, in the panel or in
the run controls, is bound to the model, so they never disagree.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..params import FieldSpec, Params, field_specs, parse_value

__all__ = ["ParamModel", "FieldEditor", "ParamPanel", "bind_editor"]

_TYPES = {f.name: str(f.type) for f in dataclasses.fields(Params)}
_DEFAULTS = Params()
#: Groups shown first: what students change while the network runs.
_GROUP_ORDER = ("Mechanisms", "Learning rates", "Intrinsic plasticity target",
                "Dynamics and noise", "Input", "Network size", "Connectivity", "Initial state",
                "Weight bounds")
_SLIDER_TICKS = 1000
_INT_MAX = 2_000_000_000


def format_value(value: Any) -> str:
    """Text of a parameter value for labels and tooltips."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, tuple):
        return ",".join(format_value(v) for v in value)
    return str(value)


class ParamModel(QObject):
    """The engine's parameters and the user's pending ones.

    Signals
    -------
    changed(str)
        The pending value of a field changed (``""``: possibly all of them).
    live_edit(dict)
        Live changes to send to the engine.
    rejected(str)
        A value was refused; the message says why.
    pending_changed()
        The set of structural changes waiting for a reset changed.
    """

    changed = Signal(str)
    live_edit = Signal(dict)
    rejected = Signal(str)
    pending_changed = Signal()

    def __init__(self, params: Params, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = params
        self.pending = params
        self.specs = field_specs()

    def value(self, name: str) -> Any:
        """Pending value of ``name``."""
        return getattr(self.pending, name)

    def set_value(self, name: str, value: Any) -> bool:
        """Ask for ``name = value``; returns False (and emits ``rejected``) when invalid."""
        if value == getattr(self.pending, name):
            return True
        try:
            new = self.pending.replace(**{name: value})
        except (TypeError, ValueError) as exc:
            self.rejected.emit(str(exc))
            self.changed.emit(name)  # editors show the value still in force
            return False
        self.pending = new
        if self.specs[name].live:
            self.live_edit.emit({name: value})
        self.changed.emit(name)
        self.pending_changed.emit()
        return True

    def set_text(self, name: str, text: str) -> bool:
        """Like :meth:`set_value` for typed text (parsed with :func:`parse_value`)."""
        try:
            value = parse_value(name, text)
        except ValueError as exc:
            self.rejected.emit(str(exc))
            self.changed.emit(name)
            return False
        return self.set_value(name, value)

    def load(self, params: Params) -> None:
        """Make ``params`` the pending set (e.g. a preset); applied by the next reset."""
        self.pending = params
        self.changed.emit("")
        self.pending_changed.emit()

    def sync(self, params: Params, new_epoch: bool) -> None:
        """Follow the engine's parameters from a frame.

        Parameters
        ----------
        params : Params
            The parameters the engine uses now.
        new_epoch : bool
            The network was reset or replaced: the pending set becomes the engine's.
        """
        if params == self.engine and not new_epoch:
            return
        old, self.engine = self.engine, params
        if new_epoch:
            self.pending = params
            self.changed.emit("")
            self.pending_changed.emit()
            return
        updates = {}
        for name, (before, after) in old.diff(params).items():
            # Adopt what changed in the engine unless the user has since asked for another value.
            if getattr(self.pending, name) == before:
                updates[name] = after
        if updates:
            try:
                self.pending = self.pending.replace(**updates)
            except (TypeError, ValueError):
                self.pending = params
            for name in updates:
                self.changed.emit(name)
            self.pending_changed.emit()

    def structural_pending(self) -> dict[str, tuple[Any, Any]]:
        """Structural fields whose pending value differs from the engine's: ``old, new``."""
        return {k: v for k, v in self.engine.diff(self.pending).items()
                if not self.specs[k].live}


class _Scale:
    """Map a float field's range onto slider ticks, logarithmically for small rates."""

    def __init__(self, spec: FieldSpec, default: float) -> None:
        self.low = float(spec.low)
        self.high = float(spec.high)
        span = self.high - self.low
        # A default far below the top of its range (learning rates, noise) needs a log slider
        # to be adjustable at all; the bottom tick stays the exact lower bound.
        self.log = self.low >= 0 and span > 0 and default <= span / 50
        self.floor = max(self.low, self.high * 1e-4) if self.log else self.low

    def to_tick(self, value: float) -> int:
        if self.high <= self.low:
            return 0
        if self.log:
            if value <= self.floor:
                return 0
            frac = math.log10(value / self.floor) / math.log10(self.high / self.floor)
            return 1 + round(min(max(frac, 0.0), 1.0) * (_SLIDER_TICKS - 1))
        return round((value - self.low) / (self.high - self.low) * _SLIDER_TICKS)

    def to_value(self, tick: int) -> float:
        if self.log:
            if tick <= 0:
                return self.low
            frac = (tick - 1) / (_SLIDER_TICKS - 1)
            return float(f"{self.floor * (self.high / self.floor) ** frac:.3g}")
        return float(f"{self.low + tick / _SLIDER_TICKS * (self.high - self.low):.4g}")


class FieldEditor(QWidget):
    """The editor of one field, chosen from its type and metadata.

    Numbers get a spin box (and a slider when the field is live and bounded), switches a check
    box, choices a combo box and lists a line edit. Every user edit goes to the model; the
    widget shows the model's pending value.
    """

    def __init__(self, name: str, model: ParamModel, parent: QWidget | None = None,
                 *, show_label: bool = False) -> None:
        super().__init__(parent)
        self.name = name
        self.model = model
        self.spec = model.specs[name]
        self.setObjectName(f"edit_{name}")
        kind = _TYPES[name]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.slider: QSlider | None = None
        self._scale: _Scale | None = None
        spec = self.spec
        if kind == "bool":
            self.widget: QWidget = QCheckBox(spec.label if show_label else "")
            self.widget.toggled.connect(lambda on: self.model.set_value(name, bool(on)))
        elif spec.choices:
            combo = QComboBox()
            combo.addItems(list(spec.choices))
            combo.activated.connect(lambda i: self.model.set_value(name, spec.choices[i]))
            self.widget = combo
        elif kind.startswith("tuple"):
            edit = QLineEdit()
            edit.editingFinished.connect(self._text_done)
            self.widget = edit
        elif kind == "int":
            spin = QSpinBox()
            spin.setRange(int(spec.low) if spec.low is not None else -_INT_MAX,
                          int(spec.high) if spec.high is not None else _INT_MAX)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v: self.model.set_value(name, int(v)))
            self.widget = spin
        else:
            spin = QDoubleSpinBox()
            # Rates and probabilities need six decimals; counts and thresholds read better with 4.
            spin.setDecimals(6 if spec.high is not None and spec.high <= 1 else 4)
            spin.setRange(spec.low if spec.low is not None else -1e9,
                          spec.high if spec.high is not None else 1e9)
            spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v: self.model.set_value(name, float(v)))
            self.widget = spin
            if spec.live and spec.low is not None and spec.high is not None:
                self._scale = _Scale(spec, float(getattr(_DEFAULTS, name)))
                self.slider = QSlider(Qt.Orientation.Horizontal)
                self.slider.setRange(0, _SLIDER_TICKS)
                self.slider.setObjectName(f"slider_{name}")
                self.slider.valueChanged.connect(self._slid)
                layout.addWidget(self.slider, 3)
        self.widget.setObjectName(f"field_{name}")
        layout.addWidget(self.widget, 2)
        tip = (f"<b>{spec.label}</b> ({name})<br>{spec.help}<br>Allowed: {spec.allowed()}"
               f"{' ' + spec.unit if spec.unit else ''}<br><i>"
               + ("Live: applied at the next step." if spec.live else
                  "Structural: editable while paused, applied on Reset.") + "</i>")
        self.setToolTip(tip)
        self.widget.setToolTip(tip)
        model.changed.connect(self._model_changed)
        self.refresh()

    def _model_changed(self, name: str) -> None:
        if name in ("", self.name):
            self.refresh()

    def _slid(self, tick: int) -> None:
        if self._scale is not None:
            self.model.set_value(self.name, self._scale.to_value(tick))

    def _text_done(self) -> None:
        assert isinstance(self.widget, QLineEdit)
        if self.widget.text() != format_value(self.model.value(self.name)):
            self.model.set_text(self.name, self.widget.text())

    def refresh(self) -> None:
        """Show the model's pending value without echoing it back as an edit."""
        value = self.model.value(self.name)
        w = self.widget
        w.blockSignals(True)
        try:
            if isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                w.setCurrentIndex(max(0, w.findText(str(value))))
            elif isinstance(w, QLineEdit):
                w.setText(format_value(value))
            elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
                w.setValue(value)
        finally:
            w.blockSignals(False)
        if self.slider is not None and self._scale is not None:
            self.slider.blockSignals(True)
            self.slider.setValue(self._scale.to_tick(float(value)))
            self.slider.blockSignals(False)

    def set_running(self, running: bool) -> None:
        """Disable a structural field while the network runs."""
        self.setEnabled(self.spec.live or not running)


def bind_editor(widget: QWidget, name: str, model: ParamModel) -> None:
    """Bind a form's plain widget (spin box, combo box, line edit) to the field ``name``.

    The run controls use this for the input selector and noise level, so they share the
    panel's model.
    """
    spec = model.specs[name]

    def refresh(changed: str = "") -> None:
        if changed not in ("", name):
            return
        value = model.value(name)
        widget.blockSignals(True)
        try:
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(widget, QLineEdit):
                widget.setText(format_value(value))
            elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
                widget.setValue(value)
        finally:
            widget.blockSignals(False)

    if isinstance(widget, QComboBox):
        widget.activated.connect(lambda i: model.set_value(name, widget.itemData(i)))
    elif isinstance(widget, QLineEdit):
        widget.editingFinished.connect(
            lambda: widget.text() == format_value(model.value(name))
            or model.set_text(name, widget.text()))
    elif isinstance(widget, QSpinBox):
        widget.setRange(int(spec.low) if spec.low is not None else -_INT_MAX,
                        int(spec.high) if spec.high is not None else _INT_MAX)
        widget.setKeyboardTracking(False)
        widget.valueChanged.connect(lambda v: model.set_value(name, int(v)))
    elif isinstance(widget, QDoubleSpinBox):
        widget.setDecimals(4)
        widget.setRange(spec.low if spec.low is not None else -1e9,
                        spec.high if spec.high is not None else 1e9)
        widget.setSingleStep(0.01)
        widget.setKeyboardTracking(False)
        widget.valueChanged.connect(lambda v: model.set_value(name, float(v)))
    widget.setToolTip(f"<b>{spec.label}</b><br>{spec.help}<br><i>"
                      + ("Live: applied at the next step." if spec.live else
                         "Applied on Reset.") + "</i>")
    model.changed.connect(refresh)
    refresh()


class ParamPanel(QScrollArea):
    """Every parameter, grouped as the metadata says, in a scrollable panel."""

    def __init__(self, model: ParamModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paramPanel")
        self.model = model
        self.setWidgetResizable(True)
        body = QWidget()
        outer = QVBoxLayout(body)
        outer.setContentsMargins(6, 6, 6, 6)
        self.message = QLabel()
        self.message.setObjectName("panelMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.pending = QLabel()
        self.pending.setObjectName("panelPending")
        self.pending.setWordWrap(True)
        self.pending.hide()
        hint = QLabel("Fields with a slider, and the mechanism switches, change the running "
                      "network at the next step. The others are structural: edit them while "
                      "paused; Reset applies them.")
        hint.setObjectName("panelHint")
        hint.setWordWrap(True)
        outer.addWidget(hint)
        outer.addWidget(self.message)
        outer.addWidget(self.pending)
        self.editors: dict[str, FieldEditor] = {}
        groups: dict[str, list[str]] = {}
        for name, spec in model.specs.items():
            groups.setdefault(spec.group, []).append(name)
        order = [g for g in _GROUP_ORDER if g in groups] + [g for g in groups
                                                             if g not in _GROUP_ORDER]
        for group in order:
            box = QGroupBox(group)
            if group == "Mechanisms":
                grid = QGridLayout(box)
                for i, name in enumerate(groups[group]):
                    editor = FieldEditor(name, model, show_label=True)
                    self.editors[name] = editor
                    grid.addWidget(editor, i // 3, i % 3)
            else:
                form = QFormLayout(box)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                for name in groups[group]:
                    spec = model.specs[name]
                    editor = FieldEditor(name, model)
                    self.editors[name] = editor
                    label = QLabel(spec.label + (f" ({spec.unit})" if spec.unit else ""))
                    label.setToolTip(editor.toolTip())
                    label.setBuddy(editor.widget)
                    form.addRow(label, editor)
            outer.addWidget(box)
        outer.addStretch(1)
        self.setWidget(body)
        model.rejected.connect(self.show_message)
        model.pending_changed.connect(self._show_pending)
        model.pending_changed.connect(self.message.hide)

    def show_message(self, text: str) -> None:
        """Show why a value was refused."""
        self.message.setText(text)
        self.message.show()

    def _show_pending(self) -> None:
        pending = self.model.structural_pending()
        if pending:
            items = ", ".join(f"{k} {format_value(a)} \u2192 {format_value(b)}"
                              for k, (a, b) in pending.items())
            self.pending.setText(f"Applied on Reset: {items}")
            self.pending.show()
        else:
            self.pending.hide()

    def set_running(self, running: bool) -> None:
        """Enable or disable the structural fields."""
        for editor in self.editors.values():
            editor.set_running(running)
