"""The step axis: readable tick labels for time axes counted in simulation steps.

pyqtgraph writes values of 10 000 and more in ``%g`` notation ("6.032e+06"), and neighbouring
labels of a long run then run into each other. :class:`StepAxis` writes whole steps with
spaced thousands ("1 863 500") while they are short, and in millions or billions with just
the decimals that tell neighbouring ticks apart ("6.032 M", "6.034 M") once they are not.
"""

from __future__ import annotations

import math

import pyqtgraph as pg

__all__ = ["StepAxis", "step_label"]

#: Above this a label switches to millions or billions: "999 999" still reads at a glance.
_PLAIN_LIMIT = 1_000_000
_UNITS = ((1e9, "G"), (1e6, "M"))


def step_label(value: float, spacing: float) -> str:
    """The label of the tick at step ``value`` among ticks ``spacing`` steps apart.

    Parameters
    ----------
    value : float
        The tick's step.
    spacing : float
        Steps between neighbouring ticks (> 0); sets how many decimals are shown.

    Returns
    -------
    str
        ``"12 000"``, ``"1.86 M"``, ``"2.5 G"``; never scientific notation.
    """
    if not math.isfinite(value):
        return ""
    spacing = abs(spacing) if math.isfinite(spacing) and spacing else 1.0
    for unit, suffix in _UNITS:
        if abs(value) >= max(unit, _PLAIN_LIMIT):
            places = min(9, max(0, math.ceil(-math.log10(spacing / unit) - 1e-9)))
            return f"{value / unit:.{places}f}\u2009{suffix}"
    places = min(6, max(0, math.ceil(-math.log10(spacing) - 1e-9)))
    # A thin space groups the thousands: narrower than a space, and no comma to misread.
    return f"{value:,.{places}f}".replace(",", "\u2009")


def _next_nice(spacing: float) -> float:
    """The next spacing of the 1-2-5 series above ``spacing``."""
    decade = 10.0 ** math.floor(math.log10(spacing))
    for k in (2.0, 5.0, 10.0):
        if k * decade > spacing * (1 + 1e-9):
            return k * decade
    return 20.0 * decade


class StepAxis(pg.AxisItem):
    """A bottom axis of steps labelled by :func:`step_label`; one home for every step axis."""

    def __init__(self, orientation: str = "bottom", **kwargs: object) -> None:
        super().__init__(orientation, **kwargs)
        # Steps are counts: no "(x1e+06)" SI rescaling of the whole axis.
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float,  # noqa: N802 - pyqtgraph's name
                    spacing: float) -> list[str]:
        """Labels for ``values`` (steps) at ``spacing`` apart."""
        return [step_label(v * scale, spacing * scale) for v in values]

    def tickSpacing(self, minVal: float, maxVal: float,  # noqa: N802, N803 - pyqtgraph's names
                    size: float) -> list[tuple[float, float]]:
        """pyqtgraph's spacings, widened so that neighbouring labels never touch."""
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or size <= 0 or maxVal <= minVal:
            return levels
        major = levels[0][0]
        while True:
            # About 7 px per character of the widest label, and a gap between labels.
            label = max(len(step_label(minVal, major)), len(step_label(maxVal, major)))
            if (maxVal - minVal) / major <= max(2.0, size / (label * 7 + 14)):
                break
            major = _next_nice(major)
        return [(major, 0.0)] + [(s, o) for s, o in levels[1:] if s < major]
