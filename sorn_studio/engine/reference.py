"""The SORN step in plain numpy, written to read like the equations of model.md §2.

This is the specification the compiled kernel (:mod:`sorn_studio.engine.kernels`) is tested
against, spike for spike. It works on dense matrices and costs O(N^2) per step, so it is for
checking and teaching, not for long runs. Both versions consume the same uniform draws per
step (see :mod:`sorn_studio.engine.draws`).
"""

from __future__ import annotations

import math

import numpy as np

from ..params import Params
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


def reference_step(s: NetworkState, p: Params, inp: StepInput) -> dict[str, np.ndarray]:
    """Advance ``s`` by one step in place, in the order of model.md §2.

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
        s.t_e += p.eta_ip * (x_new - s.h_ip)
        if p.clip_t_e:
            np.clip(s.t_e, p.t_e_min, p.t_e_max, out=s.t_e)

    # 4. STDP on existing synapses: dW_ij = eta (x_i(t+1) x_j(t) - x_i(t) x_j(t+1))
    changed_ee = np.zeros_like(s.w_ee, dtype=bool)
    if p.stdp:
        exists = s.w_ee > 0
        dw = p.eta_stdp * (np.outer(x_new, x) - np.outer(x, x_new)) * exists
        changed_ee = dw != 0
        w = s.w_ee + dw
        w[changed_ee & (w <= 0)] = 0.0          # pruned
        w[changed_ee] = np.minimum(w[changed_ee], p.w_max)
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

    # 6. iSTDP: dW^EI_ik = -eta_inh y_k(t) (1 - x_i(t+1) (1 + 1/mu_IP)), floor and cap
    if p.istdp:
        touched = (s.w_ei > 0) & (y[None, :] > 0)
        dw = -p.eta_inh * np.outer(1.0 - x_new * (1.0 + 1.0 / p.mu_ip), y)
        s.w_ei[touched] = np.clip(s.w_ei[touched] + dw[touched], p.w_ei_min, p.w_max)

    # 7. SN: each row of W^EE and W^EI sums to 1; an empty row stays empty
    if p.sn:
        for w in (s.w_ee, s.w_ei):
            sums = w.sum(axis=1, keepdims=True)
            np.divide(w, sums, out=w, where=sums > 0)

    s.x[:] = x_new > 0
    s.y[:] = y_new > 0
    return {"drive": drive_activation}
