"""``Snapshot``: everything a :class:`~sorn_studio.engine.Simulation` needs to continue exactly.

A snapshot holds plain numpy arrays and JSON-ready values only (no engine objects), so it can
be written to a file, compared, sent to another process or kept as a checkpoint. It is taken
with :meth:`Simulation.snapshot` and put back with :meth:`Simulation.restore` (or
:meth:`Simulation.from_snapshot`), the one place that sets a simulation's state from outside.

What it does not hold is the recording: a :class:`~sorn_studio.recording.Recorder` is declared
by its own :class:`~sorn_studio.recording.RecordingSpec` and restored from its own series.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..params import Params, check_value, field_specs

__all__ = ["Snapshot", "SnapshotError", "SnapshotWarning", "ParamChange", "STATE_FIELDS",
           "KERNEL_ORDER_FIELDS", "check_change_log", "check_structural", "json_value"]

#: The arrays of a network state, in :class:`~sorn_studio.engine.NetworkState` order.
STATE_FIELDS: tuple[str, ...] = ("x", "y", "t_e", "t_i", "h_ip", "w_ee", "w_ei", "w_ie")

#: The compiled kernel's bookkeeping that decides rounding (see ``Simulation._kernel_order``).
KERNEL_ORDER_FIELDS: tuple[str, ...] = ("ee_in", "ee_out", "renorm_all")


class ParamChange(NamedTuple):
    """One applied parameter change: before step ``step + 1``, ``name`` went ``old -> new``."""

    step: int
    name: str
    old: Any
    new: Any


def json_value(value: Any) -> Any:
    """A parameter value read back from JSON: lists were tuples (``words``, ``word_probs``)."""
    return tuple(value) if isinstance(value, list) else value


class SnapshotError(ValueError):
    """A part of a snapshot (or of a state given to the engine) is invalid.

    Attributes
    ----------
    part : str
        The part, named as a session file names it: ``"params"``, ``"state/w_ee"``,
        ``"initial/t_e"``, ``"rng/current"``, ``"input/pools"``, ``"engine/ee_in"``,
        ``"change_log"``, or ``"meta"`` for the seed, the step and the pending changes.
    problem : str
        What is wrong with it, e.g. ``"holds NaN or inf"``.
    """

    def __init__(self, part: str, problem: str) -> None:
        super().__init__(f"snapshot item {part!r} {problem}")
        self.part = part
        self.problem = problem


class SnapshotWarning(UserWarning):
    """A restored state holds values the engine would not have produced (e.g. a hand edit);
    it is used as it is."""


@dataclass(frozen=True)
class Snapshot:
    """A simulation at one step boundary, as plain arrays and JSON values.

    Attributes
    ----------
    seed : int
        Seed the run started from.
    step : int
        Steps simulated since step 0.
    backend : str
        Backend of the simulation it was taken from (a restore may use the other one).
    params, initial_params : dict
        Every :class:`~sorn_studio.params.Params` field by name (``Params.to_dict()``), now
        and at step 0.
    change_log : tuple of tuple
        ``(step, name, old, new)`` for every live change applied so far, in order.
    pending : dict
        Live changes requested but not applied yet (they apply at the next step).
    rng, initial_rng : dict
        State of the run's random streams now and at step 0, as JSON values
        (:meth:`~sorn_studio.engine.streams.RandomStreams.state`).
    state, initial_state : dict of str to numpy.ndarray
        The network arrays (:data:`STATE_FIELDS`) now and at step 0.
    input_position : numpy.ndarray
        ``[current word, position in the word]`` of symbol input, int64 ``(2,)``.
    input_pools : numpy.ndarray
        Excitatory units each input symbol drives, int32 ``(n_symbols, n_u)``.
    raw_input : numpy.ndarray or None
        The raw input buffer (kind ``"raw"`` only), float64 ``(nu, T_raw)``.
    raw_cursor : int
        Next column of ``raw_input`` to be used.
    kernel_order : dict of str to numpy.ndarray
        The compiled kernel's synapse-list order and renormalisation flag
        (:data:`KERNEL_ORDER_FIELDS`); empty for the numpy backend. Without it a restored run
        renormalises every row once and may differ from the original in the last bit.
    """

    seed: int
    step: int
    backend: str
    params: Mapping[str, Any]
    initial_params: Mapping[str, Any]
    change_log: tuple[tuple[int, str, Any, Any], ...]
    pending: Mapping[str, Any]
    rng: Mapping[str, Any]
    initial_rng: Mapping[str, Any]
    state: Mapping[str, np.ndarray]
    initial_state: Mapping[str, np.ndarray]
    input_position: np.ndarray
    input_pools: np.ndarray
    raw_input: np.ndarray | None = None
    raw_cursor: int = 0
    kernel_order: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        """Bytes of its arrays (the network now and at step 0, the input, the kernel's
        order): what keeping it costs, for a bounded store of checkpoints."""
        arrays = [*self.state.values(), *self.initial_state.values(), self.input_position,
                  self.input_pools, *self.kernel_order.values()]
        if self.raw_input is not None:
            arrays.append(self.raw_input)
        return int(sum(np.asarray(a).nbytes for a in arrays))

    def digest(self) -> str:
        """A SHA-256 of the run's state: the network arrays, the step, the parameters, the
        change log, the random streams and the input position (not the kernel's list order
        nor the step-0 state). Two snapshots of the same run at the same step, however they
        were reached, have the same digest; a session keeps it for each branch's end."""
        head = json.dumps({"step": int(self.step), "params": dict(self.params),
                           "change_log": [list(c) for c in self.change_log],
                           "rng": self.rng,
                           "input_position": np.asarray(self.input_position).tolist()},
                          sort_keys=True)
        sha = hashlib.sha256(head.encode())
        for name in STATE_FIELDS:
            arr = np.ascontiguousarray(self.state[name])
            sha.update(f"{name}:{arr.dtype.str}:{arr.shape}".encode())
            sha.update(arr.tobytes())
        return sha.hexdigest()

    @property
    def raw_complete(self) -> bool:
        """Whether ``raw_input`` still holds every raw column used since step 0.

        ``Simulation.feed_input`` drops the columns already used and restarts the cursor at
        0, so the cursor equals the step count exactly when nothing has been dropped (always
        True for the other input kinds).
        """
        kind = self.params.get("input_kind")
        return kind != "raw" or (self.raw_input is not None and self.raw_cursor == self.step)


def check_change_log(entries: Any, step: int) -> tuple[ParamChange, ...]:
    """A change log checked entry by entry.

    Parameters
    ----------
    entries : iterable
        ``(step, name, old, new)`` per applied change (lists from JSON are fine).
    step : int
        The run's step count: no change may come after it.

    Returns
    -------
    tuple of ParamChange

    Raises
    ------
    SnapshotError
        For ``change_log``: an entry that is not four values, names a field that cannot change
        during a run, or has a step outside 0..``step`` or before the previous entry's.
    """
    if not isinstance(entries, (list, tuple)):
        raise SnapshotError("change_log", f"must be a list of [step, name, old, new], got "
                            f"{entries!r}")
    specs = field_specs()
    log: list[ParamChange] = []
    for entry in entries:
        try:
            at, name, old, new = entry
            change = ParamChange(int(at), str(name), json_value(old), json_value(new))
        except (TypeError, ValueError, OverflowError):
            raise SnapshotError("change_log", f"has a change log entry {entry!r} that is not "
                                "[step, name, old, new] with a whole-number step") from None
        if (change.name not in specs or not specs[change.name].live
                or not 0 <= change.step <= step or (log and change.step < log[-1].step)):
            raise SnapshotError("change_log", f"is not a valid change log at {list(change)!r} "
                                f"(live parameters only, steps in order within 0..{step})")
        try:
            change = change._replace(old=check_value(change.name, change.old),
                                     new=check_value(change.name, change.new))
        except (TypeError, ValueError, OverflowError) as exc:
            raise SnapshotError("change_log", f"is not a valid change log at {list(change)!r}: "
                                f"{exc}") from None
        log.append(change)
    return tuple(log)


def check_structural(params: Params, initial_params: Params) -> None:
    """Structural parameters (sizes, connectivity, input) cannot change during a run.

    Raises
    ------
    SnapshotError
        For ``params``, naming the structural fields that differ from ``initial_params``.
    """
    differ = [name for name, spec in field_specs().items()
              if not spec.live and getattr(params, name) != getattr(initial_params, name)]
    if differ:
        raise SnapshotError("params", f"has structural parameter(s) {differ} that differ from "
                            "'initial_params'")
