"""Session files: save a simulation to one ``.npz``, load it back, continue it, replay it.

A session file is a plain numpy archive that ``numpy.load(path, allow_pickle=False)`` reads:
every metadata item is a JSON string in a 0-d unicode array, every other item a plain numeric
or boolean array. It holds enough to *continue* the run exactly (current network state, random
generator state, input position, recordings) and to *replay* it from scratch (initial
parameters, seed, initial state and generator state, and the log of every parameter change with
its step). The keys are listed in :data:`KEYS_DOC`, which the README reproduces.

Why it is built like this:

- Saving writes a temporary file in the destination folder, fsyncs it and renames it over the
  target, so a crash or an error mid-save never leaves a half-written session and never damages
  the previous one.
- Loading reads and checks every member before anything is built: a truncated, corrupted,
  newer-version, incomplete, wrongly shaped or pickled file raises :class:`SessionError` naming
  the file and the problem. Files written by older schema versions are upgraded in memory by the
  functions in :data:`MIGRATIONS` (one per version step), never refused.
- A replay applies each logged change exactly at its logged step, one log entry at a time, so it
  reproduces the run whatever chunk sizes or frame rates the interactive run had.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_file
from .engine import BACKENDS, NetworkState, ParamChange, Simulation
from .engine.snapshot import Snapshot, SnapshotError
from .params import Params, field_specs
from .recording import RecordingSpec

__all__ = [
    "SCHEMA_VERSION",
    "MIGRATIONS",
    "KEYS_DOC",
    "SessionError",
    "SessionInfo",
    "SessionData",
    "ReplayResult",
    "save_session",
    "read_session",
    "load_session",
    "replay_session",
    "session_summary",
]

#: Version of the file layout written by :func:`save_session`.
SCHEMA_VERSION = 1

#: The arrays of a network state, in :class:`NetworkState` order.
STATE_FIELDS: tuple[str, ...] = ("x", "y", "t_e", "t_i", "h_ip", "w_ee", "w_ei", "w_ie")

_JSON_KEYS = ("meta", "params", "initial_params", "recording", "change_log", "input",
              "rng/initial", "rng/current")

#: Every key of a schema-1 file: dtype, shape and meaning (``T``: recorded steps kept,
#: ``S``: weight snapshots kept, ``k``: traced neurons, ``B(n)``: ``ceil(n / 8)`` bytes).
KEYS_DOC: dict[str, tuple[str, str, str]] = {
    "schema_version": ("int64", "()", "layout version of the file (this format: 1)"),
    "meta": ("str (JSON)", "()", "app_version, created (ISO 8601, UTC), preset (name or null), "
             "seed, steps (time step t reached), backend, pending (live changes requested but "
             "not applied yet), extra (caller's JSON data)"),
    "params": ("str (JSON)", "()", "current parameters, every Params field by name"),
    "initial_params": ("str (JSON)", "()", "parameters at step 0 (before any live change)"),
    "recording": ("str (JSON)", "()", "the RecordingSpec: window, full, weights_every, "
                  "max_snapshots, neurons, drive, t_e_full"),
    "change_log": ("str (JSON)", "()", "list of [step, name, old, new]: before step step+1, "
                   "live parameter or mechanism switch name went from old to new"),
    "input": ("str (JSON)", "()", "kind, alphabet, raw_cursor (next raw column), "
              "raw_complete (whether input/raw holds every column used since step 0)"),
    "rng/initial": ("str (JSON)", "()", "numpy bit-generator state at step 0 (after init)"),
    "rng/current": ("str (JSON)", "()", "numpy bit-generator state now"),
    "input/position": ("int64", "(2,)", "[current word, position in the word] of symbol input"),
    "input/pools": ("int32", "(n_symbols, n_u)", "excitatory units each input symbol drives"),
    "input/raw": ("float64", "(nu, T_raw)", "raw input buffer (only when input kind is raw)"),
    "initial/x": ("bool", "(ne,)", "x(0), excitatory activity at step 0"),
    "initial/y": ("bool", "(ni,)", "y(0)"),
    "initial/t_e": ("float64", "(ne,)", "T^E at step 0"),
    "initial/t_i": ("float64", "(ni,)", "T^I at step 0"),
    "initial/h_ip": ("float64", "(ne,)", "H^IP targets at step 0"),
    "initial/w_ee": ("float64", "(ne, ne)", "W^EE at step 0, rows post, columns pre; "
                     "mask = w > 0"),
    "initial/w_ei": ("float64", "(ne, ni)", "W^EI (I onto E) at step 0; mask = w > 0"),
    "initial/w_ie": ("float64", "(ni, ne)", "W^IE (E onto I) at step 0; mask = w > 0"),
    "state/x": ("bool", "(ne,)", "x(t) now"),
    "state/y": ("bool", "(ni,)", "y(t) now"),
    "state/t_e": ("float64", "(ne,)", "T^E now"),
    "state/t_i": ("float64", "(ni,)", "T^I now"),
    "state/h_ip": ("float64", "(ne,)", "H^IP now"),
    "state/w_ee": ("float64", "(ne, ne)", "W^EE now; a synapse exists where w > 0"),
    "state/w_ei": ("float64", "(ne, ni)", "W^EI now"),
    "state/w_ie": ("float64", "(ni, ne)", "W^IE now"),
    "rec/total_steps": ("int64", "()", "steps recorded since step 0 (equals meta steps)"),
    "rec/step": ("int64", "(T,)", "step number of each kept row (1 = first step)"),
    "rec/x": ("uint8", "(T, B(ne))", "excitatory spikes, numpy.packbits(x, axis=1): one bit "
              "per neuron and step"),
    "rec/y": ("uint8", "(T, B(ni))", "inhibitory spikes, bit-packed the same way"),
    "rec/n_ee": ("int32", "(T,)", "E->E synapse count after each step"),
    "rec/n_ei": ("int32", "(T,)", "I->E synapse count after each step"),
    "rec/te_stats": ("float64", "(T, 3)", "mean, min, max of T^E after each step"),
    "rec/te_sel": ("float64", "(T, k)", "T^E of the traced neurons (recording neurons)"),
    "rec/symbols": ("int32", "(T,)", "input symbol index that drove each step, -1 for none"),
    "rec/drive": ("uint8", "(T, B(ne))", "bit-packed recurrent-drive activation (only when "
                  "recording drive)"),
    "rec/t_e": ("float64", "(T, ne)", "every T^E per step (only when recording t_e_full)"),
    "rec/snapshot_steps": ("int64", "(S,)", "step after which each W^EE snapshot was taken"),
    "rec/snapshots": ("float64", "(S, ne, ne)", "W^EE snapshots"),
    "engine/ee_in": ("int32", "(n_ee,)", "optional, numba backend: presynaptic units of each "
                     "E row in the kernel's list order (row by row); keeps rounding identical "
                     "when a run is continued"),
    "engine/ee_out": ("int32", "(n_ee,)", "optional: postsynaptic units of each E column in "
                      "the kernel's list order"),
    "engine/renorm_all": ("bool", "()", "optional: the kernel's 'normalise every row next' "
                          "flag"),
}

_REC_DTYPES: dict[str, str] = {"step": "int64", "x": "uint8", "y": "uint8", "n_ee": "int32",
                               "n_ei": "int32", "te_stats": "float64", "te_sel": "float64",
                               "symbols": "int32", "drive": "uint8", "t_e": "float64"}

# Bits set in each byte value: counting spikes straight from the packed rows avoids unpacking
# a whole recording (8x the memory) just to print a mean rate.
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


class SessionError(ValueError):
    """A session file is unreadable, damaged, of an unsupported version or inconsistent."""


@dataclass(frozen=True)
class SessionInfo:
    """What a session file says about its run.

    Attributes
    ----------
    path : pathlib.Path or None
        The file it was read from (``None`` for an in-memory simulation).
    schema_version : int
        Layout version of the file as found on disk (before any migration).
    app_version : str
        ``sorn_studio.__version__`` of the writer.
    created : str
        Creation time, ISO 8601 in UTC.
    preset : str or None
        Name of the preset the run started from, when known.
    seed : int
        Seed of the simulation's random generator.
    steps : int
        Time step the run had reached (steps simulated since step 0).
    backend : str
        Engine backend the run used.
    params, initial_params : Params
        Parameters now and at step 0.
    change_log : tuple of ParamChange
        Every applied live change, in order.
    recording : RecordingSpec
        What was recorded.
    pending : dict
        Live changes requested but not yet applied when the file was saved.
    extra : dict
        Caller data stored with the session.
    replayable : bool
        Whether the file holds everything a replay needs.
    replay_note : str
        Why not, when ``replayable`` is False.
    """

    path: Path | None
    schema_version: int
    app_version: str
    created: str
    preset: str | None
    seed: int
    steps: int
    backend: str
    params: Params
    initial_params: Params
    change_log: tuple[ParamChange, ...]
    recording: RecordingSpec
    pending: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    replayable: bool = True
    replay_note: str = ""


@dataclass(frozen=True)
class SessionData:
    """A validated session: its :class:`SessionInfo` and every array by key (schema 1)."""

    info: SessionInfo
    arrays: dict[str, np.ndarray]


@dataclass(frozen=True)
class ReplayResult:
    """Outcome of :func:`replay_session`.

    Attributes
    ----------
    matched : bool
        True when the replay reproduced the stored run exactly.
    steps : int
        Steps the stored run had.
    replayed : int
        Steps the replay simulated.
    step : int or None
        First step at which the runs were seen to differ (0: the initial state); ``None`` on a
        match.
    array : str or None
        Key of the first differing array (e.g. ``"rec/x"`` or ``"state/w_ee"``).
    message : str
        One sentence saying what happened.
    stopped : bool
        The replay was stopped early by ``should_stop``.
    """

    matched: bool
    steps: int
    replayed: int
    step: int | None
    array: str | None
    message: str
    stopped: bool = False


# -- writing -------------------------------------------------------------------------------------
def _json(value: Any) -> np.ndarray:
    def default(obj: Any) -> Any:
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, (tuple, np.ndarray)):
            return list(obj)
        raise TypeError(f"{type(obj).__name__} is not JSON-serialisable")

    return np.array(json.dumps(value, default=default, sort_keys=True))


def _raw_complete(sim: Simulation) -> bool:
    """Whether ``sim.input.raw`` still holds every raw column used since step 0.

    ``feed_input`` drops the columns already used and restarts the cursor at 0, so the cursor
    equals the step count exactly when nothing has been dropped.
    """
    src = sim.input
    return src.kind != "raw" or (src.raw is not None and src.raw_cursor == sim.t)


def _session_arrays(sim: Simulation, preset: str | None,
                    extra: Mapping[str, Any] | None) -> dict[str, np.ndarray]:
    from . import __version__

    p = sim.params
    src = sim.input
    meta = {"app_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "preset": preset, "seed": int(sim.seed), "steps": int(sim.t),
            "backend": sim.backend, "pending": sim.pending_changes,
            "extra": dict(extra or {})}
    try:
        meta_json = _json(meta)
    except TypeError as exc:
        raise ValueError(f"argument 'extra' must hold JSON data only: {exc}") from None
    arrays: dict[str, np.ndarray] = {
        "schema_version": np.array(SCHEMA_VERSION, dtype=np.int64),
        "meta": meta_json,
        "params": _json(p.to_dict()),
        "initial_params": _json(sim.initial_params.to_dict()),
        "recording": _json(asdict(sim.recording)),
        "change_log": _json([[int(c.step), c.name, c.old, c.new] for c in sim.change_log]),
        "input": _json({"kind": src.kind, "alphabet": list(p.alphabet),
                        "raw_cursor": int(src.raw_cursor), "raw_complete": _raw_complete(sim)}),
        "rng/initial": _json(sim.initial_rng_state),
        "rng/current": _json(sim.rng.bit_generator.state),
        "input/position": np.asarray(src.position, dtype=np.int64),
        "input/pools": np.asarray(src.pools, dtype=np.int32),
    }
    if src.kind == "raw":
        raw = src.raw if src.raw is not None else np.zeros((p.nu, 0))
        arrays["input/raw"] = np.asarray(raw, dtype=np.float64)
    for prefix, state in (("initial", sim.initial_state), ("state", sim.state)):
        for name in STATE_FIELDS:
            arrays[f"{prefix}/{name}"] = np.asarray(getattr(state, name))
    rec = sim.recorder
    arrays["rec/total_steps"] = np.array(rec.total_steps, dtype=np.int64)
    for name, data in rec.series().items():
        arrays[f"rec/{name}"] = data
    snaps = rec.weight_snapshots()
    arrays["rec/snapshot_steps"] = np.array([k for k, _ in snaps], dtype=np.int64)
    arrays["rec/snapshots"] = (np.stack([w for _, w in snaps]) if snaps
                               else np.zeros((0, p.ne, p.ne)))
    arrays.update(_engine_arrays(sim.snapshot()))
    return arrays


_ENGINE_KEYS = ("engine/ee_in", "engine/ee_out", "engine/renorm_all")


def _engine_arrays(snapshot: Snapshot) -> dict[str, np.ndarray]:
    """The kernel's synapse-list order and renormalise flag (see ``Snapshot.kernel_order``).

    Without them a continued run would drift from the uninterrupted one by a rounding error
    per row; they are optional on reading.
    """
    order = snapshot.kernel_order
    if not order:
        return {}
    return {"engine/ee_in": order["ee_in"].astype(np.int32),
            "engine/ee_out": order["ee_out"].astype(np.int32),
            "engine/renorm_all": np.array(bool(order["renorm_all"]))}


def _atomic_write(path: Path, arrays: Mapping[str, np.ndarray], compress: bool) -> None:
    with atomic_file(path, "session") as handle:
        if compress:
            np.savez_compressed(handle, **arrays)
        else:
            np.savez(handle, **arrays)


def save_session(sim: Simulation, path: str | os.PathLike[str], preset: str | None = None,
                 extra: Mapping[str, Any] | None = None, *, compress: bool = False) -> Path:
    """Save ``sim`` to a session file, atomically.

    Call it while the simulation is not running (between chunks or runs).

    Parameters
    ----------
    sim : Simulation
        The simulation to save; it is not changed.
    path : str or os.PathLike
        Destination file (conventionally ``*.npz``; the name is used as given).
    preset : str, optional
        Name of the preset the run started from, kept for information.
    extra : mapping, optional
        JSON-serialisable data stored under ``meta["extra"]``.
    compress : bool
        Deflate the archive members. Smaller files, slower saves; off by default because
        spikes are already bit-packed.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        When ``extra`` is not JSON-serialisable.
    OSError
        When the file cannot be written; an existing file at ``path`` is left untouched and no
        temporary file remains.
    """
    path = Path(path)
    arrays = _session_arrays(sim, preset, extra)
    _atomic_write(path, arrays, compress)
    return path


# -- reading -------------------------------------------------------------------------------------
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
        out["rng/initial"] = _json(rng["initial"])
        out["rng/current"] = _json(rng["current"])
    if "meta" in arrays:
        meta = json.loads(str(arrays["meta"][()]))
        meta.setdefault("app_version", "unknown (schema 0)")
        meta.setdefault("backend", "numba")
        out["meta"] = _json(meta)
    out["schema_version"] = np.array(1, dtype=np.int64)
    return out


#: ``version -> function`` upgrading the arrays of a file of that version by one version.
MIGRATIONS: dict[int, Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]] = {
    0: _migrate_v0,
}


def _read_members(path: Path) -> dict[str, np.ndarray]:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except IsADirectoryError:
        raise SessionError(f"session file {path}: is a folder, not a file") from None
    if magic != b"PK\x03\x04":
        what = "is empty" if not magic else "is not a .npz archive"
        raise SessionError(f"session file {path} {what}; it is not a SORN Studio session")
    arrays: dict[str, np.ndarray] = {}
    key = ""
    try:
        with np.load(path, allow_pickle=False) as archive:
            # Reading every member to the end makes zipfile verify each CRC, so a flipped byte
            # anywhere in the data is caught here and not later as a silently wrong weight.
            for key in archive.files:
                arrays[key] = archive[key]
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "pickle" in str(exc).lower():
            raise SessionError(f"session file {path}: item {key!r} holds pickled Python objects; "
                               "session files never contain pickles, so it is refused") from None
        raise SessionError(f"session file {path} is damaged (item {key!r}: {exc})") from None
    except Exception as exc:  # zipfile.BadZipFile, EOFError, zlib.error, OSError, ...
        where = f" (item {key!r})" if key else ""
        raise SessionError(f"session file {path} is truncated or corrupted{where}: "
                           f"{type(exc).__name__}: {exc}") from None
    return arrays


def _text(path: Path, arrays: Mapping[str, np.ndarray], key: str) -> Any:
    arr = arrays[key]
    if arr.shape != () or arr.dtype.kind != "U":
        raise SessionError(f"session file {path}: item {key!r} must be a JSON text (0-d string), "
                           f"found dtype {arr.dtype} shape {arr.shape}")
    try:
        return json.loads(str(arr[()]))
    except json.JSONDecodeError as exc:
        raise SessionError(f"session file {path}: item {key!r} is not valid JSON: {exc}") from None


def _int_scalar(path: Path, arrays: Mapping[str, np.ndarray], key: str) -> int:
    arr = arrays[key]
    if arr.shape != () or arr.dtype.kind not in "iu":
        raise SessionError(f"session file {path}: item {key!r} must be a whole number, found "
                           f"dtype {arr.dtype} shape {arr.shape}")
    return int(arr[()])


def _as_value(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _expected(info_params: Params, spec: RecordingSpec, t_rows: int, n_snap: int,
              n_raw: int | None) -> dict[str, tuple[str, tuple[int, ...]]]:
    p = info_params
    ne, ni = p.ne, p.ni
    state = {"x": ("bool", (ne,)), "y": ("bool", (ni,)), "t_e": ("float64", (ne,)),
             "t_i": ("float64", (ni,)), "h_ip": ("float64", (ne,)),
             "w_ee": ("float64", (ne, ne)), "w_ei": ("float64", (ne, ni)),
             "w_ie": ("float64", (ni, ne))}
    out: dict[str, tuple[str, tuple[int, ...]]] = {}
    for prefix in ("initial", "state"):
        for name, spec_ in state.items():
            out[f"{prefix}/{name}"] = spec_
    b_e, b_i = (ne + 7) // 8, (ni + 7) // 8
    rec = {"step": (t_rows,), "x": (t_rows, b_e), "y": (t_rows, b_i), "n_ee": (t_rows,),
           "n_ei": (t_rows,), "te_stats": (t_rows, 3), "te_sel": (t_rows, len(spec.neurons)),
           "symbols": (t_rows,)}
    if spec.drive:
        rec["drive"] = (t_rows, b_e)
    if spec.t_e_full:
        rec["t_e"] = (t_rows, ne)
    for name, shape in rec.items():
        out[f"rec/{name}"] = (_REC_DTYPES[name], shape)
    out["rec/snapshot_steps"] = ("int64", (n_snap,))
    out["rec/snapshots"] = ("float64", (n_snap, ne, ne))
    out["input/position"] = ("int64", (2,))
    if n_raw is not None:
        out["input/raw"] = ("float64", (p.nu, n_raw))
    return out


def read_session(path: str | os.PathLike[str]) -> SessionData:
    """Read and validate a session file without building a simulation.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.npz`` file.

    Returns
    -------
    SessionData
        The file's :class:`SessionInfo` and its arrays, migrated to the current schema.

    Raises
    ------
    SessionError
        When the file is not a session, is truncated or corrupted, holds pickled objects, is of
        a newer schema version, misses an item, or has an item of the wrong type or shape. The
        message names the file and the problem.
    OSError
        When the file cannot be opened (missing, no permission).
    """
    path = Path(path)
    arrays = _read_members(path)
    if "schema_version" not in arrays:
        raise SessionError(f"session file {path} has no 'schema_version' item; it is not a "
                           "SORN Studio session or it is damaged")
    found = _int_scalar(path, arrays, "schema_version")
    if found > SCHEMA_VERSION:
        raise SessionError(f"session file {path} has schema version {found}, newer than the "
                           f"version {SCHEMA_VERSION} this SORN Studio reads; update sorn-studio")
    version = found
    while version < SCHEMA_VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise SessionError(f"session file {path} has schema version {found}, which cannot "
                               f"be upgraded (no migration from version {version})")
        try:
            arrays = migrate(arrays)
        except (KeyError, ValueError, TypeError) as exc:
            raise SessionError(f"session file {path}: upgrading schema version {version} "
                               f"failed: {exc}") from None
        version += 1

    base = ["meta", *_JSON_KEYS[1:], "input/position", "input/pools", "rec/total_steps",
            "rec/snapshot_steps", "rec/snapshots"]
    missing = [k for k in base if k not in arrays]
    if missing:
        raise SessionError(f"session file {path} misses item(s) {', '.join(map(repr, missing))}")
    texts = {k: _text(path, arrays, k) for k in _JSON_KEYS}
    meta = texts["meta"]
    try:
        params = Params.from_dict(texts["params"])
        initial_params = Params.from_dict(texts["initial_params"])
        rec_d = dict(texts["recording"])
        rec_d["neurons"] = tuple(rec_d.get("neurons", ()))
        spec = RecordingSpec(**rec_d)
        seed, steps = int(meta["seed"]), int(meta["steps"])
        backend = str(meta.get("backend", "numba"))
        if backend not in BACKENDS:
            raise ValueError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
        log = tuple(ParamChange(int(s), str(n), _as_value(o), _as_value(v))
                    for s, n, o, v in texts["change_log"])
        pending = {str(k): _as_value(v) for k, v in dict(meta.get("pending") or {}).items()}
        extra = dict(meta.get("extra") or {})
        input_d = dict(texts["input"])
        raw_cursor = int(input_d.get("raw_cursor", 0))
    except (KeyError, TypeError, ValueError) as exc:
        raise SessionError(f"session file {path} has invalid metadata: {exc}") from None

    specs = field_specs()
    structural = [n for n, s in specs.items()
                  if not s.live and getattr(params, n) != getattr(initial_params, n)]
    if structural:
        raise SessionError(f"session file {path}: structural parameter(s) {structural} differ "
                           "between 'params' and 'initial_params'")
    bad_log = [c for c in log if c.name not in specs or not specs[c.name].live
               or not 0 <= c.step <= steps]
    if bad_log or any(a.step > b.step for a, b in zip(log, log[1:], strict=False)):
        raise SessionError(f"session file {path}: the change log is invalid "
                           f"({bad_log[0] if bad_log else 'steps out of order'})")
    if steps < 0 or seed < 0:
        raise SessionError(f"session file {path}: seed {seed} and steps {steps} must be >= 0")

    total = _int_scalar(path, arrays, "rec/total_steps")
    if total != steps:
        raise SessionError(f"session file {path}: 'rec/total_steps' = {total} but the run has "
                           f"{steps} steps")
    if "rec/step" not in arrays:
        raise SessionError(f"session file {path} misses item 'rec/step'")
    t_rows = arrays["rec/step"].shape[0] if arrays["rec/step"].ndim else -1
    n_snap = arrays["rec/snapshot_steps"].shape[0] if arrays["rec/snapshot_steps"].ndim else -1
    n_raw = None
    if params.input_kind == "raw":
        raw = arrays.get("input/raw")
        n_raw = raw.shape[1] if raw is not None and raw.ndim == 2 else -1
    expected = _expected(params, spec, t_rows, n_snap, n_raw)
    for key, (dtype, shape) in expected.items():
        if key not in arrays:
            raise SessionError(f"session file {path} misses item {key!r}")
        arr = arrays[key]
        if arr.dtype != np.dtype(dtype) or arr.shape != shape:
            raise SessionError(f"session file {path}: item {key!r} has dtype {arr.dtype} and "
                               f"shape {arr.shape}; expected {dtype} {shape}")
    pools = arrays["input/pools"]
    if pools.dtype != np.int32 or pools.ndim != 2 or (pools.size and (
            pools.min() < 0 or pools.max() >= params.ne)):
        raise SessionError(f"session file {path}: item 'input/pools' must be a 2-d int32 array "
                           f"of excitatory unit indices, found {pools.dtype} {pools.shape}")
    rec_steps = arrays["rec/step"]
    if t_rows > steps or (t_rows and not np.array_equal(
            rec_steps, np.arange(steps - t_rows + 1, steps + 1))):
        raise SessionError(f"session file {path}: 'rec/step' must number the last {t_rows} of "
                           f"{steps} steps consecutively")
    if n_raw is not None and not 0 <= raw_cursor <= n_raw:
        raise SessionError(f"session file {path}: raw input cursor {raw_cursor} is outside the "
                           f"{n_raw} raw columns")

    replayable, note = True, ""
    if params.input_kind == "raw" and not input_d.get("raw_complete", False):
        replayable = False
        note = ("raw input was fed in pieces during the run and the columns already used were "
                "dropped, so the run cannot be replayed from step 0 (it can be continued)")
    info = SessionInfo(
        path=path, schema_version=found, app_version=str(meta.get("app_version", "unknown")),
        created=str(meta.get("created", "")), preset=meta.get("preset"), seed=seed,
        steps=steps, backend=backend, params=params, initial_params=initial_params,
        change_log=log, recording=spec, pending=pending, extra=extra, replayable=replayable,
        replay_note=note,
    )
    return SessionData(info=info, arrays=arrays)


def _state(arrays: Mapping[str, np.ndarray], prefix: str) -> NetworkState:
    return NetworkState(**{n: np.array(arrays[f"{prefix}/{n}"]) for n in STATE_FIELDS})


def _snapshot(data: SessionData) -> Snapshot:
    """The engine snapshot a validated session file holds."""
    info, a = data.info, data.arrays
    return Snapshot(
        seed=info.seed, step=info.steps, backend=info.backend,
        params=info.params.to_dict(), initial_params=info.initial_params.to_dict(),
        change_log=tuple(info.change_log), pending=info.pending,
        rng=json.loads(str(a["rng/current"][()])),
        initial_rng=json.loads(str(a["rng/initial"][()])),
        state={n: a[f"state/{n}"] for n in STATE_FIELDS},
        initial_state={n: a[f"initial/{n}"] for n in STATE_FIELDS},
        input_position=a["input/position"], input_pools=a["input/pools"],
        raw_input=a.get("input/raw"),
        raw_cursor=int(json.loads(str(a["input"][()])).get("raw_cursor", 0)),
        kernel_order={k.split("/", 1)[1]: a[k] for k in _ENGINE_KEYS if k in a},
    )


def _build(data: SessionData, backend: str | None) -> Simulation:
    info, arrays = data.info, data.arrays
    path = info.path
    try:
        sim = Simulation.from_snapshot(_snapshot(data), recording=info.recording,
                                       backend=backend or info.backend)
    except SnapshotError as exc:
        raise SessionError(f"session file {path}: item {exc.part!r} {exc.problem}") from None
    except (ValueError, TypeError) as exc:
        raise SessionError(f"session file {path}: cannot rebuild the simulation: {exc}") from None
    series = {k[4:]: v for k, v in arrays.items()
              if k.startswith("rec/") and k[4:] in _REC_DTYPES}
    snaps = list(zip(arrays["rec/snapshot_steps"].tolist(), arrays["rec/snapshots"],
                     strict=True))
    sim.recorder.restore(series, info.steps, snaps)
    return sim


def load_session(path: str | os.PathLike[str], *,
                 backend: str | None = None) -> tuple[Simulation, SessionInfo]:
    """Load a session file into a simulation that continues exactly where it was saved.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.npz`` file.
    backend : {"numba", "numpy"}, optional
        Engine backend; the one stored in the file by default.

    Returns
    -------
    sim : Simulation
        At the saved step, with its state, random generator, input position, recordings and
        change log restored; running it m more steps gives what an uninterrupted run would.
    info : SessionInfo
        The file's metadata.

    Raises
    ------
    SessionError
        As :func:`read_session`, or when a state array is invalid (NaN, negative weight, ...).
    """
    data = read_session(path)
    return _build(data, backend), data.info


# -- replay --------------------------------------------------------------------------------------
@dataclass
class _Target:
    """What a replay must reproduce, whether it comes from a file or a live simulation."""

    initial_params: Params
    params: Params
    seed: int
    steps: int
    backend: str
    recording: RecordingSpec
    change_log: tuple[ParamChange, ...]
    raw: np.ndarray | None
    initial: NetworkState
    state: NetworkState
    rng_initial: dict[str, Any]
    rng_current: dict[str, Any]
    position: np.ndarray
    series: dict[str, np.ndarray]
    snapshots: list[tuple[int, np.ndarray]]
    replayable: bool
    note: str


def _target_from_data(data: SessionData) -> _Target:
    info, a = data.info, data.arrays
    return _Target(
        initial_params=info.initial_params, params=info.params, seed=info.seed,
        steps=info.steps, backend=info.backend, recording=info.recording,
        change_log=info.change_log, raw=a.get("input/raw"), initial=_state(a, "initial"),
        state=_state(a, "state"), rng_initial=json.loads(str(a["rng/initial"][()])),
        rng_current=json.loads(str(a["rng/current"][()])), position=a["input/position"],
        series={k[4:]: v for k, v in a.items() if k.startswith("rec/") and k[4:] in _REC_DTYPES},
        snapshots=list(zip(a["rec/snapshot_steps"].tolist(), a["rec/snapshots"], strict=True)),
        replayable=info.replayable, note=info.replay_note,
    )


def _target_from_sim(sim: Simulation) -> _Target:
    complete = _raw_complete(sim)
    return _Target(
        initial_params=sim.initial_params, params=sim.params, seed=sim.seed, steps=sim.t,
        backend=sim.backend, recording=sim.recording, change_log=tuple(sim.change_log),
        raw=sim.input.raw if sim.input.kind == "raw" else None, initial=sim.initial_state,
        state=sim.state, rng_initial=sim.initial_rng_state,
        rng_current=sim.rng.bit_generator.state, position=sim.input.position.copy(),
        series=sim.recorder.series(), snapshots=sim.recorder.weight_snapshots(),
        replayable=complete,
        note="" if complete else "raw input was fed in pieces and used columns were dropped",
    )


def _first_row_diff(a: np.ndarray, b: np.ndarray) -> int | None:
    """Index of the first row where ``a`` and ``b`` differ, None when identical."""
    if a.shape != b.shape:
        return 0
    if a.ndim == 1:
        diff = a != b
    else:
        diff = (a != b).reshape(a.shape[0], -1).any(axis=1)
    # NaN never appears in recorded series, so != is an exact comparison here.
    idx = np.flatnonzero(diff)
    return int(idx[0]) if idx.size else None


def _compare(target: _Target, sim: Simulation) -> tuple[int, str] | None:
    """Earliest (step, key) where ``sim`` differs from ``target``; None when identical."""
    found: list[tuple[int, str]] = []
    got = sim.recorder.series()
    steps_kept = target.series.get("step", np.zeros(0, dtype=np.int64))
    for name, want in target.series.items():
        row = _first_row_diff(want, got.get(name, np.zeros(0)))
        if row is not None:
            step = int(steps_kept[row]) if row < steps_kept.shape[0] else target.steps
            found.append((step, f"rec/{name}"))
    mine = sim.recorder.weight_snapshots()
    if len(mine) != len(target.snapshots):
        found.append((target.steps, "rec/snapshots"))
    else:
        for (k, w), (k2, w2) in zip(target.snapshots, mine, strict=True):
            if k != k2 or not np.array_equal(w, w2):
                found.append((int(k), "rec/snapshots"))
                break
    for name in STATE_FIELDS:
        if not np.array_equal(getattr(target.state, name), getattr(sim.state, name)):
            found.append((target.steps, f"state/{name}"))
    if sim.rng.bit_generator.state != target.rng_current:
        found.append((target.steps, "rng/current"))
    if not np.array_equal(sim.input.position, target.position):
        found.append((target.steps, "input/position"))
    if sim.params != target.params:
        found.append((target.steps, "params"))
    # Sort by step, keeping discovery order (spikes first) among ties.
    return min(found, key=lambda f: f[0]) if found else None


def replay_session(source: str | os.PathLike[str] | Simulation, *, backend: str | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   should_stop: Callable[[], bool] | None = None) -> ReplayResult:
    """Re-run a session from step 0 and check that it ends exactly where the stored run ended.

    The replay starts from the parameters and seed of step 0, checks that they rebuild the
    stored initial state, then applies every logged change at its logged step, one entry at a
    time, and compares the recordings, weight snapshots, final state, generator state, input
    position and parameters with the stored ones.

    Parameters
    ----------
    source : path or Simulation
        A session file, or a simulation in memory (which is not changed).
    backend : {"numba", "numpy"}, optional
        Backend of the replay; the run's own by default.
    progress : callable, optional
        Called as ``progress(done, total)`` as the replay advances.
    should_stop : callable, optional
        Checked between chunks; returning True ends the replay early (``stopped=True``).

    Returns
    -------
    ReplayResult
        Whether the runs matched and, if not, the first step and key where they differ. A
        divergence before the first kept recording row is reported at the earliest step the
        comparison can see.

    Raises
    ------
    SessionError
        When the file is invalid (see :func:`read_session`).
    """
    if isinstance(source, Simulation):
        target = _target_from_sim(source)
    else:
        target = _target_from_data(read_session(source))
    total = target.steps
    if not target.replayable:
        return ReplayResult(False, total, 0, None, None, f"cannot replay: {target.note}")
    sim = Simulation(target.initial_params, target.seed, recording=target.recording,
                     raw_input=target.raw, backend=backend or target.backend)
    for name in STATE_FIELDS:
        if not np.array_equal(getattr(sim.initial_state, name), getattr(target.initial, name)):
            return ReplayResult(False, total, 0, 0, f"initial/{name}",
                                f"the seed and parameters do not rebuild the stored initial "
                                f"state: 'initial/{name}' differs")
    if sim.initial_rng_state != target.rng_initial:
        return ReplayResult(False, total, 0, 0, "rng/initial",
                            "the seed does not give the stored initial generator state")

    def report(done: int, _n: int, base: int = 0) -> None:
        if progress is not None:
            progress(base + done, total)

    def advance(to: int) -> bool:
        n = to - sim.t
        if n <= 0:
            return True
        base = sim.t
        done = sim.run(n, progress=lambda d, m: report(d, m, base), should_stop=should_stop)
        return done == n

    for change in target.change_log:
        if not advance(change.step):
            break
        current = getattr(sim.params, change.name)
        if current != change.old:
            return ReplayResult(False, total, sim.t, sim.t, f"params/{change.name}",
                                f"at step {sim.t} the log changes {change.name!r} from "
                                f"{change.old!r}, but the replay has {current!r}")
        # One entry per application, in log order: a mu_ip change shifts H^IP by new - old,
        # so merging two entries of one step into one would round differently.
        sim.apply_params(**{change.name: change.new})
        sim.run(0)
    else:
        advance(total)
    if sim.t < total:
        return ReplayResult(False, total, sim.t, None, None,
                            f"replay stopped at step {sim.t} of {total}", stopped=True)
    diff = _compare(target, sim)
    if diff is None:
        return ReplayResult(True, total, sim.t, None, None,
                            f"replayed {total} steps: the final state is identical")
    step, key = diff
    first_kept = int(target.series["step"][0]) if target.series.get("step", np.zeros(0)).size \
        else total
    hint = (f" (the recording keeps steps {first_kept}..{total} only, so the runs may have "
            "diverged earlier)" if step == first_kept and first_kept > 1 else "")
    return ReplayResult(False, total, sim.t, step, key,
                        f"the runs diverged at step {step} in {key!r}{hint}")


# -- summary -------------------------------------------------------------------------------------
def session_summary(data: SessionData) -> dict[str, Any]:
    """Key figures of a session, for ``sorn-studio info`` and the studio.

    Parameters
    ----------
    data : SessionData
        As returned by :func:`read_session`.

    Returns
    -------
    dict
        ``preset, seed, steps, ne, ni, recorded_steps, rate_e, rate_i`` (mean spikes per neuron
        and step over the kept recording; NaN when nothing was recorded), ``n_ee``,
        ``connection_fraction`` and ``initial_connection_fraction`` (E->E synapses over the
        ne (ne - 1) possible ones), ``n_ei``, ``changes`` (the change log) and the versions.
    """
    info, a = data.info, data.arrays
    p = info.params
    rows = a["rec/x"].shape[0]

    def rate(key: str, n: int) -> float:
        if rows == 0 or n == 0:
            return math.nan
        # Summed chunk by chunk so that a long recording is not expanded all at once.
        total = 0
        packed = a[key]
        for start in range(0, rows, 65536):
            total += int(_POPCOUNT[packed[start: start + 65536]].sum(dtype=np.int64))
        return total / (rows * n)

    possible = p.ne * (p.ne - 1)
    n_ee = int(np.count_nonzero(a["state/w_ee"]))
    return {
        "preset": info.preset, "seed": info.seed, "steps": info.steps, "ne": p.ne, "ni": p.ni,
        "input_kind": p.input_kind, "recorded_steps": rows,
        "rate_e": rate("rec/x", p.ne), "rate_i": rate("rec/y", p.ni),
        "n_ee": n_ee, "connection_fraction": n_ee / possible if possible else math.nan,
        "initial_connection_fraction": (int(np.count_nonzero(a["initial/w_ee"])) / possible
                                        if possible else math.nan),
        "n_ei": int(np.count_nonzero(a["state/w_ei"])),
        "changes": list(info.change_log), "pending": dict(info.pending),
        "app_version": info.app_version, "schema_version": info.schema_version,
        "created": info.created, "backend": info.backend, "replayable": info.replayable,
        "replay_note": info.replay_note,
    }
