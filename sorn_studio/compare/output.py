"""Writing a comparison: the traces (CSV and JSON), the summary and each network's session."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

from ..atomic import atomic_file
from ..session import save_session
from .lockstep import Lockstep

__all__ = ["write_comparison"]


def _file_name(name: str) -> str:
    """A file-system-safe stem for a variant's name."""
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", name).strip("._") or "variant"


def _json_value(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def write_comparison(lockstep: Lockstep, out: str | Path, *, preset: str | None = None
                     ) -> list[Path]:
    """Write ``traces.csv``, ``comparison.json`` and one session per network into ``out``.

    Parameters
    ----------
    lockstep : Lockstep
        After its run (:meth:`~.lockstep.Lockstep.finish` is called here).
    out : str or pathlib.Path
        The folder; created if missing (its parent must exist).
    preset : str, optional
        The preset name kept in the sessions.

    Returns
    -------
    list of pathlib.Path
        The files written, each atomically.
    """
    folder = Path(out)
    folder.mkdir(exist_ok=True)
    lockstep.finish()
    written = []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = list(lockstep.traces[0].columns()) if lockstep.traces else []
    writer.writerow(["variant", *columns])
    for variant, traces in zip(lockstep.variants, lockstep.traces, strict=True):
        cols = traces.columns()
        for row in zip(*cols.values(), strict=True):
            writer.writerow([variant.name, *row])
    with atomic_file(folder / "traces.csv", "the traces") as handle:
        handle.write(buffer.getvalue().encode("utf-8"))
    written.append(folder / "traces.csv")
    doc = {
        "start_step": lockstep.start_step, "step": lockstep.step,
        "summary": [{k: _json_value(v) for k, v in row.items()} for row in lockstep.summary()],
        "traces": {v.name: {k: [_json_value(x) for x in vals]
                            for k, vals in t.columns().items()}
                   for v, t in zip(lockstep.variants, lockstep.traces, strict=True)},
    }
    with atomic_file(folder / "comparison.json", "the comparison") as handle:
        handle.write(json.dumps(doc, indent=1).encode("utf-8"))
    written.append(folder / "comparison.json")
    networks = [("baseline", "baseline", lockstep.baseline)]
    networks += [(v.name, f"variant{k}_{_file_name(v.name)}", sim) for k, (v, sim) in
                 enumerate(zip(lockstep.variants, lockstep.networks, strict=True), 1)]
    for name, stem, sim in networks:
        path = folder / f"{stem}.npz"
        save_session(sim, path, preset=preset, extra={"compare": {"network": name}})
        written.append(path)
    return written
