"""The network state of one SORN and how it is initialised (model.md §1 and §3).

Glossary (paper symbol -> name here):

=========  ===========  ==========================================================
symbol     name         shape / meaning
=========  ===========  ==========================================================
x(t)       ``x``        (ne,) bool, excitatory activity
y(t)       ``y``        (ni,) bool, inhibitory activity
T^E, T^I   ``t_e``      (ne,) / ``t_i`` (ni,) thresholds
H^IP       ``h_ip``     (ne,) intrinsic-plasticity target rates
W^EE       ``w_ee``     (ne, ne) E->E weights, rows post, columns pre, zero diagonal
W^EI       ``w_ei``     (ne, ni) I->E weights (inhibition onto E), plastic under iSTDP
W^IE       ``w_ie``     (ni, ne) E->I weights, fixed
=========  ===========  ==========================================================

A synapse exists where its weight is > 0: pruning sets a weight to exactly 0 and every other
weight stays positive, so the weight matrices are also the connection masks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri

from ..params import Params
from ..recording import resolve_shape
from .snapshot import STATE_FIELDS, SnapshotError

__all__ = ["NetworkState", "init_state", "connection_mask", "row_normalise",
           "check_network_arrays", "STATE_SHAPES", "state_shapes", "is_real_dtype",
           "value_problem", "unusual_values", "unnormalised_rows"]

# Per-neuron IP targets are rates, so they must stay strictly inside (0, 1).
_RATE_EPS = 1e-6


@dataclass
class NetworkState:
    """All dynamic variables of a SORN at one time step (see the module glossary)."""

    x: np.ndarray
    y: np.ndarray
    t_e: np.ndarray
    t_i: np.ndarray
    h_ip: np.ndarray
    w_ee: np.ndarray
    w_ei: np.ndarray
    w_ie: np.ndarray

    def copy(self) -> NetworkState:
        """Deep copy (every array copied)."""
        return NetworkState(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays by name, not copied."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def equals(self, other: NetworkState) -> bool:
        """True when every array is identical, element for element."""
        return all(np.array_equal(a, b) for a, b in zip(self.arrays().values(),
                                                        other.arrays().values(), strict=True))


#: Shape of every network array in symbols (see :func:`sorn_studio.recording.resolve_shape`).
STATE_SHAPES: dict[str, tuple[str, ...]] = {
    "x": ("ne",), "y": ("ni",), "t_e": ("ne",), "t_i": ("ni",), "h_ip": ("ne",),
    "w_ee": ("ne", "ne"), "w_ei": ("ne", "ni"), "w_ie": ("ni", "ne"),
}


def state_shapes(params: Params) -> dict[str, tuple[int, ...]]:
    """Shape of every network array (:data:`~sorn_studio.engine.snapshot.STATE_FIELDS`)."""
    dims = {"ne": params.ne, "ni": params.ni}
    return {name: resolve_shape(shape, dims) for name, shape in STATE_SHAPES.items()}


def is_real_dtype(dtype: np.dtype) -> bool:
    """Whether arrays of ``dtype`` hold real numbers (bool, integers or floats)."""
    return dtype.kind == "b" or (np.issubdtype(dtype, np.number)
                             and not np.issubdtype(dtype, np.complexfloating))


def value_problem(arr: np.ndarray, weights: bool) -> str | None:
    """What is wrong with the values of a float network array, or None.

    Every array must be finite; weight matrices must not be negative (a synapse exists where
    its weight is > 0, an absent one is exactly 0).
    """
    if not np.isfinite(arr).all():
        return "holds NaN or inf"
    if weights and (arr < 0).any():
        return "holds negative weights"
    return None


def check_network_arrays(arrays: Mapping[str, ArrayLike], params: Params,
                         prefix: str) -> dict[str, np.ndarray]:
    """Validated copies of the network arrays (shape, finite values, weights, no self-loops).

    Parameters
    ----------
    arrays : mapping of str to array_like
        One array per name of :data:`~sorn_studio.engine.snapshot.STATE_FIELDS`.
    params : Params
        The network they belong to (gives the shapes).
    prefix : str
        The snapshot part they are (``"state"`` or ``"initial"``): errors name ``w_ee`` as
        ``"state/w_ee"``.

    Returns
    -------
    dict of str to numpy.ndarray
        Fresh arrays: ``x``, ``y`` bool, the others float64.

    Raises
    ------
    SnapshotError
        (a ``ValueError``) naming the array: missing, wrong shape, NaN or inf, a negative
        weight, or a self-connection in W^EE.
    """
    def fail(name: str, problem: str) -> SnapshotError:
        return SnapshotError(f"{prefix}/{name}", problem)

    clean: dict[str, np.ndarray] = {}
    for name, shape in state_shapes(params).items():
        if name not in arrays:
            raise fail(name, "is missing")
        arr = np.asarray(arrays[name])
        if arr.shape != shape:
            raise fail(name, f"has shape {arr.shape}; expected {shape}")
        if name in ("x", "y"):
            clean[name] = arr.astype(bool)
            continue
        if not is_real_dtype(arr.dtype):
            raise fail(name, f"must hold real numbers, found dtype {arr.dtype}")
        arr = np.array(arr, dtype=float)
        problem = value_problem(arr, weights=name.startswith("w_"))
        if problem:
            raise fail(name, problem)
        clean[name] = arr
    if np.diagonal(clean["w_ee"]).any():
        raise fail("w_ee", "has self-connections (non-zero diagonal)")
    return {name: clean[name] for name in STATE_FIELDS}


def unnormalised_rows(w: np.ndarray) -> np.ndarray:
    """Rows with synapses whose weights do not sum to 1 (to 1e-9), as a boolean mask."""
    sums = w.sum(axis=1)
    return (sums > 0) & (np.abs(sums - 1.0) > 1e-9)


def unusual_values(state: NetworkState, params: Params, prefix: str) -> list[str]:
    """What in a valid state the engine would never have produced itself (a hand edit, say).

    Returns
    -------
    list of str
        One sentence per finding, naming the array as ``prefix/name``: weights above the cap,
        rows of W^EE or W^EI that do not sum to 1 under synaptic normalisation, IP targets
        that are not rates, thresholds outside their bounds when T^E is clipped. Empty for
        anything the engine makes.
    """
    found = []
    for name in ("w_ee", "w_ei"):
        w = getattr(state, name)
        # Under synaptic normalisation the engine normalises after the cap, so weights above
        # w_max are its own doing there; without it they are not.
        if not params.sn and (w > params.w_max).any():
            found.append(f"'{prefix}/{name}' has weights above w_max = {params.w_max:g}")
        if params.sn and unnormalised_rows(w).any():
            found.append(f"'{prefix}/{name}' has {int(unnormalised_rows(w).sum())} rows that "
                         "do not sum to 1 under synaptic normalisation (they are normalised "
                         "at the next step)")
    if ((state.h_ip <= 0) | (state.h_ip >= 1)).any():
        found.append(f"'{prefix}/h_ip' has IP target rates outside (0, 1)")
    if params.clip_t_e and ((state.t_e < params.t_e_min) | (state.t_e > params.t_e_max)).any():
        found.append(f"'{prefix}/t_e' has thresholds outside [t_e_min, t_e_max] = "
                     f"[{params.t_e_min:g}, {params.t_e_max:g}]")
    return found


def connection_mask(rng: np.random.Generator, n_post: int, n_pre: int, mode: str, lam: float,
                    no_self: bool) -> np.ndarray:
    """Draw a (n_post, n_pre) boolean connection mask.

    Parameters
    ----------
    rng : numpy.random.Generator
        The simulation's generator.
    n_post, n_pre : int
        Matrix shape (rows are postsynaptic).
    mode : {"fixed", "gaussian", "probability"}
        Exactly ``round(lam)`` inputs per row; ``int(N(lam, 1))`` inputs per row (sorn 0.7.4);
        or each candidate synapse independently with ``p = lam / candidates``.
    lam : float
        Mean in-degree.
    no_self : bool
        Exclude the diagonal (E->E has no self-connections).
    """
    candidates = n_pre - 1 if no_self else n_pre
    keys = rng.random((n_post, n_pre))
    if no_self:
        # A key above every uniform draw keeps the diagonal last in the ranking and out of
        # the probability test.
        np.fill_diagonal(keys, 2.0)
    if mode == "probability":
        p = lam / candidates if candidates else 0.0
        return keys < p
    if mode == "fixed":
        k = np.full(n_post, int(round(lam)))
    else:
        k = ndtri(rng.random(n_post)) + lam
        k = np.clip(k.astype(np.int64), 0, candidates)
    ranks = np.argsort(np.argsort(keys, axis=1, kind="stable"), axis=1, kind="stable")
    return ranks < k[:, None]


def row_normalise(w: np.ndarray) -> np.ndarray:
    """Divide each row by its sum in place; an all-zero row stays zero (never NaN)."""
    sums = w.sum(axis=1)
    nonzero = sums > 0
    w[nonzero] /= sums[nonzero, None]
    return w


def _weights(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    w = rng.random(mask.shape)
    w[~mask] = 0.0
    # A uniform draw of exactly 0 would read as "no synapse": use the smallest positive float.
    w[mask & (w == 0.0)] = np.finfo(float).tiny
    return row_normalise(w)


def ip_targets(rng: np.random.Generator, params: Params) -> np.ndarray:
    """Draw the per-neuron IP target rates H^IP for ``params.ip_target``."""
    ne, mu = params.ne, params.mu_ip
    if params.ip_target == "normal":
        h = mu + params.sigma_ip * ndtri(rng.random(ne))
    elif params.ip_target == "uniform":
        h = rng.uniform(mu - params.ip_halfwidth, mu + params.ip_halfwidth, ne)
    else:
        h = np.full(ne, mu)
    return np.clip(h, _RATE_EPS, 1.0 - _RATE_EPS)


def init_state(params: Params, rng: np.random.Generator) -> NetworkState:
    """Build the initial network of model.md §3 from ``params`` with ``rng``.

    Weights are drawn U(0, 1) on a random connection mask and row-normalised; thresholds are
    uniform in their initial ranges; x(0) ~ Bernoulli(H^IP) (an all-zero start without noise or
    input is an absorbing silent state); y(0) = 0.
    """
    p = params
    w_ee = _weights(rng, connection_mask(rng, p.ne, p.ne, p.ee_connectivity, p.lambda_ee, True))
    w_ei = _weights(rng, connection_mask(rng, p.ne, p.ni, p.ei_connectivity, p.lambda_ei, False))
    w_ie = _weights(rng, connection_mask(rng, p.ni, p.ne, p.ie_connectivity, p.lambda_ie, False))
    t_e = rng.uniform(p.t_e_min, p.t_e_max, p.ne)
    t_i = rng.uniform(p.t_i_min, p.t_i_max, p.ni)
    h_ip = ip_targets(rng, p)
    x = rng.random(p.ne) < h_ip
    y = np.zeros(p.ni, dtype=bool)
    return NetworkState(x=x, y=y, t_e=t_e, t_i=t_i, h_ip=h_ip, w_ee=w_ee, w_ei=w_ei, w_ie=w_ie)
