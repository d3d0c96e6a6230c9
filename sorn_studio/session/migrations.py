"""Upgrades of older session layouts, one function per version step.

Files written by older schema versions are upgraded in memory when read, never refused:
:data:`MIGRATIONS` maps a version to the function that turns its arrays into the next
version's.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np

from .schema import STATE_FIELDS

__all__ = ["MIGRATIONS", "LEGACY_ARRAYS", "LEGACY_JSON_KEYS", "json_item"]

#: Array members of older layouts, and the current key each became.
LEGACY_ARRAYS: dict[str, str] = {f"final/{name}": f"state/{name}" for name in STATE_FIELDS}
#: JSON members of older layouts (schema 0 kept both generator states in ``rng``).
LEGACY_JSON_KEYS: tuple[str, ...] = ("rng",)


def json_item(value: object) -> np.ndarray:
    """``value`` as a session JSON item: a 0-d unicode array of its JSON text."""
    def default(obj: object) -> object:
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, (tuple, np.ndarray)):
            return list(obj)
        raise TypeError(f"{type(obj).__name__} is not JSON-serialisable")

    return np.array(json.dumps(value, default=default, sort_keys=True))


def _migrate_v0(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Schema 0 (the pre-release draft) -> 1.

    Schema 0 kept the current state under ``final/<name>``, both generator states in one JSON
    item ``rng`` (``{"initial": ..., "current": ...}``) and no app version or backend in
    ``meta``.
    """
    out = {k: v for k, v in arrays.items() if not k.startswith("final/") and k != "rng"}
    for name in STATE_FIELDS:
        if f"final/{name}" in arrays:
            out[f"state/{name}"] = arrays[f"final/{name}"]
    if "rng" in arrays:
        rng = json.loads(str(arrays["rng"][()]))
        out["rng/initial"] = json_item(rng["initial"])
        out["rng/current"] = json_item(rng["current"])
    if "meta" in arrays:
        meta = json.loads(str(arrays["meta"][()]))
        meta.setdefault("app_version", "unknown (schema 0)")
        meta.setdefault("backend", "numba")
        out["meta"] = json_item(meta)
    out["schema_version"] = np.array(1, dtype=np.int64)
    return out


#: ``version -> function`` upgrading the arrays of a file of that version by one version.
MIGRATIONS: dict[int, Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]] = {
    0: _migrate_v0,
}
