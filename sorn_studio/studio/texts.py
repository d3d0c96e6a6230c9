"""How the studio, the report and the command line write steps, times left and logged
changes, e.g. "eta STDP: 0.004 -> 0.01 at step 12 345"."""

from __future__ import annotations

import math
from typing import Any

from ..engine.snapshot import ParamChange
from ..params import field_specs

__all__ = ["change_summary", "change_text", "duration_text", "step_text", "value_text"]


def value_text(value: Any) -> str:
    """A parameter value as the studio shows it: switches as on/off, floats to 6 digits."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def step_text(value: int) -> str:
    """A step count with spaced thousands, e.g. ``"12 345"``."""
    return f"{int(value):,}".replace(",", " ")


def duration_text(seconds: float) -> str:
    """A time left as ``"mm:ss"`` or ``"h:mm:ss"`` (``"--:--"`` when not known)."""
    if not math.isfinite(seconds):
        return "--:--"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def change_summary(change: ParamChange) -> str:
    """One logged change with the field's label and without its step, e.g. ``"eta STDP:
    0.004 -> 0.01"`` (the change log lists the step beside it)."""
    _step, name, old, new = change
    spec = field_specs().get(name)
    label = spec.label if spec is not None else name
    return f"{label}: {value_text(old)} -> {value_text(new)}"


def change_text(change: ParamChange) -> str:
    """Describe one logged change with the field's label, e.g. ``"eta STDP: 0.004 -> 0.01 at
    step 12 345"``."""
    return f"{change_summary(change)} at step {step_text(change[0])}"
