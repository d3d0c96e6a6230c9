"""Writing a comparison: the traces (CSV and JSON), the summary and each network's session."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..atomic import atomic_file
from ..session import save_session
from .lockstep import AttributionTraces, Lockstep

__all__ = ["write_comparison"]


def _file_name(name: str) -> str:
    """A file-system-safe stem for a variant's name."""
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", name).strip("._") or "variant"


def _json_value(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _csv_text(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _network_names(lockstep: Lockstep) -> list[str]:
    return ["baseline", *(v.name for v in lockstep.variants)]


def write_comparison(lockstep: Lockstep, out: str | Path, *, preset: str | None = None
                     ) -> list[Path]:
    """Write ``traces.csv``, ``comparison.json`` and one session per network into ``out``.

    With attribution (``Lockstep(..., attribution=True)``) also ``attribution.csv``: a row per
    network (``baseline`` first) and point, with each part's total over the point (the
    columns of :class:`~.lockstep.AttributionTraces`); ``comparison.json`` then holds the
    same traces under ``attribution`` and each summary row the whole comparison's totals.

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
    columns = list(lockstep.traces[0].columns()) if lockstep.traces else []
    rows = ([variant.name, *row] for variant, traces in zip(lockstep.variants, lockstep.traces,
                                                            strict=True)
            for row in zip(*traces.columns().values(), strict=True))
    with atomic_file(folder / "traces.csv", "the traces") as handle:
        handle.write(_csv_text(["variant", *columns], rows))
    written.append(folder / "traces.csv")
    if lockstep.tracks_attribution:
        columns = list(AttributionTraces().columns())
        rows = ([name, *row] for name, traces in zip(_network_names(lockstep),
                                                     lockstep.attribution_traces, strict=True)
                for row in zip(*traces.columns().values(), strict=True))
        with atomic_file(folder / "attribution.csv", "the attribution traces") as handle:
            handle.write(_csv_text(["network", *columns], rows))
        written.append(folder / "attribution.csv")
    doc = {
        "start_step": lockstep.start_step, "step": lockstep.step,
        "summary": [{k: _json_value(v) for k, v in row.items()} for row in lockstep.summary()],
        "traces": {v.name: {k: [_json_value(x) for x in vals]
                            for k, vals in t.columns().items()}
                   for v, t in zip(lockstep.variants, lockstep.traces, strict=True)},
    }
    if lockstep.tracks_attribution:
        doc["attribution"] = {name: t.columns() for name, t in
                              zip(_network_names(lockstep), lockstep.attribution_traces,
                                  strict=True)}
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
