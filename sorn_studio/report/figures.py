"""The report's figures, each drawn from :class:`~.contents.ReportContents` with matplotlib.

Each figure function returns the figure and a caption, or raises :class:`Unavailable` with the
reason the session cannot give it (nothing recorded, no snapshots, too few avalanches, ...).
Figures are free-standing (never held by ``pyplot``), so a report needs no display and leaves
no state behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..analysis import (
    ANALYSIS_FLOOR,
    WeightFit,
    firing_rates,
    log_int_histogram,
    population_rate,
)
from ..figures import (
    E_COLOR,
    FIT_COLOR,
    I_COLOR,
    MARK_COLOR,
    NEURON_COLORS,
    new_figure,
)
from ..figures.distributions import (
    draw_isi_distribution,
    draw_log_density,
    draw_weight_distribution,
)
from ..figures.spikes import draw_population_rate, draw_raster
from ..studio.texts import change_text, step_text
from .contents import ReportContents

__all__ = ["FIGURES", "ReportFigure", "Unavailable"]

#: Width of every figure in inches: a page column at full width.
WIDTH = 8.0
#: Fewest avalanches a size and duration distribution is drawn from.
MIN_AVALANCHES = 20
#: Bins of the firing-rate histogram.
RATE_BINS = 40
#: Most change markers labelled with their text (more would cover the plot).
MAX_LABELLED_CHANGES = 8


class Unavailable(Exception):  # noqa: N818 - it says what happened, it is not a failure
    """The session lacks what a figure needs; the message says what, for the page."""


@dataclass(frozen=True)
class ReportFigure:
    """One figure of the report.

    Attributes
    ----------
    stem : str
        File name without suffix (``raster`` gives ``raster.png``, ``raster.svg``).
    title : str
        Heading on the page.
    draw : callable
        ``draw(contents) -> (Figure, caption)``, one of the ``*_figure`` functions here;
        raises :class:`Unavailable`.
    """

    stem: str
    title: str
    draw: Callable[[ReportContents], tuple[Figure, str]]


def _figure(height: float, rows: int = 1, cols: int = 1, **grid: object) -> tuple[Figure, list]:
    fig = new_figure((WIDTH, height), pyplot=False)
    fig.set_layout_engine("constrained")
    axes = fig.subplots(rows, cols, squeeze=False, **grid)
    return fig, [ax for row in axes for ax in row]


def _steps(first: int, last: int) -> str:
    return f"steps {step_text(first)}-{step_text(last)}"


# -- raster ------------------------------------------------------------------------------------
def raster_figure(c: ReportContents) -> tuple[Figure, str]:
    """Spikes of every neuron over the newest recorded steps, with the population rates."""
    shown = len(c.raster_i)
    if shown == 0:
        raise Unavailable("the session recorded no steps")
    steps = c.steps[-shown:]
    spikes_e = c.spikes_e[-shown:]
    fig, (ax_e, ax_i, ax_rate) = _figure(6.0, 3, 1, sharex=True,
                                         gridspec_kw={"height_ratios": (4, 1, 1.6)})
    for ax, spikes, color, name in ((ax_e, spikes_e, E_COLOR, "E"),
                                    (ax_i, c.raster_i, I_COLOR, "I")):
        # As one image in SVG and PDF: a vector mark per spike makes files of megabytes.
        draw_raster(ax, spikes, steps=steps, color=color, rasterized=True)
        ax.set_xlabel("")
        ax.set_ylabel(f"{name} neuron")
    for spikes, color, name in ((spikes_e, E_COLOR, "E"), (c.raster_i, I_COLOR, "I")):
        draw_population_rate(ax_rate, spikes, steps=steps, color=color).set_label(name)
    rates = np.concatenate([population_rate(spikes_e), population_rate(c.raster_i)])
    ax_rate.set_ylim(0, 1.1 * max(float(rates.max()), 1e-3))
    ax_rate.set_ylabel("Rate")
    ax_rate.set_xlabel("Step")
    ax_rate.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize="small",
                   frameon=False, borderaxespad=0.1)
    ax_e.set_title("Spike raster and population rate")
    caption = (f"The newest {step_text(shown)} recorded steps "
               f"({_steps(int(steps[0]), int(steps[-1]))}): a mark for every spike of the "
               f"{c.params.ne} excitatory (green) and {c.params.ni} inhibitory (red) units; "
               f"below, the fraction of each population active per step (mean E rate "
               f"{float(spikes_e.mean()):.3f}, I {float(c.raster_i.mean()):.3f}).")
    return fig, caption


# -- whole-run traces --------------------------------------------------------------------------
def _mark_run(ax: Axes, c: ReportContents, label: bool) -> None:
    """Shade the steps the history lacks and mark every logged change."""
    start = c.traces.start
    if start > 0:
        ax.axvspan(0, start, color="#00000010", lw=0)
        if label:
            ax.text(start / 2, 0.5, f"history before step {step_text(start)}\n"
                    "is not in this session", transform=ax.get_xaxis_transform(),
                    ha="center", va="center", fontsize="small", color="#555555")
    changes = c.info.change_log
    for k, change in enumerate(changes):
        at = change.step   # where the studio draws it: after that step
        ax.axvline(at, color=MARK_COLOR, lw=0.8, ls="--")
        if label and len(changes) <= MAX_LABELLED_CHANGES:
            # Right of its line in the left half of the run, left of it in the right half, so
            # the text stays inside the plot.
            right_half = at > 0.6 * max(c.info.steps, 1)
            ax.text(at, 0.98 - 0.08 * (k % 3), f" {change_text(change)} ",
                    transform=ax.get_xaxis_transform(),
                    fontsize="x-small", color="#6b5a06", va="top",
                    ha="right" if right_half else "left", clip_on=True)


def _check_traces(c: ReportContents) -> None:
    if len(c.traces.step) == 0:
        raise Unavailable("the session has no steps: nothing ran yet" if c.info.steps == 0
                          else "the session keeps neither a recording nor a whole-run history")


def _history_note(c: ReportContents) -> str:
    if c.history_saved:
        return "from the whole-run history the studio saved with the session"
    if c.traces.start > 0:
        return (f"rebuilt from the recorded steps; the first {step_text(c.traces.start)} "
                "steps are not in the file (shaded)")
    return "rebuilt from the recorded steps"


def connections_figure(c: ReportContents) -> tuple[Figure, str]:
    """Synapse counts and the E->E connection fraction over the whole run."""
    _check_traces(c)
    t = c.traces
    fig, (ax_n, ax_f) = _figure(4.6, 2, 1, sharex=True)
    ax_n.plot(t.step, t.n_ee, color=E_COLOR, lw=1, label="E\u2192E synapses")
    ax_n.plot(t.step, t.n_ei, color=I_COLOR, lw=1, label="I\u2192E synapses")
    ax_n.set_ylabel("Synapses")
    ax_f.plot(t.step, 100 * np.asarray(t.frac_ee), color=E_COLOR, lw=1)
    if t.start > 0:
        # The file keeps the network at step 0: the history's start, even when it was lost.
        ax_n.plot([0, 0], [c.initial_n_ee, c.initial_n_ei], ls="none", marker="o", ms=4,
                  color="#555555", label="step 0", clip_on=False, zorder=3)
        ax_f.plot([0], [100 * c.summary["initial_connection_fraction"]], ls="none",
                  marker="o", ms=4, color="#555555", clip_on=False, zorder=3)
    ax_f.set_ylabel("E\u2192E connection\nfraction (%)")
    ax_f.set_xlabel("Step")
    ax_f.set_xlim(0, max(c.info.steps, 1))
    ax_n.set_ylim(bottom=0)
    ax_f.set_ylim(bottom=0)
    fig.legend(loc="outside lower center", fontsize="small", frameon=False, ncols=3)
    _mark_run(ax_n, c, label=True)
    _mark_run(ax_f, c, label=False)
    ax_n.set_title("Connections")
    s = c.summary
    caption = (f"Number of E\u2192E and I\u2192E synapses and the E\u2192E connection fraction "
               f"(synapses over the ne(ne-1) possible ones) over the run, "
               f"{_history_note(c)}. From {100 * s['initial_connection_fraction']:.2f} % at "
               f"step 0 to {100 * s['connection_fraction']:.2f} % at step "
               f"{step_text(c.info.steps)}. Dashed lines mark parameter changes.")
    return fig, caption


def thresholds_figure(c: ReportContents) -> tuple[Figure, str]:
    """Excitatory thresholds (mean and range) and the inhibitory mean over the whole run."""
    _check_traces(c)
    t = c.traces
    fig, (ax,) = _figure(3.4)
    ax.fill_between(t.step, t.t_e_min, t.t_e_max, color=E_COLOR, alpha=0.18, lw=0,
                    label="T$^E$ min\u2013max")
    ax.plot(t.step, t.t_e_mean, color=E_COLOR, lw=1, label="T$^E$ mean")
    ax.plot(t.step, t.t_i_mean, color=I_COLOR, lw=1, label="T$^I$ mean")
    neurons = np.asarray(t.t_e_neurons).reshape(len(t.step), -1)
    for k, n in enumerate(t.neurons):
        ax.plot(t.step, neurons[:, k], lw=0.8, color=NEURON_COLORS[k % len(NEURON_COLORS)],
                label=f"neuron {n}")
    ax.set_xlabel("Step")
    ax.set_ylabel("Threshold")
    ax.set_xlim(0, max(c.info.steps, 1))
    fig.legend(loc="outside lower center", fontsize="small", frameon=False,
               ncols=min(3 + len(t.neurons), 6))
    _mark_run(ax, c, label=True)
    ax.set_title("Thresholds")
    caption = (f"Excitatory thresholds T^E (mean, and the band between the smallest and the "
               f"largest) and the mean inhibitory threshold T^I over the run, "
               f"{_history_note(c)}.")
    return fig, caption


# -- weights -----------------------------------------------------------------------------------
def _fit_text(fit: WeightFit | None) -> str:
    if fit is None:
        return "too few distinct weights to fit"
    better = "lognormal" if fit.delta_aic > 0 else "normal"
    return f"n = {fit.n}, \u0394AIC = {fit.delta_aic:+.0f} ({better} fits better)"


def weights_figure(c: ReportContents) -> tuple[Figure, str]:
    """E->E weight distribution with lognormal and normal fits, all and above the floor."""
    w_ee = np.asarray(c.w_ee, float)
    if not np.any(w_ee > 0):
        raise Unavailable("W^EE has no synapses at the end of the session")
    fig, axes = _figure(3.8, 1, 2)
    fig.suptitle("E\u2192E weight distribution")
    texts = []
    for ax, floor, title in ((axes[0], 0.0, "all E\u2192E synapses"),
                             (axes[1], ANALYSIS_FLOOR, f"synapses above {ANALYSIS_FLOOR:g}")):
        drawn = draw_weight_distribution(ax, w_ee, floor=floor)
        texts.append(_fit_text(drawn.fit))
        ax.set_title(title, fontsize="medium")
    caption = (f"Distribution of the E\u2192E weights at step {step_text(c.info.steps)} "
               f"(log axis) "
               f"with the maximum-likelihood lognormal and normal fits drawn as the fraction "
               f"of synapses they expect per bin; \u0394AIC = AIC(normal) - AIC(lognormal), "
               f"positive favours the lognormal. All synapses: {texts[0]}. Above "
               f"{ANALYSIS_FLOOR:g} (the range the authors' analysis plots, without the "
               f"synapses structural plasticity has just created): {texts[1]}.")
    return fig, caption


# -- activity statistics -----------------------------------------------------------------------
def rates_figure(c: ReportContents) -> tuple[Figure, str]:
    """Distribution of the excitatory neurons' firing rates, with the IP target."""
    if len(c.steps) == 0:
        raise Unavailable("the session recorded no steps")
    rates = firing_rates(c.spikes_e)
    fig, (ax,) = _figure(3.2)
    target = float(c.params.mu_ip) if c.params.ip else None
    # Bins over the rates and the target, not a fixed range: under intrinsic plasticity
    # every rate lies within a few per cent of the target, in one bin of a wide range.
    marks = [float(rates.min()), float(rates.max())] + ([target] if target is not None else [])
    low, high = min(marks), max(marks)
    pad = max(0.1 * (high - low), 0.002)
    ax.hist(rates, bins=RATE_BINS, range=(max(0.0, low - pad), high + pad), color=E_COLOR,
            alpha=0.6)
    if target is not None:
        ax.axvline(target, color=FIT_COLOR, lw=1.2, ls="--", label=f"IP target {target:g}")
        ax.legend(loc="upper right", fontsize="small", frameon=False)
    ax.set_xlabel("Spikes per step")
    ax.set_ylabel("E neurons")
    ax.set_title("Firing rates")
    first, last = int(c.steps[0]), int(c.steps[-1])
    caption = (f"Firing rate of each of the {rates.size} excitatory neurons over "
               f"{_steps(first, last)}: mean {rates.mean():.4f}, sd {rates.std():.4f}, "
               f"{int(np.sum(rates == 0))} silent. "
               + ("The dashed line is the mean target rate of intrinsic plasticity."
                  if target is not None else "Intrinsic plasticity is off."))
    return fig, caption


def isi_figure(c: ReportContents) -> tuple[Figure, str]:
    """Inter-spike intervals of the excitatory neurons with the exponential fit and the CV."""
    if len(c.steps) == 0:
        raise Unavailable("the session recorded no steps")
    fig, (ax,) = _figure(3.4)
    drawn = draw_isi_distribution(ax, c.spikes_e)
    stats = drawn.stats
    if stats is None or stats.intervals.size < 2:
        raise Unavailable("fewer than two inter-spike intervals were recorded")
    ax.set_title("Inter-spike intervals")
    caption = (f"Intervals between successive spikes of each excitatory neuron, pooled, over "
               f"{_steps(int(c.steps[0]), int(c.steps[-1]))} "
               f"({step_text(stats.intervals.size)} intervals; the far tail beyond the 99.5th "
               f"percentile is not binned). The line is the maximum-likelihood exponential "
               f"(Poisson) fit; the coefficient of variation is {stats.cv:.2f} (1 for a "
               f"Poisson process).")
    return fig, caption


def lifetimes_figure(c: ReportContents) -> tuple[Figure, str]:
    """Lifetimes of E->E synapses between the file's weight snapshots."""
    life = c.lifetimes
    if life is None:
        raise Unavailable("the session keeps fewer than two W^EE snapshots; record with "
                          "RecordingSpec(weights_every=k) to see synapse lifetimes")
    if life.lifetimes.size == 0:
        raise Unavailable(f"no synapse was both created and pruned between the snapshots "
                          f"(steps {step_text(life.start)}-{step_text(life.end)})")
    fig, (ax_hist, ax_surv) = _figure(3.4, 1, 2)
    draw_log_density(ax_hist, log_int_histogram(life.lifetimes), label="created and pruned")
    ax_hist.set_xlabel("Lifetime (steps)")
    ax_hist.set_ylabel("Probability density")
    ax_hist.legend(loc="upper right", fontsize="small", frameon=False)
    times, survival = life.survival()
    # Every new synapse is alive until the first death: the curve starts at 1.
    ax_surv.step(np.concatenate([times[:1], times]), np.concatenate([[1.0], survival]),
                 where="post", color=E_COLOR, lw=1.2)
    ax_surv.set_xscale("log")
    ax_surv.set_ylim(0, 1.02)
    ax_surv.set_xlabel("Age (steps)")
    ax_surv.set_ylabel("Fraction still alive")
    fig.suptitle("Synapse lifetimes")
    median = float(np.median(life.lifetimes))
    caption = (f"Lifetimes of the E\u2192E synapses created by structural plasticity between "
               f"steps {step_text(life.start)} and {step_text(life.end)}, seen in W^EE "
               f"snapshots every {step_text(c.snapshot_every)} steps (a synapse created and "
               f"pruned between two snapshots is not seen). {life.n_created} created, "
               f"{life.lifetimes.size} of them pruned again (median lifetime {median:.0f} "
               f"steps); right, the Kaplan-Meier survival of the new synapses.")
    return fig, caption


def avalanches_figure(c: ReportContents) -> tuple[Figure, str]:
    """Avalanche size and duration distributions (Del Papa 2017) over the recording."""
    found = c.avalanches
    if found is None or len(found) < MIN_AVALANCHES or c.avalanche_steps is None:
        count = 0 if found is None else len(found)
        raise Unavailable(f"{count} avalanches in the recorded steps; at least "
                          f"{MIN_AVALANCHES} are needed for their distributions")
    fig, (ax_s, ax_d) = _figure(3.4, 1, 2)
    for ax, values, label in ((ax_s, np.rint(found.sizes), "Size (spikes above threshold)"),
                              (ax_d, found.durations, "Duration (steps)")):
        draw_log_density(ax, log_int_histogram(values))
        ax.set_xlabel(label)
        ax.set_ylabel("Probability density")
    fig.suptitle(f"Neuronal avalanches (n = {step_text(len(found))})")
    first, last = c.avalanche_steps
    caption = (f"Avalanches over {_steps(first, last)}: runs of steps in which the number of "
               f"active excitatory units exceeds the threshold round(<a>/2) = "
               f"{found.theta:g} (Del Papa et al. 2017); their sizes (spikes above the "
               f"threshold) and durations, in logarithmic bins.")
    return fig, caption


#: The report's figures in page order.
FIGURES: tuple[ReportFigure, ...] = (
    ReportFigure("raster", "Spike raster and rates", raster_figure),
    ReportFigure("connections", "Connections", connections_figure),
    ReportFigure("thresholds", "Thresholds", thresholds_figure),
    ReportFigure("weights", "Weight distribution", weights_figure),
    ReportFigure("rates", "Firing-rate distribution", rates_figure),
    ReportFigure("isi", "Inter-spike intervals", isi_figure),
    ReportFigure("lifetimes", "Synapse lifetimes", lifetimes_figure),
    ReportFigure("avalanches", "Avalanches", avalanches_figure),
)
