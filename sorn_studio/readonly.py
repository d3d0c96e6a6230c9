"""Read-only arrays for snapshots shared between threads."""

from __future__ import annotations

import numpy as np

__all__ = ["read_only"]


def read_only(a: np.ndarray) -> np.ndarray:
    """Return ``a`` made read-only (frames and analyses are shared between threads and must not
    change once sent)."""
    a.flags.writeable = False
    return a
