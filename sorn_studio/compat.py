"""The ``sorn`` 0.7.4 API (``Simulator.run``, ``Trainer.run``) on top of the SORN Studio engine.

Scripts written for the published ``sorn`` package run after changing only their import line::

    from sorn_studio import Simulator, Trainer

    state_dict, sim_dict = Simulator.run(inputs=inputs, phase="plasticity", state=None,
                                         noise=True, timesteps=200,
                                         callbacks=["ExcitatoryActivation", "WEE"])
    state_dict, sim_dict = Trainer.run(inputs=inputs[:, :1], phase="training",
                                       state=state_dict, noise=False, timesteps=1)

Both take sorn 0.7.4's arguments, hyperparameter names and defaults (:data:`LEGACY_DEFAULTS`),
``freeze`` names (:data:`FREEZE_NAMES`) and callback names (:data:`CALLBACKS`), and return
sorn 0.7.4's ``state_dict`` (``Wee``, ``Wei``, ``Wie``, ``Te``, ``Ti``, ``X``, ``Y``) in its
shapes and orientation (weights pre x post, thresholds (n, 1), activity (n, 2) with columns
[t-1, t]) plus a ``sim_dict`` of the requested callbacks, where ``sim_dict[name][t]`` is
sorn 0.7.4's value for step ``t``.

Randomness: each call draws one random seed from numpy's global generator (``np.random``), so
``np.random.seed(k)`` before a script makes its runs repeat exactly, as users of sorn 0.7.4
expect (sorn 0.7.4 itself also used Python's ``random`` and was not reproducible). A call's
random numbers depend only on that draw, never on earlier calls.

Speed: ``Simulator`` and ``Trainer`` each keep the engine simulation of their last parameter
sets. When a call receives exactly the state the previous call returned (checked element by
element, so any edit is noticed), the network simply continues; any other state is validated
and loaded. Both follow the same equations and random numbers; with plasticity on they can
differ in the last bit of some weights, because a load renormalises every row once.

Differences from sorn 0.7.4 (validation, fixed defects, the few behaviour changes) are listed
in the README section "Coming from sorn 0.7.4".
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from .engine import NetworkState, Simulation
from .engine.network import init_state
from .params import Params
from .presets import load_preset
from .recording import RecordingSpec

__all__ = [
    "Simulator",
    "Trainer",
    "LegacySimulator",
    "LegacyTrainer",
    "LEGACY_DEFAULTS",
    "CALLBACKS",
    "FREEZE_NAMES",
    "PHASES",
    "STATE_KEYS",
]

# A library must not configure logging; messages go to this logger only.
_log = logging.getLogger(__name__)

#: sorn 0.7.4's hyperparameters and their defaults (``sorn.sorn.Sorn`` class attributes);
#: read-only, so no call can change another's defaults.
LEGACY_DEFAULTS: Mapping[str, Any] = MappingProxyType({
    "ne": 200,
    "nu": 10,
    "network_type_ee": "Sparse",
    "network_type_ei": "Sparse",
    "network_type_ie": "Dense",
    "lambda_ee": 20,
    "lambda_ei": 40,
    "lambda_ie": 100,
    "eta_stdp": 0.004,
    "eta_inhib": 0.001,
    "eta_ip": 0.01,
    "te_max": 1.0,
    "ti_max": 0.5,
    "ti_min": 0.0,
    "te_min": 0.0,
    "mu_ip": 0.1,
    "sigma_ip": 0.0,
})

#: Callback names accepted in ``callbacks`` (sorn 0.7.4's nine plus ``WIE``).
CALLBACKS: tuple[str, ...] = (
    "ExcitatoryActivation",
    "InhibitoryActivation",
    "RecurrentActivation",
    "EEConnectionCounts",
    "EIConnectionCounts",
    "TE",
    "TI",
    "WEE",
    "WEI",
    "WIE",
)

#: ``freeze`` names and the :class:`~sorn_studio.params.Params` switch each one turns off
#: (``ss``, sorn 0.7.4's "synaptic scaling", is synaptic normalisation of W^EE and W^EI).
FREEZE_NAMES: dict[str, str] = {"stdp": "stdp", "ip": "ip", "sp": "sp", "istdp": "istdp",
                                "ss": "sn"}

#: Allowed ``phase`` values; ``"training"`` freezes every plasticity mechanism.
PHASES: tuple[str, ...] = ("plasticity", "training")

#: Keys of a ``state_dict``.
STATE_KEYS: tuple[str, ...] = ("Wee", "Wei", "Wie", "Te", "Ti", "X", "Y")

_NETWORK_TYPES = ("Sparse", "Dense")
_PRESET = "sorn-0.7.4"
# Params allows up to 5000 excitatory units; ni = int(0.2 ne) needs ne >= 5 to be >= 1.
_NE_MIN, _NE_MAX = 5, 5000
# Callbacks served from the engine's recorder (cheap per-step rows, no weight matrices).
_RECORDED = {"ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation",
             "EEConnectionCounts", "EIConnectionCounts", "TE"}


# -- argument checking ------------------------------------------------------------------------
def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_)))


def _hyperparameters(given: dict[str, Any]) -> dict[str, Any]:
    """:func:`_check_hyperparameters`, remembered for hashable arguments (a loop of calls
    passes the same ones every time)."""
    # The type is part of the key because True == 1 and hash(True) == hash(1).
    key = tuple(sorted((name, type(value), value) for name, value in given.items()))
    try:
        return dict(_checked_hyperparameters(key))
    except TypeError as exc:
        if "unhashable" not in str(exc):
            raise
        # An unhashable value (a list, an array): check it directly; that raises.
        return _check_hyperparameters(given)


@functools.lru_cache(maxsize=32)
def _checked_hyperparameters(key: tuple[tuple[str, type, Any], ...]
                             ) -> tuple[tuple[str, Any], ...]:
    return tuple(_check_hyperparameters({name: value for name, _, value in key}).items())


def _check_hyperparameters(given: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``given`` into sorn 0.7.4's defaults; check names, kinds and single-value ranges."""
    unknown = [k for k in given if k not in LEGACY_DEFAULTS]
    if unknown:
        raise ValueError(f"unknown hyperparameter(s) {', '.join(map(repr, unknown))}; valid "
                         f"names are: {', '.join(LEGACY_DEFAULTS)}")
    hp = {**LEGACY_DEFAULTS, **given}
    for name in ("ne", "nu"):
        if not _is_int(hp[name]):
            raise TypeError(f"hyperparameter {name!r} must be a whole number, got {hp[name]!r}")
        hp[name] = int(hp[name])
    for name in ("network_type_ee", "network_type_ei", "network_type_ie"):
        if hp[name] not in _NETWORK_TYPES:
            raise ValueError(f"hyperparameter {name!r} = {hp[name]!r} is not allowed; use "
                             "'Sparse' or 'Dense'")
    for name in ("lambda_ee", "lambda_ei", "lambda_ie", "eta_stdp", "eta_inhib", "eta_ip",
                 "te_max", "ti_max", "ti_min", "te_min", "mu_ip", "sigma_ip"):
        value = hp[name]
        if not _is_real(value):
            raise TypeError(f"hyperparameter {name!r} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"hyperparameter {name!r} = {value!r} must be finite")
        hp[name] = float(value)
    for name in ("lambda_ee", "lambda_ei", "lambda_ie"):
        if hp[name] < 0:
            raise ValueError(f"hyperparameter {name!r} = {hp[name]:g} must be >= 0")
    for name in ("eta_stdp", "eta_inhib", "eta_ip"):
        if not 0.0 <= hp[name] <= 1.0:
            raise ValueError(f"hyperparameter {name!r} = {hp[name]:g} is out of range; "
                             "allowed: [0, 1]")
    for lo, hi in (("te_min", "te_max"), ("ti_min", "ti_max")):
        for name in (lo, hi):
            if not -10.0 <= hp[name] <= 10.0:
                raise ValueError(f"hyperparameter {name!r} = {hp[name]:g} is out of range; "
                                 "allowed: [-10, 10]")
        if hp[lo] > hp[hi]:
            raise ValueError(f"hyperparameter {lo!r} = {hp[lo]:g} must not exceed {hi!r} = "
                             f"{hp[hi]:g}")
    if not 0.0 < hp["mu_ip"] <= 1.0:
        raise ValueError(f"hyperparameter 'mu_ip' = {hp['mu_ip']:g} is out of range; allowed: "
                         "(0, 1] (iSTDP divides by it)")
    if hp["sigma_ip"] != 0.0:
        # sorn 0.7.4 accepted sigma_ip and silently ignored it; refusing is more honest.
        raise ValueError(f"hyperparameter 'sigma_ip' = {hp['sigma_ip']:g} is not supported: "
                         "every excitatory unit has the IP target 2 * nu / ne, as in sorn 0.7.4 "
                         "(which ignored sigma_ip); use sorn_studio.Params(ip_target='normal') "
                         "for per-neuron targets")
    return hp


def _check_sizes(hp: dict[str, Any], ne: int, from_state: bool) -> None:
    """Checks that need the network size ``ne`` (from ``hp`` or from a passed state)."""
    if not _NE_MIN <= ne <= _NE_MAX:
        if from_state:
            raise ValueError(f"state 'Wee' has {ne} excitatory units; allowed: [{_NE_MIN}, "
                             f"{_NE_MAX}]")
        raise ValueError(f"hyperparameter 'ne' = {ne} is out of range; allowed: [{_NE_MIN}, "
                         f"{_NE_MAX}] (ni = int(0.2 * ne) must be at least 1)")
    if not 1 <= hp["nu"] <= ne:
        raise ValueError(f"hyperparameter 'nu' = {hp['nu']} is out of range; allowed: [1, "
                         f"ne = {ne}] (inputs drive excitatory units 0..nu-1)")


def _check_phase(phase: Any) -> str:
    if phase not in PHASES:
        raise ValueError(f"argument 'phase' = {phase!r} is not allowed; use 'plasticity' or "
                         "'training'")
    return phase


def _check_names(arg: str, names: Any, valid: Sequence[str]) -> list[str]:
    """A list of names from ``valid`` (``None`` means none)."""
    if names is None:
        return []
    if isinstance(names, str) or not isinstance(names, (list, tuple, set, frozenset)):
        raise TypeError(f"argument {arg!r} must be a list of names, got {names!r}")
    bad = [n for n in names if not isinstance(n, str) or n not in valid]
    if bad:
        raise ValueError(f"argument {arg!r} holds unknown name(s) {', '.join(map(repr, bad))}; "
                         f"valid names are: {', '.join(valid)}")
    return list(dict.fromkeys(names))


def _check_noise(noise: Any) -> bool:
    if isinstance(noise, (bool, np.bool_)) or (_is_int(noise) and noise in (0, 1)):
        return bool(noise)
    raise TypeError(f"argument 'noise' must be True or False, got {noise!r}")


def _check_timesteps(timesteps: Any, inputs: np.ndarray | None) -> int:
    if timesteps is None:
        if inputs is None:
            raise ValueError("argument 'timesteps' is required when 'inputs' is None")
        timesteps = inputs.shape[1]
    if not _is_int(timesteps) or timesteps < 1:
        raise ValueError(f"argument 'timesteps' = {timesteps!r} must be a whole number >= 1")
    return int(timesteps)


def _as_inputs(inputs: Any) -> np.ndarray | None:
    """``inputs`` as a 2-D float array (shape against ``nu`` is checked later)."""
    if inputs is None:
        return None
    try:
        arr = np.asarray(inputs)
    except ValueError as exc:   # ragged nested lists
        raise ValueError(f"argument 'inputs' is not a rectangular array: {exc}") from None
    if arr.dtype != bool and (not np.issubdtype(arr.dtype, np.number)
                              or np.issubdtype(arr.dtype, np.complexfloating)):
        raise TypeError(f"argument 'inputs' must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"argument 'inputs' has shape {arr.shape}; expected (nu, timesteps), "
                         "e.g. (10, 1) for one step of 10 input units")
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        row, col = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"argument 'inputs' holds {arr[row, col]} at row {row}, column {col}; "
                         "every value must be finite")
    return arr


def _check_state(state: Any) -> tuple[dict[str, np.ndarray], int, int]:
    """Validate a sorn 0.7.4 ``state_dict``; return float copies of its arrays and (ne, ni)."""
    if not isinstance(state, Mapping):
        raise TypeError(f"argument 'state' must be a dict with keys {', '.join(STATE_KEYS)} "
                        f"(as returned by run), got {type(state).__name__}")
    missing = [k for k in STATE_KEYS if k not in state]
    if missing:
        raise ValueError(f"argument 'state' lacks key(s) {', '.join(map(repr, missing))}; a "
                         f"state needs {', '.join(STATE_KEYS)}")
    arrays: dict[str, np.ndarray] = {}
    for key in STATE_KEYS:
        try:
            arr = np.asarray(state[key])
        except ValueError as exc:
            raise ValueError(f"state {key!r} is not a rectangular array: {exc}") from None
        if arr.dtype != bool and (not np.issubdtype(arr.dtype, np.number)
                                  or np.issubdtype(arr.dtype, np.complexfloating)):
            raise TypeError(f"state {key!r} must hold real numbers, got dtype {arr.dtype}")
        arrays[key] = arr
    wee, wei = arrays["Wee"], arrays["Wei"]
    if wee.ndim != 2 or wee.shape[0] != wee.shape[1]:
        raise ValueError(f"state 'Wee' has shape {wee.shape}; expected (ne, ne)")
    ne = wee.shape[0]
    if wei.ndim != 2 or wei.shape[1] != ne:
        raise ValueError(f"state 'Wei' has shape {wei.shape}; expected (ni, ne) = (ni, {ne})")
    ni = wei.shape[0]
    expected = {"Wie": [(ne, ni)], "Te": [(ne, 1), (ne,)], "Ti": [(ni, 1), (ni,)],
                "X": [(ne, 2)], "Y": [(ni, 2)]}
    for key, shapes in expected.items():
        if arrays[key].shape not in shapes:
            raise ValueError(f"state {key!r} has shape {arrays[key].shape}; expected "
                             f"{' or '.join(map(str, shapes))} for ne = {ne}, ni = {ni}")
    clean: dict[str, np.ndarray] = {}
    for key, arr in arrays.items():
        arr = arr.astype(float)
        if not np.isfinite(arr).all():
            raise ValueError(f"state {key!r} holds NaN or inf")
        if key.startswith("W") and (arr < 0).any():
            raise ValueError(f"state {key!r} holds negative weights")
        if key in ("X", "Y") and not np.isin(arr, (0.0, 1.0)).all():
            raise ValueError(f"state {key!r} must hold only 0 and 1 (unit silent or active)")
        clean[key] = arr
    if np.diagonal(clean["Wee"]).any():
        raise ValueError("state 'Wee' has self-connections (non-zero diagonal)")
    return clean, ne, ni


# -- conversion -------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _base_params() -> Params:
    return load_preset(_PRESET)


def _params(hp: dict[str, Any], ne: int, ni: int, phase: str, noise: bool, frozen: list[str],
            fresh: bool) -> Params:
    """The engine parameters for sorn 0.7.4's hyperparameters ``hp`` (cached: Params is frozen).

    The connectivity fields only shape a fresh network; with a loaded state (``fresh`` False)
    they are clamped into range because they have no effect.
    """
    # Building and validating a Params costs about a millisecond; a loop of one-step calls
    # asks for the same one every time.
    return _params_cached(tuple(hp.items()), ne, ni, phase, noise, frozenset(frozen), fresh)


@functools.lru_cache(maxsize=32)
def _params_cached(hp_items: tuple[tuple[str, Any], ...], ne: int, ni: int, phase: str,
                   noise: bool, frozen: frozenset[str], fresh: bool) -> Params:
    hp = dict(hp_items)
    if hp["network_type_ee"] == "Sparse":
        ee_mode, ee_lam = "gaussian", hp["lambda_ee"]
        if fresh and ee_lam > ne - 1:
            raise ValueError(f"hyperparameter 'lambda_ee' = {ee_lam:g} exceeds the {ne - 1} "
                             f"possible inputs (ne - 1); allowed: [0, {ne - 1}]")
    else:
        ee_mode, ee_lam = "fixed", ne - 1
    # sorn 0.7.4 gives each I unit about lambda_ei outgoing synapses among the ne E units:
    # each I->E synapse exists with p = lambda_ei / ne, i.e. in-degree p * ni per E unit.
    if hp["network_type_ei"] == "Sparse":
        ei_mode, ei_lam = "probability", hp["lambda_ei"] * ni / ne
        if fresh and hp["lambda_ei"] > ne:
            raise ValueError(f"hyperparameter 'lambda_ei' = {hp['lambda_ei']:g} exceeds the "
                             f"{ne} excitatory targets of an inhibitory unit; allowed: [0, {ne}]")
    else:
        ei_mode, ei_lam = "fixed", ni
    if hp["network_type_ie"] == "Sparse":
        ie_mode, ie_lam = "gaussian", hp["lambda_ie"]
        if fresh and ie_lam > ne:
            raise ValueError(f"hyperparameter 'lambda_ie' = {ie_lam:g} exceeds ne = {ne}; "
                             f"allowed: [0, {ne}]")
    else:
        ie_mode, ie_lam = "fixed", ne
    off = {FREEZE_NAMES[name] for name in frozen}
    if phase == "training":
        off = set(FREEZE_NAMES.values())
    changes = dict(
        ne=ne, ni=ni, nu=hp["nu"],
        ee_connectivity=ee_mode, lambda_ee=min(ee_lam, ne - 1),
        ei_connectivity=ei_mode, lambda_ei=min(ei_lam, ni),
        ie_connectivity=ie_mode, lambda_ie=min(ie_lam, ne),
        eta_stdp=hp["eta_stdp"], eta_inh=hp["eta_inhib"], eta_ip=hp["eta_ip"],
        t_e_min=hp["te_min"], t_e_max=hp["te_max"], t_i_min=hp["ti_min"], t_i_max=hp["ti_max"],
        mu_ip=hp["mu_ip"],
        **{mech: mech not in off for mech in FREEZE_NAMES.values()},
    )
    if not noise:
        changes["noise_sigma"] = 0.0
    try:
        return _base_params().replace(**changes)
    except ValueError as exc:   # a combination the checks above did not foresee
        raise ValueError(f"invalid hyperparameters: {exc}") from None


def _to_engine(arrays: dict[str, np.ndarray], h_ip: float) -> NetworkState:
    """sorn 0.7.4 orientation (pre x post, (n, 1), (n, 2)) -> engine orientation (post x pre)."""
    ne, ni = arrays["Wee"].shape[0], arrays["Wei"].shape[0]
    # C order matters: the compiled kernel is specialised for C-contiguous arrays, and a
    # transposed view would make numba compile a second version (seconds) on the first call.
    return NetworkState(
        x=arrays["X"][:, 1] != 0,
        y=arrays["Y"][:, 1] != 0,
        t_e=np.ascontiguousarray(arrays["Te"].reshape(ne)),
        t_i=np.ascontiguousarray(arrays["Ti"].reshape(ni)),
        h_ip=np.full(ne, h_ip),
        w_ee=np.ascontiguousarray(arrays["Wee"].T),
        w_ei=np.ascontiguousarray(arrays["Wei"].T),
        w_ie=np.ascontiguousarray(arrays["Wie"].T),
    )


def _to_legacy(sim: Simulation, x_prev: np.ndarray, y_prev: np.ndarray) -> dict[str, np.ndarray]:
    """The simulation's state as a sorn 0.7.4 ``state_dict`` (fresh arrays the caller owns)."""
    s = sim.state
    return {
        "Wee": s.w_ee.T.copy(),
        "Wei": s.w_ei.T.copy(),
        "Wie": s.w_ie.T.copy(),
        "Te": s.t_e.reshape(-1, 1).copy(),
        "Ti": s.t_i.reshape(-1, 1).copy(),
        "X": _activity(x_prev, s.x),
        "Y": _activity(y_prev, s.y),
    }


def _activity(prev: np.ndarray, now: np.ndarray) -> np.ndarray:
    """sorn 0.7.4's (n, 2) activity array, columns [t-1, t], as 0.0/1.0."""
    out = np.empty((now.size, 2))
    out[:, 0] = prev
    out[:, 1] = now
    return out


def _peek_sizes(state: Any) -> tuple[int, int] | None:
    """(ne, ni) of a well-formed ``state`` without validating it; None if it looks malformed."""
    if not isinstance(state, Mapping):
        return None
    wee, wei = state.get("Wee"), state.get("Wei")
    if not (isinstance(wee, np.ndarray) and isinstance(wei, np.ndarray)):
        return None
    if wee.ndim != 2 or wee.shape[0] != wee.shape[1] or wei.ndim != 2 \
            or wei.shape[1] != wee.shape[0]:
        return None
    return wee.shape[0], wei.shape[0]


def _binary(a: np.ndarray) -> bool:
    return bool(((a == 0) | (a == 1)).all())


def _state_matches(sim: Simulation, state: Mapping) -> bool:
    """Whether ``state`` holds exactly ``sim``'s current state (in sorn 0.7.4's layout).

    This is how a loop that feeds back the returned ``state_dict`` continues the engine's
    network without reloading it. Any change the caller made, any other dtype-independent
    difference in value, or anything malformed gives False, and the state is then validated
    and loaded in full. Costs one comparison per array element, in C.
    """
    s = sim.state
    ne, ni = s.x.size, s.y.size
    try:
        wee, wei, wie = state["Wee"], state["Wei"], state["Wie"]
        te, ti, x, y = state["Te"], state["Ti"], state["X"], state["Y"]
    except KeyError:
        return False
    arrays = (wee, wei, wie, te, ti, x, y)
    if not all(isinstance(a, np.ndarray) and a.dtype.kind in "biuf" for a in arrays):
        return False
    if (wee.shape != (ne, ne) or wei.shape != (ni, ne) or wie.shape != (ne, ni)
            or te.shape not in ((ne, 1), (ne,)) or ti.shape not in ((ni, 1), (ni,))
            or x.shape != (ne, 2) or y.shape != (ni, 2)):
        return False
    # Shapes are equal, so plain element-wise comparisons do (np.array_equal adds overhead
    # that matters at a few hundred microseconds per call).
    return bool((wee == s.w_ee.T).all() and (wei == s.w_ei.T).all()
                and (wie == s.w_ie.T).all()
                and (te.reshape(ne) == s.t_e).all() and (ti.reshape(ni) == s.t_i).all()
                and (x[:, 1] == s.x).all() and (y[:, 1] == s.y).all()
                # x(t-1) does not enter the dynamics, but must be as valid as a loaded one.
                and _binary(x[:, 0]) and _binary(y[:, 0]))


def _call_rng() -> np.random.Generator:
    """This call's generator, seeded from numpy's global state (``np.random.seed`` rules)."""
    return np.random.default_rng(int(np.random.randint(0, 2**63 - 1, dtype=np.int64)))


# -- the runners ------------------------------------------------------------------------------
class _LegacyRunner:
    """Shared implementation of ``Simulator`` and ``Trainer`` (they differ in default phase).

    Holds no parameters between calls. What it keeps are up to :attr:`cache_size` engine
    :class:`~sorn_studio.engine.Simulation` objects, one per parameter set, so that thousands
    of one-step calls neither rebuild a simulation nor reload a state that is exactly the one
    the previous call returned. Every call draws a fresh random generator, so a call's random
    numbers never depend on earlier calls.
    """

    #: Simulations kept between calls (each holds its network: about 1 MB at N^E = 200).
    cache_size = 2

    def __init__(self) -> None:
        self._sims: OrderedDict[Params, Simulation] = OrderedDict()
        self._lock = threading.Lock()

    def release(self) -> None:
        """Drop the cached simulations (frees their memory; the next call rebuilds one)."""
        with self._lock:
            self._sims.clear()

    def _take(self, params: Params) -> Simulation:
        """Remove and return the cached Simulation for ``params``, or build one.

        Taking it out of the cache means a second thread calling at the same time builds its
        own, and a call that fails half-way never leaves a half-run simulation behind.
        """
        with self._lock:
            sim = self._sims.pop(params, None)
        if sim is None:
            # Random seed 0 only draws a throw-away network: every call loads its own state.
            sim = Simulation(params, seed=0)
        return sim

    def _give_back(self, params: Params, sim: Simulation) -> None:
        with self._lock:
            self._sims[params] = sim
            while len(self._sims) > self.cache_size:
                self._sims.popitem(last=False)

    def _run(self, inputs: Any, phase: Any, state: Any, timesteps: Any, noise: Any,
             freeze: Any, callbacks: Any, hyperparameters: dict[str, Any]
             ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        phase = _check_phase(phase)
        frozen = _check_names("freeze", freeze, tuple(FREEZE_NAMES))
        wanted = _check_names("callbacks", callbacks, CALLBACKS)
        noise = _check_noise(noise)
        hp = _hyperparameters(hyperparameters)
        arrays: dict[str, np.ndarray] | None = None
        if state is None:
            ne, ni = hp["ne"], int(0.2 * hp["ne"])
        else:
            sizes = _peek_sizes(state)
            if sizes is None:
                arrays, ne, ni = _check_state(state)
            else:
                ne, ni = sizes
            if "ne" in hyperparameters and hyperparameters["ne"] != ne:
                # sorn 0.7.4's own README passes ne=100 with a 200-unit state; honour the state.
                warnings.warn(f"hyperparameter 'ne' = {hyperparameters['ne']} differs from the "
                              f"{ne} excitatory units of 'state'; the state's size is used",
                              UserWarning, stacklevel=3)
        _check_sizes(hp, ne, from_state=state is not None)
        u = _as_inputs(inputs)
        steps = _check_timesteps(timesteps, u)
        if u is not None and (u.shape[0] != hp["nu"] or u.shape[1] < steps):
            raise ValueError(f"argument 'inputs' has shape {u.shape}; expected (nu, timesteps) "
                             f"= ({hp['nu']}, {steps}) (extra columns are ignored)")
        params = _params(hp, ne, ni, phase, noise, frozen, fresh=state is None)
        raw = u[:, :steps] if u is not None else np.zeros((hp["nu"], steps))

        sim = self._take(params)
        # On any error the simulation is dropped (not given back): it may be half-way.
        if state is None:
            rng = _call_rng()         # draws the network, then the run
            net = init_state(params, rng)
            net.h_ip[:] = _h_ip(hp, ne)
            sim.load_state(net)
            _log.info("Network initialized: connections Wee %d, Wei %d, Wie %d",
                      sim.n_ee, sim.n_ei, int(np.count_nonzero(sim.state.w_ie)))
        elif arrays is None and _state_matches(sim, state):
            rng = _call_rng()         # continue the very network the last call returned
        else:
            if arrays is None:
                arrays, _, _ = _check_state(state)
            # load_state validates, copies and rebuilds the engine's synapse lists.
            sim.load_state(_to_engine(arrays, _h_ip(hp, ne)))
            rng = _call_rng()
        sim.rng = rng
        result = _simulate(sim, raw, steps, wanted)
        self._give_back(params, sim)
        return result


def _available_bytes() -> int | None:
    """Memory the system can still give (Linux ``MemAvailable``); None when unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _check_memory(shapes: dict[str, tuple[int, ...]]) -> None:
    """Refuse per-step matrix callbacks that cannot fit, before simulating anything.

    ``np.empty`` of a too-large array may succeed on Linux (memory is committed lazily) and
    the process is then killed half-way through the run; a clear error up front is kinder.
    """
    need = sum(8 * math.prod(shape) for shape in shapes.values())
    available = _available_bytes() if need > 2**28 else None
    if available is not None and need > available:
        names = ", ".join(map(repr, shapes))
        steps = next(iter(shapes.values()))[0]
        raise MemoryError(f"callbacks {names} keep one matrix per step: {steps} steps need "
                          f"{need / 1e9:.1f} GB but about {available / 1e9:.1f} GB is "
                          "available; run fewer steps per call or leave them out")


def _h_ip(hp: dict[str, Any], ne: int) -> float:
    """sorn 0.7.4's IP target rate, the same for every excitatory unit: 2 nu / ne."""
    return 2.0 * hp["nu"] / ne


@functools.lru_cache(maxsize=16)
def _recording_spec(window: int, drive: bool, t_e_full: bool) -> RecordingSpec:
    return RecordingSpec(window=window, drive=drive, t_e_full=t_e_full)


def _simulate(sim: Simulation, raw: np.ndarray, steps: int, wanted: list[str]
              ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run ``steps`` steps of ``sim`` on ``raw`` input; collect sorn 0.7.4's outputs."""
    ne, ni = sim.params.ne, sim.params.ni
    recorded = _RECORDED.intersection(wanted)
    # Keep the last two steps (for X[:, 0]) unless callbacks need every step.
    spec = _recording_spec(steps if recorded else 2, "RecurrentActivation" in wanted,
                           "TE" in wanted)
    if sim.recording != spec:
        sim.set_recording(spec)
    sim.feed_input(raw)

    x0, y0 = sim.state.x.copy(), sim.state.y.copy()
    n_ee0 = sim.n_ee if "EEConnectionCounts" in wanted else 0
    n_ei0 = sim.n_ei if "EIConnectionCounts" in wanted else 0
    shapes = {name: (steps, *shape) for name, shape in (("WEE", (ne, ne)), ("WEI", (ni, ne)))
              if name in wanted}
    _check_memory(shapes)
    per_step = {name: np.empty(shape) for name, shape in shapes.items()}
    if per_step:
        for t in range(steps):
            sim.step(1)
            if "WEE" in per_step:
                per_step["WEE"][t] = sim.state.w_ee.T
            if "WEI" in per_step:
                per_step["WEI"][t] = sim.state.w_ei.T
    else:
        sim.step(steps)

    rec = sim.recorder
    if steps >= 2:
        x_prev, y_prev = rec.spikes_e(last=2)[0], rec.spikes_i(last=2)[0]
    else:
        x_prev, y_prev = x0, y0
    state_dict = _to_legacy(sim, x_prev, y_prev)
    sim_dict: dict[str, np.ndarray] = {}
    for name in wanted:
        if name == "ExcitatoryActivation":
            value = rec.spikes_e(last=steps).astype(float)
        elif name == "InhibitoryActivation":
            value = rec.spikes_i(last=steps).astype(float)
        elif name == "RecurrentActivation":
            value = rec.drive_e(last=steps).astype(float)[:, :, None]
        elif name == "EEConnectionCounts":
            # sorn 0.7.4 counts the synapses a step starts with (before its plasticity).
            value = np.concatenate([[n_ee0], rec.n_ee(last=steps)[:-1]]).astype(np.int64)
        elif name == "EIConnectionCounts":
            value = np.concatenate([[n_ei0], rec.n_ei(last=steps)[:-1]]).astype(np.int64)
        elif name == "TE":
            value = rec.t_e(last=steps)[:, :, None]
        elif name == "TI":
            # T^I and W^IE never change: one read-only array viewed at every step, so memory
            # does not grow with the number of steps.
            value = np.broadcast_to(state_dict["Ti"].copy(), (steps, ni, 1))
        elif name == "WIE":
            value = np.broadcast_to(state_dict["Wie"].copy(), (steps, ne, ni))
        else:
            value = per_step[name]
        sim_dict[name] = value
    return state_dict, sim_dict


class LegacySimulator(_LegacyRunner):
    """sorn 0.7.4's ``Simulator``: run a fresh or given network, plasticity on by default."""

    def run(self, inputs: Any = None, phase: str = "plasticity", state: Mapping | None = None,
            timesteps: int | None = None, noise: bool = True, freeze: Sequence[str] | None = None,
            callbacks: Sequence[str] = (), **hyperparameters: Any
            ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Simulate a SORN (the ``sorn`` 0.7.4 ``Simulator.run``).

        Parameters
        ----------
        inputs : array_like, optional
            External input, shape (nu, T) with T >= ``timesteps``; column t is added to
            excitatory units 0..nu-1 at step t. ``None`` means no input.
        phase : {"plasticity", "training"}
            ``"training"`` freezes every plasticity mechanism (weights and thresholds stay
            exactly as they are); ``"plasticity"`` applies all except those in ``freeze``.
        state : dict, optional
            A ``state_dict`` returned by an earlier call (or built in the same shapes) to
            continue from; ``None`` draws a fresh network from the hyperparameters.
        timesteps : int, optional
            Steps to simulate; defaults to the number of input columns.
        noise : bool
            Add Gaussian noise of standard deviation 0.04 to every unit's drive.
        freeze : list of str, optional
            Mechanisms to switch off: ``"stdp"``, ``"ip"``, ``"sp"``, ``"istdp"``, ``"ss"``.
        callbacks : list of str
            Per-step values to return, any of :data:`CALLBACKS`.
        **hyperparameters
            Any of :data:`LEGACY_DEFAULTS`; unknown names raise ``ValueError``. With a ``state``
            the state's size wins over ``ne`` (a differing ``ne`` warns), and the
            connectivity hyperparameters have no effect.

        Returns
        -------
        state_dict : dict
            ``Wee`` (ne, ne), ``Wei`` (ni, ne), ``Wie`` (ne, ni), all pre x post; ``Te``
            (ne, 1), ``Ti`` (ni, 1); ``X`` (ne, 2), ``Y`` (ni, 2) with columns [t-1, t].
            Fresh arrays: modifying them never affects the simulator.
        sim_dict : dict
            One time-first numpy array per requested callback, ``sim_dict[name][t]`` being
            the value at step t: activations (ne,) / (ni,) / (ne, 1) of 0.0 and 1.0,
            connection counts at the start of each step (ints), ``TE`` (ne, 1), ``TI``
            (ni, 1), ``WEE`` (ne, ne), ``WEI`` (ni, ne), ``WIE`` (ne, ni). ``TI`` and ``WIE``
            never change and are read-only views of one array.

        Raises
        ------
        ValueError, TypeError
            For any invalid argument; the message names it.

        Notes
        -----
        Each call draws its random seed from ``np.random``: call ``np.random.seed(k)`` first
        to make a script's results repeat exactly.
        """
        return self._run(inputs, phase, state, timesteps, noise, freeze, callbacks,
                         hyperparameters)


class LegacyTrainer(_LegacyRunner):
    """sorn 0.7.4's ``Trainer``: like ``Simulator`` but frozen (``phase="training"``) by default."""

    def run(self, inputs: Any = None, phase: str = "training", state: Mapping | None = None,
            timesteps: int | None = None, noise: bool = True, freeze: Sequence[str] | None = None,
            callbacks: Sequence[str] = (), **hyperparameters: Any
            ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Run a trained (or fresh) SORN (the ``sorn`` 0.7.4 ``Trainer.run``).

        Identical to :meth:`LegacySimulator.run` except that ``phase`` defaults to
        ``"training"``, which freezes all plasticity. Cheap to call with ``timesteps=1`` in a
        loop, feeding back the returned ``state_dict`` (sorn 0.7.4's reinforcement-learning use).

        Parameters
        ----------
        inputs, phase, state, timesteps, noise, freeze, callbacks, **hyperparameters
            As for :meth:`LegacySimulator.run`.

        Returns
        -------
        state_dict, sim_dict : dict
            As for :meth:`LegacySimulator.run`.
        """
        return self._run(inputs, phase, state, timesteps, noise, freeze, callbacks,
                         hyperparameters)


#: Drop-in for ``from sorn import Simulator``.
Simulator = LegacySimulator()
#: Drop-in for ``from sorn import Trainer``.
Trainer = LegacyTrainer()
