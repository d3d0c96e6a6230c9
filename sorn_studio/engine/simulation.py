"""``Simulation``: one SORN, its random generator, input, recorder and change log."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from ..params import Params, field_specs
from ..recording import MAX_STEPS, Recorder, RecordingSpec, StepBlock
from .attribution import Accumulators, Attribution
from .draws import DrawLayout, to_uniform
from .inputs import InputSource, check_raw_input
from .kernels import TE_STATS, Adjacency, run_chunk
from .network import NetworkState, check_network_arrays, init_state, unnormalised_rows
from .reference import StepInput, reference_step
from .snapshot import (
    ParamChange,
    Snapshot,
    SnapshotError,
    check_change_log,
    check_structural,
    json_value,
)
from .streams import DRAW_LAYOUT, RandomStreams

__all__ = ["Simulation", "ParamChange", "BACKENDS"]

#: ``"numba"``: the compiled kernel; ``"numpy"``: the readable reference (slow, for checks).
BACKENDS = ("numba", "numpy")

#: Most steps simulated per kernel call. Long calls mean few returns to Python, each of which
#: needs the GIL back: a GUI thread painting beside the kernel then rarely makes it wait.
MAX_CHUNK = 4096
#: Most bytes of random draws made for one kernel call; bounds the scratch memory of big
#: networks, whose calls are shortened accordingly.
MAX_DRAW_BYTES = 8 * 2**20


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"argument 'seed' = {seed!r} must be a whole number >= 0 or None")
    return int(seed)


def _check_steps(name: str, n: Any) -> int:
    if (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0
            or n > MAX_STEPS):
        raise ValueError(f"argument {name!r} = {n!r} must be a whole number in "
                         f"[0, {MAX_STEPS}]")
    return int(n)


def _when_idle(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the method only while no other thread runs the simulation (refused otherwise)."""
    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def guarded(self: Simulation, *args: Any, **kwargs: Any) -> Any:
            with self.exclusive(what):
                return method(self, *args, **kwargs)
        return guarded
    return wrap


def _check_params(params: Any) -> None:
    if not isinstance(params, Params):
        raise TypeError(f"argument 'params' must be a sorn_studio.Params, got "
                        f"{type(params).__name__}")


def _params_from(data: Any, part: str) -> Params:
    try:
        return Params.from_dict(data)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SnapshotError(part, f"holds invalid parameters: {exc}") from None


def _meta_value(check: Callable[[str, Any], int], name: str, value: Any) -> int:
    """``check(name, value)``, its error a SnapshotError of ``meta`` (where files keep it)."""
    try:
        return check(name, value)
    except ValueError as exc:
        raise SnapshotError("meta", f"has an invalid {name}: {exc}") from None


def _check_live(names: Any) -> None:
    specs = field_specs()
    for name in names:
        if name in specs and not specs[name].live:
            raise ValueError(f"parameter {name!r} cannot change during a run (it is "
                             "structural); pass it to reset(params=...) instead")


def _mask_events(before: np.ndarray, after: np.ndarray, step: int) -> np.ndarray:
    """Synapse events of one step from the masks around it: prunings, then creations (the
    kernel's order: STDP prunes before structural plasticity creates)."""
    rows = []
    for kind, mask in ((-1, before & ~after), (1, after & ~before)):
        i, j = np.nonzero(mask)
        rows.append(np.column_stack([np.full(i.size, step), i, j, np.full(i.size, kind)]))
    return np.concatenate(rows).astype(np.int64)


class Simulation:
    """A SORN that can be stepped, run, reset, tuned while it runs, saved and restored.

    Parameters
    ----------
    params : Params
        The network's parameters.
    seed : int or None
        Seed of the run: the network is drawn with ``numpy.random.default_rng(seed)``, and
        each step's random numbers come from the streams of :mod:`.streams`; ``None`` draws a
        fresh seed (kept in :attr:`seed`, so the run can still be reproduced).
    recording : RecordingSpec, optional
        What to record; a 10 000-step window by default.
    raw_input : numpy.ndarray, optional
        (nu, T) input for ``params.input_kind == "raw"``; more can be added with
        :meth:`feed_input`.
    backend : {"numba", "numpy"}
        The compiled kernel, or the numpy reference of the same step (slow; for checking).
    draw_layout : {1, 2}
        Where each step's random numbers come from (:mod:`.streams`): 2, a stream per purpose
        (input, structural plasticity, noise), so that networks of the same seed share their
        input and noise whatever their mechanisms; 1, the single stream of earlier versions
        (for their sessions).

    Notes
    -----
    The same ``params`` and ``seed`` give the identical run, and ``step(1)`` called N times
    gives exactly what ``step(N)`` gives (see :mod:`sorn_studio.engine.draws`).

    The simulation owns its state: the attributes below are read-only, and only its own
    methods change them. :meth:`snapshot` returns all of it as plain arrays and JSON values,
    and :meth:`restore` (or :meth:`from_snapshot`) is the one way to set it from outside.
    """

    def __init__(self, params: Params, seed: int | None = 0, *,
                 recording: RecordingSpec | None = None, raw_input: np.ndarray | None = None,
                 backend: str = "numba", draw_layout: int = DRAW_LAYOUT) -> None:
        _check_params(params)
        self._configure(recording, backend)
        self._draw_layout = draw_layout
        self._check_neurons(params)
        if raw_input is not None and params.input_kind != "raw":
            raise ValueError(f"argument 'raw_input' is given but input_kind = "
                             f"{params.input_kind!r}; raw input drives only input_kind='raw'")
        self._raw_initial = None if raw_input is None else check_raw_input(raw_input, params.nu,
                                                                            "raw_input")
        self.reset(seed=seed if seed is not None else
                   int(np.random.SeedSequence().entropy % 2**63), params=params)

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot, *, recording: RecordingSpec | None = None,
                      backend: str | None = None) -> Simulation:
        """A simulation that continues exactly where ``snapshot`` was taken.

        Parameters
        ----------
        snapshot : Snapshot
            As returned by :meth:`snapshot` (possibly of another simulation or from a file).
        recording : RecordingSpec, optional
            What to record from now on (a 10 000-step window by default); the recorder starts
            empty at the snapshot's step.
        backend : {"numba", "numpy"}, optional
            The snapshot's own backend by default.

        Raises
        ------
        ValueError
            As :meth:`restore`.
        """
        sim = cls.__new__(cls)
        sim._configure(recording, backend or snapshot.backend)
        sim._raw_initial = None
        sim.restore(snapshot)
        return sim

    # -- construction --------------------------------------------------------------------------
    def _configure(self, recording: RecordingSpec | None, backend: str) -> None:
        """Set what does not depend on the network: backend, recording, locks, event log."""
        if backend not in BACKENDS:
            raise ValueError(f"argument 'backend' = {backend!r} is not allowed; use one of "
                             f"{', '.join(map(repr, BACKENDS))}")
        self._backend = backend
        self._recording = recording or RecordingSpec()
        self._lock = threading.Lock()
        # Held while steps run (and by exclusive()); re-entrant, so a progress callback may
        # save between chunks. _runner is the thread that runs, refused to the others.
        self._running = threading.RLock()
        self._runner: int | None = None
        self._pending: dict[str, Any] = {}
        self._track_events = False
        self._events: list[np.ndarray] = []
        self._attribution: Accumulators | None = None

    def _check_neurons(self, params: Params, spec: RecordingSpec | None = None) -> None:
        bad = [n for n in (spec or self._recording).neurons if not 0 <= n < params.ne]
        if bad:
            raise ValueError(f"recording 'neurons' = {bad} are not excitatory neurons; allowed: "
                             f"0..{params.ne - 1}")

    @_when_idle("reset it")
    def reset(self, seed: int | None = None, params: Params | None = None) -> None:
        """Start again from a fresh network.

        Parameters
        ----------
        seed : int, optional
            New seed; ``None`` keeps the current one (the same network again).
        params : Params, optional
            New parameters, structural fields included; ``None`` keeps the current ones.

        Notes
        -----
        Synapse events are forgotten; attribution, when tracked, starts a new window at
        step 0 (tracking stays on).
        """
        if seed is not None:
            self._seed = _check_seed(seed)
        if params is not None:
            _check_params(params)
            self._check_neurons(params)
            self._params = params
        # The network is drawn with the seed's generator; layout 1 goes on drawing from it.
        rng = np.random.default_rng(self._seed)
        self._state = init_state(self._params, rng)
        self._input = InputSource.create(self._params, rng, self._raw_initial)
        self._streams = RandomStreams.fresh(self._seed, rng, self._draw_layout)
        self._adj, self._renorm_all = self._adjacency_for(self._state, {})
        self._initial_state = self._state.copy()
        self._initial_rng_state = self._streams.state()
        self._initial_params = self._params
        self._t = 0
        self._change_log: list[ParamChange] = []
        self._recorder = Recorder(self._recording, self._params.ne, self._params.ni)
        self._events.clear()
        self._restart_attribution()
        with self._lock:
            self._pending.clear()

    @_when_idle("restart it")
    def restart(self, seed: int) -> None:
        """Start a new run from the network as it is now, with the generator of ``seed``.

        Like :meth:`reset`, except that the network is kept instead of drawn again: the step
        count goes back to 0, the present state and parameters become the run's initial
        ones, the change log, the recorder, the synapse events and the attribution (a new
        window at step 0, when tracked) start empty, and the kernel keeps its synapse
        order, so the network goes on exactly as it would have with that generator. The
        sorn 0.7.4 layer uses it: each of its calls runs the network it was given with a
        generator of its own.

        Parameters
        ----------
        seed : int
            Seed of the new ``numpy.random.Generator``.
        """
        self._seed = _check_seed(seed)
        self._streams = RandomStreams.fresh(self._seed, np.random.default_rng(self._seed),
                                            self._draw_layout)
        # In place: the sorn 0.7.4 layer restarts once per call, often for a single step.
        for name, arr in self._state.arrays().items():
            np.copyto(getattr(self._initial_state, name), arr)
        self._initial_rng_state = self._streams.state()
        self._initial_params = self._params
        self._t = 0
        self._change_log = []
        self._recorder.restore({}, 0, [])
        self._events.clear()
        self._restart_attribution()
        with self._lock:
            self._pending.clear()

    # -- snapshot and restore ------------------------------------------------------------------
    @_when_idle("take a snapshot (or save it)")
    def snapshot(self) -> Snapshot:
        """Everything needed to continue this run exactly, as copies in plain arrays and JSON.

        Call it between runs (or from the thread that runs the simulation). The recording is
        not part of it (see :attr:`recorder`), nor are the synapse events and the attribution
        gathered so far (:meth:`take_attribution`).

        Returns
        -------
        Snapshot
            Independent of the simulation: running on does not change it.
        """
        src = self._input
        return Snapshot(
            seed=self._seed, step=self._t, backend=self._backend,
            params=self._params.to_dict(), initial_params=self._initial_params.to_dict(),
            change_log=tuple((int(c.step), c.name, c.old, c.new) for c in self._change_log),
            pending=self.pending_changes, rng=self._streams.state(),
            initial_rng=copy.deepcopy(self._initial_rng_state),
            state={k: v.copy() for k, v in self._state.arrays().items()},
            initial_state={k: v.copy() for k, v in self._initial_state.arrays().items()},
            input_position=src.position.copy(), input_pools=src.pools.copy(),
            raw_input=None if src.raw is None else src.raw.copy(), raw_cursor=src.raw_cursor,
            kernel_order=self._kernel_order(),
        )

    @_when_idle("restore a snapshot into it")
    def restore(self, snapshot: Snapshot) -> None:
        """Put the simulation exactly where ``snapshot`` was taken.

        Everything is checked before anything changes, so a rejected snapshot leaves the
        simulation as it was. The recorder starts empty at the snapshot's step (a session
        file refills it with :meth:`Recorder.restore`); synapse events are forgotten, and
        attribution, when tracked, starts a new window at the snapshot's step (what was
        gathered before is dropped: its parts would not lead to the restored state).

        Parameters
        ----------
        snapshot : Snapshot
            From :meth:`snapshot`, from a file, or built by hand.

        Raises
        ------
        ValueError
            When a part is invalid: unknown or out-of-range parameters, structural parameters
            that differ between ``params`` and ``initial_params``, a change log out of order or
            naming a field that cannot change during a run, wrongly shaped or non-finite state
            arrays, negative weights, self-connections, an invalid generator state, input
            pools or position outside the network or the words, or a kernel order that does
            not list the synapses of ``w_ee``. The message names the part.
        """
        params = self._params_from(snapshot.params, "params")
        initial_params = self._params_from(snapshot.initial_params, "initial_params")
        seed = _meta_value(lambda _name, value: _check_seed(value), "seed", snapshot.seed)
        step = _meta_value(_check_steps, "step", snapshot.step)
        check_structural(params, initial_params)
        self._check_neurons(params)
        log = check_change_log(snapshot.change_log, step)
        pending = {str(k): json_value(v) for k, v in dict(snapshot.pending).items()}
        if pending:
            try:
                _check_live(pending)
                params.replace(**pending)
            except (ValueError, TypeError, OverflowError) as exc:
                raise SnapshotError("meta", f"has an invalid pending change: {exc}") from None
        state = NetworkState(**check_network_arrays(snapshot.state, params, "state"))
        # A run that starts at the snapshot gives the same arrays twice: checked once.
        initial = (state.copy() if snapshot.initial_state is snapshot.state else NetworkState(
            **check_network_arrays(snapshot.initial_state, params, "initial")))
        streams = RandomStreams.from_state(snapshot.rng, "rng/current")
        initial_layout = RandomStreams.from_state(snapshot.initial_rng, "rng/initial").layout
        if initial_layout != streams.layout:
            raise SnapshotError("rng/initial", f"has draw layout {initial_layout} but "
                                f"'rng/current' has {streams.layout}")
        source = InputSource.restore(params, snapshot.input_pools, snapshot.input_position,
                                     snapshot.raw_input, snapshot.raw_cursor)
        adj, renorm_all = self._adjacency_for(state, snapshot.kernel_order)
        if params.sn and any(unnormalised_rows(w).any() for w in (state.w_ee, state.w_ei)):
            renorm_all = True   # rows the engine would have normalised are normalised next

        self._params, self._initial_params, self._seed, self._t = params, initial_params, seed, step
        self._state, self._initial_state = state, initial
        self._streams, self._draw_layout = streams, streams.layout
        self._initial_rng_state = copy.deepcopy(dict(snapshot.initial_rng))
        self._change_log = list(log)
        self._input = source
        self._raw_initial = source.raw
        self._adj, self._renorm_all = adj, renorm_all
        self._recorder = Recorder(self._recording, params.ne, params.ni)
        self._recorder.restore({}, step, [])
        self._events.clear()
        self._restart_attribution()
        with self._lock:
            self._pending = pending

    def _params_from(self, data: Mapping[str, Any], part: str) -> Params:
        """``data`` as Params; the ones in force are reused when equal (no re-validation)."""
        known = getattr(self, "_params", None)
        if known is not None and known.to_dict() == dict(data):
            return known
        return _params_from(data, part)

    def _adjacency_for(self, state: NetworkState, order: Mapping[str, np.ndarray]
                       ) -> tuple[Adjacency | None, bool]:
        """Synapse lists of ``state`` in the kernel order ``order`` (when given), and the
        renormalise-every-row flag."""
        flag = np.asarray(order.get("renorm_all", True))
        if flag.shape != () or flag.dtype != np.bool_:
            raise SnapshotError("engine/renorm_all", f"has dtype {flag.dtype} and shape "
                                f"{flag.shape}; expected bool ()")
        if self._backend != "numba":
            # The reference normalises W^EI as the kernel does (only the rows it changed).
            return None, bool(flag)
        adj = Adjacency(state.w_ee, state.w_ei, state.w_ie)
        if "ee_in" not in order:
            # The kernel renormalises only rows it changed; a new state may have other rows off.
            return adj, True
        for name in ("ee_in", "ee_out"):
            if name in order and not adj.reorder(name, order[name]):
                raise SnapshotError(f"engine/{name}", "does not list the synapses of 'w_ee'")
        return adj, bool(flag)

    def _kernel_order(self) -> dict[str, np.ndarray]:
        """The compiled kernel's bookkeeping that decides rounding, for exact continuation.

        The kernel sums each W^EE row in the order of its synapse list, which depends on the
        run's history (pruning moves the last entry into the freed slot, new synapses are
        appended), and it renormalises every row once after a state load; the numpy backend
        keeps only that flag (it normalises W^EI as the kernel does).
        """
        a = self._adj
        if a is None:
            return {"renorm_all": np.array(self._renorm_all)}
        return {
            "ee_in": a.listed("ee_in"),
            "ee_out": a.listed("ee_out"),
            "renorm_all": np.array(self._renorm_all),
        }

    # -- synapse events ------------------------------------------------------------------------
    def track_synapse_events(self, on: bool = True) -> None:
        """Keep (or stop keeping) every E->E synapse creation and pruning for
        :meth:`take_synapse_events`; off by default, so nothing accumulates unasked.
        """
        self._track_events = bool(on)
        self._events.clear()

    def take_synapse_events(self) -> np.ndarray:
        """E->E synapse events since the last call (or since tracking began), then forget them.

        Returns
        -------
        numpy.ndarray of int64, shape (k, 4)
            One row per event in the order they happened: step, postsynaptic unit i,
            presynaptic unit j, and +1 for a synapse created by structural plasticity or -1
            for one pruned by STDP. Exact to the step, unlike masks compared now and then.
        """
        events = (np.concatenate(self._events) if self._events
                  else np.empty((0, 4), dtype=np.int64))
        self._events.clear()
        return events

    # -- attribution ---------------------------------------------------------------------------
    @_when_idle("change its attribution tracking")
    def track_attribution(self, on: bool = True) -> None:
        """Measure (or stop measuring) what each rule does to W^EE, T^E and W^EI.

        While on, the engine adds each operation's change of every weight and threshold to
        that operation's accumulator as it runs (float64 sums of N^E^2 x 6 + N^E x 2 +
        N^E N^I x 3 numbers, about 2 MB at N^E = 200); :meth:`take_attribution` returns them.
        Off by default, and then the engine runs without the feature. Either way, what was
        gathered is dropped and a new window starts at the present step.

        Parameters
        ----------
        on : bool
            Track from now on (True) or stop (False).
        """
        p = self._params
        self._attribution = Accumulators(p.ne, p.ni, self._t) if on else None

    @property
    def tracks_attribution(self) -> bool:
        """Whether attribution is tracked (:meth:`track_attribution`)."""
        return self._attribution is not None

    @_when_idle("take its attribution")
    def take_attribution(self) -> Attribution:
        """What each rule changed since tracking began or since the last take, then start a
        new window at the present step.

        Returns
        -------
        Attribution
            The window from the step tracking began (or the last take, restore or reset) to
            :attr:`t`: per synapse and neuron, the change of W^EE, T^E and W^EI by STDP
            potentiation and depression, the weight cap, pruning, structural growth, synaptic
            normalisation, IP, the T^E clip, iSTDP and its clamp (layout and signs in
            :mod:`sorn_studio.engine.attribution`).

        Raises
        ------
        RuntimeError
            When attribution is not tracked.
        """
        if self._attribution is None:
            raise RuntimeError("attribution is not being tracked: call "
                               "track_attribution() first; take_attribution() then returns "
                               "what each rule changed since")
        return self._attribution.take(self._t)

    def _restart_attribution(self) -> None:
        """A tracked attribution starts a new window at the present step (sized anew: the
        network may have changed size)."""
        if self._attribution is not None:
            p = self._params
            if self._attribution.fits(p.ne, p.ni):
                self._attribution.clear(self._t)
            else:
                self._attribution = Accumulators(p.ne, p.ni, self._t)

    def load_state(self, state: NetworkState) -> None:
        """Replace the network state (weights, thresholds, activity) after validating it.

        Everything else (step, generator, change log, recording) stays. This is
        :meth:`restore` of the present snapshot with ``state`` in it, so synapse events are
        forgotten and a tracked attribution starts a new window at the present step.

        Raises
        ------
        SnapshotError
            (a ``ValueError``) when an array has the wrong shape, holds NaN/inf, a negative
            weight, or W^EE has a self-connection.
        """
        recorder = self._recorder
        self.restore(dataclasses.replace(self.snapshot(), state=state.arrays(), kernel_order={}))
        self._recorder = recorder   # the recording goes on: only the network was replaced

    @_when_idle("change its recording")
    def set_recording(self, spec: RecordingSpec) -> None:
        """Record from now on as ``spec`` says; what was recorded so far is dropped.

        The new recording starts empty at the current step (its ``total_steps`` is ``t``), so
        a session saved after it numbers its rows as every other session does.
        """
        self._check_neurons(self._params, spec)
        recorder = Recorder(spec, self._params.ne, self._params.ni)
        recorder.restore({}, self._t, [])
        self._recording, self._recorder = spec, recorder

    # -- public state (read-only; the engine owns it) ------------------------------------------
    @property
    def backend(self) -> str:
        """``"numba"`` (compiled kernel) or ``"numpy"`` (reference step)."""
        return self._backend

    @property
    def seed(self) -> int:
        """Seed of the run's generator (set by the constructor, :meth:`reset` or a restore)."""
        return self._seed

    @property
    def t(self) -> int:
        """Steps simulated since step 0."""
        return self._t

    @property
    def params(self) -> Params:
        """Parameters in force (immutable; change them with :meth:`apply_params`)."""
        return self._params

    @property
    def initial_params(self) -> Params:
        """Parameters at step 0, before any live change."""
        return self._initial_params

    @property
    def change_log(self) -> list[ParamChange]:
        """Every applied live change, in order (a copy)."""
        return list(self._change_log)

    @property
    def rng_state(self) -> dict[str, Any]:
        """State of the run's random streams now, as JSON values (a copy; see
        :meth:`.streams.RandomStreams.state`)."""
        return self._streams.state()

    @property
    def initial_rng_state(self) -> dict[str, Any]:
        """State of the run's random streams at step 0, after the network was drawn (a
        copy)."""
        return copy.deepcopy(self._initial_rng_state)

    @property
    def draw_layout(self) -> int:
        """Where each step's random numbers come from (:mod:`.streams`): 1 or 2."""
        return self._draw_layout

    @property
    def state(self) -> NetworkState:
        """The network state now (the engine's own arrays: do not write to them)."""
        return self._state

    @property
    def initial_state(self) -> NetworkState:
        """The network state at step 0."""
        return self._initial_state

    @property
    def input(self) -> InputSource:
        """The input source and where it stands."""
        return self._input

    @property
    def recording(self) -> RecordingSpec:
        """What is recorded."""
        return self._recording

    @property
    def recorder(self) -> Recorder:
        """The recordings of this run."""
        return self._recorder

    def _view(self, arr: np.ndarray) -> np.ndarray:
        view = arr.view()
        view.flags.writeable = False
        return view

    @property
    def x(self) -> np.ndarray:
        """Excitatory activity x(t), (ne,) bool, read-only."""
        return self._view(self._state.x)

    @property
    def y(self) -> np.ndarray:
        """Inhibitory activity y(t), (ni,) bool, read-only."""
        return self._view(self._state.y)

    @property
    def t_e(self) -> np.ndarray:
        """Excitatory thresholds T^E, read-only."""
        return self._view(self._state.t_e)

    @property
    def t_i(self) -> np.ndarray:
        """Inhibitory thresholds T^I, read-only."""
        return self._view(self._state.t_i)

    @property
    def h_ip(self) -> np.ndarray:
        """Intrinsic-plasticity target rates H^IP, read-only."""
        return self._view(self._state.h_ip)

    @property
    def w_ee(self) -> np.ndarray:
        """W^EE, (ne, ne), rows post, columns pre; read-only."""
        return self._view(self._state.w_ee)

    @property
    def w_ei(self) -> np.ndarray:
        """W^EI (inhibition onto E), (ne, ni); read-only."""
        return self._view(self._state.w_ei)

    @property
    def w_ie(self) -> np.ndarray:
        """W^IE (excitation onto I), (ni, ne); read-only."""
        return self._view(self._state.w_ie)

    @property
    def n_ee(self) -> int:
        """Number of E->E synapses."""
        if self._adj is not None:
            return int(self._adj.ee_in_n.sum())
        return int(np.count_nonzero(self._state.w_ee))

    @property
    def n_ei(self) -> int:
        """Number of I->E synapses."""
        return int(np.count_nonzero(self._state.w_ei))

    @property
    def pending_changes(self) -> dict[str, Any]:
        """Changes requested with :meth:`apply_params` and not applied yet."""
        with self._lock:
            return dict(self._pending)

    # -- tuning --------------------------------------------------------------------------------
    def apply_params(self, **changes: Any) -> None:
        """Request changes of live parameters; they apply at the next step boundary.

        May be called from another thread while :meth:`run` runs. Each applied change is
        logged in :attr:`change_log` as ``ParamChange(step, name, old, new)``.

        Raises
        ------
        ValueError
            For an unknown name, a field that cannot change during a run, or a value outside
            the allowed range (checked now, not at the step).
        """
        _check_live(changes)
        with self._lock:
            merged = {**self._pending, **changes}
            self._params.replace(**merged)  # validates names and values now
            self._pending = merged

    def _apply_pending(self) -> None:
        with self._lock:
            if not self._pending:
                return
            changes, self._pending = self._pending, {}
        old = self._params
        self._params = old.replace(**changes)
        for name in changes:
            before = getattr(old, name)
            if before != getattr(self._params, name):
                self._change_log.append(ParamChange(self._t, name, before,
                                                    getattr(self._params, name)))
        if self._params.sn and not old.sn:
            self._renorm_all = True   # rows changed while SN was off must be normalised too
        if "mu_ip" in changes and self._params.mu_ip != old.mu_ip:
            # Per-neuron targets keep their spread and move with the mean.
            h = self._state.h_ip + (self._params.mu_ip - old.mu_ip)
            self._state.h_ip[:] = np.clip(h, 1e-6, 1 - 1e-6)

    # -- input ---------------------------------------------------------------------------------
    def feed_input(self, inputs: np.ndarray) -> None:
        """Append raw input columns, shape (nu, T), for ``input_kind == "raw"``."""
        if self._params.input_kind != "raw":
            raise ValueError(f"feed_input needs input_kind='raw'; this simulation has "
                             f"input_kind={self._params.input_kind!r}")
        arr = check_raw_input(inputs, self._params.nu)
        src = self._input
        rest = src.raw[:, src.raw_cursor:] if src.raw is not None else np.zeros((arr.shape[0], 0))
        src.raw = np.concatenate([rest, arr], axis=1)
        src.raw_cursor = 0

    # -- running -------------------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        """Advance exactly ``n`` steps."""
        self.run(n)

    def run(self, n: int, progress: Callable[[int, int], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> int:
        """Advance up to ``n`` steps, in chunks.

        Parameters
        ----------
        n : int
            Steps to simulate.
        progress : callable, optional
            Called as ``progress(done, n)`` after each chunk.
        should_stop : callable, optional
            Checked after each chunk; when it returns True the run ends early (at a step
            boundary, with everything consistent).

        Returns
        -------
        int
            Steps actually simulated.
        """
        n = _check_steps("n", n)
        for name, fn in (("progress", progress), ("should_stop", should_stop)):
            if fn is not None and not callable(fn):
                raise TypeError(f"argument {name!r} must be a function or None, got {fn!r}")
        with self.exclusive("run it"):
            if n > MAX_STEPS - self._t:
                raise ValueError(f"argument 'n' = {n} would take the run past step "
                                 f"{MAX_STEPS}, the most a run may reach (it is at step "
                                 f"{self._t})")
            remaining_raw = self._input.remaining_raw()
            if remaining_raw is not None and n > remaining_raw:
                raise ValueError(f"argument 'n' = {n} exceeds the {remaining_raw} columns of "
                                 "raw input left; pass more with feed_input(inputs)")
            outer, self._runner = self._runner, threading.get_ident()
            try:
                return self._run_chunks(n, progress, should_stop)
            finally:
                self._runner = outer

    def _run_chunks(self, n: int, progress: Callable[[int, int], None] | None,
                    should_stop: Callable[[], bool] | None) -> int:
        done = 0
        while done < n:
            self._apply_pending()
            size = min(n - done, self._steps_per_call())
            every = self._recording.weights_every
            if every:
                size = min(size, every - self._t % every)
            self._advance(size)
            done += size
            if every and self._t % every == 0:
                self._recorder.add_snapshot(self._t, self._state.w_ee)
            if progress is not None:
                progress(done, n)
            if should_stop is not None and done < n and should_stop():
                break
        self._apply_pending()
        return done


    @contextlib.contextmanager
    def exclusive(self, what: str = "use it") -> Iterator[None]:
        """Hold the simulation: no other thread may run, reset, restore or save it meanwhile.

        ``save_session`` holds it so that the snapshot and the recordings it writes belong to
        the same step. Re-entrant in one thread (a progress callback may save between chunks).

        Raises
        ------
        RuntimeError
            When another thread is running the simulation now.
        """
        runner = self._runner
        if runner is not None and runner != threading.get_ident():
            raise RuntimeError(f"cannot {what} while the simulation is running in another "
                               "thread; do it between runs (the studio does it between chunks)")
        with self._running:   # another holder that is not running (a save) is waited for
            yield

    def _steps_per_call(self) -> int:
        width = DrawLayout.for_params(self._params, self._input.uses_draws).width
        return max(1, min(MAX_CHUNK, MAX_DRAW_BYTES // (8 * max(width, 1))))

    def _advance(self, n: int) -> None:
        p = self._params
        layout = DrawLayout.for_params(p, self._input.uses_draws)
        draws = self._streams.block(n, layout)
        if layout.sp_off >= 0:
            sp_cols = slice(layout.sp_off, layout.sp_off + layout.n_sp)
            draws[:, sp_cols] = to_uniform(draws[:, sp_cols])
        symbols = (self._input.next_symbols(to_uniform(draws[:, layout.input_off]))
                   if layout.input_off >= 0 else np.full(n, -1, dtype=np.int32))
        raw = self._input.next_raw(n, p.nu)
        spec = self._recording
        block = StepBlock(
            first_step=self._t + 1,
            x=np.zeros((n, p.ne), dtype=bool), y=np.zeros((n, p.ni), dtype=bool),
            n_ee=np.zeros(n, dtype=np.int32), n_ei=np.zeros(n, dtype=np.int32),
            te_stats=np.zeros((n, TE_STATS)), te_sel=np.zeros((n, len(spec.neurons))),
            symbols=symbols,
            drive=np.zeros((n, p.ne), dtype=bool) if spec.drive else None,
            t_e=np.zeros((n, p.ne)) if spec.t_e_full else None,
        )
        if self._backend == "numba":
            self._advance_compiled(n, layout, draws, symbols, raw, block)
        else:
            self._advance_reference(n, layout, draws, symbols, raw, block)
        self._t += n
        self._recorder.append(block)

    def _advance_compiled(self, n: int, layout: DrawLayout, draws: np.ndarray,
                          symbols: np.ndarray, raw: np.ndarray, block: StepBlock) -> None:
        p, s, a = self._params, self._state, self._adj
        flags = np.array([p.stdp, p.ip, p.sp, p.istdp, p.sn, p.fast_inhibition,
                          p.firing_rule == ">=", p.clip_t_e, block.drive is not None,
                          block.t_e is not None, p.ei_floor == "reset"], dtype=np.bool_)
        neurons = np.asarray(self._recording.neurons, dtype=np.int64)
        events = np.empty((0, 4), dtype=np.int64)
        if self._track_events and (p.stdp or p.sp):
            # A chunk can prune at most the synapses it starts with plus those it creates.
            most_created = n * (int(np.floor(p.p_sp_effective)) + 1) if p.sp else 0
            events = np.empty((int(a.ee_in_n.sum()) + 2 * most_created, 4), dtype=np.int64)
        n_events = np.zeros(1, dtype=np.int64)
        acc = self._attribution
        run_chunk(
            n, s.x, s.y, s.t_e, s.t_i, s.h_ip, s.w_ee, s.w_ei,
            a.ee_in, a.ee_in_n, a.ee_out, a.ee_out_n, a.ei_in, a.ei_in_n, a.ei_out, a.ei_out_n,
            a.ie_out, a.ie_out_n, a.w_ie_by_pre,
            draws, layout.noise_off, p.noise_sigma, layout.sp_off, p.p_sp_effective,
            symbols, self._input.pools, p.input_gain, raw,
            flags, self._renorm_all, p.eta_stdp, p.eta_ip, p.eta_inh, p.mu_ip, p.w_max,
            p.w_ei_min, p.w_sp_init, p.ee_prune_below,
            p.t_e_min, p.t_e_max,
            block.x, block.y, block.n_ee, block.n_ei, block.te_stats, neurons, block.te_sel,
            block.drive if block.drive is not None else np.zeros((0, p.ne), dtype=np.bool_),
            block.t_e if block.t_e is not None else np.zeros((0, p.ne)),
            events, n_events,
            # None, not empty arrays: numba then compiles the kernel without the feature.
            None if acc is None else acc.ee, None if acc is None else acc.te,
            None if acc is None else acc.ei,
        )
        if self._track_events and n_events[0]:
            if n_events[0] > len(events):
                raise RuntimeError(f"{n_events[0]} synapse events in one chunk exceed the "
                                   f"bound {len(events)}; this is a bug")
            kept = events[: n_events[0]]
            kept[:, 0] += self._t + 1
            self._events.append(kept)
        if p.sn:
            self._renorm_all = False

    def _advance_reference(self, n: int, layout: DrawLayout, draws: np.ndarray,
                           symbols: np.ndarray, raw: np.ndarray, block: StepBlock) -> None:
        p, s = self._params, self._state
        neurons = list(self._recording.neurons)
        for t in range(n):
            u = np.zeros(p.ne)
            u[: raw.shape[1]] = raw[t]
            if symbols[t] >= 0:
                u[self._input.pools[symbols[t]]] += p.input_gain
            noise = np.zeros(p.ne + p.ni)
            if layout.noise_off >= 0:
                noise = p.noise_sigma * draws[t, layout.noise_off:
                                              layout.noise_off + layout.n_noise]
            sp = (draws[t, layout.sp_off: layout.sp_off + layout.n_sp] if layout.sp_off >= 0
                  else np.zeros(0))
            before = s.w_ee > 0 if self._track_events else None
            out = reference_step(s, p, StepInput(u, noise, sp), self._attribution,
                                 renorm_all=self._renorm_all and t == 0)
            if before is not None:
                self._events.append(_mask_events(before, s.w_ee > 0, self._t + 1 + t))
            block.x[t], block.y[t] = s.x, s.y
            block.n_ee[t] = np.count_nonzero(s.w_ee)
            block.n_ei[t] = np.count_nonzero(s.w_ei)
            block.te_stats[t] = s.t_e.mean(), s.t_e.min(), s.t_e.max()
            block.te_sel[t] = s.t_e[neurons]
            if block.drive is not None:
                block.drive[t] = out["drive"]
            if block.t_e is not None:
                block.t_e[t] = s.t_e
        if p.sn and n:
            self._renorm_all = False
