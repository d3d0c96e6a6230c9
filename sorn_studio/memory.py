"""How much memory the system can still give, for refusing work that cannot fit up front.

``np.empty`` (and inflating a large archive member) may succeed on Linux because memory is
committed lazily, and the process is then killed half-way; a clear error before starting is
kinder. Used by the sorn 0.7.4 layer (per-step matrix callbacks) and by session loading.
"""

from __future__ import annotations

__all__ = ["available_bytes"]


def available_bytes() -> int | None:
    """Memory the system can still give (Linux ``MemAvailable``); ``None`` when unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
