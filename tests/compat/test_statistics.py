"""The sorn 0.7.4-compatible Statistics class: sorn 0.7.4's behaviour where it was right, fixes
where not."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from sorn_studio import Statistics
from sorn_studio.compat import Statistics as DirectStatistics

LEGACY_SIGNATURES = {
    "firing_rate_neuron": ["spike_train", "neuron", "bin_size"],
    "firing_rate_network": ["spike_train"],
    "scale_dependent_smoothness_measure": ["firing_rates"],
    "scale_independent_smoothness_measure": ["firing_rates"],
    "autocorr": ["firing_rates", "t"],
    "avg_corr_coeff": ["spike_train"],
    "spike_times": ["spike_train"],
    "spike_time_intervals": ["spike_train"],
    "hamming_distance": ["actual_spike_train", "perturbed_spike_train"],
    "fanofactor": ["spike_train", "neuron", "window_size"],
    "spike_source_entropy": ["spike_train", "num_neurons"],
}


@pytest.fixture
def train() -> np.ndarray:
    rng = np.random.default_rng(20)
    return (rng.random((1003, 37)) < 0.1).astype(float)  # 0/1 floats, as sorn 0.7.4 records


def test_package_export_and_legacy_argument_names():
    assert Statistics is DirectStatistics
    for name, params in LEGACY_SIGNATURES.items():
        assert list(inspect.signature(getattr(Statistics, name)).parameters) == params, name
    assert isinstance(Statistics(), Statistics)


def test_firing_rate_neuron_matches_legacy_formula(train):
    period, bin_size, rate = Statistics.firing_rate_neuron(train, 4, 10)
    assert (period, bin_size) == (1003, 10)
    assert rate == pytest.approx(train[:, 4].sum() * 10 / 1003)
    with pytest.raises(ValueError, match="neuron"):
        Statistics.firing_rate_neuron(train, 37, 10)
    with pytest.raises(ValueError, match="bin_size"):
        Statistics.firing_rate_neuron(train, 0, 0)


def test_firing_rate_network_counts_per_step(train):
    np.testing.assert_array_equal(Statistics.firing_rate_network(train), train.sum(axis=1))


def test_smoothness_measures():
    series = np.array([1.0, 3.0, 4.0, 8.0])  # diffs 2, 1, 4
    assert Statistics.scale_dependent_smoothness_measure(series) == pytest.approx(np.std([2, 1, 4]))
    assert Statistics.scale_independent_smoothness_measure(series) == pytest.approx(
        np.std([2, 1, 4]) / np.mean([2, 1, 4])
    )
    assert Statistics.scale_independent_smoothness_measure([5.0, 5.0, 5.0]) == 0.0
    assert Statistics.scale_independent_smoothness_measure([0.0, 1.0, 0.0]) == np.inf
    with pytest.raises(ValueError, match="firing_rates"):
        Statistics.scale_dependent_smoothness_measure([1.0])


def test_autocorr_matches_numpy_corrcoef():
    rng = np.random.default_rng(21)
    series = np.cumsum(rng.normal(size=300))
    expected = np.corrcoef(series[:-2], series[2:])
    np.testing.assert_allclose(Statistics.autocorr(series), expected)
    np.testing.assert_allclose(
        Statistics.autocorr(series, t=5)[0, 1], np.corrcoef(series[:-5], series[5:])[0, 1]
    )


def test_avg_corr_coeff_any_n_and_silent_neuron(train):
    # sorn 0.7.4 divided by 200; with 37 neurons the mean must still be a mean.
    matrix, mean = Statistics.avg_corr_coeff(train)
    expected = np.corrcoef(train.T)
    np.testing.assert_allclose(matrix, expected, atol=1e-12)
    assert mean == pytest.approx(expected[np.triu_indices(37, 1)].mean())
    identical = np.repeat(train[:, :1], 5, axis=1)
    identical[:, 4] = 0  # one silent neuron
    matrix, mean = Statistics.avg_corr_coeff(identical)
    assert mean == pytest.approx(1.0)
    assert not np.isnan(matrix).any()


def test_spike_times_and_intervals():
    train = np.zeros((10, 2))
    train[[1, 4, 9], 0] = 1
    train[[2, 3], 1] = 1
    times, neurons = Statistics.spike_times(train)
    np.testing.assert_array_equal(times, [1, 2, 3, 4, 9])
    np.testing.assert_array_equal(neurons, [0, 1, 1, 0, 0])
    np.testing.assert_array_equal(Statistics.spike_time_intervals(train[:, 0]), [3, 5])
    # sorn 0.7.4 returned neuron-index differences here; these are neuron 0's then neuron 1's ISIs.
    np.testing.assert_array_equal(Statistics.spike_time_intervals(train), [3, 5, 1])


def test_hamming_distance_is_a_list_per_step():
    a = np.zeros((3, 5))
    b = a.copy()
    b[0, :3] = 1
    b[2, 4] = 1
    assert Statistics.hamming_distance(a, b) == [3, 0, 1]
    with pytest.raises(ValueError, match="perturbed_spike_train"):
        Statistics.hamming_distance(a, b[:, :4])


@pytest.mark.parametrize("n_steps", [1000, 1003, 997])
def test_fanofactor_any_length(n_steps):
    rng = np.random.default_rng(n_steps)
    train = (rng.random((n_steps, 3)) < 0.2).astype(float)
    mean, var, fano = Statistics.fanofactor(train, 1, 20)
    counts = train[: (n_steps // 20) * 20, 1].reshape(-1, 20).sum(axis=1)
    assert mean == pytest.approx(counts.mean())
    assert var == pytest.approx(counts.var())
    assert fano == pytest.approx(counts.var() / counts.mean())
    assert 0.5 < fano < 1.2  # Bernoulli(0.2): expected 0.8
    with pytest.raises(ValueError, match="window_size"):
        Statistics.fanofactor(train, 1, n_steps)


def test_spike_source_entropy_never_nan(train):
    train = train.copy()
    train[:, 3] = 0  # sorn 0.7.4 returned NaN as soon as one neuron was silent
    value = Statistics.spike_source_entropy(train, 37)
    assert np.isfinite(value) and 0.9 < value < 1.0
    assert Statistics.spike_source_entropy(train) == value
    assert Statistics.spike_source_entropy(np.zeros((4, 3))) == 0.0
    with pytest.raises(ValueError, match="num_neurons"):
        Statistics.spike_source_entropy(train, 10)
