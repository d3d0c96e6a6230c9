"""Named observables of a live network: what a lesson's checks look at
(:mod:`sorn_studio.lessons`) and what a sweep measures at the end of each network
(:mod:`sorn_studio.ensemble`).

Each observable is a number (or a switch) computed from the simulation and the studio's newest
:class:`~sorn_studio.studio.live_analysis.Analysis`, the things the worker already has when it
builds a frame, with the functions of :mod:`sorn_studio.analysis` the views use. An observable
that cannot be computed yet (no intervals recorded, no readout without the counting task) is
``None``, and a check on it does not pass. Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis import connection_fraction_from_count, fit_weight_distribution
from ..analysis.histograms import binned_median
from ..engine.inputs import word_table
from ..params import field_specs

if TYPE_CHECKING:
    from ..engine import Simulation
    from .live_analysis import Analysis

__all__ = ["Observable", "OBSERVABLES", "observe", "RATE_STEPS",
           "markdown_table"]

#: Newest recorded steps the rate observables average over.
RATE_STEPS = 5_000


@dataclass(frozen=True)
class Seen:
    """What an observable is computed from."""

    sim: Simulation
    analysis: Analysis | None
    #: Steps since the lesson's step began.
    steps_in_step: int


@dataclass(frozen=True)
class Observable:
    """A named quantity of the live network.

    Attributes
    ----------
    name : str
        As lesson files write it.
    meaning : str
        One sentence for the lesson format's documentation and the dock's tooltips.
    compute : callable
        ``compute(seen)`` -> float, bool or None (not available yet).
    """

    name: str
    meaning: str
    compute: Callable[[Seen], Any]


def _rates(seen: Seen) -> np.ndarray | None:
    """Each E neuron's firing rate over the newest :data:`RATE_STEPS` recorded steps."""
    x = seen.sim.recorder.spikes_e(last=RATE_STEPS)
    return None if len(x) < 100 else np.asarray(x, dtype=float).mean(axis=0)


def _rate_e(seen: Seen) -> float | None:
    rates = _rates(seen)
    return None if rates is None else float(rates.mean())


def _rate_spread(seen: Seen) -> float | None:
    rates = _rates(seen)
    return None if rates is None else float(rates.std())


def _rate_error(seen: Seen) -> float | None:
    rates = _rates(seen)
    return None if rates is None else float(np.abs(rates - seen.sim.h_ip).mean())


def _row_sum_error(w: np.ndarray) -> float:
    sums = w.sum(axis=1)
    rows = (w > 0).any(axis=1)
    return float(np.abs(sums[rows] - 1.0).max()) if rows.any() else 0.0


def _positive_ee(seen: Seen) -> np.ndarray:
    w = seen.sim.w_ee
    return w[w > 0]


def _log_spread(seen: Seen) -> float | None:
    w = _positive_ee(seen)
    return float(np.log10(w).std()) if w.size > 1 else None


def _daic(seen: Seen) -> float | None:
    w = _positive_ee(seen)
    if w.size < 10:
        return None
    fit = fit_weight_distribution(w)
    return float(fit.aic_normal - fit.aic_lognormal)


def _row_sum_mean(w: np.ndarray) -> float:
    rows = (w > 0).any(axis=1)
    return float(w.sum(axis=1)[rows].mean()) if rows.any() else 0.0


def _sequence_share(seen: Seen, forward: bool) -> float | None:
    """Mean over the within-word steps a -> b of the summed W^EE each neuron of b's pool
    receives from a's pool (``forward``), or each neuron of a's pool from b's pool."""
    sim = seen.sim
    words, _ = word_table(sim.params)
    alphabet = sim.params.alphabet
    pools = sim.input.pools
    if not words or not pools.size:
        return None
    w = sim.w_ee
    shares = []
    for word in words:
        for a, b in zip(word, word[1:], strict=False):
            if a == b:
                continue
            pre, post = pools[alphabet.index(a)], pools[alphabet.index(b)]
            if not forward:
                pre, post = post, pre
            shares.append(w[np.ix_(post, pre)].sum(axis=1).mean())
    return float(np.mean(shares)) if shares else None


#: Newest recorded steps over which the change of the E->E synapse count is taken.
CHANGE_STEPS = 10_000


def _n_ee_change(seen: Seen) -> float | None:
    counts = np.asarray(seen.sim.recorder.n_ee(last=CHANGE_STEPS))
    return None if len(counts) < 1000 else float(int(counts[-1]) - int(counts[0]))


def _isi_cv(seen: Seen) -> float | None:
    isi = seen.analysis.isi if seen.analysis is not None else None
    return None if isi is None or not np.isfinite(isi.cv) else float(isi.cv)


def _readout(seen: Seen) -> float | None:
    readout = seen.analysis.readout if seen.analysis is not None else None
    if readout is None or not len(readout.accuracy):
        return None
    return float(readout.accuracy[-1])


def _readout_cf(seen: Seen) -> float | None:
    readout = seen.analysis.readout if seen.analysis is not None else None
    if readout is None or not len(readout.accuracy_cf):
        return None
    value = float(readout.accuracy_cf[-1])
    return value if np.isfinite(value) else None


def _largest_avalanche(seen: Seen) -> float | None:
    panel = seen.analysis.avalanches if seen.analysis is not None else None
    if panel is None:
        return None
    sizes = panel.sizes
    seen_bins = np.flatnonzero(sizes.density > 0)
    return float(sizes.edges[seen_bins[-1] + 1]) if seen_bins.size else None


def _avalanche_count(seen: Seen) -> float | None:
    panel = seen.analysis.avalanches if seen.analysis is not None else None
    return None if panel is None else float(panel.sizes.n)


def _avalanche_median(seen: Seen) -> float | None:
    panel = seen.analysis.avalanches if seen.analysis is not None else None
    if panel is None:
        return None
    sizes = panel.sizes
    counts = sizes.density * np.diff(sizes.edges) * sizes.n
    median = binned_median(sizes.edges, counts)
    return float(median) if np.isfinite(median) else None


def _build() -> dict[str, Observable]:
    rows: list[tuple[str, str, Callable[[Seen], Any]]] = [
        ("step", "steps simulated since step 0", lambda s: s.sim.t),
        ("steps_in_step", "steps simulated since this lesson step began",
         lambda s: s.steps_in_step),
        ("rate_e", f"mean E firing rate over the newest {RATE_STEPS} steps (spikes per step)",
         _rate_e),
        ("rate_e_spread", "standard deviation across E neurons of their firing rates over "
         f"the newest {RATE_STEPS} steps", _rate_spread),
        ("rate_target_error", "mean over E neurons of the distance between the rate and its "
         "IP target rate H^IP over "
         f"the newest {RATE_STEPS} steps", _rate_error),
        ("n_ee", "number of E->E synapses", lambda s: s.sim.n_ee),
        ("n_ee_change", "change of the number of E->E synapses over the newest "
         f"{CHANGE_STEPS} recorded steps (above 0: the network is gaining synapses)",
         _n_ee_change),
        ("connection_fraction", "E->E connection fraction, in % of the ne (ne - 1) possible",
         lambda s: 100.0 * connection_fraction_from_count(s.sim.n_ee, s.sim.params.ne)),
        ("t_e_mean", "mean excitatory threshold T^E", lambda s: float(s.sim.t_e.mean())),
        ("t_e_spread", "standard deviation of T^E across neurons",
         lambda s: float(s.sim.t_e.std())),
        ("w_ee_row_sum_error", "largest |sum of a W^EE row - 1| over the rows with inputs",
         lambda s: _row_sum_error(s.sim.w_ee)),
        ("w_ei_row_sum_error", "largest |sum of a W^EI row - 1| over the rows with inputs",
         lambda s: _row_sum_error(s.sim.w_ei)),
        ("w_ee_row_sum_mean", "mean sum of a W^EE row (a neuron's total E->E input weight) "
         "over the rows with inputs: 1 under SN", lambda s: _row_sum_mean(s.sim.w_ee)),
        ("w_ee_max", "largest E->E weight", lambda s: float(s.sim.w_ee.max())),
        ("w_ee_log_spread", "standard deviation of log10 of the E->E weights", _log_spread),
        ("w_ee_lognormal_daic", "AIC(normal) - AIC(lognormal) of the E->E weights: above 0 "
         "when a lognormal fits them better", _daic),
        ("w_ei_mean", "mean I->E weight over existing synapses",
         lambda s: float(s.sim.w_ei[s.sim.w_ei > 0].mean())),
        ("sequence_forward_share", "mean over the steps a -> b within the words of the summed "
         "W^EE each neuron of b's pool gets from a's pool (under SN its share of E input; "
         "about n_u / ne by chance)", lambda s: _sequence_share(s, True)),
        ("sequence_backward_share", "the same the wrong way round: the summed W^EE each neuron "
         "of a's pool gets from b's pool", lambda s: _sequence_share(s, False)),
        ("isi_cv", "coefficient of variation of the E inter-spike intervals (1: Poisson)",
         _isi_cv),
        ("readout_accuracy", "newest accuracy of the next-symbol readout (counting task)",
         _readout),
        ("readout_accuracy_cf", "newest accuracy of that readout on the word-final symbols C "
         "and F, which need the repeated letters counted (counting task)", _readout_cf),
        ("avalanche_size_max", "largest avalanche size seen in the newest 10^5 steps",
         _largest_avalanche),
        ("avalanche_count", "number of avalanches in the newest 10^5 steps", _avalanche_count),
        ("avalanche_size_median", "median avalanche size in the newest 10^5 steps "
         "(interpolated within its logarithmic bin)", _avalanche_median),
    ]
    out = {name: Observable(name, meaning, fn) for name, meaning, fn in rows}
    for name, spec in field_specs().items():
        if spec.live:
            # A change asked for counts at once (the engine makes it at the next step).
            out[name] = Observable(name, f"the parameter {spec.label!r} now",
                                   lambda s, n=name: s.sim.pending_changes.get(
                                       n, getattr(s.sim.params, n)))
    return out


#: Every observable by name: the quantities above and every live parameter (the mechanism
#: switches stdp, ip, sp, istdp, sn among them).
OBSERVABLES: dict[str, Observable] = _build()


def observe(name: str, sim: Simulation, analysis: Analysis | None = None,
            steps_in_step: int = 0) -> Any:
    """The value of observable ``name`` now (None when not available yet).

    Raises
    ------
    KeyError
        For an unknown name (lesson files are checked against :data:`OBSERVABLES` first).
    """
    return OBSERVABLES[name].compute(Seen(sim, analysis, int(steps_in_step)))


def markdown_table() -> str:
    """The table of observables ``docs/lessons.md`` shows (the parameters summed up in one
    row)."""
    lines = ["| observable | what it is |", "|---|---|"]
    params = [name for name, spec in field_specs().items() if spec.live]
    for name, item in OBSERVABLES.items():
        if name not in params:
            lines.append(f"| `{name}` | {item.meaning} |")
    lines.append(f"| {', '.join(f'`{n}`' for n in params)} | the live parameter of that name "
                 "now (the mechanism switches are true or false) |")
    return "\n".join(lines)
