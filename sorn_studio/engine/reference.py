"""The SORN step in plain numpy, written to read like the equations of model.md §2.

This is the specification the compiled kernel (:mod:`sorn_studio.engine.kernels`) is tested
against, spike for spike. It works on dense matrices and costs O(N^2) per step, so it is for
checking and teaching, not for long runs. Both versions consume the same uniform draws per
step (see :mod:`sorn_studio.engine.draws`). Given accumulators, it measures the same
per-rule attribution as the kernel (:mod:`sorn_studio.engine.attribution`): each operation
adds (value after it) - (value before) to its part.
"""

from __future__ import annotations

import math

import numpy as np

from ..params import Params
from .attribution import Accumulators
from .kernels import (
    EE_CAP,
    EE_GROWTH,
    EE_LTD,
    EE_LTP,
    EE_PRUNE,
    EE_SN,
    EI_CLAMP,
    EI_ISTDP,
    EI_SN,
    TE_CLIP,
    TE_IP,
)
from .network import NetworkState

__all__ = ["StepInput", "reference_step"]


class StepInput:
    """What one step needs from outside the network.

    Parameters
    ----------
    u : numpy.ndarray
        (ne,) external input u(t).
    noise : numpy.ndarray
        (ne + ni,) noise xi(t), already scaled by its standard deviation.
    sp_draws : numpy.ndarray
        Structural-plasticity draws: the gate, then one per possible new synapse (may be empty).
    """

    def __init__(self, u: np.ndarray, noise: np.ndarray, sp_draws: np.ndarray) -> None:
        self.u, self.noise, self.sp_draws = u, noise, sp_draws


def _fires(v: np.ndarray, rule: str) -> np.ndarray:
    return v >= 0.0 if rule == ">=" else v > 0.0


def reference_step(s: NetworkState, p: Params, inp: StepInput,
                   acc: Accumulators | None = None,
                   renorm_all: bool = False) -> dict[str, np.ndarray]:
    """Advance ``s`` by one step in place, in the order of model.md §2.

    Parameters
    ----------
    s : NetworkState
        The state, changed in place.
    p : Params
        The parameters in force.
    inp : StepInput
        Input, noise and structural-plasticity draws of the step.
    acc : Accumulators, optional
        When given, each rule's changes are added to its part.
    renorm_all : bool
        Normalise every W^EI row, not only those iSTDP changed (the kernel's first step
        after a fresh or loaded state, or after SN was switched back on).

    Returns
    -------
    dict
        ``drive``: the recurrent-drive activation H(R + xi - T^E) (without u), for recording.
    """
    ne = p.ne
    x, y = s.x.astype(float), s.y.astype(float)
    xi_e, xi_i = inp.noise[:ne], inp.noise[ne:]

    # 1. x(t+1) = H(W^EE x - W^EI y + u + xi - T^E); R is the same without u
    recurrent = s.w_ee @ x - s.w_ei @ y
    drive_activation = _fires(recurrent + xi_e - s.t_e, p.firing_rule)
    x_new = _fires(recurrent + inp.u + xi_e - s.t_e, p.firing_rule).astype(float)

    # 2. y(t+1) = H(W^IE x' + xi - T^I), x' = x(t+1) with fast inhibition, else x(t)
    x_seen = x_new if p.fast_inhibition else x
    y_new = _fires(s.w_ie @ x_seen + xi_i - s.t_i, p.firing_rule).astype(float)

    # 3. IP: T^E += eta_IP (x(t+1) - H^IP)
    if p.ip:
        stepped = s.t_e + p.eta_ip * (x_new - s.h_ip)
        t_e = np.clip(stepped, p.t_e_min, p.t_e_max) if p.clip_t_e else stepped
        if acc is not None:
            acc.te[TE_IP] += stepped - s.t_e
            acc.te[TE_CLIP] += t_e - stepped
        s.t_e[:] = t_e

    # 4. STDP on existing synapses: dW_ij = eta (x_i(t+1) x_j(t) - x_i(t) x_j(t+1))
    changed_ee = np.zeros_like(s.w_ee, dtype=bool)
    if p.stdp:
        exists = s.w_ee > 0
        dw = p.eta_stdp * (np.outer(x_new, x) - np.outer(x, x_new)) * exists
        changed_ee = dw != 0
        stepped = s.w_ee + dw
        pruned = changed_ee & ((stepped <= 0) | (stepped < p.ee_prune_below))
        w = stepped.copy()
        w[pruned] = 0.0
        w[changed_ee] = np.minimum(w[changed_ee], p.w_max)
        if acc is not None:
            kept = changed_ee & ~pruned
            for part, sign in ((EE_LTP, dw > 0), (EE_LTD, dw < 0)):
                acc.ee[part][kept & sign] += (stepped - s.w_ee)[kept & sign]
            acc.ee[EE_CAP][kept] += (w - stepped)[kept]
            acc.ee[EE_PRUNE][pruned] -= s.w_ee[pruned]
        s.w_ee[:] = w

    # 5. SP: new synapses (weight w_sp_init) at random free ordered pairs i != j
    if p.sp and inp.sp_draws.size:
        rate = p.p_sp_effective
        count = math.floor(rate) + (1 if inp.sp_draws[0] < rate - math.floor(rate) else 0)
        for c in range(count):
            free = (s.w_ee == 0) & ~np.eye(ne, dtype=bool)
            candidates = np.flatnonzero(free)      # row-major: post i, then pre j
            if candidates.size == 0:
                break
            k = min(int(inp.sp_draws[1 + c] * candidates.size), candidates.size - 1)
            i, j = divmod(int(candidates[k]), ne)
            s.w_ee[i, j] = p.w_sp_init
            changed_ee[i, j] = True
            if acc is not None:
                acc.ee[EE_GROWTH, i, j] += p.w_sp_init

    # 6. iSTDP: dW^EI_ik = -eta_inh y_k(t) (1 - x_i(t+1) (1 + 1/mu_IP)), floor and cap
    changed_ei = np.zeros(s.w_ei.shape[0], dtype=bool)
    if p.istdp:
        touched = (s.w_ei > 0) & (y[None, :] > 0)
        changed_ei = touched.any(axis=1)
        dw = -p.eta_inh * np.outer(1.0 - x_new * (1.0 + 1.0 / p.mu_ip), y)
        stepped = s.w_ei[touched] + dw[touched]
        if p.ei_floor == "reset":
            clamped = np.minimum(np.where(stepped <= 0, p.w_ei_min, stepped), p.w_max)
        else:
            clamped = np.clip(stepped, p.w_ei_min, p.w_max)
        if acc is not None:
            acc.ei[EI_ISTDP][touched] += stepped - s.w_ei[touched]
            acc.ei[EI_CLAMP][touched] += clamped - stepped
        s.w_ei[touched] = clamped

    # 7. SN: each row of W^EE and W^EI sums to 1; an empty row stays empty. W^EI as the kernel
    # does it, bit for bit: only the rows iSTDP changed, each summed from its first input to
    # its last. Under ei_floor "reset" whether a weight lands at or just above 0 decides
    # whether it is reset, so the last bit of a row's sum can change the run.
    if p.sn:
        rows_ei = (changed_ei | renorm_all)[:, None]
        for w, part, sums in (
                (s.w_ee, None if acc is None else acc.ee[EE_SN], s.w_ee.sum(axis=1, keepdims=True)),
                (s.w_ei, None if acc is None else acc.ei[EI_SN],
                 np.where(rows_ei, np.add.accumulate(s.w_ei, axis=1)[:, -1:], 0.0))):
            normalised = np.divide(w, sums, out=w.copy(), where=sums > 0)
            if part is not None:
                part += normalised - w
            w[:] = normalised

    s.x[:] = x_new > 0
    s.y[:] = y_new > 0
    return {"drive": drive_activation}
