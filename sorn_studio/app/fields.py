"""Number fields that refuse what they cannot take, and say why.

Qt's spin boxes clamp a typed value into their range and drop keystrokes they do not like, so
"-0.5" silently became 0 and "1e9" became 1. :class:`IntField` and :class:`FloatField` take any
keystroke; when editing finishes, text that is not a number of the field or lies outside its
range is refused: the field keeps its value and emits ``refused`` with a message naming the
allowed range, which a :class:`RefusalNote` shows (the field turns red, the message appears in
a label). What a field shows reads back as the value it holds: text equal to the shown text
keeps the exact value, so re-typing "0.223607" changes nothing.

Both classes extend Qt's spin boxes, so Designer forms promote them (``run_controls.ui``) and
code that looks for a ``QSpinBox`` still finds them.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QSpinBox, QWidget

from ..params import FieldSpec

__all__ = ["IntField", "FloatField", "RefusalNote", "Refused", "format_value", "read_number",
           "allowed_text"]

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
#: Qt rounds a QDoubleSpinBox's value to its decimals; this many keep every double exact.
_ALL_DECIMALS = 323


class Refused(ValueError):
    """A value a field does not take; the message says why, in the field's own words."""


def format_value(value: Any) -> str:
    """Text of a value for fields, labels and tooltips (six significant digits for floats)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (tuple, list)):
        return ",".join(format_value(v) for v in value)
    return str(value)


def allowed_text(spec: FieldSpec) -> str:
    """The numbers ``spec`` allows, with the unit: ``"[0, 1] per step"``."""
    return spec.allowed() + (f" {spec.unit}" if spec.unit else "")


def _admits(spec: FieldSpec, number: float) -> bool:
    if spec.low is not None and (number < spec.low or (spec.low_open and number <= spec.low)):
        return False
    return spec.high is None or number <= spec.high


def read_number(spec: FieldSpec, text: str, integer: bool) -> int | float:
    """The number ``text`` stands for, checked against ``spec``.

    Parameters
    ----------
    spec : FieldSpec
        Label, unit and bounds of the field.
    text : str
        What was typed (``"1e-3"``, ``" 12 "``).
    integer : bool
        The field takes whole numbers only.

    Returns
    -------
    int or float

    Raises
    ------
    Refused
        Not a number, not whole, not finite or out of range; the message names the field
        and what it allows.
    """
    text = text.strip()
    allowed = allowed_text(spec)
    number: int | float
    try:
        number = int(text) if integer else float(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            raise Refused(f"{spec.label} = \u201c{text}\u201d is not a number; allowed: "
                          f"{allowed}") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise Refused(f"{spec.label} = {text} is not a finite number; allowed: {allowed}")
    if integer and isinstance(number, float):
        if not number.is_integer():
            raise Refused(f"{spec.label} = {text} is not a whole number; allowed: {allowed}")
        number = int(number)
    if not _admits(spec, number):
        raise Refused(f"{spec.label} = {text} is out of range; allowed: {allowed}")
    return number


class _Refusing:
    """What :class:`IntField` and :class:`FloatField` share: reading, showing and refusing."""

    _integer = False
    _spec: FieldSpec | None = None

    def spec(self) -> FieldSpec:
        """Label, unit and bounds of the field (from the Qt range when none was given)."""
        box: Any = self
        return self._spec or FieldSpec(box.objectName(), low=box.minimum(), high=box.maximum())

    def _bounds(self, spec: FieldSpec) -> tuple[float, float]:
        raise NotImplementedError

    def set_spec(self, spec: FieldSpec) -> None:
        """Take label, unit and bounds from ``spec``; stepping stays inside the bounds."""
        box: Any = self
        self._spec = spec
        box.setRange(*self._bounds(spec))

    def _typed(self, text: str) -> str:
        box: Any = self
        text = text.strip()
        for fix, cut in ((box.prefix().strip(), str.removeprefix),
                         (box.suffix().strip(), str.removesuffix)):
            if fix:
                text = cut(text, fix)
        return text.strip()

    def _shown(self) -> str:
        box: Any = self
        return box.textFromValue(box.value())

    def validate(self, text: str, pos: int) -> object:
        """Any keystroke is allowed; only a number the field takes is final."""
        typed = self._typed(text)
        if typed == self._shown():
            return QValidator.State.Acceptable, text, pos
        try:
            read_number(self.spec(), typed, self._integer)
        except Refused:
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        """Called when editing ends on text :meth:`validate` did not accept: refuse it.

        Qt then shows the value the field had; ``refused`` says why.
        """
        try:
            read_number(self.spec(), self._typed(text), self._integer)
        except Refused as exc:
            box: Any = self
            box.refused.emit(f"{exc}. Kept {self._shown()}.")
        return text

    def valueFromText(self, text: str) -> Any:  # noqa: N802 - Qt API
        """The shown text keeps the exact value; other text is read as typed."""
        box: Any = self
        typed = self._typed(text)
        if typed == self._shown():
            return box.value()
        return read_number(self.spec(), typed, self._integer)


class IntField(_Refusing, QSpinBox):
    """A whole-number field that refuses, rather than clamps, what it cannot take.

    Signals
    -------
    refused(str)
        Typed text was refused; the message names the field and its allowed range.
    """

    refused = Signal(str)
    _integer = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setKeyboardTracking(False)

    def _bounds(self, spec: FieldSpec) -> tuple[float, float]:
        if spec.low is None:
            low = _INT_MIN
        else:
            low = math.floor(spec.low) + 1 if spec.low_open else math.ceil(spec.low)
        high = _INT_MAX if spec.high is None else math.floor(spec.high)
        return max(int(low), _INT_MIN), min(int(high), _INT_MAX)

    def textFromValue(self, value: int) -> str:  # noqa: N802 - Qt API
        """The value in digits, without group separators (they would not read back)."""
        return str(value)


class FloatField(_Refusing, QDoubleSpinBox):
    """A real-number field that refuses, rather than clamps or rounds, what it cannot take.

    It holds values exactly (no rounding to a number of decimals), shows six significant
    digits, and steps by one tenth of the value's power of ten.

    Signals
    -------
    refused(str)
        Typed text was refused; the message names the field and its allowed range.
    """

    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(_ALL_DECIMALS)
        self.setKeyboardTracking(False)

    def _bounds(self, spec: FieldSpec) -> tuple[float, float]:
        return (-1e300 if spec.low is None else float(spec.low),
                1e300 if spec.high is None else float(spec.high))

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt API
        """Six significant digits; :meth:`valueFromText` reads them back as the exact value."""
        return format_value(float(value))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Room for six significant digits (Qt measures only the range's ends, "0" and "1")."""
        hint = super().sizeHint()
        text = f"{self.prefix()}-0.000000{self.suffix()}"
        hint.setWidth(max(hint.width(), self.fontMetrics().horizontalAdvance(text) + 28))
        return hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """As wide as :meth:`sizeHint`: a field that cuts its digits off misleads."""
        return self.sizeHint()

    def _step(self, value: float) -> float:
        if value:
            return 10.0 ** (math.floor(math.log10(abs(value))) - 1)
        spec = self.spec()
        top = spec.high if spec.high is not None and spec.high > 0 else 1.0
        return 10.0 ** (math.floor(math.log10(top)) - 2)

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt API
        """Step by a tenth of the value's decade, staying inside the field's range."""
        if self._typed(self.text()) != self._shown():
            self.interpretText()  # typed text first: taken, or refused with a message
        value = self.value()
        # Twelve significant digits drop the binary noise of the addition (0.1 + 0.2).
        new = float(f"{value + steps * self._step(value):.12g}")
        spec = self.spec()
        low, high = self._bounds(spec)
        new = min(max(new, low), high)
        if spec.low_open and spec.low is not None and new <= spec.low:
            return
        self.setValue(new)
        self.selectAll()


class RefusalNote:
    """Shows why a field refused a value: the field turns red, the message appears in a label.

    One note serves the fields of one place (a dock, a panel row); it shows the latest
    refusal and clears when that field takes a value.

    Parameters
    ----------
    label : QLabel
        Where the message appears; hidden while there is none.
    """

    def __init__(self, label: QLabel) -> None:
        self.label = label
        self.widget: QWidget | None = None
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)  # typed text is shown, never rendered
        label.setVisible(bool(label.text()))

    def show(self, widget: QWidget | None, message: str) -> None:
        """Mark ``widget`` (if any) as having refused a value and show ``message``."""
        if self.widget is not None and self.widget is not widget:
            _mark(self.widget, False)
        self.widget = widget
        if widget is not None:
            _mark(widget, True)
        self.label.setText(message)
        self.label.show()

    def watch(self, field: IntField | FloatField) -> None:
        """Show ``field``'s refusals here; clear them when it takes a value."""
        field.refused.connect(lambda message: self.show(field, message))
        field.valueChanged.connect(lambda _value: self.clear(field))

    def clear(self, widget: QWidget | None = None) -> None:
        """Take the mark away (only if ``widget``, when given, is the one marked)."""
        if widget is not None and widget is not self.widget:
            return
        if self.widget is not None:
            _mark(self.widget, False)
        self.widget = None
        self.label.clear()
        self.label.hide()

    def message(self) -> str:
        """The message shown ("" when none)."""
        return self.label.text()


def _mark(widget: QWidget, refused: bool) -> None:
    # The style sheet draws *[refused="true"] in red; Qt re-reads a dynamic property's style
    # only when the widget is polished again.
    if bool(widget.property("refused")) == refused:
        return
    widget.setProperty("refused", refused)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
