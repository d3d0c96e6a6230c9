"""Which rule did the work: the change of W^EE, T^E and W^EI over a window, split by rule.

``Simulation.track_attribution()`` makes the engine measure, as it runs, what every operation
of a step (model.md §2) does to each weight and threshold: each time an operation changes a
value, (value after it) - (value before) is added to that operation's float64 accumulator for
that synapse or neuron. ``Simulation.take_attribution()`` returns what was gathered since
tracking began (or since the last take) as an :class:`Attribution` and starts a new window.
Nothing is reconstructed afterwards, so the parts telescope: for every synapse and neuron,

    value at ``start_step`` + sum of its parts == value at ``end_step``

up to float rounding (exactly, when every number involved is dyadic). Both backends measure
the same parts (the numpy reference, :mod:`.reference`, agrees with the compiled kernel).

Layout (``ne`` = N^E, ``ni`` = N^I; W^EE and W^EI as the engine keeps them, rows post,
columns pre):

=============== ============ ===================================================== ========
part            shape        what it holds (summed over the window's steps)        sign
=============== ============ ===================================================== ========
``ee_stdp_ltp`` (ne, ne)     STDP potentiation: +eta_STDP where post fired at t+1  >= 0
                             after pre at t (before the cap)
``ee_stdp_ltd`` (ne, ne)     STDP depression: -eta_STDP where post fired at t      <= 0
                             before pre at t+1 (not when it prunes)
``ee_cap``      (ne, ne)     the cap at w_max: min(w, w_max) - w after STDP        <= 0
``ee_prune``    (ne, ne)     pruning: when STDP would take a synapse to <= 0 it    <= 0
                             is removed, and its whole weight before that step's
                             STDP (the negative of it) is this part; STDP's own
                             parts get nothing from that step
``ee_growth``   (ne, ne)     structural growth: w_sp_init for each synapse created >= 0
``ee_sn``       (ne, ne)     synaptic normalisation: w / sum(row) - w              either
``te_ip``       (ne,)        IP: eta_IP (x(t+1) - H^IP) (before the clip)          either
``te_clip``     (ne,)        the clip of T^E to [t_e_min, t_e_max] (clip_t_e)      either
``ei_istdp``    (ne, ni)     iSTDP: -eta_inh y(t) (1 - x(t+1) (1 + 1/mu_IP))       either
                             (before the floor and cap)
``ei_clamp``    (ne, ni)     iSTDP's floor at w_ei_min and cap at w_max            either
``ei_sn``       (ne, ni)     synaptic normalisation of W^EI                        either
=============== ============ ===================================================== ========

A pair whose potentiation and depression cancel in one step (both fired at t and at t+1)
changes nothing and adds to neither STDP part. A rule that is off adds nothing: with a rule
off for the whole window its parts are exactly zero, and switching it off mid-window stops
them growing. Attribution is not part of a :class:`~.snapshot.Snapshot` (like the synapse
events): :meth:`Simulation.restore`, ``load_state``, :meth:`Simulation.reset` and
:meth:`Simulation.restart` empty the accumulators and start a new window at their step, so
that the parts always telescope from the window's start.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .kernels import (
    EE_CAP,
    EE_GROWTH,
    EE_LTD,
    EE_LTP,
    EE_PARTS,
    EE_PRUNE,
    EE_SN,
    EI_CLAMP,
    EI_ISTDP,
    EI_PARTS,
    EI_SN,
    TE_CLIP,
    TE_IP,
    TE_PARTS,
)

__all__ = ["Attribution", "Accumulators", "EE_NAMES", "TE_NAMES", "EI_NAMES", "PART_NAMES"]


def _ordered(rows: dict[int, str], count: int) -> tuple[str, ...]:
    """The part names in the order of the accumulator rows."""
    assert sorted(rows) == list(range(count))
    return tuple(rows[k] for k in range(count))


#: Names of the W^EE parts, in the order of the accumulator's rows.
EE_NAMES = _ordered({EE_LTP: "ee_stdp_ltp", EE_LTD: "ee_stdp_ltd", EE_CAP: "ee_cap",
                     EE_PRUNE: "ee_prune", EE_GROWTH: "ee_growth", EE_SN: "ee_sn"}, EE_PARTS)
#: Names of the T^E parts, in row order.
TE_NAMES = _ordered({TE_IP: "te_ip", TE_CLIP: "te_clip"}, TE_PARTS)
#: Names of the W^EI parts, in row order.
EI_NAMES = _ordered({EI_ISTDP: "ei_istdp", EI_CLAMP: "ei_clamp", EI_SN: "ei_sn"}, EI_PARTS)
#: Every part, W^EE first, then T^E, then W^EI.
PART_NAMES = EE_NAMES + TE_NAMES + EI_NAMES


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Attribution:
    """The change of W^EE, T^E and W^EI over steps ``start_step + 1 .. end_step``, by rule.

    Every part is a read-only float64 array: the W^EE parts (``ee_*``) are (ne, ne) with rows
    post and columns pre like ``Simulation.w_ee``, the T^E parts (``te_*``) are (ne,), the
    W^EI parts (``ei_*``) are (ne, ni) like ``Simulation.w_ei``. Each holds, per synapse or
    neuron, the sum over the window of the changes that one operation made (value after it
    minus value before), so ``start + ee_total() == end`` for W^EE (likewise T^E, W^EI) up to
    float rounding. The module docstring (:mod:`sorn_studio.engine.attribution`) lists what
    each part measures and its sign.

    Attributes
    ----------
    start_step, end_step : int
        The window: the state after ``start_step`` steps to the state after ``end_step``.
    ee_stdp_ltp, ee_stdp_ltd, ee_cap, ee_prune, ee_growth, ee_sn : numpy.ndarray
        W^EE parts: STDP potentiation, STDP depression, the w_max cap, pruning, structural
        growth, synaptic normalisation.
    te_ip, te_clip : numpy.ndarray
        T^E parts: intrinsic plasticity, the T^E clip.
    ei_istdp, ei_clamp, ei_sn : numpy.ndarray
        W^EI parts: inhibitory STDP, its floor and cap, synaptic normalisation.
    """

    start_step: int
    end_step: int
    ee_stdp_ltp: np.ndarray
    ee_stdp_ltd: np.ndarray
    ee_cap: np.ndarray
    ee_prune: np.ndarray
    ee_growth: np.ndarray
    ee_sn: np.ndarray
    te_ip: np.ndarray
    te_clip: np.ndarray
    ei_istdp: np.ndarray
    ei_clamp: np.ndarray
    ei_sn: np.ndarray

    @property
    def steps(self) -> int:
        """Steps the window covers."""
        return self.end_step - self.start_step

    def parts(self) -> dict[str, np.ndarray]:
        """Every part by name, in the order of :data:`PART_NAMES`."""
        return {name: getattr(self, name) for name in PART_NAMES}

    def ee_total(self) -> np.ndarray:
        """The change of W^EE over the window: the sum of its parts, (ne, ne)."""
        return np.sum([getattr(self, name) for name in EE_NAMES], axis=0)

    def te_total(self) -> np.ndarray:
        """The change of T^E over the window: the sum of its parts, (ne,)."""
        return np.sum([getattr(self, name) for name in TE_NAMES], axis=0)

    def ei_total(self) -> np.ndarray:
        """The change of W^EI over the window: the sum of its parts, (ne, ni)."""
        return np.sum([getattr(self, name) for name in EI_NAMES], axis=0)

    def signed_totals(self) -> dict[str, float]:
        """Each part summed over its synapses or neurons, signed (the first half of
        :meth:`totals`, without its second pass over the arrays)."""
        return {name: float(arr.sum()) for name, arr in self.parts().items()}

    def totals(self) -> dict[str, float]:
        """Each part summed over its synapses or neurons, and the sum of its magnitudes.

        Returns
        -------
        dict of str to float
            For every part ``name`` (in :data:`PART_NAMES` order): ``name``, the sum of the
            part over all synapses (or neurons), signed, so that over W^EE the totals add up
            to the change of the sum of all weights; then, for every part, ``name + "_abs"``,
            the sum of |part| per synapse (or neuron), how much the rule moved the values
            whichever way. A synapse's part is already summed over the window's steps, so a
            rule that pushed one synapse up and then down again counts only the net change
            (only SN, IP, the T^E clip, iSTDP and its clamp have parts of both signs).
            Totals of consecutive windows add up to the totals of the joined window (the
            ``_abs`` ones only for the sign-definite parts).
        """
        out = self.signed_totals()
        out.update({f"{name}_abs": float(np.abs(arr).sum()) for name, arr in self.parts().items()})
        return out

    def joined(self, later: Attribution) -> Attribution:
        """This window followed by ``later``, which must start where this one ends.

        Raises
        ------
        ValueError
            When ``later`` does not start at :attr:`end_step` or its parts have other shapes.
        """
        if later.start_step != self.end_step:
            raise ValueError(f"cannot join the attribution of steps {later.start_step}-"
                             f"{later.end_step} after that of {self.start_step}-"
                             f"{self.end_step}: the windows must follow each other")
        mine, theirs = self.parts(), later.parts()
        if any(mine[k].shape != theirs[k].shape for k in PART_NAMES):
            raise ValueError("cannot join attributions of networks of different sizes")
        return dataclasses.replace(
            self, end_step=later.end_step,
            **{k: _frozen(mine[k] + theirs[k]) for k in PART_NAMES})


class Accumulators:
    """The engine's running sums of one window, in the kernel's layout.

    ``ee`` is (EE_PARTS, ne, ne), ``te`` (TE_PARTS, ne) and ``ei`` (EI_PARTS, ne, ni), float64,
    with the rows in the order of :data:`EE_NAMES`, :data:`TE_NAMES` and :data:`EI_NAMES`.
    Both backends add to them in place.

    Parameters
    ----------
    ne, ni : int
        Network size.
    start_step : int
        The step the window starts at.
    """

    def __init__(self, ne: int, ni: int, start_step: int) -> None:
        self.ee = np.zeros((EE_PARTS, ne, ne))
        self.te = np.zeros((TE_PARTS, ne))
        self.ei = np.zeros((EI_PARTS, ne, ni))
        self.start_step = int(start_step)

    def fits(self, ne: int, ni: int) -> bool:
        """Whether the accumulators are those of a network of this size."""
        return self.ee.shape[1] == ne and self.ei.shape[2] == ni

    def clear(self, step: int) -> None:
        """Empty the sums and start a new window at ``step``."""
        for arr in (self.ee, self.te, self.ei):
            arr.fill(0.0)
        self.start_step = int(step)

    def take(self, end_step: int) -> Attribution:
        """The window up to ``end_step`` as an :class:`Attribution`, then start a new window
        there. The sums gathered are handed over (no copy) and new ones begin at zero."""
        arrays = {}
        for names, acc in ((EE_NAMES, self.ee), (TE_NAMES, self.te), (EI_NAMES, self.ei)):
            arrays.update({name: _frozen(acc[k]) for k, name in enumerate(names)})
        out = Attribution(start_step=self.start_step, end_step=int(end_step), **arrays)
        self.ee, self.te, self.ei = (np.zeros_like(a) for a in (self.ee, self.te, self.ei))
        self.start_step = int(end_step)
        return out
