"""Histograms with fits: what is drawn agrees with the analysis functions' numbers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from sorn_studio.analysis import (
    ANALYSIS_FLOOR,
    fit_weight_distribution,
    isi_statistics,
)
from sorn_studio.figures import new_figure
from sorn_studio.figures.distributions import (
    draw_isi_distribution,
    draw_lognormal_fit,
    draw_normal_fit_histogram,
    draw_weight_distribution,
    integer_edges,
)


def _axes():
    return new_figure((6, 4), pyplot=False).add_subplot()


def _weights(seed=0):
    rng = np.random.default_rng(seed)
    w = np.zeros((60, 60))
    mask = rng.random(w.shape) < 0.2
    w[mask] = rng.lognormal(mean=-3.0, sigma=0.8, size=int(mask.sum()))
    return w


def test_integer_edges_are_half_integers_of_equal_whole_width():
    assert np.array_equal(integer_edges(3, 7, 10), np.arange(2.5, 8.0))
    edges = integer_edges(0, 99, 10)
    assert np.array_equal(np.diff(edges), np.full(10, 10.0)) and edges[0] == -0.5
    assert np.array_equal(integer_edges(5, 5, 4), [4.5, 5.5])
    with pytest.raises(ValueError, match="bins must be >= 1, got 0"):
        integer_edges(0, 3, 0)


def test_normal_fit_histogram_is_a_density_with_the_ml_normal():
    values = np.random.default_rng(1).integers(10, 30, size=200)
    ax = _axes()
    drawn = draw_normal_fit_histogram(ax, values, bins=8, integer=True, histtype="step")
    assert drawn.mean == pytest.approx(values.mean()) and drawn.std == pytest.approx(values.std())
    assert len(drawn.patches) == 1                 # "step" draws one outline, not bars
    heights, _ = np.histogram(values, bins=drawn.edges, density=True)
    assert np.sum(heights * np.diff(drawn.edges)) == pytest.approx(1.0)
    x, y = drawn.fit.get_data()
    assert x[np.argmax(y)] == pytest.approx(values.mean(), abs=0.2)
    bars = draw_normal_fit_histogram(_axes(), values, bins=8, histtype="bar")
    assert len(bars.patches) == 8


def test_normal_fit_of_equal_values_is_a_histogram_and_a_note():
    ax = _axes()
    drawn = draw_normal_fit_histogram(ax, np.zeros(5), bins=3, integer=True)
    assert drawn.fit is None and "no spread" in ax.get_legend().get_title().get_text()


def test_normal_fit_histogram_refuses_bad_arguments():
    with pytest.raises(ValueError, match="histtype must be one of 'bar', 'barstacked', "
                                         "'step', 'stepfilled', got 'bars'"):
        draw_normal_fit_histogram(_axes(), [1, 2], histtype="bars")
    with pytest.raises(ValueError, match="values must be finite"):
        draw_normal_fit_histogram(_axes(), [1, np.inf])
    with pytest.raises(ValueError, match="values must be whole numbers"):
        draw_normal_fit_histogram(_axes(), [1.5, 2], integer=True)


@pytest.mark.parametrize("floor", [0.0, ANALYSIS_FLOOR])
def test_weight_distribution_draws_fractions_and_both_fits(floor):
    w = _weights()
    ax = _axes()
    drawn = draw_weight_distribution(ax, w, floor=floor)
    above = w[w > floor]
    assert drawn.n == above.size and drawn.fit == fit_weight_distribution(above)
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "Fraction of synapses"
    assert sum(p.get_height() for p in drawn.patches) == pytest.approx(1.0)
    if floor:
        assert drawn.patches[0].get_x() == pytest.approx(floor)
    # Lognormal data: the lognormal fit follows the bars far better than the normal.
    bars = np.array([p.get_height() for p in drawn.patches])
    err_log = np.abs(drawn.lognormal.get_ydata() - bars).sum()
    err_norm = np.abs(drawn.normal.get_ydata() - bars).sum()
    assert err_log < err_norm / 2
    assert "Lognormal fits better" in ax.get_legend().get_title().get_text()


def test_weight_distribution_without_weights_or_fit_says_so():
    ax = _axes()
    drawn = draw_weight_distribution(ax, np.zeros((4, 4)), floor=ANALYSIS_FLOOR)
    assert drawn.patches is None and ax.texts[0].get_text() == "no weight above 0.01"
    ax = _axes()
    drawn = draw_weight_distribution(ax, [0.2, 0.2, 0.2])
    assert drawn.fit is None and len(drawn.patches) >= 1
    assert "no fit" in ax.get_legend().get_title().get_text()
    with pytest.raises(ValueError, match="floor must be >= 0, got -1"):
        draw_weight_distribution(_axes(), [0.1], floor=-1)
    with pytest.raises(ValueError, match="floor must be a finite number, got nan"):
        draw_weight_distribution(_axes(), [0.1], floor=float("nan"))


@pytest.mark.parametrize("log_x", [False, True])
def test_lognormal_fit_draws_data_fit_and_marks(log_x):
    w = _weights()
    w = w[w >= 0.01]
    ax = _axes()
    drawn = draw_lognormal_fit(ax, w, log_x=log_x, num_points=50, bins=20)
    assert len(drawn.patches) == 20 and len(drawn.pdf.get_xdata()) == 50
    assert ax.get_xscale() == ("log" if log_x else "linear")
    mu, sigma = np.log(w).mean(), np.log(w).std()
    expected = {"mode": np.exp(mu - sigma**2), "median": np.exp(mu),
                "mean": np.exp(mu + sigma**2 / 2)}
    for name, value in expected.items():
        (segment,) = drawn.marks[name].get_segments()
        assert segment[0, 0] == pytest.approx(value) and segment[0, 1] == 0
    # The histogram is a density per unit weight on either axis.
    area = sum(p.get_height() * p.get_width() for p in drawn.patches)
    assert area == pytest.approx(1.0)


def test_lognormal_fit_of_nothing_is_a_note():
    ax = _axes()
    drawn = draw_lognormal_fit(ax, np.zeros(3))
    assert drawn.patches is None and ax.texts[0].get_text() == "no positive weight"


def test_isi_distribution_shows_the_analysis_fit_and_cv():
    spikes = np.random.default_rng(2).random((3000, 10)) < 0.1
    ax = _axes()
    drawn = draw_isi_distribution(ax, spikes)
    stats = isi_statistics(spikes)
    assert drawn.stats.cv == stats.cv and drawn.stats.fit == stats.fit
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "Inter-spike interval (steps)"
    assert f"CV {stats.cv:.2f}" in ax.get_legend().get_title().get_text()
    assert drawn.patches[0].get_x() == 0.5 and drawn.patches[0].get_width() == 1.0
    t, y = drawn.fit.get_data()
    np.testing.assert_allclose(y, stats.fit.rate * np.exp(-stats.fit.rate * t))
    few = draw_isi_distribution(_axes(), spikes[:, 0], bins=5, log_y=False)
    assert len(few.patches) <= 5 and few.patches[0].get_x() == 0.5


def test_isi_distribution_without_intervals_is_a_note():
    ax = _axes()
    spikes = np.zeros((20, 3))
    spikes[4, 1] = 1
    assert draw_isi_distribution(ax, spikes).patches is None
    assert "no neuron fired twice" in ax.texts[0].get_text()
    ax = _axes()
    assert draw_isi_distribution(ax, np.zeros((0, 3))).stats is None
    assert ax.texts[0].get_text() == "no time steps"


def test_log_density_leaves_out_empty_bins_and_notes_when_all_are_empty():
    from sorn_studio.analysis import Histogram, log_int_histogram
    from sorn_studio.figures.distributions import draw_log_density

    fig = new_figure((3, 2), pyplot=False)
    ax = fig.add_subplot()
    hist = log_int_histogram(np.array([1, 1, 2, 50, 51, 400]))
    line = draw_log_density(ax, hist, label="sizes")
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert len(line.get_xdata()) == int(np.count_nonzero(hist.density)) < len(hist.density)
    assert np.all(line.get_ydata() > 0) and line.get_label() == "sizes"
    empty = Histogram.from_counts(np.array([0.5, 1.5, 2.5]), np.array([0, 0]))
    ax2 = fig.add_subplot(2, 1, 2)
    assert draw_log_density(ax2, empty) is None
    assert "every bin is empty" in ax2.texts[0].get_text()
