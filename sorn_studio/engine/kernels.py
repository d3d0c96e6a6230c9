"""Compiled SORN kernels: many time steps per call, cost proportional to synapses and spikes.

``run_chunk`` advances the network by ``n`` steps with the update order of model.md §2. It
keeps the dense weight matrices (the public state) and, beside them, adjacency lists of the
existing synapses so that every rule touches only what the equations make non-zero:

* the drive sums the outgoing synapses of the units that spiked at t (not a dense mat-vec),
* STDP visits the incoming synapses of units active at t or t+1,
* iSTDP visits the outgoing synapses of inhibitory units active at t,
* normalisation rescales only the rows that changed (every other row already sums to 1).

When asked, the kernel also measures what each rule did (attribution, see
:mod:`sorn_studio.engine.attribution`): the change every operation makes to a weight or a
threshold is added, as it happens, to that operation's float64 accumulator. The accumulators
are passed as ``None`` when nobody asked; numba prunes every ``is not None`` branch of a
``None`` argument before compiling, so that version is the kernel without the feature.

All kernels are compiled with ``nogil=True`` so a GUI thread keeps running beside them. The
plain numpy version of the same step, written to read like the equations, is
:mod:`sorn_studio.engine.reference`; the tests check that both agree spike for spike.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["Adjacency", "run_chunk", "TE_STATS", "EE_PARTS", "TE_PARTS", "EI_PARTS"]

#: Columns of the per-step threshold statistics: mean, min, max of T^E.
TE_STATS = 3

# Rows of the attribution accumulators (the first axis of ``att_ee``, ``att_te``, ``att_ei``).
# They live here, not in .attribution, because numba freezes globals into the compiled (and
# cached) kernel: only a change of this file invalidates its cache.
EE_LTP, EE_LTD, EE_CAP, EE_PRUNE, EE_GROWTH, EE_SN = range(6)
TE_IP, TE_CLIP = range(2)
EI_ISTDP, EI_CLAMP, EI_SN = range(3)
#: Rows of each accumulator.
EE_PARTS, TE_PARTS, EI_PARTS = 6, 2, 3


class Adjacency:
    """Synapse lists beside the dense matrices.

    ``ee_in[i, :ee_in_n[i]]`` are the presynaptic E units of E unit i, ``ee_out[j, :ee_out_n[j]]``
    the postsynaptic E units of j. W^EI and W^IE never lose synapses, so their lists are fixed
    (``ei_out``: for each I unit, the E units it inhibits; ``ei_in``: for each E unit, its I
    inputs; ``ie_out``: for each E unit, the I units it excites).
    """

    def __init__(self, w_ee: np.ndarray, w_ei: np.ndarray, w_ie: np.ndarray) -> None:
        ne = w_ee.shape[0]
        self.ee_in = np.zeros((ne, ne), dtype=np.int32)
        self.ee_in_n = np.zeros(ne, dtype=np.int32)
        self.ee_out = np.zeros((ne, ne), dtype=np.int32)
        self.ee_out_n = np.zeros(ne, dtype=np.int32)
        _fill_lists(w_ee, self.ee_in, self.ee_in_n, self.ee_out, self.ee_out_n)
        self.ei_in, self.ei_in_n = _padded_lists(w_ei > 0)
        self.ei_out, self.ei_out_n = _padded_lists((w_ei > 0).T)
        self.ie_out, self.ie_out_n = _padded_lists((w_ie > 0).T)
        # W^IE never changes; a pre-major copy makes "add the outgoing weights of a unit that
        # spiked" read one contiguous row instead of one cache line per synapse.
        self.w_ie_by_pre = np.ascontiguousarray(w_ie.T)

    def listed(self, name: str) -> np.ndarray:
        """The E->E lists ``"ee_in"`` (presynaptic units, row by row) or ``"ee_out"``
        (postsynaptic units, column by column) in their order, one flat array.

        The kernel sums each W^EE row in the order of its list, which depends on the run's
        history (pruning moves the last entry into the freed slot, new synapses are appended),
        so this order decides the rounding of a continued run.
        """
        lists, counts = getattr(self, name), getattr(self, f"{name}_n")
        return lists[np.arange(lists.shape[1])[None, :] < counts[:, None]]

    def reorder(self, name: str, listed: np.ndarray) -> bool:
        """Put the E->E list ``name`` in the order of ``listed`` (as :meth:`listed` gives it).

        Returns False, changing nothing, when ``listed`` does not hold exactly the synapses
        the list holds, row by row.
        """
        lists, counts = getattr(self, name), getattr(self, f"{name}_n")
        listed = np.asarray(listed)
        rows = np.repeat(np.arange(lists.shape[0]), counts)
        current = self.listed(name)
        width = lists.shape[1]
        # Every unit in range first: otherwise an entry could borrow another row's key below
        # (row r, unit j + width looks like row r + 1, unit j), and the kernel would index
        # outside the matrices.
        if (listed.shape != rows.shape or listed.dtype.kind not in "iu"
                or (listed.size and (listed.min() < 0 or listed.max() >= width))
                or not np.array_equal(np.sort(rows * width + listed),
                                      np.sort(rows * width + current))):
            return False
        lists[rows, np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)] = listed
        return True


def _padded_lists(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise lists of the True columns of ``mask``, padded to the longest row."""
    counts = mask.sum(axis=1).astype(np.int32)
    lists = np.zeros((mask.shape[0], max(int(counts.max(initial=0)), 1)), dtype=np.int32)
    rows, cols = np.nonzero(mask)          # row-major, so ascending within each row
    starts = np.cumsum(counts) - counts
    lists[rows, np.arange(rows.size) - np.repeat(starts, counts)] = cols
    return lists, counts


@njit(cache=True, nogil=True)
def _fill_lists(w, ee_in, ee_in_n, ee_out, ee_out_n):  # pragma: no cover - compiled
    ne = w.shape[0]
    for i in range(ne):
        for j in range(ne):
            if w[i, j] > 0.0:
                ee_in[i, ee_in_n[i]] = j
                ee_in_n[i] += 1
                ee_out[j, ee_out_n[j]] = i
                ee_out_n[j] += 1


@njit(cache=True, nogil=True, inline="always")
def _remove(lists, counts, row, value):  # pragma: no cover - compiled
    n = counts[row]
    for p in range(n):
        if lists[row, p] == value:
            lists[row, p] = lists[row, n - 1]
            counts[row] = n - 1
            return


@njit(cache=True, nogil=True, inline="always")
def _log_event(out_events, n_events, t, i, j, kind):  # pragma: no cover - compiled
    k = n_events[0]
    if k < out_events.shape[0]:
        out_events[k, 0] = t
        out_events[k, 1] = i
        out_events[k, 2] = j
        out_events[k, 3] = kind
    n_events[0] = k + 1


@njit(cache=True, nogil=True)
def _create_synapse(k, w, ee_in, ee_in_n, ee_out, ee_out_n, w_init):  # pragma: no cover
    """Create the k-th free synapse in row-major order over all ordered pairs i != j.

    Returns its flat index ``i * ne + j``.
    """
    ne = w.shape[0]
    i = 0
    while i < ne:
        free = ne - 1 - ee_in_n[i]
        if k < free:
            break
        k -= free
        i += 1
    for j in range(ne):
        if j != i and w[i, j] == 0.0:
            if k == 0:
                w[i, j] = w_init
                ee_in[i, ee_in_n[i]] = j
                ee_in_n[i] += 1
                ee_out[j, ee_out_n[j]] = i
                ee_out_n[j] += 1
                return i * ne + j
            k -= 1
    return -1


@njit(cache=True, nogil=True)
def run_chunk(  # noqa: PLR0913 - one flat signature keeps the compiled call cheap
    n, x, y, t_e, t_i, h_ip, w_ee, w_ei,
    ee_in, ee_in_n, ee_out, ee_out_n, ei_in, ei_in_n, ei_out, ei_out_n, ie_out, ie_out_n,
    w_ie_by_pre, draws, noise_off, noise_sigma, sp_off, p_sp,
    symbols, pools, gain, raw,
    flags, renorm_all, eta_stdp, eta_ip, eta_inh, mu_ip, w_max, w_ei_min, w_sp_init,
    ee_prune_below, t_e_lo, t_e_hi,
    out_x, out_y, out_n_ee, out_n_ei, out_te_stats, te_neurons, out_te_sel, out_drive, out_te,
    out_events, n_events, att_ee, att_te, att_ei,
):  # pragma: no cover - compiled; checked against the numpy reference
    """Advance the network ``n`` steps in place and write per-step recordings.

    ``flags`` holds, in order: stdp, ip, sp, istdp, sn, fast inhibition, fire on equality
    (>=), clip T^E, record drive, record full T^E, iSTDP floor by reset (only a weight taken
    to <= 0 goes to ``w_ei_min``; otherwise every changed weight is clamped to it). STDP
    prunes a synapse it takes to <= 0 or below ``ee_prune_below`` (only the synapses it
    changes: the authors' code checks every one, which differs only for a weight that
    normalisation alone takes below the threshold). ``renorm_all`` makes the first
    normalisation cover every row (needed once after a state was loaded). ``draws`` is
    (n, k): the draws of each step, standard normals for the noise at ``noise_off`` and
    uniforms for structural plasticity at ``sp_off`` (gate, then one per possible new
    synapse). ``out_events`` (rows of step index in the chunk, post, pre, +1 created / -1
    pruned) receives the E->E synapse events in the order they happen while ``n_events[0]``
    counts them (rows beyond its length are counted, not written). ``att_ee`` (EE_PARTS, ne,
    ne), ``att_te`` (TE_PARTS, ne) and ``att_ei`` (EI_PARTS, ne, ni) receive, when they are
    arrays, each operation's change (value after it minus value before) in its row (EE_LTP,
    ...); all three are arrays or all three ``None``. Returns the number of synapses created.
    """
    ne = x.shape[0]
    ni = y.shape[0]
    do_stdp, do_ip, do_sp, do_istdp, do_sn = flags[0], flags[1], flags[2], flags[3], flags[4]
    fast, fire_eq, clip_te, rec_drive, rec_te = flags[5], flags[6], flags[7], flags[8], flags[9]
    ei_reset = flags[10]
    drive = np.zeros(ne)
    drive_i = np.zeros(ni)
    noise = np.zeros(ne + ni)
    x_new = np.zeros(ne, dtype=np.bool_)
    y_new = np.zeros(ni, dtype=np.bool_)
    dirty_ee = np.zeros(ne, dtype=np.bool_)
    dirty_ei = np.zeros(ne, dtype=np.bool_)
    ext = np.zeros(ne)
    n_ee = 0
    for i in range(ne):
        n_ee += ee_in_n[i]
    n_ei = 0
    for i in range(ne):
        n_ei += ei_in_n[i]
    pool_size = pools.shape[1]
    n_raw = raw.shape[1]
    n_sp_draws = 0
    if do_sp and p_sp > 0.0:
        n_sp_draws = int(math.floor(p_sp)) + 1
    created = 0
    if renorm_all:
        # The rows were not normalised by this kernel (fresh or loaded state): do them all once.
        dirty_ee[:] = True
        dirty_ei[:] = True
    inv_mu = 1.0 + 1.0 / mu_ip

    for t in range(n):
        # -- noise: the step's standard-normal draws, scaled
        if noise_sigma > 0.0:
            for p in range(ne + ni):
                noise[p] = noise_sigma * draws[t, noise_off + p]

        # -- 1. excitatory drive from the units that spiked at t
        drive[:] = 0.0
        for j in range(ne):
            if x[j]:
                for p in range(ee_out_n[j]):
                    i = ee_out[j, p]
                    drive[i] += w_ee[i, j]
        for k in range(ni):
            if y[k]:
                for p in range(ei_out_n[k]):
                    i = ei_out[k, p]
                    drive[i] -= w_ei[i, k]
        for i in range(ne):
            if rec_drive:
                v = drive[i] + noise[i] - t_e[i]
                out_drive[t, i] = v >= 0.0 if fire_eq else v > 0.0
            ext[i] = raw[t, i] if i < n_raw else 0.0
        if symbols[t] >= 0:
            for p in range(pool_size):
                ext[pools[symbols[t], p]] += gain
        for i in range(ne):
            v = drive[i] + ext[i] + noise[i] - t_e[i]
            x_new[i] = v >= 0.0 if fire_eq else v > 0.0

        # -- 2. inhibitory units, from x(t+1) (fast) or x(t) (paper)
        drive_i[:] = 0.0
        for j in range(ne):
            if (x_new[j] if fast else x[j]):
                for p in range(ie_out_n[j]):
                    k = ie_out[j, p]
                    drive_i[k] += w_ie_by_pre[j, k]
        for k in range(ni):
            v = drive_i[k] + noise[ne + k] - t_i[k]
            y_new[k] = v >= 0.0 if fire_eq else v > 0.0

        # -- 3. intrinsic plasticity
        if do_ip:
            for i in range(ne):
                if att_te is not None:
                    before = t_e[i]
                    v = before + eta_ip * ((1.0 if x_new[i] else 0.0) - h_ip[i])
                    att_te[TE_IP, i] += v - before
                    if clip_te:
                        clipped = min(max(v, t_e_lo), t_e_hi)
                        att_te[TE_CLIP, i] += clipped - v
                        v = clipped
                    t_e[i] = v
                else:
                    t_e[i] += eta_ip * ((1.0 if x_new[i] else 0.0) - h_ip[i])
                    if clip_te:
                        t_e[i] = min(max(t_e[i], t_e_lo), t_e_hi)

        # -- 4. STDP on existing E->E synapses of units active at t or t+1; prune and cap
        if do_stdp:
            for i in range(ne):
                if not (x[i] or x_new[i]):
                    continue
                p = 0
                while p < ee_in_n[i]:
                    j = ee_in[i, p]
                    ltp = 1.0 if (x_new[i] and x[j]) else 0.0
                    ltd = 1.0 if (x[i] and x_new[j]) else 0.0
                    d = eta_stdp * (ltp - ltd)
                    if d != 0.0:
                        dirty_ee[i] = True
                        before = w_ee[i, j]
                        w = before + d
                        if w <= 0.0 or w < ee_prune_below:
                            if att_ee is not None:
                                # The whole weight goes with the synapse: pruning's part.
                                att_ee[EE_PRUNE, i, j] -= before
                            w_ee[i, j] = 0.0
                            _remove(ee_in, ee_in_n, i, j)
                            _remove(ee_out, ee_out_n, j, i)
                            n_ee -= 1
                            _log_event(out_events, n_events, t, i, j, -1)
                            continue  # the list slot p now holds another synapse
                        capped = min(w, w_max)
                        if att_ee is not None:
                            att_ee[EE_LTP if d > 0.0 else EE_LTD, i, j] += w - before
                            att_ee[EE_CAP, i, j] += capped - w
                        w_ee[i, j] = capped
                    p += 1

        # -- 5. structural plasticity: floor(p) new synapses, one more with the remainder
        if n_sp_draws > 0:
            count = int(math.floor(p_sp))
            if draws[t, sp_off] < p_sp - math.floor(p_sp):
                count += 1
            for c in range(count):
                free = ne * (ne - 1) - n_ee
                if free <= 0:
                    break
                kth = int(draws[t, sp_off + 1 + c] * free)
                if kth >= free:
                    kth = free - 1
                flat = _create_synapse(kth, w_ee, ee_in, ee_in_n, ee_out, ee_out_n, w_sp_init)
                i = flat // ne
                _log_event(out_events, n_events, t, i, flat - i * ne, 1)
                if att_ee is not None:
                    att_ee[EE_GROWTH, i, flat - i * ne] += w_sp_init
                dirty_ee[i] = True
                n_ee += 1
                created += 1

        # -- 6. iSTDP on I->E synapses of inhibitory units active at t; floor and cap
        if do_istdp:
            for k in range(ni):
                if not y[k]:
                    continue
                for p in range(ei_out_n[k]):
                    i = ei_out[k, p]
                    d = -eta_inh * (1.0 - (inv_mu if x_new[i] else 0.0))
                    if att_ei is not None:
                        before = w_ei[i, k]
                        v = before + d
                        if ei_reset:
                            clamped = min(w_ei_min if v <= 0.0 else v, w_max)
                        else:
                            clamped = min(max(v, w_ei_min), w_max)
                        att_ei[EI_ISTDP, i, k] += v - before
                        att_ei[EI_CLAMP, i, k] += clamped - v
                        w_ei[i, k] = clamped
                    elif ei_reset:
                        v = w_ei[i, k] + d
                        w_ei[i, k] = min(w_ei_min if v <= 0.0 else v, w_max)
                    else:
                        w_ei[i, k] = min(max(w_ei[i, k] + d, w_ei_min), w_max)
                    dirty_ei[i] = True

        # -- 7. synaptic normalisation of the rows that changed (the others sum to 1 already).
        # The two row loops stay written out: an inlined shared helper measured 25-35 % slower.
        if do_sn:
            for i in range(ne):
                if dirty_ee[i]:
                    s = 0.0
                    for p in range(ee_in_n[i]):
                        s += w_ee[i, ee_in[i, p]]
                    if s > 0.0:
                        if att_ee is not None:
                            for p in range(ee_in_n[i]):
                                j = ee_in[i, p]
                                before = w_ee[i, j]
                                w_ee[i, j] = before / s
                                att_ee[EE_SN, i, j] += w_ee[i, j] - before
                        else:
                            for p in range(ee_in_n[i]):
                                w_ee[i, ee_in[i, p]] /= s
                if dirty_ei[i]:
                    s = 0.0
                    for p in range(ei_in_n[i]):
                        s += w_ei[i, ei_in[i, p]]
                    if s > 0.0:
                        if att_ei is not None:
                            for p in range(ei_in_n[i]):
                                k = ei_in[i, p]
                                before = w_ei[i, k]
                                w_ei[i, k] = before / s
                                att_ei[EI_SN, i, k] += w_ei[i, k] - before
                        else:
                            for p in range(ei_in_n[i]):
                                w_ei[i, ei_in[i, p]] /= s
        dirty_ee[:] = False
        dirty_ei[:] = False

        # -- advance and record
        te_sum = 0.0
        te_lo = np.inf
        te_hi = -np.inf
        for i in range(ne):
            x[i] = x_new[i]
            out_x[t, i] = x_new[i]
            te_sum += t_e[i]
            te_lo = min(te_lo, t_e[i])
            te_hi = max(te_hi, t_e[i])
            if rec_te:
                out_te[t, i] = t_e[i]
        for k in range(ni):
            y[k] = y_new[k]
            out_y[t, k] = y_new[k]
        out_n_ee[t] = n_ee
        out_n_ei[t] = n_ei
        out_te_stats[t, 0] = te_sum / ne
        out_te_stats[t, 1] = te_lo
        out_te_stats[t, 2] = te_hi
        for q in range(te_neurons.shape[0]):
            out_te_sel[t, q] = t_e[te_neurons[q]]
    return created
