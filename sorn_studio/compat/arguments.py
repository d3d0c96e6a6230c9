"""Checks of the arguments of ``Simulator.run`` / ``Trainer.run`` and of a ``state_dict``.

The names sorn 0.7.4 accepts (hyperparameters and their defaults, ``freeze`` names, callbacks,
phases, ``state_dict`` keys) live here too, because they are what the checks check against.
Every check raises ``ValueError`` or ``TypeError`` naming the argument or key, before anything
runs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from ..engine.inputs import check_raw_input
from ..engine.network import is_real_dtype, value_problem

__all__ = ["LEGACY_DEFAULTS", "CALLBACKS", "FREEZE_NAMES", "PHASES", "STATE_KEYS"]

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
# Params allows up to 5000 excitatory units; ni = int(0.2 ne) needs ne >= 5 to be >= 1.
_NE_MIN, _NE_MAX = 5, 5000


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
    """``inputs`` as a 2-D float array (its shape is checked by :func:`_check_input_shape`)."""
    if inputs is None:
        return None
    try:
        arr = np.asarray(inputs)
    except ValueError as exc:   # ragged nested lists
        raise ValueError(f"argument 'inputs' is not a rectangular array: {exc}") from None
    if is_real_dtype(arr.dtype) and arr.ndim != 2:
        raise ValueError(f"argument 'inputs' has shape {arr.shape}; expected (nu, timesteps), "
                         "e.g. (10, 1) for one step of 10 input units")
    # The engine's own check of raw input: real numbers, every value finite.
    return check_raw_input(arr, arr.shape[0] if arr.ndim == 2 else 0)


def _check_input_shape(inputs: np.ndarray | None, nu: int, steps: int) -> None:
    """``inputs`` (from :func:`_as_inputs`) must have ``nu`` rows and at least ``steps`` columns."""
    if inputs is not None and (inputs.shape[0] != nu or inputs.shape[1] < steps):
        raise ValueError(f"argument 'inputs' has shape {inputs.shape}; expected (nu, timesteps) "
                         f"= ({nu}, {steps}) (extra columns are ignored)")


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
        if not is_real_dtype(arr.dtype):
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
        # The same value checks as the engine's (finite, no negative weights).
        problem = value_problem(arr, weights=key.startswith("W"))
        if problem:
            raise ValueError(f"state {key!r} {problem}")
        if key in ("X", "Y") and not np.isin(arr, (0.0, 1.0)).all():
            raise ValueError(f"state {key!r} must hold only 0 and 1 (unit silent or active)")
        clean[key] = arr
    if np.diagonal(clean["Wee"]).any():
        raise ValueError("state 'Wee' has self-connections (non-zero diagonal)")
    return clean, ne, ni


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
