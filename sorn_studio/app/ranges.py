"""Axis limits that follow the data in rare, coarse jumps.

pyqtgraph's auto-range moves an axis whenever the data move, and a moved axis regenerates its
ticks and labels: on the whole-run histories that is every frame, and it was the largest part
of painting them. A :class:`SteadyRange` keeps its limits while the data stay inside them and
use a fair part of them; when they leave, it jumps with headroom, so a run that keeps growing
moves its axes a number of times that grows only with the logarithm of its length.
"""

from __future__ import annotations

import math

__all__ = ["SteadyRange"]


class SteadyRange:
    """Limits for one axis, changed only when the data leave them or shrink inside them.

    Parameters
    ----------
    pad_low, pad_high : float
        Room left below and above the data when the limits move, as fractions of the data's
        span (a time axis leaves room ahead of the newest step, none before the first).
    shrink_below : float
        The limits also move when the data fill less than this fraction of them (a reset, a
        collapse), so a plot never stays zoomed out on what is gone.
    """

    def __init__(self, pad_low: float = 0.1, pad_high: float = 0.1,
                 shrink_below: float = 0.4) -> None:
        if min(pad_low, pad_high) < 0:
            raise ValueError(f"pad_low = {pad_low}, pad_high = {pad_high} must be >= 0")
        if not 0 <= shrink_below < 1:
            raise ValueError(f"shrink_below = {shrink_below} must be in [0, 1)")
        self.pad_low = float(pad_low)
        self.pad_high = float(pad_high)
        self.shrink_below = float(shrink_below)
        self.limits: tuple[float, float] | None = None

    def reset(self) -> None:
        """Forget the limits; the next :meth:`fit` sets new ones."""
        self.limits = None

    def fit(self, low: float, high: float, tight: bool = False) -> tuple[float, float] | None:
        """Limits for data spanning ``low .. high``.

        Parameters
        ----------
        low, high : float
            The data's extent.
        tight : bool
            Fit the data now with the padding only (no jump pending): for a still picture,
            such as the network after a pause, whose axes need not move again.

        Returns
        -------
        tuple of float or None
            The new limits when they have to change, ``None`` when the current ones still
            hold (the caller then leaves the axis alone). Non-finite data change nothing.
        """
        if not (math.isfinite(low) and math.isfinite(high)):
            return None
        low, high = min(low, high), max(low, high)
        if self.limits is not None and not tight:
            lo, hi = self.limits
            inside = lo <= low and high <= hi
            if inside and (high - low) >= self.shrink_below * (hi - lo):
                return None
        # A flat trace still gets a visible span around it.
        span = high - low if high > low else max(abs(high) * 0.1, 1e-9)
        pad_high = min(self.pad_high, 0.02) if tight else self.pad_high
        limits = (low - self.pad_low * span, high + pad_high * span)
        if limits == self.limits:
            return None
        self.limits = limits
        return limits
