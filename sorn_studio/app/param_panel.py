"""The parameter panel, generated from the parameter metadata (:func:`field_specs`).

:class:`ParamModel` holds two parameter sets: ``engine`` (what the simulation uses, as reported
by the latest frame) and ``pending`` (what the user asked for). Editing a live field sends the
change to the engine at once (debounced by the controller); editing a structural field only
changes ``pending``, which the next reset applies. Every editor of a field, in the panel or in
the run controls, is bound to the model by :func:`bind_editor`, so they never disagree, and
every one refuses a value the same way: nothing changes, the field turns red and a
:class:`~sorn_studio.app.fields.RefusalNote` says what the field allows.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ..params import FieldSpec, Params, check_value, field_specs, parse_value
from .fields import FloatField, IntField, RefusalNote, allowed_text, format_value, read_number
from .help import FIELD_SECTIONS, SECTION_TITLES

__all__ = ["ParamModel", "FieldEditor", "ParamPanel", "bind_editor", "field_applies",
           "field_tooltip", "format_value", "in_words"]

_TYPES = {f.name: str(f.type) for f in dataclasses.fields(Params)}
_DEFAULTS = Params()
#: Groups shown first: what students change while the network runs.
_GROUP_ORDER = ("Mechanisms", "Learning rates", "Intrinsic plasticity target",
                "Dynamics and noise", "Input", "Network size", "Connectivity", "Initial state",
                "Weight bounds")
_SLIDER_TICKS = 1000
_SYMBOL_INPUTS = ("random", "counting", "words")
#: Fields that matter only for some settings of others; the rest always apply.
_APPLIES: dict[str, Callable[[Params], bool]] = {
    "n_u": lambda p: p.input_kind in _SYMBOL_INPUTS,
    "pools": lambda p: p.input_kind in _SYMBOL_INPUTS,
    "input_gain": lambda p: p.input_kind in _SYMBOL_INPUTS,
    "n_symbols": lambda p: p.input_kind == "random",
    "counting_n": lambda p: p.input_kind == "counting",
    "words": lambda p: p.input_kind == "words",
    "word_probs": lambda p: p.input_kind == "words",
    "nu": lambda p: p.input_kind == "raw",
    "sigma_ip": lambda p: p.ip_target == "normal",
    "ip_halfwidth": lambda p: p.ip_target == "uniform",
}


def field_applies(name: str, params: Params) -> bool:
    """Whether field ``name`` has any effect with ``params`` (Counting n only for counting)."""
    test = _APPLIES.get(name)
    return test is None or test(params)


def field_tooltip(name: str, spec: FieldSpec) -> str:
    """Rich-text tooltip of a field: label, help, what it allows, when it applies."""
    kind = _TYPES[name]
    if kind == "bool":
        allowed = ""  # a check box says on or off by itself
    elif spec.choices or kind in ("int", "float"):
        allowed = allowed_text(spec)
    elif kind.startswith("tuple[str"):
        allowed = "a comma-separated list of words"
    else:
        allowed = "comma-separated numbers \u2265 0"
    section = FIELD_SECTIONS.get(name)
    explained = (f"<br>Explained in Help \u2192 The model \u2192 {SECTION_TITLES[section]} "
                 "(F1 in the field)" if section else "")
    return (f"<b>{spec.label}</b> ({name})<br>{spec.help}"
            + (f"<br>Allowed: {allowed}" if allowed else "") + "<br><i>"
            + ("Live: applied at the next step." if spec.live else
               "Structural: editable while paused, applied on Reset.") + "</i>" + explained)


def in_words(message: str, specs: dict[str, FieldSpec]) -> str:
    """``message`` with the fields' code names (``'word_probs'``) replaced by their labels."""
    def label(match: re.Match[str]) -> str:
        spec = specs.get(match[1])
        return spec.label if spec is not None else match[0]

    return re.sub(r"(?:parameter )?'(\w+)'", label, message)


class ParamModel(QObject):
    """The engine's parameters and the user's pending ones.

    Signals
    -------
    changed(str)
        The pending value of a field changed (``""``: possibly all of them).
    live_edit(dict)
        Live changes to send to the engine.
    pending_changed()
        The pending parameters changed.
    """

    changed = Signal(str)
    live_edit = Signal(dict)
    pending_changed = Signal()

    def __init__(self, params: Params, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = params
        self.pending = params
        self.specs = field_specs()

    def value(self, name: str) -> Any:
        """Pending value of ``name``."""
        return getattr(self.pending, name)

    def offer(self, name: str, value: Any) -> str | None:
        """Ask for ``name = value``.

        Returns
        -------
        str or None
            ``None`` when taken (or already the value); otherwise why it was refused, in the
            labels the user sees, ending with the value kept. Nothing changes then.
        """
        old = getattr(self.pending, name)
        try:
            changes = self._changes(name, value)
            new = self.pending.replace(**changes)
        except (TypeError, ValueError) as exc:
            return f"{in_words(str(exc), self.specs)}. Kept {format_value(old)}."
        return self._take(new, changes)

    def offer_text(self, name: str, text: str) -> str | None:
        """Like :meth:`offer` for typed text."""
        kind = _TYPES[name]
        try:
            if kind in ("int", "float"):
                value = read_number(self.specs[name], text, kind == "int")
            else:
                value = parse_value(name, text)
        except ValueError as exc:
            return (f"{in_words(str(exc), self.specs)}. "
                    f"Kept {format_value(getattr(self.pending, name))}.")
        return self.offer(name, value)

    def _changes(self, name: str, value: Any) -> dict[str, Any]:
        changes = {name: value}
        if name == "words":
            # Word probabilities are not in the run controls: a new number of words gets
            # equal chances instead of an error about a field the student does not see.
            words = check_value(name, value)
            if len(words) != len(self.pending.word_probs):
                changes["word_probs"] = (1 / len(words),) * len(words)
        return changes

    def _take(self, new: Params, changes: dict[str, Any]) -> None:
        if new == self.pending:
            return
        live = {k: getattr(new, k) for k in changes
                if self.specs[k].live and getattr(new, k) != getattr(self.pending, k)}
        self.pending = new
        if live:
            self.live_edit.emit(live)
        for name in changes:
            self.changed.emit(name)
        self.pending_changed.emit()

    def restore(self, params: Params) -> None:
        """Make ``params`` the pending set; live fields that differ go to the engine now.

        "Reset to preset values": the running network takes the live values at once, the
        structural ones wait for Reset like any edit.
        """
        live = {k: getattr(params, k) for k in self.pending.diff(params)
                if self.specs[k].live}
        self.pending = params
        if live:
            self.live_edit.emit(live)
        self.changed.emit("")
        self.pending_changed.emit()

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

    Numbers get an :class:`IntField` or :class:`FloatField` (and a slider when the field is
    live and bounded), switches a check box, choices a combo box and lists a line edit. Every
    user edit goes to the model through :func:`bind_editor`; a refused value is explained in
    :attr:`note`, right under the field.
    """

    def __init__(self, name: str, model: ParamModel, parent: QWidget | None = None,
                 *, show_label: bool = False) -> None:
        super().__init__(parent)
        self.name = name
        self.model = model
        self.spec = spec = model.specs[name]
        self.setObjectName(f"edit_{name}")
        kind = _TYPES[name]
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        row = QHBoxLayout()
        outer.addLayout(row)
        message = QLabel()
        message.setObjectName(f"message_{name}")
        message.setProperty("refusal", True)
        outer.addWidget(message)
        self.note = RefusalNote(message)
        #: The form's label of the field, greyed out with it.
        self.label: QLabel | None = None
        self.slider: QSlider | None = None
        self._scale: _Scale | None = None
        if kind == "bool":
            self.widget: QWidget = QCheckBox(spec.label if show_label else "")
        elif spec.choices:
            combo = QComboBox()
            for choice in spec.choices:
                combo.addItem(choice, choice)
            self.widget = combo
        elif kind.startswith("tuple"):
            self.widget = QLineEdit()
        else:
            self.widget = IntField() if kind == "int" else FloatField()
            if kind == "float" and spec.live and spec.low is not None and spec.high is not None:
                self._scale = _Scale(spec, float(getattr(_DEFAULTS, name)))
                self.slider = QSlider(Qt.Orientation.Horizontal)
                self.slider.setRange(0, _SLIDER_TICKS)
                self.slider.setObjectName(f"slider_{name}")
                self.slider.valueChanged.connect(self._slid)
                row.addWidget(self.slider, 3)
        self.widget.setObjectName(f"field_{name}")
        row.addWidget(self.widget, 2)
        bind_editor(self.widget, name, model, self.note)
        self.setToolTip(self.widget.toolTip())
        #: Why a lesson locked the field (None: not locked).
        self.locked: str | None = None
        self._tooltip = self.widget.toolTip()
        model.changed.connect(self._model_changed)
        self._show_slider()

    def lock(self, reason: str | None) -> None:
        """Lock the field (a lesson's choice), saying why in its tooltip; None unlocks."""
        self.locked = reason
        tip = self._tooltip if reason is None else f"Locked by the lesson: {reason}"
        for widget in (self, self.widget, self.label, self.slider):
            if widget is not None:
                widget.setToolTip(tip)
        marked = " (locked)"
        for widget in (self.label, self.widget if isinstance(self.widget, QCheckBox) else None):
            if widget is not None:
                text = widget.text().removesuffix(marked)
                widget.setText(text + (marked if reason is not None else ""))

    def _model_changed(self, name: str) -> None:
        if name in ("", self.name):
            self._show_slider()

    def _slid(self, tick: int) -> None:
        if self._scale is not None:
            self.model.offer(self.name, self._scale.to_value(tick))

    def _show_slider(self) -> None:
        if self.slider is not None and self._scale is not None:
            self.slider.blockSignals(True)
            self.slider.setValue(self._scale.to_tick(float(self.model.value(self.name))))
            self.slider.blockSignals(False)

    def update_enabled(self, running: bool) -> None:
        """Enable the field when it applies to the pending parameters and may change now.

        A structural field is disabled while the network runs; a field the chosen input (or
        target spread) does not use is disabled always.
        """
        enabled = ((self.spec.live or not running) and self.locked is None
                   and field_applies(self.name, self.model.pending))
        self.setEnabled(enabled)
        if self.label is not None:
            self.label.setEnabled(enabled)


def bind_editor(widget: QWidget, name: str, model: ParamModel, note: RefusalNote) -> None:
    """Bind an editor widget to the field ``name``: it shows and edits the pending value.

    The one way fields take values, in the panel and in the run controls: an edit goes to
    :meth:`ParamModel.offer`; a refused one (bad text, out of range, inconsistent with other
    fields) changes nothing, the widget shows the value still in force and ``note`` says why,
    naming what the field allows. Text equal to the shown text is no edit.

    Parameters
    ----------
    widget : QWidget
        A QCheckBox, a QComboBox (items carry the values as data), a QLineEdit, an
        :class:`IntField` or a :class:`FloatField`.
    name : str
        The field.
    model : ParamModel
        Where the value lives.
    note : RefusalNote
        Where a refusal is shown.

    Raises
    ------
    TypeError
        For any other widget (a plain Qt spin box would clamp values silently).
    """
    spec = model.specs[name]

    def refresh(changed: str = "") -> None:
        if changed not in ("", name):
            return
        value = model.value(name)
        widget.blockSignals(True)
        try:
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(widget, QLineEdit):
                widget.setText(format_value(value))
            else:
                widget.setValue(value)
        finally:
            widget.blockSignals(False)
        note.clear(widget)

    def took(message: str | None) -> None:
        if message is None:
            note.clear(widget)
        else:
            refresh()
            note.show(widget, message)

    def text_done() -> None:
        if widget.text().strip() != format_value(model.value(name)):
            took(model.offer_text(name, widget.text()))

    if isinstance(widget, QCheckBox):
        widget.toggled.connect(lambda on: took(model.offer(name, bool(on))))
    elif isinstance(widget, QComboBox):
        widget.activated.connect(lambda i: took(model.offer(name, widget.itemData(i))))
    elif isinstance(widget, QLineEdit):
        widget.editingFinished.connect(text_done)
    elif isinstance(widget, (IntField, FloatField)):
        widget.set_spec(spec)
        widget.valueChanged.connect(lambda v: took(model.offer(name, v)))
        widget.refused.connect(lambda message: note.show(widget, message))
    else:
        raise TypeError(f"cannot bind a {type(widget).__name__} to {name!r}; use IntField or "
                        "FloatField for numbers")
    widget.setToolTip(field_tooltip(name, spec))
    model.changed.connect(refresh)
    refresh()


class ParamPanel(QScrollArea):
    """Every parameter, grouped as the metadata says, in a scrollable panel."""

    def __init__(self, model: ParamModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paramPanel")
        self.model = model
        self.running = False
        self.setWidgetResizable(True)
        body = QWidget()
        outer = QVBoxLayout(body)
        outer.setContentsMargins(6, 6, 6, 6)
        self.pending = QLabel()
        self.pending.setObjectName("panelPending")
        self.pending.setWordWrap(True)
        self.pending.hide()
        hint = QLabel("Fields with a slider, and the mechanism switches, change the running "
                      "network at the next step. The others are structural: edit them while "
                      "paused; Reset applies them. Greyed fields do not apply to the chosen "
                      "input.")
        hint.setObjectName("panelHint")
        hint.setWordWrap(True)
        outer.addWidget(hint)
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
                    editor.label = label
            outer.addWidget(box)
        outer.addStretch(1)
        self.setWidget(body)
        model.pending_changed.connect(self._show_pending)
        model.changed.connect(self._update_enabled)
        self._update_enabled()

    def refusals(self) -> dict[str, str]:
        """The fields showing a refusal now, with the message."""
        return {name: e.note.message() for name, e in self.editors.items() if e.note.message()}

    def _show_pending(self) -> None:
        pending = self.model.structural_pending()
        if pending:
            items = ", ".join(f"{self.model.specs[k].label} {format_value(a)} \u2192 "
                              f"{format_value(b)}" for k, (a, b) in pending.items())
            self.pending.setText(f"Applied on Reset: {items}")
            self.pending.show()
        else:
            self.pending.hide()

    def _update_enabled(self, _name: str = "") -> None:
        for editor in self.editors.values():
            editor.update_enabled(self.running)

    def set_running(self, running: bool) -> None:
        """Enable or disable the structural fields."""
        self.running = running
        self._update_enabled()

    def restrict(self, locked: tuple[str, ...] = (), hidden: tuple[str, ...] = (),
                 reason: str = "") -> None:
        """Lock the fields ``locked`` (shown, not editable, ``reason`` in their tooltip) and
        hide the fields ``hidden``; every other field is free and shown (a lesson's
        controls; call with nothing to free them all)."""
        for name, editor in self.editors.items():
            editor.lock((reason or "locked") if name in locked else None)
            shown = name not in hidden
            editor.setVisible(shown)
            if editor.label is not None:
                editor.label.setVisible(shown)
        self._update_enabled()
