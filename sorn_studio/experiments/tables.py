"""Writing experiment results as plain tables (CSV), JSON and npz, readable without sorn_studio.

Every writer saves atomically (temporary file, then rename) and creates the folder it needs.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sorn_studio.atomic import atomic_file

__all__ = ["rows_of", "write_csv", "write_json", "write_npz", "format_table"]


def rows_of(items: Sequence[Any]) -> list[dict[str, Any]]:
    """Dataclass instances (or mappings) as a list of plain dicts."""
    return [dataclasses.asdict(i) if dataclasses.is_dataclass(i) else dict(i) for i in items]


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or inf
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    return value


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    """Write rows with the same keys as a CSV file with a header line."""
    if not rows:
        raise ValueError("rows is empty")
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return _write_bytes(path, text.getvalue().encode("utf-8"))


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` (dataclasses, arrays and NaN allowed: NaN becomes null) as JSON."""
    text = json.dumps(_plain(data), indent=2, sort_keys=True) + "\n"
    return _write_bytes(path, text.encode("utf-8"))


def write_npz(path: Path, **arrays: np.ndarray) -> Path:
    """Write named arrays as an uncompressed ``.npz`` file (``numpy.load`` reads it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, "results") as handle:
        np.savez(handle, **arrays)
    return path


def _write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, "results") as handle:
        handle.write(data)
    return path


def format_table(rows: Sequence[Mapping[str, Any]], digits: int = 3) -> str:
    """Rows as an aligned text table (floats rounded to ``digits``)."""
    if not rows:
        return ""
    keys = list(rows[0])

    def cell(value: Any) -> str:
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)

    cells = [[cell(r[k]) for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines = ["  ".join(k.rjust(w) for k, w in zip(keys, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)
