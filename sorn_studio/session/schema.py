"""The layout of a session file: one table of keys, dtypes, shapes and meanings.

Everything else is derived from :data:`ITEMS`: the documentation (:data:`KEYS_DOC` and the
README table, :func:`markdown_table`), and the checks of a file being read
(:func:`expected_items`). The recorder's series come from
:data:`sorn_studio.recording.SERIES`, the recorder's own description of its layout, so the
file and the recorder cannot disagree.

Shapes are written in symbols, resolved per file: ``ne``, ``ni``, ``nu`` (network sizes),
``k`` (traced neurons), ``T`` (recorded steps kept), ``S`` (weight snapshots kept),
``T_raw`` (raw input columns), ``n_symbols`` and ``n_u`` (input pools), ``n_ee`` (E->E
synapses), ``H`` (points of the whole-run history, at most :data:`MAX_HISTORY_POINTS`),
``B(n)`` = ceil(n / 8) bytes of bit-packed flags.

The whole-run history (``history/*``) comes from
:data:`sorn_studio.studio.history.TRACES`, the studio history's own description of its traces.

Run ``python -m sorn_studio.session.schema`` to print the README table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..engine.network import STATE_SHAPES
from ..engine.snapshot import STATE_FIELDS
from ..recording import SERIES, RecordingSpec, resolve_shape
from ..studio.history import TRACES

__all__ = ["SCHEMA_VERSION", "Item", "ITEMS", "KEYS_DOC", "JSON_KEYS", "STATE_FIELDS",
           "TEXT_LIMIT", "HISTORY_KEYS", "MAX_HISTORY_POINTS", "expected_items",
           "markdown_table", "size_limit"]

#: Version of the file layout written by ``save_session``.
SCHEMA_VERSION = 1

#: When an item is in a file (besides always): the condition and how the docs say it.
WHEN: dict[str, str] = {
    "raw": "only when the input kind is raw",
    "drive": "only when recording drive",
    "t_e_full": "only when recording t_e_full",
    "optional": "optional, numba backend",
    "history": "optional, written by the studio",
    "branches": "optional, written by the studio for a run with branches",
}
#: Kinds of item a file may hold or not, whatever its input and recording.
OPTIONAL = ("optional", "history", "branches")
#: Most points of the whole-run history a file may hold (the studio keeps about 1 000).
MAX_HISTORY_POINTS = 2**14


@dataclass(frozen=True)
class Item:
    """One key of a session file.

    Attributes
    ----------
    key : str
        The archive member's name.
    dtype : str
        numpy dtype name, or ``"json"`` for a 0-d unicode array holding JSON text.
    shape : tuple of str
        Shape in symbols (see the module docstring); ``()`` for a scalar.
    meaning : str
        What it holds.
    when : str
        ``""`` when every file has it, else a key of :data:`WHEN`.
    """

    key: str
    dtype: str
    shape: tuple[str, ...]
    meaning: str
    when: str = ""

    def applies(self, params_input_kind: str, recording: RecordingSpec) -> bool:
        """Whether a file of this input kind and recording must hold the item."""
        if self.when == "raw":
            return params_input_kind == "raw"
        if self.when in ("drive", "t_e_full"):
            return bool(getattr(recording, self.when))
        return self.when not in OPTIONAL


# What each network array is, and (after "when") any detail of its layout.
_STATE_MEANING = {
    "x": ("x, excitatory activity", ""), "y": ("y, inhibitory activity", ""),
    "t_e": ("T^E", ""), "t_i": ("T^I", ""), "h_ip": ("H^IP, the IP target rates", ""),
    "w_ee": ("W^EE", "; rows post, columns pre; a synapse exists where w > 0"),
    "w_ei": ("W^EI (I onto E)", ""), "w_ie": ("W^IE (E onto I)", ""),
}
_STATE_DTYPE = {"x": "bool", "y": "bool"}

#: Every key of a schema-1 file, in the order the documentation lists them.
ITEMS: tuple[Item, ...] = (
    Item("schema_version", "int64", (), "layout version of the file (this format: 1)"),
    Item("meta", "json", (), "app_version, created (ISO 8601, UTC), preset (name or null), "
         "seed, steps (time step t reached), backend, pending (live changes requested but not "
         "applied yet), extra (caller's JSON data)"),
    Item("params", "json", (), "current parameters, every Params field by name"),
    Item("initial_params", "json", (), "parameters at step 0 (before any live change)"),
    Item("recording", "json", (), "the RecordingSpec: window, full, weights_every, "
         "max_snapshots, neurons, drive, t_e_full"),
    Item("change_log", "json", (), "list of [step, name, old, new]: before step step + 1, "
         "live parameter or mechanism switch name went from old to new"),
    Item("input", "json", (), "kind, alphabet, raw_cursor (next raw column), raw_complete "
         "(whether input/raw holds every column used since step 0)"),
    Item("rng/initial", "json", (), "state of the run's random streams at step 0 (after "
         "init): {draw_layout: 2, streams: {input, sp, noise}} of numpy bit-generator states, "
         "or one bit-generator state (draw layout 1: files of earlier versions)"),
    Item("rng/current", "json", (), "state of the run's random streams now (as rng/initial)"),
    Item("input/position", "int64", ("2",), "[current word, position in the word] of symbol "
         "input"),
    Item("input/pools", "int32", ("n_symbols", "n_u"), "excitatory units each input symbol "
         "drives"),
    Item("input/raw", "float64", ("nu", "T_raw"), "raw input buffer", "raw"),
    *(Item(f"initial/{name}", _STATE_DTYPE.get(name, "float64"), STATE_SHAPES[name],
           "{} at step 0{}".format(*_STATE_MEANING[name])) for name in STATE_FIELDS),
    *(Item(f"state/{name}", _STATE_DTYPE.get(name, "float64"), STATE_SHAPES[name],
           "{} now{}".format(*_STATE_MEANING[name])) for name in STATE_FIELDS),
    Item("rec/total_steps", "int64", (), "steps recorded since step 0 (equals meta steps)"),
    *(Item(f"rec/{name}", series.dtype, ("T", *series.row), series.meaning, series.when)
      for name, series in SERIES.items()),
    Item("rec/snapshot_steps", "int64", ("S",), "step after which each W^EE snapshot was "
         "taken"),
    Item("rec/snapshots", "float64", ("S", "ne", "ne"), "W^EE snapshots"),
    Item("engine/ee_in", "int32", ("n_ee",), "presynaptic units of each E row in the compiled "
         "kernel's list order (row by row); keeps rounding identical when a run is continued",
         "optional"),
    Item("engine/ee_out", "int32", ("n_ee",), "postsynaptic units of each E column in the "
         "kernel's list order", "optional"),
    Item("engine/renorm_all", "bool", (), "the kernel's 'normalise every row next' flag",
         "optional"),
    Item("branches", "json", (), "version (1), current (the branch the saved run is on), "
         "branches: list of {id, parent (null for the first), fork_step, tip_step, log (its "
         "whole change log as change_log), note, digest (SHA-256 of the run at tip_step, or "
         "null)}", "branches"),
    Item("history/bin", "int64", (), "steps per point of the whole-run history (the first "
         "point covers steps from history/step[0]; the last may cover fewer)", "history"),
    *(Item(f"history/{name}", "int64" if name == "step" else "float64",
           ("H", "k") if name == "t_e_neurons" else ("H",), meaning, "history")
      for name, meaning in TRACES.items()),
)

#: The items of the whole-run history: a file holds all of them or none.
HISTORY_KEYS: tuple[str, ...] = tuple(item.key for item in ITEMS if item.when == "history")

#: The JSON items, in the order they are read.
JSON_KEYS: tuple[str, ...] = tuple(item.key for item in ITEMS if item.dtype == "json")



def _shape_text(shape: tuple[str, ...]) -> str:
    return "()" if not shape else f"({shape[0]},)" if len(shape) == 1 else \
        f"({', '.join(shape)})"


def _meaning_text(item: Item) -> str:
    return f"{item.meaning} ({WHEN[item.when]})" if item.when else item.meaning


#: Every key: dtype, shape and meaning as the documentation states them.
KEYS_DOC: dict[str, tuple[str, str, str]] = {
    item.key: ("str (JSON)" if item.dtype == "json" else item.dtype, _shape_text(item.shape),
               _meaning_text(item))
    for item in ITEMS
}


def expected_items(input_kind: str, recording: RecordingSpec, dims: Mapping[str, int],
                   present: set[str] | frozenset[str] = frozenset()
                   ) -> dict[str, tuple[str, tuple[int, ...]]]:
    """The array items a file must hold, with their dtype and resolved shape.

    Parameters
    ----------
    input_kind : str
        ``params.input_kind`` of the file.
    recording : RecordingSpec
        The file's recording.
    dims : mapping of str to int
        Sizes for the shape symbols.
    present : set of str
        Keys in the file: optional items are checked when present.

    Returns
    -------
    dict
        ``key -> (dtype, shape)`` for every non-JSON item that must (or, optional, does)
        appear.
    """
    return {item.key: (item.dtype, resolve_shape(item.shape, dict(dims)))
            for item in ITEMS
            if item.dtype != "json" and (item.applies(input_kind, recording)
                                         or (item.when in OPTIONAL and item.key in present))}


#: Most bytes a JSON item (or the schema version) may declare, far above any real metadata
#: (4 bytes per character): 1 MiB, and 16 MiB for the items that grow with a run or a caller.
TEXT_LIMIT = 2**20
_TEXT_LIMITS = {"meta": 16 * 2**20, "change_log": 16 * 2**20, "branches": 16 * 2**20}
#: Room for the ``.npy`` header in front of an array's data (numpy caps it below this).
_HEADER = 2**17
_BY_KEY = {item.key: item for item in ITEMS}


def size_limit(key: str, dims: Mapping[str, int]) -> int:
    """Most bytes the archive member of ``key`` may hold (header included).

    Parameters
    ----------
    key : str
        A key of :data:`ITEMS`.
    dims : mapping of str to int
        The largest size each shape symbol can have in this file.

    Returns
    -------
    int
        What its dtype and largest shape take, plus room for the header; for JSON items
        :data:`TEXT_LIMIT` (16 MiB for ``meta``, ``change_log`` and ``branches``).
    """
    item = _BY_KEY[key]
    if item.dtype == "json":
        return _TEXT_LIMITS.get(key, TEXT_LIMIT)
    count = 1
    for size in resolve_shape(item.shape, dict(dims)):
        count *= size
    return count * np.dtype(item.dtype).itemsize + _HEADER


def markdown_table() -> str:
    """The README's table of session keys (one row per key)."""
    lines = ["| key | dtype | shape | meaning |", "|---|---|---|---|"]
    for key, (dtype, shape, meaning) in KEYS_DOC.items():
        lines.append(f"| `{key}` | {dtype} | {shape} | {meaning} |")
    return "\n".join(lines)
