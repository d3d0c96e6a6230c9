"""Work around defects of particular Qt binding releases, detected at run time.

PySide6 6.12.0 on CPython 3.11 loses references to two singletons:

- ``SignalInstance.emit`` returns ``True`` without taking a reference, so every Python-side
  ``emit()`` (pyqtgraph emits dozens per repaint) steals one reference to ``True``;
- calling a Python slot from the event loop (timers, queued connections) steals references to
  ``None``.

After a few thousand of either the count reaches zero and CPython aborts with "Fatal Python
error: bool_dealloc" (or "none_dealloc"): the studio would die within seconds of running.
CPython 3.12+ makes these singletons immortal, which hides the defect.

The fix measures the ``True`` leak with a probe signal and, only when it is present, gives
``True``, ``False`` and ``None`` a very large reference count (2**40: a studio losing 10 000
references a second runs for over three years before it is used up). The singletons are static
objects that are never freed, so the extra count changes nothing else. Remove this module once
the binding is fixed.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

__all__ = ["emit_leaks_true", "protect_singletons"]

_BOOST = 2**40
_protected = False


class _Probe(QObject):
    fired = Signal()


def emit_leaks_true() -> bool:
    """Whether ``Signal.emit`` loses a reference to ``True`` in this binding."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
    return sys.getrefcount(True) < before - 4


def protect_singletons() -> bool:
    """Apply the work-around when the defect is present; returns whether it was applied."""
    global _protected
    if _protected or sys.version_info >= (3, 12) or not emit_leaks_true():
        return False
    for value in (True, False, None):
        # ob_refcnt is the first field of every CPython object (3.11 and older).
        ctypes.c_ssize_t.from_address(id(value)).value += _BOOST
    _protected = True
    return True


def protected() -> bool:
    """Whether :func:`protect_singletons` applied the work-around in this process."""
    return _protected
