"""A sweep's output folder: one record file per finished cell, and the table of them all.

``cells/<key>.json`` is written (atomically) as each cell finishes, done or failed; a second
run with the same folder reads them back and skips the cells that are done (a failed one is
tried again). ``results.json`` and ``results.csv`` hold every record so far, in the sweep's
order, rewritten after each cell; ``sessions/<key>.npz`` the networks a sweep keeps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..experiments.tables import write_csv, write_json
from .cells import Cell

__all__ = ["SweepStore", "DONE", "FAILED"]

DONE, FAILED = "done", "failed"
#: Largest record file read back (a record is a few hundred bytes).
_MAX_RECORD_BYTES = 1_000_000


class SweepStore:
    """The output folder of a sweep.

    Parameters
    ----------
    folder : str or pathlib.Path
        Created when missing.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.cells_dir = self.folder / "cells"
        self.sessions_dir = self.folder / "sessions"
        self.cells_dir.mkdir(parents=True, exist_ok=True)

    def session_path(self, cell: Cell) -> Path:
        """Where ``cell``'s session file goes."""
        return self.sessions_dir / f"{cell.key()}.npz"

    def record(self, key: str) -> dict[str, Any] | None:
        """The record of the cell ``key``, or None when there is none (or it is unreadable:
        a damaged file counts as not done)."""
        path = self.cells_dir / f"{key}.json"
        try:
            if path.stat().st_size > _MAX_RECORD_BYTES:
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("key") == key else None

    def records(self, cells: Iterable[Cell]) -> dict[str, dict[str, Any]]:
        """The records there are of ``cells`` (done or failed), by key."""
        found = {cell.key(): self.record(cell.key()) for cell in cells}
        return {key: record for key, record in found.items() if record is not None}

    def save(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Write one cell's record (atomically); returns it as written (as a later run reads
        it: a value JSON cannot hold, such as NaN, is null)."""
        write_json(self.cells_dir / f"{record['key']}.json", dict(record))
        written = self.record(str(record["key"]))
        if written is None:
            raise OSError(f"the record of cell {record['key']} could not be read back")
        return written

    def write_table(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Write ``results.json`` and ``results.csv`` with ``records`` (in their order; the
        CSV without the traces)."""
        write_json(self.folder / "results.json", list(records))
        if records:
            columns = list(dict.fromkeys(k for r in records for k in r if k != "trace"))
            write_csv(self.folder / "results.csv",
                      [{k: r.get(k, "") for k in columns} for r in records])
