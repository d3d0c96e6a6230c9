"""The names of the studio's views, for files that name them (presets, lessons). Qt-free:
the app's docks are checked against this list by a test."""

from __future__ import annotations

__all__ = ["VIEW_NAMES"]

#: Every plot view of the studio, as presets and lessons name them.
VIEW_NAMES = ("raster", "weights", "connections", "thresholds", "distributions", "isi",
              "lifetimes", "avalanches", "readout", "attribution")
