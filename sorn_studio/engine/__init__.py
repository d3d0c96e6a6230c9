"""The Qt-free SORN simulation core.

``Simulation`` (in :mod:`.simulation`) is the entry point; :mod:`.network` holds the state
and its initialisation (with the symbol glossary), :mod:`.kernels` the compiled step,
:mod:`.reference` the same step in plain numpy, :mod:`.inputs` the input tasks and
:mod:`.draws` how random numbers are laid out per step, :mod:`.snapshot` the plain-data
:class:`Snapshot` that ``Simulation.snapshot()`` returns and ``Simulation.restore()`` takes,
and :mod:`.attribution` the per-rule :class:`Attribution` of ``Simulation.take_attribution()``.
"""

from .attribution import Attribution
from .network import NetworkState
from .simulation import BACKENDS, Simulation
from .snapshot import ParamChange, Snapshot, SnapshotError, SnapshotWarning

__all__ = ["Simulation", "ParamChange", "NetworkState", "BACKENDS", "Snapshot", "SnapshotError",
           "SnapshotWarning", "Attribution"]
