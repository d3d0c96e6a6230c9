"""Log-axis histograms of integers and of positive reals (sorn_studio.analysis.histograms)."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import analysis as an
from sorn_studio.analysis.histograms import (
    Histogram,
    binned_median,
    int_log_edges,
    log10_counts,
    log_int_histogram,
    unit_histogram,
)


@pytest.mark.parametrize("top", [2, 3, 17, 1000, 123_456])
def test_int_log_edges_give_every_bin_an_integer(top):
    edges = int_log_edges(top)
    assert edges[0] == 0.5 and edges[-1] >= top + 0.5
    assert np.all(np.diff(edges) >= 1.0)  # each bin holds at least one integer
    assert np.all(edges % 1 == 0.5)  # edges between integers
    assert np.all(np.diff(edges) > 0)


def test_log_int_histogram_is_a_density_over_all_values():
    values = np.array([1, 1, 2, 3, 10, 10, 10, 250, 0, -4])  # 0 and -4 are ignored
    hist = log_int_histogram(values)
    assert hist.n == 8
    assert np.isclose((hist.density * np.diff(hist.edges)).sum(), 1.0)
    # The bin of 1 holds exactly the two 1s.
    assert hist.edges[1] == 1.5 and np.isclose(hist.density[0], 2 / 8)


def test_unit_histogram_counts_each_integer_and_keeps_the_tail_in_the_total():
    values = np.array([1] * 50 + [2] * 30 + [3] * 19 + [1000])
    hist = unit_histogram(values, quantile=0.99)
    assert hist.n == 100
    assert list(hist.edges) == [0.5, 1.5, 2.5, 3.5]
    assert np.allclose(hist.density, [0.50, 0.30, 0.19])  # 1000 lies beyond the shown bins


def test_log_histogram_is_a_density_on_log_bins():
    rng = np.random.default_rng(8)
    values = rng.lognormal(size=1000)
    edges, density = an.log_histogram(np.concatenate([values, [0.0, -1.0]]), 20)
    assert edges.size == 21 and density.size == 20
    np.testing.assert_allclose(np.diff(np.log(edges)), np.log(edges[1] / edges[0]))
    assert (density * np.diff(edges)).sum() == pytest.approx(1.0)


def test_log_histogram_counts_what_numpy_counts_on_the_same_bins():
    rng = np.random.default_rng(9)
    values = rng.lognormal(size=5000)
    edges, density = an.log_histogram(values, 25)
    expected, _ = np.histogram(values, bins=edges, density=True)
    np.testing.assert_allclose(density, expected)
    edges, density = an.log_histogram([0.3, 0.3, 0.3])  # one distinct value: one bin
    assert edges.size == 2 and density[0] * np.diff(edges)[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="positive"):
        an.log_histogram([0.0, -2.0])


def test_log10_counts_bin_positive_values_by_decade_and_skip_absent_synapses():
    w = np.array([[0.0, 1e-3, 2e-3], [0.05, 0.5, -1.0]])
    edges = np.linspace(-6.0, 0.0, 7)  # one bin per decade
    np.testing.assert_array_equal(log10_counts(w, edges), [0, 0, 0, 2, 1, 1])
    np.testing.assert_array_equal(log10_counts(np.zeros((3, 3)), edges), np.zeros(6))


def test_histogram_from_counts_and_binned_median():
    edges = np.array([0.5, 1.5, 3.5, 10.5])
    counts = np.array([2, 4, 2])
    hist = Histogram.from_counts(edges, counts)
    assert hist.n == 8 and not hist.density.flags.writeable
    np.testing.assert_allclose(hist.density, [2 / 8, 4 / 16, 2 / 56])
    # Half of the 8 values lie at or below the middle of the second bin.
    assert binned_median(edges, counts) == pytest.approx(2.5)
    assert np.isnan(binned_median(edges, np.zeros(3)))
