"""Rates, ISI, correlation, entropy, Hamming distance and weight statistics on synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import analysis as an


def bernoulli(rng: np.random.Generator, p: float | np.ndarray, shape: tuple[int, int]):
    return rng.random(shape) < p


# --- input validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros(5, bool), "2-dimensional"),
        (np.zeros((0, 3), bool), "empty"),
        (np.array([[0.0, np.nan]]), "NaN"),
        (np.array([[0, 2]]), "only 0 and 1"),
        (np.array([["a"]]), "numeric"),
    ],
)
def test_bad_spike_input_names_the_argument(bad, message):
    with pytest.raises(ValueError, match=message) as info:
        an.firing_rates(bad)
    assert "spikes" in str(info.value)


def test_hamming_names_the_second_argument():
    with pytest.raises(ValueError, match="^b "):
        an.hamming_distance(np.zeros((3, 2)), np.full((3, 2), np.nan))


# --- rates ------------------------------------------------------------------------------------


def test_firing_rates_per_neuron_and_population():
    spikes = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [1, 0, 0]])
    np.testing.assert_allclose(an.firing_rates(spikes), [0.75, 0.5, 0.0])
    np.testing.assert_array_equal(an.population_activity(spikes), [1, 2, 1, 1])
    np.testing.assert_allclose(an.population_rate(spikes), [1 / 3, 2 / 3, 1 / 3, 1 / 3])


def test_windowed_rates_and_counts_handle_remainder():
    spikes = np.zeros((7, 2), bool)
    spikes[[0, 1, 4, 6], 0] = True
    np.testing.assert_array_equal(an.spike_counts(spikes, 3)[:, 0], [2, 1])
    np.testing.assert_allclose(an.windowed_rates(spikes, 3)[:, 0], [2 / 3, 1 / 3])
    np.testing.assert_allclose(
        an.windowed_rates(spikes, 3, drop_partial=False)[:, 0], [2 / 3, 1 / 3, 1]
    )
    with pytest.raises(ValueError, match="window"):
        an.spike_counts(spikes, 8)
    with pytest.raises(ValueError, match="window"):
        an.spike_counts(spikes, 0)


@pytest.mark.parametrize("n_steps", [20_000, 20_011])  # divisible and not divisible by 50
def test_fano_factor_of_bernoulli_is_one_minus_p(n_steps):
    rng = np.random.default_rng(1)
    p = 0.05
    spikes = bernoulli(rng, p, (n_steps, 40))
    fano = an.fano_factor(spikes, 50)
    assert fano.shape == (40,)
    assert abs(fano.mean() - (1 - p)) < 0.03


def test_fano_factor_detects_regular_and_bursty_trains():
    regular = np.zeros(1000, bool)
    regular[::10] = True  # exactly one spike per window of 10: zero variance
    assert an.fano_factor(regular, 10) == 0.0
    bursty = np.zeros(1000, bool)
    bursty[:100] = True  # all spikes in the first window of 100
    assert an.fano_factor(bursty, 100) > 50


def test_fano_factor_silent_neuron_is_nan_and_short_recording_rejected():
    spikes = np.zeros((100, 2), bool)
    spikes[::3, 0] = True
    fano = an.fano_factor(spikes, 10)
    assert np.isfinite(fano[0]) and np.isnan(fano[1])
    with pytest.raises(ValueError, match="two complete windows"):
        an.fano_factor(spikes, 60)


def test_lagged_autocorrelation():
    t = np.arange(200)
    alternating = (t % 2).astype(float)
    assert an.lagged_autocorrelation(alternating, 1) == pytest.approx(-1.0)
    assert an.lagged_autocorrelation(alternating, 2) == pytest.approx(1.0)
    assert np.isnan(an.lagged_autocorrelation(np.ones(10), 1))


# --- inter-spike intervals --------------------------------------------------------------------


def test_inter_spike_intervals_exact():
    spikes = np.zeros((10, 3), bool)
    spikes[[1, 4, 5, 9], 0] = True
    spikes[[2], 1] = True
    isi = an.inter_spike_intervals(spikes)
    assert len(isi) == 3
    np.testing.assert_array_equal(isi[0], [3, 1, 4])
    assert isi[1].size == 0 and isi[2].size == 0
    np.testing.assert_array_equal(an.inter_spike_intervals(spikes[:, 0])[0], [3, 1, 4])


def test_isi_of_bernoulli_train_has_cv_one_and_exponential_rate_p():
    rng = np.random.default_rng(2)
    p = 0.02
    stats = an.isi_statistics(bernoulli(rng, p, (50_000, 20)))
    # Geometric ISIs: mean 1/p, CV sqrt(1 - p).
    assert stats.cv == pytest.approx(np.sqrt(1 - p), abs=0.02)
    assert stats.fit is not None
    assert stats.fit.rate == pytest.approx(p, rel=0.03)
    assert stats.fit.mean == pytest.approx(1 / p, rel=0.03)
    assert np.nanmean(stats.cv_per_neuron) == pytest.approx(np.sqrt(1 - p), abs=0.03)


def test_isi_regular_train_has_cv_zero_and_silent_gives_no_fit():
    spikes = np.zeros((100, 1), bool)
    spikes[::5] = True
    assert an.isi_statistics(spikes).cv == 0.0
    silent = an.isi_statistics(np.zeros((50, 3), bool))
    assert silent.fit is None and np.isnan(silent.cv)
    assert np.isnan(silent.cv_per_neuron).all()


def test_exponential_fit_recovers_rate_of_continuous_samples():
    rng = np.random.default_rng(3)
    fit = an.fit_exponential(rng.exponential(scale=4.0, size=20_000))
    assert fit.rate == pytest.approx(0.25, rel=0.03)
    assert fit.n == 20_000
    with pytest.raises(ValueError, match="intervals"):
        an.fit_exponential([1.0, 0.0])


# --- correlation, entropy, Hamming ------------------------------------------------------------


def test_pairwise_correlation_known_values_and_silent_neuron():
    rng = np.random.default_rng(4)
    base = bernoulli(rng, 0.3, (5000, 1))[:, 0]
    spikes = np.stack([base, base, ~base, np.zeros_like(base)], axis=1)
    corr = an.pairwise_correlation(spikes)
    np.testing.assert_array_equal(corr.active, [True, True, True, False])
    assert corr.n_pairs == 3
    assert corr.matrix[0, 1] == pytest.approx(1.0)
    assert corr.matrix[0, 2] == pytest.approx(-1.0)
    # Pairs (0,1)=1, (0,2)=-1, (1,2)=-1.
    assert corr.mean == pytest.approx(-1 / 3)
    assert not np.isnan(corr.matrix).any()
    assert (corr.matrix[3] == 0).all()


@pytest.mark.parametrize("n", [7, 200, 300])
def test_pairwise_correlation_of_independent_trains_is_near_zero_for_any_n(n):
    rng = np.random.default_rng(n)
    corr = an.pairwise_correlation(bernoulli(rng, 0.1, (2000, n)))
    assert corr.matrix.shape == (n, n)
    assert abs(corr.mean) < 0.01
    np.testing.assert_allclose(np.diag(corr.matrix), 1.0)


def test_pairwise_correlation_matches_numpy_when_all_active():
    rng = np.random.default_rng(5)
    spikes = bernoulli(rng, 0.2, (300, 6))
    expected = np.corrcoef(spikes.T.astype(float))
    corr = an.pairwise_correlation(spikes)
    np.testing.assert_allclose(corr.matrix, expected, atol=1e-12)
    assert corr.mean == pytest.approx(expected[np.triu_indices(6, 1)].mean())


def test_spike_source_entropy():
    uniform = np.ones((10, 8), bool)
    assert an.spike_source_entropy(uniform) == pytest.approx(1.0)
    single = np.zeros((10, 8), bool)
    single[:, 3] = True
    assert an.spike_source_entropy(single) == 0.0
    half = np.zeros((10, 4), bool)
    half[:, :2] = True  # two of four neurons share all spikes: H = log 2, normalised 1/2
    assert an.spike_source_entropy(half) == pytest.approx(0.5)
    assert an.spike_source_entropy(half, normalized=False) == pytest.approx(np.log(2))
    assert an.spike_source_entropy(half, 16) == pytest.approx(0.25)
    assert an.spike_source_entropy(np.zeros((5, 3), bool)) == 0.0
    with pytest.raises(ValueError, match="n_neurons"):
        an.spike_source_entropy(half, 2)


def test_hamming_distance():
    a = np.zeros((3, 4), bool)
    b = a.copy()
    b[1, :2] = True
    b[2, :] = True
    np.testing.assert_array_equal(an.hamming_distance(a, b), [0, 2, 4])
    np.testing.assert_allclose(an.hamming_distance(a, b, normalized=True), [0, 0.5, 1])
    with pytest.raises(ValueError, match="same shape"):
        an.hamming_distance(a, b[:2])


# --- weights ----------------------------------------------------------------------------------


def test_connection_fraction_excludes_diagonal():
    w = np.zeros((4, 4))
    w[0, 1] = w[1, 0] = w[2, 3] = 0.5
    w[3, 3] = 1.0  # a self-connection is not a possible synapse
    assert an.connection_fraction(w) == pytest.approx(3 / 12)
    assert an.connection_fraction(w, exclude_diagonal=False) == pytest.approx(4 / 16)
    assert an.connection_fraction(np.ones((2, 5))) == 1.0
    steps, fractions = an.connection_fraction_trajectory([(0, w), (10, np.zeros((4, 4)))])
    np.testing.assert_array_equal(steps, [0, 10])
    np.testing.assert_allclose(fractions, [0.25, 0.0])


def test_connection_fraction_from_a_count_is_the_fraction_of_the_matrix():
    w = np.zeros((4, 4))
    w[0, 1] = w[1, 0] = w[2, 3] = 0.5
    assert an.connection_fraction_from_count(3, 4) == an.connection_fraction(w) == 3 / 12
    assert an.connection_fraction_from_count(3, 4, exclude_diagonal=False) == 3 / 16
    assert an.connection_fraction_from_count(5, 2, 5) == 0.5  # not square: all pairs possible
    trace = an.connection_fraction_from_count(np.array([0, 6, 12]), 4)
    np.testing.assert_allclose(trace, [0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="no synapse is possible"):
        an.connection_fraction_from_count(0, 1)


def test_lognormal_samples_favour_lognormal_fit():
    rng = np.random.default_rng(6)
    w = rng.lognormal(mean=-3.0, sigma=1.0, size=3000)
    fit = an.fit_weight_distribution(w)
    assert fit.best == "lognormal" and fit.delta_aic > 0
    assert fit.lognormal_mu == pytest.approx(-3.0, abs=0.05)
    assert fit.lognormal_sigma == pytest.approx(1.0, abs=0.05)
    assert fit.ks_lognormal < fit.ks_normal


def test_a_few_fresh_synapses_decide_the_fit_over_all_weights_but_not_above_the_floor():
    # A narrow lognormal bulk (as in the zheng2013 preset after self-organisation) plus 0.4 %
    # of synapses just created by structural plasticity at 0.001: in log space those few sit
    # 15 standard deviations below the bulk and inflate the lognormal's sigma, so over all
    # weights the normal wins; above the analysis floor the bulk's own shape decides.
    rng = np.random.default_rng(11)
    bulk = rng.lognormal(mean=np.log(0.04), sigma=0.25, size=5000)
    fresh = rng.uniform(0.0009, 0.0011, size=20)
    w = np.concatenate([bulk, fresh])
    everything = an.fit_weight_distribution(w)
    above = an.fit_weight_distribution(w, threshold=an.ANALYSIS_FLOOR)
    assert everything.best == "normal" and everything.lognormal_sigma > 0.3
    assert above.n == 5000 and above.best == "lognormal"
    assert above.lognormal_sigma == pytest.approx(0.25, abs=0.01)
    assert above.ks_lognormal < above.ks_normal
    assert an.fit_above_floor(w) == above
    assert an.fit_above_floor(fresh) is None  # nothing above 0.01
    assert an.fit_above_floor(np.array([0.5, 0.5, 0.5, 0.001])) is None  # all equal above


def test_weight_fit_likelihoods_and_ks_match_scipy():
    # The fit uses closed forms for speed; scipy's distributions are the definition.
    stats = pytest.importorskip("scipy.stats")
    w = np.random.default_rng(8).gamma(2.0, 0.05, size=500)
    fit = an.fit_weight_distribution(w)
    lognormal = stats.lognorm(s=fit.lognormal_sigma, scale=np.exp(fit.lognormal_mu))
    normal = stats.norm(loc=fit.normal_mean, scale=fit.normal_std)
    assert fit.loglik_lognormal == pytest.approx(lognormal.logpdf(w).sum(), rel=1e-10)
    assert fit.loglik_normal == pytest.approx(normal.logpdf(w).sum(), rel=1e-10)
    assert fit.ks_lognormal == pytest.approx(stats.kstest(w, lognormal.cdf).statistic, rel=1e-10)
    assert fit.ks_normal == pytest.approx(stats.kstest(w, normal.cdf).statistic, rel=1e-10)


def test_normal_samples_favour_normal_fit_and_zeros_are_ignored():
    rng = np.random.default_rng(7)
    w = rng.normal(0.5, 0.05, size=3000)
    matrix = np.zeros((100, 100))
    matrix.flat[: w.size] = w
    fit = an.fit_weight_distribution(matrix)
    assert fit.n == 3000
    assert fit.best == "normal" and fit.delta_aic < 0
    assert fit.normal_mean == pytest.approx(0.5, abs=0.005)


def test_weight_fit_rejects_degenerate_input():
    with pytest.raises(ValueError, match="at least 3"):
        an.fit_weight_distribution(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="all equal"):
        an.fit_weight_distribution(np.full(5, 0.2))


def test_input_log_spread_looks_within_rows():
    from sorn_studio.analysis.weights import input_log_spread

    # Equal inputs within each row but rows on different scales: the global spread of log w
    # is large, the spread within rows is zero.
    w = np.zeros((4, 30))
    w[0, :5], w[1, :10], w[2, :20], w[3, :2] = 0.2, 0.1, 0.05, 0.5
    assert input_log_spread(w) == pytest.approx(0.0, abs=1e-12)
    assert np.log(w[w > 0]).std() > 0.5
    # Lognormal inputs in every row give back their sigma; row 3 (two inputs) is left out.
    rng = np.random.default_rng(9)
    w[:3, :20] = rng.lognormal(-3.0, 0.8, size=(3, 20))
    assert input_log_spread(w) == pytest.approx(0.8, abs=0.2)
    assert input_log_spread(w, threshold=1.0) != input_log_spread(w, threshold=1.0)  # NaN
    with pytest.raises(ValueError, match="threshold"):
        input_log_spread(w, threshold=-1.0)
