"""Colours of the figures: the hues of the studio's views, dark enough for a white page (the
studio's light theme uses them too, see ``sorn_studio.app.theme``)."""

from __future__ import annotations

__all__ = ["E_COLOR", "FIT_COLOR", "I_COLOR", "MARK_COLOR", "NEURON_COLORS", "NORMAL_COLOR"]

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
#: Neurons followed one by one (the studio's hues, none green or red).
NEURON_COLORS = ("#2d9cdb", "#9b51e0", "#e67e22", "#b7950b", "#6c3483")
