"""Reading a sweep: an axis typed as text, and records pooled over seeds per grid point."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .store import DONE

__all__ = ["GridPoint", "grid_points", "parse_axis"]


def parse_axis(text: str) -> tuple[str, list[Any]]:
    """``"eta_stdp=0.002,0.004"`` -> ``("eta_stdp", [0.002, 0.004])``.

    Raises
    ------
    ValueError
        When the text is not ``NAME=V1,V2,...``, names no parameter, or a value does not
        parse.
    """
    from ..params import parse_assignments

    name, sep, values = text.partition("=")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not name.strip() or not items:
        raise ValueError(f"--grid {text!r} is not NAME=V1,V2,...")
    return name.strip(), [parse_assignments([f"{name.strip()}={v}"])[name.strip()]
                          for v in items]


@dataclass(frozen=True)
class GridPoint:
    """The finished networks of one grid point.

    Attributes
    ----------
    values : tuple
        The point's value on each axis.
    records : tuple of dict
        Its done records (one per seed).
    """

    values: tuple[Any, ...]
    records: tuple[dict[str, Any], ...]

    def mean(self, metric: str) -> tuple[float, float, int] | None:
        """Mean and standard deviation over seeds of ``metric``, and how many seeds had a
        finite value (None when none had)."""
        values = [r[metric] for r in self.records if isinstance(r.get(metric), int | float)
                  and not isinstance(r.get(metric), bool) and math.isfinite(r[metric])]
        if not values:
            return None
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        return statistics.fmean(values), spread, len(values)


def grid_points(records: Sequence[dict[str, Any]], axes: Sequence[str]) -> list[GridPoint]:
    """The done records grouped by their values on ``axes``, in order of first appearance."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for record in records:
        if record.get("status") == DONE:
            groups.setdefault(tuple(record.get(a) for a in axes), []).append(record)
    return [GridPoint(point, tuple(rows)) for point, rows in groups.items()]
