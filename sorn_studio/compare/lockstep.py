"""A baseline network and variants of it, advanced together on the same input and noise.

Every network starts from one snapshot and so from one state and one set of random streams
(:mod:`sorn_studio.engine.streams`): with the streams split by purpose, a variant sees the
baseline's input sequence and noise step for step, whatever its mechanisms and learning
rates, and differs only by what its changes do. A variant without changes stays identical to
the baseline, Hamming distance 0, for ever. With ``attribution=True`` every network, the
baseline too, also measures what each of its rules did (:mod:`sorn_studio.engine.attribution`),
point by point and over the whole comparison.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..analysis import connection_fraction_from_count
from ..engine import Attribution, Simulation, Snapshot
from ..engine.attribution import PART_NAMES
from ..params import field_specs
from ..recording import RecordingSpec, count_set_bits

__all__ = ["MAX_VARIANTS", "MAX_POINTS", "Lockstep", "Variant", "VariantTraces",
           "AttributionTraces"]

#: Variants beside the baseline.
MAX_VARIANTS = 4
#: Most points of each trace kept (each point averages a bin of steps), so memory does not
#: grow with the run.
MAX_POINTS = 10_000
#: Steps advanced between comparisons; each network's recorder keeps them. Long spans keep
#: each network's arrays in the cache while it runs: 1 000 cost 8 % of the step rate with
#: five networks, 4 000 cost 2 % (benchmarks/compare_bench.py).
SPAN = 4_000


@dataclass(frozen=True)
class Variant:
    """A named set of live parameter changes, e.g. ``Variant("no STDP", {"stdp": False})``."""

    name: str
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class VariantTraces:
    """What one variant did against the baseline: a point per :data:`SPAN` steps (per more
    in runs so long that :data:`MAX_POINTS` would not hold them).

    Attributes
    ----------
    steps : list of int
        Last step of each point.
    hamming : list of float
        Mean number of excitatory units whose state x differs from the baseline's per step.
    rate_diff : list of float
        Mean E rate minus the baseline's.
    n_ee_diff, fraction_diff : list of float
        E->E synapse count and connection fraction minus the baseline's (at the point's end).
    te_spread : list of float
        Largest minus smallest T^E of the variant (at the point's end).
    mean_abs_dw : list of float
        Mean |W^EE - baseline W^EE| over all pairs (at the point's end).
    counts : list of int
        Steps each point covers (the weights when points are merged).
    """

    steps: list[int] = field(default_factory=list)
    hamming: list[float] = field(default_factory=list)
    rate_diff: list[float] = field(default_factory=list)
    n_ee_diff: list[float] = field(default_factory=list)
    fraction_diff: list[float] = field(default_factory=list)
    te_spread: list[float] = field(default_factory=list)
    mean_abs_dw: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)

    def halve(self) -> None:
        """Merge neighbouring points pairwise (an odd last point stays): the means weighted by
        the steps they cover, the values "at the point's end" from the later point."""
        pairs = len(self.steps) // 2
        for name in ("hamming", "rate_diff"):
            values = getattr(self, name)
            merged = [(values[2 * k] * self.counts[2 * k]
                       + values[2 * k + 1] * self.counts[2 * k + 1])
                      / (self.counts[2 * k] + self.counts[2 * k + 1]) for k in range(pairs)]
            setattr(self, name, merged + values[2 * pairs:])
        for name in ("steps", "n_ee_diff", "fraction_diff", "te_spread", "mean_abs_dw"):
            values = getattr(self, name)
            setattr(self, name, values[1:2 * pairs:2] + values[2 * pairs:])
        self.counts = ([self.counts[2 * k] + self.counts[2 * k + 1] for k in range(pairs)]
                       + self.counts[2 * pairs:])

    def columns(self) -> dict[str, list]:
        """The traces by name, in table order."""
        return {"step": self.steps, "hamming": self.hamming, "rate_diff": self.rate_diff,
                "n_ee_diff": self.n_ee_diff, "fraction_diff": self.fraction_diff,
                "te_spread": self.te_spread, "mean_abs_dw": self.mean_abs_dw}


@dataclass
class AttributionTraces:
    """What each rule of one network did, point by point (the points of
    :class:`VariantTraces`).

    Attributes
    ----------
    steps : list of int
        Last step of each point.
    parts : dict of str to list of float
        For every part of :data:`~sorn_studio.engine.attribution.PART_NAMES` (``ee_stdp_ltp``,
        ...), its total over the point's steps: the part summed over all synapses (or
        neurons), signed, as :meth:`Attribution.totals` gives it; stacked, the W^EE parts of a
        point add up to the change of the sum of W^EE over it.
    counts : list of int
        Steps each point covers.
    """

    steps: list[int] = field(default_factory=list)
    parts: dict[str, list[float]] = field(
        default_factory=lambda: {name: [] for name in PART_NAMES})
    counts: list[int] = field(default_factory=list)

    def halve(self) -> None:
        """Merge neighbouring points pairwise (an odd last point stays): totals add up."""
        pairs = len(self.steps) // 2
        for name, values in self.parts.items():
            self.parts[name] = ([values[2 * k] + values[2 * k + 1] for k in range(pairs)]
                                + values[2 * pairs:])
        self.steps = self.steps[1:2 * pairs:2] + self.steps[2 * pairs:]
        self.counts = ([self.counts[2 * k] + self.counts[2 * k + 1] for k in range(pairs)]
                       + self.counts[2 * pairs:])

    def columns(self) -> dict[str, list]:
        """The traces by name, in table order: step, then the parts."""
        return {"step": self.steps, **self.parts}


class Lockstep:
    """A baseline and up to :data:`MAX_VARIANTS` variants run step for step from one state.

    Parameters
    ----------
    start : Snapshot
        Where every network starts (a fresh network's snapshot, or any moment of a run).
    variants : sequence of Variant
        Each variant's live parameter changes, applied before its first step.
    backend : {"numba", "numpy"}, optional
        The engine of every network; the snapshot's by default.
    neurons : tuple of int
        Excitatory neurons whose thresholds every network's recorder traces.
    attribution : bool
        Track attribution in every network (:meth:`Simulation.track_attribution`): then
        :attr:`attribution_traces` holds each network's per-point totals,
        :meth:`attribution` the whole comparison's parts, and :meth:`summary` their totals.

    Raises
    ------
    ValueError
        For no variant or more than :data:`MAX_VARIANTS`, names given twice, a parameter that
        cannot change during a run, or a value out of range; each naming the variant.
    """

    def __init__(self, start: Snapshot, variants: Sequence[Variant], *,
                 backend: str | None = None, neurons: tuple[int, ...] = (),
                 attribution: bool = False) -> None:
        if not 1 <= len(variants) <= MAX_VARIANTS:
            raise ValueError(f"argument 'variants' holds {len(variants)} variants; give 1 to "
                             f"{MAX_VARIANTS}")
        names = [v.name for v in variants]
        if len(set(names)) != len(names) or "baseline" in names:
            raise ValueError(f"variant names must differ from each other and from "
                             f"'baseline': {names}")
        specs = field_specs()
        recording = RecordingSpec(window=SPAN, neurons=tuple(neurons))
        self.start_step = int(start.step)
        self.baseline = Simulation.from_snapshot(start, recording=recording, backend=backend)
        if self.baseline.draw_layout == 1:
            # One stream for the whole row: a variant that changes the row (structural
            # plasticity or noise switched, another SP rate) draws other input and noise.
            warnings.warn("the start is a run of draw layout 1 (a session of an earlier "
                          "version): variants that switch structural plasticity or noise "
                          "do not see the baseline's input and noise", UserWarning,
                          stacklevel=2)
        self.variants = list(variants)
        self.networks: list[Simulation] = []
        for variant in variants:
            for name in variant.changes:
                if name in specs and not specs[name].live:
                    raise ValueError(f"variant {variant.name!r}: parameter {name!r} cannot "
                                     "change during a run (it is structural)")
            sim = Simulation.from_snapshot(start, recording=recording, backend=backend)
            try:
                sim.apply_params(**dict(variant.changes))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"variant {variant.name!r}: {exc}") from None
            self.networks.append(sim)
        self.traces = [VariantTraces() for _ in variants]
        self._bin = 1
        self._acc = [np.zeros(2) for _ in variants]   # hamming and rate sums of the open bin
        self._acc_steps = 0
        self._tail_from = math.inf
        self._tail = [[0.0, 0] for _ in variants]     # hamming sum and steps of the tail
        self.tracks_attribution = bool(attribution)
        #: Per network (baseline first): what each rule did, point by point.
        self.attribution_traces: list[AttributionTraces] = []
        # Per network: the open point's totals and the whole comparison's parts so far.
        self._att_point: list[np.ndarray] = []
        self._att_run: list[Attribution | None] = []
        if attribution:
            for sim in self.all_networks:
                sim.track_attribution()
            self.attribution_traces = [AttributionTraces() for _ in self.all_networks]
            self._att_point = [np.zeros(len(PART_NAMES)) for _ in self.all_networks]
            self._att_run = [None for _ in self.all_networks]

    @property
    def all_networks(self) -> list[Simulation]:
        """The baseline, then each variant's network."""
        return [self.baseline, *self.networks]

    @property
    def step(self) -> int:
        """The networks' step (all are at the same one)."""
        return int(self.baseline.t)

    def run(self, steps: int, *, tail_fraction: float = 0.1,
            progress: Callable[[int, int], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> int:
        """Advance every network ``steps`` steps, comparing them after each span.

        Parameters
        ----------
        steps : int
            Steps to advance.
        tail_fraction : float
            The last part of the run whose mean Hamming distance :meth:`tail_hamming` gives.
        progress : callable, optional
            Called as ``progress(done, steps)``.
        should_stop : callable, optional
            Checked between spans; True ends the run there (every network at one step).

        Returns
        -------
        int
            Steps advanced.
        """
        steps = int(steps)
        if steps < 0:
            raise ValueError(f"argument 'steps' = {steps} must be >= 0")
        self._bin = max(self._bin, math.ceil(steps / MAX_POINTS))
        self._tail_from = self.step + steps * (1.0 - tail_fraction)
        done = 0
        while done < steps:
            n = min(SPAN, steps - done)
            for sim in (self.baseline, *self.networks):
                sim.run(n)
            self._compare(n)
            done += n
            if progress is not None:
                progress(done, steps)
            if should_stop is not None and done < steps and should_stop():
                break
        return done

    def _compare(self, n: int) -> None:
        base = self.baseline
        # The Hamming distance of bit-packed rows: the set bits of their XOR, without
        # unpacking (as analysis.hamming_distance of the unpacked spikes, 8 times less work).
        x0 = base.recorder.packed_spikes_e(last=n)
        rate0 = base.recorder.rate_e(last=n)
        steps = base.recorder.steps(last=n)
        for k, sim in enumerate(self.networks):
            ham = count_set_bits(np.bitwise_xor(x0, sim.recorder.packed_spikes_e(last=n))
                                 ).astype(float)
            rate = np.asarray(sim.recorder.rate_e(last=n)) - rate0
            tail = steps > self._tail_from
            self._tail[k][0] += float(ham[tail].sum())
            self._tail[k][1] += int(tail.sum())
            self._acc[k] += (ham.sum(), rate.sum())
        self._acc_steps += n
        if self._acc_steps >= self._bin:
            self._close_point()

    def _close_point(self) -> None:
        base = self.baseline
        ne = base.params.ne
        for k, sim in enumerate(self.networks):
            t = self.traces[k]
            t.steps.append(self.step)
            t.hamming.append(float(self._acc[k][0] / self._acc_steps))
            t.rate_diff.append(float(self._acc[k][1] / self._acc_steps))
            t.n_ee_diff.append(float(sim.n_ee - base.n_ee))
            t.fraction_diff.append(float(connection_fraction_from_count(sim.n_ee, ne)
                                         - connection_fraction_from_count(base.n_ee, ne)))
            t.te_spread.append(float(np.ptp(sim.t_e)))
            t.mean_abs_dw.append(float(np.abs(np.asarray(sim.w_ee)
                                              - np.asarray(base.w_ee)).mean()))
            t.counts.append(self._acc_steps)
            self._acc[k][:] = 0.0
        if self.tracks_attribution:
            self._gather_attribution()
            for k, trace in enumerate(self.attribution_traces):
                trace.steps.append(self.step)
                trace.counts.append(self._acc_steps)
                for name, total in zip(PART_NAMES, self._att_point[k], strict=True):
                    trace.parts[name].append(float(total))
                self._att_point[k][:] = 0.0
        self._acc_steps = 0
        if len(self.traces[0].steps) > MAX_POINTS:
            # A run advanced piecemeal (the studio's, a chunk per frame) can go on for ever:
            # merge points, and make the next ones cover as many steps, rather than grow.
            for t in (*self.traces, *self.attribution_traces):
                t.halve()
            self._bin = max([self._bin, *self.traces[0].counts])

    def _gather_attribution(self) -> None:
        """Take each network's attribution since the last gathering into the open point's
        totals and the whole comparison's parts."""
        for k, sim in enumerate(self.all_networks):
            att = sim.take_attribution()
            totals = att.signed_totals()
            self._att_point[k] += [totals[name] for name in PART_NAMES]
            run = self._att_run[k]
            self._att_run[k] = att if run is None else run.joined(att)

    def attribution(self) -> list[Attribution]:
        """What each rule of every network (baseline first) did from the comparison's start
        to now, per synapse and neuron.

        Raises
        ------
        RuntimeError
            When the comparison was made without ``attribution=True``.
        """
        if not self.tracks_attribution:
            raise RuntimeError("this comparison does not track attribution: make it with "
                               "Lockstep(..., attribution=True)")
        self._gather_attribution()
        return list(self._att_run)

    def finish(self) -> None:
        """Close the last, partly filled point of the traces."""
        if self._acc_steps:
            self._close_point()

    def tail_hamming(self) -> list[float]:
        """Each variant's mean Hamming distance over the last part of the last :meth:`run`
        (NaN when that part held no step)."""
        return [s / n if n else math.nan for s, n in self._tail]

    def summary(self) -> list[dict[str, Any]]:
        """One record per network (baseline first): name, changes, tail Hamming distance,
        final E rate over the last span, connection fraction and synapse count; with
        attribution, ``attribution``: the totals of :meth:`attribution` (each part's signed
        sum and its sum of magnitudes, as :meth:`Attribution.totals`)."""
        rows = []
        tails = [0.0, *self.tail_hamming()]
        names = [("baseline", {}), *((v.name, dict(v.changes)) for v in self.variants)]
        attributions = (self.attribution() if self.tracks_attribution
                        else [None] * len(self.all_networks))
        for (name, changes), sim, tail, att in zip(names, self.all_networks, tails, attributions,
                                                   strict=True):
            rates = sim.recorder.rate_e(last=SPAN)
            rows.append({
                "name": name, "changes": changes, "hamming_tail": tail,
                "rate": float(np.mean(rates)) if len(rates) else math.nan,
                "connection_fraction": float(connection_fraction_from_count(
                    sim.n_ee, sim.params.ne)),
                "n_ee": int(sim.n_ee),
            })
            if att is not None:
                rows[-1]["attribution"] = att.totals()
        return rows
