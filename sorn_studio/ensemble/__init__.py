"""Many networks at once: sweeps of cells, run one after another or on a Dask cluster.

A :class:`~.cells.Cell` is one network to run (a preset with parameter changes, a seed, a
step count, what to measure); :func:`~.cells.grid` makes the cells of a parameter grid over
seeds. :func:`~.run.run_sweep` runs them in this process (``workers=1``), on a local cluster
of processes it starts and stops itself, or on a cluster it is given, and writes each cell's
record into the output folder as it finishes (:mod:`.store`), so that a second run skips what
is done. Nothing here starts a cluster at import. Qt-free.
"""

from __future__ import annotations

from .cells import DEFAULT_METRICS, Cell, grid
from .run import SweepProgress, run_cell, run_sweep
from .store import SweepStore

__all__ = ["Cell", "DEFAULT_METRICS", "SweepProgress", "SweepStore", "grid", "run_cell",
           "run_sweep"]
