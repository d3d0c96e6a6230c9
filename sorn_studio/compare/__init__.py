"""Lockstep comparison: what does a rule do? A baseline and variants of it, step for step.

:class:`~.lockstep.Lockstep` runs the networks from one state on the same input and noise
(common random numbers) and traces their differences (and, when asked, what each rule of each
network did); :mod:`.output` writes the traces and each network's session.
"""

from __future__ import annotations

from .lockstep import (
    MAX_POINTS,
    MAX_VARIANTS,
    SPAN,
    AttributionTraces,
    Lockstep,
    Variant,
    VariantTraces,
)
from .output import write_comparison

__all__ = ["MAX_POINTS", "MAX_VARIANTS", "SPAN", "AttributionTraces", "Lockstep", "Variant",
           "VariantTraces", "write_comparison"]
