"""Save a simulation to one ``.npz``, read and check a file, load it back to continue it.

A session file is a plain numpy archive that ``numpy.load(path, allow_pickle=False)`` reads:
every metadata item is a JSON string in a 0-d unicode array, every other item a plain numeric
or boolean array (the keys are in :mod:`.schema`). It holds the engine's
:class:`~sorn_studio.engine.Snapshot` (enough to *continue* the run exactly and to *replay* it
from step 0), the recordings and some metadata.

Why it is built like this:

- Saving writes a temporary file in the destination folder, fsyncs it and renames it over the
  target (:mod:`sorn_studio.atomic`), so a crash or an error mid-save never leaves a
  half-written session and never damages the previous one.
- Reading checks every member before anything is built, in small steps (archive, version,
  JSON items, metadata, arrays against the schema, the recording's step numbering): a
  truncated, corrupted, newer-version, incomplete, wrongly shaped or pickled file raises
  :class:`SessionError` naming the file and the problem. Older layouts are upgraded in memory
  (:mod:`.migrations`).
- Loading hands the snapshot to ``Simulation.from_snapshot``, which checks the values (finite
  weights, no self-connections, generator state, input position, kernel order) before it
  builds anything.
- The recorder keeps only a window of the newest steps; the studio also saves its whole-run
  history (a thousand points or so, ``history/*``), so a reopened run shows all of it. A file
  without one (older files, the command line's) opens with the window's history only.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_file
from ..engine import BACKENDS, ParamChange, Simulation, Snapshot, SnapshotError, SnapshotWarning
from ..engine.inputs import pool_shape
from ..engine.network import unusual_values, value_problem
from ..engine.snapshot import KERNEL_ORDER_FIELDS, check_change_log, check_structural, json_value
from ..memory import available_bytes
from ..params import Params
from ..recording import MAX_STEPS, SERIES, RecordingSpec
from ..studio.branches import BranchTree
from .archive import Archive
from .branches import BranchTreeError, tree_from_json, tree_to_json
from .errors import SessionError
from .migrations import LEGACY_ARRAYS, LEGACY_JSON_KEYS, MIGRATIONS, json_item
from .schema import (
    HISTORY_KEYS,
    ITEMS,
    JSON_KEYS,
    KEYS_DOC,
    MAX_HISTORY_POINTS,
    SCHEMA_VERSION,
    STATE_FIELDS,
    TEXT_LIMIT,
    expected_items,
    size_limit,
)

__all__ = ["SessionError", "SessionInfo", "SessionData", "save_session", "read_session",
           "load_session", "simulation_of", "snapshot_of", "recorded_series",
           "saved_history", "weight_snapshots"]


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
    branches : BranchTree or None
        The tree of branches the studio run had (None: the file holds none).
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
    branches: BranchTree | None = None


@dataclass(frozen=True)
class SessionData:
    """A validated session: its :class:`SessionInfo` and every array by key (schema 1)."""

    info: SessionInfo
    arrays: dict[str, np.ndarray]


# -- writing -------------------------------------------------------------------------------------
def _session_arrays(sim: Simulation, preset: str | None, extra: Mapping[str, Any] | None,
                    history: Mapping[str, np.ndarray] | None,
                    branches: BranchTree | None = None) -> dict[str, np.ndarray]:
    from .. import __version__

    snap = sim.snapshot()
    meta = {"app_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "preset": preset, "seed": snap.seed, "steps": snap.step,
            "backend": snap.backend, "pending": dict(snap.pending),
            "extra": dict(extra or {})}
    try:
        meta_json = json_item(meta)
    except TypeError as exc:
        raise ValueError(f"argument 'extra' must hold JSON data only: {exc}") from None
    params = sim.params
    arrays: dict[str, np.ndarray] = {
        "schema_version": np.array(SCHEMA_VERSION, dtype=np.int64),
        "meta": meta_json,
        "params": json_item(snap.params),
        "initial_params": json_item(snap.initial_params),
        "recording": json_item(asdict(sim.recording)),
        "change_log": json_item([list(c) for c in snap.change_log]),
        "input": json_item({"kind": params.input_kind, "alphabet": list(params.alphabet),
                            "raw_cursor": snap.raw_cursor,
                            "raw_complete": snap.raw_complete}),
        "rng/initial": json_item(snap.initial_rng),
        "rng/current": json_item(snap.rng),
        "input/position": np.asarray(snap.input_position, dtype=np.int64),
        "input/pools": np.asarray(snap.input_pools, dtype=np.int32),
    }
    if params.input_kind == "raw":
        raw = snap.raw_input if snap.raw_input is not None else np.zeros((params.nu, 0))
        arrays["input/raw"] = np.asarray(raw, dtype=np.float64)
    for prefix, state in (("initial", snap.initial_state), ("state", snap.state)):
        for name in STATE_FIELDS:
            arrays[f"{prefix}/{name}"] = state[name]
    rec = sim.recorder
    arrays["rec/total_steps"] = np.array(rec.total_steps, dtype=np.int64)
    for name, data in rec.series().items():
        arrays[f"rec/{name}"] = data
    snaps = rec.weight_snapshots()
    arrays["rec/snapshot_steps"] = np.array([k for k, _ in snaps], dtype=np.int64)
    arrays["rec/snapshots"] = (np.stack([w for _, w in snaps]) if snaps
                               else np.zeros((0, params.ne, params.ne)))
    # The kernel's synapse-list order: without it a continued run would drift from the
    # uninterrupted one by a rounding error per row.
    for name, value in snap.kernel_order.items():
        arrays[f"engine/{name}"] = (np.array(bool(value)) if name == "renorm_all"
                                    else value.astype(np.int32))
    arrays.update(_history_arrays(history, snap.step, len(sim.recording.neurons)))
    if branches is not None:
        tree = tree_to_json(branches)
        try:
            tree_from_json(tree, snap.step, snap.change_log)
        except BranchTreeError as exc:
            raise ValueError(f"argument 'branches': {exc}") from None
        arrays["branches"] = json_item(tree)
    return arrays


def _history_arrays(history: Mapping[str, np.ndarray] | None, steps: int,
                    k: int) -> dict[str, np.ndarray]:
    """The ``history/*`` items of ``history`` (none when it is ``None`` or empty)."""
    if history is None:
        return {}
    names = {key.removeprefix("history/") for key in HISTORY_KEYS}
    if set(history) != names:
        raise ValueError(f"argument 'history' must hold exactly {', '.join(sorted(names))}; "
                         f"got {', '.join(sorted(map(str, history)))}")
    arrays = {}
    for key in HISTORY_KEYS:
        name = key.removeprefix("history/")
        values = np.asarray(history[name])
        whole = name in ("step", "bin")
        if whole and not (values.dtype.kind in "iu" or (
                values.dtype.kind == "f" and np.all(np.isfinite(values))
                and np.array_equal(values, np.round(values)))):
            # The history keeps its steps as floats; they must still be whole.
            raise ValueError(f"argument 'history': {name!r} must hold whole numbers")
        arrays[key] = values.astype(np.int64 if whole else np.float64)
    problem = _history_problem(arrays, steps, k)
    if problem:
        raise ValueError(f"argument 'history': {problem}")
    return arrays if len(arrays["history/step"]) else {}


def _history_problem(arrays: Mapping[str, np.ndarray], steps: int, k: int) -> str | None:
    """What is wrong with the ``history/*`` items of a run of ``steps`` steps tracing ``k``
    neurons, or ``None``."""
    step = arrays["history/step"]
    points = len(step) if step.ndim == 1 else -1
    if points < 0 or points > MAX_HISTORY_POINTS:
        return (f"item 'history/step' must be one row of at most {MAX_HISTORY_POINTS} points, "
                f"found shape {step.shape}")
    for key in HISTORY_KEYS:
        shape = (() if key == "history/bin" else (points, k) if key == "history/t_e_neurons"
                 else (points,))
        if arrays[key].shape != shape:
            return f"item {key!r} has shape {arrays[key].shape}; expected {shape}"
        if arrays[key].dtype.kind == "f" and not np.all(np.isfinite(arrays[key])):
            return f"item {key!r} holds values that are not finite"
    size = int(arrays["history/bin"][()])
    if not 1 <= size <= max(steps, 1):
        return f"item 'history/bin' = {size} must be in [1, {max(steps, 1)}]"
    if points and not (step[0] >= 1 and step[-1] <= steps and np.all(np.diff(step) > 0)):
        return f"item 'history/step' must number steps 1 to {steps} in increasing order"
    return None


def save_session(sim: Simulation, path: str | os.PathLike[str], preset: str | None = None,
                 extra: Mapping[str, Any] | None = None, *, compress: bool = False,
                 history: Mapping[str, np.ndarray] | None = None,
                 branches: BranchTree | None = None) -> Path:
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
    history : mapping of str to numpy.ndarray, optional
        The whole-run history to keep with the run (the studio's
        :meth:`~sorn_studio.studio.history.History.points`): ``"bin"`` and every trace of
        :data:`~sorn_studio.studio.history.TRACES`, at most
        :data:`~.schema.MAX_HISTORY_POINTS` points of steps up to the simulation's.
    branches : BranchTree, optional
        The studio run's tree of branches (:meth:`~sorn_studio.studio.branches.Timeline.tree`),
        the simulation on its current branch; ``replay`` then verifies every branch.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        When ``extra`` is not JSON-serialisable, ``history`` is not a whole-run history
        of this run, or ``branches`` is not a tree of branches through it.
    OSError
        When the file cannot be written; an existing file at ``path`` is left untouched and no
        temporary file remains.
    """
    if not isinstance(sim, Simulation):
        raise TypeError(f"argument 'sim' must be a Simulation, got {type(sim).__name__} "
                        "(the order is save_session(sim, path, ...))")
    if extra is not None and (not isinstance(extra, Mapping)
                              or not all(isinstance(k, str) for k in extra)):
        raise TypeError(f"argument 'extra' must be a dict with text keys, got {extra!r}")
    path = Path(path)
    with sim.exclusive("save it"):   # the snapshot and the recordings of one step
        arrays = _session_arrays(sim, preset, extra, history, branches)
    with atomic_file(path, "session") as handle:
        (np.savez_compressed if compress else np.savez)(handle, **arrays)
    return path


def _refused(path: Path | None, exc: SnapshotError) -> SessionError:
    """The session error for an invalid part (its name is the file's key)."""
    return SessionError(f"session file {path}: item {exc.part!r} {exc.problem}")


# -- reading: one small check after the other ----------------------------------------------------
def _known(key: str) -> bool:
    """Whether a member may appear in a session file of this or an older layout."""
    return key in KEYS_DOC or key in LEGACY_ARRAYS or key in LEGACY_JSON_KEYS


def _array_limits(path: Path, archive: Archive, info: SessionInfo) -> Callable[[str], int]:
    """Most bytes each array member may declare, refusing members this file cannot have."""
    dims = _largest_dims(info)
    allowed = set(expected_items(info.params.input_kind, info.recording, dims, set(KEYS_DOC)))
    limits = {}
    for key, member in archive.members.items():
        name = LEGACY_ARRAYS.get(key, key)
        if name in JSON_KEYS or key in LEGACY_JSON_KEYS or name == "schema_version":
            continue
        if name not in allowed:
            raise SessionError(f"session file {path} holds item {key!r}, which a session with "
                               f"input kind {info.params.input_kind!r} and this recording does "
                               "not have")
        limits[key] = size_limit(name, dims)
        if name == "input/raw":
            # Raw input may run far ahead of the steps; real (non-constant) input hardly
            # compresses, so a member inflating far beyond its compressed size is refused.
            limits[key] = max(limits[key], 64 * member.compress_size + 2**20)
    return limits.__getitem__


def _largest_dims(info: SessionInfo) -> dict[str, int]:
    """The largest size each shape symbol can have in a file with this metadata."""
    p, spec, steps = info.params, info.recording, info.steps
    n_symbols, n_u = pool_shape(p)
    rows = steps if spec.full else min(steps, spec.window)
    snapshots = steps // spec.weights_every if spec.weights_every else 0
    if not spec.full:
        snapshots = min(snapshots, spec.max_snapshots)
    return {"ne": p.ne, "ni": p.ni, "nu": p.nu, "k": len(spec.neurons), "n_symbols": n_symbols,
            "n_u": n_u, "T": rows, "S": snapshots, "T_raw": steps,
            "n_ee": p.ne * (p.ne - 1), "H": min(steps, MAX_HISTORY_POINTS)}


def _int_scalar(path: Path, arrays: Mapping[str, np.ndarray], key: str) -> int:
    arr = arrays[key]
    if arr.shape != () or arr.dtype.kind not in "iu":
        raise SessionError(f"session file {path}: item {key!r} must be a whole number, found "
                           f"dtype {arr.dtype} shape {arr.shape}")
    return int(arr[()])


def _upgraded(path: Path, arrays: dict[str, np.ndarray]) -> tuple[int, dict[str, np.ndarray]]:
    """The file's schema version, and its arrays in the current layout."""
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
    return found, arrays


def _texts(path: Path, arrays: Mapping[str, np.ndarray], *,
           arrays_read: bool = True) -> dict[str, Any]:
    """The JSON items, parsed, after checking that every always-present item is there (only
    the JSON items when the arrays are not read yet)."""
    missing = [item.key for item in ITEMS if not item.when and item.key not in arrays
               and (arrays_read or item.dtype == "json")]
    if missing:
        raise SessionError(f"session file {path} misses item(s) {', '.join(map(repr, missing))}")
    texts = {}
    for key in JSON_KEYS:
        if key not in arrays:    # an optional item (the others are checked above)
            continue
        arr = arrays[key]
        if arr.shape != () or arr.dtype.kind != "U":
            raise SessionError(f"session file {path}: item {key!r} must be a JSON text (0-d "
                               f"string), found dtype {arr.dtype} shape {arr.shape}")
        try:
            texts[key] = json.loads(str(arr[()]))
        except ValueError as exc:   # JSONDecodeError, or an int of more than 4300 digits
            raise SessionError(f"session file {path}: item {key!r} is not valid JSON: "
                               f"{exc}") from None
        except RecursionError:
            raise SessionError(f"session file {path}: item {key!r} nests JSON too deeply to "
                               "be a session's") from None
    return texts


def _whole(meta: Mapping[str, Any], name: str, most: int | None = None) -> int:
    """``meta[name]`` when it is a JSON whole number >= 0 (not 1.7, "1500", true or Infinity)
    and, when ``most`` is given, at most that."""
    value = meta[name]
    if (isinstance(value, bool) or not isinstance(value, int) or value < 0
            or (most is not None and value > most)):
        allowed = f"[0, {most}]" if most is not None else ">= 0"
        raise ValueError(f"meta {name!r} = {value!r} is not a whole number {allowed}")
    return value


def _info(path: Path, found: int, texts: Mapping[str, Any]) -> SessionInfo:
    """The metadata, parsed and checked for consistency."""
    meta = texts["meta"]
    try:
        params = Params.from_dict(texts["params"])
        initial_params = Params.from_dict(texts["initial_params"])
        recording = dict(texts["recording"])
        recording["neurons"] = tuple(recording.get("neurons", ()))
        spec = RecordingSpec(**recording)
        seed, steps = _whole(meta, "seed"), _whole(meta, "steps", MAX_STEPS)
        backend = str(meta.get("backend", "numba"))
        if backend not in BACKENDS:
            raise ValueError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
        pending = {str(k): json_value(v) for k, v in dict(meta.get("pending") or {}).items()}
        extra = dict(meta.get("extra") or {})
        raw_complete = dict(texts["input"]).get("raw_complete", False)
        preset = meta.get("preset")
        if not isinstance(raw_complete, bool):
            raise ValueError(f"input 'raw_complete' = {raw_complete!r} must be true or false")
        if preset is not None and not isinstance(preset, str):
            raise ValueError(f"meta 'preset' = {preset!r} must be a name or null")
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise SessionError(f"session file {path} has invalid metadata: {exc}") from None
    if steps < 0 or seed < 0:
        raise SessionError(f"session file {path}: seed {seed} and steps {steps} must be >= 0")
    try:
        check_structural(params, initial_params)
        log = check_change_log(texts["change_log"], steps)
    except SnapshotError as exc:
        raise _refused(path, exc) from None
    branches = None
    if "branches" in texts:
        try:
            branches = tree_from_json(texts["branches"], steps, log)
        except BranchTreeError as exc:
            raise SessionError(f"session file {path}: item 'branches' {exc}") from None
    replayable, note = True, ""
    if params.input_kind == "raw" and not raw_complete:
        replayable = False
        note = ("raw input was fed in pieces during the run and the columns already used were "
                "dropped, so the run cannot be replayed from step 0 (it can be continued)")
    return SessionInfo(
        path=path, schema_version=found, app_version=str(meta.get("app_version", "unknown")),
        created=str(meta.get("created", "")), preset=preset, seed=seed,
        steps=steps, backend=backend, params=params, initial_params=initial_params,
        change_log=log, recording=spec, pending=pending, extra=extra, replayable=replayable,
        replay_note=note, branches=branches,
    )


def _length(arrays: Mapping[str, np.ndarray], key: str, axis: int = 0) -> int:
    """Length of ``key`` along ``axis``, -1 when absent or too few dimensions (so that the
    shape check reports it)."""
    arr = arrays.get(key)
    return arr.shape[axis] if arr is not None and arr.ndim > axis else -1


def _check_arrays(path: Path, arrays: Mapping[str, np.ndarray], info: SessionInfo) -> None:
    """Every array item against the schema: present, of its dtype and shape."""
    p = info.params
    n_symbols, n_u = pool_shape(p)
    dims = {"ne": p.ne, "ni": p.ni, "nu": p.nu, "k": len(info.recording.neurons),
            "n_symbols": n_symbols, "n_u": n_u, "T": _length(arrays, "rec/step"),
            "S": _length(arrays, "rec/snapshot_steps"), "T_raw": _length(arrays, "input/raw", 1),
            "n_ee": _length(arrays, "engine/ee_in"), "H": _length(arrays, "history/step")}
    held = [key for key in HISTORY_KEYS if key in arrays]
    if held and len(held) < len(HISTORY_KEYS):
        missing = [key for key in HISTORY_KEYS if key not in arrays]
        raise SessionError(f"session file {path} holds part of the whole-run history: it "
                           f"misses item(s) {', '.join(map(repr, missing))}")
    expected = expected_items(p.input_kind, info.recording, dims, set(arrays))
    for key, (dtype, shape) in expected.items():
        if key not in arrays:
            raise SessionError(f"session file {path} misses item {key!r}")
        arr = arrays[key]
        if arr.dtype != np.dtype(dtype) or arr.shape != shape:
            raise SessionError(f"session file {path}: item {key!r} has dtype {arr.dtype} and "
                               f"shape {arr.shape}; expected {dtype} {shape}")
    problem = value_problem(arrays["rec/snapshots"], weights=True)
    if problem:
        raise SessionError(f"session file {path}: item 'rec/snapshots' {problem}")
    problem = _history_problem(arrays, info.steps, len(info.recording.neurons)) if held \
        else None
    if problem:
        raise SessionError(f"session file {path}: {problem}")


def _check_recording(path: Path, arrays: Mapping[str, np.ndarray], info: SessionInfo) -> None:
    """The recording covers the last steps of the run, numbered consecutively."""
    steps = info.steps
    total = _int_scalar(path, arrays, "rec/total_steps")
    if total != steps:
        raise SessionError(f"session file {path}: 'rec/total_steps' = {total} but the run has "
                           f"{steps} steps")
    rows = arrays["rec/step"]
    t_rows = rows.shape[0]
    if t_rows > steps or (t_rows and not np.array_equal(
            rows, np.arange(steps - t_rows + 1, steps + 1))):
        raise SessionError(f"session file {path}: 'rec/step' must number the last {t_rows} of "
                           f"{steps} steps consecutively")


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
    small_keys = ("schema_version", *JSON_KEYS, *LEGACY_JSON_KEYS)
    with Archive(path, _known) as archive:
        # The metadata first, each item bounded: it says how large every array may be, so no
        # member is inflated beyond what this network can hold.
        small = archive.read(small_keys, lambda key: size_limit(key, {}) if key in KEYS_DOC
                             else TEXT_LIMIT)
        found, upgraded = _upgraded(path, dict(small))
        first = _info(path, found, _texts(path, upgraded, arrays_read=False))
        keys = [k for k in archive.members if k not in small]
        limits = _array_limits(path, archive, first)
        need = sum(archive.members[k].file_size for k in keys)
        available = available_bytes() if need > 2**28 else None
        if available is not None and need > available:
            # The metadata may claim a run big enough for any size: refused before inflating
            # what cannot fit, instead of being killed half-way.
            raise SessionError(f"session file {path} needs {need / 1e9:.1f} GB to load but "
                               f"about {available / 1e9:.1f} GB is available")
        rest = archive.read(keys, limits)
    found, arrays = _upgraded(path, {**small, **rest})
    info = _info(path, found, _texts(path, arrays))
    _check_arrays(path, arrays, info)
    _check_recording(path, arrays, info)
    return SessionData(info=info, arrays=arrays)


# -- what a file holds, as the engine and the recorder take it -----------------------------------
def snapshot_of(data: SessionData) -> Snapshot:
    """The engine :class:`~sorn_studio.engine.Snapshot` a validated session holds."""
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
        raw_cursor=dict(json.loads(str(a["input"][()]))).get("raw_cursor", 0),
        kernel_order={name: a[f"engine/{name}"] for name in KERNEL_ORDER_FIELDS
                      if f"engine/{name}" in a},
    )


def recorded_series(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The recorder's series in a session's arrays, by storage name."""
    return {name: arrays[f"rec/{name}"] for name in SERIES if f"rec/{name}" in arrays}


def saved_history(data: SessionData) -> dict[str, np.ndarray] | None:
    """The whole-run history a validated session holds, or ``None`` when it holds none.

    Returns
    -------
    dict or None
        ``"bin"`` and one array per trace (what
        :meth:`~sorn_studio.studio.history.History.restore` takes).
    """
    a = data.arrays
    if "history/step" not in a or not len(a["history/step"]):
        return None
    return {key.removeprefix("history/"): a[key] for key in HISTORY_KEYS}


def weight_snapshots(arrays: Mapping[str, np.ndarray]) -> list[tuple[int, np.ndarray]]:
    """The W^EE snapshots in a session's arrays as ``(step, w_ee)`` pairs."""
    return list(zip(arrays["rec/snapshot_steps"].tolist(), arrays["rec/snapshots"], strict=True))


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
        As :func:`read_session`, or when a value is invalid (NaN, negative weight, an input
        position outside the words, a kernel order that does not fit the weights, ...).
    """
    return simulation_of(read_session(path), backend=backend, stacklevel=3)


def simulation_of(data: SessionData, *, backend: str | None = None,
                  stacklevel: int = 2) -> tuple[Simulation, SessionInfo]:
    """The simulation a validated session holds (:func:`load_session` of what was read).

    For callers that want more of the file than the simulation (e.g. :func:`saved_history`)
    without reading it twice; parameters, returns and errors as :func:`load_session`.
    """
    info = data.info
    try:
        sim = Simulation.from_snapshot(snapshot_of(data), recording=info.recording,
                                       backend=backend or info.backend)
    except SnapshotError as exc:
        raise _refused(info.path, exc) from None
    except (ValueError, TypeError) as exc:
        raise SessionError(f"session file {info.path}: cannot rebuild the simulation: "
                           f"{exc}") from None
    sim.recorder.restore(recorded_series(data.arrays), info.steps,
                         weight_snapshots(data.arrays))
    for finding in unusual_values(sim.state, sim.params, "state"):
        # Loaded as it is (it may be an edit on purpose), but not silently.
        warnings.warn(f"session file {info.path}: item {finding}", SnapshotWarning,
                      stacklevel=stacklevel)
    return sim, info
