"""sorn 0.7.4's Plotter: every method on real SORN output and on edge cases, the file names
and formats it saves, drawing into given axes, and sorn 0.7.4's documented calls."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import Polygon, Rectangle

from sorn_studio import Plotter, Simulator, Statistics
from sorn_studio.analysis import isi_statistics
from sorn_studio.compat import Plotter as DirectPlotter
from sorn_studio.compat.plotter import SORN_FILE_NAMES
from sorn_studio.figures import new_figure

ROOT = Path(__file__).resolve().parents[2]

#: sorn 0.7.4's signatures (sorn/utils.py), in order; ours add only the keyword ``ax``.
LEGACY_SIGNATURES = {
    "hist_incoming_conn": ["weights", "bin_size", "histtype", "savefig"],
    "hist_outgoing_conn": ["weights", "bin_size", "histtype", "savefig"],
    "network_connection_dynamics": ["connection_counts", "savefig"],
    "hist_firing_rate_network": ["spike_train", "bin_size", "savefig"],
    "scatter_plot": ["spike_train", "savefig"],
    "raster_plot": ["spike_train", "savefig"],
    "correlation": ["corr", "savefig"],
    "isi_exponential_fit": ["spike_train", "neuron", "bin_size", "savefig"],
    "weight_distribution": ["weights", "bin_size", "savefig"],
    "linear_lognormal_fit": ["weights", "num_points", "savefig"],
    "plot_network": ["corr", "corr_thres", "fig_name"],
    "hamming_distance": ["hamming_dist", "savefig"],
}
PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def sorn_run():
    """A short plastic run, as a sorn 0.7.4 user would record it."""
    np.random.seed(3)
    state, sims = Simulator.run(inputs=None, phase="plasticity", state=None, timesteps=300,
                                ne=50, nu=5, callbacks=["ExcitatoryActivation", "WEE",
                                                        "EEConnectionCounts"])
    return state, sims


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _png(path: Path) -> None:
    assert path.is_file() and path.stat().st_size > 1000
    assert path.read_bytes()[:4] == PNG


def _calls(sorn_run):
    """One call per method on the run's output, with the savefig argument left open."""
    state, sims = sorn_run
    spikes, w_ee = sims["ExcitatoryActivation"], state["Wee"]
    corr, _ = Statistics.avg_corr_coeff(spikes)
    distance = Statistics.hamming_distance(spikes, np.roll(spikes, 1, axis=1))
    return {
        "hist_incoming_conn": lambda s: Plotter.hist_incoming_conn(w_ee, 10, "bar", s),
        "hist_outgoing_conn": lambda s: Plotter.hist_outgoing_conn(w_ee, 10, "step", s),
        "network_connection_dynamics":
            lambda s: Plotter.network_connection_dynamics(sims["EEConnectionCounts"], s),
        "hist_firing_rate_network": lambda s: Plotter.hist_firing_rate_network(spikes, 10, s),
        "scatter_plot": lambda s: Plotter.scatter_plot(spikes, s),
        "raster_plot": lambda s: Plotter.raster_plot(spikes, s),
        "correlation": lambda s: Plotter.correlation(corr, s),
        "isi_exponential_fit": lambda s: Plotter.isi_exponential_fit(spikes, 1, 10, s),
        "weight_distribution": lambda s: Plotter.weight_distribution(w_ee, 20, s),
        "linear_lognormal_fit": lambda s: Plotter.linear_lognormal_fit(w_ee, 100, s),
        "hamming_distance": lambda s: Plotter.hamming_distance(distance, s),
    }


# --- the interface ----------------------------------------------------------------------------

def test_signatures_are_sorn_0_7_4s_plus_a_keyword_ax():
    assert Plotter is DirectPlotter
    for name, legacy in LEGACY_SIGNATURES.items():
        params = inspect.signature(getattr(Plotter, name)).parameters
        positional = [p.name for p in params.values()
                      if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        assert positional == legacy, name
        assert params["ax"].kind is inspect.Parameter.KEYWORD_ONLY and params["ax"].default \
            is None, name
    assert set(LEGACY_SIGNATURES) == {n for n in vars(Plotter) if not n.startswith("_")}


def test_importing_sorn_studio_and_the_api_loads_no_matplotlib():
    code = ("import sys; import sorn_studio.compat; from sorn_studio import Simulator, Plotter;"
            " print(any(m.split('.')[0] == 'matplotlib' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert out.stdout.strip() == "False"


def test_nothing_is_shown(sorn_run, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Plotter called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    for call in _calls(sorn_run).values():
        fig = call(False)
        assert fig.number in plt.get_fignums()   # pyplot holds it for the user's plt.show()


# --- every method on real SORN output ---------------------------------------------------------

def test_hist_incoming_conn_counts_columns_with_a_normal_fit(sorn_run, tmp_path):
    w_ee = sorn_run[0]["Wee"]
    fig = Plotter.hist_incoming_conn(w_ee, 10, "bar", tmp_path / "in.png")
    _png(tmp_path / "in.png")
    (ax,) = fig.axes
    counts = (w_ee > 0).sum(axis=0)                    # W[pre, post]: a column is the input
    assert ax.get_xlabel().startswith("Number of incoming connections")
    assert f"mu = {counts.mean():.2f}" in ax.get_title()
    # The spread tells columns from rows (the means are equal: both are synapses / ne).
    rows = (w_ee > 0).sum(axis=1)
    assert f"{rows.std():.2f}" != f"{counts.std():.2f}"
    assert f"std = {counts.std():.2f}" in ax.get_title()
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert 1 < len(bars) <= 10
    edges = [b.get_x() for b in bars] + [bars[-1].get_x() + bars[-1].get_width()]
    heights = np.histogram(counts, bins=edges, density=True)[0]
    np.testing.assert_allclose([b.get_height() for b in bars], heights)
    assert sum(b.get_height() * b.get_width() for b in bars) == pytest.approx(1.0)
    assert all(float(b.get_width()).is_integer() for b in bars)   # whole-number bins
    (fit,) = ax.get_lines()
    assert fit.get_xdata()[np.argmax(fit.get_ydata())] == pytest.approx(counts.mean(), abs=0.3)


@pytest.mark.parametrize(("histtype", "kind", "count"), [
    ("bar", Rectangle, None), ("barstacked", Rectangle, None),
    ("step", Polygon, 1), ("stepfilled", Polygon, 1)])
def test_histtype_is_used(sorn_run, histtype, kind, count):
    fig = Plotter.hist_outgoing_conn(sorn_run[0]["Wee"], 8, histtype)
    (ax,) = fig.axes
    assert all(isinstance(p, kind) for p in ax.patches)
    assert len(ax.patches) == (count or len(ax.patches)) and len(ax.patches) >= 1
    assert ax.patches[0].get_fill() == (histtype != "step")


def test_hist_outgoing_conn_counts_rows(sorn_run):
    w_ee = sorn_run[0]["Wee"]
    (ax,) = Plotter.hist_outgoing_conn(w_ee, 10, "bar").axes
    assert f"mu = {(w_ee > 0).sum(axis=1).mean():.2f}" in ax.get_title()
    assert f"std = {(w_ee > 0).sum(axis=1).std():.2f}" in ax.get_title()
    assert ax.get_xlabel().startswith("Number of outgoing connections")


def test_network_connection_dynamics_draws_the_counts(sorn_run, tmp_path):
    counts = sorn_run[1]["EEConnectionCounts"]
    (ax,) = Plotter.network_connection_dynamics(counts, tmp_path / "c.png").axes
    _png(tmp_path / "c.png")
    (line,) = ax.get_lines()
    assert np.array_equal(line.get_ydata(), counts)
    assert ax.get_xlabel() == "Time step" and ax.get_ylabel() == "Number of active connections"


def test_hist_firing_rate_network_leaves_out_silent_steps(sorn_run, tmp_path):
    spikes = sorn_run[1]["ExcitatoryActivation"]
    (ax,) = Plotter.hist_firing_rate_network(spikes, 10, tmp_path / "f.png").axes
    _png(tmp_path / "f.png")
    active = spikes.sum(axis=1)
    assert sum(p.get_height() for p in ax.patches) == (active > 0).sum()
    assert len(ax.patches) <= 10
    assert f"{(active == 0).sum()} silent steps left out" in ax.get_legend().get_title().get_text()
    assert ax.get_xlabel().startswith("Spikes / time step")


@pytest.mark.parametrize(("method", "kind"), [("scatter_plot", PathCollection),
                                              ("raster_plot", None)])
def test_spikes_and_the_rate_in_two_panels(sorn_run, tmp_path, method, kind):
    spikes = sorn_run[1]["ExcitatoryActivation"]
    fig = getattr(Plotter, method)(spikes, tmp_path / "s.png")
    _png(tmp_path / "s.png")
    raster, rate = fig.axes
    assert raster.get_ylabel() == "Neuron" and rate.get_xlabel() == "Time step"
    if kind is PathCollection:
        (dots,) = raster.collections
        assert dots.get_offsets().shape[0] == spikes.sum()
    else:
        (ticks,) = raster.get_lines()
        assert ticks.get_marker() == "|" and ticks.get_xdata().size == spikes.sum()
    (line,) = rate.get_lines()
    np.testing.assert_allclose(line.get_ydata(), spikes.mean(axis=1))
    assert rate.get_ylim()[1] <= 1.1 and "fraction" in rate.get_ylabel()


def test_correlation_masks_the_upper_triangle_without_seaborn(sorn_run, tmp_path):
    spikes = sorn_run[1]["ExcitatoryActivation"]
    corr, _ = Statistics.avg_corr_coeff(spikes)
    fig = Plotter.correlation(corr, tmp_path / "r.png")
    _png(tmp_path / "r.png")
    ax, bar = fig.axes                                  # the heatmap and its colour bar
    (image,) = ax.images
    shown = image.get_array()
    assert shown.mask[np.triu_indices(50)].all() and not shown.mask[np.tril_indices(50, -1)].any()
    low, high = image.get_clim()
    lower = corr[np.tril_indices(50, -1)]
    assert low == -high and high == pytest.approx(np.abs(lower).max())
    assert ax.get_xlabel() == ax.get_ylabel() == "Neuron" and bar.get_ylabel() == "Correlation"
    assert "seaborn" not in sys.modules


def test_isi_exponential_fit_is_the_ml_fit_on_a_density(sorn_run, tmp_path):
    spikes = sorn_run[1]["ExcitatoryActivation"]
    (ax,) = Plotter.isi_exponential_fit(spikes, 1, 10, tmp_path / "i.png").axes
    _png(tmp_path / "i.png")
    stats = isi_statistics(spikes[:, 1])
    assert stats.intervals.size >= 5
    assert ax.get_xlabel() == "Inter-spike interval (steps)"
    assert sum(p.get_height() * p.get_width() for p in ax.patches) == pytest.approx(1.0)
    assert all(p.get_x() % 1 == 0.5 for p in ax.patches)      # edges at half-integers
    assert len(ax.patches) <= 10
    (fit,) = ax.get_lines()
    t, y = fit.get_data()
    np.testing.assert_allclose(y, stats.fit.rate * np.exp(-stats.fit.rate * t))
    assert f"CV {stats.cv:.2f}" in ax.get_legend().get_title().get_text()


def test_weight_distribution_is_bars_of_the_weights_from_0_01(sorn_run, tmp_path):
    w_ee = sorn_run[0]["Wee"]
    (ax,) = Plotter.weight_distribution(w_ee, 20, tmp_path / "w.png").axes
    _png(tmp_path / "w.png")
    assert len(ax.patches) == 20
    assert sum(p.get_height() for p in ax.patches) == (w_ee >= 0.01).sum()
    assert ax.patches[0].get_x() == pytest.approx(w_ee[w_ee >= 0.01].min())
    assert ax.get_xlabel() == "Connection strength"


def test_linear_lognormal_fit_draws_data_fit_and_marks_twice(sorn_run, tmp_path):
    w_ee = sorn_run[0]["Wee"]
    fig = Plotter.linear_lognormal_fit(w_ee, 100, tmp_path / "l.png")
    _png(tmp_path / "l.png")
    linear, log = fig.axes
    assert (linear.get_xscale(), log.get_xscale()) == ("linear", "log")
    log_w = np.log(w_ee[w_ee >= 0.01])
    mode = np.exp(log_w.mean() - log_w.var())
    for ax in (linear, log):
        assert ax.get_xlabel() == "Weight" and len(ax.patches) >= 10     # the data
        (pdf,) = ax.get_lines()
        assert pdf.get_xdata().size == 100                               # the fit
        marks = [c for c in ax.collections if isinstance(c, LineCollection)]
        assert len(marks) == 3                                           # mode, median, mean
        assert marks[0].get_segments()[0][0, 0] == pytest.approx(mode)
    assert (linear.get_title(), log.get_title()) == ("Linear scale", "Logarithmic scale")


def test_plot_network_saves_only_when_named(sorn_run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spikes = sorn_run[1]["ExcitatoryActivation"]
    corr, _ = Statistics.avg_corr_coeff(spikes)
    fig = Plotter.plot_network(corr, 0.3)
    assert list(tmp_path.iterdir()) == []                      # no None.png
    (ax,) = fig.axes
    nodes = next(c for c in ax.collections if isinstance(c, PathCollection))
    edges = next(c for c in ax.collections if isinstance(c, LineCollection))
    i, j = np.triu_indices(50, 1)
    assert nodes.get_offsets().shape == (50, 2)
    assert len(edges.get_segments()) == int((corr[i, j] > 0.3).sum()) > 0
    assert len(ax.texts) == 50                                 # numbered neurons
    Plotter.plot_network(corr, 0.3, fig_name="network.png")
    _png(tmp_path / "network.png")
    Plotter.plot_network(corr, 0.3, tmp_path / "graph")       # no suffix: .png, as sorn
    _png(tmp_path / "graph.png")


def test_hamming_distance_draws_the_distances(sorn_run, tmp_path):
    spikes = sorn_run[1]["ExcitatoryActivation"]
    distance = Statistics.hamming_distance(spikes, np.roll(spikes, 1, axis=1))
    (ax,) = Plotter.hamming_distance(distance, tmp_path / "h.png").axes
    _png(tmp_path / "h.png")
    assert np.array_equal(ax.get_lines()[0].get_ydata(), distance)
    assert ax.get_xlabel() == "Time step" and ax.get_ylabel().startswith("Hamming distance")


# --- saving ------------------------------------------------------------------------------------

def test_savefig_true_writes_sorn_0_7_4s_file_names(sorn_run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for call in _calls(sorn_run).values():
        call(True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SORN_FILE_NAMES.values())
    assert "Correlation between neurons.png" in SORN_FILE_NAMES.values()
    for path in tmp_path.iterdir():
        _png(path)


def test_savefig_false_writes_nothing(sorn_run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _calls(sorn_run)["raster_plot"](False)
    Plotter.raster_plot(sorn_run[1]["ExcitatoryActivation"])       # savefig defaults to False
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "magic"), [("f.svg", b"<?xml"), ("f.pdf", b"%PDF"),
                                             ("f.PNG", PNG), ("f", PNG)])
def test_a_path_chooses_the_format(sorn_run, tmp_path, name, magic):
    _calls(sorn_run)["correlation"](str(tmp_path / name))
    (written,) = tmp_path.iterdir()
    assert written.name == (name if "." in name else name + ".png")
    assert written.read_bytes().startswith(magic)


@pytest.mark.parametrize(("savefig", "error", "message"), [
    (1, TypeError, r"savefig must be True, False or a file path .* got int 1"),
    (None, TypeError, r"savefig must be True, False or a file path .* got NoneType None"),
    ("f.jpg", ValueError, r"savefig 'f.jpg' must end in one of \.png, \.svg, \.pdf"),
])
def test_bad_savefig_is_refused_before_drawing(sorn_run, savefig, error, message):
    before = plt.get_fignums()
    for call in _calls(sorn_run).values():
        with pytest.raises(error, match=message):
            call(savefig)
    assert plt.get_fignums() == before


def test_a_failed_save_leaves_no_figure_behind(sorn_run, tmp_path):
    before = plt.get_fignums()
    with pytest.raises(FileNotFoundError):
        _calls(sorn_run)["raster_plot"](tmp_path / "missing" / "r.png")
    assert plt.get_fignums() == before


def test_fig_name_must_be_a_path(sorn_run):
    with pytest.raises(TypeError, match="fig_name must be None or a file path"):
        Plotter.plot_network(np.eye(3), 0.1, fig_name=True)


# --- drawing into given axes ------------------------------------------------------------------

def test_ax_draws_into_the_given_axes_and_returns_their_figure(sorn_run, tmp_path):
    before = plt.get_fignums()
    state, sims = sorn_run
    spikes = sims["ExcitatoryActivation"]
    corr, _ = Statistics.avg_corr_coeff(spikes)
    single = {
        "hist_incoming_conn": lambda ax: Plotter.hist_incoming_conn(state["Wee"], 10, ax=ax),
        "network_connection_dynamics": lambda ax: Plotter.network_connection_dynamics(
            sims["EEConnectionCounts"], ax=ax),
        "hist_firing_rate_network": lambda ax: Plotter.hist_firing_rate_network(spikes, 5,
                                                                                ax=ax),
        "correlation": lambda ax: Plotter.correlation(corr, ax=ax),
        "isi_exponential_fit": lambda ax: Plotter.isi_exponential_fit(spikes, 0, 5, ax=ax),
        "weight_distribution": lambda ax: Plotter.weight_distribution(state["Wee"], 5, ax=ax),
        "plot_network": lambda ax: Plotter.plot_network(corr, 0.5, ax=ax),
        "hamming_distance": lambda ax: Plotter.hamming_distance([0, 2, 1], ax=ax),
    }
    for name, call in single.items():
        fig = new_figure((4, 3), pyplot=False)
        ax = fig.add_subplot()
        assert call(ax) is fig, name
        assert ax.has_data() or ax.images, name
    fig = new_figure((8, 3), pyplot=False)
    axes = fig.subplots(1, 2)
    assert Plotter.linear_lognormal_fit(state["Wee"], 50, str(tmp_path / "pair.png"),
                                        ax=axes) is fig
    _png(tmp_path / "pair.png")                          # the caller's figure, saved
    assert all(len(a.patches) for a in axes)
    assert plt.get_fignums() == before                   # no figure of our own was made


def test_spikes_with_one_axes_put_the_rate_on_a_twin_axis(sorn_run):
    spikes = sorn_run[1]["ExcitatoryActivation"]
    fig = new_figure((6, 3), pyplot=False)
    ax = fig.add_subplot()
    Plotter.raster_plot(spikes, ax=ax)
    twin = next(a for a in fig.axes if a is not ax)
    assert ax.get_ylabel() == "Neuron" and "Population rate" in twin.get_ylabel()
    fig = new_figure((6, 4), pyplot=False)
    pair = fig.subplots(2, 1)
    Plotter.scatter_plot(spikes, ax=pair)
    assert len(fig.axes) == 2 and pair[1].get_lines()


def test_wrong_axes_are_refused(sorn_run):
    spikes, w_ee = sorn_run[1]["ExcitatoryActivation"], sorn_run[0]["Wee"]
    ax = new_figure((4, 3), pyplot=False).add_subplot()
    with pytest.raises(TypeError, match=r"linear_lognormal_fit draws two panels \(linear and "
                                        r"log x\): ax must be None or a pair of matplotlib "
                                        r"Axes, not Axes"):
        Plotter.linear_lognormal_fit(w_ee, 10, ax=ax)
    with pytest.raises(TypeError, match="ax must be matplotlib Axes or None, not str"):
        Plotter.correlation(np.eye(3), ax="axes")
    with pytest.raises(TypeError, match=r"ax must be None, matplotlib Axes .* or a pair"):
        Plotter.raster_plot(spikes, ax=[ax, ax, ax])


# --- edge cases -------------------------------------------------------------------------------

def _notes(fig) -> str:
    return " | ".join(t.get_text() for ax in fig.axes for t in ax.texts)


@pytest.mark.parametrize("method", ["scatter_plot", "raster_plot"])
def test_empty_silent_and_single_neuron_spike_trains(method, tmp_path):
    draw = getattr(Plotter, method)
    fig = draw(np.zeros((0, 5)), tmp_path / "empty.png")
    _png(tmp_path / "empty.png")
    assert _notes(fig) == "no time steps | no time steps"
    fig = draw(np.zeros((100, 5)), tmp_path / "silent.png")
    _png(tmp_path / "silent.png")
    assert "no spikes" in _notes(fig) and not fig.axes[1].get_lines()[0].get_ydata().any()
    one = (np.arange(100) % 7 == 0)[:, None]
    fig = draw(one.tolist(), tmp_path / "one.png")         # a list of lists of booleans
    _png(tmp_path / "one.png")
    assert fig.axes[0].get_ylim() == (-0.5, 0.5)


def test_histogram_of_activity_for_empty_silent_single_and_lists(tmp_path):
    fig = Plotter.hist_firing_rate_network(np.zeros((0, 4)), 10, tmp_path / "e.png")
    _png(tmp_path / "e.png")
    assert _notes(fig) == "no time steps"
    fig = Plotter.hist_firing_rate_network(np.zeros((30, 4)), 10, tmp_path / "s.png")
    assert _notes(fig) == "no neuron fired in any of the 30 steps"
    train = [[1.0], [0.0], [1.0], [1.0]]                      # one neuron, a list of floats
    (ax,) = Plotter.hist_firing_rate_network(train, 10, tmp_path / "l.png").axes
    _png(tmp_path / "l.png")
    assert [p.get_height() for p in ax.patches] == [3]


def test_isi_of_a_neuron_with_too_few_spikes_is_an_annotated_figure(tmp_path):
    spikes = np.zeros((50, 3), bool)
    spikes[10, 2] = True
    fig = Plotter.isi_exponential_fit(spikes, 2, 10, tmp_path / "one.png")
    _png(tmp_path / "one.png")
    assert _notes(fig) == "no inter-spike intervals: the neuron fired 1 time in 50 steps"
    assert not fig.axes[0].patches
    fig = Plotter.isi_exponential_fit(np.zeros((0, 3)), 0, 10, tmp_path / "empty.png")
    assert _notes(fig) == "no time steps"
    train = [[0], [1], [0], [0], [1], [0], [1]]              # a list; intervals 3 and 2
    (ax,) = Plotter.isi_exponential_fit(train, -1, 10, tmp_path / "list.png").axes
    _png(tmp_path / "list.png")
    assert sum(p.get_height() for p in ax.patches) == pytest.approx(1.0)
    assert ax.get_lines()


@pytest.mark.parametrize("weights", [np.zeros((5, 5)), [[0.0]], np.full((4, 4), 0.001)],
                         ids=["all zero", "single neuron", "all below 0.01"])
def test_weight_figures_of_weights_with_nothing_to_fit(weights, tmp_path):
    # One figure for the four methods (through ax=), so one file is rendered per case.
    fig = new_figure((12, 6), pyplot=False)
    incoming, outgoing, histogram, linear, log = fig.subplots(1, 5)
    Plotter.hist_incoming_conn(weights, 10, "bar", ax=incoming)
    Plotter.hist_outgoing_conn(weights, 10, "bar", ax=outgoing)
    Plotter.weight_distribution(weights, 10, ax=histogram)
    Plotter.linear_lognormal_fit(weights, 10, tmp_path / "w.png", ax=(linear, log))
    _png(tmp_path / "w.png")
    for ax in (incoming, outgoing):
        assert "no spread to fit a normal" in ax.get_legend().get_title().get_text()
        assert not ax.get_lines()
    assert [t.get_text() for t in histogram.texts] == ["no weight >= 0.01"]
    for ax in (linear, log):
        assert [t.get_text() for t in ax.texts] == ["no weight >= 0.01"]


def test_weights_as_lists_and_flat_arrays(sorn_run):
    w_ee = sorn_run[0]["Wee"]
    (ax,) = Plotter.weight_distribution(w_ee.tolist(), 10).axes
    assert sum(p.get_height() for p in ax.patches) == (w_ee >= 0.01).sum()
    fig = Plotter.linear_lognormal_fit(list(w_ee.ravel()), 20)
    assert all(a.get_lines() for a in fig.axes)
    (ax,) = Plotter.hist_incoming_conn(w_ee.tolist(), 10, "step").axes
    assert f"mu = {(w_ee > 0).sum(axis=0).mean():.2f}" in ax.get_title()


def test_correlation_and_network_of_one_neuron_and_of_zeros(tmp_path):
    fig = Plotter.correlation([[1.0]], tmp_path / "one.png")
    _png(tmp_path / "one.png")
    assert _notes(fig) == "a single neuron: no pairs to correlate"
    fig = Plotter.correlation(np.zeros((4, 4)), tmp_path / "zero.png")
    assert _notes(fig) == "every correlation is 0"
    fig = Plotter.plot_network(np.zeros((4, 4)), 0.1, tmp_path / "net.png")
    _png(tmp_path / "net.png")
    assert "no pair above 0.1" in _notes(fig)


def test_empty_series(tmp_path):
    for k, draw in enumerate([Plotter.network_connection_dynamics, Plotter.hamming_distance]):
        fig = draw([], tmp_path / f"{k}.png")
        _png(tmp_path / f"{k}.png")
        assert _notes(fig) == "no time steps"


def test_a_dense_network_draws_the_strongest_pairs():
    corr = np.random.default_rng(0).uniform(0.2, 1.0, size=(200, 200))
    (ax,) = Plotter.plot_network(corr, 0.1).axes
    edges = next(c for c in ax.collections if isinstance(c, LineCollection))
    assert len(edges.get_segments()) == 10_000
    assert "lines for the 10,000 strongest of 19,900 pairs" in _notes(ax.figure)
    assert "19,900 of 19,900 pairs" in ax.get_title()


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: Plotter.raster_plot(np.zeros(10)), ValueError,
     r"spike_train must be 2-dimensional, got shape \(10,\)"),
    (lambda: Plotter.scatter_plot([[0, 2]]), ValueError,
     r"spike_train must contain only 0 and 1 \(or booleans\), found 2"),
    (lambda: Plotter.hist_firing_rate_network([[np.nan]], 3), ValueError,
     "spike_train contains NaN"),
    (lambda: Plotter.hist_firing_rate_network([[1]], -3), ValueError,
     r"bin_size must be >= 1, got -3 \(the number of histogram bins"),
    (lambda: Plotter.isi_exponential_fit(np.zeros((5, 4)), 4, 10), ValueError,
     r"neuron must be in \[-4, 3\] for a spike_train of 4 neurons, got 4"),
    (lambda: Plotter.isi_exponential_fit(np.zeros((5, 4)), 1.0, 10), ValueError,
     "neuron must be an integer, got 1.0"),
    (lambda: Plotter.hist_incoming_conn(np.zeros(5), 10), ValueError,
     r"weights must be 2-dimensional, got shape \(5,\)"),
    (lambda: Plotter.hist_incoming_conn(np.eye(3), 10, "bars"), ValueError,
     "histtype must be one of 'bar', 'barstacked', 'step', 'stepfilled', got 'bars'"),
    (lambda: Plotter.weight_distribution([[0.1, np.nan]], 10), ValueError,
     "weights contains NaN"),
    (lambda: Plotter.weight_distribution(np.zeros((2, 2, 2)), 10), ValueError,
     r"weights must be 1 or 2-dimensional, got shape \(2, 2, 2\)"),
    (lambda: Plotter.linear_lognormal_fit(np.eye(3), 1), ValueError,
     "num_points must be >= 2, got 1"),
    (lambda: Plotter.correlation(np.zeros((2, 3))), ValueError,
     r"corr must be a square \(neurons, neurons\) matrix, got shape \(2, 3\)"),
    (lambda: Plotter.correlation([[1, np.nan], [np.nan, 1]]), ValueError,
     r"corr contains NaN \(numpy.corrcoef gives NaN for a neuron that never changes state"),
    (lambda: Plotter.correlation([[1, np.inf], [0, 1]]), ValueError,
     r"corr must be finite \(no NaN or infinity\)$"),
    (lambda: Plotter.hist_outgoing_conn([["a", "b"]], 3), ValueError,
     "weights must be numeric or boolean, got dtype <U1"),
    (lambda: Plotter.plot_network(np.eye(3), "0.1"), ValueError,
     "corr_thres must be a finite number, got '0.1'"),
    (lambda: Plotter.network_connection_dynamics([3, -1]), ValueError,
     r"connection_counts must be >= 0 \(it counts something\), found -1"),
    (lambda: Plotter.hamming_distance([[1, 2]]), ValueError,
     r"hamming_dist must be 1-dimensional, got shape \(1, 2\)"),
])
def test_bad_input_is_refused_naming_the_argument(call, error, message):
    before = plt.get_fignums()
    with pytest.raises(error, match=message):
        call()
    assert plt.get_fignums() == before


# --- sorn 0.7.4's documentation ---------------------------------------------------------------

#: The "Plotting functions" section of sorn 0.7.4's docs/source/usage.rst, verbatim but for
#: the import line (``from sorn import ...`` -> ``from sorn_studio import ...``).
SORN_USAGE = """
    from sorn_studio import Plotter
    # For example, the network has 200 neurons in the excitatory pool.
    Wee = np.random.randn(200,200) # Note that generally Wee is sparse
    Wee=Wee/Wee.max() # state_dict['Wee'] returned by the SORN is already normalized
    Plotter.weight_distribution(weights= Wee, bin_size = 5, savefig = True)

    E = np.random.randint(2, size=(200,1000)) # For example, activity of 200 excitatory neurons in 1000 time steps
    Plotter.scatter_plot(spike_train = E, savefig=True)

    # Raster plot of activity of only first 10 neurons in the excitatory pool
    Plotter.raster_plot(spike_train = E[:,0:10], savefig=True)

    # Histogram of number of presynaptic connections per neuron in the excitatory pool
    Plotter.hist_incoming_conn(weights=Wee, bin_size=10, histtype='bar', savefig=True)

    Plotter.hist_firing_rate_network(E, bin_size=10, savefig=True)

    from sorn_studio import Statistics
    avg_corr_coeff,_ = Statistics.avg_corr_coeff(E)
    Plotter.correlation(avg_corr_coeff,savefig=True)

    # Inter spike intervals with exponential curve fit for neuron 1 in the Excitatory pool
    Plotter.isi_exponential_fit(E,neuron=1,bin_size=10, savefig=True)

    # Distribution of connection weights in linear and lognormal scale
    Plotter.linear_lognormal_fit(weights=Wee,num_points=100, savefig=True)

    # Draw network connectivity using the pearson correlation function between neurons in the excitatory pool
    Plotter.plot_network(avg_corr_coeff,corr_thres=0.01,fig_name='network.png')
"""  # noqa: E501 - sorn 0.7.4's lines as they are


def test_sorn_0_7_4s_documented_calls_run_with_the_import_changed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.random.seed(0)
    exec(compile(textwrap.dedent(SORN_USAGE), "usage.rst", "exec"), {"np": np})  # noqa: S102
    expected = {"weight_distribution.png", "ScatterSpikeTrain.png", "RasterSpikeTrain.png",
                "hist_incoming_conn.png", "hist_firing_rate_network.png",
                "Correlation between neurons.png", "isi_exponential_fit.png",
                "LinearLognormalFit.png", "network.png"}
    assert {p.name for p in tmp_path.iterdir()} == expected
    for path in tmp_path.iterdir():
        _png(path)
