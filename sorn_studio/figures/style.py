"""Colours of the figures: the hues of the studio's views, dark enough for a white page."""

from __future__ import annotations

__all__ = ["E_COLOR", "FIT_COLOR", "I_COLOR", "MARK_COLOR", "NORMAL_COLOR"]

#: Excitatory units and everything about them (green, as in the studio).
E_COLOR = "#27ae60"
#: Inhibitory units (red, as in the studio).
I_COLOR = "#d64541"
#: A fitted distribution drawn over data (the lognormal fit, the exponential ISI fit).
FIT_COLOR = "#2f5fd0"
#: A second fit for comparison (the normal fit).
NORMAL_COLOR = "#e67e22"
#: Marks on a time axis (parameter changes).
MARK_COLOR = "#b7950b"
