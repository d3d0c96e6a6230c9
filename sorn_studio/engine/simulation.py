"""``Simulation``: one SORN, its random generator, input, recorder and change log."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..params import Params, field_specs
from ..recording import Recorder, RecordingSpec, StepBlock
from .draws import DrawLayout, to_uniform
from .inputs import InputSource
from .kernels import TE_STATS, Adjacency, run_chunk
from .network import NetworkState, init_state
from .reference import StepInput, reference_step

__all__ = ["Simulation", "ParamChange", "BACKENDS"]

#: ``"numba"``: the compiled kernel; ``"numpy"``: the readable reference (slow, for checks).
BACKENDS = ("numba", "numpy")

#: Most steps simulated per kernel call. Long calls mean few returns to Python, each of which
#: needs the GIL back: a GUI thread painting beside the kernel then rarely makes it wait.
MAX_CHUNK = 4096
#: Most bytes of random draws made for one kernel call; bounds the scratch memory of big
#: networks, whose calls are shortened accordingly.
MAX_DRAW_BYTES = 8 * 2**20


class ParamChange(NamedTuple):
    """One applied parameter change: before step ``step + 1``, ``name`` went ``old -> new``."""

    step: int
    name: str
    old: Any
    new: Any


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"argument 'seed' = {seed!r} must be a whole number >= 0 or None")
    return int(seed)


def _check_steps(name: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"argument {name!r} = {n!r} must be a whole number >= 0")
    return int(n)


def _mask_events(before: np.ndarray, after: np.ndarray, step: int) -> np.ndarray:
    """Synapse events of one step from the masks around it: prunings, then creations (the
    kernel's order: STDP prunes before structural plasticity creates)."""
    rows = []
    for kind, mask in ((-1, before & ~after), (1, after & ~before)):
        i, j = np.nonzero(mask)
        rows.append(np.column_stack([np.full(i.size, step), i, j, np.full(i.size, kind)]))
    return np.concatenate(rows).astype(np.int64)


class Simulation:
    """A SORN that can be stepped, run, reset and tuned while it runs.

    Parameters
    ----------
    params : Params
        The network's parameters.
    seed : int or None
        Seed of the simulation's single ``numpy.random.Generator``; ``None`` draws a fresh one
        (kept in :attr:`seed`, so the run can still be reproduced).
    recording : RecordingSpec, optional
        What to record; a 10 000-step window by default.
    raw_input : numpy.ndarray, optional
        (nu, T) input for ``params.input_kind == "raw"``; more can be added with
        :meth:`feed_input`.
    backend : {"numba", "numpy"}
        The compiled kernel, or the numpy reference of the same step (slow; for checking).

    Notes
    -----
    The same ``params`` and ``seed`` give the identical run, and ``step(1)`` called N times
    gives exactly what ``step(N)`` gives (see :mod:`sorn_studio.engine.draws`).
    """

    def __init__(self, params: Params, seed: int | None = 0, *,
                 recording: RecordingSpec | None = None, raw_input: np.ndarray | None = None,
                 backend: str = "numba") -> None:
        if not isinstance(params, Params):
            raise TypeError(f"argument 'params' must be a sorn_studio.Params, got "
                            f"{type(params).__name__}")
        if backend not in BACKENDS:
            raise ValueError(f"argument 'backend' = {backend!r} is not allowed; use one of "
                             f"{', '.join(map(repr, BACKENDS))}")
        self.backend = backend
        self.recording = recording or RecordingSpec()
        self._check_neurons(params)
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self._raw_initial = None if raw_input is None else self._check_raw(raw_input, params)
        self._track_events = False
        self._events: list[np.ndarray] = []
        self.reset(seed=seed if seed is not None else
                   int(np.random.SeedSequence().entropy % 2**63), params=params)

    # -- construction --------------------------------------------------------------------------
    def _check_neurons(self, params: Params, spec: RecordingSpec | None = None) -> None:
        bad = [n for n in (spec or self.recording).neurons if not 0 <= n < params.ne]
        if bad:
            raise ValueError(f"recording 'neurons' = {bad} are not excitatory neurons; allowed: "
                             f"0..{params.ne - 1}")

    @staticmethod
    def _check_raw(raw: Any, params: Params) -> np.ndarray:
        arr = np.asarray(raw, dtype=float) if not isinstance(raw, np.ndarray) else raw
        if arr.ndim != 2 or arr.shape[0] != params.nu:
            raise ValueError(f"argument 'inputs' has shape {np.shape(raw)}; expected "
                             f"(nu, T) = ({params.nu}, T)")
        if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
            raise TypeError(f"argument 'inputs' must hold real numbers, got dtype {arr.dtype}")
        arr = arr.astype(float)
        if not np.isfinite(arr).all():
            bad = np.argwhere(~np.isfinite(arr))[0]
            raise ValueError(f"argument 'inputs' holds {arr[tuple(bad)]} at row {bad[0]}, "
                             f"column {bad[1]}; every value must be finite")
        return arr

    def reset(self, seed: int | None = None, params: Params | None = None) -> None:
        """Start again from a fresh network.

        Parameters
        ----------
        seed : int, optional
            New seed; ``None`` keeps the current one (the same network again).
        params : Params, optional
            New parameters, structural fields included; ``None`` keeps the current ones.
        """
        if seed is not None:
            self.seed = _check_seed(seed)
        if params is not None:
            if not isinstance(params, Params):
                raise TypeError(f"argument 'params' must be a sorn_studio.Params, got "
                                f"{type(params).__name__}")
            self._check_neurons(params)
            self.params = params
        self.rng = np.random.default_rng(self.seed)
        self.state = init_state(self.params, self.rng)
        self.input = InputSource.create(self.params, self.rng, self._raw_initial)
        self._after_state_change()
        self.initial_state = self.state.copy()
        self.initial_rng_state = self.rng.bit_generator.state
        self.initial_params = self.params
        self.t = 0
        self.change_log: list[ParamChange] = []
        self.recorder = Recorder(self.recording, self.params.ne, self.params.ni)
        self._events.clear()
        with self._lock:
            self._pending.clear()

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

    def _after_state_change(self) -> None:
        """Rebuild what derives from the weight matrices (after init or a state load)."""
        s = self.state
        self._adj = Adjacency(s.w_ee, s.w_ei, s.w_ie) if self.backend == "numba" else None
        # The kernel renormalises only rows it changed; a new state may have other rows off.
        self._renorm_all = True

    def load_state(self, state: NetworkState) -> None:
        """Replace the network state (weights, thresholds, activity) after validating it.

        Raises
        ------
        ValueError
            When an array has the wrong shape, holds NaN/inf, a negative weight, or W^EE has
            a self-connection.
        """
        p = self.params
        shapes = {"x": (p.ne,), "y": (p.ni,), "t_e": (p.ne,), "t_i": (p.ni,), "h_ip": (p.ne,),
                  "w_ee": (p.ne, p.ne), "w_ei": (p.ne, p.ni), "w_ie": (p.ni, p.ne)}
        clean = {}
        for name, shape in shapes.items():
            arr = np.asarray(getattr(state, name))
            if arr.shape != shape:
                raise ValueError(f"state array {name!r} has shape {arr.shape}; expected {shape}")
            if name in ("x", "y"):
                clean[name] = arr.astype(bool).copy()
                continue
            arr = np.array(arr, dtype=float)
            if not np.isfinite(arr).all():
                raise ValueError(f"state array {name!r} holds NaN or inf")
            if name.startswith("w_") and (arr < 0).any():
                raise ValueError(f"state array {name!r} holds negative weights")
            clean[name] = arr
        if np.diagonal(clean["w_ee"]).any():
            raise ValueError("state array 'w_ee' has self-connections (non-zero diagonal)")
        self.state = NetworkState(**clean)
        self._after_state_change()
        self._events.clear()  # the new weights did not come from these events

    def set_recording(self, spec: RecordingSpec) -> None:
        """Record from now on as ``spec`` says; what was recorded so far is dropped."""
        self._check_neurons(self.params, spec)
        self.recording = spec
        self.recorder = Recorder(spec, self.params.ne, self.params.ni)

    def kernel_order(self) -> dict[str, np.ndarray]:
        """The compiled kernel's bookkeeping that decides rounding, for exact continuation.

        The kernel sums each W^EE row in the order of its synapse list, which depends on the
        run's history (pruning moves the last entry into the freed slot, new synapses are
        appended), and it renormalises every row once after a state load. Saving this and
        passing it to :meth:`restore_kernel_order` after :meth:`load_state` makes a reloaded
        run continue bit for bit. Empty for the numpy backend.

        Returns
        -------
        dict
            ``ee_in`` (n_ee,) presynaptic units row by row, ``ee_out`` (n_ee,) postsynaptic
            units column by column, ``renorm_all`` () bool.
        """
        a = self._adj
        if a is None:
            return {}
        ne = self.params.ne
        return {
            "ee_in": np.concatenate([a.ee_in[i, : a.ee_in_n[i]] for i in range(ne)]),
            "ee_out": np.concatenate([a.ee_out[j, : a.ee_out_n[j]] for j in range(ne)]),
            "renorm_all": np.array(self._renorm_all),
        }

    def restore_kernel_order(self, ee_in: np.ndarray, ee_out: np.ndarray,
                             renorm_all: bool) -> None:
        """Restore what :meth:`kernel_order` returned (after :meth:`load_state`).

        Raises
        ------
        ValueError
            When the lists do not name exactly the synapses of the current W^EE.
        """
        if self._adj is None:
            return
        mask = self.state.w_ee > 0
        for name, order, rows_mask, lists in (("ee_in", ee_in, mask, self._adj.ee_in),
                                              ("ee_out", ee_out, mask.T, self._adj.ee_out)):
            order = np.asarray(order)
            counts = rows_mask.sum(axis=1)
            rows = np.repeat(np.arange(rows_mask.shape[0]), counts)
            if (order.shape != (int(counts.sum()),) or order.dtype.kind not in "iu"
                    or not np.array_equal(order[np.lexsort((order, rows))],
                                          np.nonzero(rows_mask)[1])):
                raise ValueError(f"argument {name!r} does not list the synapses of w_ee")
            start = 0
            for r, c in enumerate(counts.tolist()):
                lists[r, :c] = order[start: start + c]
                start += c
        self._renorm_all = bool(renorm_all)

    # -- public state (views; the engine owns the arrays) --------------------------------------
    def _view(self, arr: np.ndarray) -> np.ndarray:
        view = arr.view()
        view.flags.writeable = False
        return view

    @property
    def x(self) -> np.ndarray:
        """Excitatory activity x(t), (ne,) bool, read-only."""
        return self._view(self.state.x)

    @property
    def y(self) -> np.ndarray:
        """Inhibitory activity y(t), (ni,) bool, read-only."""
        return self._view(self.state.y)

    @property
    def t_e(self) -> np.ndarray:
        """Excitatory thresholds T^E, read-only."""
        return self._view(self.state.t_e)

    @property
    def t_i(self) -> np.ndarray:
        """Inhibitory thresholds T^I, read-only."""
        return self._view(self.state.t_i)

    @property
    def h_ip(self) -> np.ndarray:
        """Intrinsic-plasticity target rates H^IP, read-only."""
        return self._view(self.state.h_ip)

    @property
    def w_ee(self) -> np.ndarray:
        """W^EE, (ne, ne), rows post, columns pre; read-only."""
        return self._view(self.state.w_ee)

    @property
    def w_ei(self) -> np.ndarray:
        """W^EI (inhibition onto E), (ne, ni); read-only."""
        return self._view(self.state.w_ei)

    @property
    def w_ie(self) -> np.ndarray:
        """W^IE (excitation onto I), (ni, ne); read-only."""
        return self._view(self.state.w_ie)

    @property
    def n_ee(self) -> int:
        """Number of E->E synapses."""
        if self._adj is not None:
            return int(self._adj.ee_in_n.sum())
        return int(np.count_nonzero(self.state.w_ee))

    @property
    def n_ei(self) -> int:
        """Number of I->E synapses."""
        return int(np.count_nonzero(self.state.w_ei))

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
        specs = field_specs()
        for name in changes:
            if name in specs and not specs[name].live:
                raise ValueError(f"parameter {name!r} cannot change during a run (it is "
                                 "structural); pass it to reset(params=...) instead")
        with self._lock:
            merged = {**self._pending, **changes}
            self.params.replace(**merged)  # validates names and values now
            self._pending = merged

    def _apply_pending(self) -> None:
        with self._lock:
            if not self._pending:
                return
            changes, self._pending = self._pending, {}
        old = self.params
        self.params = old.replace(**changes)
        for name in changes:
            before = getattr(old, name)
            if before != getattr(self.params, name):
                self.change_log.append(ParamChange(self.t, name, before,
                                                   getattr(self.params, name)))
        if self.params.sn and not old.sn:
            self._renorm_all = True   # rows changed while SN was off must be normalised too
        if "mu_ip" in changes and self.params.mu_ip != old.mu_ip:
            # Per-neuron targets keep their spread and move with the mean.
            h = self.state.h_ip + (self.params.mu_ip - old.mu_ip)
            self.state.h_ip[:] = np.clip(h, 1e-6, 1 - 1e-6)

    # -- input ---------------------------------------------------------------------------------
    def feed_input(self, inputs: np.ndarray) -> None:
        """Append raw input columns, shape (nu, T), for ``input_kind == "raw"``."""
        if self.params.input_kind != "raw":
            raise ValueError(f"feed_input needs input_kind='raw'; this simulation has "
                             f"input_kind={self.params.input_kind!r}")
        arr = self._check_raw(inputs, self.params)
        src = self.input
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
        remaining_raw = self.input.remaining_raw()
        if remaining_raw is not None and n > remaining_raw:
            raise ValueError(f"argument 'n' = {n} exceeds the {remaining_raw} columns of raw "
                             "input left; pass more with feed_input(inputs)")
        done = 0
        while done < n:
            self._apply_pending()
            size = min(n - done, self._steps_per_call())
            every = self.recording.weights_every
            if every:
                size = min(size, every - self.t % every)
            self._advance(size)
            done += size
            if every and self.t % every == 0:
                self.recorder.add_snapshot(self.t, self.state.w_ee)
            if progress is not None:
                progress(done, n)
            if should_stop is not None and done < n and should_stop():
                break
        self._apply_pending()
        return done

    def _steps_per_call(self) -> int:
        width = DrawLayout.for_params(self.params, self.input.uses_draws).width
        return max(1, min(MAX_CHUNK, MAX_DRAW_BYTES // (8 * max(width, 1))))

    def _advance(self, n: int) -> None:
        p = self.params
        layout = DrawLayout.for_params(p, self.input.uses_draws)
        draws = self.rng.standard_normal((n, layout.width))
        if layout.sp_off >= 0:
            sp_cols = slice(layout.sp_off, layout.sp_off + layout.n_sp)
            draws[:, sp_cols] = to_uniform(draws[:, sp_cols])
        symbols = (self.input.next_symbols(to_uniform(draws[:, layout.input_off]))
                   if layout.input_off >= 0 else np.full(n, -1, dtype=np.int32))
        raw = self.input.next_raw(n, p.nu)
        spec = self.recording
        block = StepBlock(
            first_step=self.t + 1,
            x=np.zeros((n, p.ne), dtype=bool), y=np.zeros((n, p.ni), dtype=bool),
            n_ee=np.zeros(n, dtype=np.int32), n_ei=np.zeros(n, dtype=np.int32),
            te_stats=np.zeros((n, TE_STATS)), te_sel=np.zeros((n, len(spec.neurons))),
            symbols=symbols,
            drive=np.zeros((n, p.ne), dtype=bool) if spec.drive else None,
            t_e=np.zeros((n, p.ne)) if spec.t_e_full else None,
        )
        if self.backend == "numba":
            self._advance_compiled(n, layout, draws, symbols, raw, block)
        else:
            self._advance_reference(n, layout, draws, symbols, raw, block)
        self.t += n
        self.recorder.append(block)

    def _advance_compiled(self, n: int, layout: DrawLayout, draws: np.ndarray,
                          symbols: np.ndarray, raw: np.ndarray, block: StepBlock) -> None:
        p, s, a = self.params, self.state, self._adj
        flags = np.array([p.stdp, p.ip, p.sp, p.istdp, p.sn, p.fast_inhibition,
                          p.firing_rule == ">=", p.clip_t_e, block.drive is not None,
                          block.t_e is not None], dtype=np.bool_)
        neurons = np.asarray(self.recording.neurons, dtype=np.int64)
        events = np.empty((0, 4), dtype=np.int64)
        if self._track_events and (p.stdp or p.sp):
            # A chunk can prune at most the synapses it starts with plus those it creates.
            most_created = n * (int(np.floor(p.p_sp_effective)) + 1) if p.sp else 0
            events = np.empty((int(a.ee_in_n.sum()) + 2 * most_created, 4), dtype=np.int64)
        n_events = np.zeros(1, dtype=np.int64)
        run_chunk(
            n, s.x, s.y, s.t_e, s.t_i, s.h_ip, s.w_ee, s.w_ei,
            a.ee_in, a.ee_in_n, a.ee_out, a.ee_out_n, a.ei_in, a.ei_in_n, a.ei_out, a.ei_out_n,
            a.ie_out, a.ie_out_n, a.w_ie_by_pre,
            draws, layout.noise_off, p.noise_sigma, layout.sp_off, p.p_sp_effective,
            symbols, self.input.pools, p.input_gain, raw,
            flags, self._renorm_all, p.eta_stdp, p.eta_ip, p.eta_inh, p.mu_ip, p.w_max,
            p.w_ei_min, p.w_sp_init,
            p.t_e_min, p.t_e_max,
            block.x, block.y, block.n_ee, block.n_ei, block.te_stats, neurons, block.te_sel,
            block.drive if block.drive is not None else np.zeros((0, p.ne), dtype=np.bool_),
            block.t_e if block.t_e is not None else np.zeros((0, p.ne)),
            events, n_events,
        )
        if self._track_events and n_events[0]:
            if n_events[0] > len(events):
                raise RuntimeError(f"{n_events[0]} synapse events in one chunk exceed the "
                                   f"bound {len(events)}; this is a bug")
            kept = events[: n_events[0]]
            kept[:, 0] += self.t + 1
            self._events.append(kept)
        if p.sn:
            self._renorm_all = False

    def _advance_reference(self, n: int, layout: DrawLayout, draws: np.ndarray,
                           symbols: np.ndarray, raw: np.ndarray, block: StepBlock) -> None:
        p, s = self.params, self.state
        neurons = list(self.recording.neurons)
        for t in range(n):
            u = np.zeros(p.ne)
            u[: raw.shape[1]] = raw[t]
            if symbols[t] >= 0:
                u[self.input.pools[symbols[t]]] += p.input_gain
            noise = np.zeros(p.ne + p.ni)
            if layout.noise_off >= 0:
                noise = p.noise_sigma * draws[t, layout.noise_off:
                                              layout.noise_off + layout.n_noise]
            sp = (draws[t, layout.sp_off: layout.sp_off + layout.n_sp] if layout.sp_off >= 0
                  else np.zeros(0))
            before = s.w_ee > 0 if self._track_events else None
            out = reference_step(s, p, StepInput(u, noise, sp))
            if before is not None:
                self._events.append(_mask_events(before, s.w_ee > 0, self.t + 1 + t))
            block.x[t], block.y[t] = s.x, s.y
            block.n_ee[t] = np.count_nonzero(s.w_ee)
            block.n_ei[t] = np.count_nonzero(s.w_ei)
            block.te_stats[t] = s.t_e.mean(), s.t_e.min(), s.t_e.max()
            block.te_sel[t] = s.t_e[neurons]
            if block.drive is not None:
                block.drive[t] = out["drive"]
            if block.t_e is not None:
                block.t_e[t] = s.t_e
