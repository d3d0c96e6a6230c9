"""Conversion between sorn 0.7.4's layout and the engine's.

sorn 0.7.4's hyperparameters become engine :class:`~sorn_studio.params.Params`; its
``state_dict`` (weights pre x post, thresholds (n, 1), activity (n, 2) with columns [t-1, t])
becomes an engine :class:`~sorn_studio.engine.NetworkState` (post x pre) and back.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import NetworkState
from ..params import Params
from ..presets import load_preset
from .arguments import FREEZE_NAMES

if TYPE_CHECKING:
    from ..engine import Simulation

_PRESET = "sorn-0.7.4"


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


def _h_ip(hp: dict[str, Any], ne: int) -> float:
    """sorn 0.7.4's IP target rate, the same for every excitatory unit: 2 nu / ne."""
    return 2.0 * hp["nu"] / ne


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


def _binary(a: np.ndarray) -> bool:
    return bool(((a == 0) | (a == 1)).all())


def _state_matches(sim: Simulation, state: Mapping[str, Any]) -> bool:
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
